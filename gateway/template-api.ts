import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type {
  TemplateFunction,
  TemplateLoadOptions,
  TemplateLoadResult,
  TemplateStageSettings,
} from '../openapi/cloudformation';
import { fileMayBeTemplate } from '../openapi/cloudformation/sniff';
import type { ApiDefinition } from '../openapi/model';
import { formatProblem, type Problem } from '../openapi/problems';
import type { FunctionsConfig } from './backends/lambda';
import { AccessConfigError, type AccessConfig } from './access/settings';
import { ConfigError, type ApigwConfig } from './config';
import { embeddedLambda } from './embedded';
import type { Logger } from './log';
import { validateStageName } from './stage-names';
import { templateAccess } from './template-access';

/** One API served on a stage: a template may give several, each under its own stage prefix. */
export interface ServedApi {
  readonly api: ApiDefinition;
  readonly stage: string;
  /** The stage's own variables (the config's stageVariables go on top). */
  readonly stageVariables: Record<string, string>;
  /** The template resource it came from. */
  readonly logicalId: string | undefined;
  /** The stage name the template gives it (`--stage` may serve it under another). */
  readonly templateStage: string;
  /** Its MethodSettings and cache cluster, as the template declares them. */
  readonly settings: TemplateStageSettings | undefined;
  /** Its API keys, usage plans, method settings and cache: the template's with the config's. */
  readonly access?: AccessConfig;
}

/** A template read for `apigw serve`: what to serve, the functions to run, and its problems. */
export interface PreparedTemplate {
  apis: ServedApi[];
  functions: FunctionsConfig;
  problems: Problem[];
}

/**
 * Reads `config.api` as a SAM / CloudFormation template, or returns undefined when it is not one.
 * Picks the API (`--api LogicalId`) and stage (`--stage` renames it), turns the template's
 * functions into the embedded Lambda's (those it cannot run get a stand-in that fails as a broken
 * function does on AWS), and tells the start-up log where each route comes from.
 */
export function prepareTemplate(
  config: ApigwConfig & { api: string; dataDir: string },
  log: Logger,
): PreparedTemplate | undefined {
  const loaded = loadTemplateFile(config.api, {
    parameterOverrides: config.parameterOverrides,
    region: config.region,
  });
  if (!loaded) {
    if (config.restApi !== undefined || config.parameterOverrides !== undefined)
      throw new ConfigError(
        `--api and --parameter-overrides apply to a SAM / CloudFormation template; ${config.api} is not one`,
      );
    return undefined;
  }
  for (const note of loaded.notes) log.warn(note);
  const problems = [...loaded.problems];
  if (problems.some((p) => p.severity === 'error')) return { apis: [], functions: {}, problems };
  const apis = withAccess(servedApis(config, loaded), loaded, config, log);
  const functions: FunctionsConfig = {};
  for (const fn of loaded.functions) {
    const entry = functionConfig(fn, config.dataDir, path.resolve(config.api), problems);
    if (entry) functions[fn.name] = entry;
  }
  for (const served of apis) {
    for (const resource of served.api.resources) {
      for (const method of Object.values(resource.methods)) {
        const guard = [
          method!.authorizationType === 'NONE'
            ? ''
            : `${method!.authorizationType}${method!.authorizerName ? ` ${method!.authorizerName}` : ''}`,
          method!.apiKeyRequired ? 'API key' : '',
        ].filter(Boolean);
        log.info(
          `route ${method!.httpMethod} /${served.stage}${resource.path === '/' ? '' : resource.path} ← ${method!.origin ?? served.logicalId} (${served.logicalId})${guard.length ? ` [${guard.join(', ')}]` : ''}`,
        );
      }
    }
  }
  return { apis, functions, problems };
}

