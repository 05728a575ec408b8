import type { Integration } from '../../openapi/model';
import { percentDecode, uriEncode } from '../backends/s3/auth/sigv4';
import type { OutboundCredentials } from '../aws/credentials';
import type { EndpointResolver } from '../aws/endpoints';
import { sendAwsRequest } from '../aws/request';
import { GatewayErrors } from '../gateway-error';
import type { IntegrationResult, Invocation } from '../invocation';
import type { Logger } from '../log';
import type { IntegrationRequestParts } from '../stages/integration-request';
import { integrationRequestPayload } from '../stages/request-streaming';
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
  return template
    .replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_m, name: string) => stageVariables[name] ?? '')
    .replace(/\{([^}/]+)\}/g, (_m, name: string) => pathValues[name] ?? '');
}

/**
 * Re-encodes each path segment the way SigV4 signs S3 paths, so that the path sent is exactly the
 * path signed whatever the client typed; an encoded `/` (%2F) stays inside its segment.
 */
export function normaliseS3Path(path: string): string {
  return path
    .split('/')
    .map((segment) => {
      try {
        return uriEncode(percentDecode(segment), false);
      } catch {
        return segment;
      }
    })
    .join('/');
}

/** Calls an AWS service through a `path/` uri (S3 and other REST-style services). */
export async function invokeAwsService(
  inv: Invocation,
  integration: Integration,
  parts: IntegrationRequestParts,
  deps: AwsIntegrationDeps,
): Promise<IntegrationResult> {
  const target = integration.target;
  if (target.kind !== 'aws-path' || target.service === 'lambda') {
    deps.log.error(
      `${inv.requestId} ${integration.pointer}: ${target.kind === 'aws-action' ? 'action-style AWS integrations' : `${target.kind} targets`} are not supported yet`,
    );
    throw GatewayErrors.internalServerError();
  }
  const body = await integrationRequestPayload(inv, integration, deps.log, parts);
  const endpoint = deps.endpoints.resolve(target.service, target.region);
  if (!endpoint) {
    deps.log.error(
      `${inv.requestId} no endpoint for service '${target.service}': set endpoints.${target.service} to a URL or 'aws'`,
    );
    throw GatewayErrors.internalServerError();
  }
  const method =
    integration.httpMethod === undefined || integration.httpMethod.toUpperCase() === 'ANY'
      ? inv.request.httpMethod
      : integration.httpMethod.toUpperCase();
  // Non-proxy integrations send only mapped headers plus API Gateway's defaults (reference §15).
  const headers = joinHeaderValues(nonProxyHeaders(inv, body, parts.headers));
  let path = renderUriPath(target.path, parts.path, inv.stageVariables);
  if (target.service === 's3') path = normaliseS3Path(path);
  return sendAwsRequest(
    {
      service: target.service,
      region: target.region,
      endpoint,
      method,
      path,
      query: parts.querystring,
      headers,
      body,
      timeoutMs: integration.timeoutInMillis,
    },
    await deps.credentials(),
  );
}
