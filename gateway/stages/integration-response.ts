import { methodResponseHeaderName } from '../../mappings/headers';
import { evaluateMappingSource, parseMappingSource, type MappingSource } from '../../mappings/parameters';
import { selectIntegrationResponse } from '../../mappings/selection';
import type { IntegrationResponse } from '../../openapi/model';
import { GatewayErrors } from '../gateway-error';
import type { IntegrationResult, Invocation, MethodResponseOut } from '../invocation';
import { mappingInput } from './mapping-input';

type CompiledHeader = { name: string; source: MappingSource };
const compiledHeaders = new WeakMap<IntegrationResponse, CompiledHeader[]>();

function headerMappings(response: IntegrationResponse): CompiledHeader[] {
  let list = compiledHeaders.get(response);
  if (!list) {
    list = Object.entries(response.responseParameters)
      .filter(([destination]) => destination.startsWith('method.response.header.'))
      .map(([destination, expression]) => ({
        name: destination.slice('method.response.header.'.length),
        source: parseMappingSource(expression, 'method-response'),
      }));
    compiledHeaders.set(response, list);
  }
  return list;
}

async function drain(body: IntegrationResult['body']): Promise<Buffer> {
  if (body.kind === 'buffer') return body.data;
  const chunks: Buffer[] = [];
  for await (const chunk of body.stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * Non-proxy integration response: select by the selection string (the backend status, or a
 * Lambda errorMessage; whole-string selectionPattern),
 * map headers from responseParameters (backend headers are otherwise dropped), pass the body on.
 * Without a matching response and without a default, the client gets 500 Internal server error.
 */
export async function integrationResponse(
  inv: Invocation,
  result: IntegrationResult,
  selection: string = String(result.status),
): Promise<MethodResponseOut> {
  const integration = inv.method!.integration;
  const selected = selectIntegrationResponse(integration.integrationResponses, selection);
  if (!selected) {
    if (result.body.kind === 'stream') result.body.stream.resume();
    throw GatewayErrors.internalServerError();
  }
  inv.integrationResponse = selected;
  const mappings = headerMappings(selected);
  // Only a mapping that reads the backend body needs it whole; otherwise it streams to the client.
  const needsBody = mappings.some((m) => m.source.kind === 'response-body');
  let body = result.body;
  if (needsBody) body = { kind: 'buffer', data: await drain(result.body) };
  const input = mappingInput(inv, {
    headers: result.headers,
    body: body.kind === 'buffer' ? body.data : undefined,
  });
  const headers: Record<string, string> = {};
  for (const { name, source } of mappings) {
    let value: string | string[] | undefined;
    try {
      value = evaluateMappingSource(source, input);
    } catch {
      if (body.kind === 'stream') body.stream.resume();
      throw GatewayErrors.internalServerError();
    }
    if (value === undefined) continue;
    // HTTP header names are case-insensitive: `content-type` and `Content-Type` mapped together
    // (as AWS's own tutorial export does) give one header, the later mapping winning.
    const outName = methodResponseHeaderName(name, false);
    for (const existing of Object.keys(headers))
      if (existing.toLowerCase() === outName.toLowerCase()) delete headers[existing];
    headers[outName] = Array.isArray(value) ? value.join(',') : value;
  }
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
    headers['Content-Type'] = 'application/json';
  return { status: Number(selected.statusCode), headers, body };
}
