import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Logger } from '../../../../lib/log';
import type { Owner } from '../identity';
import type { BucketState, UploadState } from './bucket-state';
import { fsyncDir } from './durable';
import { compareKeys } from './key-order';
import type { KeyedMutex } from './keyed-mutex';
import type { Layout } from './layout';
import { objectKeyProblem } from './names';
import { NoSuchUploadError } from './no-such-upload';
import { buildUploadRecord } from './records';
import type { DiskStagedObject } from './staged-object';
import { stagePart } from './staged-part';
import type {
  CompletedPart,
  CompleteOutcome,
  ObjectAttributes,
  PartRecord,
  StagedPart,
  UploadRecord,
} from './types';
import { writeUploadFile } from './upload-files';

/** What the multipart code needs from the store it belongs to. */
export interface MultipartHost {
  readonly layout: Layout;
  readonly log: Logger;
  /** One lock per upload: part commits, completion and abort of an upload never interleave. */
  readonly uploadLocks: KeyedMutex;
  requireBucket(bucket: string): BucketState;
  /** A staged object that computes no MD5: the multipart ETag is made from the parts'. */
  stageObject(bucket: string): Promise<DiskStagedObject>;
  /** Runs `change` counted as a writer of the bucket (which then cannot be deleted) and tracked for close(). */
  asWriter<T>(state: BucketState, change: () => Promise<T>): Promise<T>;
}

let lastIdTime = 0;

/**
 * Upload ids sort by creation (12 hex digits of milliseconds, never repeated within a process, so
 * ListMultipartUploads orders the uploads of one key by initiation), then 20 random hex digits.
 */
function newUploadId(now: number): string {
  lastIdTime = Math.max(now, lastIdTime + 1);
  return lastIdTime.toString(16).padStart(12, '0') + randomBytes(10).toString('hex');
}

/** Multipart uploads on disk (docs/storage-layout.md): one directory per upload, one file per part. */
export class Multipart {
  constructor(private readonly host: MultipartHost) {}

