import { existsSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { MemoryStore, RedisStore, type StateStore } from './access';
import { loadPrincipals } from './auth/credentials';
import { EndpointResolver } from './aws/endpoints';
import { observabilityFor } from './observe';
import { ConfigError, resolveConfig, type ApigwConfig } from './config';
import { registerEmbeddedOrigin } from './integrations/transport';
import { createLogger, type Logger } from './log';
import {
  outboundCredentials,
  prepareApi,
  reportEndpoints,
  startEmbeddedBackends,
  type EmbeddedBackends,
} from './serve';
import { apiIdFor } from './api-id';
import { Gateway } from './server';
import { stageGateways, type RequestHandler } from './stage-dispatch';
import { templateIn } from './template-api';
import { DEFAULT_MAX_PAYLOAD } from './stages/method-request';
import { corsPolicy } from './cors';

/** What `apigw.middleware()` takes: the config file's settings, minus those of a listening server. */
export type MiddlewareOptions = Omit<
  ApigwConfig,
  | 'port'
  | 'host'
  | 'workers'
  | 'drainTimeout'
  | 'logLevel'
  | 'headersTimeout'
  | 'allowDevelopmentKeysOnNetwork'
  | 'console'
  | 'reload'
> & {
  /** An OpenAPI file, or a directory with an apigw.yaml (its settings, overridden by these). */
  api: string;
  /** Where the gateway logs; default: stderr at `info`. */
  log?: Logger;
  /** The environment keys and credentials are read from; default: process.env. */
  env?: NodeJS.ProcessEnv;
};

/** An Express (or plain node:http) request handler serving one REST API, with its lifetime. */
export interface GatewayMiddleware {
  (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void): void;
  /** Resolves once the embedded backends the API needs are running; rejects with why they are not. */
  readonly ready: Promise<void>;
  readonly stage: string;
  readonly apiId: string;
  /** Stops the embedded backends (the host app closes its own server). */
  close(): Promise<void>;
}

const NOT_HERE = [
  'port',
  'host',
  'workers',
  'drainTimeout',
  'logLevel',
  'headersTimeout',
  'allowDevelopmentKeysOnNetwork',
  'console',
  'reload',
];

/**
 * The gateway as Express middleware: `app.use('/api', apigw.middleware({ api: 'openapi.json' }))`
 * serves the API under `/api/{stage}/…` with the same compiled lifecycle as `apigw serve`. The API
 * is loaded and checked at once (an ApiLoadError or ConfigError is thrown here); the embedded
 * S3 and Lambda it needs start in the background, and requests wait for them. Mount it before
 * any body parser: the gateway reads the raw body itself (a body another middleware consumed is
 * answered with 500 and a log line saying so).
 */
export function middleware(options: MiddlewareOptions): GatewayMiddleware {
  const { log: givenLog, env = process.env, api, ...settings } = options;
  for (const key of NOT_HERE) {
    if (key in settings)
      throw new ConfigError(`apigw.middleware(): ${key} belongs to a listening server, not to middleware`);
  }
  const target = path.resolve(api);
  const directory = existsSync(target) && statSync(target).isDirectory();
  const template = directory && !existsSync(path.join(target, 'apigw.yaml')) ? templateIn(target) : undefined;
  if (directory && !template && !existsSync(path.join(target, 'apigw.yaml')))
    throw new ConfigError(`${api} is a directory without an apigw.yaml config file (nor a template.yaml)`);
  const config = resolveConfig(
    {
      ...settings,
      ...(directory && !template ? { config: path.join(target, 'apigw.yaml') } : { api: template ?? target }),
    },
    { port: 0, host: '127.0.0.1', dataDir: '.apigw' },
    process.cwd(),
    'apigw.middleware()',
  );
  if (config.api === undefined) throw new ConfigError(`${api}: its apigw.yaml names no api`);
  const log = givenLog ?? createLogger('info');
  const serveConfig = { ...config, api: config.api };
  const prepared = prepareApi(serveConfig, log);
  const { principals } = loadPrincipals(config.credentials, env);
  const credentials = outboundCredentials(env, log);
  // accessLog and trace apply here as in apigw serve (docs/observability.md).
  const observability = observabilityFor(config, log);
  let gateway: RequestHandler | undefined;
  let backends: EmbeddedBackends | undefined;
  let store: StateStore | undefined;
  const ready = (async () => {
    // API keys, usage plans, throttling and the stage cache: in this process, or shared through Redis.
    store = config.redis
      ? await RedisStore.connect(config.redis, log)
      : new MemoryStore(
          (config.cacheClusterSize ?? prepared.apis?.[0].access?.cacheClusterSize ?? 0.5) * 1e9,
        );
    backends = await startEmbeddedBackends(serveConfig, prepared, principals, credentials, log);
    const endpoints = new EndpointResolver(prepared.settings, backends.urls);
    for (const url of Object.values(backends.urls)) registerEmbeddedOrigin(url);
    reportEndpoints(serveConfig, prepared, endpoints, backends.urls, log);
    const first = new Gateway({
      api: prepared.api,
      stage: prepared.stage,
      stageVariables: { ...prepared.apis?.[0].stageVariables, ...config.stageVariables },
      principals,
      region: config.region,
      sigv4Compat: config.sigv4Compat ?? false,
      endpoints,
      credentials,
      maxPayload: config.maxPayload ?? DEFAULT_MAX_PAYLOAD,
      // Opt-in here: the host app's server may have its own idea of slow clients.
      ...(config.bodyIdleTimeout !== undefined ? { bodyIdleTimeoutMs: config.bodyIdleTimeout * 1000 } : {}),
      log,
      observability,
      ...(config.cors === undefined ? {} : { cors: corsPolicy(config.cors) }),
      userPools: config.userPools,
      dataDir: config.dataDir,
      // A template's API: its usage plans, keys and stage settings with the config's.
      access: { settings: prepared.apis?.[0].access ?? config, store },
    });
    // A template's several APIs, each under its stage prefix below the mount path.
    gateway = stageGateways(first, prepared.apis, config.stageVariables).handler;
  })();
  // A failed start is reported through `ready` and each request; it must not crash the host app.
  ready.catch((e: unknown) =>
    log.error(`apigw.middleware(): the gateway could not start: ${(e as Error).message}`),
  );
  const handler = ((req, res, next) => {
    if (req.readableEnded) {
      log.error(
        `apigw.middleware(): ${req.method} ${req.url}: the request body was already read by another middleware; mount apigw before body parsers`,
      );
      internalError(res);
      return;
    }
    if (gateway) {
      void gateway.handle(req, res);
      return;
    }
    ready.then(
      () => void gateway!.handle(req, res),
      (e: unknown) => (next ? next(e) : internalError(res)),
    );
  }) as GatewayMiddleware;
  return Object.assign(handler, {
    ready,
    stage: prepared.stage,
    apiId: apiIdFor(prepared.api),
    async close() {
      await ready.catch(() => undefined);
      await store?.close();
      await backends?.close();
      await observability?.close();
    },
  });
}

/** API Gateway's 500 for a gateway that cannot serve (not started, or its request was spoiled). */
function internalError(res: ServerResponse): void {
  const body = '{"message":"Internal server error"}';
  res.writeHead(500, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    'x-amzn-ErrorType': 'InternalServerErrorException',
  });
  res.end(body);
}
