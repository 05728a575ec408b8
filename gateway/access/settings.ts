import { createHash } from 'node:crypto';

/**
 * The access-control settings of a stage that are not part of an OpenAPI export (API Gateway keeps
 * them in its control plane): API keys, usage plans, the stage's method settings (throttling and
 * caching), the account-level throttle, the stage cache cluster and the shared state store. They
 * come from apigw's config file; see docs/usage-plans.md.
 */

/** A token bucket: `burstLimit` tokens at most, refilled at `rateLimit` per second. */
export interface ThrottleSettings {
  rateLimit: number;
  burstLimit: number;
}

export type QuotaPeriod = 'DAY' | 'WEEK' | 'MONTH';

export interface QuotaSettings {
  limit: number;
  period: QuotaPeriod;
  /** Requests subtracted from the limit in the first period (API reference, QuotaSettings). */
  offset: number;
}

export interface ApiKeySetting {
  id: string;
  name: string | undefined;
  value: string;
  /** AWS's default is false: a key created without `enabled: true` is refused. */
  enabled: boolean;
}

export interface ApiStageSetting {
  /** Undefined: the API apigw serves. */
  apiId: string | undefined;
  stage: string;
  /** Per-client per-method limits by `/path/VERB` (root: `//GET`). */
  throttle: Record<string, ThrottleSettings>;
}

export interface UsagePlanSetting {
  id: string;
  name: string | undefined;
  apiStages: ApiStageSetting[];
  throttle: ThrottleSettings | undefined;
  quota: QuotaSettings | undefined;
  /** Ids of the keys attached to the plan. */
  apiKeys: string[];
}

export type UnauthorizedCacheControlHeaderStrategy =
  'FAIL_WITH_403' | 'SUCCEED_WITH_RESPONSE_HEADER' | 'SUCCEED_WITHOUT_RESPONSE_HEADER';

/** One entry of a stage's `methodSettings`; absent fields come from `*\/*`, then AWS's defaults. */
export interface MethodSetting {
  throttlingRateLimit?: number;
  throttlingBurstLimit?: number;
  cachingEnabled?: boolean;
  cacheTtlInSeconds?: number;
  requireAuthorizationForCacheControl?: boolean;
  unauthorizedCacheControlHeaderStrategy?: UnauthorizedCacheControlHeaderStrategy;
}

/** The config file's access-control keys, as `validateLayer` hands them on. */
export interface AccessConfig {
  apiKeys?: ApiKeySetting[];
  usagePlans?: UsagePlanSetting[];
  /** By `*\/*` or `/path/VERB` (AWS's `~1path/VERB` is accepted and read the same way). */
  methodSettings?: Record<string, MethodSetting>;
  /** The account-level (per region) throttle; AWS's default is 10000 requests/s, burst 5000. */
  accountThrottle?: ThrottleSettings;
  /** The stage's cache cluster: without it `cachingEnabled` has no effect, as on AWS. */
  cacheClusterEnabled?: boolean;
  /** Cache capacity in GB, one of AWS's sizes (default 0.5): the in-process engine's memory bound. */
  cacheClusterSize?: number;
  /** A Redis URL: throttle buckets, quotas, the stage cache and authorizer results are shared there. */
  redis?: string;
}

export type AccessConfigKey = keyof AccessConfig;
export const ACCESS_CONFIG_KEYS: readonly AccessConfigKey[] = [
  'apiKeys',
  'usagePlans',
  'methodSettings',
  'accountThrottle',
  'cacheClusterEnabled',
  'cacheClusterSize',
  'redis',
];

/** AWS's account-level default (limits.md). */
export const DEFAULT_ACCOUNT_THROTTLE: ThrottleSettings = { rateLimit: 10000, burstLimit: 5000 };
export const CACHE_CLUSTER_SIZES = [0.5, 1.6, 6.1, 13.5, 28.4, 58.2, 118, 237];
const STRATEGIES: readonly UnauthorizedCacheControlHeaderStrategy[] = [
  'FAIL_WITH_403',
  'SUCCEED_WITH_RESPONSE_HEADER',
  'SUCCEED_WITHOUT_RESPONSE_HEADER',
];
const VERBS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'ANY', '*'];

/** A mistake in the access-control settings (the config layer turns it into a ConfigError). */
export class AccessConfigError extends Error {
  override name = 'AccessConfigError';
}

type Obj = Record<string, unknown>;

