import { ContentConversionError, convertRequestPayload, isBinaryRequest } from '../../mappings/content';
import { pointerTo } from '../../openapi';
import { GatewayErrors } from '../gateway-error';
import type { Invocation } from '../invocation';
import type { Logger } from '../log';
import { thenMaybe, type MaybePromise } from '../maybe-async';
import { renderTemplate, requestOverrideValues, templateOverrides } from '../templates';
import type { IntegrationRequestParts } from './integration-request';

/**
 * The body of a non-proxy integration request
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html):
 * content handling first, then the request template chosen by Content-Type (or passthrough, or
 * 415). `$context.requestOverride` set by the template is applied to `parts` (it wins over
 * requestParameters).
 */
export function integrationRequestBody(
  inv: Invocation,
  log: Logger,
  parts?: IntegrationRequestParts,
): MaybePromise<Buffer> {
  const { integration, requestTemplate } = inv.compiled!;
  const contentType = inv.request.nodeHeaders['content-type'];
  const choice = requestTemplate(contentType);
  if (choice.kind === 'unsupported-media-type') throw GatewayErrors.unsupportedMediaType();
  // prepareRequestBody buffers the body for every call that gets here; an empty stand-in would be silently wrong.
  if (!inv.request.payload.buffered)
    throw new Error('the request body was not buffered for its integration request');
  const binary = isBinaryRequest(contentType, inv.api.binaryMediaTypes);
  let payload;
  try {
    payload = convertRequestPayload(inv.request.body, binary, integration.contentHandling);
  } catch (e) {
    if (!(e instanceof ContentConversionError)) throw e;
    log.error(`${inv.requestId} ${integration.pointer}: CONVERT_TO_BINARY of a request that is not base64`);
    throw GatewayErrors.apiConfigurationError();
  }
  if (choice.kind === 'passthrough') return payload.body;
  const pointer = pointerTo(integration.pointer, 'requestTemplates', choice.contentType);
  return thenMaybe(
    renderTemplate(inv, choice.template, payload, { side: 'request', pointer }, log),
    (body) => {
      if (parts) applyRequestOverrides(inv, parts);
      return body;
    },
  );
}

/** `$context.requestOverride` set by the template wins over requestParameters. */
function applyRequestOverrides(inv: Invocation, parts: IntegrationRequestParts): void {
  const overrides = templateOverrides(inv);
  if (overrides) {
    Object.assign(parts.path, overrides.request.path);
    // A list value repeats the header or query parameter (the backend sees each value).
    for (const [name, values] of Object.entries(requestOverrideValues(inv, 'header'))) {
      parts.headers[name] = values.length === 1 ? values[0] : values;
    }
    for (const [name, values] of Object.entries(requestOverrideValues(inv, 'querystring'))) {
      parts.querystring = parts.querystring.filter(([k]) => k !== name);
      for (const value of values) parts.querystring.push([name, value]);
    }
  }
}
