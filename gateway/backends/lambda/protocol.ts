import type { ErrorDocument } from './error-documents';

/**
 * Messages between the runtime (main thread) and an execution environment (a worker thread).
 * One invocation at a time per worker; messages on a port arrive in order, so every log line of
 * an invocation arrives before its outcome.
 */

/** What a worker is started with (its `workerData`). */
export interface WorkerSetup {
  functionName: string;
  file: string;
  exportName: string;
  /** Where transpiled TypeScript is cached. */
  cacheDir: string;
}

/** Main → worker: run one invocation. */
export interface InvokeMessage {
  type: 'invoke';
  requestId: string;
  /** The event as JSON text (the runtime parses it, as Lambda's does). */
  event: string;
  invokedFunctionArn: string;
  /** Epoch ms after which the invocation is stopped. */
  deadline: number;
  clientContext?: unknown;
}

/** A file the handler loaded, with what identifies its version (reload when either changes). */
export interface LoadedFile {
  path: string;
  mtimeMs: number;
  size: number;
}

/** Worker → main. */
export type WorkerMessage =
  | { type: 'ready'; files: LoadedFile[] }
  | { type: 'init-error'; error: ErrorDocument }
  | { type: 'log'; requestId: string | undefined; level: LogLevel; text: string }
  | { type: 'result'; requestId: string; payload: string; heapUsed: number }
  | {
      type: 'error';
      requestId: string;
      error: ErrorDocument;
      heapUsed: number;
      /** The runtime is exiting (uncaught exception, unhandled rejection): never reuse it. */
      fatal?: boolean;
    };

/** The level a console method writes at, named as Lambda's log lines name it. */
export type LogLevel = 'INFO' | 'WARN' | 'ERROR' | 'DEBUG' | 'TRACE';
