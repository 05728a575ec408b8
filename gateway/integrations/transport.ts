import type { Socket } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import type { Agent, Dispatcher } from 'undici';
import type { IntegrationResult } from '../invocation';

/** A body that streams to the backend; `length` when known up front (else it goes chunked). */
export interface StreamedBody {
  stream: Readable;
  length: number | undefined;
}

/** An integration request body: bytes in memory, or a stream. */
export type BackendBody = Buffer | StreamedBody;

/** The length of a body when known up front. */
export function bodyLength(body: BackendBody): number | undefined {
  return body.length;
}

/** The backend could not be reached or did not answer in time. */
export class IntegrationNetworkError extends Error {
  constructor(
    readonly kind: 'timeout' | 'failure',
    message: string,
  ) {
    super(message);
    this.name = 'IntegrationNetworkError';
  }
}

/** One HTTP call to a backend: the path and query are sent exactly as given. */
export interface BackendRequest {
  url: URL;
  /** Path and query string as they go on the wire. */
  target: string;
  method: string;
  headers: Record<string, string | string[]>;
  body: BackendBody;
  timeoutMs: number;
  /** tlsConfig.insecureSkipVerification of HTTP integrations. */
  insecureSkipVerification?: boolean;
}

/**
 * One keep-alive connection pool per origin, reused across requests (undici's Agent keeps a Pool
 * for each origin), and another for tlsConfig.insecureSkipVerification. undici's own timers are
 * off: the integration timeout below is per request and has its own rules (headersTimeout would
 * let a client that stalls its upload hang the call, and its coarse timers miss a 50 ms timeout);
 * a connection attempt is bounded by that timeout too, not by a 10 s one of undici's.
 */
const TIMEOUTS_OFF = { headersTimeout: 0, bodyTimeout: 0 };
let agents: { standard: Agent; insecure: Agent; embedded: Agent } | undefined;

/**
 * Connections to each embedded emulator. An emulator is one event loop (shared with the gateway
 * when it runs in the same process): more connections than this add no throughput, only sockets,
 * memory, and unfairness. Measured with 200 clients for 15 s on the tutorial GET: unbounded, p99
 * 3.7–4.4 s and max 5.5–6 s; 32, p99 1.3 s and max 2.0 s, at the same throughput (bench/results.md).
 */
const EMBEDDED_CONNECTIONS = 32;
const embeddedOrigins = new Set<string>();

/** Marks the origin of an emulator apigw runs (S3, Lambda): calls to it share a bounded pool. */
export function registerEmbeddedOrigin(url: URL): void {
  embeddedOrigins.add(url.origin);
}

/**
 * The agents, created on first use: loading undici takes about a tenth of apigw's start-up, so
 * it happens after the port is open (see warmTransport) rather than before.
 */
function dispatchers(): { standard: Agent; insecure: Agent; embedded: Agent } {
  if (!agents) {
    const undici = require('undici') as typeof import('undici');
    agents = {
      standard: new undici.Agent({ ...TIMEOUTS_OFF, connect: { timeout: 0 } }),
      insecure: new undici.Agent({ ...TIMEOUTS_OFF, connect: { timeout: 0, rejectUnauthorized: false } }),
      embedded: new undici.Agent({
        ...TIMEOUTS_OFF,
        connections: EMBEDDED_CONNECTIONS,
        connect: { timeout: 0 },
      }),
    };
  }
  return agents;
}

/** Loads the outbound path in the background, once the gateway listens, so the first call need not. */
export function warmTransport(): void {
  setImmediate(dispatchers);
}

/**
 * Request headers undici takes a view on: it writes Host and Content-Length itself from the
 * values given (once: a second one, in another case, is refused), frames the body itself
 * (Transfer-Encoding), and refuses Keep-Alive, Upgrade and Expect (hop-by-hop headers that a
 * forwarded client request may carry: they are not passed on).
 */
const DROPPED = new Set(['transfer-encoding', 'keep-alive', 'upgrade', 'expect']);

/**
 * The headers as undici takes them. As given when it can (nearly always); else a flat list in the
 * same order, with the last Host and Content-Length of any case (what Node's setHeader kept), the
 * headers undici refuses left out, and `Content-Length: length` added when no length was given.
 */
