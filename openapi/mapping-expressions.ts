/**
 * The grammar of API Gateway parameter-mapping expressions
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html).
 * It lives here because the importer rejects a document with an unparsable mapping;
 * `mappings/parameters.ts` evaluates them.
 */

export type RequestLocation =
  'path' | 'querystring' | 'multivaluequerystring' | 'header' | 'multivalueheader';

export type MappingSource =
  | { kind: 'literal'; value: string }
  | { kind: 'request'; location: RequestLocation; name: string }
  /** `method.request.body[.<jsonpath>]`; path is the JSONPath without its `$.`. */
  | { kind: 'request-body'; path: string | undefined }
  | { kind: 'response'; location: 'header' | 'multivalueheader'; name: string }
  /** `integration.response.body[.<jsonpath>]`. */
  | { kind: 'response-body'; path: string | undefined }
  /** `context.identity.sourceIp` → path `identity.sourceIp`. */
  | { kind: 'context'; path: string }
  | { kind: 'stage-variable'; name: string };

/** Where a mapping is written, which decides the sources and destinations it may use. */
export type MappingContext = 'integration-request' | 'method-response' | 'gateway-response';

export interface MappingDestination {
  location: RequestLocation;
  name: string;
}

/** A mapping expression that API Gateway would refuse at import. */
export class MappingSyntaxError extends Error {
  override name = 'MappingSyntaxError';
}

const REQUEST_LOCATIONS: readonly RequestLocation[] = [
  'path',
  'querystring',
  'multivaluequerystring',
  'header',
  'multivalueheader',
];
const RESPONSE_LOCATIONS = ['header', 'multivalueheader'] as const;

const PLACE: Record<MappingContext, string> = {
  'integration-request': 'an integration request (requestParameters)',
  'method-response': 'an integration response (responseParameters)',
  'gateway-response': 'a gateway response (responseParameters)',
};

const SOURCES: Record<MappingContext, string> = {
  'integration-request':
    "method.request.{path|querystring|multivaluequerystring|header|multivalueheader}.<name>, method.request.body[.<JSONPath>], context.<variable>, stageVariables.<name> or a 'quoted literal'",
  'method-response':
    "integration.response.{header|multivalueheader}.<name>, integration.response.body[.<JSONPath>], context.<variable>, stageVariables.<name> or a 'quoted literal'",
  'gateway-response':
    "method.request.{path|querystring|multivaluequerystring|header|multivalueheader}.<name>, context.<variable>, stageVariables.<name> or a 'quoted literal'",
};

/** Parses the value side of a mapping (`method.request.header.X`, `'literal'`, ...); throws MappingSyntaxError. */
export function parseMappingSource(expr: string, where: MappingContext): MappingSource {
  if (expr.startsWith("'") || expr.endsWith("'")) return parseLiteral(expr);
  if (expr !== expr.trim()) throw new MappingSyntaxError(`'${expr}' has surrounding white space`);

  const [head, rest] = splitPrefix(expr, [
    'method.request.',
    'integration.response.',
    'context.',
    'stageVariables.',
  ]);
  switch (head) {
    case 'method.request.':
      if (where === 'method-response') throw notHere(expr, where, 'method.request.*');
      return parseRequestSource(expr, rest, where);
    case 'integration.response.':
      if (where !== 'method-response') throw notHere(expr, where, 'integration.response.*');
      return parseResponseSource(expr, rest);
    case 'context.':
      return { kind: 'context', path: parseContextPath(expr, rest) };
    case 'stageVariables.':
      if (!/^[A-Za-z0-9_]+$/.test(rest)) {
        throw new MappingSyntaxError(
          `'${expr}': a stage variable name is made of letters, digits and '_' (e.g. stageVariables.bucket)`,
        );
      }
      return { kind: 'stage-variable', name: rest };
    default:
      if (['method.request', 'integration.response', 'context', 'stageVariables'].includes(expr)) {
        throw new MappingSyntaxError(`'${expr}' is incomplete: expected ${SOURCES[where]}`);
      }
      throw new MappingSyntaxError(
        `'${expr}' is not a mapping expression: expected ${SOURCES[where]} (string values need single quotes)`,
      );
  }
}

