import type { ImportContext } from './context';
import { checkMappings } from './mapping-checks';
import type { ApiDefinition, GatewayResponse, RequestValidator } from './model';
import { pointerTo } from './problems';
import { describe, isObject, type JsonObject } from './values';

const EXT = 'x-amazon-apigateway-';

const GATEWAY_RESPONSE_TYPES = new Set([
  'ACCESS_DENIED',
  'API_CONFIGURATION_ERROR',
  'AUTHORIZER_CONFIGURATION_ERROR',
  'AUTHORIZER_FAILURE',
  'BAD_REQUEST_PARAMETERS',
  'BAD_REQUEST_BODY',
  'DEFAULT_4XX',
  'DEFAULT_5XX',
  'EXPIRED_TOKEN',
  'INTEGRATION_FAILURE',
  'INTEGRATION_TIMEOUT',
  'INVALID_API_KEY',
  'INVALID_SIGNATURE',
  'MISSING_AUTHENTICATION_TOKEN',
  'QUOTA_EXCEEDED',
  'REQUEST_TOO_LARGE',
  'RESOURCE_NOT_FOUND',
  'THROTTLED',
  'UNAUTHORIZED',
  'UNSUPPORTED_MEDIA_TYPE',
  'WAF_FILTERED',
]);

const KNOWN_ROOT_EXTENSIONS = new Set(
  [
    'binary-media-types',
    'api-key-source',
    'gateway-responses',
    'request-validators',
    'request-validator',
    'minimum-compression-size',
    'endpoint-configuration',
    'policy',
    'importexport-version',
    'documentation',
    'tag-value',
  ].map((name) => EXT + name),
);
const HTTP_API_ONLY = new Set([EXT + 'cors', EXT + 'integrations', EXT + 'disable-schema-validation']);
const MAX_COMPRESSION_SIZE = 10485760;

type RootSettings = Pick<
  ApiDefinition,
  | 'binaryMediaTypes'
  | 'gatewayResponses'
  | 'requestValidators'
  | 'defaultRequestValidator'
  | 'apiKeySource'
  | 'minimumCompressionSize'
>;

/** Reads the API-wide `x-amazon-apigateway-*` extensions of the document root. */
export function readRootExtensions(ctx: ImportContext): RootSettings {
  const { document: doc, read } = ctx;
  for (const key of Object.keys(doc)) {
    if (HTTP_API_ONLY.has(key)) {
      ctx.problems.warning(pointerTo('', key), `${key} applies to HTTP APIs only; a REST API ignores it`);
    } else if (key.startsWith(EXT) && !KNOWN_ROOT_EXTENSIONS.has(key)) {
      ctx.problems.warning(pointerTo('', key), `unknown extension ${key}; ignored`);
    }
  }
  const requestValidators = readRequestValidators(ctx);
  return {
    binaryMediaTypes: read.stringList(doc, EXT + 'binary-media-types', '') ?? [],
    gatewayResponses: readGatewayResponses(ctx),
    requestValidators,
    defaultRequestValidator: readValidatorName(ctx, doc, '', requestValidators),
    apiKeySource: readApiKeySource(ctx),
    minimumCompressionSize: readMinimumCompressionSize(ctx),
  };
}

/** The `x-amazon-apigateway-request-validator` of `holder`, checked against the declared validators. */
export function readValidatorName(
  ctx: ImportContext,
  holder: Record<string, unknown>,
  pointer: string,
  validators: Record<string, RequestValidator>,
): string | undefined {
  const name = ctx.read.string(holder, EXT + 'request-validator', pointer);
  if (name === undefined || Object.hasOwn(validators, name)) return name;
  const declared = Object.keys(validators);
  ctx.problems.error(
    pointerTo(pointer, EXT + 'request-validator'),
    `unknown request validator '${name}' (` +
      (declared.length
        ? `declared: ${declared.map((d) => `'${d}'`).join(', ')}`
        : 'none is declared in x-amazon-apigateway-request-validators') +
      ')',
  );
  return undefined;
}

/**
 * The entries of a document-level extension map (`x-amazon-apigateway-<suffix>`), each with its
 * pointer; `check` sees every name first (it may warn), and an entry that is not an object is an
 * error (`what` names it) and left out.
 */
function* documentEntries(
  ctx: ImportContext,
  suffix: string,
  what: string,
  check: (name: string, at: string) => void = () => undefined,
): Generator<[string, JsonObject, string]> {
  const key = EXT + suffix;
  for (const [name, written] of Object.entries(ctx.read.object(ctx.document, key, '') ?? {})) {
    const at = pointerTo('', key, name);
    check(name, at);
    if (isObject(written)) yield [name, written, at];
    else ctx.problems.error(at, `${what} '${name}' must be an object, not ${describe(written)}`);
  }
}

function readRequestValidators(ctx: ImportContext): Record<string, RequestValidator> {
  const validators: Record<string, RequestValidator> = {};
  for (const [name, written, at] of documentEntries(ctx, 'request-validators', 'request validator')) {
    validators[name] = {
      validateRequestBody: ctx.read.boolean(written, 'validateRequestBody', at) ?? false,
      validateRequestParameters: ctx.read.boolean(written, 'validateRequestParameters', at) ?? false,
    };
  }
  return validators;
}

function readGatewayResponses(ctx: ImportContext): Record<string, GatewayResponse> {
  const responses: Record<string, GatewayResponse> = {};
  const known = (type: string, at: string) => {
    if (!GATEWAY_RESPONSE_TYPES.has(type)) {
      ctx.problems.warning(at, `unknown gateway response type '${type}'; it will never be used`);
    }
  };
  for (const [type, written, at] of documentEntries(ctx, 'gateway-responses', 'gateway response', known)) {
    const responseParameters = ctx.read.stringMap(written, 'responseParameters', at);
    checkMappings(ctx, responseParameters, pointerTo(at, 'responseParameters'), 'gateway-response', {});
    responses[type] = {
      statusCode: readStatus(ctx, written, at),
      responseParameters,
      responseTemplates: ctx.read.stringMap(written, 'responseTemplates', at),
    };
  }
  return responses;
}

function readStatus(ctx: ImportContext, response: Record<string, unknown>, at: string): string | undefined {
  const written = response.statusCode;
  if (written === undefined || written === null) return undefined;
  const status = typeof written === 'number' || typeof written === 'string' ? String(written).trim() : '';
  if (/^[1-5]\d\d$/.test(status)) return status;
  ctx.problems.error(
    pointerTo(at, 'statusCode'),
    `statusCode must be an HTTP status from 100 to 599, not ${describe(written)}`,
  );
  return undefined;
}

function readApiKeySource(ctx: ImportContext): 'HEADER' | 'AUTHORIZER' {
  const key = EXT + 'api-key-source';
  const written = ctx.read.string(ctx.document, key, '');
  if (written === undefined) return 'HEADER';
  const source = written.toUpperCase();
  if (source === 'HEADER' || source === 'AUTHORIZER') return source;
  ctx.problems.error(pointerTo('', key), `${key} must be HEADER or AUTHORIZER, not '${written}'`);
  return 'HEADER';
}

function readMinimumCompressionSize(ctx: ImportContext): number | undefined {
  const key = EXT + 'minimum-compression-size';
  const size = ctx.read.integer(ctx.document, key, '');
  if (size === undefined || (size >= 0 && size <= MAX_COMPRESSION_SIZE)) return size;
  ctx.problems.error(pointerTo('', key), `${key} must be between 0 and ${MAX_COMPRESSION_SIZE}, not ${size}`);
  return undefined;
}