/** The (API, stage) pairs to serve; two APIs on one stage name need `--api` to pick. */
function servedApis(config: ApigwConfig, loaded: TemplateLoadResult): ServedApi[] {
  let apis = loaded.apis;
  if (config.restApi !== undefined) {
    apis = apis.filter((a) => a.logicalId === config.restApi);
    if (apis.length === 0)
      throw new ConfigError(
        `--api ${config.restApi}: the template has no such REST API (it has ${loaded.apis.map((a) => a.logicalId).join(', ')})`,
      );
  }
  const served: ServedApi[] = apis.flatMap((a) =>
    a.stages.map((stage) => ({
      api: a.api,
      stage: stage.name,
      stageVariables: stage.variables,
      logicalId: a.logicalId,
      templateStage: stage.name,
      settings: stage.settings,
    })),
  );
  if (config.stage !== undefined) {
    if (served.length > 1)
      throw new ConfigError(
        `--stage renames the stage of one API, and the template serves ${served.length} (${served.map((s) => `${s.logicalId} on ${s.stage}`).join(', ')}): pick one with --api LogicalId`,
      );
    served[0] = { ...served[0], stage: config.stage };
  }
  for (const s of served) {
    const problem = validateStageName(s.stage);
    if (problem) throw new ConfigError(`${s.logicalId}: ${problem}`);
  }
  const byStage = new Map<string, string[]>();
  for (const s of served) byStage.set(s.stage, [...(byStage.get(s.stage) ?? []), s.logicalId ?? '']);
  for (const [stage, ids] of byStage) {
    if (ids.length > 1)
      throw new ConfigError(
        `the REST APIs ${ids.join(' and ')} both use stage ${stage}, and apigw serves each API under its stage prefix: serve one with --api ${ids.join(' or --api ')}`,
      );
  }
  return served;
}

/**
 * Gives each served API the template's usage plans, API keys and stage settings merged with the
 * config's (template-access.ts), and prints the keys: a client needs their values to call.
 */
function withAccess(
  served: ServedApi[],
  loaded: TemplateLoadResult,
  config: ApigwConfig & { api: string },
  log: Logger,
): ServedApi[] {
  let access: ReturnType<typeof templateAccess>;
  try {
    access = templateAccess(loaded, served, config, config.api);
  } catch (e) {
    throw e instanceof AccessConfigError ? new ConfigError(e.message) : e;
  }
  for (const warning of access.warnings) log.warn(warning);
  for (const key of access.keys)
    log.info(
      `API key ${key.name} (${key.logicalId}): ${key.value}${key.generated ? ' (generated: the template gives no Value)' : ''}${key.enabled ? '' : ' [disabled]'}`,
    );
  return served.map((s, i) => ({ ...s, access: access.perApi[i] }));
}

/**
 * Reads a SAM / CloudFormation template; undefined when the file is not one. The template importer
 * is loaded only for a file that may be a template (and not with the CLI, which imports this
 * module for its flags before it loads the gateway).
 */
function loadTemplateFile(file: string, options?: TemplateLoadOptions): TemplateLoadResult | undefined {
  if (!fileMayBeTemplate(file)) return undefined;
  const cloudformation = require('../openapi/cloudformation') as typeof import('../openapi/cloudformation');
  return cloudformation.loadTemplate(file, options);
}

/**
 * The API definitions in `file`: a template's REST APIs, or the one OpenAPI document; problems
 * that keep it from loading are one ConfigError. For commands that read an API without serving it.
 */
export function apiDefinitionsOf(file: string, config: ApigwConfig = {}): ApiDefinition[] {
  const template = loadTemplateFile(file, {
    parameterOverrides: config.parameterOverrides,
    region: config.region,
  });
  if (template) {
    const errors = template.problems.filter((p) => p.severity === 'error');
    if (errors.length)
      throw new ConfigError(`${file} cannot be read:\n${errors.map(formatProblem).join('\n')}`);
    return template.apis.map((a) => a.api);
  }
  const { loadApi } = require('../openapi') as typeof import('../openapi');
  const loaded = loadApi(file);
  if (!loaded.api) {
    const errors = loaded.problems.filter((p) => p.severity === 'error').map(formatProblem);
    throw new ConfigError(`${file} cannot be read:\n${errors.join('\n')}`);
  }
  return [loaded.api];
}

/** Whether `file` is a SAM / CloudFormation template (not an apigw config file). */
export function isTemplateFile(file: string): boolean {
  return existsSync(file) && loadTemplateFile(file) !== undefined;
}

/**
 * The usage plans and API keys of the template `config.api` names, with the config's (what a
 * gateway serving it enforces), for `apigw usage`; undefined when it names no template.
 */
export function templateAccessSettings(config: ApigwConfig): AccessConfig | undefined {
  if (config.api === undefined) return undefined;
  const loaded = loadTemplateFile(config.api, {
    parameterOverrides: config.parameterOverrides,
    region: config.region,
  });
  if (!loaded) return undefined;
  const error = loaded.problems.find((p) => p.severity === 'error');
  if (error) throw new ConfigError(`${config.api} cannot be read: ${formatProblem(error)}`);
  try {
    return templateAccess(loaded, servedApis(config, loaded), config, config.api).perApi[0] ?? config;
  } catch (e) {
    throw e instanceof AccessConfigError ? new ConfigError(e.message) : e;
  }
}

