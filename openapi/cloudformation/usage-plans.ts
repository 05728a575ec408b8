import { firstUnresolved } from './intrinsics';
import type { BuildContext, BuiltApi, TemplateUsagePlan } from './context';
import { isObject, type JsonObject } from '../values';

/** The logical ids SAM gives the resources of the usage plan all `SHARED` APIs share. */
const SHARED = { plan: 'ServerlessUsagePlan', key: 'ServerlessApiKey' };

function number(value: unknown): number | undefined {
  return value === undefined || firstUnresolved(value) ? undefined : Number(value);
}

/** The properties SAM copies from Auth.UsagePlan onto the plan it generates. */
function planProperties(
  written: JsonObject,
): Pick<TemplateUsagePlan, 'throttle' | 'quota'> & { name: string | undefined } {
  const throttle = isObject(written.Throttle) ? written.Throttle : undefined;
  const quota = isObject(written.Quota) ? written.Quota : undefined;
  return {
    name: typeof written.UsagePlanName === 'string' ? written.UsagePlanName : undefined,
    throttle: throttle && { burstLimit: number(throttle.BurstLimit), rateLimit: number(throttle.RateLimit) },
    quota: quota && {
      limit: number(quota.Limit),
      period: typeof quota.Period === 'string' ? quota.Period : undefined,
      offset: number(quota.Offset),
    },
  };
}

/**
 * The usage plans SAM generates from `Auth.UsagePlan` (sam-property-api-apiusageplan): `PER_API`
 * gives an API its own plan `<Api>UsagePlan` and an enabled key `<Api>ApiKey`; `SHARED` puts every
 * such API in `ServerlessUsagePlan` with the one key `ServerlessApiKey` (the plan's settings are
 * the last such API's, as SAM writes the plan once per API); `NONE` gives none.
 * SAM sets no key value: AWS generates one (the gateway makes one up, see template-access.ts).
 */
export function samUsagePlans(ctx: BuildContext, built: readonly BuiltApi[]): TemplateUsagePlan[] {
  const plans: TemplateUsagePlan[] = [];
  let shared: TemplateUsagePlan | undefined;
  for (const api of built) {
    const written = api.samUsagePlan;
    const stage = api.stages[0];
    if (!written || !stage) continue;
    const kind = written.CreateUsagePlan;
    if (kind === 'NONE') continue;
    const pointer = `/Resources/${api.logicalId}/Properties/Auth/UsagePlan/CreateUsagePlan`;
    if (kind !== 'PER_API' && kind !== 'SHARED') {
      ctx.problems.error(
        pointer,
        `${api.logicalId}: Auth.UsagePlan.CreateUsagePlan must be PER_API, SHARED or NONE, not ${JSON.stringify(kind)}`,
      );
      continue;
    }
    const props = planProperties(written);
    const apiStage = { api: api.logicalId, stage: stage.name };
    if (kind === 'PER_API') {
      const plan = `${api.logicalId}UsagePlan`;
      const key = `${api.logicalId}ApiKey`;
      plans.push({
        logicalId: plan,
        ...props,
        name: props.name ?? plan,
        apiStages: [apiStage],
        keys: [{ logicalId: key, name: key, value: undefined, enabled: true }],
      });
      continue;
    }
    if (!shared) {
      shared = {
        logicalId: SHARED.plan,
        name: SHARED.plan,
        apiStages: [],
        throttle: undefined,
        quota: undefined,
        keys: [{ logicalId: SHARED.key, name: SHARED.key, value: undefined, enabled: true }],
      };
      plans.push(shared);
    }
    shared.apiStages.push(apiStage);
    // Each SHARED API writes the whole plan resource again: the last one's settings stand.
    Object.assign(shared, { ...props, name: props.name ?? SHARED.plan });
  }
  return plans;
}

/**
 * The stage resources the SAM transform adds for its APIs, so that a usage plan's `Stage: !Ref
 * MyApiProdStage` or `!Ref MyApi.Stage` (SAM's referable property) names the stage as deployed:
 * `<Api><StageName>Stage` when the name is alphanumeric, `<Api>Stage` when it is an intrinsic.
 */
export function registerSamStages(ctx: BuildContext, built: readonly BuiltApi[]): void {
  for (const api of built) {
    const stage = api.stages[0];
    if (api.type !== 'AWS::Serverless::Api' || !stage) continue;
    const written = ctx.template.resources.get(api.logicalId)?.properties.StageName ?? stage.name;
    const ids = [`${api.logicalId}.Stage`];
    if (typeof written !== 'string') ids.push(`${api.logicalId}Stage`);
    else if (/^[A-Za-z0-9]+$/.test(written)) ids.push(`${api.logicalId}${written}Stage`);
    for (const id of ids) {
      if (ctx.template.resources.has(id)) continue;
      ctx.facts.generated.set(id, 'AWS::ApiGateway::Stage');
      ctx.facts.stageNames.set(id, stage.name);
    }
  }
}

/**
 * An AWS::ApiGateway::ApiKey no UsagePlanKey puts in a plan: API Gateway refuses it for every
 * method (a key reaches a stage through a usage plan; StageKeys alone no longer does).
 */
export function reportKeysWithoutPlan(ctx: BuildContext, plans: readonly TemplateUsagePlan[]): void {
  const planned = new Set(plans.flatMap((p) => p.keys.map((k) => k.logicalId)));
  for (const key of ctx.resources) {
    if (key.type === 'AWS::ApiGateway::ApiKey' && !planned.has(key.logicalId))
      ctx.notes.push(
        `${key.logicalId}: the API key is in no usage plan (no AWS::ApiGateway::UsagePlanKey): API Gateway refuses it`,
      );
  }
}
