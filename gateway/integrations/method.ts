import type { Invocation } from '../invocation';

/**
 * The verb the integration request uses: the integration's `httpMethod`, or the client's own when
 * it is ANY or absent (resolved once at load: CompiledMethod.integrationHttpMethod).
 */
export function integrationMethod(inv: Invocation): string {
  return inv.compiled!.integrationHttpMethod ?? inv.request.httpMethod;
}
