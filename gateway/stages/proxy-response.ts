import { methodResponseHeaderName } from '../../mappings/headers';
import type { IntegrationResult, MethodResponseOut } from '../invocation';

/** Backend headers a proxy response never carries on (Node frames the body itself). */
const DROPPED = new Set(['transfer-encoding', 'via']);

/**
 * The method response of an http_proxy integration: the backend's status and headers pass
 * through, except the reserved ones that come back as x-amzn-Remapped-* (reference §15). The
 * backend's Content-Encoding is kept so that the bytes, passed on unchanged, stay readable.
 */
export function proxyResponse(result: IntegrationResult): MethodResponseOut {
  const headers: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(result.headers)) {
    if (DROPPED.has(name.toLowerCase())) continue;
    const outName = methodResponseHeaderName(name, true);
    headers[outName] = values.length === 1 ? values[0] : values;
  }
  return { status: result.status, headers: headers as Record<string, string>, body: result.body };
}
