import {
  applyResponseConversion,
  ContentConversionError,
  isBinaryMediaType,
  mediaTypeOfHeader,
  responseConversion,
  utf8Normaliser,
  type ResponseConversion,
} from '../../mappings/content';
import { methodResponseHeaderName } from '../../mappings/headers';
import { evaluateMappingSource } from '../../mappings/parameters';
import { pointerTo } from '../../openapi';
import { selectIntegrationResponse } from '../../mappings/selection';
import { GatewayErrors } from '../gateway-error';
import { lastHeaderValue, setHeader } from '../header-values';
import { integrationMethod as integrationMethodOf } from '../integrations/method';
import { chooseResponseTemplate, headerMappings } from '../response-mappings';
import type { IntegrationResult, Invocation, MethodResponseOut } from '../invocation';
import type { Logger } from '../log';
import { renderTemplate, templateOverrides } from '../templates';
import { mappingInput } from './mapping-input';
import { enforceResponseLimit, reportedLength } from './response-limit';

/** Text payloads up to this reported length are held whole (and sent with Content-Length). */
const SMALL_TEXT_BYTES = 1024 * 1024;

/**
 * A Lambda function returning a base64 string answers with a JSON string (`"W3Jh…"`); API
 * Gateway decodes its content, which is how AWS's "binary files in Lambda" example serves images.
 */
function unwrapJsonString(raw: Buffer): Buffer {
  const text = raw.toString('utf8').trim();
  if (!text.startsWith('"')) return raw;
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'string' ? Buffer.from(value, 'utf8') : raw;
  } catch {
    return raw;
  }
}

async function drain(body: IntegrationResult['body']): Promise<Buffer> {
  if (body.kind === 'buffer') return body.data;
  const chunks: Buffer[] = [];
  for await (const chunk of body.stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * Non-proxy integration response: select by the selection string (the backend status, or a Lambda
 * errorMessage; whole-string selectionPattern), convert the payload
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html),
 * render the response template chosen by Accept, map headers from responseParameters (backend
 * headers are otherwise dropped), then apply `$context.responseOverride`. Without a matching
 * response and without a default, the client gets 500 Internal server error. With no template and
 * no body mapping the body streams through.
 */
export async function integrationResponse(
  inv: Invocation,
  result: IntegrationResult,
  /** Undefined: only the default response may be chosen (a mock without a request template). */
  selection: string | undefined,
  log: Logger,
): Promise<MethodResponseOut> {
  const integration = inv.method!.integration;
  const integrationMethod = integrationMethodOf(inv);
  enforceResponseLimit(inv, result, integrationMethod, log);
  const selected =
    selection === undefined
      ? integration.integrationResponses.find((r) => r.selectionPattern === undefined)
      : selectIntegrationResponse(integration.integrationResponses, selection);
  if (!selected) {
    if (result.body.kind === 'stream') result.body.stream.resume();
    throw GatewayErrors.apiConfigurationError();
  }
  inv.integrationResponse = selected;
  const mappings = headerMappings(selected.responseParameters, 'method.response.header.', 'method-response');
  const accept = inv.request.nodeHeaders.accept;
  const payloadBinary = isBinaryMediaType(
    mediaTypeOfHeader(lastHeaderValue(result.headers, 'content-type')),
    inv.api.binaryMediaTypes,
  );
  const acceptBinary = isBinaryMediaType(mediaTypeOfHeader(accept), inv.api.binaryMediaTypes);
  const conversion: ResponseConversion = responseConversion(
    payloadBinary,
    acceptBinary,
    selected.contentHandling,
  );
  const template = chooseResponseTemplate(selected.responseTemplates, accept);
  const rendersTemplate = template !== undefined && template[1].trim() !== '';
  // A small text payload is read whole, as API Gateway holds it, so that it goes with its
  // Content-Length: re-encoding it as UTF-8 may change its length, which must not make it chunked.
  const reported = reportedLength(result);
  const smallText =
    conversion === 'utf8' &&
    integrationMethod !== 'HEAD' &&
    result.body.kind === 'stream' &&
    reported !== undefined &&
    reported <= SMALL_TEXT_BYTES;
  const needsBody =
    rendersTemplate ||
    smallText ||
    conversion === 'base64-decode' ||
    conversion === 'base64-encode' ||
    mappings.some((m) => m.source.kind === 'response-body');

  let body: MethodResponseOut['body'];
  let raw: Buffer | undefined;
  if (needsBody) {
    raw = await drain(result.body);
    let converted;
    try {
      converted = applyResponseConversion(
        conversion === 'base64-decode' && result.lambdaResult ? unwrapJsonString(raw) : raw,
        conversion,
      );
    } catch (e) {
      if (!(e instanceof ContentConversionError)) throw e;
      log.error(`${inv.requestId} ${selected.pointer}: the response payload is not valid base64`);
      throw GatewayErrors.apiConfigurationError();
    }
    let data = converted.body;
    if (rendersTemplate) {
      const pointer = pointerTo(selected.pointer, 'responseTemplates', template![0]);
      data = await renderTemplate(inv, template![1], converted, { side: 'response', pointer }, log);
    }
    body = { kind: 'buffer', data };
  } else if (result.body.kind === 'stream' && conversion === 'utf8') {
    const text = utf8Normaliser();
    // pipe() does not pass errors on: a backend that fails mid-body (or the payload limit) must
    // fail the client's response too, not crash the process.
    result.body.stream.once('error', (e) => text.destroy(e));
    body = { kind: 'stream', stream: result.body.stream.pipe(text) };
  } else if (result.body.kind === 'stream' && integrationMethod !== 'HEAD') {
    // Bytes passed through unchanged keep the backend's length: the client gets Content-Length.
    body = { ...result.body, length: reported };
  } else {
    body = result.body;
  }

  const input = mappingInput(inv, { headers: result.headers, body: raw, lambda: result.lambdaResult });
  const headers: Record<string, string> = {};
  for (const { name, source } of mappings) {
    let value: string | string[] | undefined;
    try {
      value = evaluateMappingSource(source, input);
    } catch {
      if (body.kind === 'stream') body.stream.resume();
      throw GatewayErrors.apiConfigurationError();
    }
    if (value === undefined) continue;
    // `content-type` and `Content-Type` mapped together (as AWS's own tutorial export does) give one header.
    setHeader(headers, methodResponseHeaderName(name, false), Array.isArray(value) ? value.join(',') : value);
  }
  let status = Number(selected.statusCode);
  const overrides = templateOverrides(inv);
  if (overrides) {
    if (overrides.response.status !== undefined) status = overrides.response.status;
    for (const [name, value] of Object.entries(overrides.response.header)) setHeader(headers, name, value);
  }
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
    headers['Content-Type'] = 'application/json';
  return { status, headers, body };
}
