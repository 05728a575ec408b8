import { readFileSync } from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import { parseUserPools, type UserPoolsConfig } from './auth/user-pools';
import { corsPolicyOf } from './cors';
import type { FunctionsConfig } from './backends/lambda';
import { embeddedLambda } from './embedded';
import {
  AccessConfigError,
  ACCESS_CONFIG_KEYS,
  parseAccessSetting,
  type AccessConfig,
  type AccessConfigKey,
} from './access/settings';
import { AccessLogSettingError, parseAccessLogSetting, type AccessLogSetting } from './observe/access-log';

/**
 * The one configuration model of apigw. Keys mirror the command-line flags (`dataDir` is
 * `--data-dir`); a value given as a flag overrides the same key of the config file.
 */
export interface ApigwConfig extends AccessConfig {
  port?: number;
  host?: string;
  /** Where the embedded backends keep their data. */
  dataDir?: string;
  /** The AWS region the emulators present themselves as (us-east-1 by default). */
  region?: string;
  /** An AWS shared-credentials file: every profile is an allowed access key and its owner. */
  credentials?: string;
  /** debug | info | warn | error. */
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  /** The OpenAPI file `apigw serve` runs. */
  api?: string;
  /** The stage name (default: the document's base path, else `dev`). */
  stage?: string;
  /** `$stageVariables` of the stage. */
  stageVariables?: Record<string, string>;
  /** Per AWS service: `embedded`, `aws`, or a URL. */
  endpoints?: Record<string, string>;
  /** Flag form of `endpoints.s3`. */
  s3Endpoint?: string;
  /** Flag form of `endpoints.lambda`. */
  lambdaEndpoint?: string;
  /** Also accept curl 7.x's single-encoded SigV4 paths (logged). */
  sigv4Compat?: boolean;
  /** Functions of the embedded Lambda: name → handler (`file.js#export`), timeout, memory, environment. */
  functions?: FunctionsConfig;
  /**
   * Request and response payload limit in bytes (default 10 MB, as AWS); Infinity lifts it. Given
   * as bytes, a size (`10MB`, `1GiB`) or `none`.
   */
  maxPayload?: number;
  /** `apigw serve`: how many processes serve the port (default 1); `auto` is one per CPU. */
  workers?: number | 'auto';
  /** `apigw serve`: seconds in-flight requests get to finish on SIGTERM/SIGINT (default 10). */
  drainTimeout?: number;
  /**
   * Start even though the only accepted keys are the published development pair and `host` is
   * not a loopback address (anyone who reaches the port can sign with them).
   */
  allowDevelopmentKeysOnNetwork?: boolean;
  /** `apigw serve` and `apigw lambda`: seconds a client gets to send its request headers (default 20). */
  headersTimeout?: number;
  /** `apigw serve`: seconds a request body may stall (no byte arriving) before the request is ended (default 20). */
  bodyIdleTimeout?: number;
  /** `apigw serve`: API Gateway access logs: a format (CLF, JSON, XML, CSV or `$context` text) and destination. */
  accessLog?: AccessLogSetting;
  /** `apigw serve`: write each request's execution trace as a log line (and honour `X-Apigw-Trace: 1`). */
  trace?: boolean;
  /** `apigw serve`: refuse to start while the API has x-amazon-apigateway-* fields apigw does not honour. */
  strict?: boolean;
  /** `apigw serve`: the console page under /.apigw/console/ (default: on when listening on loopback). */
  console?: boolean;
  /** `apigw serve`: apply edits of the API file and config file without a restart (default true). */
  reload?: boolean;
  /**
   * `apigw serve`: answer every CORS preflight and add CORS headers to every response, for `*` (any
   * origin) or a comma-separated list of origins; beyond AWS, for development (`true` means `*`).
   */
  cors?: string;
  /** Cognito user pools by pool id: `jwks` (file, URL or aws), `clientIds`, `developmentKey`. */
  userPools?: UserPoolsConfig;
  /** `apigw serve` of a SAM / CloudFormation template: values of its Parameters (`--parameter-overrides`). */
  parameterOverrides?: Record<string, string>;
  /** `apigw serve` of a template: the logical id of the one REST API to serve (`--api`). */
  restApi?: string;
}

/** Seconds a client gets to send its request headers (`headersTimeout`); Node's own is 60 s, checked every 30 s. */
export const DEFAULT_HEADERS_TIMEOUT = 20;
/** Seconds a request body may stall before the gateway ends the request (`bodyIdleTimeout`). */
export const DEFAULT_BODY_IDLE_TIMEOUT = 20;

/** The most `workers` apigw accepts. */
export const MAX_WORKERS = 64;

