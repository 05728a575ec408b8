import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createDirectory } from '../lib/directories';
import { formatProblem, loadApi } from '../openapi';
import type { ApiDefinition } from '../openapi/model';
import { IntegrationUriError, parseIntegrationUri } from '../openapi/uri';
import { MemoryStore, RedisStore, reportAccess, type StateStore } from './access';
import { AccessConfigError, type AccessConfig } from './access/settings';
import { loadPrincipals, principal, type Principal } from './auth/credentials';
import { resolveOutboundCredentials, type OutboundCredentials } from './aws/credentials';
import { EndpointResolver, parseEndpointSetting, type EndpointSetting } from './aws/endpoints';
import type { RunningLambda } from './backends/lambda';
import type { RunningS3 } from './backends/s3';
import { ConfigError, DEFAULT_BODY_IDLE_TIMEOUT, DEFAULT_HEADERS_TIMEOUT, type ApigwConfig } from './config';
import type { Logger } from './log';
import { missingRoleWarning } from './integrations/aws';
import { registerEmbeddedOrigin, warmTransport } from './integrations/transport';
import { unsupportedFieldsOfFile, type UnsupportedField } from '../openapi/unsupported-fields';
import { reportRoutes, strictProblems } from './report';
import type { Observability } from './observe';
import type { Gateway, GatewayHandler } from './server';
import type { ServedStage } from './served-stage';
import { defaultStageName, validateStageName } from './stage-names';
import { forbiddenMappings } from './stages/integration-request';
import { DEFAULT_MAX_PAYLOAD } from './stages/method-request';
import { compileApiTemplates } from './templates';
import { corsPolicy } from './cors';
import { prepareTemplate, type ServedApi } from './template-api';
import type { FunctionsConfig } from './backends/lambda';
import { ApiLoadError } from './api-load-error';
import { embeddedLambda, embeddedS3 } from './embedded';

// In a file of its own, so that the CLI can tell this error apart without loading the gateway.
export { ApiLoadError };

export interface RunningGateway extends ServedStage {
  readonly s3: RunningS3 | undefined;
  readonly lambda: RunningLambda | undefined;
  /** The API as loaded and checked at start-up. */
  readonly prepared: PreparedApi;
  /** Every API served, when a template gives several (each under its own stage). */
  readonly apis?: readonly ServedUrl[];
  /**
   * Stops accepting connections, lets the requests in flight finish (closing keep-alive
   * connections as they go idle), cuts those still running after `drainTimeoutMs` (default: no
   * limit), then stops the embedded backends. Resolves with how many requests were cut.
   */
  close(drainTimeoutMs?: number): Promise<number>;
}

/** Where one of several served APIs answers. */
export interface ServedUrl {
  readonly logicalId: string | undefined;
  readonly apiId: string;
  readonly stage: string;
  readonly url: string;
}

/** The AWS services an API's integrations call. */
function servicesUsed(api: ApiDefinition): Set<string> {
  const services = new Set<string>();
  for (const resource of api.resources) {
    for (const method of Object.values(resource.methods)) {
      const target = method!.integration.target;
      if (target.kind === 'aws-path' || target.kind === 'aws-action') services.add(target.service);
    }
  }
  // Lambda authorizers call Lambda too.
  if (Object.values(api.authorizers).some((a) => a.type === 'token' || a.type === 'request'))
    services.add('lambda');
  return services;
}

/** Why a Lambda authorizer's uri cannot be called, or undefined when it names a Lambda function. */
function authorizerUriProblem(uri: string | undefined): string | undefined {
  try {
    const target = parseIntegrationUri('AWS', uri);
    if (target.kind !== 'aws-path' || target.service !== 'lambda')
      return 'its authorizerUri does not name a Lambda function';
    return undefined;
  } catch (error) {
    if (error instanceof IntegrationUriError) return `authorizerUri: ${error.message}`;
    throw error;
  }
}

