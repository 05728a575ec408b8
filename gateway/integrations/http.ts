import { compileUriTemplate } from '../../mappings/uri-template';
import { GatewayErrors } from '../gateway-error';
import type { Invocation } from '../invocation';
import type { Logger } from '../log';
import type { IntegrationRequestParts } from '../stages/integration-request';
import { proxyRequestBody } from '../stages/request-streaming';
import { clientHeader, setHeader } from '../header-values';
import { integrationMethod } from './method';
import { newTraceId, nonProxyHeaders } from './request-headers';
import type { BackendBody, BackendRequest } from './transport';

/**
 * Client headers an http_proxy integration does not forward
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html).
 */
const NOT_FORWARDED = new Set(['host', 'content-encoding', 'via']);

/**
 * Mapped headers API Gateway does not send to an http(s) backend: hop-by-hop ones, whose static
 * values it drops (see
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html; for
 * aws integrations mapping them fails the call instead).
 */
const DROPPED_MAPPED = new Set(['proxy-authenticate', 'te', 'expect', 'connection']);

/** The mapped headers that go to the backend. */
function sentMappedHeaders(mapped: Record<string, string | string[]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(mapped)) {
    if (!DROPPED_MAPPED.has(name.toLowerCase())) out[name] = value;
  }
  return out;
}

/** RFC 3986 query encoding of one decoded name or value. */
function encodeQueryComponent(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/**
 * The backend URL of an http(s) uri: `{name}` from integration.request.path.* (spliced as given),
 * `${stageVariables.x}` (missing → empty). An unusable result is API Gateway's 500.
 */
export function renderBackendUrl(
  template: string,
  pathValues: Record<string, string>,
  stageVariables: Record<string, string>,
): URL | undefined {
  return compileBackendUrl(template, stageVariables)(pathValues);
}

/** An http uri compiled at load: a uri without `{name}` is parsed once, the others per request. */
export function compileBackendUrl(
  template: string,
  stageVariables: Record<string, string>,
): (pathValues: Record<string, string>) => URL | undefined {
  const uri = compileUriTemplate(template, stageVariables, 'url');
  const parse = (rendered: string) => {
    try {
      const url = new URL(rendered);
      return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
    } catch {
      return undefined;
    }
  };
  if (uri.names.length > 0) return (pathValues) => parse(uri.render(pathValues));
  // Shared by every request: nothing downstream changes a URL it is given.
  const constant = parse(uri.literals[0]);
  return () => constant;
}

/** Path and query as sent: the uri's own query, then `extra` raw query text, then mapped parameters appended. */
function targetOf(url: URL, extraRawQuery: string, mapped: Array<[string, string]>): string {
  const pieces = [
    url.search.replace(/^\?/, ''),
    extraRawQuery,
    ...mapped.map(([k, v]) => `${encodeQueryComponent(k)}=${encodeQueryComponent(v)}`),
  ];
  const query = pieces.filter((p) => p !== '').join('&');
  return query ? `${url.pathname}?${query}` : url.pathname;
}

/** The backend URL, or API Gateway's 500 (logged) when the uri does not render to one. */
function backendUrl(inv: Invocation, pathValues: Record<string, string>, log: Logger): URL {
  const integration = inv.compiled!.integration;
  const url = inv.compiled!.backendUrl?.(pathValues);
  if (!url) {
    log.error(`${inv.requestId} ${integration.pointer}: the uri does not render to a usable http(s) URL`);
    throw GatewayErrors.apiConfigurationError();
  }
  return url;
}

/** The `http` (non-proxy) integration request: mapped parts and body to any URL. */
export function httpRequest(
  inv: Invocation,
  parts: IntegrationRequestParts,
  body: BackendBody,
  log: Logger,
): BackendRequest {
  const url = backendUrl(inv, parts.path, log);
  const mapped = sentMappedHeaders(parts.headers);
  const headers = {
    ...nonProxyHeaders(inv, body, mapped, { 'X-Amzn-Apigateway-Api-Id': inv.apiId }),
    Host: url.host,
  };
  return backendRequest(inv, url, '', parts, headers, body);
}

/** The request sent to an http(s) backend: the query is the client's raw one (proxy) plus the mapped parameters. */
function backendRequest(
  inv: Invocation,
  url: URL,
  rawQuery: string,
  parts: IntegrationRequestParts,
  headers: BackendRequest['headers'],
  body: BackendBody,
): BackendRequest {
  const integration = inv.compiled!.integration;
  return {
    url,
    target: targetOf(url, rawQuery, parts.querystring),
    method: integrationMethod(inv),
    headers,
    body,
    timeoutMs: integration.timeoutInMillis,
    insecureSkipVerification: integration.tlsConfig?.insecureSkipVerification,
  };
}

/**
 * The `http_proxy` integration request: the client's request forwarded (headers but Host,
 * Content-Encoding and Via; its query string; its body) with requestParameters applied on top.
 */
export function httpProxyRequest(
  inv: Invocation,
  parts: IntegrationRequestParts,
  log: Logger,
): BackendRequest {
  const url = backendUrl(inv, parts.path, log);
  inv.traceId ??= newTraceId(inv.requestTimeEpoch);
  const headers: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(inv.request.headers)) {
    if (NOT_FORWARDED.has(name.toLowerCase())) continue;
    headers[name] = values.length === 1 ? values[0] : values;
  }
  setHeader(headers, 'X-Amzn-Apigateway-Api-Id', inv.apiId);
  setHeader(headers, 'X-Amzn-Trace-Id', clientHeader(inv, 'x-amzn-trace-id') ?? inv.traceId);
  for (const [name, value] of Object.entries(sentMappedHeaders(parts.headers)))
    setHeader(headers, name, value);
  headers.Host = url.host;
  const rawUrl = inv.request.rawUrl;
  const q = rawUrl.indexOf('?');
  return backendRequest(inv, url, q < 0 ? '' : rawUrl.slice(q + 1), parts, headers, proxyRequestBody(inv));
}
