import cluster, { type Worker } from 'node:cluster';
import { ApiLoadError } from './api-load-error';
import { loadPrincipals, type Principal } from './auth/credentials';
import type { OutboundCredentials } from './aws/credentials';
import { EndpointResolver } from './aws/endpoints';
import { registerEmbeddedOrigin } from './integrations/transport';
import type { ServedStage } from './served-stage';
import { silentLogger, type Logger } from './log';
import type { EmbeddedBackends, ListeningGateway, PreparedApi, ServeConfig } from './serve';

/**
 * The gateway (importer, compiled lifecycle, emulators' glue), loaded once the workers are forked:
 * it is most of what apigw loads, and the primary forks before it loads it (startGatewayCluster).
 */
function serve(): typeof import('./serve') {
  return require('./serve') as typeof import('./serve');
}

/**
 * `apigw serve --workers N`: one primary process and N workers (node:cluster) serving one port.
 *
 * The primary forks the workers first, then loads and checks the API and starts the embedded S3
 * (the single writer of its data directory) and the embedded Lambda while the workers start: on
 * several cores that work runs side by side rather than one after the other. Each worker loads
 * and checks the API too, then asks for its setup: it runs the gateway with the primary's embedded
 * endpoints, the primary's principals and its outbound credentials (sent over the IPC channel,
 * never derived again), and is given them only once the primary has started the emulators. The primary replaces a
 * worker that dies, gives up when they keep dying, and on SIGTERM/SIGINT drains them.
 */

/** Set in the environment of the workers this module forks (a pm2 cluster worker is not one). */
export const WORKER_ENV = 'APIGW_CLUSTER_WORKER';

/** True in a worker forked by `startGatewayCluster`. */
export function isGatewayWorker(env: NodeJS.ProcessEnv = process.env): boolean {
  return cluster.isWorker && env[WORKER_ENV] === '1';
}

/** A worker failed to start (the primary stops with this one-line message). */
export class WorkerStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkerStartError';
  }
}

/** What the primary gives each worker. */
interface WorkerSetup {
  /** The port to listen on: the configured one, or the one the workers share once known. */
  port: number;
  principals: Principal[];
  /** The primary's outbound credentials; undefined when the API calls no AWS service. */
  outbound: OutboundCredentials | undefined;
  /** Base URL of each embedded emulator the primary runs, by service. */
  embedded: Record<string, string>;
}

type ToWorker = { apigw: 'setup'; setup: WorkerSetup } | { apigw: 'drain' };
type FromWorker =
  | { apigw: 'ready' }
  | { apigw: 'listening'; url: string; port: number; apiId: string }
  | { apigw: 'failed'; message: string }
  | { apigw: 'draining'; inFlight: number };

/**
 * Tells a crash loop from the odd death: more than `limit` deaths within `windowMs`, or `limit`
 * replacements in a row that died before they served (they cannot start, however slowly they fail).
 */
export class CrashLoopDetector {
  private readonly deaths: number[] = [];
  private failedStarts = 0;

  constructor(
    private readonly limit = 5,
    private readonly windowMs = 10_000,
  ) {}

  /** Records a death at `now`; resolves with why apigw must stop, or undefined. */
  record(now: number, served: boolean): string | undefined {
    this.deaths.push(now);
    while (this.deaths[0] <= now - this.windowMs) this.deaths.shift();
    this.failedStarts = served ? 0 : this.failedStarts + 1;
    if (this.deaths.length > this.limit) return `${this.deaths.length} in the last ${this.windowMs / 1000} s`;
    if (this.failedStarts >= this.limit) return `${this.failedStarts} replacements in a row failed to start`;
    return undefined;
  }
}
/** How much longer than the drain time-out the primary waits before it kills a worker. */
const KILL_GRACE_MS = 1000;

/** A logger whose messages start with `prefix`. */
function prefixed(log: Logger, prefix: string): Logger {
  return {
    debug: (m) => log.debug(prefix + m),
    info: (m) => log.info(prefix + m),
    warn: (m) => log.warn(prefix + m),
    error: (m) => log.error(prefix + m),
  };
}

