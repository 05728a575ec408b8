import type { ImportContext } from './context';
import { checkMappings } from './mapping-checks';
import type {
  ContentHandling,
  Integration,
  IntegrationResponse,
  IntegrationType,
  MethodResponse,
  PassthroughBehavior,
} from './model';
import { pointerTo } from './problems';
import { IntegrationUriError, parseIntegrationUri } from './uri';
import { describe, isObject, JsonObject } from './values';

/** What the integration is checked against: the method it belongs to. */
export interface MethodFacts {
  /** `GET /pets/{id}`, for messages. */
  label: string;
  requestParameters: Record<string, boolean>;
  methodResponses: Record<string, MethodResponse>;
}

const TYPES: readonly IntegrationType[] = ['AWS', 'AWS_PROXY', 'HTTP', 'HTTP_PROXY', 'MOCK'];
const PASSTHROUGH: readonly PassthroughBehavior[] = ['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER'];
const CONTENT_HANDLING: readonly ContentHandling[] = ['CONVERT_TO_TEXT', 'CONVERT_TO_BINARY'];
const BACKEND_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'ANY'];
const STATUS = /^[1-5]\d\d$/;
const DEFAULT_TIMEOUT = 29000;
// AWS's documented range is 50..29000; regional APIs may have it raised, so allow up to 5 minutes.
const MIN_TIMEOUT = 50;
const MAX_TIMEOUT = 300000;
const KNOWN_FIELDS = new Set([
  'type',
  'uri',
  'httpMethod',
  'credentials',
  'requestParameters',
  'requestTemplates',
  'passthroughBehavior',
  'contentHandling',
  'timeoutInMillis',
  'cacheKeyParameters',
  'cacheNamespace',
  'connectionType',
  'connectionId',
  'tlsConfig',
  'responses',
  'description',
  'integrationSubtype',
  'payloadFormatVersion',
  'responseTransferMode',
]);

/** Reads an operation's `x-amazon-apigateway-integration`; undefined (with errors reported) when unusable. */
export function readIntegration(
  ctx: ImportContext,
  written: unknown,
  writtenAt: string,
  method: MethodFacts,
): Integration | undefined {
  const located = ctx.refs.resolve(written, writtenAt);
  if (!located) return undefined;
  const pointer = located.pointer;
  const raw = located.value;
  if (!isObject(raw)) {
    ctx.problems.error(pointer, `x-amazon-apigateway-integration must be an object, not ${describe(raw)}`);
    return undefined;
  }
  const { read, problems } = ctx;

  for (const key of Object.keys(raw)) {
    if (!KNOWN_FIELDS.has(key) && !key.startsWith('x-')) {
      problems.warning(
        pointerTo(pointer, key),
        `unknown field '${key}' in x-amazon-apigateway-integration; ignored`,
      );
    }
  }

  const type = readType(ctx, raw, pointer);
  const uri = read.string(raw, 'uri', pointer);
  const httpMethod = read.string(raw, 'httpMethod', pointer)?.toUpperCase();
  let target: Integration['target'] = { kind: 'none' };
  // A uri of the wrong type was reported by the read; "needs a uri" would say it twice.
  if (type && (uri !== undefined || raw.uri === undefined || raw.uri === null)) {
    try {
      target = parseIntegrationUri(type, uri);
    } catch (e) {
      if (!(e instanceof IntegrationUriError)) throw e;
      problems.error(uri === undefined ? pointer : pointerTo(pointer, 'uri'), e.message);
    }
  }
  if (type) checkHttpMethod(ctx, type, httpMethod, target, pointer);

  const requestParameters = read.stringMap(raw, 'requestParameters', pointer);
  checkMappings(ctx, requestParameters, pointerTo(pointer, 'requestParameters'), 'integration-request', {
    integrationType: type,
    requestParameters: method.requestParameters,
  });

  // Read on without a usable type so every other problem is reported too; the result is then dropped.
  const integration: Integration = {
    type: type ?? 'MOCK',
    uri,
    target,
    httpMethod,
    credentials: read.string(raw, 'credentials', pointer),
    requestParameters,
    requestTemplates: read.stringMap(raw, 'requestTemplates', pointer),
    passthroughBehavior: readEnum(ctx, raw, 'passthroughBehavior', pointer, PASSTHROUGH) ?? 'WHEN_NO_MATCH',
    contentHandling: readEnum(ctx, raw, 'contentHandling', pointer, CONTENT_HANDLING),
    timeoutInMillis: readTimeout(ctx, raw, pointer),
    cacheKeyParameters: read.stringList(raw, 'cacheKeyParameters', pointer) ?? [],
    cacheNamespace: read.string(raw, 'cacheNamespace', pointer),
    connectionType: read.string(raw, 'connectionType', pointer),
    connectionId: read.string(raw, 'connectionId', pointer),
    tlsConfig: readTlsConfig(ctx, raw, pointer),
    integrationResponses: readIntegrationResponses(ctx, raw, pointer, type, method),
    raw,
    pointer,
  };
  return type ? integration : undefined;
}

function readType(ctx: ImportContext, raw: JsonObject, pointer: string): IntegrationType | undefined {
  const written = ctx.read.string(raw, 'type', pointer);
  if (written === undefined) {
    if (raw.type === undefined) {
      ctx.problems.error(pointer, `x-amazon-apigateway-integration needs a 'type' (${listed(TYPES)})`);
    }
    return undefined;
  }
  const type = TYPES.find((t) => t === written.toUpperCase());
  if (!type)
    ctx.problems.error(
      pointerTo(pointer, 'type'),
      `unknown integration type '${written}' (expected ${listed(TYPES)})`,
    );
  return type;
}

