/**
 * The stages a trace lists for a request that runs the whole lifecycle, in API Gateway's order,
 * API keys, throttling and the stage cache included (they pass when the API configures none).
 * Written out here, not read from gateway/lifecycle.ts, so that a change of the chain shows in tests.
 */
export const TRACED_STAGES = [
  'method request',
  'authorize',
  'api key',
  'throttle',
  'validate',
  'cache lookup',
  'integration request',
  'integration',
  'integration response',
  'cache fill',
  'method response',
];
