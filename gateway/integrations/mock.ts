import { GatewayErrors } from '../gateway-error';
import type { Invocation } from '../invocation';
import type { Logger } from '../log';

/** A top-level `statusCode` key, quoted or not (`{statusCode: 200}` is what CDK writes for CORS). */
const LENIENT_STATUS = /(?:^|[{,\s])["']?statusCode["']?\s*:\s*["']?\s*(\d+)\s*["']?\s*(?=[,}\s]|$)/;

/**
 * The statusCode a mock's request template produced, read leniently as API Gateway does: JSON
 * first (so a nested `statusCode` does not count), else the first `statusCode: <digits>` of text
 * that is not JSON. A number or a string of digits; anything else is no statusCode.
 */
export function mockStatusCode(output: string): string | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    return LENIENT_STATUS.exec(output)?.[1];
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const status = (parsed as Record<string, unknown>).statusCode;
  if (typeof status === 'number' && Number.isInteger(status) && status >= 0) return String(status);
  if (typeof status === 'string' && /^\s*\d+\s*$/.test(status)) return status.trim();
  return undefined;
}

/**
 * The `mock` integration
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html):
 * nothing is called. A rendered request template must yield a statusCode, which selects the
 * integration response; without a template (none defined, or passthrough) the default response is
 * used, as AWS documents. The endpoint response is empty; overrides the template set stay on the
 * invocation's `$context` for the response phase.
 */
export function invokeMock(inv: Invocation, rendered: Buffer, log: Logger): void {
  inv.integrationResult = { status: 200, headers: {}, body: { kind: 'buffer', data: Buffer.alloc(0) } };
  const { integration, requestTemplate } = inv.compiled!;
  if (requestTemplate(inv.request.nodeHeaders['content-type']).kind !== 'template') {
    inv.selection = undefined;
    return;
  }
  const status = mockStatusCode(rendered.toString('utf8'));
  if (status === undefined) {
    // AWS's execution log says exactly this, and the client gets 500 Internal server error.
    log.error(
      `${inv.requestId} ${integration.pointer}: Execution failed due to configuration error: Unable to parse ` +
        'statusCode. It should be an integer that is defined in the request template.',
    );
    throw GatewayErrors.apiConfigurationError();
  }
  inv.integrationResult.status = Number(status);
  inv.selection = status;
}