/** A problem with the configuration the user gave; the CLI prints it and exits non-zero. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

type KeyKind =
  | 'port'
  | 'string'
  | 'path'
  | 'logLevel'
  | 'boolean'
  | 'stringMap'
  | 'size'
  | 'functions'
  | 'workers'
  | 'seconds'
  | 'accessLog'
  | 'cors'
  | 'userPools'
  | 'access';
const KEYS: Record<keyof ApigwConfig, KeyKind> = {
  port: 'port',
  host: 'string',
  dataDir: 'path',
  region: 'string',
  credentials: 'path',
  logLevel: 'logLevel',
  api: 'path',
  stage: 'string',
  stageVariables: 'stringMap',
  endpoints: 'stringMap',
  s3Endpoint: 'string',
  lambdaEndpoint: 'string',
  sigv4Compat: 'boolean',
  functions: 'functions',
  maxPayload: 'size',
  workers: 'workers',
  drainTimeout: 'seconds',
  allowDevelopmentKeysOnNetwork: 'boolean',
  headersTimeout: 'seconds',
  bodyIdleTimeout: 'seconds',
  accessLog: 'accessLog',
  trace: 'boolean',
  strict: 'boolean',
  console: 'boolean',
  reload: 'boolean',
  cors: 'cors',
  userPools: 'userPools',
  parameterOverrides: 'stringMap',
  restApi: 'string',
  // API keys, usage plans, methodSettings, accountThrottle, cacheCluster*, redis: gateway/access/settings.ts.
  ...(Object.fromEntries(ACCESS_CONFIG_KEYS.map((k) => [k, 'access'])) as Record<AccessConfigKey, 'access'>),
};

const SIZE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  kib: 1024,
  mb: 1024 ** 2,
  mib: 1024 ** 2,
  gb: 1024 ** 3,
  gib: 1024 ** 3,
  tb: 1024 ** 4,
  tib: 1024 ** 4,
};

/**
 * A payload size: bytes (`10485760`), a number with a unit (`10MB`, `1.5GiB`; units are binary,
 * as AWS counts its "10 MB" limit: 1 MB = 1 MiB = 1,048,576 bytes), or `none` (Infinity: no
 * limit). Undefined when it is none of these.
 */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim().toLowerCase();
  if (text === 'none') return Infinity;
  const m = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?$/.exec(text);
  if (!m) return undefined;
  const bytes = Math.floor(Number(m[1]) * SIZE_UNITS[m[2] ?? 'b']);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** The flag spelling of a config key: dataDir → --data-dir. */
export function flagName(key: string): string {
  return '--' + key.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());
}

/** The config key of a flag spelling: data-dir → dataDir. */
export function keyName(flag: string): string {
  return flag.replace(/^--/, '').replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase());
}

function coerce(key: keyof ApigwConfig, value: unknown, where: string, baseDir: string): unknown {
  const kind = KEYS[key];
  if (kind === 'port') {
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) {
      throw new ConfigError(
        `${where}: ${key} must be a port number between 0 and 65535, got ${JSON.stringify(value)}`,
      );
    }
    return n;
  }
  if (kind === 'workers') {
    if (value === 'auto') return value;
    const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
      throw new ConfigError(
        `${where}: ${key} must be a whole number from 1 to ${MAX_WORKERS}, or auto, got ${JSON.stringify(value)}`,
      );
    }
    return n;
  }
  if (kind === 'seconds') {
    const n = typeof value === 'string' && /^\d+(\.\d+)?$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < 0 || n > 86400) {
      throw new ConfigError(
        `${where}: ${key} must be a number of seconds from 0 to 86400, got ${JSON.stringify(value)}`,
      );
    }
    return n;
  }
  if (kind === 'userPools') {
    const pools = parseUserPools(value, baseDir);
    if (typeof pools === 'string') throw new ConfigError(`${where}: ${pools}`);
    return pools;
  }
  if (kind === 'cors') {
    if (value === false) return undefined;
    const setting = value === true ? '*' : value;
    const policy = typeof setting === 'string' ? corsPolicyOf(setting) : 'cors must be true, * or origins';
    if (typeof policy === 'string')
      throw new ConfigError(`${where}: ${policy}, got ${JSON.stringify(value)}`);
    return setting;
  }
  if (kind === 'boolean') {
    if (typeof value !== 'boolean')
      throw new ConfigError(`${where}: ${key} must be true or false, got ${JSON.stringify(value)}`);
    return value;
  }
  if (kind === 'stringMap') {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new ConfigError(`${where}: ${key} must be a mapping of names to strings`);
    }
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (!['string', 'number', 'boolean'].includes(typeof v)) {
        throw new ConfigError(`${where}: ${key}.${k} must be a string, got ${JSON.stringify(v)}`);
      }
      out[k] = String(v);
    }
    return out;
  }
  if (kind === 'accessLog') {
    try {
      return parseAccessLogSetting(value, baseDir);
    } catch (e) {
      throw e instanceof AccessLogSettingError ? new ConfigError(`${where}: ${e.message}`) : e;
    }
  }
  if (kind === 'access') {
    try {
      return parseAccessSetting(key as AccessConfigKey, value, where);
    } catch (e) {
      throw e instanceof AccessConfigError ? new ConfigError(e.message) : e;
    }
  }
  if (kind === 'functions') {
    const { FunctionConfigError, parseFunctions } = embeddedLambda();
    try {
      return parseFunctions(value, baseDir, where);
    } catch (e) {
      throw e instanceof FunctionConfigError ? new ConfigError(e.message) : e;
    }
  }
  if (kind === 'size') {
    const size = parseSize(value);
    if (size === undefined) {
      throw new ConfigError(
        `${where}: ${key} must be a number of bytes, a size such as 10MB or 1GiB, or none, got ${JSON.stringify(value)}`,
      );
    }
    return size;
  }
  if (kind === 'logLevel') {
    if (!['debug', 'info', 'warn', 'error'].includes(value as string)) {
      throw new ConfigError(
        `${where}: ${key} must be one of debug, info, warn, error, got ${JSON.stringify(value)}`,
      );
    }
    return value;
  }
  if (typeof value !== 'string' || value === '') {
    throw new ConfigError(`${where}: ${key} must be a non-empty string, got ${JSON.stringify(value)}`);
  }
  return kind === 'path' ? path.resolve(baseDir, value) : value;
}

