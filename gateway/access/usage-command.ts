import type { ApigwConfig } from '../config';
import type { Logger } from '../log';
import { templateAccessSettings } from '../template-api';
import { RedisStore } from './redis-store';
import { AccessConfigError, linkPlans } from './settings';
import { usageReport, UsageRequestError, type Usage } from './usage';

/** What `apigw usage` asks for (GetUsage's parameters). */
export interface UsageQuery {
  plan: string | undefined;
  keyId: string | undefined;
  startDate: string | undefined;
  endDate: string | undefined;
}

/**
 * `apigw usage`: the GetUsage report of a usage plan, read straight from the shared Redis store
 * (any gateway process may be running, or none). Throws AccessConfigError with a one-line reason.
 */
export async function usageFromRedis(config: ApigwConfig, query: UsageQuery, log: Logger): Promise<Usage> {
  if (!config.redis)
    throw new AccessConfigError(
      'apigw usage reads the shared Redis store: give --redis URL (or redis in the config file); without Redis, ask the running gateway: GET /_apigw/usageplans/{planId}/usage (signed)',
    );
  // A template's usage plans (and the config's) when the API is a SAM / CloudFormation template.
  const plans = linkPlans(templateAccessSettings(config) ?? config, 'usagePlans');
  if (query.plan === undefined)
    throw new AccessConfigError(
      `--plan is required (usage plans: ${plans.map((p) => p.id).join(', ') || 'none'})`,
    );
  const plan = plans.find((p) => p.id === query.plan || p.name === query.plan);
  if (!plan) throw new AccessConfigError(`Invalid Usage Plan ID specified: ${query.plan}`);
  const today = new Date().toISOString().slice(0, 10);
  const store = await RedisStore.connect(config.redis, log);
  try {
    return await usageReport(store, plan, {
      startDate: query.startDate ?? today,
      endDate: query.endDate ?? today,
      keyId: query.keyId,
    });
  } catch (e) {
    if (e instanceof UsageRequestError) throw new AccessConfigError(e.message);
    throw e;
  } finally {
    await store.close();
  }
}
