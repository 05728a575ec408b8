import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../../log';
import { isErrno } from './durable';
import type { Layout } from './layout';
import { objectFileName, objectKeyProblem, validateBucketName } from './names';
import { DamagedObjectError, readFooter } from './object-file';
import { parseBucketFile } from './bucket-file';
import type { BucketRecord, ObjectRecord } from './types';

/** A bucket as found on disk by open(). */
export interface LoadedBucket {
  record: BucketRecord;
  objects: ObjectRecord[];
}

const FAN_OUT_DIR = /^[0-9a-f]{2}$/;
// Enough parallel reads to hide latency when loading many objects, few enough to stay under fd limits.
const PARALLEL_READS = 32;

/** Removes everything in tmp/: writes and bucket creations or deletions a crash interrupted. */
export async function clearTmp(layout: Layout, log: Logger): Promise<void> {
  const entries = await readdir(layout.tmp);
  await Promise.all(entries.map((name) => rm(join(layout.tmp, name), { recursive: true, force: true })));
  if (entries.length > 0)
    log.info(`s3 store: removed ${entries.length} interrupted write(s) from ${layout.tmp}`);
}

/** Reads every bucket record and object footer under buckets/. */
export async function loadBuckets(layout: Layout, log: Logger): Promise<LoadedBucket[]> {
  const loaded: LoadedBucket[] = [];
  for (const entry of await readdir(layout.buckets, { withFileTypes: true })) {
    const dir = join(layout.buckets, entry.name);
    const record =
      entry.isDirectory() && validateBucketName(entry.name) ? await readBucketRecord(layout, dir) : '';
    if (typeof record === 'string') {
      // Not ours or not readable: leave it alone rather than guess, but say so.
      log.warn(`s3 store: ignoring ${dir}${record ? `: ${record}` : ': not a bucket directory'}`);
      continue;
    }
    if (record.name !== entry.name) {
      log.warn(`s3 store: ignoring ${dir}: its bucket.json names bucket ${JSON.stringify(record.name)}`);
      continue;
    }
    loaded.push({ record, objects: await loadObjects(layout, record.name, log) });
  }
  return loaded;
}

async function readBucketRecord(layout: Layout, dir: string): Promise<BucketRecord | string> {
  try {
    return parseBucketFile(await readFile(layout.bucketRecord(dir), 'utf8'));
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return 'no bucket.json';
    throw error;
  }
}

async function loadObjects(layout: Layout, bucket: string, log: Logger): Promise<ObjectRecord[]> {
  const objectsDir = layout.objectsDir(layout.bucketDir(bucket));
  const files: Array<{ fan: string; name: string }> = [];
  for (const fan of await readdirOrEmpty(objectsDir)) {
    if (!fan.isDirectory() || !FAN_OUT_DIR.test(fan.name)) {
      log.warn(`s3 store: ignoring unexpected ${join(objectsDir, fan.name)}`);
      continue;
    }
    for (const file of await readdir(join(objectsDir, fan.name), { withFileTypes: true })) {
      if (file.isFile()) files.push({ fan: fan.name, name: file.name });
      else log.warn(`s3 store: ignoring unexpected ${join(objectsDir, fan.name, file.name)}`);
    }
  }
  const records = await mapParallel(files, PARALLEL_READS, async ({ fan, name }) => {
    const path = join(objectsDir, fan, name);
    const result = await readObjectRecord(path, fan, name);
    if (typeof result !== 'string') return result;
    await quarantine(layout, bucket, path, name, result, log);
    return undefined;
  });
  return records.filter((r): r is ObjectRecord => r !== undefined);
}

/** The record of an object file, or why it cannot be one (damaged or not where its key puts it). */
async function readObjectRecord(path: string, fan: string, name: string): Promise<ObjectRecord | string> {
  const handle = await open(path, 'r');
  try {
    const record = await readFooter(handle, (await handle.stat()).size);
    const problem = objectKeyProblem(record.key);
    if (problem) return `its record is unusable: ${problem}`;
    const expected = objectFileName(record.key);
    if (expected !== name || expected.slice(0, 2) !== fan)
      return `it holds key ${JSON.stringify(record.key)}, which belongs elsewhere`;
    return record;
  } catch (error) {
    if (error instanceof DamagedObjectError) return `damaged footer (${error.message})`;
    throw error;
  } finally {
    await handle.close();
  }
}

/** Moves a file open() cannot use to lost+found/<bucket>/ so that nothing is destroyed by guesswork. */
async function quarantine(
  layout: Layout,
  bucket: string,
  path: string,
  name: string,
  reason: string,
  log: Logger,
): Promise<void> {
  const dir = join(layout.lostAndFound, bucket);
  await mkdir(dir, { recursive: true });
  const target = join(dir, `${Date.now()}-${randomBytes(4).toString('hex')}-${name}`);
  await rename(path, target);
  log.warn(`s3 store: moved ${path} to ${target}: ${reason}`);
}

async function readdirOrEmpty(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return [];
    throw error;
  }
}

async function mapParallel<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