/** What start-up tells the user about methods apigw cannot fully run yet, and roles it does not assume. */
function reportLimits(api: ApiDefinition, log: Logger): void {
  const roles = new Set<string>();
  for (const resource of api.resources) {
    for (const method of Object.values(resource.methods)) {
      const { integration } = method!;
      const where = `${method!.httpMethod} ${resource.path}`;
      if (integration.credentials) roles.add(integration.credentials);
      const noRole = missingRoleWarning(integration);
      if (noRole) log.warn(`${where}: ${noRole}`);
      const authorizer =
        method!.authorizerName === undefined ? undefined : api.authorizers[method!.authorizerName];
      const lambdaAuthorizer =
        method!.authorizationType === 'CUSTOM' &&
        (authorizer?.type === 'token' || authorizer?.type === 'request');
      if (
        !['NONE', 'AWS_IAM', 'COGNITO_USER_POOLS'].includes(method!.authorizationType) &&
        !lambdaAuthorizer
      ) {
        log.warn(
          `${where}: ${method!.authorizationType} authorization is not supported yet (calls answer 500)`,
        );
      }
      for (const key of forbiddenMappings(integration)) {
        log.warn(`${where}: ${key} cannot be mapped; API Gateway fails every call of this method with 500`);
      }
    }
  }
  for (const role of roles)
    log.info(`integration credentials ${role}: logged, not assumed (apigw signs with its own credentials)`);
  for (const authorizer of Object.values(api.authorizers)) {
    if (authorizer.type !== 'token' && authorizer.type !== 'request') continue;
    const problem = authorizerUriProblem(authorizer.authorizerUri);
    if (problem) log.warn(`authorizer '${authorizer.name}': ${problem} (calls of its methods answer 500)`);
  }
}

function endpointSettings(config: ApigwConfig): Record<string, EndpointSetting> {
  const endpoints = {
    ...config.endpoints,
    ...(config.s3Endpoint !== undefined ? { s3: config.s3Endpoint } : {}),
  };
  return Object.fromEntries(
    Object.entries(endpoints).map(([service, value]) => [service, parseEndpointSetting(service, value)]),
  );
}

/** The settings `apigw serve` needs (flags over the config file over the defaults). */
export type ServeConfig = ApigwConfig & { api: string; port: number; host: string; dataDir: string };

/** An API that was loaded and checked, with what serving it involves. */
export interface PreparedApi {
  readonly api: ApiDefinition;
  readonly stage: string;
  readonly settings: Record<string, EndpointSetting>;
  /** The AWS services its integrations and authorizers call. */
  readonly services: ReadonlySet<string>;
  /** Its x-amazon-apigateway-* fields apigw does not honour (listed at start-up). */
  readonly unsupported: readonly UnsupportedField[];
  /** A template's APIs, each on its stage (`api` and `stage` are the first of them). */
  readonly apis?: readonly ServedApi[];
  /** A template's functions, run on the embedded Lambda with the config's `functions`. */
  readonly functions?: FunctionsConfig;
}

/**
 * Loads the API and checks it and the stage (throws ApiLoadError or ConfigError); warnings and
 * what apigw cannot fully run go to `log`.
 */
export function prepareApi(config: ServeConfig, log: Logger): PreparedApi {
  const template = prepareTemplate(config, log);
  if (template) {
    const apis = [...new Set(template.apis.map((s) => s.api))];
    const problems = [...template.problems, ...apis.flatMap((api) => compileApiTemplates(api))];
    for (const p of problems.filter((p) => p.severity === 'warning')) log.warn(formatProblem(p));
    const errors = problems.filter((p) => p.severity === 'error');
    if (errors.length) throw new ApiLoadError(errors);
    apis.forEach((api) => reportLimits(api, log));
    // The APIs share the template's keys: what is said about a key is said once.
    const said = new Set<string>();
    const once: Logger = {
      debug: (message) => log.debug(message),
      info: (message) => log.info(message),
      error: (message) => log.error(message),
      warn: (message) => void (said.has(message) || (said.add(message), log.warn(message))),
    };
    for (const served of template.apis)
      reportAccessOf(served.access ?? config, served.api, served.stage, once);
    const [first] = template.apis;
    const services = new Set(apis.flatMap((api) => [...servicesUsed(api)]));
    const { functions } = template;
    return {
      api: first.api,
      stage: first.stage,
      settings: endpointSettings(config),
      services,
      // Read from OpenAPI files; a template's APIs list what is not emulated at load instead.
      unsupported: [],
      apis: template.apis,
      functions,
    };
  }
  const loaded = loadApi(config.api);
  const problems = loaded.api ? [...loaded.problems, ...compileApiTemplates(loaded.api)] : loaded.problems;
  for (const p of problems.filter((p) => p.severity === 'warning')) log.warn(formatProblem(p));
  const api = problems.some((p) => p.severity === 'error') ? undefined : loaded.api;
  if (!api) throw new ApiLoadError(problems.filter((p) => p.severity === 'error'));

  const stage = config.stage ?? defaultStageName(api);
  const stageProblem = validateStageName(stage);
  if (stageProblem) throw new ConfigError(stageProblem);

  const unsupported = unsupportedFieldsOfFile(config.api);
  if (config.strict && unsupported.length > 0)
    throw new ApiLoadError(strictProblems(config.api, unsupported));
  const settings = endpointSettings(config);
  const services = servicesUsed(api);
  reportRoutes(api, unsupported, config.stageVariables ?? {}, log);
  reportLimits(api, log);
  reportAccessOf(config, api, stage, log);
  return { api, stage, settings, services, unsupported };
}

