import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createLogger, type Logger } from '../../../../lib/log';
import type { Owner } from '../identity';
import { BucketIndex } from './bucket-index';
import { writeBucketFile } from './bucket-file';
import { newBucketState, type BucketState } from './bucket-state';
import { DataDirLock } from './data-dir-lock';
import { fsyncDir, isErrno } from './durable';
import { KeyedMutex } from './keyed-mutex';
import { Layout } from './layout';
import { clearTmp, loadBuckets } from './loader';
import { Multipart } from './multipart';
import { validateBucketName } from './names';
import { NoSuchBucketError } from './no-such-bucket';
import { writeMarkerFile } from './marker-file';
import { ObjectCache } from './object-cache';
import { BufferedObject, openObjectFile } from './opened-object';
import { attributesOf, buildBucketRecord, buildDeleteMarker, buildObjectRecord } from './records';
import { stageObject, type DiskStagedObject, type VersionFacts } from './staged-object';
import { removeSubresources, writeSubresources } from './subresources-file';
import {
  isDeleteMarker,
  NULL_VERSION_ID,
  type BucketRecord,
  type CompletedPart,
  type CompleteOutcome,
  type DeleteMarkerRecord,
  type DeleteOutcome,
  type Grant,
  type ListQuery,
  type ListResult,
  type ObjectAttributes,
  type ObjectRecord,
  type ObjectStore,
  type ObjectSubresources,
  type OpenedObject,
  type PartRecord,
  type StagedPart,
  type UploadRecord,
  type VersioningStatus,
  type VersionListQuery,
  type VersionListResult,
  type VersionRecord,
} from './types';
import { newVersionId, SequenceClock } from './version-ids';

/** Tuning of a DiskStore. */
export interface DiskStoreOptions {
  /** What the in-memory copies of small objects (64 KiB and under) may add up to; 0 keeps none. Default 32 MiB. */
  objectCacheBytes?: number;
}

/**
 * The embedded S3's storage: one directory per bucket, one file per object version or delete
 * marker (bytes + record), each published by a single rename() and removed by a single unlink();
 * an in-memory index of every record serves lookups and listings. See docs/storage-layout.md.
 * One DiskStore per data directory at a time.
 */
export class DiskStore implements ObjectStore {
  private readonly layout: Layout;
  private readonly buckets = new Map<string, BucketState>();
  private readonly bucketLocks = new KeyedMutex();
  // Serialises rename + index update per key, so the index always ends as the disk does.
  private readonly objectLocks = new KeyedMutex();
  // Small objects' bytes, so that reading them again needs no file system call. See openObject.
  private readonly cache: ObjectCache;
  private readonly multipart: Multipart;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly clock = new SequenceClock();
  private lock: DataDirLock | undefined;
  private state: 'new' | 'opening' | 'open' | 'closed' = 'new';

  constructor(
    dataDir: string,
    private readonly log: Logger = createLogger('warn'),
    options: DiskStoreOptions = {},
  ) {
    this.layout = new Layout(dataDir);
    this.cache = new ObjectCache(options.objectCacheBytes);
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
      // Before anything is cleared: tmp/ of a directory in use holds another store's writes.
      this.lock = await DataDirLock.acquire(this.layout.root, this.log);
      await clearTmp(this.layout, this.log);
      for (const { record, objects, uploads } of await loadBuckets(this.layout, this.log)) {
        const loaded = uploads.map((u) => ({
          record: u.record,
          parts: new Map(u.parts.map((p) => [p.partNumber, p])),
        }));
        for (const version of objects) this.clock.observe(version.sequence);
        this.buckets.set(record.name, newBucketState(record, BucketIndex.fromRecords(objects), loaded));
      }
    } catch (error) {
      // Leave it retryable: a half-loaded index must never serve requests.
      this.buckets.clear();
      this.state = 'new';
      await this.lock?.release();
      this.lock = undefined;
      throw error;
    }
    this.state = 'open';
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    await Promise.allSettled([...this.inFlight]);
    this.buckets.clear();
    this.cache.clear();
    await this.lock?.release();
    this.lock = undefined;
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

  updateBucketAcl(name: string, acl: readonly Grant[]): Promise<BucketRecord | undefined> {
    return this.updateBucket(name, (record) => ({ ...record, acl }));
  }

  setBucketVersioning(
    name: string,
    status: VersioningStatus,
    mfaDelete?: 'Disabled',
  ): Promise<BucketRecord | undefined> {
    return this.updateBucket(name, (record) => ({
      ...record,
      versioning: status,
      ...(mfaDelete === undefined ? {} : { mfaDelete }),
    }));
  }

