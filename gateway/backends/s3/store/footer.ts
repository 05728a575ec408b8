import { createHash } from 'node:crypto';
import { readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { readFully } from './durable';

/*
 * Object and part files hold bytes followed by their record:
 *
 *   body bytes | footer: UTF-8 JSON | trailer (16 bytes)
 *   trailer = footer length (uint32 BE) | first 4 bytes of SHA-256(footer) | magic "apigwS3\x01"
 *
 * Bytes and record share a file so that one rename() replaces both at once, and a reader that
 * holds the descriptor keeps seeing the version it opened while a writer replaces it.
 */
const MAGIC = Buffer.from('apigwS3\x01', 'latin1');
const TRAILER_SIZE = 16;
// Records are a few KiB (a multipart object's part sizes up to ~100 KiB); anything bigger is damage.
const MAX_FOOTER_SIZE = 1 << 20;
// One read of the file's tail usually brings footer and trailer together; bigger footers cost a second read.
const TAIL_READ = 4096;

/** A file whose footer cannot be trusted. */
export class DamagedObjectError extends Error {
  override name = 'DamagedObjectError';
}

/** A footer's JSON and the size of the body before it. */
export interface Footer {
  value: unknown;
  bodySize: number;
}

/** The footer and trailer for a JSON-serialisable value. */
export function encodeFooterOf(value: unknown): Buffer {
  const footer = Buffer.from(JSON.stringify(value), 'utf8');
  const trailer = Buffer.alloc(TRAILER_SIZE);
  trailer.writeUInt32BE(footer.length, 0);
  digestOf(footer).copy(trailer, 4);
  MAGIC.copy(trailer, 8);
  return Buffer.concat([footer, trailer]);
}

/** Reads and checks the footer at the end of a file of `fileSize` bytes. */
export async function readFooterOf(handle: FileHandle, fileSize: number): Promise<Footer> {
  const tailSize = tailSizeOf(fileSize);
  const tail = await readFully(handle, tailSize, fileSize - tailSize);
  const found = locate(tail, fileSize);
  return decode(found.footer ?? (await readFully(handle, found.footerSize, found.bodySize)), found);
}

/** Reads and checks the footer of a whole file already in memory (small objects are read in one go). */
export function footerOfFile(file: Buffer): Footer {
  tailSizeOf(file.length);
  // The whole file is the tail here, so it holds all of any footer.
  const found = locate(file, file.length);
  return decode(found.footer as Buffer, found);
}

/**
 * The same, with blocking reads: loading a store's records at start-up is thousands of tiny reads,
 * which the thread pool makes several times slower. Callers yield to the event loop between batches.
 */
export function readFooterOfSync(fd: number, fileSize: number): Footer {
  const tailSize = tailSizeOf(fileSize);
  const tail = readFullySync(fd, tailSize, fileSize - tailSize);
  const found = locate(tail, fileSize);
  return decode(found.footer ?? readFullySync(fd, found.footerSize, found.bodySize), found);
}

function tailSizeOf(fileSize: number): number {
  if (fileSize < TRAILER_SIZE) throw new DamagedObjectError('file too short for a trailer');
  return Math.min(fileSize, TAIL_READ);
}

interface Located {
  footerSize: number;
  bodySize: number;
  digest: Buffer;
  /** The footer, when the tail held all of it. */
  footer?: Buffer;
}

function locate(tail: Buffer, fileSize: number): Located {
  const trailer = tail.subarray(tail.length - TRAILER_SIZE);
  if (!trailer.subarray(8).equals(MAGIC)) throw new DamagedObjectError('no trailer magic');
  const footerSize = trailer.readUInt32BE(0);
  if (footerSize > MAX_FOOTER_SIZE || footerSize > fileSize - TRAILER_SIZE) {
    throw new DamagedObjectError(`implausible footer length ${footerSize}`);
  }
  const end = tail.length - TRAILER_SIZE;
  return {
    footerSize,
    bodySize: fileSize - TRAILER_SIZE - footerSize,
    digest: trailer.subarray(4, 8),
    footer: footerSize <= end ? tail.subarray(end - footerSize, end) : undefined,
  };
}

function decode(footer: Buffer, { digest, bodySize }: Located): Footer {
  if (!digestOf(footer).equals(digest)) throw new DamagedObjectError('footer checksum mismatch');
  try {
    return { value: JSON.parse(footer.toString('utf8')), bodySize };
  } catch {
    throw new DamagedObjectError('footer is not JSON');
  }
}

function readFullySync(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const read = readSync(fd, buffer, done, length - done, position + done);
    if (read === 0) throw new Error(`unexpected end of file at byte ${position + done}`);
    done += read;
  }
  return buffer;
}

function digestOf(footer: Buffer): Buffer {
  return createHash('sha256').update(footer).digest().subarray(0, 4);
}
