import { chooseRequestTemplate } from '../../mappings/templates';
import type { Integration } from '../../openapi/model';
import { GatewayErrors } from '../gateway-error';
import type { Invocation } from '../invocation';
import type { Logger } from '../log';

function firstHeader(inv: Invocation, name: string): string | undefined {
  const v = inv.request.nodeHeaders[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/**
 * The body of a non-proxy integration request: the request template chosen by Content-Type, or
 * the client's body passed through, or 415 — by the passthrough behaviour (reference §6).
 */
export function integrationRequestBody(inv: Invocation, integration: Integration, log: Logger): Buffer {
  const choice = chooseRequestTemplate(
    integration.requestTemplates,
    integration.passthroughBehavior,
    firstHeader(inv, 'content-type'),
  );
  if (choice.kind === 'unsupported-media-type') throw GatewayErrors.unsupportedMediaType();
  if (choice.kind === 'passthrough') return inv.request.body;
  log.error(`${inv.requestId} ${integration.pointer}: mapping templates are not supported yet`);
  throw GatewayErrors.internalServerError();
}
