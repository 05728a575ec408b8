import type { Integration } from '../../openapi/model';
import type { IntegrationResult, Invocation } from '../invocation';
import type { Logger } from '../log';
import { integrationRequestBody } from '../stages/request-body';

/**
 * The statusCode a mock's request template produced, read leniently as API Gateway does: the
 * output need not be JSON (`{statusCode: 200}` works, as CDK writes it).
 */
export function mockStatusCode(output: string): string | undefined {
  return /["']?statusCode["']?\s*:\s*["']?\s*(\d{3})\b/.exec(output)?.[1];
}

/**
 * The `mock` integration: nothing is called; the request template's statusCode selects the
 * integration response (none: the default one), whose body starts empty.
 */
export function invokeMock(
  inv: Invocation,
  integration: Integration,
  log: Logger,
): { result: IntegrationResult; selection: string } {
  const rendered = integrationRequestBody(inv, integration, log);
  const hasTemplate = Object.keys(integration.requestTemplates).length > 0;
  const status = hasTemplate ? mockStatusCode(rendered.toString('utf8')) : undefined;
  return {
    result: { status: Number(status ?? 200), headers: {}, body: { kind: 'buffer', data: Buffer.alloc(0) } },
    // No statusCode: only the default response (no pattern) can be chosen.
    selection: status ?? '',
  };
}
