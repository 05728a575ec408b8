import { open } from 'node:fs/promises';
import { writeFully } from './durable';
import { parseBucketRecord } from './records';
import type { BucketRecord } from './types';

const FORMAT = 1;

/** Writes and fsyncs a new bucket.json (callers make it visible atomically by renaming its directory). */
export async function writeBucketFile(file: string, record: BucketRecord): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    await writeFully(
      handle,
      Buffer.from(`${JSON.stringify({ format: FORMAT, record }, null, 2)}\n`, 'utf8'),
      0,
    );
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The record in a bucket.json's contents, or why there is none. */
export function parseBucketFile(text: string): BucketRecord | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'bucket.json is not JSON';
  }
  const { format, record } = (parsed ?? {}) as { format?: unknown; record?: unknown };
  if (format !== FORMAT) return `bucket.json has unknown format ${String(format)}`;
  return parseBucketRecord(record) ?? 'bucket.json has the wrong shape';
}
