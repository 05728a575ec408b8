import type { FileHandle } from 'node:fs/promises';
import {
  DamagedObjectError,
  encodeFooterOf,
  footerOfFile,
  readFooterOf,
  readFooterOfSync,
  type Footer,
} from './footer';
import { parseDeleteMarker, parseObjectRecord } from './records';
import { isDeleteMarker, type VersionRecord } from './types';

export { DamagedObjectError } from './footer';

// A version file is the object's bytes with footer {"format":1,"record":ObjectRecord}, or no bytes
// and {"format":1,"deleteMarker":DeleteMarkerRecord} for a delete marker (see footer.ts).
const FORMAT = 1;

/** The footer and trailer that follow an object's bytes (or make up a delete marker's file). */
export function encodeFooter(version: VersionRecord): Buffer {
  if (isDeleteMarker(version)) {
    const { deleteMarker: _, ...marker } = version;
    return encodeFooterOf({ format: FORMAT, deleteMarker: marker });
  }
  return encodeFooterOf({ format: FORMAT, record: version });
}

/** Reads and checks the record at the end of a version file of `fileSize` bytes. */
export async function readFooter(handle: FileHandle, fileSize: number): Promise<VersionRecord> {
  return recordOf(await readFooterOf(handle, fileSize));
}

/** The record of a whole version file already in memory; the body is its first `record.size` bytes. */
export function recordOfFile(file: Buffer): VersionRecord {
  return recordOf(footerOfFile(file));
}

/** readFooter with blocking reads, for loading many records at start-up. */
export function readFooterSync(fd: number, fileSize: number): VersionRecord {
  return recordOf(readFooterOfSync(fd, fileSize));
}

function recordOf({ value, bodySize }: Footer): VersionRecord {
  const footer = (value ?? {}) as { format?: unknown; record?: unknown; deleteMarker?: unknown };
  if (footer.format !== FORMAT)
    throw new DamagedObjectError(`unknown footer format ${String(footer.format)}`);
  if (footer.deleteMarker !== undefined) {
    const marker = parseDeleteMarker(footer.deleteMarker);
    if (!marker) throw new DamagedObjectError('footer delete marker has the wrong shape');
    if (bodySize !== 0) throw new DamagedObjectError(`a delete marker file holds ${bodySize} bytes`);
    return marker;
  }
  const record = parseObjectRecord(footer.record);
  if (!record) throw new DamagedObjectError('footer record has the wrong shape');
  if (record.size !== bodySize)
    throw new DamagedObjectError(`record says ${record.size} bytes, file holds ${bodySize}`);
  return record;
}
