import type Redis from 'ioredis';
import type { Logger } from '../log';
import { MemoryStore } from './memory-store';
import { refillMs } from './token-bucket';
import { USAGE_RETENTION_MS } from './store';
import type { BucketSpec, QuotaCount, QuotaOutcome, StateStore } from './store';

/**
 * The token bucket of token-bucket.ts over several buckets at once, atomically: one token from each
 * in order, stopping at the first that has none (returned as its 0-based index; -1: all gave one).
 * KEYS: the buckets; ARGV: now (ms), then rate, burst and idle time (ms) per bucket.
 */
const TAKE_TOKENS = `
local now = tonumber(ARGV[1])
for i, key in ipairs(KEYS) do
  local rate = tonumber(ARGV[i * 3 - 1])
  local burst = tonumber(ARGV[i * 3])
  local idle = tonumber(ARGV[i * 3 + 1])
  local state = redis.call('HMGET', key, 't', 'at')
  local tokens = tonumber(state[1])
  local at = tonumber(state[2])
  if tokens == nil or at == nil then
    tokens = burst
    at = now
  end
  if now > at then
    tokens = math.min(burst, tokens + (now - at) / 1000 * rate)
    at = now
  end
  local took = tokens >= 1
  if took then tokens = tokens - 1 end
  redis.call('HSET', key, 't', tostring(tokens), 'at', tostring(at))
  redis.call('PEXPIRE', key, idle)
  if not took then return i - 1 end
end
return -1
`;

/**
 * One request against a quota (unless used up) and the day's usage, atomically.
 * KEYS: quota counter, first-period marker, day counter; ARGV: has quota (1/0), limit, offset,
 * period start, quota ttl (ms), day ttl (ms).
 */
const COUNT_REQUEST = `
local used = 0
if ARGV[1] == '1' then
  redis.call('SET', KEYS[2], ARGV[4], 'NX')
  local limit = tonumber(ARGV[2])
  if redis.call('GET', KEYS[2]) == ARGV[4] then limit = limit - tonumber(ARGV[3]) end
  used = tonumber(redis.call('GET', KEYS[1]) or '0')
  if used >= limit then return {0, used} end
  used = redis.call('INCR', KEYS[1])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
end
redis.call('INCR', KEYS[3])
redis.call('PEXPIRE', KEYS[3], ARGV[6])
return {1, used}
`;

interface ScriptedRedis extends Redis {
  apigwTakeTokens(numKeys: number, ...args: (string | number)[]): Promise<number>;
  apigwCountRequest(...args: (string | number)[]): Promise<[number, number]>;
}

/** Redis was not reachable when the gateway started. */
export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/** The URL without its password, for messages. */
export function redactRedisUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.href;
  } catch {
    return 'redis';
  }
}

/**
 * The Redis engine: every gateway process and machine pointing at the same Redis shares throttle
 * buckets (one Lua script takes the tokens of all of a request's limits atomically), quota and
 * usage counters, the stage cache and authorizer results.
 *
 * Redis going away fails open: requests keep being served, limited and cached by this process's
 * own memory (the in-process engine) until Redis answers again; the outage and the recovery are
 * logged once each. Counting never stops, but while Redis is away each process counts alone.
 */
export class RedisStore implements StateStore {
  readonly engine = 'redis';
  private readonly fallback: MemoryStore;
  private down = false;
  /** While down but connected: when Redis may be tried again. */
  private retryAt = 0;

  private constructor(
    private readonly redis: ScriptedRedis,
    private readonly where: string,
    private readonly log: Logger,
    clock: () => number,
  ) {
    this.fallback = new MemoryStore(undefined, clock);
    redis.on('ready', () => this.cameBack());
    // ioredis reports every failed reconnection attempt here; the outage itself is logged once (below).
    redis.on('error', () => undefined);
  }

