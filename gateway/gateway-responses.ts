import type { ApiDefinition, GatewayResponse } from '../openapi/model';
import { evaluateMappingSource, type MappingInput } from '../mappings/parameters';
import { GATEWAY_RESPONSE_TYPES, type GatewayError } from './gateway-error';
import { setHeader } from './header-values';
import { chooseResponseTemplate, headerMappings } from './response-mappings';

/** A rendered gateway response, ready to send. */
export interface RenderedGatewayResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** What a gateway response is rendered from, besides the error. */
export interface GatewayResponseInput {
  requestId: string;
  extendedRequestId: string;
  /** The client's Accept header: it picks among the response templates, as for integration responses. */
  accept?: string;
  /** `$context` of the request as far as it got (`error` is added here). */
  context: Record<string, unknown>;
  /** What `responseParameters` read: `method.request.*`, `context.*`, `stageVariables.*`. */
  mapping: MappingInput;
}

/**
 * The template of every type that is not customised
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
 */
export const DEFAULT_GATEWAY_RESPONSE_TEMPLATE = '{"message":$context.error.messageString}';

/**
 * The configuration that applies to an error: its type's own entry when the API customises that
 * type (used as is: absent fields take the type's defaults, not DEFAULT_xXX's), else DEFAULT_4XX or
 * DEFAULT_5XX by the class of the type's default status, else none.
 */
export function gatewayResponseConfiguration(
  api: ApiDefinition | undefined,
  error: GatewayError,
): GatewayResponse | undefined {
  if (!api || !error.customisable) return undefined;
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

/** `$context.a.b`, `${context.a.b}`, `$stageVariables.x` and `${stageVariables.x}`; a trailing `.` stays text. */
const REFERENCE =
  /\$(?:\{(context|stageVariables)\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*)\}|(context|stageVariables)\.([A-Za-z0-9_]+(?:\.[A-Za-z0-9_]+)*))/g;

/**
 * Gateway-response templates are plain substitution of `$context.*` and `$stageVariables.*`, not
 * VTL
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html):
 * directives such as `#if` stay as text, other `$` references too. Missing values (and non-scalar
 * ones, which have no text form here) render empty.
 */
export function substituteTemplate(
  template: string,
  context: Record<string, unknown>,
  stageVariables: Record<string, string>,
): string {
  return template.replace(
    REFERENCE,
    (_m, b1: string | undefined, p1: string | undefined, b2: string | undefined, p2: string | undefined) => {
      const root = b1 ?? b2;
      const path = (p1 ?? p2) as string;
      const value =
        root === 'context'
          ? lookup(context, path)
          : Object.hasOwn(stageVariables, path)
            ? stageVariables[path]
            : undefined;
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : '';
    },
  );
}

/**
 * Renders a gateway-generated error the way API Gateway does
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html):
 * the status of the configuration or the error, the chosen template with `$context.error.*` filled
 * in, the configured headers, `Content-Type` (the template's media type unless a parameter sets
 * it), and
 * `x-amzn-ErrorType`, `x-amzn-RequestId`, `x-amz-apigw-id`.
 */
export function renderGatewayResponse(
  api: ApiDefinition | undefined,
  error: GatewayError,
  input: GatewayResponseInput,
): RenderedGatewayResponse {
  const config = gatewayResponseConfiguration(api, error);
  const context = {
    ...input.context,
    error: {
      message: error.nullMessage ? null : error.message,
      // The message as a JSON string, quotes included: the default template relies on it.
      messageString: error.nullMessage ? 'null' : JSON.stringify(error.message),
      responseType: error.type,
      validationErrorString: error.validationErrorString,
    },
  };
  const status = config?.statusCode !== undefined ? Number(config.statusCode) : error.status;
  const fallback =
    error.messageKey === 'message'
      ? DEFAULT_GATEWAY_RESPONSE_TEMPLATE
      : DEFAULT_GATEWAY_RESPONSE_TEMPLATE.replace('"message"', `"${error.messageKey}"`);
  const [mediaType, template] = chooseResponseTemplate(config?.responseTemplates ?? {}, input.accept) ?? [
    'application/json',
    fallback,
  ];
  const body = Buffer.from(substituteTemplate(template, context, input.mapping.stageVariables), 'utf8');
  const headers: Record<string, string> = { 'Content-Type': mediaType };
  if (config) {
    const mapping = { ...input.mapping, context };
    for (const { name, source } of headerMappings(
      config.responseParameters,
      'gatewayresponse.header.',
      'gateway-response',
    )) {
      const value = evaluateMappingSource(source, mapping);
      if (value !== undefined) setHeader(headers, name, Array.isArray(value) ? value.join(',') : value);
    }
  }
  setHeader(headers, 'x-amzn-ErrorType', error.errorType);
  setHeader(headers, 'x-amzn-RequestId', input.requestId);
  setHeader(headers, 'x-amz-apigw-id', input.extendedRequestId);
  return { status, headers, body };
}
