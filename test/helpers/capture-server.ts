import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as a backend received it. */
export interface CapturedRequest {
  method: string;
  /** The request target exactly as received (path?query, still percent-encoded). */
  url: string;
  /** The path part of `url`, still percent-encoded. */
  path: string;
  /** The query part of `url` without '?', still percent-encoded ('' when none). */
  rawQuery: string;
  /** Decoded query parameters, in order. */
  query: URLSearchParams;
  /** Header names as sent, each with its values in order. */
  headers: Record<string, string[]>;
  /** Node's lower-cased view of the same headers. */
  nodeHeaders: IncomingHttpHeaders;
  body: Buffer;
  /** The last value of a header, whatever the case of its name. */
  header(name: string): string | undefined;
}

/** What the backend answers; Content-Length and Date are added by Node unless given. */
export interface Reply {
  status?: number;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** Send the headers and `body`, then stop sending, with Content-Length promising 1000 bytes more. */
  stall?: boolean;
}

/** A fixed reply, a function of the request, or `hang`: never answer (the request stays open). */
export type Responder = Reply | 'hang' | ((req: CapturedRequest) => Reply | 'hang');

/** A backend that records every request and answers as told. */
export interface CaptureServer {
  /** Base URL, e.g. http://127.0.0.1:41234. */
  readonly url: string;
  readonly port: number;
  /** Every request received since the last reset, in order of arrival. */
  readonly requests: CapturedRequest[];
  /** Sets how coming requests are answered (default: 200 with an empty body). */
  respond(responder: Responder): void;
  /** Forgets the recorded requests and restores the default answer. */
  reset(): void;
  /** Stops listening and cuts every open connection (hanging requests included). */
  close(): Promise<void>;
}

function capture(req: IncomingMessage, body: Buffer): CapturedRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const headers: Record<string, string[]> = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    (headers[req.rawHeaders[i]] ??= []).push(req.rawHeaders[i + 1]);
  return {
    method: req.method ?? 'GET',
    url,
    path: q < 0 ? url : url.slice(0, q),
    rawQuery,
    query: new URLSearchParams(rawQuery),
    headers,
    nodeHeaders: req.headers,
    body,
    header(name) {
      const key = Object.keys(headers).find((k) => k.toLowerCase() === name.toLowerCase());
      return key === undefined ? undefined : headers[key].at(-1);
    },
  };
}

function answer(res: ServerResponse, reply: Reply): void {
  res.statusCode = reply.status ?? 200;
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  if (reply.stall) {
    const body = Buffer.from(reply.body ?? '');
    res.setHeader('Content-Length', String(body.length + 1000));
    res.write(body);
    return;
  }
  res.end(reply.body ?? '');
}

/** Starts a capture server on 127.0.0.1 and a free port. */
export async function startCaptureServer(): Promise<CaptureServer> {
  const requests: CapturedRequest[] = [];
  let responder: Responder = {};
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const captured = capture(req, Buffer.concat(chunks));
      requests.push(captured);
      const reply = typeof responder === 'function' ? responder(captured) : responder;
      if (reply !== 'hang') answer(res, reply);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    respond(r) {
      responder = r;
    },
    reset() {
      requests.length = 0;
      responder = {};
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port on 127.0.0.1 nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
