import type { ImportContext } from './context';
import {
  MappingContext,
  MappingDestination,
  MappingSource,
  MappingSyntaxError,
  parseMappingDestination,
  parseMappingSource,
} from './mapping-expressions';
import type { IntegrationType, MethodResponse } from './model';
import { pointerTo } from './problems';

/** What a parameter-mapping table is checked against, beyond its syntax. */
export interface MappingFacts {
  integrationType?: IntegrationType | undefined;
  /** The method's declared `method.request.*` parameters (integration requests). */
  requestParameters?: Record<string, boolean>;
  /** The method response of the integration response's status, when the method declares one. */
  methodResponse?: MethodResponse | undefined;
  /** `integration response '4\d{2}'`, for messages. */
  label?: string;
}

// Mapping these makes every call fail with 500 on AWS
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html).
const ALWAYS_FORBIDDEN = ['content-length', 'transfer-encoding'];
const FORBIDDEN_FOR_AWS = ['authorization', 'connection', 'expect', 'proxy-authenticate', 'te'];

/** Parses every key and value of a mapping table, reporting syntax errors and likely mistakes. */
export function checkMappings(
  ctx: ImportContext,
  mappings: Record<string, string>,
  pointer: string,
  where: MappingContext,
  facts: MappingFacts,
): void {
  for (const [key, value] of Object.entries(mappings)) {
    const at = pointerTo(pointer, key);
    const destination = parseOr(ctx, at, 'destination', () => parseMappingDestination(key, where));
    const source = parseOr(ctx, at, 'source', () => parseMappingSource(value, where));
    if (destination) checkDestination(ctx, at, key, destination, where, facts);
    if (source?.kind === 'request' && facts.requestParameters)
      checkDeclared(ctx, at, value, source, facts.requestParameters);
  }
}

function parseOr<T>(ctx: ImportContext, at: string, side: string, parse: () => T): T | undefined {
  try {
    return parse();
  } catch (e) {
    if (!(e instanceof MappingSyntaxError)) throw e;
    ctx.problems.error(at, `invalid mapping ${side}: ${e.message}`);
    return undefined;
  }
}

function checkDestination(
  ctx: ImportContext,
  at: string,
  key: string,
  destination: MappingDestination,
  where: MappingContext,
  facts: MappingFacts,
): void {
  const header = destination.name.toLowerCase();
  if (where === 'integration-request' && destination.location === 'header') {
    const aws = facts.integrationType === 'AWS' || facts.integrationType === 'AWS_PROXY';
    if (ALWAYS_FORBIDDEN.includes(header) || (aws && FORBIDDEN_FOR_AWS.includes(header))) {
      ctx.problems.warning(
        at,
        `mapping ${key} makes every call fail with 500 Internal server error, as on AWS`,
      );
    }
  }
  if (where === 'method-response' && facts.methodResponse) {
    const declared = `method.response.header.${destination.name}`;
    if (!Object.hasOwn(facts.methodResponse.responseParameters, declared)) {
      ctx.problems.warning(
        at,
        `${facts.label ?? 'integration response'} maps header '${destination.name}', which method response ${facts.methodResponse.statusCode} does not declare`,
      );
    }
  }
  if (where === 'gateway-response' && destination.location !== 'header') {
    ctx.problems.warning(at, `${key} has no effect: a gateway response only sends headers`);
  }
}

function checkDeclared(
  ctx: ImportContext,
  at: string,
  expr: string,
  source: Extract<MappingSource, { kind: 'request' }>,
  declared: Record<string, boolean>,
): void {
  const location =
    source.location === 'multivaluequerystring'
      ? 'querystring'
      : source.location === 'multivalueheader'
        ? 'header'
        : source.location;
  const prefix = `method.request.${location}.`;
  // Header names are case-insensitive in HTTP, so only a name no casing matches is suspicious.
  const found = Object.keys(declared).some((k) =>
    location === 'header'
      ? k.toLowerCase() === (prefix + source.name).toLowerCase()
      : k === prefix + source.name,
  );
  if (!found) {
    ctx.problems.warning(
      at,
      `maps ${expr}, which the method does not declare as a ${location} parameter (AWS rejects this on import)`,
    );
  }
}
