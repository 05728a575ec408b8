import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createLogger, type Logger } from '../../../log';
import type { Owner } from '../identity';
import { BucketIndex } from './bucket-index';
import { writeBucketFile } from './bucket-file';
import { newBucketState, type BucketState } from './bucket-state';
import { fsyncDir, isErrno } from './durable';
import { KeyedMutex } from './keyed-mutex';
import { Layout } from './layout';
import { clearTmp, loadBuckets } from './loader';
import { Multipart } from './multipart';
import { validateBucketName } from './names';
import { NoSuchBucketError } from './no-such-bucket';
import { openObjectFile } from './opened-object';
import { attributesOf, buildBucketRecord, buildObjectRecord } from './records';
import { stageObject, type DiskStagedObject } from './staged-object';
import { removeSubresources, writeSubresources } from './subresources-file';
import type {
  BucketRecord,
  CompletedPart,
  CompleteOutcome,
  Grant,
  ListQuery,
  ListResult,
  ObjectAttributes,
  ObjectRecord,
  ObjectStore,
  ObjectSubresources,
  OpenedObject,
  PartRecord,
  StagedPart,
  UploadRecord,
} from './types';

/**
 * The embedded S3's storage: one directory per bucket, one file per object (bytes + record),
 * published by rename(); an in-memory index of every record serves lookups and listings.
 * See docs/storage-layout.md. One DiskStore per data directory at a time.
 */
export class DiskStore implements ObjectStore {
  private readonly layout: Layout;
  private readonly buckets = new Map<string, BucketState>();
  private readonly bucketLocks = new KeyedMutex();
  // Serialises rename + index update per key, so the index always ends as the disk does.
  private readonly objectLocks = new KeyedMutex();
  private readonly multipart: Multipart;
  private readonly inFlight = new Set<Promise<unknown>>();
  private state: 'new' | 'opening' | 'open' | 'closed' = 'new';

  constructor(
    dataDir: string,
    private readonly log: Logger = createLogger('warn'),
  ) {
    this.layout = new Layout(dataDir);
    this.multipart = new Multipart({
      layout: this.layout,
      log,
      uploadLocks: new KeyedMutex(),
      requireBucket: (bucket) => this.requireBucket(bucket),
      stageObject: (bucket) => this.stageObject(bucket, false),
      asWriter: (state, change) => this.asWriter(state, change),
    });
  }

  async open(): Promise<void> {
    if (this.state !== 'new') throw new Error(`the S3 store cannot be opened twice (it is ${this.state})`);
    this.state = 'opening';
    try {
      await mkdir(this.layout.buckets, { recursive: true });
      await mkdir(this.layout.tmp, { recursive: true });
      await clearTmp(this.layout, this.log);
      for (const { record, objects, uploads } of await loadBuckets(this.layout, this.log)) {
        const loaded = uploads.map((u) => ({
          record: u.record,
          parts: new Map(u.parts.map((p) => [p.partNumber, p])),
        }));
        this.buckets.set(record.name, newBucketState(record, BucketIndex.fromRecords(objects), loaded));
      }
    } catch (error) {
      // Leave it retryable: a half-loaded index must never serve requests.
      this.buckets.clear();
      this.state = 'new';
      throw error;
    }
    this.state = 'open';
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    await Promise.allSettled([...this.inFlight]);
    this.buckets.clear();
  }

