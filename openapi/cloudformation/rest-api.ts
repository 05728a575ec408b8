import { pointerTo } from '../problems';
import { isObject, type JsonObject } from '../values';
import type { BuildContext, BuiltApi, TemplateUsagePlan } from './context';
import { firstUnresolved, Unresolved } from './intrinsics';
import { readDefinition, settled, stageOf } from './sam';
import { stageResourceSettings } from './stage-settings';
import { parameterOf, SwaggerDocument } from './swagger';
import type { TemplateResource } from './template';

/**
 * CloudFormation's AWS::ApiGateway::RestApi: its Body (inline OpenAPI) or BodyS3Location (a local
 * file, or the CDK asset next to the template), plus the resource form the CDK emits
 * (AWS::ApiGateway::Resource / Method / Authorizer / Model / RequestValidator / GatewayResponse),
 * turned into the OpenAPI document an export of the deployed API would be. Stages come from
 * AWS::ApiGateway::Stage (or a Deployment's StageName).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-apigateway-restapi.html
 */
export function buildRestApis(ctx: BuildContext): BuiltApi[] {
  return ctx.resources
    .filter((r) => r.type === 'AWS::ApiGateway::RestApi')
    .map((api) => buildRestApi(ctx, api));
}

function buildRestApi(ctx: BuildContext, api: TemplateResource): BuiltApi {
  const at = `/Resources/${api.logicalId}/Properties`;
  const value = settled(ctx, api.logicalId, (key) =>
    ctx.intrinsics.resolve(api.properties[key], pointerTo(at, key)),
  );
  const built: BuiltApi = {
    logicalId: api.logicalId,
    type: api.type,
    document: SwaggerDocument.skeleton(api.logicalId),
    bodyPointer: undefined,
    bodyFile: undefined,
    stages: [],
  };
  const asset = api.metadata['aws:asset:path'];
  readDefinition(ctx, built, api.properties, value, at, {
    inline: 'Body',
    file: 'BodyS3Location',
    location: typeof asset === 'string' ? asset : undefined,
  });
  const doc = built.document;
  const name = value('Name');
  if (typeof name === 'string' && isObject(doc.doc.info)) doc.doc.info.title = name;
  doc.addBinaryMediaTypes(value('BinaryMediaTypes'));
  const compression = value('MinimumCompressionSize');
  if (compression !== undefined) doc.doc['x-amazon-apigateway-minimum-compression-size'] = compression;
  const keySource = value('ApiKeySourceType');
  if (typeof keySource === 'string') doc.doc['x-amazon-apigateway-api-key-source'] = keySource;

  const children = ctx.resources.filter((r) => belongsTo(ctx, r, api.logicalId));
  const byType = (type: string) => children.filter((r) => r.type === type);
  const named = (type: string, add: (resource: NamedResource) => void) => addNamed(ctx, byType(type), add);
  const authorizerNames = named('AWS::ApiGateway::Authorizer', (r) => addAuthorizer(doc, r));
  const validatorNames = named('AWS::ApiGateway::RequestValidator', (r) => addValidator(doc, r));
  named('AWS::ApiGateway::Model', (r) => addModel(ctx, doc, r));
  addGatewayResponses(ctx, doc, byType('AWS::ApiGateway::GatewayResponse'));
  const paths = resourcePaths(ctx, api.logicalId, byType('AWS::ApiGateway::Resource'));
  for (const method of byType('AWS::ApiGateway::Method'))
    addMethod(ctx, doc, method, paths, authorizerNames, validatorNames);
  built.stages = stagesOf(ctx, api.logicalId, children);
  return built;
}

/** Whether a child resource's RestApiId refers to `apiLogicalId`. */
function belongsTo(ctx: BuildContext, resource: TemplateResource, apiLogicalId: string): boolean {
  const written = resource.properties.RestApiId;
  if (written === undefined) return false;
  if (isObject(written) && written.Ref === apiLogicalId) return true;
  const resolved = ctx.intrinsics.resolve(written, `/Resources/${resource.logicalId}/Properties/RestApiId`);
  return resolved === ctx.facts.apiId(apiLogicalId);
}

/** The id a `ResourceId` / `ParentId` / `AuthorizerId` value names, as a logical id ('/' for the root). */
function idOf(
  ctx: BuildContext,
  apiLogicalId: string,
  written: unknown,
  pointer: string,
): string | undefined {
  const resolved = ctx.intrinsics.resolve(written, pointer);
  if (typeof resolved !== 'string') return undefined;
  if (resolved === ctx.facts.rootResourceId(apiLogicalId)) return '/';
  return ctx.facts.byId.get(resolved);
}

