import { open, type FileHandle } from 'node:fs/promises';

/** True when `error` is a Node system error with one of `codes`. */
export function isErrno(error: unknown, ...codes: string[]): boolean {
  // Not `instanceof Error`: errors from another realm (vm contexts, jest) fail that test.
  const code =
    typeof error === 'object' && error !== null ? (error as NodeJS.ErrnoException).code : undefined;
  return typeof code === 'string' && codes.includes(code);
}

/** Writes all of `data` at `position` (a single write may be partial). */
export async function writeFully(handle: FileHandle, data: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < data.length) {
    const { bytesWritten } = await handle.write(data, done, data.length - done, position + done);
    done += bytesWritten;
  }
}

/** Reads exactly `length` bytes at `position`; fewer means the file is shorter than expected. */
export async function readFully(handle: FileHandle, length: number, position: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${position + done}`);
    done += bytesRead;
  }
  return buffer;
}

/**
 * Makes the entries of a directory (a rename, a new file, a removal) durable: fsync on the file
 * alone does not persist the name that points at it.
 */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: FileHandle;
  try {
    handle = await open(dir, 'r');
  } catch (error) {
    // Windows cannot open a directory; there the rename is as durable as it gets.
    if (isErrno(error, 'EISDIR', 'EPERM', 'EACCES')) return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    if (!isErrno(error, 'EINVAL', 'EPERM', 'EBADF', 'ENOTSUP')) throw error;
  } finally {
    await handle.close();
  }
}
