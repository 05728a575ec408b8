import path from 'node:path';
import { Worker } from 'node:worker_threads';
import {
  exitDocument,
  outOfMemoryDocument,
  runtimeError,
  timeoutDocument,
  type ErrorDocument,
} from './error-documents';
import type { FunctionConfig } from './functions';
import type { InvokeMessage, LoadedFile, LogLevel, WorkerMessage, WorkerSetup } from './protocol';
import { workerScript } from '../../../lib/worker-script';

/** Lambda's limit on the init phase (loading the module and its top-level code). */
export const INIT_TIMEOUT_MS = 10_000;

/** How an invocation in an environment ended; `stopped` says why the environment died with it. */
export type Outcome =
  | { kind: 'result'; payload: string }
  | { kind: 'error'; error: ErrorDocument; stopped?: 'timeout' | 'exit' | 'out-of-memory' };

/** What an environment is started with. */
export interface EnvironmentSpec {
  functionName: string;
  config: FunctionConfig;
  /** The worker's whole `process.env`. */
  env: Record<string, string>;
  cacheDir: string;
  /** The code version it loads (the pool starts a new generation when files change). */
  generation: number;
  /** Every console line and stdout/stderr line, with the invocation it belongs to. */
  onLog(requestId: string | undefined, level: LogLevel, text: string): void;
  /** The worker thread is gone (for whatever reason). */
  onExit(environment: ExecutionEnvironment): void;
}

interface Running {
  requestId: string;
  timer: NodeJS.Timeout;
  resolve(outcome: Outcome): void;
}

/**
 * One execution environment: a worker thread that loads the handler once (init) and then runs
 * invocations one at a time, reused while warm. Its heap is limited to the function's memory; an
 * invocation past its timeout is stopped by terminating the thread, which V8 does even in the
 * middle of a tight loop.
 */
export class ExecutionEnvironment {
  state: 'initializing' | 'idle' | 'busy' | 'dead' = 'initializing';
  readonly generation: number;
  readonly threadId: number;
  /** Resolves once init is over: undefined when the handler is ready, else the init error. */
  readonly ready: Promise<ErrorDocument | undefined>;
  /** Resolves with the exit code once the thread is gone. */
  readonly exited: Promise<number>;
  /** The files the handler was loaded from. */
  files: LoadedFile[] = [];
  /** Heap in use after the last invocation (for REPORT's Max Memory Used). */
  heapUsed = 0;

  private readonly worker: Worker;
  private running: Running | undefined;
  private lastError: Error | undefined;
  private settleReady!: (error: ErrorDocument | undefined) => void;
  private initTimer: NodeJS.Timeout | undefined;

  constructor(private readonly spec: EnvironmentSpec) {
    this.generation = spec.generation;
    const setup: WorkerSetup = {
      functionName: spec.functionName,
      file: spec.config.handler.file,
      exportName: spec.config.handler.exportName,
      cacheDir: spec.cacheDir,
    };
    const { script, eval: isCode } = workerScript(spec.cacheDir, path.join(__dirname, 'worker'));
    this.worker = new Worker(script, {
      eval: isCode,
      workerData: setup,
      env: spec.env,
      // The parent's flags (--inspect, jest's) are not the function's business.
      execArgv: [],
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: spec.config.memory },
    });
    this.threadId = this.worker.threadId;
    this.ready = new Promise((resolve) => (this.settleReady = resolve));
    this.initTimer = setTimeout(() => {
      this.finishInit(
        runtimeError(
          'InitTimeout',
          `Init phase timed out after ${(INIT_TIMEOUT_MS / 1000).toFixed(2)} seconds`,
        ),
      );
      void this.terminate();
    }, INIT_TIMEOUT_MS);
    this.exited = new Promise((resolve) => this.worker.once('exit', resolve));
    this.worker.on('message', (message: WorkerMessage) => this.onMessage(message));
    this.worker.on('error', (error) => (this.lastError = error));
    this.worker.once('exit', (code) => this.onExit(code));
    this.forwardStream(this.worker.stdout, 'INFO');
    this.forwardStream(this.worker.stderr, 'ERROR');
  }

  /** Runs one invocation; resolves with its outcome (never rejects). */
  invoke(message: InvokeMessage, timeoutMs: number, timeoutSeconds: number): Promise<Outcome> {
    this.state = 'busy';
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.settle({
          kind: 'error',
          error: timeoutDocument(message.requestId, timeoutSeconds),
          stopped: 'timeout',
        });
        void this.terminate();
      }, timeoutMs);
      this.running = { requestId: message.requestId, timer, resolve };
      this.worker.postMessage(message);
    });
  }

  /** Stops the thread (idempotent); resolves once it is gone. */
  async terminate(): Promise<void> {
    this.state = 'dead';
    await this.worker.terminate();
  }

  private finishInit(error: ErrorDocument | undefined): void {
    if (this.initTimer === undefined) return;
    clearTimeout(this.initTimer);
    this.initTimer = undefined;
    if (!error && this.state === 'initializing') this.state = 'idle';
    this.settleReady(error);
  }

  private settle(outcome: Outcome): void {
    const running = this.running;
    if (!running) return;
    this.running = undefined;
    clearTimeout(running.timer);
    if (this.state === 'busy') this.state = 'idle';
    running.resolve(outcome);
  }

  private onMessage(message: WorkerMessage): void {
    switch (message.type) {
      case 'ready':
        this.files = message.files;
        this.finishInit(undefined);
        return;
      case 'init-error':
        this.finishInit(message.error);
        void this.terminate();
        return;
      case 'log':
        this.spec.onLog(message.requestId ?? this.running?.requestId, message.level, message.text);
        return;
      case 'result':
      case 'error':
        if (message.requestId !== this.running?.requestId) return;
        this.heapUsed = message.heapUsed;
        // The thread exits right after a fatal error: it must not be handed another invocation.
        if (message.type === 'error' && message.fatal) this.state = 'dead';
        this.settle(
          message.type === 'result'
            ? { kind: 'result', payload: message.payload }
            : { kind: 'error', error: message.error },
        );
    }
  }

  private onExit(code: number): void {
    this.state = 'dead';
    const outOfMemory =
      (this.lastError as NodeJS.ErrnoException | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
    const requestId = this.running?.requestId ?? 'init';
    const error = outOfMemory ? outOfMemoryDocument(requestId) : exitDocument(requestId, code);
    this.finishInit(error);
    this.settle({ kind: 'error', error, stopped: outOfMemory ? 'out-of-memory' : 'exit' });
    this.spec.onExit(this);
  }

  /** Raw writes to process.stdout/stderr, line by line, attributed to the invocation under way. */
  private forwardStream(stream: NodeJS.ReadableStream, level: LogLevel): void {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) this.spec.onLog(this.running?.requestId, level, line);
    });
    stream.on('end', () => {
      if (pending !== '') this.spec.onLog(this.running?.requestId, level, pending);
    });
  }
}
