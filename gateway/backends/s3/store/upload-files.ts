import type { FileHandle } from 'node:fs/promises';
import { parseJsonFile, writeJsonFile } from './json-file';
import { DamagedObjectError, encodeFooterOf, readFooterOf } from './footer';
import { parsePartRecord, parseUploadRecord } from './records';
import type { PartRecord, UploadRecord } from './types';

// upload.json: {"format":1,"upload":UploadRecord}; a part file: the part's bytes with footer
// {"format":1,"part":PartRecord} (the container of footer.ts). See docs/storage-layout.md.
const FORMAT = 1;

/** Upload ids are 32 lower-case hex digits; the directory of an upload is named by its id. */
export const UPLOAD_ID = /^[0-9a-f]{32}$/;
/** Part files are named by their number, 5 digits. */
export const PART_FILE = /^\d{5}$/;

/** Writes and fsyncs a new upload.json (made visible by renaming its directory into place). */
export async function writeUploadFile(file: string, record: UploadRecord): Promise<void> {
  await writeJsonFile(file, FORMAT, 'upload', record);
}

/** The record in an upload.json's contents, or why there is none. */
export function parseUploadFile(text: string): UploadRecord | string {
  return parseJsonFile(text, 'upload.json', FORMAT, 'upload', parseUploadRecord);
}

/** The footer and trailer that follow a part's bytes. */
export function encodePartFooter(part: PartRecord): Buffer {
  return encodeFooterOf({ format: FORMAT, part });
}

/** Reads and checks the record at the end of a part file. */
export async function readPartFooter(handle: FileHandle, fileSize: number): Promise<PartRecord> {
  const { value, bodySize } = await readFooterOf(handle, fileSize);
  const format = (value as { format?: unknown } | null)?.format;
  if (format !== FORMAT) throw new DamagedObjectError(`unknown part footer format ${String(format)}`);
  const part = parsePartRecord((value as { part?: unknown }).part);
  if (!part) throw new DamagedObjectError('part footer has the wrong shape');
  if (part.size !== bodySize)
    throw new DamagedObjectError(`part says ${part.size} bytes, file holds ${bodySize}`);
  return part;
}
