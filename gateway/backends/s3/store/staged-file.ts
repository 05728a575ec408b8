import { createHash, randomBytes, type Hash } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { writeFully } from './durable';

/** Appends what it is given to a file, hashing as it goes, so no body is ever held in memory. */
class BodyWriter extends Writable {
  size = 0;
  private readonly hash: Hash | undefined;

  constructor(
    private readonly handle: FileHandle,
    md5: boolean,
  ) {
    super({ highWaterMark: 256 * 1024 });
    this.hash = md5 ? createHash('md5') : undefined;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.append([chunk]).then(() => callback(), callback);
  }

  override _writev(
    chunks: Array<{ chunk: Buffer; encoding: BufferEncoding }>,
    callback: (error?: Error | null) => void,
  ): void {
    this.append(chunks.map((c) => c.chunk)).then(() => callback(), callback);
  }

  md5(): Buffer {
    if (!this.hash) throw new Error('this staged write does not compute an MD5');
    return this.hash.copy().digest();
  }

  private async append(buffers: Buffer[]): Promise<void> {
    const total = buffers.reduce((sum, b) => sum + b.length, 0);
    const { bytesWritten } = await this.handle.writev(buffers, this.size);
    if (bytesWritten < total) {
      await writeFully(this.handle, Buffer.concat(buffers).subarray(bytesWritten), this.size + bytesWritten);
    }
    if (this.hash) for (const buffer of buffers) this.hash.update(buffer);
    this.size += total;
  }
}

/** A temp file open for writing. */
export interface TempFile {
  file: string;
  handle: FileHandle;
}

/** Creates a temp file in `tmpDir` under a random name that is never reused. */
export async function createTempFile(tmpDir: string): Promise<TempFile> {
  const file = join(tmpDir, `${randomBytes(16).toString('hex')}.part`);
  return { file, handle: await open(file, 'wx') };
}

/**
 * A new temp file that a body streams into. Subclasses turn it into an object or a part: they
 * `begin()` a commit, `seal()` the file with its footer, and move it into place; any failure
 * discards the file, so callers need no cleanup path of their own.
 */
export abstract class StagedFile {
  readonly stream: BodyWriter;
  protected readonly file: string;
  private readonly handle: FileHandle;
  private state: 'open' | 'committing' | 'committed' | 'discarded' = 'open';
  private handleOpen = true;

  /** `md5: false` skips hashing when the caller decides the ETag itself (multipart completion). */
  constructor(temp: TempFile, md5 = true) {
    this.file = temp.file;
    this.handle = temp.handle;
    this.stream = new BodyWriter(temp.handle, md5);
  }

  get size(): number {
    return this.stream.size;
  }

  md5(): Buffer {
    return this.stream.md5();
  }

  /** Runs a commit: only once, only after the body finished; discards the file if it fails. */
  protected async committing<T>(commit: () => Promise<T>): Promise<T> {
    if (this.state !== 'open') throw new Error(`cannot commit a staged write that is ${this.state}`);
    this.state = 'committing';
    try {
      if (!this.stream.writableFinished || this.stream.errored) {
        throw new Error('commit() needs the body stream to have finished without error');
      }
      const result = await commit();
      this.state = 'committed';
      return result;
    } catch (error) {
      this.state = 'discarded';
      this.stream.destroy();
      await this.discard();
      throw error;
    }
  }

  /** Appends the footer and fsyncs: bytes and record must be on disk before any name points at them. */
  protected async seal(footer: Buffer): Promise<void> {
    await writeFully(this.handle, footer, this.size);
    await this.handle.sync();
    await this.closeHandle();
  }

  async abort(): Promise<void> {
    // While committing, the commit itself cleans up if it fails; after it, there is nothing to discard.
    if (this.state !== 'open') return;
    this.state = 'discarded';
    this.stream.destroy();
    await this.discard();
  }

  private async closeHandle(): Promise<void> {
    if (!this.handleOpen) return;
    this.handleOpen = false;
    await this.handle.close();
  }

  /** Best effort: whatever is left behind is removed by the next open() of the store. */
  private async discard(): Promise<void> {
    await this.closeHandle().catch(() => undefined);
    await unlink(this.file).catch(() => undefined);
  }
}
