import { methodResponseHeaderName } from '../../mappings/headers';
import type { IntegrationResult, MethodResponseOut } from '../invocation';
import { reportedLength } from './response-limit';

/** Backend headers a proxy response never carries on (Node frames the body itself). */
const DROPPED = new Set(['transfer-encoding', 'via']);

/**
 * The method response of an http_proxy integration: the backend's status and headers pass through,
 * except the reserved ones that come back as x-amzn-Remapped-*
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html). The
 * backend's Content-Encoding is kept so that the bytes, passed on unchanged, stay readable. API
 * Gateway sends its own Content-Length: the bytes pass unchanged, so it is the backend's length
 * when the backend gave one (a HEAD answer has no payload to measure).
 */
export function proxyResponse(result: IntegrationResult, integrationMethod: string): MethodResponseOut {
  const headers: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(result.headers)) {
    if (DROPPED.has(name.toLowerCase())) continue;
    const outName = methodResponseHeaderName(name, true);
    headers[outName] = values.length === 1 ? values[0] : values;
  }
  const body: MethodResponseOut['body'] =
    result.body.kind === 'stream' && integrationMethod !== 'HEAD'
      ? { kind: 'stream', stream: result.body.stream, length: reportedLength(result) }
      : result.body;
  return { status: result.status, headers: headers as Record<string, string>, body };
}
