import { stat } from 'node:fs/promises';
import { ExecutionEnvironment, type Outcome } from './environment';
import type { ErrorDocument } from './error-documents';
import type { FunctionConfig } from './functions';
import type { LambdaLogger } from './logger';
import type { LoadedFile, LogLevel } from './protocol';

/** One invocation as the pool runs it. */
export interface PoolInvocation {
  requestId: string;
  /** The event, JSON text. */
  event: string;
  invokedFunctionArn: string;
  clientContext?: unknown;
}

/** How it went: the outcome and the invocation's log (START … REPORT), as Lambda's log stream shows it. */
export interface PoolResult {
  outcome: { kind: 'result'; payload: string } | { kind: 'error'; error: ErrorDocument };
  log: string[];
}

/** What a pool is made of right now (tests use it to see that a stopped worker is really gone). */
export interface PoolState {
  environments: number;
  initializing: number;
  idle: number;
  busy: number;
  /** Stopped (timed out, crashed, retired) but not yet exited. */
  stopping: number;
  queued: number;
  threadIds: number[];
}

/** What a pool needs besides the function's configuration. */
export interface PoolOptions {
  functionName: string;
  config: FunctionConfig;
  /** The workers' whole environment (Lambda's variables and the function's own). */
  env: Record<string, string>;
  cacheDir: string;
  log: LambdaLogger;
  /** Most environments running at once (default 4); further invocations wait for one to be free. */
  maxEnvironments?: number;
}

const DEFAULT_MAX_ENVIRONMENTS = 4;

/** An environment reserved for one invocation (initMs after a cold start), or why there is none. */
type Acquired = { environment: ExecutionEnvironment; initMs?: number } | { error: ErrorDocument };

function fileKey(file: LoadedFile): string {
  return `${file.mtimeMs}:${file.size}`;
}

/**
 * The warm execution environments of one function, like Lambda's: an invocation takes an idle
 * environment or starts one (a cold start) up to a small maximum, else waits for one. Before each
 * invocation the handler's files are checked (mtime and size): after an edit, every environment
 * of the old code is retired (idle ones now, busy ones when they finish) and new ones load the
 * new code.
 */
export class FunctionPool {
  private readonly environments = new Set<ExecutionEnvironment>();
  private readonly waiting: Array<() => void> = [];
  private readonly logs = new Map<string, string[]>();
  private generation = 0;
  /** The files of the current generation and their version when loaded. */
  private watched = new Map<string, string>();
  private closed = false;

  constructor(private readonly options: PoolOptions) {}

  /** Runs one invocation to its end (result or function error); never rejects. */
  async invoke(invocation: PoolInvocation): Promise<PoolResult> {
    const { requestId } = invocation;
    const { config } = this.options;
    const log: string[] = [];
    this.logs.set(requestId, log);
    try {
      await this.reloadIfChanged();
      const acquired = await this.acquire(requestId);
      if ('error' in acquired) return { outcome: { kind: 'error', error: acquired.error }, log };
      const { environment, initMs } = acquired;
      this.record(requestId, `START RequestId: ${requestId} Version: $LATEST`);
      const started = performance.now();
      const outcome = await environment.invoke(
        { type: 'invoke', ...invocation, deadline: Date.now() + config.timeout * 1000 },
        config.timeout * 1000,
        config.timeout,
      );
      this.report(requestId, outcome, environment, performance.now() - started, initMs);
      this.release(environment);
      return { outcome, log };
    } finally {
      this.logs.delete(requestId);
    }
  }

  /** The pool's environments by state. */
  state(): PoolState {
    const all = [...this.environments];
    const count = (state: ExecutionEnvironment['state']) => all.filter((e) => e.state === state).length;
    return {
      environments: all.length,
      initializing: count('initializing'),
      idle: count('idle'),
      busy: count('busy'),
      stopping: count('dead'),
      queued: this.waiting.length,
      threadIds: all.map((e) => e.threadId),
    };
  }

  /** Resolves once every environment being stopped (timed out, crashed, retired) has exited. */
  async stopped(): Promise<void> {
    await Promise.all([...this.environments].filter((e) => e.state === 'dead').map((e) => e.exited));
  }

  /** Stops every environment; invocations under way end with Runtime.ExitError. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.environments].map((e) => e.terminate()));
    this.waiting.splice(0).forEach((wake) => wake());
  }

  /** Starts a new generation when a file the handler loaded has changed since. */
  private async reloadIfChanged(): Promise<void> {
    if (this.watched.size === 0) return;
    const generation = this.generation;
    const checks = await Promise.all(
      [...this.watched].map(async ([path, key]) => {
        try {
          const s = await stat(path);
          return fileKey({ path, mtimeMs: s.mtimeMs, size: s.size }) === key;
        } catch {
          return false;
        }
      }),
    );
    if (checks.every(Boolean) || generation !== this.generation) return;
    this.generation += 1;
    this.watched = new Map();
    this.options.log.info(`lambda ${this.options.functionName}: handler files changed, loading the new code`);
    // Busy and starting environments finish the invocation they have (it began before the edit);
    // release() retires them afterwards.
    for (const environment of this.environments) {
      if (environment.state === 'idle') void environment.terminate();
    }
  }

