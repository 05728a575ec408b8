import { createHash } from 'node:crypto';
import { readFileSync, watch, type FSWatcher } from 'node:fs';
import path from 'node:path';
import { ConfigError, type ApigwConfig } from '../config';
import type { Logger } from '../log';
import { observabilityFor, type RequestSink } from '../observe';
import {
  ApiLoadError,
  createGateway,
  prepareApi,
  reportEndpoints,
  type GatewayDeps,
  type PreparedApi,
  type ServeConfig,
} from '../serve';
import type { LiveGateway } from './index';

/** Settings a running server cannot change: a new value waits for a restart (and is reported). */
const RESTART_ONLY: ReadonlyArray<keyof ApigwConfig> = [
  'port',
  'host',
  'dataDir',
  'credentials',
  'endpoints',
  'functions',
  'workers',
  'headersTimeout',
  'drainTimeout',
  'allowDevelopmentKeysOnNetwork',
  'logLevel',
  'console',
  'reload',
];

/** Waits this long after a change event for the rest of an editor's writes (a save is often several). */
const SETTLE_MS = 25;

export interface ReloaderOptions {
  /** The settings the server started with. */
  config: ServeConfig;
  /** The config file, when one is used: edits of it reload too. */
  configFile: string | undefined;
  /** Reads the command line and the config file again, as start-up did. */
  resolve: () => ServeConfig;
  deps: GatewayDeps;
  /** The embedded emulators that run (a reloaded API can only use these). */
  embedded: Record<string, URL>;
  live: LiveGateway;
  /** The console's store of recent requests, kept across reloads. */
  recent: RequestSink | undefined;
  log: Logger;
  /** Told of each API that was loaded and swapped in. */
  onReload?: (config: ServeConfig, prepared: PreparedApi) => void;
}

function contentHash(file: string): string {
  try {
    return createHash('sha256').update(readFileSync(file)).digest('hex');
  } catch (e) {
    return `unreadable: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`;
  }
}

/**
 * Hot reload: watches the API file and the config file (their directories, since editors often
 * replace a file rather than write it), and when their content changed loads them again the way
 * start-up does. A good API is compiled into a new Gateway and swapped in at once; a broken one is
 * reported with start-up's messages and the last good API keeps serving.
 */
export class ApiReloader {
  private config: ServeConfig;
  private watchers: FSWatcher[] = [];
  private seen = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: ReloaderOptions) {
    this.config = options.config;
    for (const file of this.files()) this.seen.set(file, contentHash(file));
    this.watch();
  }

  private files(): string[] {
    return [this.config.api, ...(this.options.configFile ? [this.options.configFile] : [])];
  }

  private watch(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    const byDir = new Map<string, Set<string>>();
    for (const file of this.files()) {
      const dir = path.dirname(file);
      (byDir.get(dir) ?? byDir.set(dir, new Set()).get(dir)!).add(path.basename(file));
    }
    for (const [dir, names] of byDir) {
      try {
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          // Some platforms give no name: then any change in the directory is checked.
          if (name === null || names.has(name.toString())) this.schedule();
        });
        watcher.on('error', (e) => this.options.log.warn(`hot reload: cannot watch ${dir}: ${e.message}`));
        this.watchers.push(watcher);
      } catch (e) {
        this.options.log.warn(`hot reload: cannot watch ${dir}: ${(e as Error).message}`);
      }
    }
  }

  private schedule(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.check(), SETTLE_MS);
    this.timer.unref();
  }

  /** Loads the files again if their content changed since the last look; resolves when done. */
  check(): Promise<void> {
    // One reload at a time, in order; an unexpected failure is reported and the next edit still reloads.
    this.running = this.running
      .then(() => this.reloadIfChanged())
      .catch((e: unknown) =>
        this.options.log.error(`hot reload failed: ${(e as Error).message}; still serving the last good API`),
      );
    return this.running;
  }

  private reloadIfChanged(): void {
    if (this.closed) return;
    let changed = false;
    for (const file of this.files()) {
      const hash = contentHash(file);
      if (this.seen.get(file) !== hash) changed = true;
      this.seen.set(file, hash);
    }
    if (changed) this.reload();
  }

  private reload(): void {
    const { log, live } = this.options;
    let config: ServeConfig;
    let prepared: PreparedApi;
    try {
      config = this.options.resolve();
      prepared = prepareApi(config, log);
    } catch (e) {
      if (e instanceof ApiLoadError) {
        log.error(
          `hot reload: ${this.config.api} cannot be served:\n${e.message}\nstill serving the last good API`,
        );
        return;
      }
      if (e instanceof ConfigError) {
        log.error(`hot reload: ${e.message}; still serving the last good API`);
        return;
      }
      log.error(`hot reload failed: ${(e as Error).message}; still serving the last good API`);
      return;
    }
    for (const key of RESTART_ONLY) {
      if (JSON.stringify(config[key]) !== JSON.stringify(this.options.config[key]))
        log.warn(`hot reload: ${key} changed; it applies when apigw is restarted`);
    }
    const deps = this.options.deps;
    const observing = (c: ServeConfig) => JSON.stringify([c.accessLog, c.trace ?? false]);
    if (observing(config) !== observing(this.config)) {
      const previous = deps.observability;
      deps.observability = observabilityFor(config, log, this.options.recent);
      // Requests still finishing on the old Gateway drop their access log lines once it is closed.
      void previous?.close();
    }
    reportEndpoints(config, prepared, deps.endpoints, this.options.embedded, log);
    const apiChanged = config.api !== this.config.api;
    live.swap(createGateway(config, prepared, deps));
    this.config = config;
    if (apiChanged) {
      for (const file of this.files()) this.seen.set(file, contentHash(file));
      this.watch();
    }
    this.options.onReload?.(config, prepared);
    log.info(
      `hot reload: now serving ${config.api} (stage ${prepared.stage}, ${prepared.api.resources.length} resource(s))`,
    );
  }

  /** Stops watching. */
  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
    this.watchers = [];
  }
}
