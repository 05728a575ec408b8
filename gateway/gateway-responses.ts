import type { ApiDefinition, GatewayResponse } from '../openapi/model';
import { evaluateMappingSource, parseMappingSource, type MappingInput } from '../mappings/parameters';
import { GATEWAY_RESPONSE_TYPES, type GatewayError } from './gateway-error';

/** A rendered gateway response, ready to send. */
export interface RenderedGatewayResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

const DEFAULT_TEMPLATE = '{"message":$context.error.messageString}';

/**
 * The configuration that applies to a response type: its own entry when the API customises it,
 * else DEFAULT_4XX / DEFAULT_5XX by the class of its status; REQUEST_TOO_LARGE cannot be customised.
 */
function configurationFor(api: ApiDefinition | undefined, error: GatewayError): GatewayResponse | undefined {
  if (!api || error.type === 'REQUEST_TOO_LARGE') return undefined;
  const own = api.gatewayResponses[error.type];
  if (own) return own;
  const defaultStatus = GATEWAY_RESPONSE_TYPES[error.type].status;
  return api.gatewayResponses[defaultStatus >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX'];
}

/** Looks a dotted `$context` path up in the context object. */
function lookup(context: Record<string, unknown>, dotted: string): unknown {
  let value: unknown = context;
  for (const part of dotted.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Gateway-response templates are plain substitution of $context.* and $stageVariables.*, not VTL. */
export function substituteTemplate(
  template: string,
  context: Record<string, unknown>,
  stageVariables: Record<string, string>,
): string {
  return template.replace(
    /\$(?:\{(context|stageVariables)\.([A-Za-z0-9_.]+)\}|(context|stageVariables)\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*))/g,
    (_m, b1: string | undefined, p1: string | undefined, b2: string | undefined, p2: string | undefined) => {
      const root = b1 ?? b2;
      const path = (p1 ?? p2) as string;
      const value = root === 'context' ? lookup(context, path) : stageVariables[path];
      return value === undefined || value === null ? '' : String(value);
    },
  );
}

/**
 * Renders a gateway-generated error the way API Gateway does: status, `{"message": ...}` body (or
 * the API's customised template), configured headers, and the x-amzn-* headers.
 */
export function renderGatewayResponse(
  api: ApiDefinition | undefined,
  error: GatewayError,
  input: {
    requestId: string;
    extendedRequestId: string;
    context: Record<string, unknown>;
    mapping: MappingInput;
  },
): RenderedGatewayResponse {
  const config = configurationFor(api, error);
  const context = {
    ...input.context,
    error: {
      message: error.message,
      messageString: JSON.stringify(error.message),
      responseType: error.type,
      validationErrorString: error.validationErrorString,
    },
  };
  const status = config?.statusCode !== undefined ? Number(config.statusCode) : error.status;
  const templates = config?.responseTemplates ?? {};
  const template = templates['application/json'] ?? Object.values(templates)[0] ?? DEFAULT_TEMPLATE;
  const body = Buffer.from(substituteTemplate(template, context, input.mapping.stageVariables), 'utf8');
  const headers: Record<string, string> = {};
  for (const [destination, expression] of Object.entries(config?.responseParameters ?? {})) {
    const name = destination.replace(/^gatewayresponse\.header\./, '');
    if (name === destination) continue;
    const value = evaluateMappingSource(parseMappingSource(expression, 'gateway-response'), {
      ...input.mapping,
      context,
    });
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return {
    status,
    headers: {
      ...headers,
      'Content-Type': 'application/json',
      'x-amzn-ErrorType': error.errorType,
      'x-amzn-RequestId': input.requestId,
      'x-amz-apigw-id': input.extendedRequestId,
    },
    body,
  };
}
