import type { ErrorObject, ValidateFunction } from 'ajv-draft-04';
import { mediaTypeOf } from '../../mappings/templates';
import type { ApiDefinition, Method } from '../../openapi/model';
import { GatewayError } from '../gateway-error';
import type { Invocation } from '../invocation';

const compiled = new WeakMap<ApiDefinition, Map<string, ValidateFunction>>();

/** The model's validator, compiled once per API (JSON Schema draft 4, as API Gateway's models). */
function validatorFor(api: ApiDefinition, modelName: string): ValidateFunction | undefined {
  let cache = compiled.get(api);
  if (!cache) compiled.set(api, (cache = new Map()));
  let validate = cache.get(modelName);
  if (!validate) {
    const model = api.models[modelName];
    if (model === undefined || model === null || typeof model !== 'object') return undefined;
    // Loaded with the first model to validate: most APIs have none, and ajv is a sixth of start-up.
    const Ajv = (require('ajv-draft-04') as typeof import('ajv-draft-04')).default;
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    validate = ajv.compile({ ...(model as object), definitions: api.models });
    cache.set(modelName, validate);
  }
  return validate;
}

/** Ajv errors in the wording of the Java validator API Gateway uses, as `$context.error.validationErrorString`. */
export function validationErrorString(errors: readonly ErrorObject[]): string {
  const messages: string[] = [];
  const missing = new Map<string, string[]>();
  for (const e of errors) {
    if (e.keyword === 'required') {
      const list = missing.get(e.instancePath) ?? [];
      list.push(String((e.params as { missingProperty: string }).missingProperty));
      missing.set(e.instancePath, list);
    } else if (e.keyword === 'type') {
      const allowed = ([] as string[]).concat((e.params as { type: string | string[] }).type);
      messages.push(
        `instance type (${typeofJson(e.data)}) does not match any allowed primitive type (allowed: [${allowed.map((t) => JSON.stringify(t)).join(',')}])`,
      );
    } else {
      messages.push(e.message ?? e.keyword);
    }
  }
  for (const names of missing.values()) {
    messages.unshift(
      `object has missing required properties ([${names.map((n) => JSON.stringify(n)).join(',')}])`,
    );
  }
  // AWS hands the string over JSON-escaped, so that `"$context.error.validationErrorString"` in a
  // gateway response template stays valid JSON.
  return `[${messages.join(', ')}]`.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

function typeofJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function present(values: string[] | undefined): boolean {
  return values !== undefined && values.some((v) => v.trim() !== '');
}

/** Names of required parameters that are absent or blank, in API Gateway's order: header, path, querystring. */
export function missingParameters(inv: Invocation, method: Method): string[] {
  const missing: Record<'header' | 'path' | 'querystring', string[]> = {
    header: [],
    path: [],
    querystring: [],
  };
  const headers = Object.entries(inv.request.headers);
  for (const [key, required] of Object.entries(method.requestParameters)) {
    if (!required) continue;
    const m =
      /^method\.request\.(header|path|querystring|multivaluequerystring|multivalueheader)\.(.+)$/.exec(key);
    if (!m) continue;
    const [, location, name] = m;
    if (location === 'header' || location === 'multivalueheader') {
      const values = headers.find(([h]) => h.toLowerCase() === name.toLowerCase())?.[1];
      if (!present(values)) missing.header.push(name);
    } else if (location === 'path') {
      if (!present([inv.request.pathParameters[name] ?? ''])) missing.path.push(name);
    } else if (!present(inv.request.querystring[name])) {
      missing.querystring.push(name);
    }
  }
  return [...missing.header, ...missing.path, ...missing.querystring];
}

/**
 * Request validation
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html):
 * with a validator on the method, required parameters first (400 BAD_REQUEST_PARAMETERS), then the
 * body against the model for its content type (400 BAD_REQUEST_BODY).
 */
export function validateRequest(inv: Invocation): void {
  const method = inv.method!;
  const validator = inv.compiled!.validator;
  if (!validator) return;
  if (validator.validateRequestParameters) {
    const missing = missingParameters(inv, method);
    if (missing.length > 0) {
      throw new GatewayError(
        'BAD_REQUEST_PARAMETERS',
        `Missing required request parameters: [${missing.join(', ')}]`,
      );
    }
  }
  if (validator.validateRequestBody) {
    const contentType = inv.request.nodeHeaders['content-type'];
    const modelName = method.requestModels[mediaTypeOf(contentType)] ?? method.requestModels['$default'];
    if (modelName === undefined) return;
    const validate = validatorFor(inv.api, modelName);
    if (!validate) return;
    let body: unknown;
    try {
      body = JSON.parse(inv.request.body.toString('utf8'));
    } catch {
      throw new GatewayError('BAD_REQUEST_BODY', 'Invalid request body', {
        validationErrorString: '[Invalid JSON in request body]',
      });
    }
    let valid: boolean;
    try {
      valid = validate(body) as boolean;
    } catch (e) {
      // A body nested deeper than the validator can recurse (a recursive model, 100k levels) is
      // refused as an invalid body, never a 500.
      if (!(e instanceof RangeError)) throw e;
      throw new GatewayError('BAD_REQUEST_BODY', 'Invalid request body', {
        validationErrorString: '[the request body is nested too deeply to validate]',
      });
    }
    if (!valid) {
      throw new GatewayError('BAD_REQUEST_BODY', 'Invalid request body', {
        validationErrorString: validationErrorString(validate.errors ?? []),
      });
    }
  }
}
