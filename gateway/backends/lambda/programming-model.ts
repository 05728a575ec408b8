import { errorDocumentOf, runtimeError, type ErrorDocument } from './error-documents';
import type { LoadedHandler } from './handler-loader';
import type { InvokeMessage } from './protocol';

/** How an invocation ended, as the worker reports it. */
export type Completion = { kind: 'result'; payload: string } | { kind: 'error'; error: ErrorDocument };

/**
 * The worker's event loop as the programming model needs it: run an action once nothing else is
 * left to do (callback handlers wait for that by default), or stop waiting.
 */
export interface EventLoop {
  whenEmpty(action: () => void): void;
  stopWaiting(): void;
}

/** What every invocation's context carries besides the request's own values. */
export interface FunctionIdentity {
  functionName: string;
  functionVersion: string;
  memoryLimitInMB: string;
  logGroupName: string;
  logStreamName: string;
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return !!value && typeof (value as { then?: unknown }).then === 'function';
}

/** The result as Lambda serialises it (undefined → `null`); unserialisable results are an error. */
function serialise(result: unknown): Completion {
  try {
    return { kind: 'result', payload: JSON.stringify(result) ?? 'null' };
  } catch (e) {
    return {
      kind: 'error',
      error: runtimeError('JSONStringifyError', 'Unable to stringify response body', e),
    };
  }
}

/**
 * Runs one invocation with the Node.js programming model of Lambda's runtime interface client:
 * an async handler completes when its promise settles; a callback handler when it calls back,
 * and then (unless `context.callbackWaitsForEmptyEventLoop = false`) only once the event loop is
 * empty; `context.succeed/fail/done` complete at once. Only the first completion counts. A handler
 * that completes nothing before the event loop empties returns null (or, if it is async, fails
 * with Runtime.NodeJsExit).
 */
export function runInvocation(
  loaded: LoadedHandler,
  message: InvokeMessage,
  identity: FunctionIdentity,
  loop: EventLoop,
  complete: (completion: Completion) => void,
): void {
  let finished = false;
  const finish = (completion: Completion) => {
    if (finished) return;
    finished = true;
    loop.stopWaiting();
    complete(completion);
  };
  const succeed = (result: unknown) => finish(serialise(result));
  const fail = (error: unknown) => finish({ kind: 'error', error: errorDocumentOf(error) });
  let waitForEmptyEventLoop = true;

  const callback = (error?: unknown, result?: unknown) => {
    if (finished) return;
    if (error !== undefined && error !== null) return fail(error);
    if (!waitForEmptyEventLoop) return succeed(result);
    loop.whenEmpty(() => setImmediate(() => succeed(result)));
  };
  const context = {
    ...identity,
    awsRequestId: message.requestId,
    invokedFunctionArn: message.invokedFunctionArn,
    clientContext: message.clientContext,
    identity: undefined,
    get callbackWaitsForEmptyEventLoop() {
      return waitForEmptyEventLoop;
    },
    set callbackWaitsForEmptyEventLoop(value: boolean) {
      waitForEmptyEventLoop = value;
    },
    getRemainingTimeInMillis: () => Math.max(0, message.deadline - Date.now()),
    succeed: (result?: unknown) => succeed(result),
    fail: (error?: unknown) => fail(error ?? 'handled'),
    done: (error?: unknown, result?: unknown) =>
      error !== undefined && error !== null ? fail(error) : succeed(result),
  };

  loop.whenEmpty(() => {
    if (!loaded.isAsync) return succeed(null);
    fail(
      Object.assign(
        new Error(
          'The Lambda runtime client detected an unexpected Node.js exit code. This is most commonly caused by a Promise that was never settled.',
        ),
        { name: 'Runtime.NodeJsExit' },
      ),
    );
  });
  let event: unknown;
  try {
    event = JSON.parse(message.event);
  } catch (e) {
    return fail(e);
  }
  try {
    const returned = loaded.handler(event, context, callback);
    if (isPromiseLike(returned)) returned.then(succeed, fail);
  } catch (e) {
    callback(e);
  }
}
