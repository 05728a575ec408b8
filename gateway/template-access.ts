import { createHash } from 'node:crypto';
import type { TemplateStageSettings, TemplateUsagePlan } from '../openapi/cloudformation';
import type { ApiDefinition } from '../openapi/model';
import {
  AccessConfigError,
  DEFAULT_ACCOUNT_THROTTLE,
  parseAccessSetting,
  stableId,
  type AccessConfig,
  type ApiKeySetting,
  type MethodSetting,
  type UsagePlanSetting,
} from './access/settings';
import { apiIdFor } from './api-id';

/** A served API of a template, as far as its access settings go. */
export interface TemplateServedStage {
  readonly api: ApiDefinition;
  /** The stage it is served on (`--stage` may have renamed it). */
  readonly stage: string;
  /** The stage name the template gives it (what usage plans name). */
  readonly templateStage: string;
  readonly logicalId: string | undefined;
  readonly settings: TemplateStageSettings | undefined;
}

/** An API key of the template, as start-up prints it. */
export interface TemplateApiKey {
  logicalId: string;
  name: string;
  value: string;
  enabled: boolean;
  /** True when the template gives no Value (AWS would generate one; apigw derives one). */
  generated: boolean;
}

/**
 * The value API Gateway would generate for a key the template gives no `Value` (40 letters and
 * digits), derived from the stack and the key's logical id so that it stays the same across
 * restarts and machines, as a deployed key does.
 */
export function generatedKeyValue(stackName: string, logicalId: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const digest = createHash('sha512').update(`apigw api key\n${stackName}\n${logicalId}`).digest();
  return Array.from(digest.subarray(0, 40), (b) => alphabet[b % alphabet.length]).join('');
}

/** A plan's throttle as the config's (both limits); a missing limit is the account's default. */
function planThrottle(t: TemplateUsagePlan['throttle']): Record<string, number> | undefined {
  if (!t || (t.rateLimit === undefined && t.burstLimit === undefined)) return undefined;
  return {
    rateLimit: t.rateLimit ?? DEFAULT_ACCOUNT_THROTTLE.rateLimit,
    burstLimit: t.burstLimit ?? DEFAULT_ACCOUNT_THROTTLE.burstLimit,
  };
}

/** An ApiStage's per-method Throttle (`{ "/pets/GET": { RateLimit, BurstLimit } }`) as the config's. */
function methodThrottles(written: unknown): Record<string, unknown> {
  if (typeof written !== 'object' || written === null || Array.isArray(written)) return {};
  const out: Record<string, unknown> = {};
  for (const [key, t] of Object.entries(written as Record<string, Record<string, unknown>>)) {
    out[key] = planThrottle({
      rateLimit: t?.RateLimit === undefined ? undefined : Number(t.RateLimit),
      burstLimit: t?.BurstLimit === undefined ? undefined : Number(t.BurstLimit),
    });
  }
  return out;
}

/**
 * The template's usage plans, API keys, MethodSettings and cache cluster as the access settings of
 * each served API, merged with the config file's: keys and plans of both apply (a config plan may
 * name a template key), and for one stage the config's `methodSettings` entries,
 * `cacheClusterEnabled` and `cacheClusterSize` win over the template's. Plans point at the served
 * API's id and stage. Throws AccessConfigError (`file` names the template).
 */