/** Each AWS::ApiGateway::Resource's full path, from its PathPart and its parents'. */
function resourcePaths(
  ctx: BuildContext,
  apiLogicalId: string,
  resources: TemplateResource[],
): Map<string, string> {
  const byLogicalId = new Map(resources.map((r) => [r.logicalId, r]));
  const paths = new Map<string, string>([['/', '/']]);
  const visiting = new Set<string>();
  const pathOf = (resource: TemplateResource): string | undefined => {
    const known = paths.get(resource.logicalId);
    if (known !== undefined) return known;
    if (visiting.has(resource.logicalId)) return undefined;
    visiting.add(resource.logicalId);
    const at = `/Resources/${resource.logicalId}/Properties`;
    const part = ctx.intrinsics.resolve(resource.properties.PathPart, `${at}/PathPart`);
    const parentId = idOf(ctx, apiLogicalId, resource.properties.ParentId, `${at}/ParentId`);
    const parent = parentId === '/' ? '/' : parentId ? byLogicalId.get(parentId) : undefined;
    const parentPath = parent === '/' ? '/' : parent ? pathOf(parent) : undefined;
    if (typeof part !== 'string' || parentPath === undefined) {
      ctx.problems.error(
        `${at}`,
        `${resource.logicalId}: its PathPart and ParentId must name a path under the API's root`,
      );
      return undefined;
    }
    const full = parentPath === '/' ? `/${part}` : `${parentPath}/${part}`;
    paths.set(resource.logicalId, full);
    return full;
  };
  for (const resource of resources) pathOf(resource);
  return paths;
}

function addMethod(
  ctx: BuildContext,
  doc: SwaggerDocument,
  method: TemplateResource,
  paths: Map<string, string>,
  authorizers: Map<string, string>,
  validators: Map<string, string>,
): void {
  const at = `/Resources/${method.logicalId}/Properties`;
  const props = method.properties;
  const value = (key: string) => ctx.intrinsics.resolve(props[key], pointerTo(at, key));
  const apiLogicalId =
    isObject(props.RestApiId) && typeof props.RestApiId.Ref === 'string' ? props.RestApiId.Ref : '';
  const resourceId = idOf(ctx, apiLogicalId, props.ResourceId, `${at}/ResourceId`);
  const route = resourceId === undefined ? undefined : paths.get(resourceId);
  const httpMethod = value('HttpMethod');
  if (route === undefined || typeof httpMethod !== 'string') {
    ctx.problems.error(
      at,
      `${method.logicalId}: its ResourceId must name an AWS::ApiGateway::Resource of the API (or its RootResourceId), and HttpMethod must be a string`,
    );
    return;
  }
  const operation = doc.operation(route, httpMethod, method.logicalId);
  const authorizationType = String(value('AuthorizationType') ?? 'NONE').toUpperCase();
  const security: JsonObject[] = [];
  if (authorizationType === 'AWS_IAM') {
    security.push(doc.iamSecurity('sigv4'));
  } else if (authorizationType === 'CUSTOM' || authorizationType === 'COGNITO_USER_POOLS') {
    const authorizerId = idOf(ctx, apiLogicalId, props.AuthorizerId, `${at}/AuthorizerId`);
    const name = authorizerId === undefined ? undefined : authorizers.get(authorizerId);
    if (name === undefined)
      ctx.problems.error(
        pointerTo(at, 'AuthorizerId'),
        `${method.logicalId}: AuthorizationType ${authorizationType} needs an AuthorizerId that is a Ref to an AWS::ApiGateway::Authorizer of the API`,
      );
    else
      security.push({
        [name]: Array.isArray(value('AuthorizationScopes'))
          ? (value('AuthorizationScopes') as unknown[])
          : [],
      });
  }
  if (value('ApiKeyRequired') === true || value('ApiKeyRequired') === 'true')
    security.push(doc.apiKeySecurity());
  operation.security = security;
  const operationName = value('OperationName');
  if (typeof operationName === 'string') operation.operationId = operationName;

  const parameters: unknown[] = [];
  const requestParameters = value('RequestParameters');
  if (isObject(requestParameters)) {
    for (const [name, required] of Object.entries(requestParameters)) {
      const parameter = parameterOf(name, required === true || required === 'true');
      if (parameter) parameters.push(parameter);
    }
  }
  const models = value('RequestModels');
  if (isObject(models)) {
    for (const [contentType, model] of Object.entries(models)) {
      if (typeof model !== 'string') continue;
      parameters.push({ in: 'body', name: model, schema: { $ref: doc.schemaRef(model) } });
      ((operation.consumes ??= []) as unknown[]).push(contentType);
    }
  }
  if (parameters.length) operation.parameters = parameters;
  const validatorId =
    props.RequestValidatorId === undefined
      ? undefined
      : idOf(ctx, apiLogicalId, props.RequestValidatorId, `${at}/RequestValidatorId`);
  if (validatorId !== undefined && validators.has(validatorId))
    operation['x-amazon-apigateway-request-validator'] = validators.get(validatorId);

  const responses: JsonObject = {};
  const methodResponses = value('MethodResponses');
  for (const written of Array.isArray(methodResponses) ? methodResponses : []) {
    if (!isObject(written) || written.StatusCode === undefined) continue;
    const response: JsonObject = { description: `${String(written.StatusCode)} response` };
    if (isObject(written.ResponseParameters)) {
      const headers: JsonObject = {};
      for (const name of Object.keys(written.ResponseParameters)) {
        const m = /^method\.response\.header\.(.+)$/.exec(name);
        if (m) headers[m[1]] = { type: 'string' };
      }
      response.headers = headers;
    }
    if (isObject(written.ResponseModels)) {
      const [model] = Object.values(written.ResponseModels);
      if (typeof model === 'string') response.schema = { $ref: doc.schemaRef(model) };
    }
    responses[String(written.StatusCode)] = response;
  }
  operation.responses = responses;
  const integration = value('Integration');
  if (isObject(integration)) operation['x-amazon-apigateway-integration'] = integrationOf(integration);
  else ctx.problems.error(pointerTo(at, 'Integration'), `${method.logicalId}: a method needs an Integration`);
}

