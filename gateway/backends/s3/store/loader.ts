import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { basename, join } from 'node:path';
import type { Logger } from '../../../../lib/log';
import { isErrno } from './durable';
import { SUBRESOURCES_SUFFIX, type Layout } from './layout';
import { objectFileName, objectKeyProblem, validateBucketName } from './names';
import { DamagedObjectError, readFooterSync } from './object-file';
import { parseBucketFile } from './bucket-file';
import { attributesOf, buildObjectRecord } from './records';
import { readSubresources, removeSubresources } from './subresources-file';
import {
  isDeleteMarker,
  NULL_VERSION_ID,
  type BucketRecord,
  type PartRecord,
  type UploadRecord,
  type VersionRecord,
} from './types';
import { PART_FILE, parseUploadFile, readPartFooter, UPLOAD_ID } from './upload-files';

/** A multipart upload as found on disk by open(). */
export interface LoadedUpload {
  record: UploadRecord;
  parts: PartRecord[];
}

/** A bucket as found on disk by open(). */
export interface LoadedBucket {
  record: BucketRecord;
  /** Every object version and delete marker. */
  objects: VersionRecord[];
  uploads: LoadedUpload[];
}

const FAN_OUT_DIR = /^[0-9a-f]{2}$/;
// Enough parallel reads to hide latency when loading many objects, few enough to stay under fd limits.
const PARALLEL_READS = 32;
// Object records read with blocking I/O between two turns of the event loop (a few milliseconds).
const SYNC_BATCH = 500;

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
    loaded.push({
      record,
      objects: await loadObjects(layout, record.name, log),
      uploads: await loadUploads(layout, record.name, log),
    });
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

/** A version file's name: the key's digest, then `.<version id>` unless it is the null version. */
const VERSION_FILE = /^([0-9a-f]{64})(?:\.([A-Za-z0-9_-]{32}))?$/;

async function loadObjects(layout: Layout, bucket: string, log: Logger): Promise<VersionRecord[]> {
  const objectsDir = layout.objectsDir(layout.bucketDir(bucket));
  const files: Array<{ fan: string; name: string }> = [];
  const sidecars: string[] = [];
  for (const fan of await readdirOrEmpty(objectsDir)) {
    if (!fan.isDirectory() || !FAN_OUT_DIR.test(fan.name)) {
      log.warn(`s3 store: ignoring unexpected ${join(objectsDir, fan.name)}`);
      continue;
    }
    for (const file of await readdir(join(objectsDir, fan.name), { withFileTypes: true })) {
      const path = join(objectsDir, fan.name, file.name);
      if (file.isFile() && file.name.endsWith(SUBRESOURCES_SUFFIX)) sidecars.push(path);
      else if (file.isFile()) files.push({ fan: fan.name, name: file.name });
      else log.warn(`s3 store: ignoring unexpected ${path}`);
    }
  }
  const byFile = new Map<string, VersionRecord>();
  for (let start = 0; start < files.length; start += SYNC_BATCH) {
    for (const { fan, name } of files.slice(start, start + SYNC_BATCH)) {
      const path = join(objectsDir, fan, name);
      const result = readObjectRecord(path, fan, name);
      if (typeof result !== 'string') byFile.set(path, result);
      else await quarantine(layout, bucket, path, name, result, log);
    }
    // Blocking reads are several times faster than the thread pool for this; between batches,
    // whatever else the process does (another server starting, say) gets its turn.
    await yieldToEventLoop();
  }
  await mapParallel(sidecars, PARALLEL_READS, (path) => applySidecar(layout, bucket, path, byFile, log));
  return [...byFile.values()];
}

/**
 * Applies a subresources file (current ACL and tags) to the record of its object file, when it
 * names that version; a stale one (its object was overwritten or deleted) is removed.
 */
