import { isBinaryRequest, utf8Normaliser } from '../../mappings/content';
import { GatewayErrors } from '../gateway-error';
import type { BackendBody } from '../integrations/transport';
import type { Invocation } from '../invocation';
import type { Logger } from '../log';
import type { MaybePromise } from '../maybe-async';
import type { IntegrationRequestParts } from './integration-request';
import { integrationRequestBody } from './request-body';
import { MEMORY_SPOOL_LIMIT } from './request-payload';

/**
 * How the method request's body reaches the integration:
 * - `buffer`: read whole, because a stage reads it (template, content conversion, validation,
 *   body mappings), the integration needs it whole (Lambda, mock, AWS services other than S3), or
 *   it is small (up to 1 MiB: cheap to hold, and S3 then gets its SHA-256 signed, not UNSIGNED-PAYLOAD);
 * - `raw`: streamed unchanged (binary passthrough, http_proxy);
 * - `text`: streamed through UTF-8 normalisation (text passthrough: invalid bytes → U+FFFD).
 */
export type RequestBodyPlan = 'buffer' | 'raw' | 'text';

/**
 * The plan for this invocation's body
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html
 * decide what a passthrough does to it).
 */
export function requestBodyPlan(inv: Invocation): RequestBodyPlan {
  const compiled = inv.compiled!;
  const integration = compiled.integration;
  const payload = inv.request.payload;
  if (payload.empty || payload.buffered) return 'buffer';
  if (payload.length !== undefined && payload.length <= MEMORY_SPOOL_LIMIT) return 'buffer';
  if (compiled.validator?.validateRequestBody) return 'buffer';
  if (compiled.mapsBody) return 'buffer';
  if (integration.type === 'HTTP_PROXY') return 'raw';
  if (integration.type !== 'HTTP' && !compiled.callsS3) return 'buffer';
  const contentType = inv.request.nodeHeaders['content-type'];
  const choice = compiled.requestTemplate(contentType);
  // 415 is answered without reading the body.
  if (choice.kind === 'unsupported-media-type') return 'raw';
  if (choice.kind === 'template') return 'buffer';
  const binary = isBinaryRequest(contentType, inv.api.binaryMediaTypes);
  // Base64 in either direction needs the whole payload.
  if (binary && integration.contentHandling === 'CONVERT_TO_TEXT') return 'buffer';
  if (!binary && integration.contentHandling === 'CONVERT_TO_BINARY') return 'buffer';
  return binary ? 'raw' : 'text';
}

/**
 * Reads the body as far as the stages before the integration need it, once the method is known.
 * Buffered when a stage reads it. A streamed body is spooled first (memory up to 1 MiB, else an
 * unlinked temp file: memory stays flat) when something must be known before the backend is
 * called: its SHA-256 for an AWS_IAM signature (execute-api signs the body's hash, so no byte may
 * go on before the signature is checked), its size against the limit when it comes chunked, or
 * its length for S3 (which refuses bodies without Content-Length; a text body's length is only
 * known once its invalid UTF-8 has been counted as U+FFFD).
 */
export async function prepareRequestBody(inv: Invocation): Promise<void> {
  const plan = requestBodyPlan(inv);
  const payload = inv.request.payload;
  if (plan === 'buffer') {
    inv.request.body = await payload.buffer();
    return;
  }
  const lengthRequired = inv.compiled!.callsS3;
  const spool =
    inv.method!.authorizationType === 'AWS_IAM' ||
    payload.mustBeReadFirst ||
    (lengthRequired && (plan === 'text' || payload.length === undefined));
  if (!spool) return;
  await payload.spool({ utf8Length: lengthRequired && plan === 'text' });
  // A chunked body that turned out small is held whole after all (see RequestBodyPlan).
  if (payload.length! <= MEMORY_SPOOL_LIMIT) inv.request.body = await payload.buffer();
}

/**
 * The body of an `aws` (S3) or `http` integration request: a stream when passthrough needs no
 * conversion (a text one normalised on the way,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html),
 * else integrationRequestBody's buffer (templates, base64 conversions, 415).
 */
export function integrationRequestPayload(
  inv: Invocation,
  log: Logger,
  parts: IntegrationRequestParts,
): MaybePromise<BackendBody> {
  const plan = requestBodyPlan(inv);
  if (plan === 'buffer') return integrationRequestBody(inv, log, parts);
  const choice = inv.compiled!.requestTemplate(inv.request.nodeHeaders['content-type']);
  if (choice.kind === 'unsupported-media-type') throw GatewayErrors.unsupportedMediaType();
  const payload = inv.request.payload;
  const source = payload.stream();
  if (plan === 'raw') return { stream: source, length: payload.length };
  const text = utf8Normaliser();
  // Not pipeline(): it would destroy the client's request on a failure downstream (see transport).
  source.once('error', (e) => text.destroy(e));
  source.pipe(text);
  return { stream: text, length: payload.textLength() };
}

/** The body an http_proxy integration forwards: the client's bytes as they came, streamed. */
export function proxyRequestBody(inv: Invocation): BackendBody {
  const payload = inv.request.payload;
  if (payload.buffered) return inv.request.body;
  return { stream: payload.stream(), length: payload.length };
}