  /** Replaces a bucket's record: a new bucket.json written aside and renamed over the old one. */
  private async updateBucket(
    name: string,
    change: (record: BucketRecord) => BucketRecord,
  ): Promise<BucketRecord | undefined> {
    this.requireOpen();
    return this.track(
      this.bucketLocks.run(name, async () => {
        const state = this.buckets.get(name);
        if (!state) return undefined;
        const record = buildBucketRecord(change(state.record));
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

  getVersion(bucket: string, key: string, versionId?: string): VersionRecord | undefined {
    const { index } = this.requireBucket(bucket);
    return versionId === undefined ? index.latest(key) : index.getVersion(key, versionId);
  }

  async openObject(
    bucket: string,
    key: string,
    versionId?: string,
  ): Promise<OpenedObject | DeleteMarkerRecord | undefined> {
    const state = this.requireBucket(bucket);
    const lockKey = `${bucket}/${key}`;
    // A version removed between the lookup and the open is looked up again: the latest is then another.
    for (let attempt = 0; attempt < 3; attempt++) {
      const version =
        versionId === undefined ? state.index.latest(key) : state.index.getVersion(key, versionId);
      if (!version) return undefined;
      if (isDeleteMarker(version)) return version;
      // Kept bytes are served only while no write of the key is under way: the index and the
      // disk then agree, and the entry is of the very file the index names (its generation and
      // sequence are that file's), so this is what reading the file would give, record included.
      const kept = this.objectLocks.busy(lockKey) ? undefined : this.cache.get(bucket, version);
      if (kept) return new BufferedObject(version, kept);
      // The index holds the latest ACL and tags of the versions it knows; the footer those at upload.
      const opened = await openObjectFile(
        this.layout.objectPath(bucket, key, version.versionId).file,
        (footer) => {
          const known = state.index.getVersion(key, footer.versionId);
          return known && !isDeleteMarker(known) && known.generation === footer.generation ? known : footer;
        },
      );
      if (!opened) continue;
      const held = isDeleteMarker(opened) ? opened.key : opened.record.key;
      if (held !== key) {
        if (!isDeleteMarker(opened)) await opened.close();
        throw new Error(`the object file of ${JSON.stringify(key)} holds ${JSON.stringify(held)}`);
      }
      if (!isDeleteMarker(opened) && opened.body)
        this.keep(state, bucket, lockKey, opened.record, opened.body);
      return opened;
    }
    return undefined;
  }

  /**
   * Keeps bytes just read for `record`'s version if the file they came from is still the one the
   * index names, with no write of the key under way (one that finished meanwhile changed the
   * index's generation or sequence for the version, or removed it).
   */
  private keep(
    state: BucketState,
    bucket: string,
    lockKey: string,
    record: ObjectRecord,
    body: Buffer,
  ): void {
    if (this.objectLocks.busy(lockKey)) return;
    const known = state.index.getVersion(record.key, record.versionId);
    if (
      known &&
      !isDeleteMarker(known) &&
      known.generation === record.generation &&
      known.sequence === record.sequence &&
      this.buckets.get(bucket) === state
    ) {
      this.cache.set(bucket, known, body);
    }
  }

  /** `md5: false` is for writers that set the ETag themselves (CompleteMultipartUpload): hashing GiBs for nothing is slow. */
  async stageObject(bucket: string, md5 = true): Promise<DiskStagedObject> {
    this.requireBucket(bucket);
    return stageObject(
      this.layout.tmp,
      (tmpFile, key, build, seal) => this.publish(bucket, tmpFile, key, build, seal),
      md5,
    );
  }

  async deleteObject(bucket: string, key: string, versionId?: string, owner?: Owner): Promise<DeleteOutcome> {
    const state = this.requireBucket(bucket);
    const status = state.record.versioning;
    if (versionId !== undefined || status === undefined) {
      // A version removed for good; in a bucket that never had versioning, the only (null) one.
      const target = versionId ?? NULL_VERSION_ID;
      if (!state.index.getVersion(key, target)) return {};
      return this.write(state, bucket, key, noPreparation, async () => {
        const removed = await this.removeVersion(state, bucket, key, target);
        return removed ? { removed } : {};
      });
    }
    // Versioned: a delete marker becomes the latest version (Suspended: the null one, replacing the null version).
    const marker = buildDeleteMarker({
      key,
      versionId: status === 'Enabled' ? newVersionId() : NULL_VERSION_ID,
      sequence: this.clock.next(),
      lastModified: Date.now(),
      owner: owner ?? state.record.owner,
    });
    let tmpFile = '';
    return this.write(
      state,
      bucket,
      key,
      async () => {
        tmpFile = await writeMarkerFile(this.layout.tmp, marker);
      },
      async () => {
        const replaced =
          marker.versionId === NULL_VERSION_ID ? state.index.getVersion(key, NULL_VERSION_ID) : undefined;
        await this.placeVersion(state, bucket, tmpFile, marker).catch(async (error: unknown) => {
          await unlink(tmpFile).catch(() => undefined);
          throw error;
        });
        return replaced ? { removed: replaced, marker } : { marker };
      },
    );
  }

  listObjects(bucket: string, query: ListQuery): ListResult {
    return this.requireBucket(bucket).index.list(query);
  }

  listVersions(bucket: string, query: VersionListQuery): VersionListResult {
    return this.requireBucket(bucket).index.listVersions(query);
  }

  async updateObject(
    bucket: string,
    key: string,
    change: ObjectSubresources,
    versionId?: string,
  ): Promise<ObjectRecord | undefined> {
    const state = this.requireBucket(bucket);
    const find = () => {
      const version =
        versionId === undefined ? state.index.latest(key) : state.index.getVersion(key, versionId);
      return version && !isDeleteMarker(version) ? version : undefined;
    };
    if (!find()) return undefined;
    return this.write(state, bucket, key, noPreparation, async () => {
      const current = find();
      if (!current) return undefined;
      const attributes = attributesOf(current);
      if ('acl' in change) attributes.acl = change.acl;
      if ('tags' in change) attributes.tags = change.tags;
      const record = buildObjectRecord(current, attributes);
      const { file } = this.layout.objectPath(bucket, key, current.versionId);
      // The bytes stay valid (kept bytes carry no ACL or tags), but forgetting is cheap and plain.
      this.cache.forget(bucket, key, current.versionId);
      await writeSubresources(this.layout.tmp, this.layout.subresourcesFile(file), {
        generation: record.generation,
        acl: record.acl,
        tags: record.tags,
      });
      state.index.set(record);
      return record;
    });
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

  /**
   * Decides the version a commit creates (from the bucket's versioning state), seals the temp file
   * with its record and moves it into place; the last rename wins, on disk and in the index alike.
   */
  private async publish(
    bucket: string,
    tmpFile: string,
    key: string,
    build: (version: VersionFacts) => ObjectRecord,
    seal: (record: ObjectRecord) => Promise<void>,
  ): Promise<ObjectRecord> {
    const state = this.requireBucket(bucket);
    const versionId = state.record.versioning === 'Enabled' ? newVersionId() : NULL_VERSION_ID;
    const record = build({ versionId, sequence: this.clock.next() });
    return this.write(
      state,
      bucket,
      key,
      () => seal(record),
      async () => {
        await this.placeVersion(state, bucket, tmpFile, record);
        return record;
      },
    );
  }

  /**
   * Renames a sealed version file into place (over the null version's file for a null version)
   * and records it; called under the key's lock.
   */
  private async placeVersion(
    state: BucketState,
    bucket: string,
    tmpFile: string,
    version: VersionRecord,
  ): Promise<void> {
    const { dir, file } = this.layout.objectPath(bucket, version.key, version.versionId);
    await this.ensureDir(state, dir);
    this.cache.forget(bucket, version.key, version.versionId);
    await rename(tmpFile, file);
    try {
      // A replaced null version's ACL and tags are stale now (their generation no longer matches).
      await removeSubresources(this.layout.subresourcesFile(file));
      await fsyncDir(dir);
    } finally {
      // The new file is in place either way; the index must say so even if the fsync failed.
      state.index.set(version);
    }
  }

  /** Unlinks one version's file (and its ACL/tags file) and forgets it; called under the key's lock. */
  private async removeVersion(
    state: BucketState,
    bucket: string,
    key: string,
    versionId: string,
  ): Promise<VersionRecord | undefined> {
    const version = state.index.getVersion(key, versionId);
    if (!version) return undefined;
    const { dir, file } = this.layout.objectPath(bucket, key, versionId);
    this.cache.forget(bucket, key, versionId);
    try {
      await unlink(file);
    } catch (error) {
      if (!isErrno(error, 'ENOENT')) throw error;
    }
    try {
      await removeSubresources(this.layout.subresourcesFile(file));
      await fsyncDir(dir);
    } finally {
      state.index.delete(key, versionId);
    }
    return version;
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

async function noPreparation(): Promise<void> {}