function wireHeaders(
  headers: Record<string, string | string[]>,
  length: number | undefined,
): Record<string, string | string[]> | (string | string[])[] {
  let hosts = 0;
  let lengths = 0;
  let rewrite = false;
  for (const name in headers) {
    const lower = name.toLowerCase();
    if (lower === 'host') {
      hosts++;
      rewrite ||= typeof headers[name] !== 'string';
    } else if (lower === 'content-length') {
      lengths++;
      rewrite ||= typeof headers[name] !== 'string';
    } else if (lower === 'connection') {
      rewrite ||= typeof headers[name] !== 'string';
    } else if (DROPPED.has(lower)) {
      rewrite = true;
    }
  }
  if (!rewrite && hosts <= 1 && lengths <= 1 && (length === undefined || lengths === 1)) return headers;
  let lastHost: string | undefined;
  let lastLength: string | undefined;
  for (const name in headers) {
    const lower = name.toLowerCase();
    if (lower === 'host') lastHost = name;
    else if (lower === 'content-length') lastLength = name;
  }
  const flat: (string | string[])[] = [];
  for (const name in headers) {
    const lower = name.toLowerCase();
    const value = headers[name];
    if (DROPPED.has(lower)) continue;
    if (lower === 'host' || lower === 'content-length') {
      if (name !== lastHost && name !== lastLength) continue;
      flat.push(name, typeof value === 'string' ? value : value[value.length - 1]);
    } else if (lower === 'connection') {
      flat.push(name, typeof value === 'string' ? value : value.join(', '));
    } else {
      flat.push(name, value);
    }
  }
  if (length !== undefined && lastLength === undefined) flat.push('Content-Length', String(length));
  return flat;
}

const noop = () => undefined;

/**
 * Sends a request and resolves once the response headers arrive; the body streams on. The
 * integration timeout bounds the wait for that answer, as API Gateway's timeoutInMillis does. API
 * Gateway calls the backend with a body it already holds, so the time a streamed body takes to
 * come from the client does not count: the clock restarts with every chunk sent and once more
 * when the body is complete (a backend that stops reading still times out). The response body
 * is watched too: a backend that stops sending it mid-way fails it (see BackendCall.expire).
 * `client` is the connection of the caller the call answers: if it closes first, the call is cut
 * rather than left to run (and hold a pooled connection) until the backend answers or times out.
 */
export function sendBackendRequest(req: BackendRequest, client?: Socket): Promise<IntegrationResult> {
  const origin = req.url.origin;
  const agent = dispatchers();
  const dispatcher = embeddedOrigins.has(origin)
    ? agent.embedded
    : req.insecureSkipVerification
      ? agent.insecure
      : agent.standard;
  // A stream of known length goes with Content-Length (S3 requires it); of unknown length, chunked.
  // An empty body is framed by undici as API Gateway frames it: `Content-Length: 0` on a POST,
  // none on a GET (recorded from AWS: test/integration/serve-http-hop-headers.test.ts; the GET
  // and POST integration requests of
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/setup-http-integrations.html
  // read the same). undici treats PUT and PATCH as POST, and HEAD, DELETE and OPTIONS as GET
  // (RFC 9110 §8.6). A client's Content-Length or a mapped Trailer header changes nothing.
  const streamed = Buffer.isBuffer(req.body) ? undefined : req.body;
  const headers = wireHeaders(req.headers, streamed?.length);
  return new Promise((resolve, reject) => {
    const call = new BackendCall(origin, req.timeoutMs, resolve, reject);
    if (client) call.watchClient(client);
    // undici destroys a body stream it is done with or that fails: it gets a stream of its own.
    const body = streamed ? call.streamFrom(streamed.stream) : (req.body as Buffer);
    dispatcher.dispatch(
      {
        origin,
        path: req.target,
        method: req.method,
        headers: headers as Dispatcher.DispatchOptions['headers'],
        body,
      },
      call,
    );
  });
}

/**
 * One call in flight, as undici's handler: it settles the promise with the response headers, then
 * feeds the response body into a Readable with backpressure (undici stops reading the socket while
 * the Readable is full), and runs the integration timeout on one timer.
 */
class BackendCall implements Dispatcher.DispatchHandler {
  private readonly timer: NodeJS.Timeout;
  /** Cuts the request once it has a connection (undici gives it in onConnect). */
  private abortRequest?: (err: Error) => void;
  /** Why the call was cut before it had a connection: it is cut as soon as it gets one. */
  private reason?: Error;
  private resumeReading?: () => void;
  private response?: ResponseBody;
  private requestBody?: PassThrough;
  private client?: Socket;
  /** The response body waits for the gateway to read it (backpressure): not a stall. */
  paused = false;
  private done = false;

  constructor(
    private readonly origin: string,
    private readonly timeoutMs: number,
    private readonly resolve: (result: IntegrationResult) => void,
    private readonly reject: (e: Error) => void,
  ) {
    this.timer = setTimeout(() => this.expire(), timeoutMs);
  }

