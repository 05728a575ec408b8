import {
  evaluateMappingSource,
  parseMappingDestination,
  parseMappingSource,
  type MappingDestination,
  type MappingSource,
} from '../../mappings/parameters';
import { isForbiddenRequestMapping } from '../../mappings/headers';
import type { Integration } from '../../openapi/model';
import { GatewayError, GatewayErrors } from '../gateway-error';
import type { Invocation } from '../invocation';
import { mappingInput } from './mapping-input';

/** The parts of the integration request that requestParameters produce. */
export interface IntegrationRequestParts {
  /** Values for `{name}` placeholders of the uri, spliced in as given (still encoded). */
  path: Record<string, string>;
  querystring: Array<[string, string]>;
  /** A list (only from a template's `$context.requestOverride.header`) is the header repeated. */
  headers: Record<string, string | string[]>;
}

type CompiledMapping = { destination: MappingDestination; source: MappingSource; key: string };
const compiledMappings = new WeakMap<Integration, CompiledMapping[]>();

/** requestParameters parsed once per integration (the importer already refused unparsable ones). */
function compiled(integration: Integration): CompiledMapping[] {
  let list = compiledMappings.get(integration);
  if (!list) {
    list = Object.entries(integration.requestParameters).map(([key, expression]) => ({
      key,
      destination: parseMappingDestination(key, 'integration-request'),
      source: parseMappingSource(expression, 'integration-request'),
    }));
    compiledMappings.set(integration, list);
  }
  return list;
}

/** Integration request headers mapped where API Gateway forbids it; such methods fail every call. */
export function forbiddenMappings(integration: Integration): string[] {
  return compiled(integration)
    .filter(
      (m) =>
        m.destination.location === 'header' &&
        isForbiddenRequestMapping(integration.type, m.destination.name),
    )
    .map((m) => m.key);
}

/** Applies requestParameters to build the integration request's path values, query and headers. */
export function mapIntegrationRequest(inv: Invocation, integration: Integration): IntegrationRequestParts {
  if (forbiddenMappings(integration).length > 0) throw GatewayErrors.internalServerError();
  const input = mappingInput(inv);
  const parts: IntegrationRequestParts = { path: {}, querystring: [], headers: {} };
  for (const { destination, source } of compiled(integration)) {
    let value: string | string[] | undefined;
    try {
      value = evaluateMappingSource(source, input);
    } catch (e) {
      if ((e as { kind?: string }).kind === 'invalid-json') {
        throw new GatewayError('BAD_REQUEST_BODY', 'Invalid JSON in request body');
      }
      throw e;
    }
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    switch (destination.location) {
      case 'path':
        parts.path[destination.name] = values.join(',');
        break;
      case 'querystring':
      case 'multivaluequerystring':
        for (const v of values) parts.querystring.push([destination.name, v]);
        break;
      default:
        parts.headers[destination.name] = values.join(',');
    }
  }
  return parts;
}
