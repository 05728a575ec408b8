import { createHash, randomUUID } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { Utf8LengthCounter } from '../../mappings/content';
import { GatewayErrors } from '../gateway-error';

const EMPTY_SHA256 = createHash('sha256').digest('hex');

/** Spooled bodies up to this size stay in memory; a larger one goes, whole, to a temp file. */
export const MEMORY_SPOOL_LIMIT = 1024 * 1024;
const READ_BLOCK = 256 * 1024;

/** The client went away before its body was complete: nothing can be answered. */
export class RequestAbortedError extends Error {
  constructor() {
    super('the client closed the connection before the request body was complete');
    this.name = 'RequestAbortedError';
  }
}

/**
 * Calls `onIdle` once when the request's body has stalled for `idleMs`: no byte arrived on the
 * connection while the gateway was waiting for one (nothing of the body unread in the request's
 * buffer). A body the gateway is not reading (backpressure from a backend, a stage still busy)
 * has bytes waiting, so it never counts as stalled, and a long upload that keeps moving is never
 * cut. Returns a function that stops watching. 0 (or Infinity): no limit.
 */
export function watchBodyIdle(req: IncomingMessage, idleMs: number, onIdle: () => void): () => void {
  const noBody =
    req.headers['transfer-encoding'] === undefined &&
    (req.headers['content-length'] === undefined || req.headers['content-length'] === '0');
  if (!(idleMs > 0) || !Number.isFinite(idleMs) || noBody || req.complete) return () => undefined;
  const socket = req.socket;
  let seen = socket.bytesRead;
  let since = Date.now();
  const stop = () => {
    clearInterval(timer);
    req.off('end', stop);
    req.off('close', stop);
  };
  const timer = setInterval(
    () => {
      if (req.complete || req.destroyed) return stop();
      const read = socket.bytesRead;
      if (read !== seen || req.readableLength > 0) {
        seen = read;
        since = Date.now();
      } else if (Date.now() - since >= idleMs) {
        stop();
        onIdle();
      }
    },
    Math.min(1000, Math.max(10, Math.floor(idleMs / 10))),
  );
  timer.unref();
  req.once('end', stop);
  req.once('close', stop);
  return stop;
}

/**
 * API Gateway's 413 (REQUEST_TOO_LARGE cannot be customised,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html).
 */
const tooLarge = GatewayErrors.requestTooLarge;

/**
 * Feeds every chunk of the request to `onChunk`, pausing the socket while an async `onChunk`
 * works (back-pressure). On failure the rest of the body is read and discarded rather than the
 * request destroyed: destroying an incomplete request resets the socket, and the client would
 * never see the 413 (or other error) it is owed.
 */
function consume(req: IncomingMessage, onChunk: (chunk: Buffer) => void | Promise<void>): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let pending: Promise<void> = Promise.resolve();
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onAbort);
      req.off('close', onClose);
    };
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      cleanup();
      req.resume();
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      let result: void | Promise<void>;
      try {
        result = onChunk(chunk);
      } catch (e) {
        fail(e);
        return;
      }
      if (result) {
        req.pause();
        pending = result.then(() => {
          if (!settled) req.resume();
        });
        pending.catch(fail);
      }
    };
    const onEnd = () => {
      cleanup();
      pending.then(() => {
        if (settled) return;
        settled = true;
        resolve();
      }, fail);
    };
    const onAbort = () => fail(new RequestAbortedError());
    const onClose = () => {
      if (!req.complete) onAbort();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onAbort);
    req.on('close', onClose);
  });
}

/** Where a body that has been read is kept. */
type Store = { kind: 'memory'; chunks: Buffer[] } | { kind: 'file'; handle: FileHandle };

/**
 * The method request's body, read only as far as the lifecycle needs it (bodies are bytes, never
 * strings; issue 6): streamed straight to the backend, spooled (memory up to 1 MiB, else an
 * unlinked temp file) when its hash or length must be known before the backend is called, or
 * buffered whole when a stage reads it (templates, validation, Lambda events). The payload limit
 * holds in every case: a declared Content-Length over it is refused at once, a chunked body as
 * soon as it passes it, always before anything reaches the backend (except when streamed with
 * no limit, where there is nothing to refuse).
 */
export class RequestPayload {
  /** Content-Length as declared (undefined for chunked bodies). */
  readonly declaredLength: number | undefined;
  /** The request carries no body at all. */
  readonly empty: boolean;
  private state: 'unread' | 'streaming' | 'read' = 'unread';
  private store: Store | undefined;
  private readSize = 0;
  private sha256: string | undefined;
  private utf8Length: number | undefined;
  private whole: Buffer | undefined;

  /** Throws 413 at once when the declared length is over the limit (Infinity: no limit). */
  constructor(
    private readonly req: IncomingMessage,
    readonly limit: number,
  ) {
    const declared = req.headers['content-length'];
    this.declaredLength = declared !== undefined && /^\d+$/.test(declared) ? Number(declared) : undefined;
    this.empty = req.headers['transfer-encoding'] === undefined && (this.declaredLength ?? 0) === 0;
    if (this.declaredLength !== undefined && this.declaredLength > limit) {
      req.resume();
      throw tooLarge();
    }
  }

  /** A payload that is never read: the stand-in until the stage is known to be right (no limit check yet). */
  static none(req: IncomingMessage): RequestPayload {
    return new RequestPayload(req, Infinity);
  }

  /** The body's length when known without reading it (declared, or read already). */
  get length(): number | undefined {
    if (this.empty) return 0;
    if (this.state === 'read') return this.readSize;
    return this.declaredLength;
  }