/** CloudFormation's Integration property as the x-amazon-apigateway-integration extension. */
function integrationOf(written: JsonObject): JsonObject {
  const out: JsonObject = {};
  const copy: Array<[string, string]> = [
    ['Type', 'type'],
    ['Uri', 'uri'],
    ['IntegrationHttpMethod', 'httpMethod'],
    ['Credentials', 'credentials'],
    ['RequestParameters', 'requestParameters'],
    ['RequestTemplates', 'requestTemplates'],
    ['PassthroughBehavior', 'passthroughBehavior'],
    ['ContentHandling', 'contentHandling'],
    ['TimeoutInMillis', 'timeoutInMillis'],
    ['CacheKeyParameters', 'cacheKeyParameters'],
    ['CacheNamespace', 'cacheNamespace'],
    ['ConnectionType', 'connectionType'],
    ['ConnectionId', 'connectionId'],
    ['TlsConfig', 'tlsConfig'],
  ];
  for (const [from, to] of copy) if (written[from] !== undefined) out[to] = written[from];
  if (typeof out.type === 'string') out.type = out.type.toLowerCase();
  if (typeof out.passthroughBehavior === 'string')
    out.passthroughBehavior = out.passthroughBehavior.toLowerCase();
  if (isObject(out.tlsConfig))
    out.tlsConfig = { insecureSkipVerification: out.tlsConfig.InsecureSkipVerification };
  const responses: JsonObject = {};
  for (const response of Array.isArray(written.IntegrationResponses) ? written.IntegrationResponses : []) {
    if (!isObject(response)) continue;
    const selection =
      typeof response.SelectionPattern === 'string' && response.SelectionPattern !== ''
        ? response.SelectionPattern
        : 'default';
    const entry: JsonObject = { statusCode: String(response.StatusCode) };
    if (response.ResponseParameters !== undefined) entry.responseParameters = response.ResponseParameters;
    if (response.ResponseTemplates !== undefined) entry.responseTemplates = response.ResponseTemplates;
    if (response.ContentHandling !== undefined) entry.contentHandling = response.ContentHandling;
    responses[selection] = entry;
  }
  if (Object.keys(responses).length) out.responses = responses;
  return out;
}

/** An Authorizer, RequestValidator or Model: its properties resolved, its Name (else its logical id). */
interface NamedResource {
  name: string;
  props: JsonObject;
  at: string;
}

