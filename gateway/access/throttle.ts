import type { Invocation } from '../invocation';
import type { GatewayRuntime } from '../runtime';
import { AccessErrors } from './errors';
import { periodBounds, utcDate } from './quota-period';
import type { AccessRuntime } from './runtime';
import type { UsagePlanSetting } from './settings';
import { KEY_PREFIX, type BucketSpec } from './store';

/** The counter of a key's usage on a UTC day (GetUsage). */
export function usageDayKey(planId: string, keyId: string, day: string): string {
  return `${KEY_PREFIX}usage:${planId}:${keyId}:${day}`;
}

/**
 * Throttling and quotas, in AWS's order
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html):
 * the usage plan's per-client per-method limit, its per-client limit, the stage's per-method limit
 * (methodSettings), the account limit; a request takes a token from each and stops at the first
 * that has none (429 THROTTLED). Then the plan's quota (429 QUOTA_EXCEEDED), counted per key per
 * plan over all its stages. Plan limits and quotas apply only to methods that require a key.
 */
export function throttle(inv: Invocation, rt: GatewayRuntime): void | Promise<void> {
  const access = rt.access;
  const method = inv.method && access?.methods.get(inv.method);
  if (!access || !method) return;
  const buckets: BucketSpec[] = [];
  const key = inv.apiKey;
  const plan = key && access.planByKeyId.get(key.id);
  if (key && plan) {
    const perMethod = method.planMethodThrottle.get(plan.id);
    if (perMethod) {
      buckets.push({
        key: `${KEY_PREFIX}tb:plan:${plan.id}:${key.id}:${access.apiId}/${access.stage}:${method.methodKey}`,
        ...perMethod,
      });
    }
    if (plan.throttle) buckets.push({ key: `${KEY_PREFIX}tb:plan:${plan.id}:${key.id}`, ...plan.throttle });
  }
  if (method.stageBucket) buckets.push(method.stageBucket);
  if (access.accountBucket) buckets.push(access.accountBucket);
  if (buckets.length === 0 && !plan) return;
  return limit(inv, access, buckets, plan);
}

async function limit(
  inv: Invocation,
  access: AccessRuntime,
  buckets: BucketSpec[],
  plan: UsagePlanSetting | undefined,
): Promise<void> {
  const now = access.clock();
  if (buckets.length > 0) {
    const empty = await access.store.takeTokens(buckets, now);
    if (empty >= 0) {
      const b = buckets[empty];
      access.log.info(
        `${inv.requestId} throttled by ${b.key.slice(KEY_PREFIX.length)} (rate ${b.rateLimit}/s, burst ${b.burstLimit})`,
      );
      throw AccessErrors.throttled();
    }
  }
  if (!plan || !inv.apiKey) return;
  const keyId = inv.apiKey.id;
  const quota = plan.quota;
  const bounds = quota ? periodBounds(quota.period, now) : { start: 0, end: 0 };
  const outcome = await access.store.countRequest(
    {
      quotaKey: quota ? `${KEY_PREFIX}quota:${plan.id}:${keyId}:${quota.period}:${bounds.start}` : undefined,
      limit: quota?.limit ?? 0,
      offset: quota?.offset ?? 0,
      firstPeriodKey: `${KEY_PREFIX}quota-first:${plan.id}:${keyId}:${quota?.period ?? ''}`,
      periodStart: bounds.start,
      periodEnd: bounds.end,
      dayKey: usageDayKey(plan.id, keyId, utcDate(now)),
    },
    now,
  );
  if (!outcome.allowed) {
    access.log.info(
      `${inv.requestId} API key ${keyId} exceeded the quota of usage plan ${plan.id}: limit ${quota!.limit} per ${quota!.period}`,
    );
    throw AccessErrors.quotaExceeded();
  }
}