  /** The whole body has been buffered (it is the method request's `body`), or there is none. */
  get buffered(): boolean {
    return this.whole !== undefined || this.empty;
  }

  /** Chunked with a finite limit: must be read (and refused at the limit) before it may go on. */
  get mustBeReadFirst(): boolean {
    return !this.empty && this.declaredLength === undefined && Number.isFinite(this.limit);
  }

  /**
   * Reads the whole body into memory or, past MEMORY_SPOOL_LIMIT, into a temp file that is
   * unlinked as soon as it is open (so nothing is left behind, whatever happens), hashing it on
   * the way (AWS_IAM signs the body's SHA-256). `utf8Length` also counts what the body becomes as
   * UTF-8 text (a text payload's outgoing length). 413 past the limit.
   */
  async spool(options: { utf8Length?: boolean } = {}): Promise<void> {
    if (this.state === 'read') {
      if (options.utf8Length && this.utf8Length === undefined) await this.countUtf8();
      return;
    }
    this.claim();
    const hash = createHash('sha256');
    const utf8 = options.utf8Length ? new Utf8LengthCounter() : undefined;
    const chunks: Buffer[] = [];
    let handle: FileHandle | undefined;
    this.store = { kind: 'memory', chunks };
    await consume(this.req, (chunk) => {
      this.readSize += chunk.length;
      if (this.readSize > this.limit) throw tooLarge();
      hash.update(chunk);
      utf8?.update(chunk);
      if (handle) return writeAll(handle, chunk);
      chunks.push(chunk);
      if (this.readSize <= MEMORY_SPOOL_LIMIT) return;
      return (async () => {
        handle = await openTempFile();
        this.store = { kind: 'file', handle };
        for (const c of chunks.splice(0)) await writeAll(handle, c);
      })();
    });
    this.sha256 = hash.digest('hex');
    if (utf8) this.utf8Length = utf8.total();
  }

  /** The whole body in memory (templates, validation, Lambda events need it); 413 past the limit. */
  async buffer(): Promise<Buffer> {
    if (this.whole) return this.whole;
    if (this.empty && this.state === 'unread') return (this.whole = Buffer.alloc(0));
    if (this.state === 'unread') {
      this.claim();
      const chunks: Buffer[] = [];
      this.store = { kind: 'memory', chunks };
      await consume(this.req, (chunk) => {
        this.readSize += chunk.length;
        if (this.readSize > this.limit) throw tooLarge();
        chunks.push(chunk);
      });
    }
    const parts: Buffer[] = [];
    for await (const chunk of this.chunks()) parts.push(chunk);
    this.whole = Buffer.concat(parts, this.readSize);
    return this.whole;
  }

  /** SHA-256 (hex) of the body; it must have been read (spool or buffer) first. */
  payloadSha256(): string {
    if (this.empty && this.state === 'unread') return EMPTY_SHA256;
    if (this.sha256 === undefined) {
      if (!this.whole) throw new Error('the request body has not been read');
      this.sha256 = createHash('sha256').update(this.whole).digest('hex');
    }
    return this.sha256;
  }

  /** What the body becomes as UTF-8 text, in bytes; known after spool({ utf8Length: true }). */
  textLength(): number | undefined {
    return this.utf8Length;
  }

  /**
   * The body as a stream, once: straight from the socket when it has not been read, else from
   * memory or the temp file. Errors (client gone) are emitted on the returned stream.
   */
  stream(): Readable {
    if (this.state === 'unread' && !this.empty) {
      this.state = 'streaming';
      return this.req;
    }
    if (this.state === 'streaming') throw new Error('the request body is already being streamed');
    return Readable.from(this.chunks());
  }

  /**
   * Ends the request's use of the body: a stream the backend did not take to its end (it answered
   * early, or the call failed before it started) is drained so the connection can serve the next
   * request; the temp file, if any, is closed (it was unlinked when opened).
   */
  async dispose(): Promise<void> {
    if (this.state === 'streaming' && !this.req.complete) {
      this.req.unpipe();
      this.req.resume();
    }
    const store = this.store;
    this.store = undefined;
    if (store?.kind === 'file') await store.handle.close().catch(() => undefined);
  }

  private claim(): void {
    if (this.state !== 'unread') throw new Error(`the request body is already ${this.state}`);
    this.state = 'read';
  }

  private async *chunks(): AsyncGenerator<Buffer> {
    const store = this.store;
    if (!store || this.readSize === 0) return;
    if (store.kind === 'memory') {
      yield* store.chunks;
      return;
    }
    for (let position = 0; position < this.readSize;) {
      const block = Buffer.allocUnsafe(Math.min(READ_BLOCK, this.readSize - position));
      const { bytesRead } = await store.handle.read(block, 0, block.length, position);
      if (bytesRead === 0) throw new Error('the spooled request body is shorter than what was written');
      position += bytesRead;
      yield block.subarray(0, bytesRead);
    }
  }

  private async countUtf8(): Promise<void> {
    const counter = new Utf8LengthCounter();
    for await (const chunk of this.chunks()) counter.update(chunk);
    this.utf8Length = counter.total();
  }
}

async function openTempFile(): Promise<FileHandle> {
  const file = path.join(tmpdir(), `apigw-body-${randomUUID()}`);
  const handle = await open(file, 'wx+', 0o600);
  await unlink(file);
  return handle;
}

async function writeAll(handle: FileHandle, chunk: Buffer): Promise<void> {
  for (let offset = 0; offset < chunk.length;) {
    const { bytesWritten } = await handle.write(chunk, offset, chunk.length - offset);
    offset += bytesWritten;
  }
}