/** Hands each resource to `add`; returns logical id → name, for the methods that refer to them. */
function addNamed(
  ctx: BuildContext,
  resources: TemplateResource[],
  add: (resource: NamedResource) => void,
): Map<string, string> {
  const names = new Map<string, string>();
  for (const resource of resources) {
    const at = `/Resources/${resource.logicalId}/Properties`;
    const props = ctx.intrinsics.resolve(resource.properties, at) as JsonObject;
    const name = typeof props.Name === 'string' ? props.Name : resource.logicalId;
    add({ name, props, at });
    names.set(resource.logicalId, name);
  }
  return names;
}

/** AWS::ApiGateway::Authorizer → a security scheme named after it. */
function addAuthorizer(doc: SwaggerDocument, { name, props }: NamedResource): void {
  const type = String(props.Type ?? '').toUpperCase();
  const identitySource = typeof props.IdentitySource === 'string' ? props.IdentitySource : undefined;
  const header = /^method\.request\.header\.(.+)$/.exec(identitySource ?? '')?.[1];
  const authorizer: JsonObject = {
    type: type === 'COGNITO_USER_POOLS' ? 'cognito_user_pools' : type.toLowerCase(),
  };
  for (const [from, to] of [
    ['AuthorizerUri', 'authorizerUri'],
    ['AuthorizerCredentials', 'authorizerCredentials'],
    ['IdentitySource', 'identitySource'],
    ['IdentityValidationExpression', 'identityValidationExpression'],
    ['AuthorizerResultTtlInSeconds', 'authorizerResultTtlInSeconds'],
    ['ProviderARNs', 'providerARNs'],
  ])
    if (props[from] !== undefined) authorizer[to] = props[from];
  doc.securitySchemes()[name] = {
    type: 'apiKey',
    name: header ?? 'Unused',
    in: 'header',
    'x-amazon-apigateway-authtype': type === 'COGNITO_USER_POOLS' ? 'cognito_user_pools' : 'custom',
    'x-amazon-apigateway-authorizer': authorizer,
  };
}

/** AWS::ApiGateway::RequestValidator → a request validator named after it. */
function addValidator(doc: SwaggerDocument, { name, props }: NamedResource): void {
  doc.extension('request-validators')[name] = {
    validateRequestBody: props.ValidateRequestBody === true || props.ValidateRequestBody === 'true',
    validateRequestParameters:
      props.ValidateRequestParameters === true || props.ValidateRequestParameters === 'true',
  };
}

/** AWS::ApiGateway::Model → a schema (its Schema may be written as a JSON string). */
function addModel(ctx: BuildContext, doc: SwaggerDocument, { name, props, at }: NamedResource): void {
  let schema = props.Schema;
  if (typeof schema === 'string') {
    try {
      schema = JSON.parse(schema);
    } catch {
      ctx.problems.error(`${at}/Schema`, `model ${name}: Schema is not JSON`);
      return;
    }
  }
  doc.schemas()[name] = isObject(schema) ? schema : {};
}

function addGatewayResponses(ctx: BuildContext, doc: SwaggerDocument, resources: TemplateResource[]): void {
  for (const resource of resources) {
    const props = ctx.intrinsics.resolve(
      resource.properties,
      `/Resources/${resource.logicalId}/Properties`,
    ) as JsonObject;
    if (typeof props.ResponseType !== 'string') continue;
    const response: JsonObject = {
      responseParameters: isObject(props.ResponseParameters) ? props.ResponseParameters : {},
      responseTemplates: isObject(props.ResponseTemplates) ? props.ResponseTemplates : {},
    };
    if (props.StatusCode !== undefined) response.statusCode = String(props.StatusCode);
    doc.extension('gateway-responses')[props.ResponseType] = response;
  }
}

