import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pointerTo } from '../problems';
import { describe, isObject, type JsonObject } from '../values';
import type { BuildContext, BuiltApi, BuiltStage } from './context';
import { withGlobals } from './functions';
import { Unresolved } from './intrinsics';
import { readStageSettings } from './stage-settings';
import { lambdaInvocationUri, operationKey, parameterOf, SwaggerDocument } from './swagger';
import type { TemplateResource } from './template';
import { parseTemplateYaml } from './yaml';

/** The API SAM makes for functions whose Api events name no RestApiId, and its stage. */
export const IMPLICIT_API = 'ServerlessRestApi';
const IMPLICIT_STAGE = 'Prod';

/** One `Events: {Name: {Type: Api}}` entry of an AWS::Serverless::Function. */
interface ApiEvent {
  fn: TemplateResource;
  name: string;
  props: JsonObject;
  pointer: string;
}

/** The ALL of Access-Control-Allow-Methods for an ANY method, as SAM writes it. */
const ALL_METHODS = 'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT';

/**
 * The REST APIs the SAM transform would create: every AWS::Serverless::Api, and the implicit
 * `ServerlessRestApi` (stage `Prod`) when some function's Api event names no RestApiId. Each one
 * is built as SAM builds it: its DefinitionBody / DefinitionUri, or a generated Swagger document,
 * plus a Lambda proxy integration per Api event, Cors preflight methods, Auth, BinaryMediaTypes,
 * GatewayResponses and Models.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-api.html
 */
export function buildSamApis(ctx: BuildContext): BuiltApi[] {
  const explicit = ctx.resources.filter((r) => r.type === 'AWS::Serverless::Api');
  const events = new Map<string, ApiEvent[]>();
  for (const fn of ctx.resources) {
    if (fn.type !== 'AWS::Serverless::Function') continue;
    const written = fn.properties.Events;
    if (!isObject(written)) continue;
    for (const [name, event] of Object.entries(written)) {
      const pointer = `/Resources/${fn.logicalId}/Properties/Events/${name}`;
      if (!isObject(event)) continue;
      if (event.Type === 'HttpApi') {
        ctx.notes.push(
          `${fn.logicalId} event ${name}: HttpApi events make an HTTP API (API Gateway v2), which apigw does not serve`,
        );
        continue;
      }
      if (event.Type !== 'Api') continue;
      const props = isObject(event.Properties) ? event.Properties : {};
      const target = restApiOf(ctx, props, pointer, explicit);
      if (target === undefined) continue;
      const list = events.get(target) ?? [];
      list.push({ fn, name, props, pointer });
      events.set(target, list);
    }
  }
  const built: BuiltApi[] = [];
  const implicit = events.get(IMPLICIT_API);
  if (implicit) {
    ctx.facts.generated.set(IMPLICIT_API, 'AWS::Serverless::Api');
    const props: JsonObject = { ...(isObject(ctx.template.globals.Api) ? ctx.template.globals.Api : {}) };
    built.push(buildApi(ctx, IMPLICIT_API, props, implicit, true));
  }
  for (const resource of explicit) {
    const props = withGlobals(resource.properties, ctx.template.globals.Api);
    built.push(buildApi(ctx, resource.logicalId, props, events.get(resource.logicalId) ?? [], false));
  }
  return built;
}

/** API properties every route depends on: one that cannot be resolved stops start-up. */
const NEEDED_PROPERTIES = new Set([
  'DefinitionBody',
  'DefinitionUri',
  'Body',
  'BodyS3Location',
  'Auth',
  'Cors',
  'BinaryMediaTypes',
  'GatewayResponses',
  'Models',
]);

/**
 * Reads an API property, resolved; when it cannot be resolved it is an error if every route needs
 * it (its definition, auth, CORS…), else a warning, and reads as absent either way. StageName is
 * the caller's to check.
 */
export function settled(
  ctx: BuildContext,
  logicalId: string,
  resolve: (key: string) => unknown,
): (key: string) => unknown {
  return (key) => {
    const value = resolve(key);
    if (!(value instanceof Unresolved) || key === 'StageName') return value;
    if (NEEDED_PROPERTIES.has(key))
      ctx.problems.error(value.pointer, `${logicalId}: its ${key} cannot be resolved: ${value.reason}`);
    else ctx.problems.warning(value.pointer, `${logicalId}: its ${key} is left out: ${value.reason}`);
    return undefined;
  };
}