/** The access settings a gateway serving `config` enforces; a template that cannot be read gives the config's (start-up reports why). */
export function declaredAccess(config: ApigwConfig): AccessConfig {
  try {
    return templateAccessSettings(config) ?? config;
  } catch (e) {
    if (e instanceof ConfigError) return config;
    throw e;
  }
}

// Beside this file: a .js when compiled, the .ts under ts-jest (the embedded Lambda runs both).
const STAND_IN = ['template-unrunnable.js', 'template-unrunnable.ts']
  .map((f) => path.join(__dirname, f))
  .find((f) => existsSync(f));

/** The embedded Lambda's entry for a template function; problems go to `problems`. */
function functionConfig(fn: TemplateFunction, dataDir: string, template: string, problems: Problem[]) {
  let file: string | undefined = fn.handler ? `${fn.handler.file}#${fn.handler.exportName}` : undefined;
  const environment = { ...fn.environment };
  if (fn.inline) {
    // Inline code (InlineCode, Code.ZipFile) is written where the embedded Lambda can load it.
    const dir = path.join(dataDir, 'template-functions', fn.name);
    mkdirSync(dir, { recursive: true });
    const module = path.join(dir, `${fn.inline.module}.js`);
    writeFileSync(module, fn.inline.code);
    file = `${module}#${fn.inline.exportName}`;
  }
  if (!file) {
    // Another runtime, or code only in S3: invoking it fails as a function that cannot start does.
    if (!STAND_IN) return undefined;
    file = `${STAND_IN}#handler`;
    environment.APIGW_UNRUNNABLE_REASON = `${fn.logicalId}: ${fn.problem?.message ?? 'it cannot run here'}`;
  }
  const { FunctionConfigError, parseFunction } = embeddedLambda();
  try {
    return parseFunction(
      fn.name,
      { handler: file, timeout: fn.timeout, memory: fn.memory, environment },
      '/',
      `${fn.logicalId} (${fn.type})`,
    );
  } catch (e) {
    if (!(e instanceof FunctionConfigError)) throw e;
    problems.push({ severity: 'error', file: template, pointer: fn.pointer, message: e.message });
    return undefined;
  }
}

/**
 * `--parameter-overrides` as SAM spells it: `Key=Value` pairs separated by spaces (a value may be
 * quoted), or `ParameterKey=Key,ParameterValue=Value`; the flag may be repeated.
 */
export function parseParameterOverrides(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const tokens = value.match(/(?:[^\s"']+|"[^"]*"|'[^']*')+/g) ?? [];
    for (const token of tokens) {
      const unquoted = token.replace(
        /"([^"]*)"|'([^']*)'/g,
        (_m, a: string | undefined, b: string | undefined) => a ?? b ?? '',
      );
      const long = /^ParameterKey=([^,]+),ParameterValue=(.*)$/.exec(unquoted);
      const eq = unquoted.indexOf('=');
      const [key, v] = long ? [long[1], long[2]] : [unquoted.slice(0, eq), unquoted.slice(eq + 1)];
      if (long === null && eq <= 0)
        throw new ConfigError(
          `--parameter-overrides expects Key=Value (or ParameterKey=Key,ParameterValue=Value), got '${token}'`,
        );
      if (!/^[A-Za-z0-9:]+$/.test(key))
        throw new ConfigError(`--parameter-overrides: '${key}' is not a parameter name (letters and digits)`);
      out[key] = v;
    }
  }
  return out;
}

/** The template a directory holds: template.yaml / template.yml / template.json, or cdk.out's one stack. */
export function templateIn(dir: string): string | undefined {
  for (const name of ['template.yaml', 'template.yml', 'template.json']) {
    if (existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  const stacks = readdirSync(dir).filter((f) => f.endsWith('.template.json'));
  return stacks.length === 1 ? path.join(dir, stacks[0]) : undefined;
}

/** Banner lines for the APIs served besides the first. */
export function otherApis(running: {
  apis?: readonly { logicalId?: string; apiId: string; stage: string; url: string }[];
}): string[] {
  return (running.apis ?? [])
    .slice(1)
    .map((a) => `Also API ${a.apiId}${a.logicalId ? ` (${a.logicalId})` : ''}, stage ${a.stage}: ${a.url}`);
}
