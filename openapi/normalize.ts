import path from 'node:path';
import type { ImportContext } from './context';
import { readRootExtensions } from './extensions';
import type { ApiDefinition, HttpMethod, Resource } from './model';
import { Models } from './schema-models';
import { OperationScope, readMethod, resolveParameters } from './operation';
import { checkResourcePath } from './paths';
import { Problems, pointerTo } from './problems';
import { Refs } from './refs';
import { readResourcePolicy } from './policy';
import { readSecuritySchemes } from './security';
import { describe, FieldReader, isObject, JsonObject } from './values';

export type DocumentFormat = 'swagger' | 'openapi';

const OPERATIONS: ReadonlyArray<[string, HttpMethod]> = [
  ['get', 'GET'],
  ['put', 'PUT'],
  ['post', 'POST'],
  ['delete', 'DELETE'],
  ['patch', 'PATCH'],
  ['head', 'HEAD'],
  ['options', 'OPTIONS'],
  ['x-amazon-apigateway-any-method', 'ANY'],
];
const PATH_ITEM_FIELDS = new Set(['$ref', 'parameters', 'summary', 'description', 'servers']);

/** Turns a parsed OpenAPI 2.0 / 3.x document into API Gateway's model, reporting every problem found. */
export function normalizeDocument(
  document: JsonObject,
  format: DocumentFormat,
  formatVersion: string,
  source: string,
  problems: Problems,
): ApiDefinition {
  const refs = new Refs(document, problems);
  const ctx: ImportContext = {
    format,
    document,
    problems,
    refs,
    read: new FieldReader(problems),
    models: new Models(format, refs, problems),
  };
  readDeclaredModels(ctx);
  const root = readRootExtensions(ctx);
  const schemes = readSecuritySchemes(ctx);
  const resources = readResources(ctx, (resourcePath, variables, pathParameters) => ({
    resourcePath,
    variables,
    pathParameters,
    schemes,
    validators: root.requestValidators,
    defaultValidator: root.defaultRequestValidator,
  }));
  const policy = readResourcePolicy(ctx);
  const info = isObject(document.info) ? document.info : {};
  return {
    source: path.resolve(source),
    title: ctx.read.string(info, 'title', '/info') ?? path.basename(source),
    format,
    formatVersion,
    basePath: format === 'swagger' ? swaggerBasePath(ctx) : serversBasePath(ctx),
    resources,
    ...root,
    models: ctx.models.byName,
    authorizers: schemes.authorizers,
    ...(policy ? { policy } : {}),
  };
}

function readDeclaredModels(ctx: ImportContext): void {
  if (ctx.format === 'swagger') {
    ctx.models.addDeclared(ctx.read.object(ctx.document, 'definitions', '') ?? {}, '/definitions');
    return;
  }
  const components = ctx.read.object(ctx.document, 'components', '') ?? {};
  ctx.models.addDeclared(ctx.read.object(components, 'schemas', '/components') ?? {}, '/components/schemas');
}

function readResources(
  ctx: ImportContext,
  scopeFor: (
    resourcePath: string,
    variables: OperationScope['variables'],
    pathParameters: OperationScope['pathParameters'],
  ) => OperationScope,
): Resource[] {
  const paths = ctx.read.object(ctx.document, 'paths', '');
  if (!paths) {
    if (ctx.document.paths === undefined)
      ctx.problems.warning('', 'the document declares no paths: every request gets 403');
    return [];
  }
  const resources: Resource[] = [];
  const variableChildren = new Map<string, { segment: string; path: string }>();
  for (const [resourcePath, written] of Object.entries(paths)) {
    if (resourcePath.startsWith('x-')) continue;
    const pointer = pointerTo('/paths', resourcePath);
    const { errors, variables } = checkResourcePath(resourcePath);
    errors.forEach((message) => ctx.problems.error(pointer, message));
    if (!errors.length) checkVariableSiblings(ctx, resourcePath, pointer, variableChildren);

    const item = ctx.refs.resolveObject(written, pointer, `path item '${resourcePath}'`);
    if (!item) continue;
    const scope = scopeFor(resourcePath, variables, resolveParameters(ctx, item.value, item.pointer));
    const resource: Resource = { path: resourcePath, pointer, methods: {} };
    for (const [key, operation] of Object.entries(item.value)) {
      const at = pointerTo(item.pointer, key);
      const httpMethod = OPERATIONS.find(([k]) => k === key)?.[1];
      if (!httpMethod) {
        if (key === 'trace') ctx.problems.warning(at, 'API Gateway has no TRACE methods; ignored');
        else if (!PATH_ITEM_FIELDS.has(key) && !key.startsWith('x-')) {
          ctx.problems.warning(at, `'${key}' is not an HTTP method or path item field; ignored`);
        }
        continue;
      }
      if (!isObject(operation)) {
        ctx.problems.error(at, `operation ${key} must be an object, not ${describe(operation)}`);
        continue;
      }
      const method = readMethod(ctx, httpMethod, operation, at, scope);
      if (method) resource.methods[httpMethod] = method;
    }
    if (Object.keys(resource.methods).length) resources.push(resource);
  }
  return resources;
}

/** API Gateway lets a resource have one variable child only: `/a/{id}` and `/a/{name}` cannot both exist. */
function checkVariableSiblings(
  ctx: ImportContext,
  resourcePath: string,
  pointer: string,
  seen: Map<string, { segment: string; path: string }>,
): void {
  const segments = resourcePath.split('/').slice(1);
  segments.forEach((segment, i) => {
    if (!segment.startsWith('{')) return;
    const parent = '/' + segments.slice(0, i).join('/');
    const other = seen.get(parent);
    if (!other) seen.set(parent, { segment, path: resourcePath });
    else if (other.segment !== segment) {
      ctx.problems.error(
        pointer,
        `A sibling (${other.segment}) of this resource already has a variable path part -- only one is allowed: '${resourcePath}' uses ${segment} where '${other.path}' uses ${other.segment}`,
      );
    }
  });
}

function swaggerBasePath(ctx: ImportContext): string | undefined {
  return cleanBasePath(ctx.read.string(ctx.document, 'basePath', ''));
}

// OpenAPI 3
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-import-api-basePath.html):
// the first server's `basePath` variable wins, even if the url does not use it.
function serversBasePath(ctx: ImportContext): string | undefined {
  const servers = ctx.read.array(ctx.document, 'servers', '');
  const server = servers?.[0];
  if (!isObject(server)) return undefined;
  const variables = isObject(server.variables) ? server.variables : {};
  const fromVariable = isObject(variables.basePath) ? variables.basePath.default : undefined;
  if (typeof fromVariable === 'string') return cleanBasePath(fromVariable);
  if (typeof server.url !== 'string') return undefined;
  const url = server.url.replace(/\{([^{}]*)\}/g, (whole, name: string) => {
    const variable = variables[name];
    return isObject(variable) && typeof variable.default === 'string' ? variable.default : whole;
  });
  return cleanBasePath(url.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/]*/, '').replace(/[?#].*$/s, ''));
}

function cleanBasePath(basePath: string | undefined): string | undefined {
  if (basePath === undefined) return undefined;
  const trimmed = basePath.trim().replace(/\/+$/, '');
  if (trimmed === '') return undefined;
  return trimmed.startsWith('/') ? trimmed : '/' + trimmed;
}
