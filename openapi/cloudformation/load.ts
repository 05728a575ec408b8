import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadApiDocument } from '../load';
import type { ApiDefinition } from '../model';
import { pointerTo, pointerTokens, Problems, type Problem } from '../problems';
import { isObject, type JsonObject } from '../values';
import type { BuildContext, BuiltApi, BuiltStage, TemplateUsagePlan } from './context';
import { TemplateFacts, type Placement } from './facts';
import { readFunctions, type TemplateFunction } from './functions';
import { Intrinsics, Unresolved } from './intrinsics';
import { buildRestApis, readUsagePlans } from './rest-api';
import { buildSamApis, IMPLICIT_API } from './sam';
import { mayBeTemplate } from './sniff';
import { registerSamStages, reportKeysWithoutPlan, samUsagePlans } from './usage-plans';
import { httpMethodOf } from './swagger';
import {
  findCycle,
  isTemplateDocument,
  readTemplate,
  referencedResources,
  stableId,
  type Template,
  type TemplateResource,
} from './template';
import { parseTemplateYaml } from './yaml';

export interface TemplateLoadOptions {
  /** `--parameter-overrides`: parameter (or pseudo parameter) values by name. */
  parameterOverrides?: Record<string, string>;
  /** AWS::Region (default us-east-1). */
  region?: string;
}

/** One REST API of the template, imported, with the stages it is deployed to. */
export interface TemplateApi {
  logicalId: string;
  /** AWS::Serverless::Api (also the implicit ServerlessRestApi) or AWS::ApiGateway::RestApi. */
  type: string;
  api: ApiDefinition;
  stages: BuiltStage[];
}

/** What a template means to apigw. `apis` is empty exactly when `problems` holds an error. */
export interface TemplateLoadResult {
  apis: TemplateApi[];
  /** Every function of the template (whether a route calls it or not). */
  functions: TemplateFunction[];
  usagePlans: TemplateUsagePlan[];
  /** Start-up lines: what the template declares that apigw does not apply. */
  notes: string[];
  problems: Problem[];
  stackName: string;
}

/** Resource types read to build the APIs and functions. */
const READ_TYPES = new Set([
  'AWS::Serverless::Function',
  'AWS::Serverless::Api',
  'AWS::Lambda::Function',
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::Stage',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::Authorizer',
  'AWS::ApiGateway::GatewayResponse',
  'AWS::ApiGateway::Model',
  'AWS::ApiGateway::RequestValidator',
  'AWS::ApiGateway::ApiKey',
  'AWS::ApiGateway::UsagePlan',
  'AWS::ApiGateway::UsagePlanKey',
]);
/** Resource types that change nothing about how a route runs locally: skipped without a word. */
const NOT_NEEDED_LOCALLY = new Set([
  'AWS::Lambda::Permission',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::CDK::Metadata',
  'AWS::ApiGateway::Account',
  'AWS::Lambda::Version',
  'AWS::Lambda::Alias',
  'AWS::Logs::LogGroup',
  'AWS::Cognito::UserPool',
  'AWS::Cognito::UserPoolClient',
]);

/**
 * Reads `file` as a SAM / CloudFormation template (YAML with the short forms, or JSON, as `cdk
 * synth` writes it). Undefined when the file is not a template (the caller imports it as OpenAPI).
 */
export function loadTemplate(
  file: string,
  options: TemplateLoadOptions = {},
): TemplateLoadResult | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const source = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  if (!mayBeTemplate(source)) return undefined;
  let document: unknown;
  try {
    document = parseTemplateYaml(source);
  } catch (e) {
    // An OpenAPI document that merely mentions the words: the importer gives its own messages.
    if (!/^\s*(AWSTemplateFormatVersion|Transform)\s*:/m.test(source)) return undefined;
    const problems = new Problems(path.resolve(file));
    problems.error('', `invalid template: ${(e as Error).message.split('\n')[0]}`);
    return emptyResult(problems, '');
  }
  if (!isTemplateDocument(document)) return undefined;
  return loadTemplateDocument(document, file, options);
}

