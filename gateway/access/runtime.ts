import { createHash } from 'node:crypto';
import { MappingSyntaxError, parseMappingSource } from '../../openapi';
import type { MappingSource } from '../../openapi/mapping-expressions';
import type { ApiDefinition, Method } from '../../openapi/model';
import type { AuthorizerOutcome, AuthorizerResultCache } from '../auth/lambda-authorizer';
import type { CompiledMethod } from '../compile';
import type { Logger } from '../log';
import { MemoryStore } from './memory-store';
import {
  DEFAULT_ACCOUNT_THROTTLE,
  linkPlans,
  type AccessConfig,
  type ApiKeySetting,
  type MethodSetting,
  type ThrottleSettings,
  type UnauthorizedCacheControlHeaderStrategy,
  type UsagePlanSetting,
} from './settings';
import { KEY_PREFIX, type BucketSpec, type StateStore } from './store';

/** AWS's defaults for a method setting (MethodSetting in the API reference). */
const DEFAULT_CACHE_TTL_SECONDS = 300;
/** Responses larger than this are not cached (AWS's limit). */
export const MAX_CACHED_RESPONSE_BYTES = 1024 * 1024;

/** The stage cache settings of one method, when caching applies to it. */
export interface MethodCache {
  ttlSeconds: number;
  namespace: string;
  /** `cacheKeyParameters` with the source each one reads (an integration parameter's own source). */
  keyParameters: { name: string; source: MappingSource }[];
  requireAuthorizationForCacheControl: boolean;
  unauthorizedCacheControlHeaderStrategy: UnauthorizedCacheControlHeaderStrategy;
}

/** What access control knows about one method, computed at load. */
export interface AccessMethod {
  apiKeyRequired: boolean;
  /** `/path/VERB`: how usage plans and method settings name the method. */
  methodKey: string;
  /** The stage's per-method bucket (methodSettings), when throttling is configured. */
  stageBucket: BucketSpec | undefined;
  /** Per-client per-method limits of the plans of this stage, by plan id. */
  planMethodThrottle: Map<string, ThrottleSettings>;
  cache: MethodCache | undefined;
}

/** Everything the access stages need for the life of a loaded API. */
export interface AccessRuntime {
  readonly apiId: string;
  /** The API's title (GetRestApis' name). */
  readonly apiName: string;
  readonly stage: string;
  readonly store: StateStore;
  readonly clock: () => number;
  readonly log: Logger;
  readonly apiKeySource: 'HEADER' | 'AUTHORIZER';
  readonly keysByValue: ReadonlyMap<string, ApiKeySetting>;
  readonly keysById: ReadonlyMap<string, ApiKeySetting>;
  /** The plan of this API stage each key is in. */
  readonly planByKeyId: ReadonlyMap<string, UsagePlanSetting>;
  readonly plans: readonly UsagePlanSetting[];
  readonly methods: ReadonlyMap<Method, AccessMethod>;
  readonly accountBucket: BucketSpec | undefined;
  /** Prefix of this stage's cache entries in the store. */
  readonly cachePrefix: string;
  readonly authorizerCachePrefix: string;
  readonly authorizerCache: AuthorizerResultCache;
}

/** What building the access runtime needs besides the settings. */
export interface AccessOptions {
  settings: AccessConfig;
  /** The state store (default: a new in-process one). */
  store?: StateStore;
  /** What throttling, quotas and cache lifetimes are measured by (tests inject one). */
  clock?: () => number;
}

function merged(settings: AccessConfig, methodKey: string, verb: string): MethodSetting {
  const all = settings.methodSettings?.['*/*'] ?? {};
  const own = settings.methodSettings?.[methodKey];
  const base = { ...all };
  // `*/*` turns caching on for GET only: other verbs need their own entry.
  if (verb !== 'GET') delete base.cachingEnabled;
  return { ...base, ...own };
}