/** The start-up checks of an API's access settings; a mistake is a ConfigError. */
function reportAccessOf(settings: AccessConfig, api: ApiDefinition, stage: string, log: Logger): void {
  try {
    reportAccess(settings, api, stage, log);
  } catch (e) {
    throw e instanceof AccessConfigError ? new ConfigError(e.message) : e;
  }
}

/** The embedded emulators `apigw serve` started for an API. */
export interface EmbeddedBackends {
  readonly s3: RunningS3 | undefined;
  readonly lambda: RunningLambda | undefined;
  /** Base URL of each embedded emulator that runs, by service. */
  readonly urls: Record<string, URL>;
  close(): Promise<void>;
}

/**
 * Starts the embedded S3 (when the API calls S3 and no other endpoint is set) and the embedded
 * Lambda (when functions are configured and no other endpoint is set). The integration's own key
 * (`credentials()`) is a user of both, as the role's account is on AWS.
 */
export async function startEmbeddedBackends(
  config: ServeConfig,
  prepared: PreparedApi,
  principals: readonly Principal[],
  credentials: () => Promise<OutboundCredentials>,
  log: Logger,
): Promise<EmbeddedBackends> {
  const { settings, services } = prepared;
  const usersWith = (own: OutboundCredentials) =>
    principals.some((p) => p.accessKeyId === own.accessKeyId)
      ? [...principals]
      : [...principals, principal('integration', own.accessKeyId, own.secretAccessKey)];
  let s3: RunningS3 | undefined;
  const urls: Record<string, URL> = {};
  if (services.has('s3') && (settings.s3 ?? { kind: 'embedded' }).kind === 'embedded') {
    createDirectory(config.dataDir);
    s3 = await embeddedS3().startS3Server({
      dataDir: config.dataDir,
      port: 0,
      host: '127.0.0.1',
      region: config.region ?? 'us-east-1',
      users: usersWith(await credentials()),
      log,
    });
    urls.s3 = new URL(s3.url);
    log.info(`embedded S3 at ${s3.url} (data in ${config.dataDir})`);
  }
  let lambda: RunningLambda | undefined;
  const functions = { ...prepared.functions, ...config.functions };
  const functionNames = Object.keys(functions);
  if (functionNames.length > 0 && (settings.lambda ?? { kind: 'embedded' }).kind === 'embedded') {
    // As with S3: the integration's own key may invoke, and functions get it as their role's keys.
    const own = await credentials();
    try {
      createDirectory(config.dataDir);
      lambda = await embeddedLambda().startLambdaServer({
        functions,
        port: 0,
        host: '127.0.0.1',
        region: config.region ?? 'us-east-1',
        users: usersWith(own),
        roleCredentials: own,
        cacheDir: path.join(config.dataDir, 'lambda-cache'),
        log,
      });
    } catch (e) {
      await s3?.close();
      throw e;
    }
    urls.lambda = new URL(lambda.url);
    log.info(`embedded Lambda at ${lambda.url} (functions: ${functionNames.join(', ')})`);
  } else if (functionNames.length > 0) {
    log.warn(`functions are configured but endpoints.lambda is set: the embedded Lambda is not started`);
  }
  return {
    s3,
    lambda,
    urls,
    async close() {
      await s3?.close();
      await lambda?.close();
    },
  };
}

/** Start-up lines about where each service is reached, and about a payload limit beyond AWS's. */
export function reportEndpoints(
  config: ServeConfig,
  prepared: PreparedApi,
  endpoints: EndpointResolver,
  embedded: Record<string, URL>,
  log: Logger,
): void {
  if (config.maxPayload !== undefined && config.maxPayload !== DEFAULT_MAX_PAYLOAD) {
    const limit = Number.isFinite(config.maxPayload) ? `${config.maxPayload} bytes` : 'none';
    log.info(`payload limit ${limit} (AWS: 10485760 bytes, not adjustable): beyond what API Gateway accepts`);
  }
  for (const service of prepared.services) {
    const setting = endpoints.settingFor(service);
    if (!setting || (setting.kind === 'embedded' && !embedded[service]))
      log.warn(
        `service '${service}' has no endpoint: set endpoints.${service} to a URL or 'aws'${service === 'lambda' ? ', or configure functions' : ''} (calls answer 500)`,
      );
    else if (setting.kind !== 'embedded')
      log.info(`${service} → ${setting.kind === 'aws' ? 'real AWS' : setting.url.href}`);
  }
}