  /** Builds the upload's directory in tmp/ and renames it into uploads/: it appears whole or not at all. */
  async create(
    bucket: string,
    key: string,
    initiator: Owner,
    attributes: ObjectAttributes,
  ): Promise<UploadRecord> {
    const problem = objectKeyProblem(key);
    if (problem) throw new Error(`cannot start the upload: ${problem}`);
    const state = this.host.requireBucket(bucket);
    const initiated = Date.now();
    const record = buildUploadRecord({
      uploadId: newUploadId(initiated),
      key,
      initiated,
      initiator,
      attributes,
    });
    const { layout } = this.host;
    const staging = join(layout.tmp, `${randomBytes(16).toString('hex')}.upload`);
    try {
      await mkdir(staging);
      await writeUploadFile(layout.uploadRecord(staging), record);
      await fsyncDir(staging);
      await this.host.asWriter(state, async () => {
        const uploads = layout.uploadsDir(bucket);
        if (await mkdir(uploads, { recursive: true })) await fsyncDir(layout.bucketDir(bucket));
        await rename(staging, layout.uploadDir(bucket, record.uploadId));
        await fsyncDir(uploads);
        state.uploads.set(record.uploadId, { record, parts: new Map() });
      });
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    return record;
  }

  get(bucket: string, uploadId: string): UploadRecord | undefined {
    return this.host.requireBucket(bucket).uploads.get(uploadId)?.record;
  }

  list(bucket: string): UploadRecord[] {
    return [...this.host.requireBucket(bucket).uploads.values()]
      .map((u) => u.record)
      .sort(
        (a, b) =>
          compareKeys(a.key, b.key) || (a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : 0),
      );
  }

  parts(bucket: string, uploadId: string): PartRecord[] | undefined {
    const upload = this.host.requireBucket(bucket).uploads.get(uploadId);
    return upload && [...upload.parts.values()].sort((a, b) => a.partNumber - b.partNumber);
  }

  async stagePart(bucket: string, uploadId: string): Promise<StagedPart> {
    const state = this.host.requireBucket(bucket);
    if (!state.uploads.has(uploadId)) throw new NoSuchUploadError(uploadId);
    const { layout } = this.host;
    return stagePart(layout.tmp, async (tmpFile, part, seal) => {
      // Sealing (fsync) needs no lock, so the parts of one upload are made durable in parallel.
      await seal();
      return this.host.asWriter(state, () =>
        this.host.uploadLocks.run(uploadId, async () => {
          // Also gone when its bucket was deleted (and maybe re-created) since the part started.
          const upload = this.host.requireBucket(bucket) === state ? state.uploads.get(uploadId) : undefined;
          if (!upload) throw new NoSuchUploadError(uploadId);
          const dir = layout.uploadDir(bucket, uploadId);
          await rename(tmpFile, layout.partFile(dir, part.partNumber));
          try {
            await fsyncDir(dir);
          } finally {
            upload.parts.set(part.partNumber, part);
          }
          return part;
        }),
      );
    });
  }

  async abort(bucket: string, uploadId: string): Promise<boolean> {
    const state = this.host.requireBucket(bucket);
    return this.host.uploadLocks.run(uploadId, async () => {
      const upload = state.uploads.get(uploadId);
      if (!upload) return false;
      await this.discard(bucket, state, upload);
      return true;
    });
  }

  /**
   * Validates the listed parts, streams them one after another into a staged object and publishes
   * it; then the upload is removed. Holding the upload's lock throughout, no part can change and no
   * second completion or abort can start meanwhile.
   */
  async complete(
    bucket: string,
    uploadId: string,
    listed: readonly CompletedPart[],
    minPartSize: number,
  ): Promise<CompleteOutcome> {
    const state = this.host.requireBucket(bucket);
    return this.host.uploadLocks.run(uploadId, async () => {
      const upload = this.host.requireBucket(bucket) === state ? state.uploads.get(uploadId) : undefined;
      if (!upload) return { kind: 'no-such-upload' };
      const chosen: PartRecord[] = [];
      for (const { partNumber, etag } of listed) {
        const part = upload.parts.get(partNumber);
        if (!part || part.etag !== etag) return { kind: 'invalid-part', partNumber, etag };
        chosen.push(part);
      }
      const small = chosen.slice(0, -1).find((p) => p.size < minPartSize);
      if (small)
        return { kind: 'too-small', partNumber: small.partNumber, size: small.size, etag: small.etag };

      const dir = this.host.layout.uploadDir(bucket, uploadId);
      const staged = await this.host.stageObject(bucket);
      try {
        await pipeline(
          Readable.from(
            concatenate(chosen.map((p) => [this.host.layout.partFile(dir, p.partNumber), p.size])),
          ),
          staged.stream,
        );
      } catch (error) {
        await staged.abort();
        throw error;
      }
      // S3's multipart ETag: MD5 of the parts' binary MD5s, then the number of parts.
      const md5s = Buffer.concat(chosen.map((p) => Buffer.from(p.etag, 'hex')));
      const etag = `${createHash('md5').update(md5s).digest('hex')}-${chosen.length}`;
      const record = await staged.commit(upload.record.key, upload.record.attributes, {
        etag,
        parts: chosen.map((p) => p.size),
        uploadId,
      });
      // The object is published. A crash before the upload is gone leaves it listed after restart;
      // completing it again publishes the same object again (S3 itself sometimes answers 200 twice).
      await this.discard(bucket, state, upload).catch((error: unknown) =>
        this.host.log.warn(`s3 store: could not remove completed upload ${uploadId}: ${String(error)}`),
      );
      return { kind: 'completed', record };
    });
  }

  /** Forgets an upload and renames its directory into tmp/ (gone at once), then removes it. */
  private async discard(bucket: string, state: BucketState, upload: UploadState): Promise<void> {
    const { layout } = this.host;
    const { uploadId } = upload.record;
    state.uploads.delete(uploadId);
    const grave = join(layout.tmp, `${randomBytes(16).toString('hex')}.deleted`);
    try {
      await rename(layout.uploadDir(bucket, uploadId), grave);
    } catch (error) {
      state.uploads.set(uploadId, upload);
      throw error;
    }
    await fsyncDir(layout.uploadsDir(bucket));
    await rm(grave, { recursive: true, force: true }).catch((error: unknown) =>
      this.host.log.warn(`s3 store: could not remove ${grave}: ${String(error)}`),
    );
  }
}

/** The bytes of the given part files, in order, read in large blocks. */
async function* concatenate(files: Array<[string, number]>): AsyncGenerator<Buffer> {
  for (const [file, size] of files) {
    if (size === 0) continue;
    const handle = await open(file, 'r');
    try {
      // The footer follows the part's bytes in the same file: stop before it.
      yield* handle.createReadStream({
        start: 0,
        end: size - 1,
        autoClose: false,
        highWaterMark: 1024 * 1024,
      });
    } finally {
      await handle.close();
    }
  }
}