  /** An idle environment of the current code, a new one, or the next one to be released. */
  private async acquire(requestId: string): Promise<Acquired> {
    const max = this.options.maxEnvironments ?? DEFAULT_MAX_ENVIRONMENTS;
    for (;;) {
      if (this.closed)
        return {
          error: {
            errorType: 'Runtime.ExitError',
            errorMessage: `RequestId: ${requestId} Error: Runtime exited without providing a reason`,
          },
        };
      const idle = [...this.environments].find((e) => e.state === 'idle' && e.generation === this.generation);
      if (idle) {
        idle.state = 'busy';
        return { environment: idle };
      }
      if (this.environments.size < max) return this.coldStart(requestId);
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private async coldStart(requestId: string): Promise<Acquired> {
    const started = performance.now();
    const environment = new ExecutionEnvironment({
      functionName: this.options.functionName,
      config: this.options.config,
      env: this.options.env,
      cacheDir: this.options.cacheDir,
      generation: this.generation,
      // Output while the module loads belongs to the invocation that caused the cold start.
      onLog: (id, level, text) =>
        this.output(id ?? (environment.state === 'initializing' ? requestId : undefined), level, text),
      onExit: (e) => this.forget(e),
    });
    this.environments.add(environment);
    const initError = await environment.ready;
    if (initError) {
      this.record(
        requestId,
        `INIT_REPORT Status: error\tError Type: ${initError.errorType ?? 'Unknown'}`,
        'warn',
      );
      this.record(requestId, `${requestId}\tERROR\tInit Error \t${JSON.stringify(initError)}`, 'warn');
      void environment.terminate();
      return { error: initError };
    }
    if (environment.generation === this.generation && this.watched.size === 0) {
      this.watched = new Map(environment.files.map((f) => [f.path, fileKey(f)]));
    }
    environment.state = 'busy';
    return { environment, initMs: performance.now() - started };
  }

  /**
   * Back to idle (or retired if its code is outdated), and the next waiting invocation may go. A
   * stopped environment stays counted until its thread has exited (then forget() wakes a waiter).
   */
  private release(environment: ExecutionEnvironment): void {
    if (environment.state === 'idle' && environment.generation !== this.generation)
      void environment.terminate();
    if (environment.state === 'idle') this.waiting.shift()?.();
  }

  /** The thread is gone: its place in the pool is free. */
  private forget(environment: ExecutionEnvironment): void {
    if (this.environments.delete(environment)) this.waiting.shift()?.();
  }

  /** A line of the function's own output: into its invocation's log and the gateway's log. */
  private output(requestId: string | undefined, level: LogLevel, text: string): void {
    const id = requestId ?? '-';
    if (requestId !== undefined)
      this.logs.get(requestId)?.push(`${new Date().toISOString()}\t${id}\t${level}\t${text}`);
    const message = `lambda ${this.options.functionName} ${id} ${level} ${text}`;
    if (level === 'ERROR') this.options.log.error(message);
    else if (level === 'WARN') this.options.log.warn(message);
    else this.options.log.info(message);
  }

  /** A line of Lambda's own (START, END, REPORT, errors): into the invocation's log and the gateway's. */
  private record(requestId: string, line: string, level: 'debug' | 'warn' = 'debug'): void {
    this.logs.get(requestId)?.push(line);
    this.options.log[level](`lambda ${this.options.functionName}: ${line}`);
  }

  private report(
    requestId: string,
    outcome: Outcome,
    environment: ExecutionEnvironment,
    durationMs: number,
    initMs: number | undefined,
  ): void {
    if (outcome.kind === 'error') {
      const line =
        outcome.stopped === 'timeout'
          ? outcome.error.errorMessage
          : `${new Date().toISOString()}\t${requestId}\tERROR\tInvoke Error \t${JSON.stringify(outcome.error)}`;
      this.record(requestId, line, 'warn');
    }
    const usedMb = Math.max(1, Math.ceil(environment.heapUsed / (1024 * 1024)));
    this.record(requestId, `END RequestId: ${requestId}`);
    this.record(
      requestId,
      `REPORT RequestId: ${requestId}\tDuration: ${durationMs.toFixed(2)} ms\tBilled Duration: ${Math.max(1, Math.ceil(durationMs))} ms\tMemory Size: ${this.options.config.memory} MB\tMax Memory Used: ${usedMb} MB${initMs === undefined ? '' : `\tInit Duration: ${initMs.toFixed(2)} ms`}`,
    );
  }
}
