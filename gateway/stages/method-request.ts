import type { IncomingMessage } from 'node:http';
import { isDroppedRequestHeader } from '../../mappings/headers';
import { GatewayError } from '../gateway-error';
import type { MethodRequest } from '../invocation';

/** API Gateway's request payload limit (10 MB). */
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

/** Reads the whole request body, refusing more than `limit` bytes with 413 (before any backend call). */
export async function readRequestBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(req);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(req);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(req: IncomingMessage): GatewayError {
  // The rest of the body will not be read: close the connection after answering.
  req.resume();
  return new GatewayError('REQUEST_TOO_LARGE', 'Request Too Long');
}

/** The method request of an incoming HTTP request, before routing (path parameters come later). */
export function methodRequestOf(req: IncomingMessage, pathAfterStage: string, body: Buffer): MethodRequest {
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  return {
    httpMethod: req.method ?? 'GET',
    rawUrl,
    path: pathAfterStage,
    headers: clientHeaders(req.rawHeaders),
    nodeHeaders: req.headers,
    querystring: parseQueryString(q < 0 ? '' : rawUrl.slice(q + 1)),
    pathParameters: {},
    body,
  };
}
