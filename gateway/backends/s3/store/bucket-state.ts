import type { BucketIndex } from './bucket-index';
import type { BucketRecord, PartRecord, UploadRecord } from './types';

/** A multipart upload in memory: its record and the parts uploaded so far, by number. */
export interface UploadState {
  readonly record: UploadRecord;
  readonly parts: Map<number, PartRecord>;
}

/** Everything the store keeps in memory about one bucket. */
export interface BucketState {
  /** Replaced (never mutated) when the bucket's ACL changes. */
  record: BucketRecord;
  readonly index: BucketIndex;
  readonly uploads: Map<string, UploadState>;
  /** Fan-out directories created (and made durable) or being created in this process. */
  readonly dirs: Map<string, Promise<void>>;
  /** Commits and deletes in progress: a bucket with any is not empty yet. */
  writers: number;
}

/** The in-memory state of a bucket loaded from disk or just created. */
export function newBucketState(
  record: BucketRecord,
  index: BucketIndex,
  uploads: Iterable<UploadState> = [],
): BucketState {
  return {
    record,
    index,
    uploads: new Map([...uploads].map((u) => [u.record.uploadId, u])),
    dirs: new Map(),
    writers: 0,
  };
}
