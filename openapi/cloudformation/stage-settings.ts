import { pointerTo } from '../problems';
import { isObject, type JsonObject } from '../values';
import type { BuildContext } from './context';
import { Unresolved } from './intrinsics';
import type { TemplateResource } from './template';

/**
 * A stage's throttling and cache settings as the template declares them (MethodSettings,
 * CacheClusterEnabled, CacheClusterSize), in the form of apigw's config file: the gateway checks
 * and applies them as it does the config's `methodSettings` and `cacheClusterEnabled`.
 */
export interface TemplateStageSettings {
  /** Where they are declared (the API, Stage or Deployment properties). */
  pointer: string;
  /** By `*\/*` or `/path/VERB` (root `//VERB`), with the config file's field names. */
  methodSettings: Record<string, Record<string, unknown>>;
  cacheClusterEnabled: unknown;
  cacheClusterSize: unknown;
}

/** MethodSetting fields that apigw applies, by their config-file names. */
const APPLIED: Record<string, string> = {
  ThrottlingRateLimit: 'throttlingRateLimit',
  ThrottlingBurstLimit: 'throttlingBurstLimit',
  CachingEnabled: 'cachingEnabled',
  CacheTtlInSeconds: 'cacheTtlInSeconds',
};
/** Fields about CloudWatch, which apigw does not emulate (its own access log is `--access-log`). */
const NOT_APPLIED = ['LoggingLevel', 'DataTraceEnabled', 'MetricsEnabled'];

/** Whether a CloudWatch field turns something on (the CDK writes `DataTraceEnabled: false`). */
function turnsOn(value: unknown): boolean {
  return value !== undefined && value !== false && value !== 'false' && value !== 'OFF';
}

/** A template boolean may be a string (a parameter's value). */
function flag(value: unknown): unknown {
  return value === 'true' ? true : value === 'false' ? false : value;
}

/**
 * The `ResourcePath` + `HttpMethod` of a MethodSetting as a config key: `*` (or `/*`) and `*` is `*\/*`; a
 * path escapes its slashes as `~1` after the leading one (`/~1pets~1{id}`), the root is `/`.
 */
export function methodSettingKey(resourcePath: unknown, httpMethod: unknown): string | undefined {
  if (typeof resourcePath !== 'string' || typeof httpMethod !== 'string') return undefined;
  // CloudFormation's documentation says `*`; the CDK writes `/*`.
  if ((resourcePath === '*' || resourcePath === '/*') && httpMethod === '*') return '*/*';
  if (resourcePath.includes('*') || httpMethod === '*' || !resourcePath.startsWith('/')) return undefined;
  // `/~1pets` is `/pets`; an unescaped `/pets` is read the same way.
  const rest = resourcePath.slice(1).replace(/~1/g, '/').replace(/\/$/, '');
  const path = rest.startsWith('/') ? rest : `/${rest}`;
  return `${path}/${httpMethod.toUpperCase()}`;
}

/**
 * Reads a stage's settings through `value` (a resolved property of the API, Stage, or a
 * Deployment's StageDescription); what is not applied becomes a start-up note.
 */
export function readStageSettings(
  ctx: BuildContext,
  logicalId: string,
  value: (key: string) => unknown,
  pointer: string,
): TemplateStageSettings | undefined {
  const methodSettings: Record<string, Record<string, unknown>> = {};
  const ignored = new Set<string>();
  const add = (key: string, written: JsonObject) => {
    const setting: Record<string, unknown> = {};
    for (const [field, name] of Object.entries(APPLIED))
      if (written[field] !== undefined) setting[name] = flag(written[field]);
    for (const field of NOT_APPLIED) if (turnsOn(written[field])) ignored.add(field);
    if (Object.keys(setting).length > 0) methodSettings[key] = { ...methodSettings[key], ...setting };
  };
  // A Deployment's StageDescription also takes the `*/*` settings as its own properties.
  add(
    '*/*',
    Object.fromEntries(
      Object.keys(APPLIED)
        .map((f) => [f, value(f)])
        .filter(([, v]) => v !== undefined),
    ),
  );
  for (const f of NOT_APPLIED) if (turnsOn(value(f))) ignored.add(f);
  const list = value('MethodSettings');
  if (Array.isArray(list)) {
    list.forEach((written, i) => {
      if (!isObject(written)) return;
      const key = methodSettingKey(written.ResourcePath, written.HttpMethod);
      if (key === undefined) {
        ctx.problems.warning(
          pointerTo(pointer, 'MethodSettings', i),
          `${logicalId}: a MethodSetting applies to every method (ResourcePath '*', HttpMethod '*') or to one (ResourcePath '/~1path', HttpMethod 'GET'); ${JSON.stringify(written.ResourcePath)} ${JSON.stringify(written.HttpMethod)} is not applied`,
        );
        return;
      }
      add(key, written);
    });
  }
  if (ignored.size > 0)
    ctx.notes.push(
      `${logicalId}: ${[...ignored].join(', ')} (CloudWatch logging and metrics) are not applied; apigw's own access log is --access-log`,
    );
  const cacheClusterEnabled = flag(value('CacheClusterEnabled'));
  const cacheClusterSize = value('CacheClusterSize');
  if (Object.keys(methodSettings).length === 0 && cacheClusterEnabled === undefined) return undefined;
  return { pointer, methodSettings, cacheClusterEnabled, cacheClusterSize };
}

/** The settings of an AWS::ApiGateway::Stage, or of the stage a Deployment's StageDescription makes. */
export function stageResourceSettings(
  ctx: BuildContext,
  resource: TemplateResource,
): TemplateStageSettings | undefined {
  const at = `/Resources/${resource.logicalId}/Properties`;
  if (resource.type === 'AWS::ApiGateway::Stage') {
    const value = (key: string) => {
      const v = ctx.intrinsics.resolve(resource.properties[key], pointerTo(at, key));
      return v instanceof Unresolved ? undefined : v;
    };
    return readStageSettings(ctx, resource.logicalId, value, at);
  }
  const description = ctx.intrinsics.resolve(resource.properties.StageDescription, `${at}/StageDescription`);
  if (!isObject(description)) return undefined;
  const value = (key: string) => {
    const v = description[key];
    return v instanceof Unresolved ? undefined : v;
  };
  return readStageSettings(ctx, resource.logicalId, value, `${at}/StageDescription`);
}
