import cluster from 'node:cluster';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createDirectory } from '../lib/directories';
import { loadPrincipals, type Principal } from './auth/credentials';
import {
  DEFAULT_DRAIN_TIMEOUT,
  isGatewayWorker,
  runGatewayWorker,
  startGatewayCluster,
  WorkerStartError,
} from './cluster';
import {
  ConfigError,
  DEFAULT_BODY_IDLE_TIMEOUT,
  DEFAULT_HEADERS_TIMEOUT,
  type ApigwConfig,
  flagName,
  keyName,
  MAX_WORKERS,
  parseStageVariables,
  resolveConfig,
} from './config';
import type { LiveRunningGateway } from './live/start';
import { parseEndpointFlags } from './aws/endpoints';
import { corsPolicy, describeCors, normaliseCorsFlag } from './cors';
import { createLogger, type Logger } from './log';
import { embeddedLambda, embeddedS3, isDataDirInUse } from './embedded';
import { runToken, takeTokenFlags, TOKEN_OPTIONS, TOKEN_OPTIONS_USAGE, TOKEN_USAGE } from './token-command';
import { RedisUnavailableError } from './access/redis-store';
import { AccessConfigError } from './access/settings';
import type { UsageQuery } from './access/usage-command';
import { ApiLoadError } from './api-load-error';
import type { RunningGateway, ServeConfig } from './serve';
import {
  declaredAccess,
  isTemplateFile,
  otherApis,
  parseParameterOverrides,
  templateIn,
} from './template-api';

// Each command's own code is loaded when it runs: `apigw serve --workers` forks its workers before
// it loads the gateway, and a worker loads no console, no inspection, no Redis client.
const load = {
  inspect: () => require('./cli-inspect') as typeof import('./cli-inspect'),
  live: () => require('./live/start') as typeof import('./live/start'),
  usage: () => require('./access/usage-command') as typeof import('./access/usage-command'),
};

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
  apigw validate <openapi-file | dir> [--config FILE] [--strict]
                            Check an API as start-up does, without serving (exit 1 when it cannot
                            be served: for CI)
  apigw routes <openapi-file | dir>
                            Print its methods: path, authorization, API key, integration
${TOKEN_USAGE}
  apigw usage [dir | config-file | template] --plan ID [--key-id ID] [--start-date D] [--end-date D]
                            A usage plan's requests per key and UTC day ([used, remaining], as
                            GetUsage) from the shared Redis store (dates YYYY-MM-DD, default today)
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
  --endpoint SERVICE=URL    serve: where the integrations' calls to an AWS service go (repeatable;
                            config endpoints.<service>): a URL, 'aws' (the real regional endpoint)
                            or 'embedded' (s3, lambda); e.g. --endpoint dynamodb=http://127.0.0.1:8000
  --sigv4-compat            serve: also accept curl 7.x's single-encoded SigV4 paths (logged)
  --max-payload SIZE        serve: request/response payload limit (default 10MB, as AWS): bytes,
                            a size such as 100MB or 1GiB (binary units), or none (beyond AWS)
  --workers N|auto          serve: serve the port from N processes (default 1; auto: one per CPU, up
                            to 64); the embedded S3 and Lambda run once, in the primary process
  --drain-timeout SECONDS   serve: on SIGTERM/SIGINT, stop accepting and give requests in flight
                            this long to finish (default 10)
  --body-idle-timeout SECONDS
                            serve, s3: a request body that stalls this long (no byte arriving) is
                            ended (serve: 408, a backend it was streaming to sees its request cut;
                            s3: 400 RequestTimeout, nothing written) (default 20; 0: no limit)
  --headers-timeout SECONDS serve, s3, lambda: a client that has not sent its whole request headers
                            within this time is disconnected (default 20; 0: no limit)
  --cors [ORIGIN]           serve: answer every CORS preflight and add CORS headers to every response,
                            gateway errors included, for ORIGIN (comma-separated; default: any
                            origin); beyond AWS, for development (AWS: OPTIONS methods of the API)
  --redis URL               serve: keep throttle buckets, quotas, the stage cache and authorizer
                            results in Redis (config redis), shared by every gateway process and
                            machine using it; without it they live in each process
  --credentials FILE        AWS shared-credentials file: each profile is an allowed key and its owner
  --allow-development-keys-on-network
                            start even when --host is not a loopback address and the only accepted
                            keys are the published development pair (anyone reaching the port can sign)
  --log-level L             debug | info | warn | error (default info)
  --access-log FORMAT       serve: API Gateway access logs on stdout: CLF, JSON, XML, CSV or a
                            $context format (config accessLog: {format, destination: FILE})
  --strict                  serve, validate: refuse an API with x-amazon-apigateway-* fields apigw
                            does not honour (start-up lists them by JSON pointer either way)
  --console, --no-console   serve: the console page at /.apigw/console/ (routes, test invocations
                            with their traces, recent requests, access log); default: on when
                            listening on a loopback address
  --no-reload               serve: do not apply edits of the API and config files while running
  --trace                   serve: log each request's execution trace (every stage, as the
                            console's Test shows it); X-Apigw-Trace: 1 returns it in a header

