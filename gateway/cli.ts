import cluster from 'node:cluster';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadPrincipals, type Principal } from './auth/credentials';
import { startLambdaServer } from './backends/lambda';
import { startS3Server } from './backends/s3';
import { DataDirInUseError } from './backends/s3/store';
import {
  DEFAULT_DRAIN_TIMEOUT,
  isGatewayWorker,
  runGatewayWorker,
  startGatewayCluster,
  WorkerStartError,
} from './cluster';
import {
  ConfigError,
  DEFAULT_HEADERS_TIMEOUT,
  flagName,
  keyName,
  MAX_WORKERS,
  parseStageVariables,
  resolveConfig,
} from './config';
import { createLogger, type Logger } from './log';
import { ApiLoadError, startGateway, type RunningGateway, type ServeConfig } from './serve';
import { otherApis, parseParameterOverrides, templateIn } from './template-api';

// From dist/gateway/ (the compiled CLI) or gateway/ (sources under test), package.json is above.
const PACKAGE_JSON = [
  path.join(__dirname, '..', '..', 'package.json'),
  path.join(__dirname, '..', 'package.json'),
].find((p) => existsSync(p));
const VERSION: string = PACKAGE_JSON
  ? (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version
  : '0.0.0';
// The script `apigw serve --workers N` forks its workers with.
const BIN = [
  path.join(__dirname, '..', '..', 'bin', 'apigw.js'),
  path.join(__dirname, '..', 'bin', 'apigw.js'),
].find((p) => existsSync(p));

const USAGE = `apigw ${VERSION}: Amazon API Gateway (REST APIs) that runs anywhere

Usage:
  apigw serve <openapi-file | template | dir> [options]
                            Serve a REST API exported from API Gateway, or the REST APIs of a
                            SAM / CloudFormation / CDK template (template.yaml, cdk.out/Stack.template.json);
                            a directory means its apigw.yaml config file, else its template.yaml
  apigw s3 [options]        Run the embedded S3 server on its own
  apigw lambda [dir | config-file] [options]
                            Run the embedded Lambda (the functions: of the config file) on its own
  apigw help                Show this help
  apigw --version           Print the version

Options (each is also a key of the config file, e.g. data-dir → dataDir):
  --config FILE             YAML config file; flags override its keys
  --port N                  Port to listen on (serve: 8080, s3: 4568, lambda: 4569; 0 picks a free one)
  --host H                  Address to listen on (default 127.0.0.1)
  --data-dir DIR            Where data is kept (default ./.apigw)
  --region R                serve: callers must sign for this region (default: any);
                            s3: the region the embedded S3 presents as (default us-east-1)
  --stage NAME              serve: stage name (default: the document's base path, else dev;
                            a template's StageName)
  --stage-variable K=V      serve: a $stageVariables entry (repeatable; config stageVariables)
  --parameter-overrides 'K=V K2=V2'
                            serve a template: values of its Parameters, as sam spells them (repeatable)
  --api LogicalId           serve a template: only this REST API (config restApi), e.g. when two
                            APIs use the same stage name
  --s3-endpoint URL         serve: S3 endpoint (config endpoints.s3): a URL, 'aws' or 'embedded'
  --lambda-endpoint URL     serve: Lambda endpoint (config endpoints.lambda): a URL, 'aws' or 'embedded'
  --sigv4-compat            serve: also accept curl 7.x's single-encoded SigV4 paths (logged)
  --max-payload SIZE        serve: request/response payload limit (default 10MB, as AWS): bytes,
                            a size such as 100MB or 1GiB (binary units), or none (beyond AWS)
  --workers N|auto          serve: serve the port from N processes (default 1; auto: one per CPU, up
                            to 64); the embedded S3 and Lambda run once, in the primary process
  --drain-timeout SECONDS   serve: on SIGTERM/SIGINT, stop accepting and give requests in flight
                            this long to finish (default 10)
  --body-idle-timeout SECONDS
                            serve: a request body that stalls this long (no byte arriving) is ended
                            with 408; a backend it was streaming to sees its request cut (default 20)
  --headers-timeout SECONDS serve, lambda: a client that has not sent its whole request headers
                            within this time is disconnected (default 20; 0: no limit)
  --credentials FILE        AWS shared-credentials file: each profile is an allowed key and its owner
  --allow-development-keys-on-network
                            start even when --host is not a loopback address and the only accepted
                            keys are the published development pair (anyone reaching the port can sign)
  --log-level L             debug | info | warn | error (default info)

Without --credentials, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are accepted when set; with neither,
a fixed development key pair is printed at start-up, and apigw only listens on a loopback address.
`;

const OPTIONS = {
  config: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  region: { type: 'string' },
  credentials: { type: 'string' },
  'log-level': { type: 'string' },
  stage: { type: 'string' },
  'stage-variable': { type: 'string', multiple: true },
  'parameter-overrides': { type: 'string', multiple: true },
  api: { type: 'string' },
  's3-endpoint': { type: 'string' },
  'lambda-endpoint': { type: 'string' },
  'sigv4-compat': { type: 'boolean' },
  'max-payload': { type: 'string' },
  workers: { type: 'string' },
  'drain-timeout': { type: 'string' },
  'body-idle-timeout': { type: 'string' },
  'headers-timeout': { type: 'string' },
  'allow-development-keys-on-network': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

function describePrincipals(principals: Principal[], development: boolean): string {
  if (development) {
    const [p] = principals;
    return [
      'No credentials configured: accepting the development key pair',
      `  AWS_ACCESS_KEY_ID=${p.accessKeyId}`,
      `  AWS_SECRET_ACCESS_KEY=${p.secretAccessKey}`,
    ].join('\n');
  }
  return `Accepting ${principals.length} access key(s): ${principals.map((p) => `${p.accessKeyId} (${p.profile})`).join(', ')}`;
}

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * Refuses to listen beyond loopback when the only accepted keys are the development pair, whose
 * secret is printed in the README: anyone who could reach the port could sign with it.
 */
function refuseDevelopmentKeysOnNetwork(
  config: { host: string; allowDevelopmentKeysOnNetwork?: boolean },
  development: boolean,
): void {
  if (!development || isLoopbackHost(config.host) || config.allowDevelopmentKeysOnNetwork) return;
  throw new ConfigError(
    `refusing to listen on ${config.host} with only the published development keys: give --credentials FILE or set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or pass --allow-development-keys-on-network to let anyone who reaches the port sign with the development keys)`,
  );
}

/** A --data-dir that exists must be a directory. */
function checkDataDir(dir: string): void {
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new ConfigError(`--data-dir ${dir} is a file, not a directory`);
}

/** Seconds (config) to milliseconds, with a default. */
function millis(seconds: number | undefined, fallback: number): number {
  return Math.round((seconds ?? fallback) * 1000);
}

async function runS3(flags: Record<string, unknown>): Promise<number> {
  const serveOnly = {
    stage: '--stage',
    stageVariables: '--stage-variable',
    s3Endpoint: '--s3-endpoint',
    lambdaEndpoint: '--lambda-endpoint',
    sigv4Compat: '--sigv4-compat',
    maxPayload: '--max-payload',
    workers: '--workers',
    drainTimeout: '--drain-timeout',
    bodyIdleTimeout: '--body-idle-timeout',
    headersTimeout: '--headers-timeout',
    restApi: '--api',
    parameterOverrides: '--parameter-overrides',
  };
  for (const [key, flag] of Object.entries(serveOnly)) {
    if (flags[key] !== undefined) throw new ConfigError(`${flag} is an option of apigw serve, not apigw s3`);
  }
  const config = resolveConfig(flags, {
    port: 4568,
    host: '127.0.0.1',
    dataDir: '.apigw',
    region: 'us-east-1',
  });
  checkDataDir(config.dataDir);
  const log = createLogger(config.logLevel ?? 'info');
  const { principals, development } = loadPrincipals(config.credentials);
  refuseDevelopmentKeysOnNetwork(config, development);
  const s3 = await startS3Server({
    dataDir: config.dataDir,
    port: config.port,
    host: config.host,
    region: config.region,
    users: principals,
    log,
  });
  const signalled = untilSignalled();
  process.stdout.write(`${describePrincipals(principals, development)}\n`);
  process.stdout.write(`Data directory: ${config.dataDir}\n`);
  process.stdout.write(`S3 endpoint: ${s3.url} (region ${config.region})\n`);
  await signalled;
  await s3.close();
  return 0;
}

async function runLambda(flags: Record<string, unknown>, positional: string | undefined): Promise<number> {
  for (const key of [
    'stage',
    'stageVariables',
    's3Endpoint',
    'lambdaEndpoint',
    'sigv4Compat',
    'maxPayload',
    'workers',
    'drainTimeout',
    'bodyIdleTimeout',
    'restApi',
    'parameterOverrides',
  ]) {
    const flag = key === 'stageVariables' ? '--stage-variable' : key === 'restApi' ? '--api' : flagName(key);
    if (flags[key] !== undefined)
      throw new ConfigError(`${flag} is an option of apigw serve, not apigw lambda`);
  }
  if (positional !== undefined) {
    if (flags.config !== undefined) throw new ConfigError('give either a directory or --config, not both');
    const target = path.resolve(positional);
    const isDir = existsSync(target) && statSync(target).isDirectory();
    flags = { ...flags, config: isDir ? path.join(target, 'apigw.yaml') : target };
  }
  const config = resolveConfig(flags, {
    port: 4569,
    host: '127.0.0.1',
    dataDir: '.apigw',
    region: 'us-east-1',
  });
  const functions = config.functions ?? {};
  if (Object.keys(functions).length === 0) {
    throw new ConfigError(
      'no functions to run: give a config file with functions: (e.g. apigw lambda examples/lambda-calc)',
    );
  }
  checkDataDir(config.dataDir);
  const log = createLogger(config.logLevel ?? 'info');
  const { principals, development } = loadPrincipals(config.credentials);
  refuseDevelopmentKeysOnNetwork(config, development);
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey } = process.env;
  const lambda = await startLambdaServer({
    functions,
    port: config.port,
    host: config.host,
    region: config.region,
    users: principals,
    roleCredentials: accessKeyId && secretAccessKey ? { accessKeyId, secretAccessKey } : undefined,
    cacheDir: path.join(config.dataDir, 'lambda-cache'),
    headersTimeoutMs: millis(config.headersTimeout, DEFAULT_HEADERS_TIMEOUT),
    log,
  });
  const signalled = untilSignalled();
  process.stdout.write(`${describePrincipals(principals, development)}\n`);
  process.stdout.write(`Functions: ${Object.keys(functions).join(', ')}\n`);
  process.stdout.write(`Lambda endpoint: ${lambda.url} (region ${config.region})\n`);
  await signalled;
  await lambda.close();
  return 0;
}

function printPostmanHelp(
  running: Pick<RunningGateway, 'apiId' | 'stage' | 'url' | 'principals'>,
  region: string | undefined,
  extra: string[] = [],
): void {
  const keys = running.principals;
  // With --region, callers must sign for it; without, any region is accepted.
  const signFor = region === undefined ? 'us-east-1 (any)' : `${region} (required)`;
  const lines = [
    `API ${running.apiId}, stage ${running.stage}`,
    `Base URL: ${running.url}`,
    `Postman: Authorization → AWS Signature, Service Name execute-api, AWS Region ${signFor}, with`,
    ...keys.map((p) => `  AccessKey ${p.accessKeyId}  SecretKey ${p.secretAccessKey}  (${p.profile})`),
    ...extra,
  ];
  // One write: a reader never sees half of the report.
  process.stdout.write(lines.join('\n') + '\n');
}

/** `apigw serve --workers N` (N > 1): the primary process. */
async function runServeCluster(
  config: ServeConfig,
  workers: number,
  argv: string[],
  log: Logger,
): Promise<number> {
  if (cluster.isWorker)
    throw new ConfigError('--workers cannot be used where apigw itself runs as a cluster worker');
  if (!BIN) throw new ConfigError('--workers: cannot find bin/apigw.js to start the workers with');
  const drainTimeoutMs = (config.drainTimeout ?? DEFAULT_DRAIN_TIMEOUT) * 1000;
  let running;
  try {
    running = await startGatewayCluster(config, { workers, exec: BIN, args: argv, log });
  } catch (e) {
    if (e instanceof ApiLoadError) {
      process.stderr.write(`apigw: ${config.api} cannot be served:\n${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const pids = running.workerPids;
  const signalled = untilSignalled();
  printPostmanHelp(running, config.region, [`Workers: ${pids.length} (pids ${pids.join(', ')})`]);
  const failure = await Promise.race([signalled.then(() => undefined), running.failed]);
  if (failure !== undefined) {
    await running.close(0);
    process.stderr.write(`apigw: ${failure}\n`);
    return 1;
  }
  await running.close(drainTimeoutMs);
  return 0;
}

async function runServe(
  flags: Record<string, unknown>,
  positional: string | undefined,
  argv: string[],
): Promise<number> {
  if (positional !== undefined) {
    const target = path.resolve(positional);
    if (existsSync(target) && statSync(target).isDirectory()) {
      const file = path.join(target, 'apigw.yaml');
      const template = existsSync(file) ? undefined : templateIn(target);
      if (template) flags = { ...flags, api: template };
      else if (!existsSync(file))
        throw new ConfigError(
          `${positional} is a directory without an apigw.yaml config file (nor a template.yaml, nor one cdk.out *.template.json)`,
        );
      else if (flags.config !== undefined)
        throw new ConfigError('give either a directory or --config, not both');
      else flags = { ...flags, config: file };
    } else {
      flags = { ...flags, api: positional };
    }
  }
  const config = resolveConfig(flags, { port: 8080, host: '127.0.0.1', dataDir: '.apigw' });
  if (config.api === undefined)
    throw new ConfigError('no API to serve: give an OpenAPI file (or set api in the config file)');
  const log = createLogger(config.logLevel ?? 'info');
  const serveConfig = { ...config, api: config.api };
  if (isGatewayWorker()) return runGatewayWorker(serveConfig, log);
  checkDataDir(config.dataDir);
  refuseDevelopmentKeysOnNetwork(config, loadPrincipals(config.credentials).development);
  const workers =
    config.workers === 'auto' ? Math.min(MAX_WORKERS, availableParallelism()) : (config.workers ?? 1);
  if (workers > 1) return runServeCluster(serveConfig, workers, argv, log);
  let running: RunningGateway;
  try {
    running = await startGateway(serveConfig, log);
  } catch (e) {
    if (e instanceof ApiLoadError) {
      process.stderr.write(`apigw: ${config.api} cannot be served:\n${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const signalled = untilSignalled();
  printPostmanHelp(running, config.region, otherApis(running));
  await signalled;
  const cut = await running.close((config.drainTimeout ?? DEFAULT_DRAIN_TIMEOUT) * 1000);
  // The backend call of a request the drain cut may still run (up to its integration timeout):
  // it must not hold the process up.
  if (cut > 0) setTimeout(() => process.exit(0), 100).unref();
  return 0;
}

/**
 * Resolves on SIGINT/SIGTERM. Call it before printing the lines that say the server is up: stdout
 * to a pipe is written synchronously, so a reader may signal before the next statement runs, and
 * a signal with no handler yet installed kills the process instead of stopping it cleanly.
 */
function untilSignalled(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

/** Entry point of the `apigw` command; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const code = await run(argv);
  // A worker of apigw serve --workers that returns could not start; its IPC channel would keep it up.
  if (isGatewayWorker()) process.exit(code);
  return code;
}

async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`apigw: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const {
    help: _h,
    version: _v,
    'stage-variable': stageVariableFlags,
    'parameter-overrides': overrideFlags,
    api: restApi,
    ...settings
  } = values;
  const flags: Record<string, unknown> = Object.fromEntries(
    Object.entries(settings).map(([name, value]) => [keyName(name), value]),
  );
  // --api names a template's REST API; the config key `api` is the file served.
  if (restApi !== undefined) flags.restApi = restApi;
  try {
    if (stageVariableFlags) flags.stageVariables = parseStageVariables(stageVariableFlags);
    if (overrideFlags) flags.parameterOverrides = parseParameterOverrides(overrideFlags);
  } catch (e) {
    process.stderr.write(`apigw: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    const maxPositionals = command === 'serve' || command === 'lambda' ? 1 : 0;
    if (rest.length > maxPositionals) throw new ConfigError(`unexpected argument '${rest[maxPositionals]}'`);
    switch (command) {
      case 'serve':
        return await runServe(flags, rest[0], argv);
      case 's3':
        return await runS3(flags);
      case 'lambda':
        return await runLambda(flags, rest[0]);
      default:
        process.stderr.write(`apigw: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof ConfigError || e instanceof DataDirInUseError || e instanceof WorkerStartError) {
      process.stderr.write(`apigw: ${e.message}\n`);
      return 1;
    }
    process.stderr.write(`apigw: ${describeStartupError(e)}\n`);
    return 1;
  }
}

/** One line saying why apigw could not start (never a stack trace). */
export function describeStartupError(e: unknown): string {
  const {
    code,
    syscall,
    address,
    port,
    path: file,
  } = (e ?? {}) as NodeJS.ErrnoException & {
    address?: string;
    port?: number;
  };
  if (syscall === 'listen' || syscall === 'bind') return `cannot listen on ${address}:${port} (${code})`;
  if (typeof code === 'string' && file !== undefined) {
    const what: Record<string, string> = {
      ENOTDIR: 'a part of the path is a file, not a directory',
      EEXIST: 'a file is in the way',
      EACCES: 'permission denied',
      EPERM: 'operation not permitted',
      EROFS: 'read-only file system',
      ENOSPC: 'no space left on the device',
      ENOENT: 'no such file or directory',
      EISDIR: 'is a directory',
    };
    const verbs: Record<string, string> = {
      mkdir: 'create directory',
      open: 'open',
      rename: 'rename',
      unlink: 'remove',
    };
    const verb = (syscall && verbs[syscall]) ?? `${syscall ?? 'use'}`;
    return `cannot ${verb} ${file}: ${what[code] ?? code} (${code})`;
  }
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0];
}