function isObj(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(where: string, message: string): never {
  throw new AccessConfigError(`${where}: ${message}`);
}

function object(value: unknown, where: string): Obj {
  if (!isObj(value)) fail(where, `must be a mapping, got ${JSON.stringify(value)}`);
  return value;
}

function only(value: Obj, allowed: string[], where: string): void {
  for (const key of Object.keys(value))
    if (!allowed.includes(key)) fail(where, `unknown setting '${key}' (known: ${allowed.join(', ')})`);
}

function number(
  value: unknown,
  where: string,
  opts: { integer?: boolean; min?: number; max?: number },
): number {
  const n = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value;
  const min = opts.min ?? 0;
  if (
    typeof n !== 'number' ||
    !Number.isFinite(n) ||
    (opts.integer && !Number.isInteger(n)) ||
    n < min ||
    (opts.max !== undefined && n > opts.max)
  ) {
    const range = opts.max === undefined ? `at least ${min}` : `from ${min} to ${opts.max}`;
    fail(
      where,
      `must be ${opts.integer ? 'a whole number' : 'a number'} ${range}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function optionalString(value: unknown, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '')
    fail(where, `must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

function boolean(value: unknown, where: string): boolean {
  if (typeof value !== 'boolean') fail(where, `must be true or false, got ${JSON.stringify(value)}`);
  return value;
}

/** A stable 10-character id, as API Gateway's ids look. */
export function stableId(seed: string): string {
  const digest = createHash('sha256').update(seed).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(digest.subarray(0, 10), (b) => alphabet[b % alphabet.length]).join('');
}

export function parseThrottle(value: unknown, where: string): ThrottleSettings {
  const t = object(value, where);
  only(t, ['rateLimit', 'burstLimit'], where);
  if (t.rateLimit === undefined || t.burstLimit === undefined) fail(where, 'needs rateLimit and burstLimit');
  return {
    rateLimit: number(t.rateLimit, `${where}.rateLimit`, {}),
    burstLimit: number(t.burstLimit, `${where}.burstLimit`, { integer: true }),
  };
}

function parseQuota(value: unknown, where: string): QuotaSettings {
  const q = object(value, where);
  only(q, ['limit', 'period', 'offset'], where);
  const limit = number(q.limit, `${where}.limit`, { integer: true });
  const period = typeof q.period === 'string' ? q.period.toUpperCase() : q.period;
  if (period !== 'DAY' && period !== 'WEEK' && period !== 'MONTH')
    fail(`${where}.period`, `must be DAY, WEEK or MONTH, got ${JSON.stringify(q.period)}`);
  const offset = q.offset === undefined ? 0 : number(q.offset, `${where}.offset`, { integer: true });
  if (offset >= limit && limit > 0) fail(`${where}.offset`, `must be below the limit (${limit})`);
  return { limit, period, offset };
}

/** `/path/VERB` (root `//GET`) → [resourcePath, VERB], or undefined when it is not one. */
export function splitMethodKey(key: string): [string, string] | undefined {
  const slash = key.lastIndexOf('/');
  if (slash < 0) return undefined;
  const verb = key.slice(slash + 1).toUpperCase();
  if (!VERBS.includes(verb)) return undefined;
  let resourcePath = key.slice(0, slash).replace(/~1/g, '/');
  // AWS's methodSettings keys drop the leading slash (`~1pets/GET`, root `~1/GET`); usage-plan keys keep it.
  if (!resourcePath.startsWith('/')) resourcePath = '/' + resourcePath;
  if (resourcePath.length > 1 && resourcePath.startsWith('//')) resourcePath = resourcePath.slice(1);
  if (resourcePath.length > 1 && resourcePath.endsWith('/')) resourcePath = resourcePath.slice(0, -1);
  return [resourcePath, verb];
}

/**
 * A settings list whose elements are objects with only the `allowed` fields; `read` turns each into
 * its setting, and sees the ones read before it (to refuse two with the same id).
 */
function objectList<T>(
  value: unknown,
  where: string,
  what: string,
  allowed: string[],
  read: (o: Obj, at: string, before: readonly T[], index: number) => T,
): T[] {
  if (!Array.isArray(value)) fail(where, `must be a list of ${what}`);
  const out: T[] = [];
  value.forEach((raw, i) => {
    const at = `${where}[${i}]`;
    const o = object(raw, at);
    only(o, allowed, at);
    out.push(read(o, at, out, i));
  });
  return out;
}

function parseApiKeys(value: unknown, where: string): ApiKeySetting[] {
  const fields = ['id', 'name', 'value', 'enabled', 'description'];
  return objectList(value, where, 'keys ({ value, name, enabled })', fields, parseApiKey);
}

function parseApiKey(k: Obj, at: string, keys: readonly ApiKeySetting[]): ApiKeySetting {
  const keyValue = k.value;
  if (typeof keyValue !== 'string' || keyValue === '')
    fail(`${at}.value`, 'is required (the key clients send)');
  // AWS's own messages for CreateApiKey.
  if (keyValue.length < 20) fail(`${at}.value`, 'API Key value should be at least 20 characters');
  if (keyValue.length > 128) fail(`${at}.value`, 'API Key value exceeds maximum size of 128 characters');
  const name = optionalString(k.name, `${at}.name`);
  if (name !== undefined && name.length > 1024)
    fail(`${at}.name`, 'Invalid API Key name, can be at most 1024 characters.');
  const key: ApiKeySetting = {
    id: optionalString(k.id, `${at}.id`) ?? stableId(`apikey\n${keyValue}`),
    name,
    value: keyValue,
    enabled: k.enabled === undefined ? false : boolean(k.enabled, `${at}.enabled`),
  };
  const clash = keys.find((o) => o.id === key.id || o.value === key.value || (name && o.name === name));
  if (clash)
    fail(
      at,
      `two keys with the same ${clash.value === key.value ? 'value' : clash.id === key.id ? 'id' : 'name'}`,
    );
  return key;
}

function parseUsagePlans(value: unknown, where: string): UsagePlanSetting[] {
  const fields = ['id', 'name', 'description', 'apiStages', 'throttle', 'quota', 'apiKeys'];
  return objectList(value, where, 'usage plans', fields, parseUsagePlan);
}

function parseUsagePlan(p: Obj, at: string, plans: readonly UsagePlanSetting[], i: number): UsagePlanSetting {
  const name = optionalString(p.name, `${at}.name`);
  const id = optionalString(p.id, `${at}.id`) ?? stableId(`usageplan\n${name ?? i}`);
  if (plans.some((o) => o.id === id)) fail(at, `two usage plans with the id '${id}'`);
  if (!Array.isArray(p.apiStages) || p.apiStages.length === 0)
    fail(`${at}.apiStages`, 'must list the stages the plan applies to ({ stage, throttle })');
  const apiStages = p.apiStages.map((s, j): ApiStageSetting => {
    const sat = `${at}.apiStages[${j}]`;
    const stage = object(s, sat);
    only(stage, ['apiId', 'stage', 'throttle'], sat);
    const stageName = optionalString(stage.stage, `${sat}.stage`);
    if (stageName === undefined) fail(`${sat}.stage`, 'is required');
    const throttle: Record<string, ThrottleSettings> = {};
    const perMethod = stage.throttle === undefined ? {} : object(stage.throttle, `${sat}.throttle`);
    if (Object.keys(perMethod).length > 20)
      fail(`${sat}.throttle`, 'at most 20 methods per stage (AWS limit)');
    for (const [methodKey, t] of Object.entries(perMethod)) {
      const split = splitMethodKey(methodKey);
      if (!split || split[1] === '*')
        fail(
          `${sat}.throttle`,
          `'${methodKey}' is not a method: use /path/VERB, e.g. /pets/GET or //GET for the root`,
        );
      throttle[`${split[0]}/${split[1]}`] = parseThrottle(t, `${sat}.throttle['${methodKey}']`);
    }
    return { apiId: optionalString(stage.apiId, `${sat}.apiId`), stage: stageName, throttle };
  });
  const keyRefs = p.apiKeys === undefined ? [] : p.apiKeys;
  if (!Array.isArray(keyRefs) || keyRefs.some((k) => typeof k !== 'string'))
    fail(`${at}.apiKeys`, 'must be a list of key ids or names');
  return {
    id,
    name,
    apiStages,
    throttle: p.throttle === undefined ? undefined : parseThrottle(p.throttle, `${at}.throttle`),
    quota: p.quota === undefined ? undefined : parseQuota(p.quota, `${at}.quota`),
    apiKeys: keyRefs as string[],
  };
}

function parseMethodSettings(value: unknown, where: string): Record<string, MethodSetting> {
  const all = object(value, where);
  const out: Record<string, MethodSetting> = {};
  for (const [key, raw] of Object.entries(all)) {
    const at = `${where}['${key}']`;
    let normal = '*/*';
    if (key !== '*/*') {
      const split = splitMethodKey(key);
      if (!split || split[1] === '*')
        fail(
          where,
          `'${key}' is not a method setting key: use */* or /path/VERB (e.g. /pets/GET, ~1pets/GET)`,
        );
      normal = `${split[0]}/${split[1]}`;
    }
    const s = object(raw, at);
    only(
      s,
      [
        'throttlingRateLimit',
        'throttlingBurstLimit',
        'cachingEnabled',
        'cacheTtlInSeconds',
        'requireAuthorizationForCacheControl',
        'unauthorizedCacheControlHeaderStrategy',
        'cacheDataEncrypted',
        'metricsEnabled',
        'dataTraceEnabled',
        'loggingLevel',
      ],
      at,
    );
    const setting: MethodSetting = {};
    if (s.throttlingRateLimit !== undefined)
      setting.throttlingRateLimit = number(s.throttlingRateLimit, `${at}.throttlingRateLimit`, {});
    if (s.throttlingBurstLimit !== undefined)
      setting.throttlingBurstLimit = number(s.throttlingBurstLimit, `${at}.throttlingBurstLimit`, {
        integer: true,
      });
    if (s.cachingEnabled !== undefined)
      setting.cachingEnabled = boolean(s.cachingEnabled, `${at}.cachingEnabled`);
    if (s.cacheTtlInSeconds !== undefined)
      setting.cacheTtlInSeconds = number(s.cacheTtlInSeconds, `${at}.cacheTtlInSeconds`, {
        integer: true,
        max: 3600,
      });
    if (s.requireAuthorizationForCacheControl !== undefined)
      setting.requireAuthorizationForCacheControl = boolean(
        s.requireAuthorizationForCacheControl,
        `${at}.requireAuthorizationForCacheControl`,
      );
    if (s.unauthorizedCacheControlHeaderStrategy !== undefined) {
      const strategy = s.unauthorizedCacheControlHeaderStrategy;
      if (!STRATEGIES.includes(strategy as UnauthorizedCacheControlHeaderStrategy))
        fail(`${at}.unauthorizedCacheControlHeaderStrategy`, `must be one of ${STRATEGIES.join(', ')}`);
      setting.unauthorizedCacheControlHeaderStrategy = strategy as UnauthorizedCacheControlHeaderStrategy;
    }
    if (Object.hasOwn(out, normal)) fail(where, `'${key}' names the same method as another entry`);
    out[normal] = setting;
  }
  return out;
}

/** Checks one access-control key of a config layer and returns its normal form; throws AccessConfigError. */
export function parseAccessSetting(key: AccessConfigKey, value: unknown, where: string): unknown {
  const at = `${where}: ${key}`;
  switch (key) {
    case 'apiKeys':
      return parseApiKeys(value, at);
    case 'usagePlans':
      return parseUsagePlans(value, at);
    case 'methodSettings':
      return parseMethodSettings(value, at);
    case 'accountThrottle':
      return parseThrottle(value, at);
    case 'cacheClusterEnabled':
      return boolean(value, at);
    case 'cacheClusterSize': {
      const size = number(value, at, {});
      if (!CACHE_CLUSTER_SIZES.includes(size))
        fail(at, `must be one of ${CACHE_CLUSTER_SIZES.join(', ')} (GB)`);
      return size;
    }
    case 'redis': {
      const url = optionalString(value, at);
      if (url === undefined || !/^rediss?:\/\//.test(url))
        fail(at, `must be a redis:// or rediss:// URL, got ${JSON.stringify(value)}`);
      return url;
    }
  }
}

/**
 * Resolves plan key references (ids or names) to key ids, and checks what spans keys and plans: a
 * key is in at most one plan per API stage (AWS refuses the second).
 */
export function linkPlans(config: AccessConfig, where: string): UsagePlanSetting[] {
  const keys = config.apiKeys ?? [];
  const plans = (config.usagePlans ?? []).map((plan) => ({
    ...plan,
    apiKeys: plan.apiKeys.map((ref) => {
      const key = keys.find((k) => k.id === ref) ?? keys.find((k) => k.name === ref);
      if (!key)
        fail(
          where,
          `usage plan '${plan.name ?? plan.id}' names the API key '${ref}', which apiKeys does not declare`,
        );
      return key.id;
    }),
  }));
  const seen = new Map<string, string>();
  for (const plan of plans) {
    for (const stage of plan.apiStages) {
      for (const keyId of plan.apiKeys) {
        const slot = `${stage.apiId ?? ''}/${stage.stage}/${keyId}`;
        const other = seen.get(slot);
        if (other !== undefined && other !== plan.id)
          fail(
            where,
            `API key '${keyId}' is in usage plans '${other}' and '${plan.id}' for stage '${stage.stage}': a key may be in one plan per API stage`,
          );
        seen.set(slot, plan.id);
      }
    }
  }
  return plans;
}
