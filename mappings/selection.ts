import type { IntegrationResponse } from '../openapi/model';

const compiled = new Map<string, RegExp | null>();

/**
 * A selectionPattern as a whole-string matcher: API Gateway uses Java's Pattern.matches, so the
 * pattern must match the entire selection string. Java and JavaScript regex syntax agree on what
 * these patterns use; a pattern JavaScript cannot compile never matches.
 */
export function selectionMatcher(pattern: string): RegExp | null {
  let re = compiled.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(`^(?:${pattern})$`);
    } catch {
      re = null;
    }
    compiled.set(pattern, re);
  }
  return re;
}

/**
 * Picks the integration response for a selection string (the backend status, or a Lambda
 * errorMessage): the first pattern that matches the whole string, else the default, else none.
 */
export function selectIntegrationResponse(
  responses: readonly IntegrationResponse[],
  selection: string,
): IntegrationResponse | undefined {
  for (const r of responses) {
    if (r.selectionPattern === undefined) continue;
    if (selectionMatcher(r.selectionPattern)?.test(selection)) return r;
  }
  return responses.find((r) => r.selectionPattern === undefined);
}
