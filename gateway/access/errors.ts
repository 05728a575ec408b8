import { GatewayError } from '../gateway-error';

/**
 * The gateway responses of API keys, throttling and quotas, with AWS's messages (default bodies
 * `{"message":"Forbidden"}`, `{"message":"Too Many Requests"}`, `{"message":"Limit Exceeded"}`);
 * an API customises them as INVALID_API_KEY, THROTTLED and QUOTA_EXCEEDED.
 */
export const AccessErrors = {
  /** Every API-key failure alike: missing, unknown, disabled, or in no plan of this API stage. */
  invalidApiKey: () => new GatewayError('INVALID_API_KEY', 'Forbidden'),
  throttled: () => new GatewayError('THROTTLED', 'Too Many Requests'),
  quotaExceeded: () => new GatewayError('QUOTA_EXCEEDED', 'Limit Exceeded'),
  /** `Cache-Control: max-age=0` from a caller not allowed to invalidate, under FAIL_WITH_403. */
  cacheControlForbidden: () =>
    new GatewayError('ACCESS_DENIED', 'Forbidden', { errorType: 'AccessDeniedException' }),
};
