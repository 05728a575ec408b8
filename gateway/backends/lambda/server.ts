import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  closeServer,
  DEFAULT_HEADERS_TIMEOUT_MS,
  headersTimeoutOptions,
  listen,
} from '../../../lib/http-server';
import { verifyLambdaRequest, type LambdaCredential } from './auth';
import { LambdaErrors, LambdaServiceError, sendServiceError } from './errors';
import { invoke, MAX_SYNC_REQUEST } from './invoke';
import { quietLogger, type LambdaLogger } from './logger';
import type { LambdaRuntime } from './runtime';

/** What the Invoke API server serves and whom it lets in. */
export interface LambdaServerOptions {
  runtime: LambdaRuntime;
  /** Every access key the server accepts. */
  users: readonly LambdaCredential[];
  /** The account id ARNs in messages carry when the caller gave none (default 000000000000). */
  accountId?: string;
  /** How long a client gets to send its request headers (default 20 s; 0: no limit). */
  headersTimeoutMs?: number;
  log?: LambdaLogger;
}

const INVOCATIONS = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;

/** Reads the whole body, but keeps no more than `limit` bytes (the rest is drained, the size kept). */
async function readBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer; size: number }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return { body: Buffer.concat(chunks), size };
}

/** Lambda's Invoke API over HTTP, every call verified with SigV4 (service `lambda`). */
export class LambdaServer {
  private readonly server: Server;
  private readonly credentials: Map<string, LambdaCredential>;
  private readonly background = new Set<Promise<unknown>>();
  private readonly log: LambdaLogger;

  constructor(private readonly options: LambdaServerOptions) {
    this.credentials = new Map(options.users.map((u) => [u.accessKeyId, u]));
    this.log = options.log ?? quietLogger;
    this.server = createServer(
      headersTimeoutOptions(options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS),
      (req, res) => void this.handle(req, res),
    );
  }

  /** Starts listening (port 0 picks a free one). */
  listen(port: number, host: string): Promise<AddressInfo> {
    return listen(this.server, port, host);
  }

  /** Stops accepting calls (calls under way finish). */
  close(): Promise<void> {
    return closeServer(this.server);
  }

  /** Resolves once every asynchronous (`Event`) invocation has ended. */
  async drained(): Promise<void> {
    await Promise.allSettled([...this.background]);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    try {
      const { body, size } = await readBody(req, MAX_SYNC_REQUEST);
      if (size > MAX_SYNC_REQUEST) throw LambdaErrors.requestTooLarge(MAX_SYNC_REQUEST);
      const rawUrl = req.url ?? '/';
      const caller = verifyLambdaRequest(
        { method: req.method ?? 'GET', rawUrl, headers: req.headers, body },
        (id) => this.credentials.get(id),
      );
      const q = rawUrl.indexOf('?');
      const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
      const m = INVOCATIONS.exec(path);
      if (!m || req.method !== 'POST') throw LambdaErrors.unknownOperation();
      await invoke(
        {
          requestId,
          rawFunctionName: m[1],
          query: new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1)),
          headers: req.headers,
          body,
          callerRegion: caller.region,
        },
        {
          runtime: this.options.runtime,
          accountId: this.options.accountId ?? '000000000000',
          log: this.log,
          background: (work) => this.track(work),
        },
        res,
      );
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (e instanceof LambdaServiceError) {
        sendServiceError(res, e, requestId);
        return;
      }
      this.log.error(`lambda: ${req.method} ${req.url} failed: ${(e as Error).stack ?? String(e)}`);
      sendServiceError(res, LambdaErrors.service('An internal error occurred.'), requestId);
    }
  }

  private track(work: Promise<unknown>): void {
    const tracked = work.catch((e: unknown) =>
      this.log.error(`lambda: asynchronous invocation failed: ${String(e)}`),
    );
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }
}
