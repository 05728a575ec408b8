/**
 * The JSON documents Lambda answers with when a function fails (`X-Amz-Function-Error: Unhandled`).
 * Shapes follow the Node.js runtime interface client (errorType, errorMessage, trace) and what
 * the Lambda service itself reports for timeouts, exits and memory exhaustion.
 */
export interface ErrorDocument {
  errorType?: string;
  errorMessage: string;
  trace?: string[];
}

function isErrorLike(value: unknown): value is { name: string; message: string; stack: string } {
  const v = value as { name?: unknown; message?: unknown; stack?: unknown } | null;
  return (
    !!v &&
    typeof v.name === 'string' &&
    typeof v.message === 'string' &&
    typeof v.stack === 'string' &&
    v.name !== '' &&
    v.message !== ''
  );
}

/** What the Node.js runtime reports for a thrown value or rejection reason (errors and non-errors alike). */
export function errorDocumentOf(value: unknown): ErrorDocument {
  try {
    if (value instanceof Error || isErrorLike(value)) {
      const error = value as Error;
      return {
        errorType: error.name,
        errorMessage: error.message,
        trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
      };
    }
    // The runtime reports non-errors by their JavaScript type: `throw 'oops'` → errorType "string".
    return { errorType: typeof value, errorMessage: String(value), trace: [] };
  } catch {
    return {
      errorType: 'handled',
      errorMessage:
        'callback called with Error argument, but there was a problem while retrieving one or more of its message, name, and stack',
    };
  }
}

/** An error of the runtime itself (`Runtime.HandlerNotFound`, …), with the runtime's naming. */
export function runtimeError(type: string, message: string, cause?: unknown): ErrorDocument {
  const stack = cause instanceof Error && typeof cause.stack === 'string' ? cause.stack : undefined;
  return {
    errorType: `Runtime.${type}`,
    errorMessage: message,
    trace: stack ? stack.split('\n') : [`Runtime.${type}: ${message}`],
  };
}

/** `Task timed out after 3.00 seconds`, prefixed like Lambda with the time and the request id. */
export function timeoutDocument(requestId: string, timeoutSeconds: number, at = new Date()): ErrorDocument {
  return {
    errorMessage: `${at.toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`,
  };
}

/** The runtime went away mid-invocation (process.exit, a crash): Lambda's Runtime.ExitError. */
export function exitDocument(requestId: string, exitCode: number): ErrorDocument {
  const reason =
    exitCode === 0
      ? 'Runtime exited without providing a reason'
      : `Runtime exited with error: exit status ${exitCode}`;
  return { errorType: 'Runtime.ExitError', errorMessage: `RequestId: ${requestId} Error: ${reason}` };
}

/** The heap limit (the function's memory) was reached: the runtime is killed, as Lambda kills it. */
export function outOfMemoryDocument(requestId: string): ErrorDocument {
  return {
    errorType: 'Runtime.OutOfMemory',
    errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`,
  };
}

/** A result Lambda refuses to return: larger than the 6 MB synchronous response limit. */
export function responseTooLargeDocument(limit: number): ErrorDocument {
  return {
    errorType: 'Function.ResponseSizeTooLarge',
    errorMessage: `Response payload size exceeded maximum allowed payload size (${limit} bytes).`,
  };
}
