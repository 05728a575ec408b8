import {
  ContentConversionError,
  decodeBase64Strict,
  isBinaryMediaType,
  isBinaryRequest,
  mediaTypeOfHeader,
} from '../../mappings/content';
import { methodResponseHeaderName } from '../../mappings/headers';
import { contextVariables } from '../context-variables';
import { GatewayError } from '../gateway-error';
import type { Invocation, MethodResponseOut } from '../invocation';
import type { AwsIntegrationDeps } from './aws';
import type { AwsServiceRequest } from '../aws/request';
import { lambdaInvokeRequest, lambdaInvokeResult } from './lambda';
import { newTraceId } from './request-headers';

/**
 * The v1.0 proxy event
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html).
 */
export function proxyEvent(inv: Invocation): Record<string, unknown> {
  inv.traceId ??= newTraceId(inv.requestTimeEpoch);
  const host = inv.request.nodeHeaders.host ?? 'localhost';
  const multiValueHeaders: Record<string, string[]> = { ...inv.request.headers };
  const add = (name: string, value: string) => {
    if (!Object.keys(multiValueHeaders).some((k) => k.toLowerCase() === name.toLowerCase()))
      multiValueHeaders[name] = [value];
  };
  add('Host', host);
  add('X-Amzn-Trace-Id', inv.traceId);
  add('X-Forwarded-For', inv.sourceIp);
  add('X-Forwarded-Port', String(inv.request.nodeHeaders.host?.match(/:(\d+)$/)?.[1] ?? '80'));
  add('X-Forwarded-Proto', 'http');
  const headers = Object.fromEntries(Object.entries(multiValueHeaders).map(([k, v]) => [k, v[v.length - 1]]));
  const query = inv.request.querystring;
  const hasQuery = Object.keys(query).length > 0;
  const pathParameters = inv.request.pathParameters;
  // As for non-proxy requests, a missing Content-Type is judged as application/json.
  const binary = isBinaryRequest(inv.request.nodeHeaders['content-type'], inv.api.binaryMediaTypes);
  const body = inv.request.body;
  const context = contextVariables(inv);
  return {
    resource: inv.resource?.path,
    path: inv.request.path.replace(/^\/{2,}/, '/'),
    httpMethod: inv.request.httpMethod,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery
      ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, v[v.length - 1]]))
      : null,
    multiValueQueryStringParameters: hasQuery ? query : null,
    pathParameters: Object.keys(pathParameters).length > 0 ? pathParameters : null,
    stageVariables: Object.keys(inv.stageVariables).length > 0 ? inv.stageVariables : null,
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      // Only when an authorizer ran: its principalId and context (strings), and how long it took;
      // a Cognito authorizer's claims alone, as `{"claims": {...}}`.
      ...(inv.authorizer?.claims
        ? { authorizer: { claims: { ...inv.authorizer.claims } } }
        : inv.authorizer
          ? {
              authorizer: { ...inv.authorizer.values, integrationLatency: inv.authorizer.integrationLatency },
            }
          : {}),
      deploymentId: context.deploymentId,
      domainName: context.domainName,
      domainPrefix: context.domainPrefix,
      extendedRequestId: context.extendedRequestId,
      httpMethod: context.httpMethod,
      identity: proxyIdentity(inv, context.identity as Record<string, unknown>),
      path: context.path,
      protocol: context.protocol,
      requestId: context.requestId,
      requestTime: context.requestTime,
      requestTimeEpoch: context.requestTimeEpoch,
      resourceId: context.resourceId,
      resourcePath: context.resourcePath,
      stage: context.stage,
    },
    body: body.length === 0 ? null : binary ? body.toString('base64') : body.toString('utf8'),
    isBase64Encoded: body.length > 0 && binary,
  };
}

/**
 * The event's `requestContext.identity`: AWS leaves `apiKey`/`apiKeyId` out entirely unless the
 * method validated a key (where `$context.identity.apiKey` in a template is null instead).
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html
 */
function proxyIdentity(inv: Invocation, identity: Record<string, unknown>): Record<string, unknown> {
  if (inv.apiKey) return identity;
  const { apiKey: _key, apiKeyId: _id, ...rest } = identity;
  return rest;
}

const ALLOWED_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

/** A malformed proxy result: API Gateway answers 502 Internal server error. */
function malformed(inv: Invocation, deps: AwsIntegrationDeps, why: string): GatewayError {
  deps.log.error(`${inv.requestId} Malformed Lambda proxy response: ${why}`);
  return new GatewayError('INTEGRATION_FAILURE', 'Internal server error', { status: 502 });
}

function headerValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/**
 * Validates a proxy result as strictly as API Gateway
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-lambda-proxy-integrations.html)
 * and turns it into the method response.
 */
