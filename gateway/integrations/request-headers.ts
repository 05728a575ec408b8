import { clientHeader, setHeader } from '../header-values';
import { newTraceRandom } from '../ids';
import type { Invocation } from '../invocation';
import type { BackendBody } from './transport';

/** An X-Amzn-Trace-Id root, as API Gateway adds to integration requests (and echoes back). */
export function newTraceId(epochMs: number): string {
  return `Root=1-${Math.floor(epochMs / 1000).toString(16)}-${newTraceRandom()}`;
}

/**
 * Headers of a non-proxy (aws, http) integration request: API Gateway's defaults, the client's
 * Content-Type when there is a body, then the mapped headers over them
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html).
 */
export function nonProxyHeaders(
  inv: Invocation,
  body: BackendBody,
  mapped: Record<string, string | string[]>,
  extra: Record<string, string> = {},
): Record<string, string | string[]> {
  inv.traceId ??= newTraceId(inv.requestTimeEpoch);
  const headers: Record<string, string | string[]> = {
    Accept: 'application/json',
    'User-Agent': `AmazonAPIGateway_${inv.apiId}`,
    'X-Amzn-Trace-Id': inv.traceId,
    ...extra,
  };
  const contentType = clientHeader(inv, 'content-type');
  // A streamed body of unknown length (chunked) is not empty: it would not have been streamed.
  if (body.length !== 0 && contentType !== undefined) headers['Content-Type'] = contentType;
  for (const [name, value] of Object.entries(mapped)) setHeader(headers, name, value);
  return headers;
}

/** Repeated headers as one value each, joined with `,` (HTTP's equivalent form, and what SigV4 signs). */
export function joinHeaderValues(headers: Record<string, string | string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
}
