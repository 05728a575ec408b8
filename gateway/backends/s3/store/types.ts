import type { Readable, Writable } from 'node:stream';
import type { Owner } from '../identity';

/** An ACL permission. */
export type Permission = 'FULL_CONTROL' | 'WRITE' | 'WRITE_ACP' | 'READ' | 'READ_ACP';

/** Who a grant is for: a canonical user (e-mail grantees are resolved to one) or a predefined group. */
export type Grantee =
  { type: 'CanonicalUser'; id: string; displayName: string } | { type: 'Group'; uri: string };

/** One entry of an access control list. */
export interface Grant {
  grantee: Grantee;
  permission: Permission;
}

/** One object tag. */
export interface Tag {
  key: string;
  value: string;
}

/** A bucket as the store keeps it. */
export interface BucketRecord {
  name: string;
  owner: Owner;
  /** Milliseconds since the epoch. */
  creationDate: number;
  /** The LocationConstraint given at creation; '' means us-east-1 (no constraint). */
  locationConstraint: string;
  /** The bucket's ACL; absent means private (the owner's FULL_CONTROL only). */
  acl?: readonly Grant[];
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
  /** The object's ACL; absent means private (the owner's FULL_CONTROL only). */
  acl?: readonly Grant[];
  /** Object tags; absent means none. */
  tags?: readonly Tag[];
  /** Sizes of the parts of an object assembled by CompleteMultipartUpload, in order. */
  parts?: readonly number[];
  /**
   * Random, unique to this stored version of the object: changes to its ACL or tags (kept beside
   * the object file, see docs/storage-layout.md) name the version they apply to.
   */
  generation: string;
}

/** What a caller supplies when committing an object; size, etag and the rest come from the store. */
export type ObjectAttributes = Omit<
  ObjectRecord,
  'key' | 'size' | 'etag' | 'lastModified' | 'parts' | 'generation'
>;

/** The ACL and tags of an object: what can change without rewriting it. */
export interface ObjectSubresources {
  acl?: readonly Grant[];
  tags?: readonly Tag[];
}

/** A multipart upload in progress. */
export interface UploadRecord {
  uploadId: string;
  /** The key the object will have. */
  key: string;
  /** Milliseconds since the epoch. */
  initiated: number;
  /** Who started it; also the owner of the object it becomes. */
  initiator: Owner;
  /** Headers, metadata, storage class, ACL and tags for the object it becomes. */
  attributes: ObjectAttributes;
}

/** An uploaded part of a multipart upload. */
export interface PartRecord {
  partNumber: number;
  size: number;
  /** Unquoted lower-case hex MD5 of the part. */
  etag: string;
  /** Milliseconds since the epoch. */
  lastModified: number;
  /** Verified flexible checksums of the part (base64 by algorithm). */
  checksums: Record<string, string>;
}

/** A part as CompleteMultipartUpload lists it. */
export interface CompletedPart {
  partNumber: number;
  /** Unquoted. */
  etag: string;
}

/** How CompleteMultipartUpload went; the protocol layer turns refusals into S3 errors. */
export type CompleteOutcome =
  | { kind: 'completed'; record: ObjectRecord }
  | { kind: 'no-such-upload' }
  | { kind: 'invalid-part'; partNumber: number; etag: string }
  | { kind: 'too-small'; partNumber: number; size: number; etag: string };

/**
 * The writing side of a staged write: bytes go to a temporary file; nothing is visible until the
 * owner commits. The caller pipes the body into `stream`, waits for it to finish, checks digests,
 * then commits or aborts.
 */
export interface StagedBody {
  readonly stream: Writable;
  /** Bytes written so far. */
  readonly size: number;
  /** MD5 of the bytes written; valid once `stream` has finished. */
  md5(): Buffer;
  /** Discard the staged bytes. Safe to call more than once, and after a failed commit. */
  abort(): Promise<void>;
}

/** A staged object write. */
export interface StagedObject extends StagedBody {
  /**
   * Durably publish the staged bytes as `key` in the bucket (atomic replace). Rejects (and
   * discards the staged bytes) when the stream has not finished, the key is empty, not valid
   * Unicode or over 1024 UTF-8 bytes, or the bucket was deleted meanwhile (NoSuchBucketError).
   */
  commit(key: string, attributes: ObjectAttributes): Promise<ObjectRecord>;
}

/** A staged part write; nothing is visible until commit. */
export interface StagedPart extends StagedBody {
  /**
   * Durably make the staged bytes part `partNumber` of the upload (replacing an earlier upload of
   * that number). Rejects with NoSuchUploadError when the upload was completed or aborted meanwhile.
   */
  commit(partNumber: number, checksums: Record<string, string>): Promise<PartRecord>;
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

/** One page of a listing to compute. */
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

/** One page of a listing. */
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
  /**
   * Durably replaces the ACL and/or tags (those given) of the current version of `key`, without
   * rewriting its bytes. Undefined when there is no such object.
   */
  updateObject(bucket: string, key: string, change: ObjectSubresources): Promise<ObjectRecord | undefined>;
  /** Durably replaces a bucket's ACL; undefined when there is no such bucket. */
  updateBucketAcl(name: string, acl: readonly Grant[]): Promise<BucketRecord | undefined>;

  /** Starts a multipart upload of `key`. */
  createUpload(
    bucket: string,
    key: string,
    initiator: Owner,
    attributes: ObjectAttributes,
  ): Promise<UploadRecord>;
  getUpload(bucket: string, uploadId: string): UploadRecord | undefined;
  /** Uploads in progress, by key (byte order), then upload id (which orders by initiation). */
  listUploads(bucket: string): UploadRecord[];
  /** The parts uploaded so far, by part number; undefined when there is no such upload. */
  listParts(bucket: string, uploadId: string): PartRecord[] | undefined;
  /** Starts writing a part; rejects with NoSuchUploadError when there is no such upload. */
  stagePart(bucket: string, uploadId: string): Promise<StagedPart>;
  /**
   * Checks the listed parts (uploaded, same ETag, all but the last at least `minPartSize` bytes),
   * concatenates them into the object and publishes it atomically; the upload is gone afterwards.
   * Part numbers must already be ascending.
   */
  completeUpload(
    bucket: string,
    uploadId: string,
    parts: readonly CompletedPart[],
    minPartSize: number,
  ): Promise<CompleteOutcome>;
  /** Discards an upload and its parts; false when there is no such upload. */
  abortUpload(bucket: string, uploadId: string): Promise<boolean>;
}
