import { parseJsonFile, writeJsonFile } from './json-file';
import { parseBucketRecord } from './records';
import type { BucketRecord } from './types';

const FORMAT = 1;

/** Writes and fsyncs a new bucket.json (callers make it visible atomically by renaming its directory). */
export async function writeBucketFile(file: string, record: BucketRecord): Promise<void> {
  await writeJsonFile(file, FORMAT, 'record', record, 2);
}

/** The record in a bucket.json's contents, or why there is none. */
export function parseBucketFile(text: string): BucketRecord | string {
  return parseJsonFile(text, 'bucket.json', FORMAT, 'record', parseBucketRecord);
}
