import { createHash, randomBytes } from 'node:crypto';
import { open, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { writeFully } from './durable';
import { objectKeyProblem } from './names';
import { encodeFooter } from './object-file';
import { buildObjectRecord } from './records';
import type { ObjectAttributes, ObjectRecord, StagedObject } from './types';

/**
 * Makes the temp file the current version of `record.key`; supplied by the store. It calls
 * `seal` (footer + fsync) first, which lets the store count the commit as in progress from the start.
 */
export type Publish = (
  tmpFile: string,
  record: ObjectRecord,
  seal: () => Promise<void>,
) => Promise<ObjectRecord>;

/** Starts a write: a new temp file in `tmpDir` that `publish` will move into place on commit. */
export async function stageObject(tmpDir: string, publish: Publish): Promise<StagedObject> {
  const file = join(tmpDir, `${randomBytes(16).toString('hex')}.part`);
  const handle = await open(file, 'wx');
  return new DiskStagedObject(file, handle, publish);
}

/** Appends what it is given to the temp file, hashing as it goes, so no body is ever held in memory. */
class BodyWriter extends Writable {
  size = 0;
  private readonly hash = createHash('md5');

  constructor(private readonly handle: FileHandle) {
    super({ highWaterMark: 256 * 1024 });
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
    return this.hash.copy().digest();
  }

  private async append(buffers: Buffer[]): Promise<void> {
    const total = buffers.reduce((sum, b) => sum + b.length, 0);
    const { bytesWritten } = await this.handle.writev(buffers, this.size);
    if (bytesWritten < total) {
      await writeFully(this.handle, Buffer.concat(buffers).subarray(bytesWritten), this.size + bytesWritten);
    }
    for (const buffer of buffers) this.hash.update(buffer);
    this.size += total;
  }
}

class DiskStagedObject implements StagedObject {
  readonly stream: BodyWriter;
  private state: 'open' | 'committing' | 'committed' | 'discarded' = 'open';
  private handleOpen = true;

  constructor(
    private readonly file: string,
    private readonly handle: FileHandle,
    private readonly publish: Publish,
  ) {
    this.stream = new BodyWriter(handle);
  }

  get size(): number {
    return this.stream.size;
  }

  md5(): Buffer {
    return this.stream.md5();
  }

  async commit(key: string, attributes: ObjectAttributes): Promise<ObjectRecord> {
    if (this.state !== 'open') throw new Error(`cannot commit a staged object that is ${this.state}`);
    this.state = 'committing';
    try {
      const problem = objectKeyProblem(key);
      if (problem) throw new Error(`cannot store the object: ${problem}`);
      if (!this.stream.writableFinished || this.stream.errored) {
        throw new Error('commit() needs the body stream to have finished without error');
      }
      const record = buildObjectRecord(key, this.size, this.md5().toString('hex'), Date.now(), attributes);
      const published = await this.publish(this.file, record, () => this.seal(record));
      this.state = 'committed';
      return published;
    } catch (error) {
      // A failed commit leaves nothing behind, so callers need no cleanup path of their own.
      this.state = 'discarded';
      this.stream.destroy();
      await this.discard();
      throw error;
    }
  }

  /** Appends the footer and fsyncs: bytes and record must be on disk before any name points at them. */
  private async seal(record: ObjectRecord): Promise<void> {
    await writeFully(this.handle, encodeFooter(record), this.size);
    await this.handle.sync();
    await this.closeHandle();
  }

  async abort(): Promise<void> {
    // While committing, commit() itself cleans up if it fails; after it, there is nothing to discard.
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