/** The logical id of the API an Api event attaches to (RestApiId: !Ref MyApi), or the implicit one. */
function restApiOf(
  ctx: BuildContext,
  props: JsonObject,
  pointer: string,
  explicit: TemplateResource[],
): string | undefined {
  const written = props.RestApiId;
  if (written === undefined) return IMPLICIT_API;
  const id = isObject(written) && typeof written.Ref === 'string' ? written.Ref : written;
  if (typeof id === 'string' && explicit.some((r) => r.logicalId === id)) return id;
  ctx.problems.error(
    pointerTo(pointer, 'Properties', 'RestApiId'),
    `RestApiId must be a Ref to an AWS::Serverless::Api of this template, not ${describe(written)}`,
  );
  return undefined;
}

function buildApi(
  ctx: BuildContext,
  logicalId: string,
  props: JsonObject,
  events: ApiEvent[],
  implicit: boolean,
): BuiltApi {
  const at = implicit ? '/Globals/Api' : `/Resources/${logicalId}/Properties`;
  const value = settled(ctx, logicalId, (key) => ctx.intrinsics.resolve(props[key], pointerTo(at, key)));
  const built: BuiltApi = {
    logicalId,
    type: 'AWS::Serverless::Api',
    document: SwaggerDocument.skeleton(ctx.stackName),
    bodyPointer: undefined,
    bodyFile: undefined,
    stages: [],
  };
  readDefinition(ctx, built, props, value, at, { inline: 'DefinitionBody', file: 'DefinitionUri' });
  const doc = built.document;
  const name = value('Name');
  if (typeof name === 'string' && isObject(doc.doc.info)) doc.doc.info.title = name;

  const eventAuth = new Map<string, JsonObject>();
  for (const event of events) addEvent(ctx, doc, event, eventAuth);

  const cors = value('Cors');
  if (cors !== undefined) addCors(ctx, doc, cors, pointerTo(at, 'Cors'), logicalId);
  const auth = value('Auth');
  if (isObject(auth) && isObject(auth.UsagePlan)) built.samUsagePlan = auth.UsagePlan;
  if (isObject(auth)) addAuth(ctx, doc, auth, pointerTo(at, 'Auth'), eventAuth, logicalId);
  else for (const [key, authOfEvent] of eventAuth) applyMethodAuth(ctx, doc, key, authOfEvent, {}, undefined);

  doc.addBinaryMediaTypes(value('BinaryMediaTypes'));
  const responses = value('GatewayResponses');
  if (isObject(responses)) addGatewayResponses(doc, responses);
  const models = value('Models');
  if (isObject(models))
    for (const [model, schema] of Object.entries(models)) doc.schemas()[model.toLowerCase()] = schema;
  const compression = value('MinimumCompressionSize');
  if (compression !== undefined) doc.doc['x-amazon-apigateway-minimum-compression-size'] = compression;

  const stage = implicit ? IMPLICIT_STAGE : value('StageName');
  const stagePointer = implicit ? `/Resources/${logicalId}` : pointerTo(at, 'StageName');
  if (stage instanceof Unresolved)
    ctx.problems.error(stage.pointer, `${logicalId}: its StageName cannot be resolved: ${stage.reason}`);
  else if (typeof stage !== 'string' || stage === '')
    ctx.problems.error(
      stagePointer,
      `${logicalId}: StageName is required (a string), not ${describe(stage)}`,
    );
  else
    built.stages.push({
      ...stageOf(ctx, stage, value('Variables'), pointerTo(at, 'Variables'), stagePointer),
      settings: readStageSettings(ctx, logicalId, value, at),
    });

  reportStageSettings(ctx, logicalId, value);
  return built;
}

/**
 * An API's OpenAPI document: the inline one under the `inline` property (DefinitionBody, Body), else
 * the local file the `file` property names (DefinitionUri, BodyS3Location), or `location` where the
 * template says elsewhere where that file is (the CDK's asset path).
 */
export function readDefinition(
  ctx: BuildContext,
  built: BuiltApi,
  props: JsonObject,
  value: (key: string) => unknown,
  at: string,
  keys: { inline: string; file: string; location?: string },
): void {
  if (props[keys.inline] !== undefined) {
    const body = value(keys.inline);
    built.bodyPointer = pointerTo(at, keys.inline);
    if (isObject(body)) built.document = new SwaggerDocument(body);
    else if (body !== undefined)
      ctx.problems.error(
        built.bodyPointer,
        `${keys.inline} must be an OpenAPI document (an object), not ${describe(body)}`,
      );
    return;
  }
  if (props[keys.file] === undefined) return;
  const location = keys.location ?? value(keys.file);
  const document = readLocalDocument(ctx, location, pointerTo(at, keys.file), keys.file);
  if (document) {
    built.document = new SwaggerDocument(document.doc);
    built.bodyFile = document.file;
  }
}