/** The API's stages: each AWS::ApiGateway::Stage, and a Deployment's StageName. */
function stagesOf(ctx: BuildContext, apiLogicalId: string, children: TemplateResource[]): BuiltApi['stages'] {
  const stages: BuiltApi['stages'] = [];
  for (const resource of children) {
    const at = `/Resources/${resource.logicalId}/Properties`;
    if (resource.type !== 'AWS::ApiGateway::Stage' && resource.type !== 'AWS::ApiGateway::Deployment')
      continue;
    if (resource.properties.StageName === undefined) continue;
    const name = ctx.intrinsics.resolve(resource.properties.StageName, `${at}/StageName`);
    if (name instanceof Unresolved) {
      ctx.problems.error(
        name.pointer,
        `${resource.logicalId}: its StageName cannot be resolved: ${name.reason}`,
      );
      continue;
    }
    if (typeof name !== 'string' || stages.some((s) => s.name === name)) continue;
    const variableKey = resource.type === 'AWS::ApiGateway::Stage' ? 'Variables' : 'StageDescription';
    let variables = ctx.intrinsics.resolve(resource.properties[variableKey], `${at}/${variableKey}`);
    if (variableKey === 'StageDescription') variables = isObject(variables) ? variables.Variables : undefined;
    stages.push({
      ...stageOf(ctx, name, variables, `${at}/${variableKey}`, `/Resources/${resource.logicalId}`),
      settings: stageResourceSettings(ctx, resource),
    });
  }
  if (stages.length === 0) {
    ctx.problems.warning(
      `/Resources/${apiLogicalId}`,
      `${apiLogicalId} has no AWS::ApiGateway::Stage (nor a Deployment with a StageName): it is served under stage 'dev'`,
    );
    stages.push({ name: 'dev', variables: {}, pointer: `/Resources/${apiLogicalId}` });
  }
  return stages;
}

/** AWS::ApiGateway::UsagePlan with its keys (AWS::ApiGateway::UsagePlanKey → AWS::ApiGateway::ApiKey). */
export function readUsagePlans(ctx: BuildContext): TemplateUsagePlan[] {
  const plans: TemplateUsagePlan[] = [];
  const keysOfPlan = new Map<string, string[]>();
  for (const link of ctx.resources.filter((r) => r.type === 'AWS::ApiGateway::UsagePlanKey')) {
    const plan = link.properties.UsagePlanId;
    const key = link.properties.KeyId;
    if (isObject(plan) && typeof plan.Ref === 'string' && isObject(key) && typeof key.Ref === 'string') {
      keysOfPlan.set(plan.Ref, [...(keysOfPlan.get(plan.Ref) ?? []), key.Ref]);
    }
  }
  for (const plan of ctx.resources.filter((r) => r.type === 'AWS::ApiGateway::UsagePlan')) {
    const at = `/Resources/${plan.logicalId}/Properties`;
    const props = ctx.intrinsics.resolve(plan.properties, at) as JsonObject;
    const apiStages: TemplateUsagePlan['apiStages'] = [];
    const written = Array.isArray(plan.properties.ApiStages) ? plan.properties.ApiStages : [];
    for (const entry of written) {
      if (!isObject(entry) || !isObject(entry.ApiId) || typeof entry.ApiId.Ref !== 'string') continue;
      const stage = ctx.intrinsics.resolve(entry.Stage, `${at}/ApiStages`);
      if (typeof stage === 'string')
        apiStages.push({ api: entry.ApiId.Ref, stage, throttle: ctx.intrinsics.resolve(entry.Throttle, at) });
    }
    const keys = (keysOfPlan.get(plan.logicalId) ?? []).map((logicalId) => {
      const key = ctx.resources.find((r) => r.logicalId === logicalId);
      const keyProps = key
        ? (ctx.intrinsics.resolve(key.properties, `/Resources/${logicalId}/Properties`) as JsonObject)
        : {};
      return {
        logicalId,
        name: typeof keyProps.Name === 'string' ? keyProps.Name : logicalId,
        value: typeof keyProps.Value === 'string' ? keyProps.Value : undefined,
        // CloudFormation's default is false, as CreateApiKey's (SAM and the CDK write Enabled: true).
        enabled: keyProps.Enabled === true || keyProps.Enabled === 'true',
      };
    });
    const number = (v: unknown) => (v === undefined || firstUnresolved(v) ? undefined : Number(v));
    const throttle = isObject(props.Throttle)
      ? { burstLimit: number(props.Throttle.BurstLimit), rateLimit: number(props.Throttle.RateLimit) }
      : undefined;
    const quota = isObject(props.Quota)
      ? {
          limit: number(props.Quota.Limit),
          period: typeof props.Quota.Period === 'string' ? props.Quota.Period : undefined,
          offset: number(props.Quota.Offset),
        }
      : undefined;
    plans.push({
      logicalId: plan.logicalId,
      name: typeof props.UsagePlanName === 'string' ? props.UsagePlanName : plan.logicalId,
      apiStages,
      throttle,
      quota,
      keys,
    });
  }
  return plans;
}