/** Stops a server gracefully; see `drainable`. */
export interface Drain {
  /** Requests that were in flight when the drain began. */
  readonly inFlight: number;
  /** Resolves when every connection is closed, with how many requests the time-out cut. */
  readonly done: Promise<number>;
}

/**
 * Makes `server` drainable: `drain(timeoutMs)` stops accepting connections, closes idle keep-alive
 * connections at once and every other one as soon as its response is complete (requests still
 * running answer with `Connection: close`), and after `timeoutMs` cuts what is left. Call before
 * the server receives requests.
 */
export function drainable(server: Server): (timeoutMs: number) => Drain {
  const active = new Set<ServerResponse>();
  let draining = false;
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    active.add(res);
    if (draining) res.shouldKeepAlive = false;
    res.once('close', () => active.delete(res));
    // The connection of a response that went out with keep-alive is idle once it is complete.
    res.once('finish', () => {
      if (draining) setImmediate(() => server.closeIdleConnections());
    });
  });
  let drain: Drain | undefined;
  return (timeoutMs) => {
    if (drain) return drain;
    draining = true;
    const inFlight = active.size;
    for (const res of active) if (!res.headersSent) res.shouldKeepAlive = false;
    const done = new Promise<number>((resolve) => {
      let cut = 0;
      let timer: NodeJS.Timeout | undefined;
      server.close(() => {
        clearTimeout(timer);
        resolve(cut);
      });
      server.closeIdleConnections();
      if (Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => {
          cut = active.size;
          server.closeAllConnections();
        }, timeoutMs);
      }
    });
    drain = { inFlight, done };
    return drain;
  };
}

/** A gateway that listens. */
export interface ListeningGateway {
  readonly server: Server;
  readonly address: AddressInfo;
  /** Base URL of the stage, e.g. http://127.0.0.1:8080/S3. */
  readonly url: string;
  readonly apiId: string;
  /** Every API served (one, unless a template gives several). */
  readonly apis: readonly ServedUrl[];
  readonly drain: (timeoutMs: number) => Drain;
  /** Traces and access logs of its requests, when any is on. */
  readonly observability: Observability | undefined;
  /** Throttle buckets, quotas, the stage cache and authorizer results (in process, or Redis). */
  readonly store: StateStore;
}

/** What a Gateway needs from the process that serves it, beyond its API. */
export interface GatewayDeps {
  principals: readonly Principal[];
  endpoints: EndpointResolver;
  credentials: () => Promise<OutboundCredentials>;
  log: Logger;
  observability?: Observability;
  /** The state store of usage plans and caches: one per process, kept across reloads. */
  store: StateStore;
  /** What throttling, quotas and cache lifetimes are measured by (tests inject one). */
  clock?: () => number;
}

/** The Gateway of a prepared API with the serving process's dependencies (also how a reload builds one). */
export function createGateway(config: ServeConfig, prepared: PreparedApi, deps: GatewayDeps): Gateway {
  return new (serving().server.Gateway)({
    api: prepared.api,
    stage: prepared.stage,
    stageVariables: { ...prepared.apis?.[0].stageVariables, ...config.stageVariables },
    principals: deps.principals,
    region: config.region,
    sigv4Compat: config.sigv4Compat ?? false,
    endpoints: deps.endpoints,
    credentials: deps.credentials,
    maxPayload: config.maxPayload ?? DEFAULT_MAX_PAYLOAD,
    bodyIdleTimeoutMs: (config.bodyIdleTimeout ?? DEFAULT_BODY_IDLE_TIMEOUT) * 1000,
    log: deps.log,
    observability: deps.observability,
    ...(config.cors === undefined ? {} : { cors: corsPolicy(config.cors) }),
    userPools: config.userPools,
    dataDir: config.dataDir,
    // A template's API: its usage plans, keys and stage settings with the config's (template-access.ts).
    access: {
      settings: prepared.apis?.[0].access ?? config,
      store: deps.store,
      clock: deps.clock ?? Date.now,
    },
  });
}

/**
 * The server, the compiled lifecycle and what watches it: loaded when a gateway is created, not
 * with this module, so that the primary of `serve --workers` prepares the API and runs the
 * emulators without them (bench/results.md, "Start-up").
 */
function serving() {
  return {
    server: require('./server') as typeof import('./server'),
    observe: require('./observe') as typeof import('./observe'),
    stageDispatch: require('./stage-dispatch') as typeof import('./stage-dispatch'),
  };
}