/** Reads an OpenAPI file named by a template (DefinitionUri, BodyS3Location as a local path). */
export function readLocalDocument(
  ctx: BuildContext,
  uri: unknown,
  pointer: string,
  what: string,
): { doc: JsonObject; file: string } | undefined {
  // Unresolved: reported by whoever resolved it.
  if (uri === undefined) return undefined;
  if (uri instanceof Unresolved) {
    ctx.problems.error(uri.pointer, `${what} cannot be resolved: ${uri.reason}`);
    return undefined;
  }
  if (typeof uri !== 'string' || /^s3:\/\//.test(uri)) {
    ctx.problems.error(
      pointer,
      `${what} ${JSON.stringify(uri)} is in S3, not on this machine: give a local file path instead`,
    );
    return undefined;
  }
  const file = path.resolve(ctx.baseDir, uri);
  let doc: unknown;
  try {
    doc = parseTemplateYaml(readFileSync(file, 'utf8'));
  } catch (e) {
    ctx.problems.error(pointer, `${what} ${file}: ${(e as Error).message.split('\n')[0]}`);
    return undefined;
  }
  if (!isObject(doc)) {
    ctx.problems.error(pointer, `${what} ${file} is not an OpenAPI document`);
    return undefined;
  }
  return { doc, file };
}

/** A Lambda proxy integration for one Api event, as SAM adds it. */
function addEvent(
  ctx: BuildContext,
  doc: SwaggerDocument,
  event: ApiEvent,
  eventAuth: Map<string, JsonObject>,
): void {
  const at = pointerTo(event.pointer, 'Properties');
  const resolve = (key: string) => ctx.intrinsics.resolve(event.props[key], pointerTo(at, key));
  const route = resolve('Path');
  const method = resolve('Method');
  for (const [key, v] of [
    ['Path', route],
    ['Method', method],
  ] as const) {
    if (v instanceof Unresolved)
      ctx.problems.error(
        v.pointer,
        `${event.fn.logicalId} event ${event.name}: its ${key} cannot be resolved: ${v.reason}`,
      );
    else if (typeof v !== 'string' || v === '')
      ctx.problems.error(
        pointerTo(at, key),
        `${event.fn.logicalId} event ${event.name}: ${key} must be a string, not ${describe(v)}`,
      );
  }
  if (typeof route !== 'string' || typeof method !== 'string' || route === '' || method === '') return;
  const key = operationKey(method);
  const existing = doc.paths[route]?.[key];
  if (isObject(existing) && existing['x-amazon-apigateway-integration'] !== undefined) {
    ctx.problems.error(event.pointer, `Lambda integration already exists on Path=${route}, Method=${key}`);
    return;
  }
  const arn = ctx.facts.getAtt(event.fn.logicalId, 'Arn', event.pointer);
  const operation = doc.operation(route, method, event.fn.logicalId);
  operation['x-amazon-apigateway-integration'] = {
    type: 'aws_proxy',
    httpMethod: 'POST',
    uri:
      typeof arn === 'string' ? lambdaInvocationUri(ctx.placement.partition, ctx.placement.region, arn) : arn,
  };
  operation.responses ??= {};
  const auth = resolve('Auth');
  if (isObject(auth)) eventAuth.set(`${route} ${key}`, auth);
  const parameters = resolve('RequestParameters');
  if (Array.isArray(parameters))
    addRequestParameters(ctx, operation, parameters, pointerTo(at, 'RequestParameters'));
  const model = resolve('RequestModel');
  if (isObject(model)) addRequestModel(doc, operation, model);
}

function addRequestParameters(
  ctx: BuildContext,
  operation: JsonObject,
  list: unknown[],
  pointer: string,
): void {
  const parameters = (operation.parameters ??= []) as unknown[];
  const integration = operation['x-amazon-apigateway-integration'] as JsonObject;
  list.forEach((entry, i) => {
    const [name, settings] =
      typeof entry === 'string' ? [entry, {}] : isObject(entry) ? (Object.entries(entry)[0] ?? []) : [];
    const options = isObject(settings) ? settings : {};
    const parameter = typeof name === 'string' ? parameterOf(name, options.Required === true) : undefined;
    if (!parameter) {
      ctx.problems.error(
        pointerTo(pointer, i),
        `a request parameter is method.request.{header|querystring|path}.NAME, not ${describe(name ?? entry)}`,
      );
      return;
    }
    parameters.push(parameter);
    if (options.Caching === true) ((integration.cacheKeyParameters ??= []) as unknown[]).push(name);
  });
}