Without --credentials, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are accepted when set; with neither,
a fixed development key pair is printed at start-up, and apigw only listens on a loopback address.

${TOKEN_OPTIONS_USAGE}`;

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
  endpoint: { type: 'string', multiple: true },
  'sigv4-compat': { type: 'boolean' },
  'max-payload': { type: 'string' },
  workers: { type: 'string' },
  'drain-timeout': { type: 'string' },
  'body-idle-timeout': { type: 'string' },
  'headers-timeout': { type: 'string' },
  'allow-development-keys-on-network': { type: 'boolean' },
  'access-log': { type: 'string' },
  trace: { type: 'boolean' },
  strict: { type: 'boolean' },
  console: { type: 'boolean' },
  'no-console': { type: 'boolean' },
  'no-reload': { type: 'boolean' },
  cors: { type: 'string' },
  ...TOKEN_OPTIONS,
  redis: { type: 'string' },
  plan: { type: 'string' },
  'key-id': { type: 'string' },
  'start-date': { type: 'string' },
  'end-date': { type: 'string' },
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
function checkDataDir(dir: string, create = true): void {
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new ConfigError(`--data-dir ${dir} is a file, not a directory`);
  // serve creates it only if something is kept there (gateway/serve.ts).
  if (create) createDirectory(dir);
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
    endpoints: '--endpoint',
    sigv4Compat: '--sigv4-compat',
    maxPayload: '--max-payload',
    workers: '--workers',
    drainTimeout: '--drain-timeout',
    accessLog: '--access-log',
    trace: '--trace',
    strict: '--strict',
    console: '--console',
    reload: '--no-reload',
    cors: '--cors',
    redis: '--redis',
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
  const s3 = await embeddedS3().startS3Server({
    dataDir: config.dataDir,
    port: config.port,
    host: config.host,
    region: config.region,
    users: principals,
    bodyIdleTimeout: millis(config.bodyIdleTimeout, DEFAULT_BODY_IDLE_TIMEOUT),
    headersTimeout: millis(config.headersTimeout, DEFAULT_HEADERS_TIMEOUT),
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
    'endpoints',
    'sigv4Compat',
    'maxPayload',
    'workers',
    'drainTimeout',
    'bodyIdleTimeout',
    'accessLog',
    'trace',
    'strict',
    'console',
    'reload',
    'cors',
    'redis',
    'restApi',
    'parameterOverrides',
  ]) {
    const flag =
      key === 'stageVariables'
        ? '--stage-variable'
        : key === 'endpoints'
          ? '--endpoint'
          : key === 'restApi'
            ? '--api'
            : flagName(key);
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
  const lambda = await embeddedLambda().startLambdaServer({
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

/** Start-up lines about switches that make apigw answer differently from AWS. */
function startupNotes(config: Pick<ApigwConfig, 'cors'>): string[] {
  return config.cors === undefined ? [] : [describeCors(corsPolicy(config.cors))];
}

/** `apigw usage`: a usage plan's GetUsage report from the shared Redis store, as JSON on stdout. */
async function runUsage(
  flags: Record<string, unknown>,
  positional: string | undefined,
  query: UsageQuery,
): Promise<number> {
  if (positional !== undefined) {
    if (flags.config !== undefined) throw new ConfigError('give either a directory or --config, not both');
    const target = path.resolve(positional);
    const isDir = existsSync(target) && statSync(target).isDirectory();
    // A template (or a folder with one and no apigw.yaml): its usage plans are the ones asked about.
    const template = isDir
      ? existsSync(path.join(target, 'apigw.yaml'))
        ? undefined
        : templateIn(target)
      : isTemplateFile(target)
        ? target
        : undefined;
    flags = template
      ? { ...flags, api: template }
      : { ...flags, config: isDir ? path.join(target, 'apigw.yaml') : target };
  }
  const config = resolveConfig(flags, { port: 8080, host: '127.0.0.1', dataDir: '.apigw' });
  const usage = await load.usage().usageFromRedis(config, query, createLogger(config.logLevel ?? 'warn'));
  process.stdout.write(JSON.stringify(usage, null, 2) + '\n');
  return 0;
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
  if (config.console || config.reload)
    log.info('the console and hot reload run in single-process apigw serve only (not with --workers)');
  // A template's usage plans and MethodSettings count too.
  const access = declaredAccess(config);
  if (
    !config.redis &&
    (access.usagePlans?.length || Object.keys(access.methodSettings ?? {}).length || access.accountThrottle)
  )
    log.warn(
      `--workers ${workers} without --redis: each worker keeps its own throttle buckets, quotas and stage cache`,
    );
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
  printPostmanHelp(running, config.region, [
    `Workers: ${pids.length} (pids ${pids.join(', ')})`,
    ...startupNotes(config),
  ]);
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
  checkDataDir(config.dataDir, false);
  refuseDevelopmentKeysOnNetwork(config, loadPrincipals(config.credentials).development);
  const workers =
    config.workers === 'auto' ? Math.min(MAX_WORKERS, availableParallelism()) : (config.workers ?? 1);
  if (workers > 1) return runServeCluster(serveConfig, workers, argv, log);
  let running: LiveRunningGateway;
  try {
    running = await load.live().startLiveGateway(serveConfig, log, {
      // Hot reload reads the command line and the config file again, as here.
      resolve: () => {
        const again = resolveConfig(flags, { port: 8080, host: '127.0.0.1', dataDir: '.apigw' });
        if (again.api === undefined) throw new ConfigError('the config file no longer names an api');
        return { ...again, api: again.api };
      },
      configFile: typeof flags.config === 'string' ? path.resolve(flags.config) : undefined,
      // The console is for development: on by default only where the port is this machine's.
      console: serveConfig.console ?? isLoopbackHost(serveConfig.host),
    });
  } catch (e) {
    if (e instanceof ApiLoadError) {
      process.stderr.write(`apigw: ${config.api} cannot be served:\n${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const signalled = untilSignalled();
  const { consoleUrl } = running;
  printPostmanHelp(running, config.region, [
    ...startupNotes(config),
    ...otherApis(running),
    ...(consoleUrl ? [`Console: ${consoleUrl}`] : []),
  ]);
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
    parsed = parseArgs({
      args: normaliseCorsFlag(argv),
      options: OPTIONS,
      allowPositionals: true,
      strict: true,
    });
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
    'no-console': noConsole,
    'no-reload': noReload,
    endpoint: endpointFlags,
    'parameter-overrides': overrideFlags,
    api: restApi,
    plan,
    'key-id': keyId,
    'start-date': startDate,
    'end-date': endDate,
    ...allSettings
  } = values;
  const usageQuery = { plan, keyId, startDate, endDate };
  if (command !== 'usage' && Object.values(usageQuery).some((v) => v !== undefined)) {
    process.stderr.write(`apigw: --plan, --key-id, --start-date and --end-date are options of apigw usage\n`);
    return 2;
  }
  const { token: tokenFlags, rest: settings } = takeTokenFlags(allSettings);
  const tokenFlag = Object.keys(tokenFlags)[0];
  if (tokenFlag !== undefined && command !== 'token') {
    process.stderr.write(`apigw: --${tokenFlag} is an option of apigw token\n`);
    return 2;
  }
  const flags: Record<string, unknown> = Object.fromEntries(
    Object.entries(settings).map(([name, value]) => [keyName(name), value]),
  );
  // --api names a template's REST API; the config key `api` is the file served.
  if (restApi !== undefined) flags.restApi = restApi;
  if (noConsole) flags.console = false;
  if (noReload) flags.reload = false;
  try {
    if (stageVariableFlags) flags.stageVariables = parseStageVariables(stageVariableFlags);
    if (endpointFlags) flags.endpoints = parseEndpointFlags(endpointFlags);
    if (overrideFlags) flags.parameterOverrides = parseParameterOverrides(overrideFlags);
  } catch (e) {
    process.stderr.write(`apigw: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    const maxPositionals = ['serve', 'lambda', 'validate', 'routes', 'token', 'usage'].includes(command)
      ? 1
      : 0;
    if (rest.length > maxPositionals) {
      const extra = rest[maxPositionals];
      // `--cors localhost:3000`: the value is only taken as --cors's when it looks like an origin.
      const afterCors = argv[argv.indexOf(extra) - 1] === '--cors';
      throw new ConfigError(
        `unexpected argument '${extra}'` +
          (afterCors
            ? ' (--cors takes an origin: scheme://host[:port], e.g. http://localhost:3000, or *)'
            : ''),
      );
    }
    switch (command) {
      case 'serve':
        return await runServe(flags, rest[0], argv);
      case 's3':
        return await runS3(flags);
      case 'lambda':
        return await runLambda(flags, rest[0]);
      case 'validate':
        return load.inspect().runValidate(flags, rest[0]);
      case 'routes':
        return load.inspect().runRoutes(flags, rest[0]);
      case 'token':
        return await runToken(tokenFlags, load.inspect().resolveServeLike(flags, rest[0]));
      case 'usage':
        return await runUsage(flags, rest[0], usageQuery);
      default:
        process.stderr.write(`apigw: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (
      e instanceof ConfigError ||
      isDataDirInUse(e) ||
      e instanceof WorkerStartError ||
      e instanceof AccessConfigError ||
      e instanceof RedisUnavailableError
    ) {
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
