import type { ImportContext } from './context';
import { readValidatorName } from './extensions';
import { contentSchemas, schemaPerMediaType } from './media';
import { readIntegration } from './integration';
import type { HttpMethod, Method, RequestValidator } from './model';
import { suggestModelName } from './schema-models';
import type { PathVariable } from './paths';
import { pointerTo } from './problems';
import type { Located } from './refs';
import { methodSecurity, SecuritySchemes } from './security';
import { readMethodResponses } from './responses';
import { describe, isObject, JsonObject } from './values';

/** What an operation inherits from its path item and the document root. */
export interface OperationScope {
  resourcePath: string;
  variables: PathVariable[];
  /** The path item's own `parameters`, already resolved. */
  pathParameters: Located[];
  schemes: SecuritySchemes;
  validators: Record<string, RequestValidator>;
  defaultValidator: string | undefined;
}

const IN_TO_LOCATION: Record<string, string> = { path: 'path', query: 'querystring', header: 'header' };

/** Reads one operation into an API Gateway method; undefined (with errors reported) when it has no usable integration. */
export function readMethod(
  ctx: ImportContext,
  httpMethod: HttpMethod,
  operation: JsonObject,
  pointer: string,
  scope: OperationScope,
): Method | undefined {
  const label = `${httpMethod} ${scope.resourcePath}`;
  const parameters = mergeParameters(ctx, scope.pathParameters, operation, pointer);
  const { requestParameters, requestModels } = readParameters(
    ctx,
    httpMethod,
    operation,
    pointer,
    scope,
    parameters,
  );
  const methodResponses = readMethodResponses(ctx, operation, pointer, httpMethod, scope.resourcePath);
  const security = methodSecurity(ctx, operation, pointer, scope.schemes);
  const requestValidator =
    readValidatorName(ctx, operation, pointer, scope.validators) ?? scope.defaultValidator;

  const key = 'x-amazon-apigateway-integration';
  if (operation[key] === undefined) {
    ctx.problems.error(pointer, `${label} has no ${key}: API Gateway needs one on every method`);
    return undefined;
  }
  const integration = readIntegration(ctx, operation[key], pointerTo(pointer, key), {
    label,
    requestParameters,
    methodResponses,
  });
  if (!integration) return undefined;
  return {
    httpMethod,
    resourcePath: scope.resourcePath,
    pointer,
    operationName: ctx.read.string(operation, 'operationId', pointer),
    ...security,
    requestParameters,
    requestModels,
    requestValidator,
    methodResponses,
    integration,
  };
}

/** Path-item parameters overlaid by the operation's own, keyed by location and name as OpenAPI says. */
function mergeParameters(
  ctx: ImportContext,
  pathParameters: Located[],
  operation: JsonObject,
  pointer: string,
): Located[] {
  const own = resolveParameters(ctx, operation, pointer);
  const key = (p: Located) => (isObject(p.value) ? `${String(p.value.in)}\0${String(p.value.name)}` : '');
  const overridden = new Set(own.map(key));
  return [...pathParameters.filter((p) => !overridden.has(key(p))), ...own];
}

/** The `parameters` of a path item or operation, each followed through its `$ref`. */
export function resolveParameters(ctx: ImportContext, holder: JsonObject, pointer: string): Located[] {
  const list = ctx.read.array(holder, 'parameters', pointer) ?? [];
  const out: Located[] = [];
  list.forEach((written, i) => {
    const located = ctx.refs.resolve(written, pointerTo(pointer, 'parameters', i));
    if (!located) return;
    const p = located.value;
    if (!isObject(p) || typeof p.name !== 'string' || typeof p.in !== 'string') {
      ctx.problems.error(
        located.pointer,
        isObject(p)
          ? `a parameter needs a string 'name' and 'in'`
          : `a parameter must be an object, not ${describe(p)}`,
      );
      return;
    }
    out.push(located);
  });
  return out;
}

function readParameters(
  ctx: ImportContext,
  httpMethod: HttpMethod,
  operation: JsonObject,
  pointer: string,
  scope: OperationScope,
  parameters: Located[],
): { requestParameters: Record<string, boolean>; requestModels: Record<string, string> } {
  const requestParameters: Record<string, boolean> = {};
  const requestModels: Record<string, string> = {};
  const suggestion = suggestModelName(httpMethod, scope.resourcePath, 'Request');

  for (const { value, pointer: at } of parameters) {
    const p = value as JsonObject & { name: string; in: string };
    const location = IN_TO_LOCATION[p.in];
    if (p.in === 'path' && !scope.variables.some((v) => v.name === p.name)) {
      ctx.problems.warning(
        at,
        `path parameter '${p.name}' is not in the resource path '${scope.resourcePath}'`,
      );
    }
    if (location) {
      // Path parameters are always required: a route only matches when they are there.
      requestParameters[`method.request.${location}.${p.name}`] = p.in === 'path' || p.required === true;
    } else if (p.in === 'body' && ctx.format === 'swagger') {
      const schemas = schemaPerMediaType(ctx, operation, 'consumes', p.schema, pointerTo(at, 'schema'));
      Object.assign(requestModels, ctx.models.namesFor(schemas, suggestion));
    } else if (p.in === 'formData') {
      ctx.problems.warning(
        at,
        `formData parameter '${p.name}' is not imported: API Gateway has no form parameters`,
      );
    } else if (p.in !== 'cookie') {
      ctx.problems.error(
        pointerTo(at, 'in'),
        `unknown parameter location '${p.in}' (expected path, query or header)`,
      );
    }
  }
  for (const variable of scope.variables) {
    requestParameters[`method.request.path.${variable.name}`] = true;
  }
  if (ctx.format === 'openapi' && operation.requestBody !== undefined) {
    const at = pointerTo(pointer, 'requestBody');
    const body = ctx.refs.resolveObject(operation.requestBody, at, 'requestBody');
    const schemas = body ? contentSchemas(ctx, body.value, body.pointer) : [];
    Object.assign(requestModels, ctx.models.namesFor(schemas, suggestion));
  }
  return { requestParameters, requestModels };
}