function emptyResult(problems: Problems, stackName: string): TemplateLoadResult {
  return { apis: [], functions: [], usagePlans: [], notes: [], problems: problems.list, stackName };
}

/** The stack name a local run uses: `Stack` for cdk.out's Stack.template.json, else the template's folder. */
export function stackNameOf(file: string): string {
  const base = path.basename(file);
  const cdk = /^(.+)\.template\.json$/.exec(base);
  const name = cdk ? cdk[1] : path.basename(path.dirname(path.resolve(file)));
  return name.replace(/[^A-Za-z0-9-]/g, '-').replace(/^[^A-Za-z]+/, '') || 'local';
}

function partitionOf(region: string): Placement['partition'] {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Reads an already parsed template (tests build one as an object). */
export function loadTemplateDocument(
  document: JsonObject,
  file: string,
  options: TemplateLoadOptions = {},
): TemplateLoadResult {
  const source = path.resolve(file);
  const problems = new Problems(source);
  const overrides = options.parameterOverrides ?? {};
  const region = overrides['AWS::Region'] ?? options.region ?? 'us-east-1';
  const stackName = overrides['AWS::StackName'] ?? stackNameOf(file);
  const placement: Placement = {
    region,
    accountId: overrides['AWS::AccountId'] ?? '123456789012',
    partition: overrides['AWS::Partition'] ?? partitionOf(region),
    seed: source,
  };
  const template = readTemplate(document);
  for (const [id, written] of Object.entries(isObject(document.Resources) ? document.Resources : {})) {
    if (!isObject(written) || typeof written.Type !== 'string')
      problems.error(
        pointerTo('/Resources', id),
        `resource ${id} needs a Type (e.g. AWS::Serverless::Function)`,
      );
  }
  if (!isObject(document.Resources))
    problems.error(
      '/Resources',
      'a template needs a Resources section (a mapping of logical ids to resources)',
    );
  if (problems.hasErrors) return emptyResult(problems, stackName);

  const cycle = findCycle(dependencies(template));
  if (cycle) {
    problems.error('/Resources', `Circular dependency between resources: [${cycle.join(', ')}]`);
    return emptyResult(problems, stackName);
  }

  const facts = new TemplateFacts(template, placement);
  const intrinsics = new Intrinsics(
    {
      Parameters: isObject(document.Parameters) ? document.Parameters : undefined,
      Conditions: isObject(document.Conditions) ? document.Conditions : undefined,
      Mappings: isObject(document.Mappings) ? document.Mappings : undefined,
    },
    facts,
    {
      overrides,
      pseudo: {
        'AWS::Region': region,
        'AWS::AccountId': placement.accountId,
        'AWS::Partition': placement.partition,
        'AWS::StackName': stackName,
        'AWS::StackId': `arn:${placement.partition}:cloudformation:${region}:${placement.accountId}:stack/${stackName}/${stableId(source, 8)}-0000-0000-0000-000000000000`,
        'AWS::URLSuffix': placement.partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com',
        'AWS::NotificationARNs': [],
      },
      onProblem: (pointer, message) => problems.error(pointer, message),
      include: (location) => includeFile(path.dirname(source), location),
    },
  );
  facts.intrinsics = intrinsics;
  const reported = new Set<string>();
  const warn = (pointer: string, message: string) => {
    reported.add(pointer);
    problems.warning(pointer, message);
  };

  const resources = [...template.resources.values()].filter((resource) => {
    if (resource.condition === undefined) return true;
    const holds = intrinsics.condition(resource.condition, `/Resources/${resource.logicalId}/Condition`);
    return holds === true || holds instanceof Unresolved;
  });
  const notes: string[] = [];
  const ctx: BuildContext = {
    template,
    resources,
    intrinsics,
    facts,
    placement,
    baseDir: path.dirname(source),
    stackName,
    problems,
    notes,
  };
  const functions = [...readFunctions(template, resources, intrinsics, facts, ctx.baseDir, warn).values()];
  const built = [...buildSamApis(ctx), ...buildRestApis(ctx)];
  registerSamStages(ctx, built);
  const usagePlans = [...readUsagePlans(ctx), ...samUsagePlans(ctx, built)];
  reportKeysWithoutPlan(ctx, usagePlans);
  reportUnusedTypes(ctx, template);
  if (built.length === 0 && !problems.hasErrors) {
    problems.error(
      '/Resources',
      'the template declares no REST API: no AWS::Serverless::Function with an Api event, no AWS::Serverless::Api, no AWS::ApiGateway::RestApi',
    );
  }

  const needed = new Set<string>();
  for (const api of built) settle(api, ctx, needed, reported);
  for (const fn of functions) {
    if (!fn.problem) continue;
    const message = `${fn.logicalId}: ${fn.problem.message}`;
    if (fn.problem.fatal && needed.has(fn.name)) problems.error(fn.pointer, `${message}; a route needs it`);
    else if (needed.has(fn.name))
      warn(fn.pointer, `${message}: its routes answer as a failing function (502)`);
    else warn(fn.pointer, message);
  }
  for (const missing of intrinsics.unresolved) {
    if (reported.has(missing.pointer) || problems.list.some((p) => p.pointer === missing.pointer)) continue;
    reported.add(missing.pointer);
    problems.warning(missing.pointer, `left unresolved (no route needs it): ${missing.reason}`);
  }
  if (problems.hasErrors) return { ...emptyResult(problems, stackName), functions, notes };

  const apis: TemplateApi[] = [];
  for (const api of built) {
    const imported = importBuilt(api, ctx, source);
    if (imported) apis.push({ logicalId: api.logicalId, type: api.type, api: imported, stages: api.stages });
  }
  return {
    apis: problems.hasErrors ? [] : apis,
    functions,
    usagePlans,
    notes,
    problems: problems.list,
    stackName,
  };
}

/** The file an AWS::Include transform names, when it is on this machine. */
function includeFile(baseDir: string, location: string): { document: unknown } | { problem: string } {
  if (/^s3:\/\//.test(location) || /^https?:\/\//.test(location))
    return { problem: 'the file is in S3, not on this machine: give a local path' };
  const file = path.resolve(baseDir, location);
  try {
    return { document: parseTemplateYaml(readFileSync(file, 'utf8')) };
  } catch (e) {
    return { problem: `${file}: ${(e as Error).message.split('\n')[0]}` };
  }
}

/** The deployment order CloudFormation computes: who refers to whom (SAM's Events make their API refer to the function). */
function dependencies(template: Template): Map<string, Set<string>> {
  const names = new Map<string, unknown>(template.resources);
  const implicit = [...template.resources.values()].some((r) => hasApiEvent(r, undefined));
  if (implicit) names.set(IMPLICIT_API, true);
  const edges = new Map<string, Set<string>>();
  for (const resource of template.resources.values()) {
    const { Events: _events, ...rest } = resource.properties;
    const props = resource.type === 'AWS::Serverless::Function' ? rest : resource.properties;
    const refs = referencedResources(props, names);
    for (const d of resource.dependsOn) if (names.has(d)) refs.add(d);
    edges.set(resource.logicalId, refs);
  }
  for (const resource of template.resources.values()) {
    if (resource.type !== 'AWS::Serverless::Function') continue;
    for (const api of names.keys()) {
      if (hasApiEvent(resource, api === IMPLICIT_API ? undefined : api)) {
        const set = edges.get(api) ?? new Set<string>();
        set.add(resource.logicalId);
        edges.set(api, set);
      }
    }
  }
  return edges;
}

/** Whether a SAM function has an Api event on `api` (undefined: the implicit API). */
function hasApiEvent(resource: TemplateResource, api: string | undefined): boolean {
  if (resource.type !== 'AWS::Serverless::Function' || !isObject(resource.properties.Events)) return false;
  return Object.values(resource.properties.Events).some((event) => {
    if (!isObject(event) || event.Type !== 'Api') return false;
    const props = isObject(event.Properties) ? event.Properties : {};
    const target = isObject(props.RestApiId) ? props.RestApiId.Ref : props.RestApiId;
    return api === undefined ? target === undefined : target === api;
  });
}

/**
 * Replaces what could not be resolved in a built document: in an integration or an authorizer
 * (the route needs it) it is an error; anywhere else it is left out with a warning. Records the
 * functions the routes invoke in `needed`.
 */
function settle(api: BuiltApi, ctx: BuildContext, needed: Set<string>, reported: Set<string>): void {
  const walk = (value: unknown, trail: string[]): unknown => {
    if (value instanceof Unresolved) {
      const critical = trail.some(
        (k) => k === 'x-amazon-apigateway-integration' || k === 'x-amazon-apigateway-authorizer',
      );
      reported.add(value.pointer);
      if (critical || (trail[0] === 'paths' && trail.length <= 3)) {
        const route =
          trail[0] === 'paths'
            ? `${httpMethodOf(trail[2] ?? '')} ${trail[1]}`.trim()
            : `authorizer ${trail[trail.length - 3] ?? ''}`;
        ctx.problems.error(
          value.pointer,
          `${api.logicalId} ${route} needs a value that cannot be resolved: ${value.reason}`,
        );
      } else {
        ctx.problems.warning(
          value.pointer,
          `${api.logicalId}: left out (${trail.join('.')}): ${value.reason}`,
        );
      }
      return undefined;
    }
    if (Array.isArray(value))
      return value.map((v, i) => walk(v, [...trail, String(i)])).filter((v) => v !== undefined);
    if (!isObject(value)) return value;
    for (const [key, v] of Object.entries(value)) {
      const settled = walk(v, [...trail, key]);
      if (settled === undefined) delete value[key];
      else value[key] = settled;
      if ((key === 'uri' || key === 'authorizerUri') && typeof settled === 'string') {
        const name = /:function:([A-Za-z0-9_-]+)(:[^/]*)?\/invocations$/.exec(settled)?.[1];
        if (name) needed.add(name);
      }
    }
    return value;
  };
  walk(api.document.doc, []);
}

/** Runs the OpenAPI importer on a built document; its problems point into the template where they can. */
function importBuilt(api: BuiltApi, ctx: BuildContext, source: string): ApiDefinition | undefined {
  const loaded = loadApiDocument(api.document.doc, api.bodyFile ?? source);
  for (const p of loaded.problems) {
    if (api.bodyFile)
      ctx.problems[p.severity](p.pointer, `${api.logicalId} (${api.bodyFile}#${p.pointer}): ${p.message}`);
    else if (api.bodyPointer)
      ctx.problems[p.severity](api.bodyPointer + p.pointer, `${api.logicalId}: ${p.message}`);
    else {
      // A generated document's pointer means nothing to the user: name the resource behind the method.
      const [first, route, key] = pointerTokens(p.pointer);
      const origin =
        first === 'paths' && key ? api.document.origins.get(`${httpMethodOf(key)} ${route}`) : undefined;
      const where = origin ? `${httpMethodOf(key)} ${route} of ${api.logicalId}` : api.logicalId;
      ctx.problems[p.severity](
        `/Resources/${origin ?? api.logicalId}`,
        `${where} (in the OpenAPI document generated for it, at ${p.pointer || '/'}): ${p.message}`,
      );
    }
  }
  const definition = loaded.api;
  if (!definition) return undefined;
  definition.source = source;
  definition.apiId = ctx.facts.apiId(api.logicalId);
  definition.logicalId = api.logicalId;
  for (const resource of definition.resources) {
    for (const method of Object.values(resource.methods)) {
      method!.origin = api.document.origins.get(`${method!.httpMethod} ${resource.path}`) ?? api.logicalId;
    }
  }
  return definition;
}

/** Lists the resources apigw does not emulate (not an error: the APIs run without them). */
function reportUnusedTypes(ctx: BuildContext, template: Template): void {
  const ignored = new Map<string, string[]>();
  for (const resource of template.resources.values()) {
    if (READ_TYPES.has(resource.type) || NOT_NEEDED_LOCALLY.has(resource.type)) continue;
    ignored.set(resource.type, [...(ignored.get(resource.type) ?? []), resource.logicalId]);
  }
  if (ignored.size === 0) return;
  const list = [...ignored].map(([type, ids]) => `${type} (${ids.join(', ')})`).join(', ');
  ctx.problems.warning('/Resources', `not emulated, ignored: ${list}`);
}
