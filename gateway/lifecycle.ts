import { apiKey, cacheFill, cacheLookup, throttle } from './access';
import type { Invocation } from './invocation';
import { integration } from './integrations/index';
import { lambdaEndpointResponse } from './integrations/lambda';
import { lambdaProxyResponse } from './integrations/lambda-proxy';
import type { GatewayRuntime } from './runtime';
import { authorize } from './stages/authorize';
import { integrationRequest } from './stages/integration-request';
import { integrationResponse as mapIntegrationResponse } from './stages/integration-response';
import { methodRequest } from './stages/method-request';
import { methodResponse } from './stages/method-response';
import { proxyResponse } from './stages/proxy-response';
import { enforceResponseLimit } from './stages/response-limit';
import { validateRequest } from './stages/validate';

/** One step of the lifecycle: fills its part of the invocation, or throws a GatewayError. */
export interface Stage {
  readonly name: string;
  run(inv: Invocation, rt: GatewayRuntime): void | Promise<void>;
  /** Skipped when the stage cache answered (the integration is not called on a hit). */
  readonly bypassedByCacheHit?: true;
}

/**
 * The integration response stage, per integration type: the proxies pass the endpoint response on
 * (http_proxy as it came, aws_proxy as the function's validated result); every other type selects
 * an integration response and maps it (a non-proxy Lambda first turns a failed call into 500 and
 * a function error into its errorMessage selection).
 */
async function integrationResponse(inv: Invocation, rt: GatewayRuntime): Promise<void> {
  const compiled = inv.compiled!;
  switch (compiled.integration.type) {
    case 'HTTP_PROXY': {
      const result = inv.integrationResult!;
      const sent = compiled.integrationHttpMethod ?? inv.request.httpMethod;
      enforceResponseLimit(inv, result, sent, rt.log);
      inv.methodResponse = proxyResponse(result, sent);
      return;
    }
    case 'AWS_PROXY':
      inv.methodResponse = await lambdaProxyResponse(inv, rt);
      return;
    default:
      if (compiled.callsLambda) await lambdaEndpointResponse(inv, rt.log);
      inv.methodResponse = await mapIntegrationResponse(inv, inv.integrationResult!, inv.selection, rt.log);
  }
}

/**
 * API Gateway's request lifecycle, in its order, for every integration type. Any stage may throw
 * a GatewayError, which the server renders as the matching gateway response.
 */
export const LIFECYCLE: readonly Stage[] = [
  // Stage prefix, route (resource, method or ANY), body read as far as later stages need it.
  { name: 'method request', run: methodRequest },
  // AWS_IAM signature or Lambda authorizer; NONE passes.
  { name: 'authorize', run: authorize },
  // API key of a key-required method (HEADER or the authorizer's usageIdentifierKey): 403 INVALID_API_KEY.
  { name: 'api key', run: apiKey },
  // Usage plan, stage and account token buckets (429 THROTTLED), then the plan's quota (429 QUOTA_EXCEEDED).
  { name: 'throttle', run: throttle },
  // Request validators: required parameters, body against its model.
  { name: 'validate', run: validateRequest },
  // Stage cache: a hit answers with the stored method response.
  { name: 'cache lookup', run: cacheLookup },
  // requestParameters, request template or passthrough, uri: the whole request, not yet sent.
  { name: 'integration request', run: integrationRequest, bypassedByCacheHit: true },
  // Sends it (signed for aws), or selects by a mock's statusCode.
  { name: 'integration', run: integration, bypassedByCacheHit: true },
  { name: 'integration response', run: integrationResponse, bypassedByCacheHit: true },
  // Stores a cache miss's response for the method's TTL.
  { name: 'cache fill', run: cacheFill, bypassedByCacheHit: true },
  // API Gateway's own headers on whatever the client gets.
  { name: 'method response', run: methodResponse },
];

/** Times and records the stages of one request (trace, access log: gateway/observe/). */
export interface LifecycleObserver {
  run(stages: readonly Stage[], inv: Invocation, rt: GatewayRuntime): Promise<void>;
}

/** Runs the lifecycle over one invocation; the method response is on `inv.methodResponse`. */
export async function runLifecycle(inv: Invocation, rt: GatewayRuntime): Promise<void> {
  // Traced or access-logged requests run the same stages, timed; the others pay this one check.
  if (inv.observer) return inv.observer.run(LIFECYCLE, inv, rt);
  for (const stage of LIFECYCLE) {
    if (stage.bypassedByCacheHit && inv.cache?.hit) continue;
    const pending = stage.run(inv, rt);
    // Synchronous stages cost no promise and no microtask.
    if (pending) await pending;
  }
}
