/**
 * API Gateway's throttling model: a bucket holds at most `burstLimit` tokens and gains `rateLimit`
 * tokens a second; a request takes one, and finds none: 429
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html).
 * The Redis engine runs the same arithmetic in Lua (redis-store.ts).
 */

export interface BucketState {
  tokens: number;
  /** When `tokens` was last brought up to date (ms). */
  at: number;
}

/** Takes a token at `now` if there is one; mutates `state`. A new bucket starts full. */
export function takeToken(state: BucketState, rateLimit: number, burstLimit: number, now: number): boolean {
  if (now > state.at) {
    state.tokens = Math.min(burstLimit, state.tokens + ((now - state.at) / 1000) * rateLimit);
    state.at = now;
  }
  if (state.tokens < 1) return false;
  state.tokens -= 1;
  return true;
}

/** How long an untouched bucket takes to be full again: after that it can be forgotten. */
export function refillMs(rateLimit: number, burstLimit: number): number {
  if (rateLimit <= 0) return 24 * 3600_000;
  return Math.ceil((burstLimit / rateLimit) * 1000) + 1000;
}
