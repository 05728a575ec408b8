/**
 * Parameter mapping
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html):
 * `method.request.*` → `integration.request.*` and
 * `integration.response.*` → `method.response.header.*`. Pure: no I/O, no state.
 */
import { jsonPathPlus } from './jsonpath-plus';
import type { MappingSource } from '../openapi';

// The grammar is the importer's (openapi/mapping-expressions.ts refuses unparsable mappings);
// evaluation is ours.

/** What mapping expressions read. Header names as the client (or backend) sent them. */
export interface MappingInput {
  request?: {
    path: Record<string, string>;
    querystring: Record<string, string[]>;
    headers: Record<string, string[]>;
    body?: Buffer;
  };
  response?: {
    headers: Record<string, string[]>;
    body?: Buffer;
    /**
     * A Lambda (non-proxy) result: `body.errorMessage.<path>` reads into an errorMessage that is
     * itself JSON text, as API Gateway does for custom Lambda errors.
     */
    lambda?: boolean;
  };
  /** Nested `$context`: `{ identity: { sourceIp }, requestId, ... }`. */
  context: Record<string, unknown>;
  stageVariables: Record<string, string>;
}

/** A mapping that cannot be evaluated: a `body.*` source over a body that looks like JSON but is not. */
export class MappingEvaluationError extends Error {
  override name = 'MappingEvaluationError';
  constructor(
    readonly kind: 'invalid-json',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The value of a mapping source, undefined when absent. Single values for querystring/header (the
 * last one) and multivalueheader (joined with ','); a list for multivaluequerystring, which maps to
 * repeated query parameters. Throws MappingEvaluationError for invalid JSON under a `body.*` path.
 */
export function evaluateMappingSource(
  source: MappingSource,
  input: MappingInput,
): string | string[] | undefined {
  switch (source.kind) {
    case 'literal':
      return source.value;
    case 'request':
      return fromRequest(source.location, source.name, input.request);
    case 'request-body':
      return fromBody(input.request?.body, source.path, 'request');
    case 'response':
      return fromHeaders(input.response?.headers, source.name, source.location === 'multivalueheader');
    case 'response-body':
      return fromBody(input.response?.body, source.path, 'response', input.response?.lambda);
    case 'context':
      return scalarText(lookupPath(input.context, source.path.split('.')));
    case 'stage-variable':
      return own(input.stageVariables, source.name);
  }
}

function fromRequest(
  location: Extract<MappingSource, { kind: 'request' }>['location'],
  name: string,
  request: MappingInput['request'],
): string | string[] | undefined {
  if (!request) return undefined;
  switch (location) {
    case 'path':
      return own(request.path, name);
    case 'querystring':
      return own(request.querystring, name)?.at(-1);
    case 'multivaluequerystring': {
      const values = own(request.querystring, name);
      return values && values.length ? [...values] : undefined;
    }
    case 'header':
      return fromHeaders(request.headers, name, false);
    case 'multivalueheader':
      return fromHeaders(request.headers, name, true);
  }
}

// AWS documents header look-ups as case-sensitive, yet its own S3 example maps `content-length` to
// S3's `Content-Length`
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html):
// exact name first, then any casing.
function fromHeaders(
  headers: Record<string, string[]> | undefined,
  name: string,
  all: boolean,
): string | undefined {
  if (!headers) return undefined;
  let values = own(headers, name);
  if (values === undefined) {
    const lower = name.toLowerCase();
    const key = Object.keys(headers).find((k) => k.toLowerCase() === lower);
    values = key === undefined ? undefined : headers[key];
  }
  if (!values || values.length === 0) return undefined;
  return all ? values.join(',') : values[values.length - 1];
}

function fromBody(
  body: Buffer | undefined,
  path: string | undefined,
  side: 'request' | 'response',
  lambda = false,
): string | undefined {
  if (!body || body.length === 0) return undefined;
  const text = body.toString('utf8');
  if (path === undefined) return text;
  let json = parseBody(text, side);
  if (lambda && /^errorMessage[.[]/.test(path)) json = withParsedErrorMessage(json);
  const results: unknown[] = jsonPathPlus().JSONPath({
    path: `$.${path}`,
    json: json as object,
    wrap: true,
    eval: 'safe',
  });
  if (results.length === 0) return undefined;
  return results.length === 1 ? scalarText(results[0], true) : JSON.stringify(results);
}

/**
 * A custom Lambda error's errorMessage is often JSON text (`JSON.stringify` of an object thrown as
 * the message); mappings reach into it as into an object. The body itself is not changed.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/handle-errors-in-lambda-integration.html
 */
function withParsedErrorMessage(json: unknown): unknown {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return json;
  const message = (json as { errorMessage?: unknown }).errorMessage;
  if (typeof message !== 'string' || !/^\s*[[{]/.test(message)) return json;
  try {
    return { ...json, errorMessage: JSON.parse(message) as unknown };
  } catch {
    return json;
  }
}

// What LocalStack does
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html):
// text that starts like JSON must be JSON; anything else (XML, form data, plain text) has no
// fields, so every path in it is absent.
function parseBody(text: string, side: 'request' | 'response'): unknown {
  const trimmed = text.replace(/^\uFEFF/, '').trimStart();
  if (!/^[{["']/.test(trimmed)) return {};
  try {
    return JSON.parse(trimmed);
  } catch {
    throw new MappingEvaluationError('invalid-json', `Invalid JSON in ${side} body`);
  }
}

/** Scalars as text; objects and lists as JSON when `structured` (JSONPath results), else absent. */
function scalarText(value: unknown, structured = false): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  return structured ? JSON.stringify(value) : undefined;
}

function lookupPath(root: unknown, segments: string[]): unknown {
  let value: unknown = root;
  for (const segment of segments) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}

// Own properties only: a parameter named `constructor` must not find Object.prototype's.
function own<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