function cacheParameterSource(name: string, method: Method, log: Logger): MappingSource | undefined {
  let expression = name;
  if (name.startsWith('integration.request.')) {
    const mapped = method.integration.requestParameters[name];
    if (mapped === undefined) {
      log.warn(
        `${method.httpMethod} ${method.resourcePath}: cache key parameter ${name} is not mapped in requestParameters; ignored`,
      );
      return undefined;
    }
    expression = mapped;
  }
  try {
    return parseMappingSource(expression, 'integration-request');
  } catch (e) {
    if (!(e instanceof MappingSyntaxError)) throw e;
    log.warn(
      `${method.httpMethod} ${method.resourcePath}: cache key parameter ${name}: ${e.message}; ignored`,
    );
    return undefined;
  }
}

function capped(value: number | undefined, fallback: number, cap: number | undefined): number {
  const v = value ?? fallback;
  return cap === undefined ? v : Math.min(v, cap);
}

/** Builds the access runtime of an API stage: keys, plans and per-method settings resolved once. */
export function compileAccess(
  options: AccessOptions,
  api: ApiDefinition,
  apiId: string,
  stage: string,
  methods: ReadonlyMap<Method, CompiledMethod>,
  log: Logger,
): AccessRuntime {
  const { settings } = options;
  const clock = options.clock ?? Date.now;
  const store = options.store ?? new MemoryStore(undefined, clock);
  const keys = settings.apiKeys ?? [];
  const plans = linkPlans(settings, 'usagePlans');
  const stagePlans = plans.filter((p) =>
    p.apiStages.some((s) => s.stage === stage && (s.apiId === undefined || s.apiId === apiId)),
  );
  const planByKeyId = new Map<string, UsagePlanSetting>();
  for (const plan of stagePlans) for (const keyId of plan.apiKeys) planByKeyId.set(keyId, plan);
  const account = settings.accountThrottle;
  const accountCap = account ?? undefined;
  const stageKey = `${apiId}/${stage}`;
  const cacheCluster = settings.cacheClusterEnabled === true;

  const accessMethods = new Map<Method, AccessMethod>();
  for (const [method, compiled] of methods) {
    const methodKey = `${method.resourcePath}/${method.httpMethod}`;
    const setting = merged(settings, methodKey, method.httpMethod);
    const throttled = setting.throttlingRateLimit !== undefined || setting.throttlingBurstLimit !== undefined;
    const stageBucket: BucketSpec | undefined = throttled
      ? {
          key: `${KEY_PREFIX}tb:stage:${stageKey}:${methodKey}`,
          rateLimit: capped(
            setting.throttlingRateLimit,
            DEFAULT_ACCOUNT_THROTTLE.rateLimit,
            accountCap?.rateLimit,
          ),
          burstLimit: capped(
            setting.throttlingBurstLimit,
            DEFAULT_ACCOUNT_THROTTLE.burstLimit,
            accountCap?.burstLimit,
          ),
        }
      : undefined;
    const planMethodThrottle = new Map<string, ThrottleSettings>();
    for (const plan of stagePlans) {
      for (const apiStage of plan.apiStages) {
        if (apiStage.stage !== stage || (apiStage.apiId !== undefined && apiStage.apiId !== apiId)) continue;
        const t = apiStage.throttle[methodKey];
        if (t) planMethodThrottle.set(plan.id, t);
      }
    }
    let cache: MethodCache | undefined;
    const ttlSeconds = setting.cacheTtlInSeconds ?? DEFAULT_CACHE_TTL_SECONDS;
    if (setting.cachingEnabled && cacheCluster && ttlSeconds > 0) {
      const keyParameters = method.integration.cacheKeyParameters.flatMap((name) => {
        const source = cacheParameterSource(name, method, log);
        return source ? [{ name, source }] : [];
      });
      cache = {
        ttlSeconds,
        namespace: method.integration.cacheNamespace ?? compiled.resourceId,
        keyParameters,
        requireAuthorizationForCacheControl: setting.requireAuthorizationForCacheControl ?? true,
        unauthorizedCacheControlHeaderStrategy:
          setting.unauthorizedCacheControlHeaderStrategy ?? 'SUCCEED_WITH_RESPONSE_HEADER',
      };
    }
    accessMethods.set(method, {
      apiKeyRequired: method.apiKeyRequired,
      methodKey,
      stageBucket,
      planMethodThrottle,
      cache,
    });
  }

  const authorizerCachePrefix = `${KEY_PREFIX}authz:${stageKey}:`;
  return {
    apiId,
    apiName: api.title,
    stage,
    store,
    clock,
    log,
    apiKeySource: api.apiKeySource,
    keysByValue: new Map(keys.map((k) => [k.value, k])),
    keysById: new Map(keys.map((k) => [k.id, k])),
    planByKeyId,
    plans,
    methods: accessMethods,
    accountBucket: account ? { key: `${KEY_PREFIX}tb:account`, ...account } : undefined,
    cachePrefix: `${KEY_PREFIX}cache:${stageKey}:`,
    authorizerCachePrefix,
    authorizerCache: storeAuthorizerCache(store, authorizerCachePrefix),
  };
}

