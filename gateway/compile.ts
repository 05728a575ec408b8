import { mediaTypeOf, type RequestTemplateChoice } from '../mappings/templates';
import type {
  ApiDefinition,
  Authorizer,
  Integration,
  Method,
  RequestValidator,
  Resource,
} from '../openapi/model';
import { compileUriTemplate, type UriTemplate } from '../mappings/uri-template';
import { compileAwsServiceCall, type AwsServiceCall } from './aws/service-call';
import { resourceId } from './context-variables';
import { compileBackendUrl } from './integrations/http';
import { compileRequestMappings, type CompiledMapping } from './stages/integration-request';

/**
 * What the lifecycle needs to know about one method that depends only on the API: computed once
 * when the API loads, so that a request only looks things up.
 */
export interface CompiledMethod {
  readonly resource: Resource;
  readonly method: Method;
  readonly integration: Integration;
  /** `$context.resourceId`: stable per resource path, as API Gateway gives each resource one. */
  readonly resourceId: string;
  /** The verb the integration request uses; undefined: the client's own (no httpMethod, or ANY). */
  readonly integrationHttpMethod: string | undefined;
  /** requestParameters, parsed. */
  readonly requestMappings: readonly CompiledMapping[];
  /** Keys of requestParameters API Gateway refuses to map: such methods fail every call with 500. */
  readonly forbiddenMappings: readonly string[];
  /** A requestParameters source reads the body (`method.request.body…`): it must be read whole. */
  readonly mapsBody: boolean;
  readonly validator: RequestValidator | undefined;
  /** The method's Lambda (TOKEN/REQUEST) or other authorizer, when it names one. */
  readonly authorizer: Authorizer | undefined;
  /** An `aws` integration to S3, which needs every request's length up front. */
  readonly callsS3: boolean;
  /** An `aws` integration to Lambda's Invoke API (non-proxy). */
  readonly callsLambda: boolean;
  /** An `aws` `path/` uri, stage variables filled: the path per request from its path values. */
  readonly servicePath: UriTemplate | undefined;
  /** An `aws` uri (`path/` or `action/`): the service, signing name, host, path and query it calls. */
  readonly awsCall: AwsServiceCall | undefined;
  /** An http(s) uri, stage variables filled: the backend URL per request (undefined: unusable). */
  readonly backendUrl: ((pathValues: Record<string, string>) => URL | undefined) | undefined;
  /** The request template (or passthrough, or 415) for a Content-Type header (mappings/templates.ts). */
  requestTemplate(contentType: string | undefined): RequestTemplateChoice;
}

/**
 * Template selection as API Gateway does it (the request's media type picks a template; with none
 * matching, WHEN_NO_MATCH passes through, WHEN_NO_TEMPLATES only when none is defined, NEVER is
 * 415), decided per template key once: a request only looks its media type up.
 */
function compileTemplateChoice(integration: Integration): (ct: string | undefined) => RequestTemplateChoice {
  const byMediaType = new Map<string, RequestTemplateChoice>();
  // The first key wins when two differ only in case, as a linear find over the keys would.
  for (const [key, template] of Object.entries(integration.requestTemplates)) {
    const mediaType = key.toLowerCase();
    if (!byMediaType.has(mediaType))
      byMediaType.set(mediaType, { kind: 'template', contentType: key, template });
  }
  const defined = byMediaType.size > 0;
  const passthrough = integration.passthroughBehavior;
  const otherwise: RequestTemplateChoice =
    passthrough === 'WHEN_NO_MATCH' || (passthrough === 'WHEN_NO_TEMPLATES' && !defined)
      ? { kind: 'passthrough' }
      : { kind: 'unsupported-media-type' };
  return (contentType) => byMediaType.get(mediaTypeOf(contentType)) ?? otherwise;
}

function compileMethod(
  api: ApiDefinition,
  apiId: string,
  stageVariables: Record<string, string>,
  resource: Resource,
  method: Method,
): CompiledMethod {
  const integration = method.integration;
  const verb = integration.httpMethod?.toUpperCase();
  const { mappings, forbidden } = compileRequestMappings(integration);
  const target = integration.target;
  return {
    resource,
    method,
    integration,
    resourceId: resourceId(apiId, resource.path),
    integrationHttpMethod: verb === undefined || verb === 'ANY' ? undefined : verb,
    requestMappings: mappings,
    forbiddenMappings: forbidden,
    mapsBody: Object.values(integration.requestParameters).some((source) =>
      /^method\.request\.body\b/.test(source),
    ),
    validator:
      method.requestValidator === undefined ? undefined : api.requestValidators[method.requestValidator],
    authorizer: method.authorizerName === undefined ? undefined : api.authorizers[method.authorizerName],
    callsS3: integration.type === 'AWS' && target.kind === 'aws-path' && target.service === 's3',
    callsLambda: integration.type === 'AWS' && target.kind === 'aws-path' && target.service === 'lambda',
    servicePath:
      target.kind === 'aws-path' ? compileUriTemplate(target.path, stageVariables, 'path') : undefined,
    awsCall: compileAwsServiceCall(target, stageVariables),
    backendUrl: target.kind === 'http' ? compileBackendUrl(target.url, stageVariables) : undefined,
    requestTemplate: compileTemplateChoice(integration),
  };
}

/** Compiles every method of the API for a stage, keyed by its Method object (what the router returns). */
export function compileMethods(
  api: ApiDefinition,
  apiId: string,
  stageVariables: Record<string, string>,
): Map<Method, CompiledMethod> {
  const out = new Map<Method, CompiledMethod>();
  for (const resource of api.resources) {
    for (const method of Object.values(resource.methods)) {
      if (method) out.set(method, compileMethod(api, apiId, stageVariables, resource, method));
    }
  }
  return out;
}