  /** Connects (start-up fails with RedisUnavailableError when Redis does not answer). */
  static async connect(url: string, log: Logger, clock: () => number = Date.now): Promise<RedisStore> {
    const where = redactRedisUrl(url);
    // Loaded here, only with --redis: ioredis is about a sixth of apigw's start-up otherwise.
    const Redis = (require('ioredis') as typeof import('ioredis')).default;
    const redis = new Redis(url, {
      lazyConnect: true,
      // Fail fast while disconnected: the request is served from the fallback instead of waiting.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 1000,
      connectTimeout: 3000,
      retryStrategy: (times) => Math.min(times * 100, 1000),
    }) as ScriptedRedis;
    redis.defineCommand('apigwTakeTokens', { lua: TAKE_TOKENS });
    redis.defineCommand('apigwCountRequest', { numberOfKeys: 3, lua: COUNT_REQUEST });
    // The socket's own error (ECONNREFUSED, ENOTFOUND, ...) says more than "Connection is closed".
    let cause: Error | undefined;
    const record = (e: Error) => (cause ??= e);
    redis.on('error', record);
    try {
      await redis.connect();
      await redis.ping();
    } catch (e) {
      redis.disconnect();
      throw new RedisUnavailableError(`cannot reach Redis at ${where}: ${(cause ?? (e as Error)).message}`);
    } finally {
      redis.off('error', record);
    }
    return new RedisStore(redis, where, log, clock);
  }

  /**
   * Runs `op` on Redis, or `fallback` while Redis is away (logging the outage once). A Redis that
   * stays connected but stops answering (commands time out) is tried again once a second.
   */
  private async either<T>(op: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
    if (this.redis.status === 'ready' && (!this.down || Date.now() >= this.retryAt)) {
      try {
        const result = await op();
        this.cameBack();
        return result;
      } catch (e) {
        this.wentAway((e as Error).message);
        this.retryAt = Date.now() + 1000;
      }
    } else {
      this.wentAway(`connection ${this.redis.status}`);
    }
    return fallback();
  }

  private wentAway(why: string): void {
    if (this.down) return;
    this.down = true;
    this.log.warn(
      `Redis at ${this.where} is unavailable (${why}): failing open, this process's own memory limits, counts and caches until Redis is back`,
    );
  }

  private cameBack(): void {
    if (!this.down) return;
    this.down = false;
    this.log.info(`Redis at ${this.where} is back: shared limits, quotas and cache resume there`);
  }

  takeTokens(buckets: readonly BucketSpec[], now: number): Promise<number> {
    return this.either(
      () =>
        this.redis.apigwTakeTokens(
          buckets.length,
          ...buckets.map((b) => b.key),
          now,
          ...buckets.flatMap((b) => [b.rateLimit, b.burstLimit, refillMs(b.rateLimit, b.burstLimit)]),
        ),
      () => this.fallback.takeTokens(buckets, now),
    );
  }

  countRequest(count: QuotaCount, now: number): Promise<QuotaOutcome> {
    return this.either(
      async () => {
        const [allowed, used] = await this.redis.apigwCountRequest(
          count.quotaKey ?? `${count.dayKey}:no-quota`,
          count.firstPeriodKey,
          count.dayKey,
          count.quotaKey === undefined ? '0' : '1',
          count.limit,
          count.offset,
          count.periodStart,
          // Relative to the caller's clock, with a minute's grace for clocks that differ between machines.
          Math.max(1, count.periodEnd - now + 60_000),
          USAGE_RETENTION_MS,
        );
        return { allowed: allowed === 1, used };
      },
      () => this.fallback.countRequest(count, now),
    );
  }

  readCounters(keys: readonly string[]): Promise<number[]> {
    if (keys.length === 0) return Promise.resolve([]);
    return this.either(
      async () => (await this.redis.mget(...keys)).map((v) => (v === null ? 0 : Number(v))),
      () => this.fallback.readCounters(keys),
    );
  }

  getEntry(key: string): Promise<Buffer | undefined> {
    return this.either(
      async () => (await this.redis.getBuffer(key)) ?? undefined,
      () => this.fallback.getEntry(key),
    );
  }

  setEntry(key: string, value: Buffer, ttlMs: number): Promise<void> {
    return this.either(
      async () => {
        await this.redis.set(key, value, 'PX', Math.max(1, Math.round(ttlMs)));
      },
      () => this.fallback.setEntry(key, value, ttlMs),
    );
  }

  deleteEntries(prefix: string): Promise<number> {
    return this.either(
      async () => {
        let cursor = '0';
        let n = 0;
        do {
          const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          cursor = next;
          if (keys.length > 0) n += await this.redis.unlink(...keys);
        } while (cursor !== '0');
        // Whatever this process cached on its own during an outage goes too.
        await this.fallback.deleteEntries(prefix);
        return n;
      },
      () => this.fallback.deleteEntries(prefix),
    );
  }

  async close(): Promise<void> {
    this.redis.disconnect();
    await this.fallback.close();
  }
}