/** Lambda authorizer results kept in the state store (shared through Redis, flushed with the stage's authorizer cache). */
function storeAuthorizerCache(store: StateStore, prefix: string): AuthorizerResultCache {
  const keyOf = (key: string) => prefix + createHash('sha256').update(key).digest('hex');
  return {
    async get(key) {
      const entry = await store.getEntry(keyOf(key));
      return entry === undefined ? undefined : (JSON.parse(entry.toString('utf8')) as AuthorizerOutcome);
    },
    set(key, outcome, ttlSeconds) {
      return store.setEntry(keyOf(key), Buffer.from(JSON.stringify(outcome), 'utf8'), ttlSeconds * 1000);
    },
  };
}

/**
 * Checks what spans keys and plans (ConfigError-worthy: throws AccessConfigError) and logs what
 * cannot work as configured: disabled keys, key-required methods no key can call, settings that
 * name no method, caching without a cache cluster.
 */
export function reportAccess(settings: AccessConfig, api: ApiDefinition, stage: string, log: Logger): void {
  const plans = linkPlans(settings, 'usagePlans');
  for (const key of settings.apiKeys ?? []) {
    if (!key.enabled)
      log.warn(
        `API key '${key.name ?? key.id}' is disabled (enabled: false is AWS's default): calls with it answer 403`,
      );
  }
  const methods = api.resources.flatMap((r) => Object.values(r.methods).map((m) => m!));
  const methodKeys = new Set(methods.map((m) => `${m.resourcePath}/${m.httpMethod}`));
  const stagePlans = plans.filter((p) => p.apiStages.some((s) => s.stage === stage));
  const required = methods.filter((m) => m.apiKeyRequired);
  if (required.length > 0 && !stagePlans.some((p) => p.apiKeys.length > 0)) {
    log.warn(
      `${required.map((m) => `${m.httpMethod} ${m.resourcePath}`).join(', ')} require an API key, and no usage plan of stage '${stage}' has keys: their calls answer 403`,
    );
  }
  for (const key of Object.keys(settings.methodSettings ?? {})) {
    if (key !== '*/*' && !methodKeys.has(key))
      log.warn(`methodSettings '${key}': the API has no such method`);
  }
  for (const plan of stagePlans) {
    for (const apiStage of plan.apiStages) {
      if (apiStage.stage !== stage) continue;
      for (const key of Object.keys(apiStage.throttle))
        if (!methodKeys.has(key))
          log.warn(`usage plan '${plan.id}' throttle '${key}': the API has no such method`);
    }
  }
  const caching = Object.values(settings.methodSettings ?? {}).some((s) => s.cachingEnabled);
  if (caching && !settings.cacheClusterEnabled)
    log.warn(
      'methodSettings enable caching, but cacheClusterEnabled is not true: nothing is cached (as on AWS)',
    );
}
