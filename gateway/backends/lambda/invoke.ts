import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import { responseTooLargeDocument } from './error-documents';
import { LambdaErrors } from './errors';
import { FUNCTION_NAME_PATTERN, functionArn, parseFunctionReference } from './names';
import type { LambdaLogger } from './logger';
import type { LambdaRuntime } from './runtime';

/** Largest synchronous Invoke request (6 MB). */
export const MAX_SYNC_REQUEST = 6 * 1024 * 1024;
/** Largest synchronous result: Lambda's own figure, a little over 6 MB (6291556 bytes). */
export const MAX_SYNC_RESPONSE = 6 * 1024 * 1024 + 100;
/** Largest asynchronous (`Event`) request: 1 MB since Lambda raised it from 256 KB. */
export const MAX_ASYNC_REQUEST = 1024 * 1024;

const INVOCATION_TYPES = ['Event', 'RequestResponse', 'DryRun'];
const LOG_TYPES = ['None', 'Tail'];
const LOG_TAIL_BYTES = 4096;

/** One Invoke call, authenticated and routed. */
export interface InvokeRequest {
  requestId: string;
  /** The `{FunctionName}` path segment, percent-encoded as received. */
  rawFunctionName: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The region the caller signed for. */
  callerRegion: string;
}

/** What the operation needs from the server. */
export interface InvokeDeps {
  runtime: LambdaRuntime;
  accountId: string;
  log: LambdaLogger;
  /** Keeps track of an asynchronous (`Event`) invocation running after its 202. */
  background(work: Promise<unknown>): void;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function enumValue(value: string | undefined, allowed: string[], fallback: string, member: string): string {
  if (value === undefined) return fallback;
  if (!allowed.includes(value)) {
    throw LambdaErrors.validation(
      `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: Member must satisfy enum value set: [${allowed.join(', ')}]`,
    );
  }
  return value;
}

/** `X-Amz-Client-Context`: base64 of a JSON object, handed to the function as context.clientContext. */
function clientContextOf(value: string | undefined): unknown {
  if (value === undefined) return undefined;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
    if (parsed !== null && typeof parsed === 'object') return parsed;
  } catch {
    // reported below
  }
  throw LambdaErrors.invalidRequestContent('Client context must be a valid Base64-encoded JSON object.');
}

/** The event as JSON text: an empty payload is `{}`; anything else must be JSON. */
function eventOf(body: Buffer): string {
  const text = body.toString('utf8');
  if (text.trim() === '') return '{}';
  try {
    JSON.parse(text);
  } catch (e) {
    throw LambdaErrors.invalidRequestContent(
      `Could not parse request body into json: Could not parse payload into json: ${(e as Error).message}`,
    );
  }
  return text;
}

/** The end of an invocation's log, base64, as `X-Amz-Log-Result` carries it (LogType Tail). */
function logTail(lines: string[]): string {
  const log = Buffer.from(lines.map((l) => `${l}\n`).join(''), 'utf8');
  return log.subarray(Math.max(0, log.length - LOG_TAIL_BYTES)).toString('base64');
}

/**
 * Lambda's Invoke operation (`POST /2015-03-31/functions/{FunctionName}/invocations`): the
 * function by name, partial ARN or ARN (qualifier in the name or `?Qualifier=`), invocation types
 * RequestResponse (200 with the result, function errors flagged by `X-Amz-Function-Error`), Event
 * (202, run in the background) and DryRun (204), `LogType: Tail`.
 */
export async function invoke(request: InvokeRequest, deps: InvokeDeps, res: ServerResponse): Promise<void> {
  let name: string;
  try {
    name = decodeURIComponent(request.rawFunctionName);
  } catch {
    name = request.rawFunctionName;
  }
  const reference = parseFunctionReference(name);
  if (!reference) {
    throw LambdaErrors.validation(
      `1 validation error detected: Value '${name}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern: ${FUNCTION_NAME_PATTERN}`,
    );
  }
  const queryQualifier = request.query.get('Qualifier') ?? undefined;
  if (reference.qualifier && queryQualifier && reference.qualifier !== queryQualifier) {
    throw LambdaErrors.invalidParameter(
      'The derived qualifier from the function name does not match the specified qualifier.',
    );
  }
  // Every qualifier (version or alias) runs the code as it is now: there is only $LATEST here.
  const qualifier = reference.qualifier ?? queryQualifier;
  const region = reference.region ?? request.callerRegion;
  const arn = functionArn(reference.name, region, reference.accountId ?? deps.accountId, qualifier);
  if (!deps.runtime.has(reference.name)) throw LambdaErrors.functionNotFound(arn);

  const invocationType = enumValue(
    header(request.headers, 'x-amz-invocation-type'),
    INVOCATION_TYPES,
    'RequestResponse',
    'invocationType',
  );
  const logType = enumValue(header(request.headers, 'x-amz-log-type'), LOG_TYPES, 'None', 'logType');
  const limit = invocationType === 'Event' ? MAX_ASYNC_REQUEST : MAX_SYNC_REQUEST;
  if (request.body.length > limit) throw LambdaErrors.requestTooLarge(limit);
  const clientContext = clientContextOf(header(request.headers, 'x-amz-client-context'));
  const event = eventOf(request.body);
  const baseHeaders = { 'x-amzn-RequestId': request.requestId };

  if (invocationType === 'DryRun') {
    res.writeHead(204, baseHeaders).end();
    return;
  }
  const invocation = { requestId: request.requestId, event, invokedFunctionArn: arn, clientContext };
  if (invocationType === 'Event') {
    res.writeHead(202, { ...baseHeaders, 'Content-Length': '0' }).end();
    deps.background(deps.runtime.invoke(reference.name, invocation));
    return;
  }

  const { outcome, log } = await deps.runtime.invoke(reference.name, invocation);
  let payload: string;
  let functionError = false;
  if (outcome.kind === 'result' && Buffer.byteLength(outcome.payload) <= MAX_SYNC_RESPONSE) {
    payload = outcome.payload;
  } else {
    functionError = true;
    payload = JSON.stringify(
      outcome.kind === 'error' ? outcome.error : responseTooLargeDocument(MAX_SYNC_RESPONSE),
    );
  }
  res.writeHead(200, {
    ...baseHeaders,
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(payload)),
    'X-Amz-Executed-Version': '$LATEST',
    ...(functionError ? { 'X-Amz-Function-Error': 'Unhandled' } : {}),
    ...(logType === 'Tail' ? { 'X-Amz-Log-Result': logTail(log) } : {}),
  });
  res.end(payload);
}