async function applySidecar(
  layout: Layout,
  bucket: string,
  path: string,
  byFile: Map<string, VersionRecord>,
  log: Logger,
): Promise<void> {
  const objectFile = path.slice(0, -SUBRESOURCES_SUFFIX.length);
  const record = byFile.get(objectFile);
  const contents = await readSubresources(path);
  if (typeof contents === 'string') {
    await quarantine(layout, bucket, path, basename(path), `unreadable ACL/tags file (${contents})`, log);
    return;
  }
  if (
    !VERSION_FILE.test(basename(objectFile)) ||
    !record ||
    isDeleteMarker(record) ||
    record.generation !== contents.generation
  ) {
    await removeSubresources(path);
    log.info(`s3 store: removed ${path}: the object version it described is gone`);
    return;
  }
  byFile.set(
    objectFile,
    buildObjectRecord(record, { ...attributesOf(record), acl: contents.acl, tags: contents.tags }),
  );
}

/** Reads every upload directory under uploads/: its record and its parts. */
async function loadUploads(layout: Layout, bucket: string, log: Logger): Promise<LoadedUpload[]> {
  const uploadsDir = layout.uploadsDir(bucket);
  const uploads: LoadedUpload[] = [];
  for (const entry of await readdirOrEmpty(uploadsDir)) {
    const dir = join(uploadsDir, entry.name);
    if (!entry.isDirectory() || !UPLOAD_ID.test(entry.name)) {
      log.warn(`s3 store: ignoring unexpected ${dir}`);
      continue;
    }
    let record: UploadRecord | string;
    try {
      record = parseUploadFile(await readFile(layout.uploadRecord(dir), 'utf8'));
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
      record = 'no upload.json';
    }
    if (typeof record === 'string' || record.uploadId !== entry.name) {
      const reason = typeof record === 'string' ? record : 'upload.json names another upload';
      await quarantine(layout, bucket, dir, `upload-${entry.name}`, reason, log);
      continue;
    }
    const parts: PartRecord[] = [];
    for (const file of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, file.name);
      if (file.name === 'upload.json') continue;
      if (!file.isFile() || !PART_FILE.test(file.name)) {
        log.warn(`s3 store: ignoring unexpected ${path}`);
        continue;
      }
      const part = await readPartRecord(path);
      if (typeof part !== 'string' && part.partNumber === Number(file.name)) parts.push(part);
      else {
        const reason = typeof part === 'string' ? part : 'it holds another part number';
        await quarantine(layout, bucket, path, `upload-${entry.name}-${file.name}`, reason, log);
      }
    }
    uploads.push({ record, parts });
  }
  return uploads;
}

async function readPartRecord(path: string): Promise<PartRecord | string> {
  const handle = await open(path, 'r');
  try {
    return await readPartFooter(handle, (await handle.stat()).size);
  } catch (error) {
    if (error instanceof DamagedObjectError) return `damaged part footer (${error.message})`;
    throw error;
  } finally {
    await handle.close();
  }
}

/** The record of an object file, or why it cannot be one (damaged or not where its key puts it). */
function readObjectRecord(path: string, fan: string, name: string): VersionRecord | string {
  const named = VERSION_FILE.exec(name);
  if (!named) return 'its name is not that of an object version';
  const fd = openSync(path, 'r');
  try {
    const record = readFooterSync(fd, fstatSync(fd).size);
    const problem = objectKeyProblem(record.key);
    if (problem) return `its record is unusable: ${problem}`;
    const expected = objectFileName(record.key);
    if (expected !== named[1] || expected.slice(0, 2) !== fan)
      return `it holds key ${JSON.stringify(record.key)}, which belongs elsewhere`;
    if (record.versionId !== (named[2] ?? NULL_VERSION_ID))
      return `it holds version ${JSON.stringify(record.versionId)}, which belongs elsewhere`;
    return record;
  } catch (error) {
    if (error instanceof DamagedObjectError) return `damaged footer (${error.message})`;
    throw error;
  } finally {
    closeSync(fd);
  }
}

/** Moves a file (or upload directory) open() cannot use to lost+found/<bucket>/ so that nothing is destroyed by guesswork. */
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
