import type { Readable, Writable } from 'node:stream';
import type { Owner } from '../identity';

/** A bucket as the store keeps it. */
export interface BucketRecord {
  name: string;
  owner: Owner;
  /** Milliseconds since the epoch. */
  creationDate: number;
  /** The LocationConstraint given at creation; '' means us-east-1 (no constraint). */
  locationConstraint: string;
}

/** Everything S3 returns about an object besides its bytes. */
export interface ObjectRecord {
  key: string;
  size: number;
  /** Unquoted: lower-case hex MD5 of the bytes (or the multipart form `md5-N`). */
  etag: string;
  /** Milliseconds since the epoch. */
  lastModified: number;
  owner: Owner;
  /**
   * Stored representation headers, lower-case names: content-type, content-encoding,
   * content-disposition, content-language, cache-control, expires. Values verbatim.
   */
  headers: Record<string, string>;
  /** User metadata with lower-case full header names (`x-amz-meta-color`), values verbatim (latin-1 strings as Node gives them). */
  metadata: Record<string, string>;
  /** Verified flexible checksums by algorithm name in upper case (CRC32, SHA256, ...): base64 values. */
  checksums: Record<string, string>;
  storageClass: string;
}

/** What a caller supplies when committing an object; size and etag come from the written bytes. */
export type ObjectAttributes = Omit<ObjectRecord, 'key' | 'size' | 'etag' | 'lastModified'>;

/**
 * A staged write: bytes go to a temporary file; nothing is visible until commit.
 * The caller pipes the body into `stream`, waits for it to finish, checks digests, then commits or aborts.
 */
export interface StagedObject {
  readonly stream: Writable;
  /** Bytes written so far. */
  readonly size: number;
  /** MD5 of the bytes written; valid once `stream` has finished. */
  md5(): Buffer;
  /**
   * Durably publish the staged bytes as `key` in the bucket (atomic replace). Rejects (and
   * discards the staged bytes) when the stream has not finished, the key is empty, not valid
   * Unicode or over 1024 UTF-8 bytes, or the bucket was deleted meanwhile (NoSuchBucketError).
   */
  commit(key: string, attributes: ObjectAttributes): Promise<ObjectRecord>;
  /** Discard the staged bytes. Safe to call more than once, and after a failed commit. */
  abort(): Promise<void>;
}

/** An object opened for reading: its record and its bytes, from one consistent version. */
export interface OpenedObject {
  readonly record: ObjectRecord;
  /**
   * Stream bytes [start, end] inclusive (defaults: the whole object; `end` is clamped to the last
   * byte, start > end gives an empty stream). Call at most once. Closes the object when the
   * stream ends, fails or is destroyed.
   */
  createReadStream(start?: number, end?: number): Readable;
  /** Release the file handle without reading (e.g. HEAD, 304, 412). */
  close(): Promise<void>;
}

export interface ListQuery {
  prefix: string;
  /**
   * Only keys strictly greater than this (byte order) are listed. With a delimiter, an `after`
   * inside a common prefix (or equal to one) skips every key under that prefix.
   */
  after: string;
  /** '' means none. */
  delimiter: string;
  maxKeys: number;
}

export interface ListResult {
  /** In key order, interleaved logically with commonPrefixes; `entries` keeps the order returned. */
  entries: Array<{ kind: 'object'; record: ObjectRecord } | { kind: 'prefix'; prefix: string }>;
  isTruncated: boolean;
  /** The last key or common prefix returned (the resume point: pass it as `after`); '' when none was. */
  last: string;
}

/**
 * The storage engine behind the S3 protocol layer. It knows nothing of HTTP or XML.
 * Object operations on a bucket that does not exist throw (the protocol layer checks first).
 * Records it returns are shared with its index and frozen: copy before changing.
 */
export interface ObjectStore {
  /** Prepare the data directory and load what it holds (cleaning up interrupted writes). */
  open(): Promise<void>;
  close(): Promise<void>;

  listBuckets(): BucketRecord[];
  getBucket(name: string): BucketRecord | undefined;
  /** Creates the bucket; if the name is taken, returns the existing record and creates nothing. */
  createBucket(record: BucketRecord): Promise<{ created: boolean; bucket: BucketRecord }>;
  /** 'missing' | 'not-empty' | 'deleted'. */
  deleteBucket(name: string): Promise<'missing' | 'not-empty' | 'deleted'>;

  getObjectRecord(bucket: string, key: string): ObjectRecord | undefined;
  openObject(bucket: string, key: string): Promise<OpenedObject | undefined>;
  stageObject(bucket: string): Promise<StagedObject>;
  /** true when something was deleted. */
  deleteObject(bucket: string, key: string): Promise<boolean>;
  listObjects(bucket: string, query: ListQuery): ListResult;
}
