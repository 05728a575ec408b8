import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { captureConsole } from './console-capture';
import { errorDocumentOf, type ErrorDocument } from './error-documents';
import { InitError, loadHandler, type LoadedHandler } from './handler-loader';
import { runInvocation, type EventLoop } from './programming-model';
import type { InvokeMessage, WorkerMessage, WorkerSetup } from './protocol';

/**
 * The entry of an execution environment (one worker thread): load the handler once (the init
 * phase), then run invocations one at a time as the main thread sends them.
 */

const port = parentPort!;
const setup = workerData as WorkerSetup;
const post = (message: WorkerMessage) => port.postMessage(message);
let current: string | undefined;

process.setSourceMapsEnabled(true);
captureConsole((level, text) => post({ type: 'log', requestId: current, level, text }));

// An invocation waits for the event loop to empty by leaving the port unreferenced: the loop then
// empties (`beforeExit`) once the function's own timers and sockets are done.
let onEmpty: (() => void) | undefined;
const loop: EventLoop = {
  whenEmpty(action) {
    onEmpty = action;
    port.unref();
  },
  stopWaiting() {
    onEmpty = undefined;
    port.ref();
  },
};
process.on('beforeExit', () => {
  const action = onEmpty;
  onEmpty = undefined;
  if (action) action();
  else port.ref();
});

/** The function crashed its runtime: report it for the invocation under way, then exit as Lambda's runtime does. */
function crash(error: ErrorDocument, exitCode: number): void {
  if (current !== undefined) {
    post({
      type: 'error',
      requestId: current,
      error,
      heapUsed: getHeapStatistics().used_heap_size,
      fatal: true,
    });
  }
  process.exit(exitCode);
}
process.on('uncaughtException', (error) => crash(errorDocumentOf(error), 129));
process.on('unhandledRejection', (reason) => {
  const error = new Error(String(reason));
  error.name = 'Runtime.UnhandledPromiseRejection';
  crash(errorDocumentOf(error), 128);
});

function serve(loaded: LoadedHandler): void {
  const identity = {
    functionName: setup.functionName,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION ?? '$LATEST',
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE ?? '',
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME ?? '',
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME ?? '',
  };
  port.on('message', (message: InvokeMessage) => {
    current = message.requestId;
    runInvocation(loaded, message, identity, loop, (completion) => {
      const heapUsed = getHeapStatistics().used_heap_size;
      post(
        completion.kind === 'result'
          ? { type: 'result', requestId: message.requestId, payload: completion.payload, heapUsed }
          : { type: 'error', requestId: message.requestId, error: completion.error, heapUsed },
      );
      current = undefined;
    });
  });
  post({ type: 'ready', files: loaded.files });
}

loadHandler(setup).then(serve, (e: unknown) =>
  post({ type: 'init-error', error: e instanceof InitError ? e.document : errorDocumentOf(e) }),
);