/** Runs the gateway for a prepared API on `port` (in a cluster worker, the port the workers share). */
export async function listenGateway(
  config: ServeConfig,
  prepared: PreparedApi,
  options: Omit<GatewayDeps, 'store'> & {
    port: number;
    /** What requests go to instead of the gateway itself (hot reload, the console: gateway/live/). */
    dispatch?: (gateway: Gateway, deps: GatewayDeps) => GatewayHandler;
  },
): Promise<ListeningGateway> {
  const { port: _port, dispatch, ...given } = options;
  const { observe, server: http, stageDispatch } = serving();
  const clock = given.clock ?? Date.now;
  const store: StateStore = config.redis
    ? await RedisStore.connect(config.redis, options.log, clock)
    : new MemoryStore(
        (config.cacheClusterSize ?? prepared.apis?.[0].access?.cacheClusterSize ?? 0.5) * 1e9,
        clock,
      );
  const deps: GatewayDeps = {
    ...given,
    clock,
    store,
    observability: given.observability ?? observe.observabilityFor(config, options.log),
  };
  const gateway = createGateway(config, prepared, deps);
  // A template may give several APIs: each on its own stage prefix of this one server. Hot reload
  // and the console wrap a single API's gateway; a template's several APIs are served as loaded.
  const { handler, served } = stageDispatch.stageGateways(gateway, prepared.apis, config.stageVariables);
  const server: Server = http.createGatewayServer(
    dispatch && served.length === 1 ? dispatch(gateway, deps) : handler,
    {
      headersTimeoutMs: (config.headersTimeout ?? DEFAULT_HEADERS_TIMEOUT) * 1000,
    },
  );
  const drain = drainable(server);
  let address: AddressInfo;
  try {
    address = await http.listen(server, options.port, config.host);
  } catch (e) {
    await store.close();
    throw e;
  }
  warmTransport();
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    address,
    url: `http://${host}:${address.port}/${prepared.stage}`,
    apiId: gateway.apiId,
    apis: served.map((s) => ({ ...s, url: `http://${host}:${address.port}/${s.stage}` })),
    drain,
    observability: deps.observability,
    store,
  };
}

/** Outbound credentials, resolved once on first use. */
export function outboundCredentials(env: NodeJS.ProcessEnv, log: Logger): () => Promise<OutboundCredentials> {
  let outbound: Promise<OutboundCredentials> | undefined;
  return () => (outbound ??= resolveOutboundCredentials(env, log));
}

/**
 * Starts `apigw serve`: loads the API (refusing to start on errors), starts the embedded backends
 * it needs, and only then opens the port.
 */
export async function startGateway(
  config: ServeConfig,
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
  /** Observability and dispatch of a live server (hot reload, console: gateway/live/); the clock tests inject. */
  hooks: Pick<Parameters<typeof listenGateway>[2], 'observability' | 'dispatch' | 'clock'> = {},
): Promise<RunningGateway> {
  const prepared = prepareApi(config, log);
  const { principals, development } = loadPrincipals(config.credentials, env);
  const credentials = outboundCredentials(env, log);
  const backends = await startEmbeddedBackends(config, prepared, principals, credentials, log);
  const endpoints = new EndpointResolver(prepared.settings, backends.urls);
  for (const url of Object.values(backends.urls)) registerEmbeddedOrigin(url);
  reportEndpoints(config, prepared, endpoints, backends.urls, log);

  let gateway: ListeningGateway;
  try {
    gateway = await listenGateway(config, prepared, {
      principals,
      endpoints,
      credentials,
      port: config.port,
      log,
      ...hooks,
    });
  } catch (e) {
    await backends.close();
    throw e;
  }
  return {
    url: gateway.url,
    port: gateway.address.port,
    stage: prepared.stage,
    apiId: gateway.apiId,
    apis: gateway.apis,
    principals,
    developmentKeys: development,
    s3: backends.s3,
    lambda: backends.lambda,
    prepared,
    async close(drainTimeoutMs = Infinity) {
      const drain = gateway.drain(drainTimeoutMs);
      log.info(
        `draining: no longer accepting connections; ${drain.inFlight} request(s) in flight get ${Number.isFinite(drainTimeoutMs) ? `up to ${drainTimeoutMs / 1000} s` : 'the time they need'}`,
      );
      const cut = await drain.done;
      if (cut > 0) log.warn(`drain time-out: ${cut} request(s) still in flight were cut`);
      await gateway.observability?.close();
      await gateway.store.close();
      await backends.close();
      return cut;
    },
  };
}
