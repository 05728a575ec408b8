import { isObject, type JsonObject } from '../values';

/**
 * A Swagger 2.0 document being built or edited, with the x-amazon-apigateway-* extensions the
 * importer reads: what SAM generates from a template, and what CloudFormation's resource form
 * (RestApi, Resource, Method, …) describes. Also remembers which template resource declared each
 * method, so that a route can say where it came from.
 */
export class SwaggerDocument {
  /** `METHOD path` → logical id of the resource that declared it. */
  readonly origins = new Map<string, string>();

  constructor(readonly doc: JsonObject) {
    if (!isObject(doc.paths)) doc.paths = {};
  }

  /** A new, empty document, as SAM starts one (its title is the stack name). */
  static skeleton(title: string): SwaggerDocument {
    return new SwaggerDocument({ swagger: '2.0', info: { version: '1.0', title }, paths: {} });
  }

  get paths(): Record<string, JsonObject> {
    return this.doc.paths as Record<string, JsonObject>;
  }

  /** True for OpenAPI 3 documents (their schemes live under components). */
  get openapi3(): boolean {
    return this.doc.openapi !== undefined;
  }

  /** The operation object of `method` (get, post, x-amazon-apigateway-any-method, …) on `path`, created if absent. */
  operation(path: string, method: string, origin?: string): JsonObject {
    const item = (this.paths[path] ??= {});
    const key = operationKey(method);
    if (!isObject(item[key])) item[key] = {};
    if (origin) this.origins.set(`${httpMethodOf(key)} ${path}`, origin);
    return item[key] as JsonObject;
  }

  hasOperation(path: string, method: string): boolean {
    const item = this.paths[path];
    return isObject(item) && isObject(item[operationKey(method)]);
  }

  /** Every operation: [path, key, operation]. */
  *operations(): Iterable<[string, string, JsonObject]> {
    for (const [path, item] of Object.entries(this.paths)) {
      if (!isObject(item)) continue;
      for (const [key, operation] of Object.entries(item)) {
        if (OPERATION_KEYS.has(key) && isObject(operation)) yield [path, key, operation];
      }
    }
  }

  /** Root-level extension object, created if absent (x-amazon-apigateway-gateway-responses, …). */
  extension(name: string): JsonObject {
    const key = `x-amazon-apigateway-${name}`;
    if (!isObject(this.doc[key])) this.doc[key] = {};
    return this.doc[key] as JsonObject;
  }

  /** securityDefinitions (2.0) / components.securitySchemes (3.x), created if absent. */
  securitySchemes(): JsonObject {
    return this.reusable('securityDefinitions', 'securitySchemes');
  }

  /** Declares the IAM (SigV4) security scheme under `name`; returns the security requirement naming it. */
  iamSecurity(name: string): JsonObject {
    this.securitySchemes()[name] = {
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      'x-amazon-apigateway-authtype': 'awsSigv4',
    };
    return { [name]: [] };
  }

  /** Declares the API key scheme (header x-api-key) as `api_key`; returns the requirement naming it. */
  apiKeySecurity(): JsonObject {
    this.securitySchemes().api_key = { type: 'apiKey', name: 'x-api-key', in: 'header' };
    return { api_key: [] };
  }

  /** definitions (2.0) / components.schemas (3.x), created if absent. */
  schemas(): JsonObject {
    return this.reusable('definitions', 'schemas');
  }

  /** A map of reusable objects: a root key in 2.0, a key of components in 3.x; created if absent. */
  private reusable(swagger2Key: string, componentsKey: string): JsonObject {
    if (!this.openapi3) return (this.doc[swagger2Key] ??= {}) as JsonObject;
    const components = (this.doc.components ??= {}) as JsonObject;
    return (components[componentsKey] ??= {}) as JsonObject;
  }

  /** Adds a template's BinaryMediaTypes (`~1` written for `/`) to x-amazon-apigateway-binary-media-types. */
  addBinaryMediaTypes(written: unknown): void {
    if (!Array.isArray(written)) return;
    const list = (this.doc['x-amazon-apigateway-binary-media-types'] ??= []) as unknown[];
    for (const type of written) if (typeof type === 'string') list.push(type.replace(/~1/g, '/'));
  }

  /** Where a model lives for a `$ref`. */
  schemaRef(name: string): string {
    return this.openapi3 ? `#/components/schemas/${name}` : `#/definitions/${name}`;
  }
}

const OPERATION_KEYS = new Set([
  'get',
  'put',
  'post',
  'delete',
  'patch',
  'head',
  'options',
  'x-amazon-apigateway-any-method',
]);

/** The path item key of an HTTP method (`ANY` → x-amazon-apigateway-any-method). */
export function operationKey(method: string): string {
  const lower = method.toLowerCase();
  return lower === 'any' || lower === '*' ? 'x-amazon-apigateway-any-method' : lower;
}

/** The HTTP method a path item key stands for (ANY for x-amazon-apigateway-any-method). */
export function httpMethodOf(key: string): string {
  return key === 'x-amazon-apigateway-any-method' ? 'ANY' : key.toUpperCase();
}

/** The integration uri that invokes a Lambda function from API Gateway. */
export function lambdaInvocationUri(partition: string, region: string, functionArn: string): string {
  return `arn:${partition}:apigateway:${region}:lambda:path/2015-03-31/functions/${functionArn}/invocations`;
}

/** The swagger form of a method request parameter name (`method.request.querystring.q` → in query, name q). */
export function parameterOf(expression: string, required: boolean): JsonObject | undefined {
  const m = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(expression);
  if (!m) return undefined;
  const location = m[1] === 'querystring' ? 'query' : m[1];
  return { in: location, name: m[2], required: location === 'path' ? true : required, type: 'string' };
}