function addRequestModel(doc: SwaggerDocument, operation: JsonObject, model: JsonObject): void {
  if (typeof model.Model !== 'string') return;
  const name = model.Model.toLowerCase();
  const parameter: JsonObject = { in: 'body', name, schema: { $ref: doc.schemaRef(name) } };
  if (typeof model.Required === 'boolean') parameter.required = model.Required;
  if (doc.openapi3) {
    operation.requestBody = { content: { 'application/json': { schema: { $ref: doc.schemaRef(name) } } } };
  } else ((operation.parameters ??= []) as unknown[]).push(parameter);
  if (model.ValidateBody === undefined && model.ValidateParameters === undefined) return;
  const body = model.ValidateBody === true;
  const params = model.ValidateParameters === true;
  const validator =
    body && params ? 'body-and-params' : body ? 'body-only' : params ? 'params-only' : 'no-validation';
  doc.extension('request-validators')[validator] = {
    validateRequestBody: body,
    validateRequestParameters: params,
  };
  operation['x-amazon-apigateway-request-validator'] = validator;
}

/** An OPTIONS method answering the CORS preflight on every path that has none (a mock, as SAM makes it). */
function addCors(
  ctx: BuildContext,
  doc: SwaggerDocument,
  cors: unknown,
  pointer: string,
  origin: string,
): void {
  const settings = typeof cors === 'string' ? { AllowOrigin: cors } : isObject(cors) ? cors : undefined;
  if (!settings || typeof settings.AllowOrigin !== 'string') {
    ctx.problems.error(pointer, `Cors must be an origin string ("'*'") or an object with AllowOrigin`);
    return;
  }
  for (const [route, item] of Object.entries(doc.paths)) {
    if (!isObject(item) || item.options !== undefined) continue;
    const methods = Object.keys(item).filter(
      (k) => (k !== 'parameters' && !k.startsWith('x-')) || k === 'x-amazon-apigateway-any-method',
    );
    const allowMethods =
      typeof settings.AllowMethods === 'string'
        ? settings.AllowMethods
        : `'${methods.includes('x-amazon-apigateway-any-method') ? ALL_METHODS : [...new Set([...methods, 'options'].map((m) => m.toUpperCase()))].sort().join(',')}'`;
    const parameters: JsonObject = {
      'method.response.header.Access-Control-Allow-Origin': settings.AllowOrigin,
    };
    const headers: JsonObject = { 'Access-Control-Allow-Origin': { type: 'string' } };
    if (typeof settings.AllowHeaders === 'string' && settings.AllowHeaders !== '') {
      parameters['method.response.header.Access-Control-Allow-Headers'] = settings.AllowHeaders;
      headers['Access-Control-Allow-Headers'] = { type: 'string' };
    }
    parameters['method.response.header.Access-Control-Allow-Methods'] = allowMethods;
    headers['Access-Control-Allow-Methods'] = { type: 'string' };
    if (settings.MaxAge !== undefined) {
      parameters['method.response.header.Access-Control-Max-Age'] = String(settings.MaxAge);
      headers['Access-Control-Max-Age'] = { type: 'integer' };
    }
    if (settings.AllowCredentials === true) {
      parameters['method.response.header.Access-Control-Allow-Credentials'] = "'true'";
      headers['Access-Control-Allow-Credentials'] = { type: 'string' };
    }
    const operation = doc.operation(route, 'options', origin);
    Object.assign(operation, {
      summary: 'CORS support',
      consumes: ['application/json'],
      produces: ['application/json'],
      'x-amazon-apigateway-integration': {
        type: 'mock',
        requestTemplates: { 'application/json': '{\n  "statusCode" : 200\n}\n' },
        responses: {
          default: {
            statusCode: '200',
            responseParameters: parameters,
            responseTemplates: { 'application/json': '{}\n' },
          },
        },
      },
      responses: { '200': { description: 'Default response for CORS method', headers } },
    });
  }
}

