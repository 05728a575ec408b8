import { decodeEntry, encodeEntry } from '../../gateway/access/cache';
import { MemoryStore } from '../../gateway/access/memory-store';
import { periodBounds, utcDate } from '../../gateway/access/quota-period';
import {
  AccessConfigError,
  linkPlans,
  parseAccessSetting,
  splitMethodKey,
} from '../../gateway/access/settings';
import { takeToken } from '../../gateway/access/token-bucket';
import { ConfigError, validateLayer } from '../../gateway/config';

describe('token bucket', () => {
  test('starts full, takes one token a request, refills at the rate up to the burst', () => {
    const state = { tokens: 2, at: 0 };
    expect([takeToken(state, 1, 2, 0), takeToken(state, 1, 2, 0), takeToken(state, 1, 2, 0)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(takeToken(state, 1, 2, 999)).toBe(false);
    expect(takeToken(state, 1, 2, 1000)).toBe(true);
    expect(takeToken(state, 1, 2, 100_000)).toBe(true);
    expect(takeToken(state, 1, 2, 100_000)).toBe(true);
    expect(takeToken(state, 1, 2, 100_000)).toBe(false);
  });

  test('a clock that goes back does not add tokens', () => {
    const state = { tokens: 0, at: 5000 };
    expect(takeToken(state, 10, 5, 1000)).toBe(false);
  });

  test('burst 0 refuses everything', () => {
    const state = { tokens: 0, at: 0 };
    expect(takeToken(state, 100, 0, 10_000)).toBe(false);
  });
});

describe('quota periods (UTC calendar periods)', () => {
  const t = Date.UTC(2026, 0, 15, 13, 45); // Thursday
  test('DAY, WEEK (from Sunday), MONTH', () => {
    expect(periodBounds('DAY', t)).toEqual({ start: Date.UTC(2026, 0, 15), end: Date.UTC(2026, 0, 16) });
    expect(periodBounds('WEEK', t)).toEqual({ start: Date.UTC(2026, 0, 11), end: Date.UTC(2026, 0, 18) });
    expect(periodBounds('MONTH', t)).toEqual({ start: Date.UTC(2026, 0, 1), end: Date.UTC(2026, 1, 1) });
    expect(periodBounds('MONTH', Date.UTC(2026, 11, 31, 23))).toEqual({
      start: Date.UTC(2026, 11, 1),
      end: Date.UTC(2027, 0, 1),
    });
    expect(utcDate(t)).toBe('2026-01-15');
  });
});

describe('access settings', () => {
  const where = 'apigw.yaml';
  test("AWS's key value rules and messages", () => {
    expect(() => parseAccessSetting('apiKeys', [{ value: 'short' }], where)).toThrow(
      'apigw.yaml: apiKeys[0].value: API Key value should be at least 20 characters',
    );
    expect(() => parseAccessSetting('apiKeys', [{ value: 'x'.repeat(129) }], where)).toThrow(
      'API Key value exceeds maximum size of 128 characters',
    );
    const [key] = parseAccessSetting('apiKeys', [{ value: 'k'.repeat(20) }], where) as {
      enabled: boolean;
      id: string;
    }[];
    // CreateApiKey's default.
    expect(key.enabled).toBe(false);
    expect(key.id).toMatch(/^[a-z0-9]{10}$/);
  });

  test('method keys: /path/VERB, //GET for the root, ~1-escaped methodSettings keys', () => {
    expect(splitMethodKey('/pets/GET')).toEqual(['/pets', 'GET']);
    expect(splitMethodKey('//GET')).toEqual(['/', 'GET']);
    expect(splitMethodKey('~1pets/GET')).toEqual(['/pets', 'GET']);
    expect(splitMethodKey('~1/GET')).toEqual(['/', 'GET']);
    expect(splitMethodKey('~1pets~1{id}/post')).toEqual(['/pets/{id}', 'POST']);
    expect(splitMethodKey('/pets/FETCH')).toBeUndefined();
    const settings = parseAccessSetting('methodSettings', { '~1pets/GET': { cachingEnabled: true } }, where);
    expect(settings).toEqual({ '/pets/GET': { cachingEnabled: true } });
  });

  test('cacheTtlInSeconds at most 3600; strategies by name', () => {
    expect(() => parseAccessSetting('methodSettings', { '*/*': { cacheTtlInSeconds: 3601 } }, where)).toThrow(
      'from 0 to 3600',
    );
    expect(() =>
      parseAccessSetting(
        'methodSettings',
        { '*/*': { unauthorizedCacheControlHeaderStrategy: 'IGNORE' } },
        where,
      ),
    ).toThrow('FAIL_WITH_403');
  });

  test('quota periods and offsets; plans name existing keys; one plan per key and stage', () => {
    expect(() =>
      parseAccessSetting(
        'usagePlans',
        [{ apiStages: [{ stage: 'dev' }], quota: { limit: 5, period: 'YEAR' } }],
        where,
      ),
    ).toThrow('must be DAY, WEEK or MONTH');
    expect(() =>
      parseAccessSetting('usagePlans', [{ apiStages: [{ stage: 'dev', throttle: { '/pets': {} } }] }], where),
    ).toThrow("'/pets' is not a method");
    const apiKeys = parseAccessSetting(
      'apiKeys',
      [{ id: 'k1', name: 'alice', value: 'a'.repeat(20) }],
      where,
    ) as never;
    const plan = (id: string) => ({ id, apiStages: [{ stage: 'dev' }], apiKeys: ['alice'] });
    const usagePlans = parseAccessSetting('usagePlans', [plan('p1'), plan('p2')], where) as never;
    expect(() => linkPlans({ apiKeys, usagePlans }, where)).toThrow('a key may be in one plan per API stage');
    const missing = parseAccessSetting('usagePlans', [{ ...plan('p1'), apiKeys: ['bob'] }], where) as never;
    expect(() => linkPlans({ apiKeys, usagePlans: missing }, where)).toThrow(AccessConfigError);
  });

  test('the config layer reports them as ConfigError', () => {
    expect(() => validateLayer({ redis: 'localhost:6379' }, where, '/')).toThrow(ConfigError);
    expect(() => validateLayer({ cacheClusterSize: 2 }, where, '/')).toThrow('0.5, 1.6');
    expect(validateLayer({ accountThrottle: { rateLimit: '5', burstLimit: 10 } }, where, '/')).toEqual({
      accountThrottle: { rateLimit: 5, burstLimit: 10 },
    });
  });
});

describe('stage cache entries', () => {
  test('status, headers (not the framing) and body round-trip', () => {
    const entry = encodeEntry(
      201,
      { 'Content-Type': 'text/plain', 'Content-Length': '3', 'X-A': 'b' },
      Buffer.from('abc'),
    );
    expect(decodeEntry(entry)).toEqual({
      status: 201,
      headers: { 'Content-Type': 'text/plain', 'X-A': 'b' },
      body: { kind: 'buffer', data: Buffer.from('abc') },
    });
    expect(decodeEntry(Buffer.from([0, 0]))).toBeUndefined();
  });
});

describe('in-process store', () => {
  test('entries expire on the injected clock and are evicted oldest first beyond the size bound', async () => {
    let now = 0;
    const store = new MemoryStore(10, () => now);
    await store.setEntry('a', Buffer.from('12345'), 1000);
    await store.setEntry('b', Buffer.from('12345'), 5000);
    expect((await store.getEntry('a'))?.toString()).toBe('12345');
    await store.setEntry('c', Buffer.from('1'), 10_000);
    expect(await store.getEntry('a')).toBeUndefined();
    now = 5000;
    expect(await store.getEntry('b')).toBeUndefined();
    expect(await store.deleteEntries('c')).toBe(1);
    expect(await store.getEntry('c')).toBeUndefined();
  });

  test('a quota counts up to its limit, the day counter counts what was allowed', async () => {
    const store = new MemoryStore(undefined, () => 1000);
    const count = {
      quotaKey: 'q',
      limit: 2,
      offset: 0,
      firstPeriodKey: 'f',
      periodStart: 0,
      periodEnd: 10_000,
      dayKey: 'd',
    };
    const outcomes = [];
    for (let i = 0; i < 3; i++) outcomes.push(await store.countRequest(count, 1000));
    expect(outcomes.map((o) => o.allowed)).toEqual([true, true, false]);
    expect(await store.readCounters(['d', 'q', 'none'])).toEqual([2, 2, 0]);
  });
});