/** Checks and normalises one layer of settings (file or flags); relative paths resolve against baseDir. */
export function validateLayer(raw: Record<string, unknown>, where: string, baseDir: string): ApigwConfig {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    if (!(key in KEYS)) {
      const known = Object.keys(KEYS).join(', ');
      throw new ConfigError(`${where}: unknown setting '${key}' (known: ${known})`);
    }
    out[key] = coerce(key as keyof ApigwConfig, value, where, baseDir);
  }
  return out as ApigwConfig;
}

/** Reads a YAML config file; relative paths inside it are relative to the file. */
export function loadConfigFile(file: string): ApigwConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read config file ${file}: ${(e as Error).message}`);
  }
  if (text.trim() === '') return {};
  let doc: unknown;
  try {
    doc = yaml.load(text);
  } catch (e) {
    throw new ConfigError(`${file}: not valid YAML: ${(e as Error).message}`);
  }
  if (doc === undefined || doc === null) return {};
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigError(`${file}: expected a mapping of settings at the top level`);
  }
  return validateLayer(doc as Record<string, unknown>, file, path.dirname(path.resolve(file)));
}

/** Flags over file over defaults; maps (endpoints, stageVariables) merge key by key. */
export function resolveConfig<
  D extends ApigwConfig & Required<Pick<ApigwConfig, 'port' | 'host' | 'dataDir'>>,
>(flags: Record<string, unknown>, defaults: D, cwd = process.cwd(), where = 'command line'): ApigwConfig & D {
  const { config: configFile, ...rest } = flags;
  const fromFile = typeof configFile === 'string' ? loadConfigFile(path.resolve(cwd, configFile)) : {};
  const fromFlags = validateLayer(rest, where, cwd);
  const merged: ApigwConfig & D = {
    ...defaults,
    dataDir: path.resolve(cwd, defaults.dataDir),
    ...fromFile,
    ...fromFlags,
  };
  for (const key of ['stageVariables', 'endpoints'] as const) {
    if (fromFile[key] || fromFlags[key]) merged[key] = { ...fromFile[key], ...fromFlags[key] };
  }
  for (const [key, service] of [
    ['s3Endpoint', 's3'],
    ['lambdaEndpoint', 'lambda'],
  ] as const) {
    const value = fromFlags[key] ?? fromFile[key];
    if (value !== undefined) merged.endpoints = { ...merged.endpoints, [service]: value };
    delete merged[key];
  }
  return merged;
}

/** `--stage-variable k=v` values as a map; the value may contain '='. */
export function parseStageVariables(values: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--stage-variable expects NAME=VALUE, got '${value}'`);
    const name = value.slice(0, eq);
    if (!/^[A-Za-z0-9_]+$/.test(name)) {
      throw new ConfigError(
        `--stage-variable: '${name}' is not a valid stage variable name (letters, digits, _)`,
      );
    }
    out[name] = value.slice(eq + 1);
  }
  return out;
}