  /**
   * The body undici sends, fed from the source. The source may be the client's own request: it
   * is never destroyed here (that would reset the client's connection before it gets the
   * gateway's answer), only drained when the backend call fails, and the backend call is cut
   * when the source fails (client gone).
   */
  streamFrom(source: Readable): PassThrough {
    const body = new PassThrough();
    this.requestBody = body;
    const onSourceError = (e: Error) =>
      this.cancel(new IntegrationNetworkError('failure', `request body: ${e.message}`));
    source.once('error', onSourceError);
    body.once('close', () => {
      source.off('error', onSourceError);
      if (source.readableEnded) return;
      source.unpipe(body);
      source.on('error', noop);
      source.resume();
    });
    source.pipe(body);
    return body;
  }

  /** Cuts the call if the client's connection closes before the call is over. */
  watchClient(client: Socket): void {
    if (client.destroyed) {
      this.clientGone();
      return;
    }
    this.client = client;
    client.once('close', this.clientGone);
  }

  private readonly clientGone = (): void =>
    this.cancel(new IntegrationNetworkError('failure', 'the client went away before the answer'));

  /** Fails the call now, whether or not undici has a connection for it yet. */
  cancel(err: Error): void {
    if (this.done) return;
    if (this.abortRequest) this.abortRequest(err);
    else this.reason = err;
    this.onError(err);
  }

  private expire(): void {
    if (this.done) return;
    if (!this.response) {
      this.cancel(
        new IntegrationNetworkError('timeout', `no answer from ${this.origin} within ${this.timeoutMs} ms`),
      );
      return;
    }
    // API Gateway holds a whole response (at most 10 MB) before answering, so timeoutInMillis
    // covers the body too. Here the body streams, and a large one may take long to pass through
    // a slow client, so what is bounded is a stall: nothing received for timeoutMs while the
    // gateway was ready to read (the clock restarts when it reads again). The stream then fails
    // with a timeout: a 504 if the body was being read whole (templates, conversions), a cut
    // connection if it was already streaming to the client.
    if (this.paused) return;
    this.cancel(
      new IntegrationNetworkError(
        'timeout',
        `${this.origin} stopped sending its response for ${this.timeoutMs} ms`,
      ),
    );
  }

  /** The gateway reads again after backpressure. */
  readMore(): void {
    if (!this.paused) return;
    this.paused = false;
    this.timer.refresh();
    this.resumeReading?.();
  }

  onConnect(abort: (err?: Error) => void): void {
    if (this.reason) abort(this.reason);
    else this.abortRequest = abort;
  }

  onBodySent(): void {
    this.timer.refresh();
  }

  onRequestSent(): void {
    this.timer.refresh();
  }

  onHeaders(statusCode: number, raw: Buffer[], resume: () => void): boolean {
    if (this.done) return false;
    // 1xx informational answers (103 Early Hints) come before the real one.
    if (statusCode < 200) return true;
    this.timer.refresh();
    // A stalled backend must not keep the process alive on its own.
    this.timer.unref();
    this.resumeReading = resume;
    // Names exactly as sent, each with its values in order (as Node's rawHeaders, latin1).
    const headers: Record<string, string[]> = {};
    for (let i = 0; i < raw.length; i += 2) {
      (headers[raw[i].toString('latin1')] ??= []).push(raw[i + 1].toString('latin1'));
    }
    const response = new ResponseBody(this);
    this.response = response;
    this.resolve({ status: statusCode, headers, body: { kind: 'stream', stream: response } });
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.done) return false;
    this.timer.refresh();
    if (this.response!.push(chunk)) return true;
    this.paused = true;
    return false;
  }

  onComplete(): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.client?.off('close', this.clientGone);
    this.requestBody?.destroy();
    this.response?.push(null);
  }

  onError(err: Error): void {
    if (this.done) return;
    this.done = true;
    clearTimeout(this.timer);
    this.client?.off('close', this.clientGone);
    // Closing the request body drains its source (see streamFrom).
    this.requestBody?.destroy();
    const e =
      err instanceof IntegrationNetworkError
        ? err
        : new IntegrationNetworkError('failure', `${this.origin}: ${err.message}`);
    if (this.response) this.response.destroy(e);
    else this.reject(e);
  }
}

/** A response body as it comes from the backend. */
class ResponseBody extends Readable {
  constructor(private readonly call: BackendCall) {
    super();
  }

  override _read(): void {
    this.call.readMore();
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    // The gateway lets go of the body before its end (client gone, size limit): the call is cut.
    // A body read to its end is destroyed too (autoDestroy): nothing to cut, and no error to build.
    if (err || !this.readableEnded)
      this.call.cancel(err ?? new IntegrationNetworkError('failure', 'response body abandoned'));
    callback(err);
  }
}