/**
 * SAM's Auth: the authorizers as security schemes (Cognito user pools, Lambda TOKEN / REQUEST),
 * the DefaultAuthorizer and ApiKeyRequired on every method (an event's own Auth wins), and the
 * CORS preflight included unless AddDefaultAuthorizerToCorsPreflight is false.
 */
function addAuth(
  ctx: BuildContext,
  doc: SwaggerDocument,
  auth: JsonObject,
  pointer: string,
  eventAuth: Map<string, JsonObject>,
  logicalId: string,
): void {
  const authorizers = isObject(auth.Authorizers) ? auth.Authorizers : {};
  const schemes = doc.securitySchemes();
  for (const [name, written] of Object.entries(authorizers)) {
    const scheme = isObject(written)
      ? authorizerScheme(ctx, written, pointerTo(pointer, 'Authorizers', name))
      : undefined;
    if (scheme) schemes[name] = scheme;
  }
  if (auth.ResourcePolicy !== undefined) ctx.notes.push(`${logicalId}: Auth.ResourcePolicy is not enforced`);
  const defaults = {
    authorizer: typeof auth.DefaultAuthorizer === 'string' ? auth.DefaultAuthorizer : undefined,
    apiKeyRequired: auth.ApiKeyRequired === true,
    preflightAuthorizer: auth.AddDefaultAuthorizerToCorsPreflight !== false,
    preflightApiKey: auth.AddApiKeyRequiredToCorsPreflight !== false,
  };
  if (
    defaults.authorizer &&
    defaults.authorizer !== 'AWS_IAM' &&
    !Object.hasOwn(schemes, defaults.authorizer)
  ) {
    ctx.problems.error(
      pointerTo(pointer, 'DefaultAuthorizer'),
      `DefaultAuthorizer '${defaults.authorizer}' is not one of Auth.Authorizers`,
    );
    return;
  }
  for (const [route, key, operation] of doc.operations()) {
    const own = eventAuth.get(`${route} ${key}`);
    const preflight = key === 'options' && operation.summary === 'CORS support' && !own;
    if (!own && operation.security !== undefined) continue;
    applyMethodAuth(
      ctx,
      doc,
      `${route} ${key}`,
      own ?? {},
      {
        authorizer: preflight && !defaults.preflightAuthorizer ? undefined : defaults.authorizer,
        apiKeyRequired: preflight && !defaults.preflightApiKey ? false : defaults.apiKeyRequired,
      },
      schemes,
    );
  }
}

/** Sets one method's `security` from its event's Auth over the API's defaults. */
function applyMethodAuth(
  ctx: BuildContext,
  doc: SwaggerDocument,
  routeKey: string,
  own: JsonObject,
  defaults: { authorizer?: string; apiKeyRequired?: boolean },
  schemes: JsonObject | undefined,
): void {
  const space = routeKey.lastIndexOf(' ');
  const operation = doc.paths[routeKey.slice(0, space)]?.[routeKey.slice(space + 1)];
  if (!isObject(operation)) return;
  const authorizer = typeof own.Authorizer === 'string' ? own.Authorizer : defaults.authorizer;
  const apiKey =
    typeof own.ApiKeyRequired === 'boolean' ? own.ApiKeyRequired : defaults.apiKeyRequired === true;
  const security: JsonObject[] = [];
  if (authorizer === 'AWS_IAM') {
    security.push(doc.iamSecurity('AWS_IAM'));
  } else if (authorizer !== undefined && authorizer !== 'NONE') {
    if (!schemes || !Object.hasOwn(schemes, authorizer)) {
      ctx.problems.error(
        '',
        `${routeKey}: Auth.Authorizer '${authorizer}' is not one of the API's Auth.Authorizers`,
      );
    } else {
      const scopes = Array.isArray(own.AuthorizationScopes) ? own.AuthorizationScopes : [];
      security.push({ [authorizer]: scopes });
    }
  }
  if (apiKey) security.push(doc.apiKeySecurity());
  if (security.length) operation.security = security;
  else if (authorizer === 'NONE') operation.security = [];
}

