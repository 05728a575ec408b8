import { evaluateMappingSource } from '../../mappings/parameters';
import {
  parseMappingDestination,
  parseMappingSource,
  type MappingDestination,
  type MappingSource,
} from '../../openapi';
import { isForbiddenRequestMapping } from '../../mappings/headers';
import type { Integration } from '../../openapi/model';
import { awsServiceRequest } from '../integrations/aws';
import { httpProxyRequest, httpRequest } from '../integrations/http';
import { lambdaInvokeRequest } from '../integrations/lambda';
import { lambdaProxyRequest } from '../integrations/lambda-proxy';
import { joinHeaderValues } from '../integrations/request-headers';
import { GatewayError, GatewayErrors } from '../gateway-error';
import type { Invocation } from '../invocation';
import type { GatewayRuntime } from '../runtime';
import { mappingInput } from './mapping-input';
import { integrationRequestBody } from './request-body';
import { thenMaybe, type MaybePromise } from '../maybe-async';
import { integrationRequestPayload } from './request-streaming';

/** The parts of the integration request that requestParameters produce. */
export interface IntegrationRequestParts {
  /** Values for `{name}` placeholders of the uri, spliced in as given (still encoded). */
  path: Record<string, string>;
  querystring: Array<[string, string]>;
  /** A list (only from a template's `$context.requestOverride.header`) is the header repeated. */
  headers: Record<string, string | string[]>;
}

/** One requestParameters entry, parsed. */
export type CompiledMapping = { destination: MappingDestination; source: MappingSource; key: string };

/**
 * requestParameters parsed (the importer already refused unparsable ones), and the keys API Gateway
 * forbids mapping (such methods fail every call).
 */
export function compileRequestMappings(integration: Integration): {
  mappings: CompiledMapping[];
  forbidden: string[];
} {
  const mappings = Object.entries(integration.requestParameters).map(([key, expression]) => ({
    key,
    destination: parseMappingDestination(key, 'integration-request'),
    source: parseMappingSource(expression, 'integration-request'),
  }));
  const forbidden = mappings
    .filter(
      (m) =>
        m.destination.location === 'header' &&
        isForbiddenRequestMapping(integration.type, m.destination.name),
    )
    .map((m) => m.key);
  return { mappings, forbidden };
}

/** Integration request headers mapped where API Gateway forbids it; such methods fail every call. */
export function forbiddenMappings(integration: Integration): string[] {
  return compileRequestMappings(integration).forbidden;
}

/** Applies requestParameters to build the integration request's path values, query and headers. */
function mapRequestParameters(inv: Invocation): IntegrationRequestParts {
  const compiled = inv.compiled!;
  if (compiled.forbiddenMappings.length > 0) throw GatewayErrors.apiConfigurationError();
  const parts: IntegrationRequestParts = { path: {}, querystring: [], headers: {} };
  if (compiled.requestMappings.length === 0) return parts;
  const input = mappingInput(inv);
  for (const { destination, source } of compiled.requestMappings) {
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

/**
 * The integration request stage: builds the whole request the integration will send (URI, headers,
 * query, body or body stream) on the invocation, from requestParameters, the request template or
 * passthrough, and the integration's uri. Nothing is sent here.
 */
export function integrationRequest(inv: Invocation, rt: GatewayRuntime): MaybePromise<void> {
  const compiled = inv.compiled!;
  const log = rt.log;
  switch (compiled.integration.type) {
    case 'MOCK':
      // Rendered even when passed through: 415 and template errors happen as for any integration.
      return thenMaybe(integrationRequestBody(inv, log), (body) => {
        inv.integrationRequest = { kind: 'mock', body };
      });
    case 'AWS_PROXY':
      // The whole method request is the event; requestParameters do not apply to Lambda proxies,
      // but mapping a forbidden header still fails every call before the function is invoked.
      if (compiled.forbiddenMappings.length > 0) throw GatewayErrors.apiConfigurationError();
      inv.integrationRequest = { kind: 'aws', request: lambdaProxyRequest(inv, rt) };
      return;
    case 'HTTP_PROXY':
      inv.integrationRequest = {
        kind: 'http',
        request: httpProxyRequest(inv, mapRequestParameters(inv), log),
      };
      return;
    case 'HTTP': {
      const parts = mapRequestParameters(inv);
      // The template may override path values, so it renders before the URL does.
      return thenMaybe(integrationRequestPayload(inv, log, parts), (body) => {
        inv.integrationRequest = { kind: 'http', request: httpRequest(inv, parts, body, log) };
      });
    }
    case 'AWS': {
      const parts = mapRequestParameters(inv);
      if (compiled.callsLambda) {
        return thenMaybe(integrationRequestBody(inv, log, parts), (payload) => {
          const invocationType = Object.entries(joinHeaderValues(parts.headers)).find(
            ([k]) => k.toLowerCase() === 'x-amz-invocation-type',
          );
          inv.integrationRequest = {
            kind: 'aws',
            request: lambdaInvokeRequest(
              inv,
              compiled.integration,
              payload,
              rt,
              invocationType ? { 'X-Amz-Invocation-Type': invocationType[1] } : {},
            ),
          };
        });
      }
      return thenMaybe(integrationRequestPayload(inv, log, parts), (body) => {
        inv.integrationRequest = { kind: 'aws', request: awsServiceRequest(inv, parts, body, rt) };
      });
    }
    default:
      log.error(
        `${inv.requestId} ${compiled.integration.pointer}: ${String(compiled.integration.type)} integrations are not supported yet`,
      );
      throw GatewayErrors.apiConfigurationError();
  }
}
