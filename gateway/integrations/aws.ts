import { compileUriTemplate } from '../../mappings/uri-template';
import { percentDecode, uriEncode } from '../../sigv4';
import type { OutboundCredentials } from '../aws/credentials';
import { integrationMethod } from './method';
import type { EndpointResolver } from '../aws/endpoints';
import type { AwsServiceRequest } from '../aws/request';
import { GatewayErrors } from '../gateway-error';
import type { Invocation } from '../invocation';
import type { Logger } from '../log';
import type { IntegrationRequestParts } from '../stages/integration-request';
import type { BackendBody } from './transport';
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

/**
 * An `aws` integration other than Lambda must name a service by a `path/` uri; action-style uris
 * are not supported yet (API Gateway's 500, logged). Checked before the body is read.
 */
export function assertPathTarget(inv: Invocation, log: Logger): void {
  const target = inv.compiled!.integration.target;
  if (target.kind === 'aws-path' && target.service !== 'lambda') return;
  log.error(
    `${inv.requestId} ${inv.compiled!.integration.pointer}: ${target.kind === 'aws-action' ? 'action-style AWS integrations' : `${target.kind} targets`} are not supported yet`,
  );
  throw GatewayErrors.apiConfigurationError();
}

/** The request to an AWS service through a `path/` uri (S3 and other REST-style services), before signing. */
export function awsServiceRequest(
  inv: Invocation,
  parts: IntegrationRequestParts,
  body: BackendBody,
  deps: AwsIntegrationDeps,
): AwsServiceRequest {
  const compiled = inv.compiled!;
  const target = compiled.integration.target;
  if (target.kind !== 'aws-path') throw GatewayErrors.apiConfigurationError();
  const endpoint = deps.endpoints.resolve(target.service, target.region);
  if (!endpoint) {
    deps.log.error(
      `${inv.requestId} no endpoint for service '${target.service}': set endpoints.${target.service} to a URL or 'aws'`,
    );
    throw GatewayErrors.apiConfigurationError();
  }
  // Non-proxy integrations send only mapped headers plus API Gateway's defaults
  // (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html).
  const headers = joinHeaderValues(nonProxyHeaders(inv, body, parts.headers));
  let path = compiled.servicePath!.render(parts.path);
  if (compiled.callsS3) path = normaliseS3Path(path);
  return {
    service: target.service,
    region: target.region,
    endpoint,
    method: integrationMethod(inv),
    path,
    query: parts.querystring,
    headers,
    body,
    timeoutMs: compiled.integration.timeoutInMillis,
  };
}
