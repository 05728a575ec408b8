import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import { readFully } from './durable';
import { parseObjectRecord } from './records';
import type { ObjectRecord } from './types';

/*
 * An object file holds one version of one object:
 *
 *   body bytes | footer: UTF-8 JSON {"format":1,"record":ObjectRecord} | trailer (16 bytes)
 *   trailer = footer length (uint32 BE) | first 4 bytes of SHA-256(footer) | magic "apigwS3\x01"
 *
 * Bytes and record share a file so that one rename() replaces both at once, and a reader that
 * holds the descriptor keeps seeing the version it opened while a writer replaces it.
 */
const MAGIC = Buffer.from('apigwS3\x01', 'latin1');
const TRAILER_SIZE = 16;
const FORMAT = 1;
// Records are a few KiB at most (S3 caps user metadata at 2 KiB); anything bigger is damage.
const MAX_FOOTER_SIZE = 1 << 20;

/** An object file whose footer cannot be trusted. */
export class DamagedObjectError extends Error {
  override name = 'DamagedObjectError';
}

/** The footer and trailer that follow an object's bytes. */
export function encodeFooter(record: ObjectRecord): Buffer {
  const footer = Buffer.from(JSON.stringify({ format: FORMAT, record }), 'utf8');
  const trailer = Buffer.alloc(TRAILER_SIZE);
  trailer.writeUInt32BE(footer.length, 0);
  digestOf(footer).copy(trailer, 4);
  MAGIC.copy(trailer, 8);
  return Buffer.concat([footer, trailer]);
}

/** Reads and checks the record at the end of an object file of `fileSize` bytes. */
export async function readFooter(handle: FileHandle, fileSize: number): Promise<ObjectRecord> {
  if (fileSize < TRAILER_SIZE) throw new DamagedObjectError('file too short for a trailer');
  const trailer = await readFully(handle, TRAILER_SIZE, fileSize - TRAILER_SIZE);
  if (!trailer.subarray(8).equals(MAGIC)) throw new DamagedObjectError('no trailer magic');
  const footerSize = trailer.readUInt32BE(0);
  if (footerSize > MAX_FOOTER_SIZE || footerSize > fileSize - TRAILER_SIZE) {
    throw new DamagedObjectError(`implausible footer length ${footerSize}`);
  }
  const bodySize = fileSize - TRAILER_SIZE - footerSize;
  const footer = await readFully(handle, footerSize, bodySize);
  if (!digestOf(footer).equals(trailer.subarray(4, 8)))
    throw new DamagedObjectError('footer checksum mismatch');
  let parsed: unknown;
  try {
    parsed = JSON.parse(footer.toString('utf8'));
  } catch {
    throw new DamagedObjectError('footer is not JSON');
  }
  const format = (parsed as { format?: unknown } | null)?.format;
  if (format !== FORMAT) throw new DamagedObjectError(`unknown footer format ${String(format)}`);
  const record = parseObjectRecord((parsed as { record?: unknown }).record);
  if (!record) throw new DamagedObjectError('footer record has the wrong shape');
  if (record.size !== bodySize)
    throw new DamagedObjectError(`record says ${record.size} bytes, file holds ${bodySize}`);
  return record;
}

function digestOf(footer: Buffer): Buffer {
  return createHash('sha256').update(footer).digest().subarray(0, 4);
}