/** One line saying why a worker could not start. */
function describeStartError(config: ServeConfig, e: unknown): string {
  if (e instanceof ApiLoadError) {
    const first = e.message.split('\n')[0];
    return `${config.api} cannot be served: ${first}${e.problems.length > 1 ? ` (and ${e.problems.length - 1} more)` : ''}`;
  }
  const { code, address, port } = e as NodeJS.ErrnoException & { address?: string; port?: number };
  if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')
    return `cannot listen on ${address}:${port} (${code})`;
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

/**
 * The worker side: asks the primary for its setup, serves the port, and drains on the primary's
 * word (or its own SIGTERM). Exits the process when done.
 */
export async function runGatewayWorker(config: ServeConfig, log: Logger): Promise<never> {
  const wlog = prefixed(log, `[worker ${process.pid}] `);
  const send = (message: FromWorker) =>
    new Promise<void>((resolve) => {
      if (!process.connected) return resolve();
      process.send!(message, undefined, {}, () => resolve());
    });
  const drainTimeoutMs = (config.drainTimeout ?? DEFAULT_DRAIN_TIMEOUT) * 1000;
  const code = await new Promise<number>((resolve) => {
    let gateway: ListeningGateway | undefined;
    let stopping = false;
    const stop = async () => {
      if (stopping) return;
      stopping = true;
      if (!gateway) return resolve(0);
      const drain = gateway.drain(drainTimeoutMs);
      void send({ apigw: 'draining', inFlight: drain.inFlight });
      const cut = await drain.done;
      if (cut > 0) wlog.warn(`drain time-out: ${cut} request(s) still in flight were cut`);
      resolve(0);
    };
    let loaded: { prepared: PreparedApi } | { error: unknown } | undefined;
    const start = async (setup: WorkerSetup) => {
      try {
        if (!loaded) throw new Error('setup before the API was loaded');
        if ('error' in loaded) throw loaded.error;
        const { prepared } = loaded;
        const { listenGateway, outboundCredentials } = serve();
        const embedded = Object.fromEntries(
          Object.entries(setup.embedded).map(([service, url]) => [service, new URL(url)]),
        );
        const { outbound } = setup;
        for (const url of Object.values(embedded)) registerEmbeddedOrigin(url);
        gateway = await listenGateway(config, prepared, {
          principals: setup.principals,
          endpoints: new EndpointResolver(prepared.settings, embedded),
          credentials: outbound ? () => Promise.resolve(outbound) : outboundCredentials(process.env, wlog),
          port: setup.port,
          log: wlog,
        });
      } catch (e) {
        await send({ apigw: 'failed', message: describeStartError(config, e) });
        return resolve(1);
      }
      // Told to stop while starting: the process is exiting already.
      if (stopping) return;
      void send({ apigw: 'listening', url: gateway.url, port: gateway.address.port, apiId: gateway.apiId });
    };
    // ^C reaches the whole process group: the primary decides, and tells the workers to drain.
    process.on('SIGINT', () => {});
    process.on('SIGTERM', () => void stop());
    process.on('message', (message: ToWorker) => {
      if (typeof message !== 'object' || message === null) return;
      if (message.apigw === 'drain') void stop();
      else if (message.apigw === 'setup') void start(message.setup);
    });
    // Loaded and checked before asking for the setup, while the primary starts the emulators. A
    // failure is reported when the setup comes (the primary, failing the same way, says it first).
    try {
      // The primary printed the warnings already.
      loaded = { prepared: serve().prepareApi(config, silentLogger) };
    } catch (error) {
      loaded = { error };
    }
    void send({ apigw: 'ready' });
  });
  process.exit(code);
}

/** Seconds in-flight requests get to finish when apigw serve is stopped. */
export const DEFAULT_DRAIN_TIMEOUT = 10;

/** `apigw serve --workers N` as seen from the primary. */
export interface RunningCluster extends ServedStage {
  /** Process ids of the workers that serve now. */
  readonly workerPids: number[];
  /** Settles with why the primary must stop: the workers keep dying. */
  readonly failed: Promise<string>;
  /**
   * Tells every worker to stop accepting and finish its requests; kills those still running a
   * second after `drainTimeoutMs`; then stops the embedded backends.
   */
  close(drainTimeoutMs: number): Promise<void>;
}

interface Member {
  readonly worker: Worker;
  readonly pid: number;
  /** The pid of the worker this one replaces. */
  readonly replaces: number | undefined;
  /** It asked for its setup (it loaded the API). */
  ready: boolean;
  listening: boolean;
  draining: boolean;
  inFlight: number;
  failure: string | undefined;
}

/**
 * The primary side: forks `workers` workers running `exec args`, loads and checks the API (errors
 * are thrown as by `startGateway`, once the workers are stopped), starts the embedded backends,
 * gives the workers their setup and resolves once every one listens.
 */
export async function startGatewayCluster(
  config: ServeConfig,
  options: { workers: number; exec: string; args: string[]; log: Logger; env?: NodeJS.ProcessEnv },
): Promise<RunningCluster> {
  const { log, env = process.env } = options;
  /** What every worker is given, once the emulators run. */
  let setup: Omit<WorkerSetup, 'port'> | undefined;

  const members = new Map<number, Member>();
  let phase: 'starting' | 'running' | 'stopping' = 'starting';
  let shared: { url: string; port: number; apiId: string } | undefined;
  const crashes = new CrashLoopDetector();

  let started!: { resolve: () => void; reject: (e: Error) => void };
  const startup = new Promise<void>((resolve, reject) => (started = { resolve, reject }));
  // A worker may fail while the primary still loads the API: awaited below, not unhandled meanwhile.
  startup.catch(() => undefined);
  let fail!: (why: string) => void;
  const failed = new Promise<string>((resolve) => (fail = resolve));
  const waiters = new Set<() => void>();
  const changed = () => waiters.forEach((check) => check());
  /** Resolves when `done()` holds, checked whenever a worker's state changes. */
  const until = (done: () => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!done()) return;
        waiters.delete(check);
        resolve();
      };
      waiters.add(check);
      check();
    });

  const listenPort = () =>
    // A worker that listens on the configured port joins the others' socket; once none is left,
    // port 0 would pick a new port: keep the one the URL printed names.
    config.port === 0 && shared && ![...members.values()].some((m) => m.listening)
      ? shared.port
      : config.port;

  const send = (member: Member, message: ToWorker) => {
    if (member.worker.isConnected()) member.worker.send(message);
  };

  const onMessage = (member: Member, message: FromWorker) => {
    switch (message.apigw) {
      case 'ready':
        // A drain sent before the worker listened for messages was lost: say it again.
        if (phase === 'stopping') return send(member, { apigw: 'drain' });
        member.ready = true;
        if (setup) send(member, { apigw: 'setup', setup: { ...setup, port: listenPort() } });
        return;
      case 'listening':
        member.listening = true;
        shared ??= { url: message.url, port: message.port, apiId: message.apiId };
        if (phase === 'starting' && [...members.values()].every((m) => m.listening)) {
          phase = 'running';
          started.resolve();
        } else if (member.replaces !== undefined) {
          log.info(`worker ${member.pid} serves, replacing worker ${member.replaces}`);
        }
        break;
      case 'failed':
        member.failure = message.message;
        if (phase === 'starting') started.reject(new WorkerStartError(message.message));
        else log.error(`worker ${member.pid} cannot start: ${message.message}`);
        break;
      case 'draining':
        member.draining = true;
        member.inFlight = message.inFlight;
        break;
    }
    changed();
  };

  const onExit = (member: Member, code: number | null, signal: string | null) => {
    members.delete(member.worker.id);
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (phase === 'starting') {
      started.reject(
        new WorkerStartError(member.failure ?? `worker ${member.pid} exited during start-up (${how})`),
      );
    } else if (phase === 'running') {
      const loop = crashes.record(Date.now(), member.listening);
      if (loop) {
        log.error(`worker ${member.pid} died (${how})`);
        phase = 'stopping';
        fail(
          `workers keep dying (${loop}, the last with ${how}${member.failure ? `: ${member.failure}` : ''}); stopping`,
        );
      } else {
        const verb = signal || code !== 0 ? 'died' : 'exited';
        log.warn(`worker ${member.pid} ${verb} (${how}); starting a replacement`);
        fork(member.pid);
      }
    }
    changed();
  };

  const fork = (replaces?: number) => {
    const worker = cluster.fork({ [WORKER_ENV]: '1' });
    const member: Member = {
      worker,
      pid: worker.process.pid!,
      replaces,
      ready: false,
      listening: false,
      draining: false,
      inFlight: 0,
      failure: undefined,
    };
    members.set(worker.id, member);
    worker.on('message', (message: FromWorker) => {
      if (typeof message === 'object' && message !== null) onMessage(member, message);
    });
    worker.on('exit', (code, signal) => onExit(member, code, signal));
    // Sending to a worker that is going away fails; its 'exit' tells the rest.
    worker.on('error', (e) => log.debug(`worker ${member.pid}: ${e.message}`));
  };

  const killAll = async () => {
    for (const m of members.values()) m.worker.process.kill('SIGKILL');
    await until(() => members.size === 0);
  };

  cluster.setupPrimary({ exec: options.exec, args: options.args });
  // Forked before the primary loads the gateway: each worker's start-up (mostly loading code) runs
  // beside the primary's own instead of after it.
  for (let i = 0; i < options.workers; i++) fork();
  let prepared: PreparedApi;
  let principals: Principal[];
  let development: boolean;
  let backends: EmbeddedBackends | undefined;
  try {
    const { outboundCredentials, prepareApi, reportEndpoints, startEmbeddedBackends } = serve();
    prepared = prepareApi(config, log);
    ({ principals, development } = loadPrincipals(config.credentials, env));
    const credentials = outboundCredentials(env, log);
    // Resolved once here, so every worker signs with the same key.
    const outbound = prepared.services.size > 0 ? await credentials() : undefined;
    backends = await startEmbeddedBackends(config, prepared, principals, credentials, log);
    const endpoints = new EndpointResolver(prepared.settings, backends.urls);
    reportEndpoints(config, prepared, endpoints, backends.urls, log);
    const embedded = Object.fromEntries(Object.entries(backends.urls).map(([s, url]) => [s, url.href]));
    setup = { principals, outbound, embedded };
    for (const member of members.values())
      if (member.ready) send(member, { apigw: 'setup', setup: { ...setup, port: listenPort() } });
    await startup;
  } catch (e) {
    phase = 'stopping';
    await killAll();
    await backends?.close();
    throw e;
  }
  const stopBackends = backends;

  let closing: Promise<void> | undefined;
  return {
    url: shared!.url,
    port: shared!.port,
    stage: prepared.stage,
    apiId: shared!.apiId,
    principals,
    developmentKeys: development,
    get workerPids() {
      return [...members.values()].map((m) => m.pid);
    },
    failed,
    close(drainTimeoutMs) {
      return (closing ??= (async () => {
        phase = 'stopping';
        for (const m of members.values()) send(m, { apigw: 'drain' });
        const killer = setTimeout(() => {
          log.warn(`drain time-out: killing ${members.size} worker(s) with requests still in flight`);
          void killAll();
        }, drainTimeoutMs + KILL_GRACE_MS);
        void until(() => [...members.values()].every((m) => m.draining)).then(() => {
          if (members.size === 0 || drainTimeoutMs === 0) return;
          const inFlight = [...members.values()].reduce((n, m) => n + m.inFlight, 0);
          log.info(
            `draining: no longer accepting connections; ${inFlight} request(s) in flight get up to ${drainTimeoutMs / 1000} s`,
          );
        });
        await until(() => members.size === 0);
        clearTimeout(killer);
        await stopBackends.close();
      })());
    },
  };
}