export function proxyResult(inv: Invocation, payload: Buffer, deps: AwsIntegrationDeps): MethodResponseOut {
  let result: unknown;
  try {
    result = JSON.parse(payload.toString('utf8'));
  } catch {
    throw malformed(inv, deps, 'not JSON');
  }
  if (result === null || typeof result !== 'object' || Array.isArray(result))
    throw malformed(inv, deps, 'not an object');
  const r = result as Record<string, unknown>;
  const unknown = Object.keys(r).filter((k) => !ALLOWED_KEYS.has(k));
  if (unknown.length > 0) throw malformed(inv, deps, `unknown keys ${unknown.join(', ')}`);
  let status = 200;
  if (r.statusCode !== undefined && r.statusCode !== null) {
    status = Number(r.statusCode);
    if (!Number.isInteger(status) || status < 100 || status > 599)
      throw malformed(inv, deps, `statusCode ${JSON.stringify(r.statusCode)}`);
  }
  // multiValueHeaders first, then headers, merged by case-insensitive name (casing of the first seen).
  const merged = new Map<string, { name: string; values: string[] }>();
  const push = (name: string, value: string) => {
    const key = name.toLowerCase();
    const entry = merged.get(key) ?? { name, values: [] };
    entry.values.push(value);
    merged.set(key, entry);
  };
  if (r.multiValueHeaders !== undefined && r.multiValueHeaders !== null) {
    if (typeof r.multiValueHeaders !== 'object' || Array.isArray(r.multiValueHeaders))
      throw malformed(inv, deps, 'multiValueHeaders is not an object');
    for (const [name, values] of Object.entries(r.multiValueHeaders as Record<string, unknown>)) {
      if (!Array.isArray(values)) throw malformed(inv, deps, `multiValueHeaders.${name} is not a list`);
      for (const v of values) {
        const s = headerValue(v);
        if (s === undefined) throw malformed(inv, deps, `multiValueHeaders.${name} holds a non-scalar`);
        push(name, s);
      }
    }
  }
  if (r.headers !== undefined && r.headers !== null) {
    if (typeof r.headers !== 'object' || Array.isArray(r.headers))
      throw malformed(inv, deps, 'headers is not an object');
    for (const [name, value] of Object.entries(r.headers as Record<string, unknown>)) {
      const s = headerValue(value);
      if (s === undefined) throw malformed(inv, deps, `headers.${name} is not a scalar`);
      push(name, s);
    }
  }
  if (r.body !== undefined && r.body !== null && typeof r.body !== 'string')
    throw malformed(inv, deps, 'body is not a string');
  const text = (r.body as string | undefined | null) ?? '';
  const acceptBinary = isBinaryMediaType(
    mediaTypeOfHeader(inv.request.nodeHeaders.accept),
    inv.api.binaryMediaTypes,
  );
  // Bytes only when the function says base64 AND the client's first Accept type is binary
  // (https://docs.aws.amazon.com/apigateway/latest/developerguide/lambda-proxy-binary-media.html).
  let data: Buffer;
  if (r.isBase64Encoded === true && acceptBinary) {
    try {
      data = decodeBase64Strict(text);
    } catch (e) {
      if (!(e instanceof ContentConversionError)) throw e;
      deps.log.error(
        `${inv.requestId} Lambda proxy response: isBase64Encoded but the body is not valid base64`,
      );
      throw new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error');
    }
  } else {
    data = Buffer.from(text, 'utf8');
  }
  const headers: Record<string, string> = {};
  for (const { name, values } of merged.values())
    headers[methodResponseHeaderName(name, true)] = values.join(', ');
  if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
    headers['Content-Type'] = 'application/json';
  return { status, headers, body: { kind: 'buffer', data } };
}

/**
 * The `aws_proxy` integration request: the whole method request as the v1.0 event, to the Invoke
 * API with POST (any other httpMethod is a configuration error, as on AWS).
 */
export function lambdaProxyRequest(inv: Invocation, deps: AwsIntegrationDeps): AwsServiceRequest {
  const integration = inv.compiled!.integration;
  if (integration.httpMethod?.toUpperCase() !== 'POST') {
    deps.log.error(
      `${inv.requestId} ${integration.pointer}: Lambda is invoked with POST; httpMethod is ${integration.httpMethod}`,
    );
    throw new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error');
  }
  const event = Buffer.from(JSON.stringify(proxyEvent(inv)), 'utf8');
  return lambdaInvokeRequest(inv, integration, event, deps);
}

/** The `aws_proxy` method response: the function's result, validated; failures are 502 (or 500). */
export async function lambdaProxyResponse(
  inv: Invocation,
  deps: AwsIntegrationDeps,
): Promise<MethodResponseOut> {
  const result = await lambdaInvokeResult(inv.integrationResult!);
  if (result.status < 200 || result.status >= 300) {
    deps.log.error(
      `${inv.requestId} Lambda invoke failed with ${result.status}: ${result.body.toString('utf8').slice(0, 500)}`,
    );
    throw result.status === 403
      ? new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error')
      : new GatewayError('INTEGRATION_FAILURE', 'Internal server error', { status: 502 });
  }
  if (result.functionError !== undefined) {
    deps.log.error(
      `${inv.requestId} Lambda function error (${result.functionError}): ${result.body.toString('utf8').slice(0, 500)}`,
    );
    throw new GatewayError('INTEGRATION_FAILURE', 'Internal server error', { status: 502 });
  }
  return proxyResult(inv, result.body, deps);
}