/** The security scheme of one SAM authorizer. */
function authorizerScheme(ctx: BuildContext, written: JsonObject, pointer: string): JsonObject | undefined {
  const identity = isObject(written.Identity) ? written.Identity : {};
  const header = typeof identity.Header === 'string' ? identity.Header : 'Authorization';
  if (written.UserPoolArn !== undefined) {
    const arns = Array.isArray(written.UserPoolArn) ? written.UserPoolArn : [written.UserPoolArn];
    const authorizer: JsonObject = { type: 'cognito_user_pools', providerARNs: arns };
    if (typeof identity.ValidationExpression === 'string')
      authorizer.identityValidationExpression = identity.ValidationExpression;
    return {
      type: 'apiKey',
      name: header,
      in: 'header',
      'x-amazon-apigateway-authtype': 'cognito_user_pools',
      'x-amazon-apigateway-authorizer': authorizer,
    };
  }
  if (written.FunctionArn === undefined) {
    ctx.problems.error(pointer, 'an authorizer needs UserPoolArn (Cognito) or FunctionArn (Lambda)');
    return undefined;
  }
  const arn = written.FunctionArn;
  const request = written.FunctionPayloadType === 'REQUEST';
  const authorizer: JsonObject = {
    type: request ? 'request' : 'token',
    authorizerUri:
      typeof arn === 'string' ? lambdaInvocationUri(ctx.placement.partition, ctx.placement.region, arn) : arn,
  };
  if (identity.ReauthorizeEvery !== undefined)
    authorizer.authorizerResultTtlInSeconds = identity.ReauthorizeEvery;
  if (written.FunctionInvokeRole !== undefined) authorizer.authorizerCredentials = written.FunctionInvokeRole;
  if (request) {
    const sources = [
      ...(Array.isArray(identity.Headers)
        ? identity.Headers.map((h) => `method.request.header.${String(h)}`)
        : []),
      ...(Array.isArray(identity.QueryStrings)
        ? identity.QueryStrings.map((q) => `method.request.querystring.${String(q)}`)
        : []),
      ...(Array.isArray(identity.StageVariables)
        ? identity.StageVariables.map((s) => `stageVariables.${String(s)}`)
        : []),
      ...(Array.isArray(identity.Context) ? identity.Context.map((c) => `context.${String(c)}`) : []),
    ];
    if (sources.length) authorizer.identitySource = sources.join(', ');
  } else if (typeof identity.ValidationExpression === 'string') {
    authorizer.identityValidationExpression = identity.ValidationExpression;
  }
  return {
    type: 'apiKey',
    name: request ? 'Unused' : header,
    in: 'header',
    'x-amazon-apigateway-authtype': 'custom',
    'x-amazon-apigateway-authorizer': authorizer,
  };
}

/** SAM's GatewayResponses → x-amazon-apigateway-gateway-responses (headers prefixed `gatewayresponse.header.`). */
function addGatewayResponses(doc: SwaggerDocument, responses: JsonObject): void {
  const out = doc.extension('gateway-responses');
  for (const [type, written] of Object.entries(responses)) {
    if (!isObject(written)) continue;
    const response: JsonObject = {};
    const parameters = isObject(written.ResponseParameters) ? written.ResponseParameters : {};
    const mapped: JsonObject = {};
    for (const [group, prefix] of [
      ['Headers', 'header.'],
      ['Paths', 'path.'],
      ['QueryStrings', 'querystring.'],
    ]) {
      const entries = isObject(parameters[group]) ? parameters[group] : {};
      for (const [name, v] of Object.entries(entries)) mapped[`gatewayresponse.${prefix}${name}`] = v;
    }
    response.responseParameters = mapped;
    response.responseTemplates = isObject(written.ResponseTemplates) ? written.ResponseTemplates : {};
    if (written.StatusCode !== undefined) response.statusCode = String(written.StatusCode);
    out[type] = response;
  }
}

/** A stage with its variables (strings; anything else is reported and left out). */
export function stageOf(
  ctx: BuildContext,
  name: string,
  variables: unknown,
  variablesPointer: string,
  pointer: string,
): BuiltStage {
  const out: Record<string, string> = {};
  if (isObject(variables)) {
    for (const [key, v] of Object.entries(variables)) {
      if (v instanceof Unresolved)
        ctx.problems.warning(v.pointer, `stage variable ${key} is not set: ${v.reason}`);
      else if (['string', 'number', 'boolean'].includes(typeof v)) out[key] = String(v);
      else
        ctx.problems.warning(
          pointerTo(variablesPointer, key),
          `stage variable ${key} must be a string; not set`,
        );
    }
  }
  return { name, variables: out, pointer };
}

/** Stage settings the template sets that apigw does not apply, said once at start-up. */
function reportStageSettings(ctx: BuildContext, logicalId: string, value: (key: string) => unknown): void {
  if (value('Domain') !== undefined)
    ctx.notes.push(`${logicalId}: its custom Domain is not served (use the stage URL)`);
}
