import { refillMs, takeToken, type BucketState } from './token-bucket';
import { USAGE_RETENTION_MS } from './store';
import type { BucketSpec, QuotaCount, QuotaOutcome, StateStore } from './store';

// Beyond this many buckets, the ones that are full again (untouched long enough) are forgotten.
const MAX_BUCKETS = 100_000;

/**
 * The in-process engine: everything in this process's memory, nothing to install. Each process
 * of `--workers` or each machine keeps its own counters; share them with `--redis`.
 */
export class MemoryStore implements StateStore {
  readonly engine = 'memory';
  private readonly buckets = new Map<string, BucketState & { idleMs: number }>();
  private readonly counters = new Map<string, { value: number; expires: number }>();
  private readonly entries = new Map<string, { value: Buffer; expires: number }>();
  private entryBytes = 0;

  /**
   * `maxEntryBytes`: the most the entries (stage cache, authorizer results) may hold together;
   * `clock`: what entry lifetimes are measured by (tests inject one).
   */
  constructor(
    private readonly maxEntryBytes = 512 * 1024 * 1024,
    private readonly clock: () => number = Date.now,
  ) {}

  async takeTokens(buckets: readonly BucketSpec[], now: number): Promise<number> {
    for (let i = 0; i < buckets.length; i++) {
      const { key, rateLimit, burstLimit } = buckets[i];
      let state = this.buckets.get(key);
      if (!state) {
        if (this.buckets.size >= MAX_BUCKETS) this.forgetFullBuckets(now);
        state = { tokens: burstLimit, at: now, idleMs: refillMs(rateLimit, burstLimit) };
        this.buckets.set(key, state);
      }
      if (!takeToken(state, rateLimit, burstLimit, now)) return i;
    }
    return -1;
  }

  private forgetFullBuckets(now: number): void {
    for (const [key, state] of this.buckets) if (now - state.at > state.idleMs) this.buckets.delete(key);
  }

  private counter(key: string, now: number): number {
    const c = this.counters.get(key);
    if (!c) return 0;
    if (c.expires <= now) {
      this.counters.delete(key);
      return 0;
    }
    return c.value;
  }

  private add(key: string, expires: number, now: number): number {
    const value = this.counter(key, now) + 1;
    this.counters.set(key, { value, expires });
    return value;
  }

  async countRequest(count: QuotaCount, now: number): Promise<QuotaOutcome> {
    let used = 0;
    if (count.quotaKey !== undefined) {
      if (!this.counters.has(count.firstPeriodKey))
        this.counters.set(count.firstPeriodKey, { value: count.periodStart, expires: Infinity });
      const first = this.counters.get(count.firstPeriodKey)!.value === count.periodStart;
      const limit = count.limit - (first ? count.offset : 0);
      used = this.counter(count.quotaKey, now);
      if (used >= limit) return { allowed: false, used };
      used = this.add(count.quotaKey, count.periodEnd, now);
    }
    this.add(count.dayKey, now + USAGE_RETENTION_MS, now);
    return { allowed: true, used };
  }

  async readCounters(keys: readonly string[]): Promise<number[]> {
    const now = this.clock();
    return keys.map((k) => this.counter(k, now));
  }

  async getEntry(key: string): Promise<Buffer | undefined> {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.clock()) {
      this.dropEntry(key);
      return undefined;
    }
    return entry.value;
  }

  async setEntry(key: string, value: Buffer, ttlMs: number): Promise<void> {
    this.dropEntry(key);
    if (value.length > this.maxEntryBytes) return;
    // Oldest first out (a Map iterates in insertion order) until the new entry fits.
    for (const oldest of this.entries.keys()) {
      if (this.entryBytes + value.length <= this.maxEntryBytes) break;
      this.dropEntry(oldest);
    }
    this.entries.set(key, { value, expires: this.clock() + ttlMs });
    this.entryBytes += value.length;
  }

  private dropEntry(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.entryBytes -= entry.value.length;
  }

  async deleteEntries(prefix: string): Promise<number> {
    let n = 0;
    for (const key of [...this.entries.keys()]) {
      if (!key.startsWith(prefix)) continue;
      this.dropEntry(key);
      n++;
    }
    return n;
  }

  async close(): Promise<void> {
    this.buckets.clear();
    this.counters.clear();
    this.entries.clear();
    this.entryBytes = 0;
  }
}
