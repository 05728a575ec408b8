import type { FileHandle } from 'node:fs/promises';
import { DamagedObjectError, encodeFooterOf, readFooterOf, readFooterOfSync, type Footer } from './footer';
import { parseObjectRecord } from './records';
import type { ObjectRecord } from './types';

export { DamagedObjectError } from './footer';

// An object file is the object's bytes with footer {"format":1,"record":ObjectRecord} (see footer.ts).
const FORMAT = 1;

/** The footer and trailer that follow an object's bytes. */
export function encodeFooter(record: ObjectRecord): Buffer {
  return encodeFooterOf({ format: FORMAT, record });
}

/** Reads and checks the record at the end of an object file of `fileSize` bytes. */
export async function readFooter(handle: FileHandle, fileSize: number): Promise<ObjectRecord> {
  return recordOf(await readFooterOf(handle, fileSize));
}

/** readFooter with blocking reads, for loading many records at start-up. */
export function readFooterSync(fd: number, fileSize: number): ObjectRecord {
  return recordOf(readFooterOfSync(fd, fileSize));
}

function recordOf({ value, bodySize }: Footer): ObjectRecord {
  const format = (value as { format?: unknown } | null)?.format;
  if (format !== FORMAT) throw new DamagedObjectError(`unknown footer format ${String(format)}`);
  const record = parseObjectRecord((value as { record?: unknown }).record);
  if (!record) throw new DamagedObjectError('footer record has the wrong shape');
  if (record.size !== bodySize)
    throw new DamagedObjectError(`record says ${record.size} bytes, file holds ${bodySize}`);
  return record;
}
