/**
 * The state the gateway's processes must agree on: throttle buckets, quota counters, usage per
 * day, the stage cache and Lambda authorizer results. One interface, two engines: in this process
 * (memory-store.ts, the default) and Redis (redis-store.ts, `--redis URL`), shared by every gateway
 * process and machine that points at it.
 */

/** One throttle limit a request must find a token in. */
export interface BucketSpec {
  key: string;
  rateLimit: number;
  burstLimit: number;
}

/** One request counted against a usage plan's quota (if any) and the key's usage of the day. */
export interface QuotaCount {
  /** Counter of the current quota period; undefined when the plan has no quota. */
  quotaKey: string | undefined;
  limit: number;
  /** Subtracted from the limit in the first period the store counts for this plan and key. */
  offset: number;
  /** Remembers which period was the first (for `offset`). */
  firstPeriodKey: string;
  periodStart: number;
  periodEnd: number;
  /** The day's usage counter (GetUsage), kept for `usageRetentionMs`. */
  dayKey: string;
}

export interface QuotaOutcome {
  allowed: boolean;
  /** Requests counted in the period so far, this one included when allowed. */
  used: number;
}

export interface StateStore {
  readonly engine: 'memory' | 'redis';
  /**
   * Takes one token from each bucket in order, stopping at the first that has none: its index,
   * or -1 when every bucket gave one.
   */
  takeTokens(buckets: readonly BucketSpec[], now: number): Promise<number>;
  /** Counts a request unless the quota is used up; counts the day's usage either way it is allowed. */
  countRequest(count: QuotaCount, now: number): Promise<QuotaOutcome>;
  /** Current values of counters (0 when absent). */
  readCounters(keys: readonly string[]): Promise<number[]>;
  getEntry(key: string): Promise<Buffer | undefined>;
  setEntry(key: string, value: Buffer, ttlMs: number): Promise<void>;
  /** Deletes every entry whose key starts with `prefix`; resolves with how many went. */
  deleteEntries(prefix: string): Promise<number>;
  close(): Promise<void>;
}

/** How long the per-day usage counters are kept (GetUsage reads back up to 90 days, as AWS's console shows). */
export const USAGE_RETENTION_MS = 90 * 86_400_000;

/** The prefix of every key apigw keeps in a shared store. */
export const KEY_PREFIX = 'apigw:';
