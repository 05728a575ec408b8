import { compileUriTemplate } from '../../mappings/uri-template';
import type { Integration } from '../../openapi/model';
import { percentDecode, uriEncode } from '../../sigv4';
import type { OutboundCredentials } from '../aws/credentials';
import { integrationMethod } from './method';
import type { EndpointResolver } from '../aws/endpoints';
import type { AwsServiceRequest } from '../aws/request';
import { serviceQuery } from '../aws/service-call';
import { GatewayErrors } from '../gateway-error';
import type { Invocation } from '../invocation';
import type { Logger } from '../log';
import type { IntegrationRequestParts } from '../stages/integration-request';
import type { BackendBody } from './transport';
import { setHeader } from '../header-values';
import { joinHeaderValues, nonProxyHeaders } from './request-headers';

/** What the AWS integration needs from the running gateway. */
export interface AwsIntegrationDeps {
  endpoints: EndpointResolver;
  credentials: () => Promise<OutboundCredentials>;
  log: Logger;
}

/**
 * Fills `{name}` from integration.request.path.* (values spliced still encoded, as AWS does) and
 * `${stageVariables.x}` (missing → empty).
 */
export function renderUriPath(
  template: string,
  pathValues: Record<string, string>,
  stageVariables: Record<string, string>,
): string {
  return compileUriTemplate(template, stageVariables, 'path').render(pathValues);
}

/**
 * Re-encodes each path segment the way SigV4 signs S3 paths, so that the path sent is exactly the
 * path signed whatever the client typed; an encoded `/` (%2F) stays inside its segment.
 */
export function normaliseS3Path(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      const bytes = percentDecode(segment);
      return bytes ? uriEncode(bytes, false) : segment;
    })
    .join('/');
}

/** API Gateway sends no body with these verbs, whatever the template rendered. */
const BODILESS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The request to an AWS service through an `aws` uri, `path/` or `action/` (S3 and every other
 * service; Lambda's Invoke API has its own builder), before signing: the verb (the client's for
 * ANY), the path, the query (`?Action=…` of an action merged with the mapped query parameters),
 * the mapped headers over API Gateway's own, the protocol headers of JSON-protocol actions when
 * none is mapped, and the body. A service without an endpoint is API Gateway's 500 (logged).
 */
export function awsServiceRequest(
  inv: Invocation,
  parts: IntegrationRequestParts,
  body: BackendBody,
  deps: AwsIntegrationDeps,
): AwsServiceRequest {
  const compiled = inv.compiled!;
  const call = compiled.awsCall;
  if (!call) throw GatewayErrors.apiConfigurationError();
  const endpoint = deps.endpoints.resolve(call.service, call.region, {
    subdomain: call.subdomain,
    hostPrefix: call.hostPrefix,
  });
  if (!endpoint) {
    deps.log.error(
      `${inv.requestId} no endpoint for service '${call.service}': set endpoints.${call.service} to a URL or 'aws'`,
    );
    throw GatewayErrors.apiConfigurationError();
  }
  const method = integrationMethod(inv);
  const sent: BackendBody = BODILESS.has(method) && Buffer.isBuffer(body) ? Buffer.alloc(0) : body;
  // Non-proxy integrations send only mapped headers plus API Gateway's defaults
  // (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html).
  const headers = joinHeaderValues(nonProxyHeaders(inv, sent, parts.headers));
  if (call.protocolHeaders) {
    const mapped = Object.keys(parts.headers).map((name) => name.toLowerCase());
    if (!mapped.includes('content-type'))
      setHeader(headers, 'Content-Type', call.protocolHeaders.contentType);
    if (!mapped.includes('x-amz-target')) setHeader(headers, 'X-Amz-Target', call.protocolHeaders.target);
  }
  let path = call.path.render(parts.path);
  if (compiled.callsS3) path = normaliseS3Path(path);
  return {
    service: call.service,
    signingName: call.signingName,
    region: call.region,
    endpoint,
    method,
    path,
    query: serviceQuery(call, parts.path, parts.querystring),
    headers,
    body: sent,
    timeoutMs: compiled.integration.timeoutInMillis,
  };
}

/**
 * AWS refuses to create an `aws` integration to a service other than Lambda without a role
 * (PutIntegration: 400 "Role ARN must be specified for AWS integrations"); apigw never assumes
 * roles, so it can run one, but says that AWS would not. Undefined when AWS would accept it.
 */
export function missingRoleWarning(
  integration: Pick<Integration, 'type' | 'target' | 'credentials'>,
): string | undefined {
  const target = integration.target;
  if (integration.type !== 'AWS' || (target.kind !== 'aws-path' && target.kind !== 'aws-action'))
    return undefined;
  if (target.service === 'lambda' || integration.credentials) return undefined;
  return `this ${target.service} integration has no credentials, which AWS refuses ("Role ARN must be specified for AWS integrations"); apigw calls ${target.service} with its own`;
}
