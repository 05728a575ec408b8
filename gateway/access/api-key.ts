import type { Invocation } from '../invocation';
import type { GatewayRuntime } from '../runtime';
import { AccessErrors } from './errors';

/**
 * The API key stage, after authorization as on AWS (the AUTHORIZER source needs the authorizer's
 * `usageIdentifierKey`): a method that requires a key gets 403 INVALID_API_KEY when the key is
 * missing, unknown, in no usage plan of this API stage, or disabled
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-api-key-source.html).
 * A key sent to a method that requires none is ignored, and not counted.
 */
export function apiKey(inv: Invocation, rt: GatewayRuntime): void {
  const access = rt.access;
  const method = inv.method && access?.methods.get(inv.method);
  if (!access || !method?.apiKeyRequired) return;
  let value: string | undefined;
  if (access.apiKeySource === 'AUTHORIZER') {
    // The client sends no key: the Lambda authorizer names it (an X-API-Key header is ignored).
    value = inv.authorizer?.usageIdentifierKey;
  } else {
    const header = inv.request.nodeHeaders['x-api-key'];
    value = Array.isArray(header) ? header[0] : header;
  }
  if (!value) throw AccessErrors.invalidApiKey();
  const key = access.keysByValue.get(value);
  const plan = key && access.planByKeyId.get(key.id);
  if (!key || !plan || !key.enabled) {
    access.log.debug(
      `${inv.requestId} API key refused: ${!key ? 'unknown' : !plan ? 'in no usage plan of this stage' : 'disabled'}`,
    );
    throw AccessErrors.invalidApiKey();
  }
  inv.apiKey = { id: key.id, value: key.value, planId: plan.id };
}
