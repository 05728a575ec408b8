import type { Invocation } from '../invocation';

/**
 * The method response stage: API Gateway's own headers on the response (request ids, the trace id
 * it sent to the backend), and its framing: a body held whole goes with Content-Length, a stream
 * with the length the backend reported when the bytes pass unchanged, else chunked; a
 * Transfer-Encoding header from anywhere else is dropped.
 */
export function methodResponse(inv: Invocation): void {
  const out = inv.methodResponse!;
  const headers = out.headers;
  // Framing is decided here, never by a mapped or returned header (an override, a Lambda result).
  for (const name of Object.keys(headers)) {
    if (name.toLowerCase() === 'transfer-encoding') delete headers[name];
  }
  headers['x-amzn-RequestId'] = inv.requestId;
  headers['x-amz-apigw-id'] = inv.extendedRequestId;
  if (inv.traceId) headers['X-Amzn-Trace-Id'] = inv.traceId;
  if (out.body.kind === 'buffer') headers['Content-Length'] = String(out.body.data.length);
  else if (out.body.length !== undefined && inv.request.httpMethod !== 'HEAD')
    headers['Content-Length'] = String(out.body.length);
}