/** Parses the key side of a mapping (`integration.request.header.X`, `method.response.header.X`, ...); throws MappingSyntaxError. */
export function parseMappingDestination(key: string, where: MappingContext): MappingDestination {
  switch (where) {
    case 'integration-request': {
      const [head, rest] = splitPrefix(key, ['integration.request.']);
      if (!head) {
        throw new MappingSyntaxError(
          `'${key}' is not a destination of an integration request: expected integration.request.{path|querystring|header}.<name>`,
        );
      }
      return locatedName(key, rest, REQUEST_LOCATIONS, 'integration.request');
    }
    case 'method-response': {
      const [head, rest] = splitPrefix(key, ['method.response.header.']);
      if (!head) {
        throw new MappingSyntaxError(
          `'${key}' is not a destination of an integration response: expected method.response.header.<name>`,
        );
      }
      return { location: 'header', name: checkName(key, rest) };
    }
    case 'gateway-response': {
      const [head, rest] = splitPrefix(key, ['gatewayresponse.']);
      if (!head) {
        throw new MappingSyntaxError(
          `'${key}' is not a destination of a gateway response: expected gatewayresponse.header.<name>`,
        );
      }
      return locatedName(key, rest, ['header', 'path', 'querystring'], 'gatewayresponse');
    }
  }
}

function parseLiteral(expr: string): MappingSource {
  if (expr.length < 2 || !expr.startsWith("'") || !expr.endsWith("'")) {
    throw new MappingSyntaxError(
      `unbalanced quote in ${JSON.stringify(expr)}: a literal is written 'like this'`,
    );
  }
  return { kind: 'literal', value: expr.slice(1, -1) };
}

function parseRequestSource(expr: string, rest: string, where: MappingContext): MappingSource {
  if (rest === 'body' || rest.startsWith('body.')) {
    if (where === 'gateway-response') throw notHere(expr, where, 'method.request.body');
    return { kind: 'request-body', path: bodyPath(expr, rest) };
  }
  const { location, name } = locatedName(expr, rest, REQUEST_LOCATIONS, 'method.request');
  return { kind: 'request', location, name };
}

function parseResponseSource(expr: string, rest: string): MappingSource {
  if (rest === 'body' || rest.startsWith('body.'))
    return { kind: 'response-body', path: bodyPath(expr, rest) };
  const { location, name } = locatedName(expr, rest, RESPONSE_LOCATIONS, 'integration.response');
  return { kind: 'response', location, name };
}

function bodyPath(expr: string, rest: string): string | undefined {
  if (rest === 'body') return undefined;
  const path = rest.slice('body.'.length);
  if (path === '' || /\s/.test(path)) {
    throw new MappingSyntaxError(`'${expr}': expected a JSONPath after 'body.', e.g. body.pets[0].name`);
  }
  return path;
}

function parseContextPath(expr: string, rest: string): string {
  if (rest === '' || rest.split('.').some((segment) => !/^[A-Za-z0-9_:-]+$/.test(segment))) {
    throw new MappingSyntaxError(`'${expr}' is not a context variable (e.g. context.identity.sourceIp)`);
  }
  return rest;
}

function locatedName<L extends string>(
  expr: string,
  rest: string,
  locations: readonly L[],
  prefix: string,
): { location: L; name: string } {
  if (rest === '') {
    throw new MappingSyntaxError(
      `'${expr}' is incomplete: expected ${prefix}.{${locations.join('|')}}.<name>`,
    );
  }
  const dot = rest.indexOf('.');
  const location = (dot < 0 ? rest : rest.slice(0, dot)) as L;
  if (!locations.includes(location)) {
    throw new MappingSyntaxError(
      `'${expr}': '${location}' is not a parameter location here; expected ${prefix}.{${locations.join('|')}}.<name>`,
    );
  }
  if (dot < 0) {
    throw new MappingSyntaxError(`'${expr}' needs a parameter name, e.g. ${prefix}.${location}.<name>`);
  }
  return { location, name: checkName(expr, rest.slice(dot + 1)) };
}

function checkName(expr: string, name: string): string {
  if (name === '') throw new MappingSyntaxError(`'${expr}' needs a parameter name after the last '.'`);
  if (/\s/.test(name) || [...name].some((c) => c.charCodeAt(0) < 0x20 || c === '\u007f')) {
    throw new MappingSyntaxError(
      `'${expr}': a parameter name cannot contain white space or control characters`,
    );
  }
  return name;
}

function splitPrefix(text: string, prefixes: string[]): [string | undefined, string] {
  const prefix = prefixes.find((p) => text.startsWith(p));
  return prefix === undefined ? [undefined, text] : [prefix, text.slice(prefix.length)];
}

function notHere(expr: string, where: MappingContext, what: string): MappingSyntaxError {
  return new MappingSyntaxError(
    `'${expr}': ${what} cannot be used in ${PLACE[where]}; expected ${SOURCES[where]}`,
  );
}