  listBuckets(): BucketRecord[] {
    return [...this.buckets.values()].map((b) => b.record).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  getBucket(name: string): BucketRecord | undefined {
    return this.buckets.get(name)?.record;
  }

  async createBucket(record: BucketRecord): Promise<{ created: boolean; bucket: BucketRecord }> {
    this.requireOpen();
    const { name } = record;
    if (!validateBucketName(name)) throw new Error(`invalid bucket name ${JSON.stringify(name)}`);
    return this.track(
      this.bucketLocks.run(name, async () => {
        const existing = this.buckets.get(name);
        if (existing) return { created: false, bucket: existing.record };
        const bucket = buildBucketRecord(record);
        await this.createBucketDir(bucket);
        this.buckets.set(name, newBucketState(bucket, new BucketIndex()));
        return { created: true, bucket };
      }),
    );
  }

  async deleteBucket(name: string): Promise<'missing' | 'not-empty' | 'deleted'> {
    this.requireOpen();
    return this.track(
      this.bucketLocks.run(name, async () => {
        const state = this.buckets.get(name);
        if (!state) return 'missing';
        // Multipart uploads in progress do not keep a bucket alive (as on AWS): they go with it.
        if (state.index.size > 0 || state.writers > 0) return 'not-empty';
        // Out of the map first, so a write staged meanwhile fails instead of landing in a doomed directory.
        this.buckets.delete(name);
        const grave = join(this.layout.tmp, `${randomBytes(16).toString('hex')}.deleted`);
        try {
          await rename(this.layout.bucketDir(name), grave);
        } catch (error) {
          this.buckets.set(name, state);
          throw error;
        }
        await fsyncDir(this.layout.buckets);
        // The bucket is gone once renamed away; a failure here leaves only litter that open() clears.
        await rm(grave, { recursive: true, force: true }).catch((error: unknown) =>
          this.log.warn(`s3 store: could not remove ${grave}: ${String(error)}`),
        );
        return 'deleted';
      }),
    );
  }

  async updateBucketAcl(name: string, acl: readonly Grant[]): Promise<BucketRecord | undefined> {
    this.requireOpen();
    return this.track(
      this.bucketLocks.run(name, async () => {
        const state = this.buckets.get(name);
        if (!state) return undefined;
        const record = buildBucketRecord({ ...state.record, acl });
        // A new bucket.json written aside and renamed over the old one: one or the other, never a mix.
        const tmp = join(this.layout.tmp, `${randomBytes(16).toString('hex')}.bucket.json`);
        await writeBucketFile(tmp, record);
        const dir = this.layout.bucketDir(name);
        await rename(tmp, this.layout.bucketRecord(dir)).catch(async (error: unknown) => {
          await unlink(tmp).catch(() => undefined);
          throw error;
        });
        await fsyncDir(dir);
        state.record = record;
        return record;
      }),
    );
  }

  getObjectRecord(bucket: string, key: string): ObjectRecord | undefined {
    return this.requireBucket(bucket).index.get(key);
  }

  async openObject(bucket: string, key: string): Promise<OpenedObject | undefined> {
    const state = this.requireBucket(bucket);
    if (!state.index.get(key)) return undefined;
    // The index holds the latest ACL and tags of the version it knows; the footer those at upload.
    const opened = await openObjectFile(this.layout.objectPath(bucket, key).file, (footer) => {
      const current = state.index.get(key);
      return current && current.generation === footer.generation ? current : footer;
    });
    if (opened && opened.record.key !== key) {
      await opened.close();
      throw new Error(`the object file of ${JSON.stringify(key)} holds ${JSON.stringify(opened.record.key)}`);
    }
    return opened;
  }

  /** `md5: false` is for writers that set the ETag themselves (CompleteMultipartUpload): hashing GiBs for nothing is slow. */
  async stageObject(bucket: string, md5 = true): Promise<DiskStagedObject> {
    this.requireBucket(bucket);
    return stageObject(
      this.layout.tmp,
      (tmpFile, record, seal) => this.publish(bucket, tmpFile, record, seal),
      md5,
    );
  }

  async deleteObject(bucket: string, key: string): Promise<boolean> {
    const state = this.requireBucket(bucket);
    if (!state.index.get(key)) return false;
    return this.write(
      state,
      bucket,
      key,
      async () => undefined,
      async () => {
        if (!state.index.get(key)) return false;
        const { dir, file } = this.layout.objectPath(bucket, key);
        try {
          await unlink(file);
        } catch (error) {
          if (!isErrno(error, 'ENOENT')) throw error;
        }
        try {
          // Stale once the object is gone; removed so that it does not linger until the next start.
          await removeSubresources(this.layout.subresourcesFile(file));
          await fsyncDir(dir);
        } finally {
          state.index.delete(key);
        }
        return true;
      },
    );
  }

  listObjects(bucket: string, query: ListQuery): ListResult {
    return this.requireBucket(bucket).index.list(query);
  }

  async updateObject(
    bucket: string,
    key: string,
    change: ObjectSubresources,
  ): Promise<ObjectRecord | undefined> {
    const state = this.requireBucket(bucket);
    if (!state.index.get(key)) return undefined;
    return this.write(
      state,
      bucket,
      key,
      async () => undefined,
      async () => {
        const current = state.index.get(key);
        if (!current) return undefined;
        const attributes = attributesOf(current);
        if ('acl' in change) attributes.acl = change.acl;
        if ('tags' in change) attributes.tags = change.tags;
        const record = buildObjectRecord(current, attributes);
        const { file } = this.layout.objectPath(bucket, key);
        await writeSubresources(this.layout.tmp, this.layout.subresourcesFile(file), {
          generation: record.generation,
          acl: record.acl,
          tags: record.tags,
        });
        state.index.set(record);
        return record;
      },
    );
  }

  createUpload(
    bucket: string,
    key: string,
    initiator: Owner,
    attributes: ObjectAttributes,
  ): Promise<UploadRecord> {
    return this.track(this.multipart.create(bucket, key, initiator, attributes));
  }

  getUpload(bucket: string, uploadId: string): UploadRecord | undefined {
    return this.multipart.get(bucket, uploadId);
  }

  listUploads(bucket: string): UploadRecord[] {
    return this.multipart.list(bucket);
  }

  listParts(bucket: string, uploadId: string): PartRecord[] | undefined {
    return this.multipart.parts(bucket, uploadId);
  }

  stagePart(bucket: string, uploadId: string): Promise<StagedPart> {
    return this.multipart.stagePart(bucket, uploadId);
  }

  completeUpload(
    bucket: string,
    uploadId: string,
    parts: readonly CompletedPart[],
    minPartSize: number,
  ): Promise<CompleteOutcome> {
    return this.track(this.multipart.complete(bucket, uploadId, parts, minPartSize));
  }

  abortUpload(bucket: string, uploadId: string): Promise<boolean> {
    return this.track(this.multipart.abort(bucket, uploadId));
  }

  /** Seals a temp file and moves it into place; the last rename wins, on disk and in the index alike. */
  private async publish(
    bucket: string,
    tmpFile: string,
    record: ObjectRecord,
    seal: () => Promise<void>,
  ): Promise<ObjectRecord> {
    const state = this.requireBucket(bucket);
    return this.write(state, bucket, record.key, seal, async () => {
      const { dir, file } = this.layout.objectPath(bucket, record.key);
      await this.ensureDir(state, dir);
      await rename(tmpFile, file);
      try {
        // The previous version's ACL and tags are stale now (their generation no longer matches).
        await removeSubresources(this.layout.subresourcesFile(file));
        await fsyncDir(dir);
      } finally {
        // The new file is in place either way; the index must say so even if the fsync failed.
        state.index.set(record);
      }
      return record;
    });
  }

  /**
   * Runs `prepare`, then `change` under the key's lock. Counted from the start as a writer of
   * the bucket, so the bucket cannot be deleted under it, and tracked so close() waits for it.
   */
  private async write<T>(
    state: BucketState,
    bucket: string,
    key: string,
    prepare: () => Promise<void>,
    change: () => Promise<T>,
  ): Promise<T> {
    // Sealing (fsync) needs no lock, so commits of one key do it in parallel. Bucket names
    // hold no '/', so lock keys of different buckets cannot collide.
    return this.asWriter(state, () => prepare().then(() => this.objectLocks.run(`${bucket}/${key}`, change)));
  }

  /** Runs `change` counted as a writer of the bucket (which cannot be deleted meanwhile) and tracked for close(). */
  private async asWriter<T>(state: BucketState, change: () => Promise<T>): Promise<T> {
    state.writers++;
    try {
      return await this.track(change());
    } finally {
      state.writers--;
    }
  }

  /** Builds the bucket's directory in tmp/, then renames it into place: it appears whole or not at all. */
  private async createBucketDir(bucket: BucketRecord): Promise<void> {
    const staging = join(this.layout.tmp, `${randomBytes(16).toString('hex')}.bucket`);
    const target = this.layout.bucketDir(bucket.name);
    try {
      await mkdir(this.layout.objectsDir(staging), { recursive: true });
      await writeBucketFile(this.layout.bucketRecord(staging), bucket);
      await fsyncDir(staging);
      await rename(staging, target);
    } catch (error) {
      await rm(staging, { recursive: true, force: true });
      if (isErrno(error, 'ENOTEMPTY', 'EEXIST')) {
        throw new Error(
          `${target} already exists but is not a bucket the store loaded (see its warnings at startup)`,
        );
      }
      throw error;
    }
    await fsyncDir(this.layout.buckets);
  }

  /** Creates a fan-out directory once, durably, even when several commits need it at the same time. */
  private async ensureDir(state: BucketState, dir: string): Promise<void> {
    let ready = state.dirs.get(dir);
    if (!ready) {
      ready = mkdir(dir, { recursive: true }).then((created) =>
        created ? fsyncDir(dirname(dir)) : undefined,
      );
      state.dirs.set(dir, ready);
      ready.catch(() => state.dirs.delete(dir));
    }
    await ready;
  }

  private requireOpen(): void {
    if (this.state !== 'open') {
      throw new Error(`the S3 store is ${this.state === 'closed' ? 'closed' : 'not open'}`);
    }
  }

  private requireBucket(bucket: string): BucketState {
    this.requireOpen();
    const state = this.buckets.get(bucket);
    if (!state) throw new NoSuchBucketError(bucket);
    return state;
  }

  private track<T>(operation: Promise<T>): Promise<T> {
    this.inFlight.add(operation);
    const forget = () => this.inFlight.delete(operation);
    operation.then(forget, forget);
    return operation;
  }
}