function checkHttpMethod(
  ctx: ImportContext,
  type: IntegrationType,
  httpMethod: string | undefined,
  target: Integration['target'],
  pointer: string,
): void {
  if (type === 'MOCK') return;
  if (httpMethod === undefined) {
    ctx.problems.error(
      pointer,
      `an integration of type ${type} needs an 'httpMethod': the method used to call the backend (ANY for the client's)`,
    );
    return;
  }
  if (!BACKEND_METHODS.includes(httpMethod)) {
    ctx.problems.error(
      pointerTo(pointer, 'httpMethod'),
      `'${httpMethod}' is not an HTTP method API Gateway can call a backend with`,
    );
    return;
  }
  if (target.kind === 'aws-path' && target.service === 'lambda' && httpMethod !== 'POST') {
    ctx.problems.warning(
      pointerTo(pointer, 'httpMethod'),
      `Lambda is invoked with POST; with httpMethod ${httpMethod} every call fails with 500 Internal server error, as on AWS`,
    );
  }
}

function readEnum<T extends string>(
  ctx: ImportContext,
  raw: JsonObject,
  key: string,
  pointer: string,
  values: readonly T[],
): T | undefined {
  const written = ctx.read.string(raw, key, pointer);
  if (written === undefined) return undefined;
  const value = values.find((v) => v === written.toUpperCase());
  if (!value)
    ctx.problems.error(pointerTo(pointer, key), `'${written}' is not a ${key} (expected ${listed(values)})`);
  return value;
}

function readTimeout(ctx: ImportContext, raw: JsonObject, pointer: string): number {
  const timeout = ctx.read.integer(raw, 'timeoutInMillis', pointer);
  if (timeout === undefined) return DEFAULT_TIMEOUT;
  if (timeout < MIN_TIMEOUT || timeout > MAX_TIMEOUT) {
    ctx.problems.error(
      pointerTo(pointer, 'timeoutInMillis'),
      `timeoutInMillis must be between ${MIN_TIMEOUT} and ${MAX_TIMEOUT} (29000 on AWS unless raised), not ${timeout}`,
    );
    return DEFAULT_TIMEOUT;
  }
  return timeout;
}

function readTlsConfig(ctx: ImportContext, raw: JsonObject, pointer: string): Integration['tlsConfig'] {
  const tls = ctx.read.object(raw, 'tlsConfig', pointer);
  if (!tls) return undefined;
  const skip = ctx.read.boolean(tls, 'insecureSkipVerification', pointerTo(pointer, 'tlsConfig'));
  return skip === undefined ? {} : { insecureSkipVerification: skip };
}

function readIntegrationResponses(
  ctx: ImportContext,
  raw: JsonObject,
  pointer: string,
  type: IntegrationType | undefined,
  method: MethodFacts,
): IntegrationResponse[] {
  const responses = ctx.read.object(raw, 'responses', pointer);
  const out: IntegrationResponse[] = [];
  // Proxy integrations never use integration or method responses, so nothing to cross-check.
  const proxy = type === 'AWS_PROXY' || type === 'HTTP_PROXY';
  for (const [pattern, written] of Object.entries(responses ?? {})) {
    const at = pointerTo(pointer, 'responses', pattern);
    if (!isObject(written)) {
      ctx.problems.error(at, `integration response '${pattern}' must be an object, not ${describe(written)}`);
      continue;
    }
    const statusCode = readStatusCode(ctx, written, at, pattern);
    const response: IntegrationResponse = {
      // An empty pattern is how the AWS CLI writes the default response.
      selectionPattern: pattern === 'default' || pattern === '' ? undefined : pattern,
      statusCode: statusCode ?? '',
      responseParameters: ctx.read.stringMap(written, 'responseParameters', at),
      responseTemplates: ctx.read.stringMap(written, 'responseTemplates', at),
      contentHandling: readEnum(ctx, written, 'contentHandling', at, CONTENT_HANDLING),
      pointer: at,
    };
    const methodResponse = statusCode === undefined ? undefined : method.methodResponses[statusCode];
    checkMappings(ctx, response.responseParameters, pointerTo(at, 'responseParameters'), 'method-response', {
      integrationType: type,
      methodResponse,
      label: `integration response '${pattern}'`,
    });
    if (!proxy && statusCode !== undefined && !methodResponse) {
      ctx.problems.warning(
        pointerTo(at, 'statusCode'),
        `integration response '${pattern}' maps to status ${statusCode}, which ${method.label} declares no response for`,
      );
    }
    if (response.selectionPattern !== undefined) checkPattern(ctx, response.selectionPattern, at);
    out.push(response);
  }
  return out;
}

function readStatusCode(
  ctx: ImportContext,
  response: JsonObject,
  at: string,
  pattern: string,
): string | undefined {
  const written = response.statusCode;
  if (written === undefined || written === null) {
    ctx.problems.error(at, `integration response '${pattern}' needs a 'statusCode'`);
    return undefined;
  }
  // Integers are accepted and read as their decimal string, as AWS does.
  const status =
    typeof written === 'number' || typeof written === 'string' ? String(written).trim() : undefined;
  if (status === undefined || !STATUS.test(status)) {
    ctx.problems.error(
      pointerTo(at, 'statusCode'),
      `integration response '${pattern}': statusCode must be an HTTP status from 100 to 599, not ${describe(written)}`,
    );
    return undefined;
  }
  return status;
}

// Patterns are Java regexes; one JavaScript cannot compile would never match here.
function checkPattern(ctx: ImportContext, pattern: string, at: string): void {
  try {
    new RegExp(`^(?:${pattern})$`);
  } catch (e) {
    ctx.problems.warning(
      at,
      `selection pattern '${pattern}' is not a regular expression this gateway can run (${(e as Error).message}); it will never match`,
    );
  }
}

function listed(values: readonly string[]): string {
  return values.join(', ');
}
