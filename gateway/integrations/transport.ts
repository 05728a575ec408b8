import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
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

const agents = {
  http: new http.Agent({ keepAlive: true }),
  https: new https.Agent({ keepAlive: true }),
  httpsInsecure: new https.Agent({ keepAlive: true, rejectUnauthorized: false }),
};

/**
 * Sends a request and resolves once the response headers arrive; the body streams on. The
 * integration timeout bounds the wait for that answer, as API Gateway's timeoutInMillis does. API
 * Gateway calls the backend with a body it already holds, so the time a streamed body takes to
 * come from the client does not count: the clock restarts with every chunk sent and once more
 * when the body is complete (a backend that stops reading still times out). The response body
 * is watched too: a backend that stops sending it mid-way fails it (see watchResponseBody).
 */
export function sendBackendRequest(req: BackendRequest): Promise<IntegrationResult> {
  const secure = req.url.protocol === 'https:';
  const agent = secure ? (req.insecureSkipVerification ? agents.httpsInsecure : agents.https) : agents.http;
  const transport = secure ? https : http;
  // A stream of known length goes with Content-Length (S3 requires it); of unknown length, chunked.
  const streamLength = Buffer.isBuffer(req.body) ? undefined : req.body.length;
  const headers =
    streamLength !== undefined && !Object.keys(req.headers).some((k) => k.toLowerCase() === 'content-length')
      ? { ...req.headers, 'Content-Length': String(streamLength) }
      : req.headers;
  return new Promise((resolve, reject) => {
    const outgoing = transport.request(
      {
        agent,
        method: req.method,
        hostname: req.url.hostname,
        port: req.url.port ? Number(req.url.port) : undefined,
        path: req.target,
        headers,
      },
      (incoming) => {
        clearTimeout(timer);
        const headers: Record<string, string[]> = {};
        const raw = incoming.rawHeaders;
        for (let i = 0; i < raw.length; i += 2) (headers[raw[i]] ??= []).push(raw[i + 1]);
        watchResponseBody(incoming, req.timeoutMs, req.url.origin);
        resolve({ status: incoming.statusCode ?? 502, headers, body: { kind: 'stream', stream: incoming } });
      },
    );
    const timer = setTimeout(() => {
      outgoing.destroy(
        new IntegrationNetworkError('timeout', `no answer from ${req.url.origin} within ${req.timeoutMs} ms`),
      );
    }, req.timeoutMs);
    outgoing.on('finish', () => timer.refresh());
    outgoing.on('error', (e) => {
      clearTimeout(timer);
      reject(
        e instanceof IntegrationNetworkError
          ? e
          : new IntegrationNetworkError('failure', `${req.url.origin}: ${e.message}`),
      );
    });
    if (Buffer.isBuffer(req.body)) {
      outgoing.end(req.body);
      return;
    }
    const source = req.body.stream;
    // The source may be the client's own request: it is never destroyed here (that would reset
    // the client's connection before it gets the gateway's answer), only drained when the backend
    // call fails, and the backend call is cut when the source fails (client gone).
    const onSourceError = (e: Error) =>
      outgoing.destroy(new IntegrationNetworkError('failure', `request body: ${e.message}`));
    const onProgress = () => timer.refresh();
    source.once('error', onSourceError);
    source.on('data', onProgress);
    outgoing.once('error', () => {
      source.off('error', onSourceError);
      source.off('data', onProgress);
      source.unpipe(outgoing);
      source.on('error', () => undefined);
      source.resume();
    });
    outgoing.once('finish', () => {
      source.off('error', onSourceError);
      source.off('data', onProgress);
    });
    source.pipe(outgoing);
  });
}

/**
 * API Gateway holds a whole response (at most 10 MB) before answering, so timeoutInMillis covers
 * the body too. Here the body streams, and a large one may take long to pass through a slow
 * client, so what is bounded is a stall: nothing received for timeoutMs while the gateway was
 * ready to read. The stream then fails with a timeout: a 504 if the body was being read whole
 * (templates, conversions), a cut connection if it was already streaming to the client.
 */
function watchResponseBody(incoming: http.IncomingMessage, timeoutMs: number, origin: string): void {
  const socket = incoming.socket;
  let seen = socket.bytesRead;
  const timer = setInterval(() => {
    // All of it arrived (whether or not the gateway has read it yet): nothing left to wait for.
    if (incoming.complete) {
      clearInterval(timer);
      return;
    }
    const now = socket.bytesRead;
    // The gateway's side is the slow one (backpressure): the backend is not to blame.
    const waitingForUs = incoming.readableLength >= incoming.readableHighWaterMark || socket.isPaused();
    if (now !== seen || waitingForUs) {
      seen = now;
      return;
    }
    incoming.destroy(
      new IntegrationNetworkError('timeout', `${origin} stopped sending its response for ${timeoutMs} ms`),
    );
  }, timeoutMs);
  // A stalled backend must not keep the process alive on its own.
  timer.unref();
  const stop = () => clearInterval(timer);
  incoming.once('end', stop);
  incoming.once('close', stop);
  incoming.once('error', stop);
}
