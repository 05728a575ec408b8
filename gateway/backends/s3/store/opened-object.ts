import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { isErrno, readFully } from './durable';
import { readFooter, recordOfFile } from './object-file';
import { isDeleteMarker, type DeleteMarkerRecord, type ObjectRecord, type OpenedObject } from './types';

/**
 * Version files up to this size (a small body and its footer) are read whole, in one read, and
 * served from memory; bigger ones are streamed from their descriptor.
 */
export const SMALL_FILE = 64 * 1024 + 4096;

/**
 * Opens a version file and reads its record through the same descriptor the bytes will be
 * streamed from, so record and bytes are one version even if the file is replaced meanwhile.
 * `resolve` may swap the footer's record for a newer record of the same version (changed ACL or
 * tags). A delete marker's file gives its record; undefined when the file is gone. A small
 * file is read whole at once (one version just as well: the bytes are in memory before the
 * descriptor is closed).
 */
export async function openObjectFile(
  file: string,
  resolve: (footer: ObjectRecord) => ObjectRecord = (footer) => footer,
): Promise<OpenedObject | DeleteMarkerRecord | undefined> {
  let handle: FileHandle;
  try {
    handle = await open(file, 'r');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
  try {
    const { size } = await handle.stat();
    if (size <= SMALL_FILE) {
      // One read brings body and footer; the descriptor is not needed after it.
      const bytes = await readFully(handle, size, 0);
      await handle.close();
      const footer = recordOfFile(bytes);
      if (isDeleteMarker(footer)) return footer;
      return new BufferedObject(resolve(footer), bytes.subarray(0, footer.size));
    }
    const footer = await readFooter(handle, size);
    if (isDeleteMarker(footer)) {
      await handle.close();
      return footer;
    }
    return new DiskOpenedObject(handle, resolve(footer));
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
}

/**
 * What every opened object does the same way: it gives one stream at most (asking again, or after
 * close, is a bug), checks the range first, and close() releases what it holds unless a stream
 * took it over.
 */
abstract class OnceOpenedObject implements OpenedObject {
  private used = false;

  constructor(readonly record: ObjectRecord) {}

  createReadStream(start = 0, end = this.record.size - 1): Readable {
    if (this.used) throw new Error('the object was already streamed or closed');
    checkRange(start, end);
    this.used = true;
    return this.stream(start, end);
  }

  async close(): Promise<void> {
    if (this.used) return;
    this.used = true;
    await this.release();
  }

  /** Bytes [start, end] (`end` clamped to the body's last byte); releases what is held once read. */
  protected abstract stream(start: number, end: number): Readable;

  protected abstract release(): Promise<void>;
}

/** An object whose bytes are in memory: nothing to release. */
export class BufferedObject extends OnceOpenedObject {
  constructor(
    record: ObjectRecord,
    readonly body: Buffer,
  ) {
    super(record);
  }

  protected stream(start: number, end: number): Readable {
    const last = Math.min(end, this.body.length - 1);
    const stream = new Readable({ read: () => undefined });
    if (start <= last) stream.push(this.body.subarray(start, last + 1));
    stream.push(null);
    return stream;
  }

  // Nothing is held: the bytes are in memory.
  protected async release(): Promise<void> {}
}

class DiskOpenedObject extends OnceOpenedObject {
  constructor(
    private readonly handle: FileHandle,
    record: ObjectRecord,
  ) {
    super(record);
  }

  protected stream(start: number, end: number): Readable {
    // The footer follows the body in the same file: never let a range reach into it.
    const last = Math.min(end, this.record.size - 1);
    if (start > last) {
      this.handle.close().catch(() => undefined);
      return emptyStream();
    }
    // Big reads mean fewer trips through the thread pool for large objects; small ones read only what they are.
    return this.handle.createReadStream({ start, end: last, autoClose: true, highWaterMark: 512 * 1024 });
  }

  protected release(): Promise<void> {
    return this.handle.close();
  }
}

function checkRange(start: number, end: number): void {
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0) {
    throw new RangeError(`invalid byte range ${start}-${end}`);
  }
}

function emptyStream(): Readable {
  const stream = new Readable({ read: () => undefined });
  stream.push(null);
  return stream;
}
