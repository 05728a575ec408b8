import type { IncomingMessage } from 'node:http';
import { isDroppedRequestHeader } from '../../mappings/headers';
import { GatewayErrors } from '../gateway-error';
import type { Invocation, MethodRequest } from '../invocation';
import type { GatewayRuntime } from '../runtime';
import { splitStage } from '../stage-names';
import { RequestPayload } from './request-payload';
import { prepareRequestBody } from './request-streaming';

/** API Gateway's request and response payload limit (10 MB = 10,485,760 bytes), unless --max-payload. */
export const DEFAULT_MAX_PAYLOAD = 10 * 1024 * 1024;

/** Query values are form-decoded (`+` and `%20` are spaces); names keep their order of appearance. */
export function parseQueryString(rawQuery: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(rawQuery)) (out[name] ??= []).push(value);
  return out;
}

/** Client headers with their names as sent, minus those API Gateway always drops. */
export function clientHeaders(rawHeaders: string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    if (isDroppedRequestHeader(rawHeaders[i])) continue;
    (out[rawHeaders[i]] ??= []).push(rawHeaders[i + 1]);
  }
  return out;
}

/**
 * The method request of an incoming HTTP request, before routing (path parameters come later).
 * The body is not read here: `body` stays empty until a stage needs it whole (see
 * prepareRequestBody); `payload` is how it is read or streamed.
 */
export function methodRequestOf(
  req: IncomingMessage,
  pathAfterStage: string,
  payload: RequestPayload,
): MethodRequest {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const originalUrl = (req as { originalUrl?: unknown }).originalUrl;
  return {
    httpMethod: req.method ?? 'GET',
    rawUrl,
    ...(typeof originalUrl === 'string' && originalUrl !== rawUrl ? { originalUrl } : {}),
    path: pathAfterStage,
    headers: clientHeaders(req.rawHeaders),
    nodeHeaders: req.headers,
    querystring: parseQueryString(q < 0 ? '' : rawUrl.slice(q + 1)),
    pathParameters: {},
    body: Buffer.alloc(0),
    payload,
  };
}

/**
 * The method request stage: the stage prefix, then the route (resource and method, or ANY), then
 * the body read as far as the later stages need it (see prepareRequestBody). A declared length
 * over the limit is refused before routing (413).
 */
export async function methodRequest(inv: Invocation, rt: GatewayRuntime): Promise<void> {
  const req = inv.incoming!;
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const split = splitStage(q < 0 ? rawUrl : rawUrl.slice(0, q), rt.stage);
  if (split.kind === 'wrong-stage') {
    req.resume();
    throw GatewayErrors.unknownStage();
  }
  // The request was parsed when the invocation began; only its place and its body are new.
  inv.request.path = split.rest;
  inv.request.payload = new RequestPayload(req, rt.maxPayload);
  const match = rt.router.match(inv.request.httpMethod, split.rest);
  if (!match) throw GatewayErrors.missingAuthenticationToken();
  inv.resource = match.resource;
  inv.method = match.method;
  inv.compiled = rt.methods.get(match.method);
  inv.request.pathParameters = match.pathParameters;
  await prepareRequestBody(inv);
}
