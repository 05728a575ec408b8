import type { IntegrationType } from '../openapi/model';

/**
 * Request headers API Gateway drops before anything sees them
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html).
 */
const ALWAYS_DROPPED_REQUEST = new Set([
  'connection',
  'content-length',
  'content-md5',
  'expect',
  'max-forwards',
  'proxy-authenticate',
  'server',
  'te',
  'transfer-encoding',
  'trailer',
  'upgrade',
  'www-authenticate',
]);

/** True for a client request header API Gateway never passes on. */
export function isDroppedRequestHeader(name: string): boolean {
  return ALWAYS_DROPPED_REQUEST.has(name.toLowerCase());
}

const FORBIDDEN_ALL = ['content-length', 'transfer-encoding'];
const FORBIDDEN_AWS = [
  'authorization',
  'connection',
  'expect',
  'proxy-authenticate',
  'te',
  'x-amzn-trace-id',
  'x-amzn-apigateway-api-id',
];

/**
 * Integration request headers that cannot be mapped: API Gateway fails every call of such a method
 * with 500
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html).
 */
export function isForbiddenRequestMapping(type: IntegrationType, header: string): boolean {
  const name = header.toLowerCase();
  if (FORBIDDEN_ALL.includes(name)) return true;
  return (type === 'AWS' || type === 'AWS_PROXY') && FORBIDDEN_AWS.includes(name);
}

/** Mapped method-response headers that non-proxy integrations emit as x-amzn-Remapped-<name>. */
const REMAPPED_NON_PROXY = new Set([
  'authorization',
  'connection',
  'content-length',
  'content-md5',
  'date',
  'expect',
  'host',
  'max-forwards',
  'proxy-authenticate',
  'server',
  'trailer',
  'upgrade',
  'user-agent',
  'www-authenticate',
]);

/** Backend headers that proxy integrations pass as x-amzn-Remapped-<name>. */
const REMAPPED_PROXY = new Set(['connection', 'content-length', 'date', 'server', 'x-amzn-requestid']);

/**
 * The name a response header reaches the client under
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html).
 */
export function methodResponseHeaderName(name: string, proxy: boolean): string {
  const set = proxy ? REMAPPED_PROXY : REMAPPED_NON_PROXY;
  return set.has(name.toLowerCase()) ? `x-amzn-Remapped-${name}` : name;
}
