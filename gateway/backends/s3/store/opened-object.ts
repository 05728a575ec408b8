import { open, type FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { isErrno } from './durable';
import { readFooter } from './object-file';
import { isDeleteMarker, type DeleteMarkerRecord, type ObjectRecord, type OpenedObject } from './types';

/**
 * Opens a version file and reads its record through the same descriptor the bytes will be
 * streamed from, so record and bytes are one version even if the file is replaced meanwhile.
 * `resolve` may swap the footer's record for a newer record of the same version (changed ACL or
 * tags). A delete marker's file gives its record; undefined when the file is gone.
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
    const footer = await readFooter(handle, size);
    if (isDeleteMarker(footer)) {
      await handle.close();
      return footer;
    }
    return new DiskOpenedObject(handle, resolve(footer));
  } catch (error) {
    await handle.close();
    throw error;
  }
}

class DiskOpenedObject implements OpenedObject {
  private released = false;

  constructor(
    private readonly handle: FileHandle,
    readonly record: ObjectRecord,
  ) {}

  createReadStream(start = 0, end = this.record.size - 1): Readable {
    if (this.released) throw new Error('the object was already streamed or closed');
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0) {
      throw new RangeError(`invalid byte range ${start}-${end}`);
    }
    this.released = true;
    // The footer follows the body in the same file: never let a range reach into it.
    const last = Math.min(end, this.record.size - 1);
    if (start > last) {
      this.handle.close().catch(() => undefined);
      return emptyStream();
    }
    // Big reads mean fewer trips through the thread pool for large objects; small ones read only what they are.
    return this.handle.createReadStream({ start, end: last, autoClose: true, highWaterMark: 512 * 1024 });
  }

  async close(): Promise<void> {
    if (this.released) return;
    this.released = true;
    await this.handle.close();
  }
}

function emptyStream(): Readable {
  const stream = new Readable({ read: () => undefined });
  stream.push(null);
  return stream;
}