export function templateAccess(
  loaded: { usagePlans: readonly TemplateUsagePlan[]; stackName: string },
  served: readonly TemplateServedStage[],
  config: AccessConfig,
  file: string,
): { perApi: AccessConfig[]; keys: TemplateApiKey[]; warnings: string[] } {
  const keys = new Map<string, TemplateApiKey & { id: string }>();
  const plans: UsagePlanSetting[] = [];
  const warnings: string[] = [];
  for (const plan of loaded.usagePlans) {
    for (const s of plan.apiStages) {
      const ofApi = served.filter((v) => v.logicalId === s.api);
      if (ofApi.length > 0 && !ofApi.some((v) => v.templateStage === s.stage))
        warnings.push(
          `usage plan ${plan.name} (${plan.logicalId}) names stage '${s.stage}' of ${s.api}, which the template does not deploy it to (${ofApi.map((v) => v.templateStage).join(', ')}): that entry applies to nothing`,
        );
    }
    if (plan.apiStages.length === 0)
      warnings.push(
        `usage plan ${plan.name} (${plan.logicalId}) names no API stage apigw can resolve: its keys (${plan.keys.map((k) => k.logicalId).join(', ') || 'none'}) are refused`,
      );
    const apiStages = plan.apiStages.flatMap((s) =>
      served
        .filter((v) => v.logicalId === s.api && v.templateStage === s.stage)
        .map((v) => ({ apiId: apiIdFor(v.api), stage: v.stage, throttle: methodThrottles(s.throttle) })),
    );
    // A plan of an API not served (`--api` picked another) has nothing to apply to.
    if (apiStages.length === 0) continue;
    for (const key of plan.keys) {
      if (keys.has(key.logicalId)) continue;
      const value = key.value ?? generatedKeyValue(loaded.stackName, key.logicalId);
      keys.set(key.logicalId, {
        id: stableId(`apikey\n${loaded.stackName}\n${key.logicalId}`),
        logicalId: key.logicalId,
        name: key.name,
        value,
        enabled: key.enabled,
        generated: key.value === undefined,
      });
    }
    const raw = {
      id: stableId(`usageplan\n${loaded.stackName}\n${plan.logicalId}`),
      name: plan.name,
      apiStages,
      throttle: planThrottle(plan.throttle),
      quota: plan.quota && {
        limit: plan.quota.limit,
        period: plan.quota.period,
        ...(plan.quota.offset === undefined ? {} : { offset: plan.quota.offset }),
      },
      apiKeys: plan.keys.map((k) => keys.get(k.logicalId)!.id),
    };
    plans.push(
      ...(parseAccessSetting('usagePlans', [raw], `${file}: ${plan.logicalId}`) as UsagePlanSetting[]),
    );
  }
  const templateKeys = [...keys.values()].flatMap(
    (k) =>
      parseAccessSetting(
        'apiKeys',
        [{ id: k.id, name: k.name, value: k.value, enabled: k.enabled }],
        `${file}: ${k.logicalId}`,
      ) as ApiKeySetting[],
  );
  for (const own of config.apiKeys ?? []) {
    const clash = templateKeys.find((k) => k.value === own.value || k.id === own.id);
    if (clash)
      throw new AccessConfigError(
        `apiKeys: the key '${own.name ?? own.id}' has the same ${clash.value === own.value ? 'value' : 'id'} as the template's ${clash.name ?? clash.id}`,
      );
  }
  const apiKeys = [...templateKeys, ...(config.apiKeys ?? [])];
  const usagePlans = [...plans, ...(config.usagePlans ?? [])];
  const perApi = served.map((s): AccessConfig => {
    const stage = stageSettings(s.settings, `${file}#${s.settings?.pointer ?? ''}`);
    return {
      ...config,
      apiKeys,
      usagePlans,
      methodSettings: { ...stage.methodSettings, ...config.methodSettings },
      cacheClusterEnabled: config.cacheClusterEnabled ?? stage.cacheClusterEnabled,
      cacheClusterSize: config.cacheClusterSize ?? stage.cacheClusterSize,
    };
  });
  return { perApi, keys: [...keys.values()].map(({ id: _id, ...k }) => k), warnings };
}

/** A stage's MethodSettings and cache cluster, checked as the config file's are. */
function stageSettings(
  settings: TemplateStageSettings | undefined,
  where: string,
): Pick<AccessConfig, 'methodSettings' | 'cacheClusterEnabled' | 'cacheClusterSize'> {
  if (!settings) return {};
  const out: Pick<AccessConfig, 'methodSettings' | 'cacheClusterEnabled' | 'cacheClusterSize'> = {
    methodSettings: parseAccessSetting('methodSettings', settings.methodSettings, where) as Record<
      string,
      MethodSetting
    >,
  };
  if (settings.cacheClusterEnabled !== undefined)
    out.cacheClusterEnabled = parseAccessSetting(
      'cacheClusterEnabled',
      settings.cacheClusterEnabled,
      where,
    ) as boolean;
  if (settings.cacheClusterSize !== undefined)
    out.cacheClusterSize = parseAccessSetting('cacheClusterSize', settings.cacheClusterSize, where) as number;
  return out;
}
