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
  /** Absent until PutBucketVersioning first sets it; a bucket never goes back to unversioned. */
  versioning?: VersioningStatus;
  /** As last given to PutBucketVersioning (only 'Disabled' is accepted); absent when never given. */
  mfaDelete?: 'Disabled';
}

/** A bucket's versioning state once configured. */
export type VersioningStatus = 'Enabled' | 'Suspended';

/** The version id of the null version: what unversioned and versioning-suspended writes create. */
export const NULL_VERSION_ID = 'null';

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
   * The multipart upload this version was assembled by: a CompleteMultipartUpload repeated with
   * the same parts answers with this version again.
   */
  uploadId?: string;
  /**
   * Random, unique to this stored version of the object: changes to its ACL or tags (kept beside
   * the object file, see docs/storage-layout.md) name the version they apply to.
   */
  generation: string;
  /** `null` (NULL_VERSION_ID) for the null version, else the id S3 returns as x-amz-version-id. */
  versionId: string;
  /** Orders the versions of a key: the highest is the latest. Unique within a store. */
  sequence: number;
}

/** A delete marker: a version without bytes that makes a key look deleted while it is the latest. */
export interface DeleteMarkerRecord {
  key: string;
  versionId: string;
  sequence: number;
  /** Milliseconds since the epoch. */
  lastModified: number;
  /** Who deleted (the bucket's owner for an anonymous request). */
  owner: Owner;
  deleteMarker: true;
}

/** One version of a key: an object version or a delete marker. */
export type VersionRecord = ObjectRecord | DeleteMarkerRecord;

/** True when a version (or what openObject gave) is a delete marker. */
export function isDeleteMarker<T extends object>(value: T | DeleteMarkerRecord): value is DeleteMarkerRecord {
  return 'deleteMarker' in value;
}

/** What a caller supplies when committing an object; size, etag and the rest come from the store. */
export type ObjectAttributes = Omit<
  ObjectRecord,
  'key' | 'size' | 'etag' | 'lastModified' | 'parts' | 'uploadId' | 'generation' | 'versionId' | 'sequence'
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
   * All of the object's bytes when they were small enough to be read into memory (no descriptor
   * is then held, and close() has nothing to release); streaming them works as well.
   */
  readonly body?: Buffer;
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

/** What DeleteObject did: the version it removed and/or the delete marker it added. */
export interface DeleteOutcome {
  removed?: VersionRecord;
  marker?: DeleteMarkerRecord;
}

/** One page of ListObjectVersions to compute. */
export interface VersionListQuery {
  prefix: string;
  /** '' means none. */
  delimiter: string;
  /** Resume after this key: after all its versions, or, with `versionIdMarker`, after that version. */
  keyMarker: string;
  /** '' means none. */
  versionIdMarker: string;
  maxKeys: number;
}

/** One page of ListObjectVersions. */
export interface VersionListResult {
  /** Keys in order, the versions of a key newest first, common prefixes where they sort. */
  entries: Array<
    { kind: 'version'; record: VersionRecord; isLatest: boolean } | { kind: 'prefix'; prefix: string }
  >;
  isTruncated: boolean;
  /** Where the next page starts, when truncated: the last key or prefix returned, and version id when a version. */
  nextKeyMarker: string;
  nextVersionIdMarker: string;
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

  /** The latest version of `key` when it is an object (not a delete marker). */
  getObjectRecord(bucket: string, key: string): ObjectRecord | undefined;
  /** One version of `key` (the latest when `versionId` is undefined), delete markers included. */
  getVersion(bucket: string, key: string, versionId?: string): VersionRecord | undefined;
  /**
   * Opens one version of `key` for reading (the latest when `versionId` is undefined): the object
   * with its bytes, or the delete marker that version is; undefined when there is no such version.
   */
  openObject(
    bucket: string,
    key: string,
    versionId?: string,
  ): Promise<OpenedObject | DeleteMarkerRecord | undefined>;
  /**
   * Stages an object write. Its commit makes it the latest version of the key: a new version in a
   * bucket whose versioning is Enabled, else the null version (replacing any earlier null version).
   */
  stageObject(bucket: string): Promise<StagedObject>;
  /**
   * Without `versionId`: in an unversioned bucket removes the object; with versioning Enabled
   * adds a delete marker; Suspended adds a null delete marker (replacing the null version).
   * With `versionId`: removes that version for good. Removing nothing is not an error.
   */
  deleteObject(bucket: string, key: string, versionId?: string, owner?: Owner): Promise<DeleteOutcome>;
  /** The current objects (delete markers hide their keys). */
  listObjects(bucket: string, query: ListQuery): ListResult;
  /** Every version and delete marker, by key, newest first within a key. */
  listVersions(bucket: string, query: VersionListQuery): VersionListResult;
  /**
   * Durably replaces the ACL and/or tags (those given) of one object version (the latest when
   * `versionId` is undefined), without rewriting its bytes. Undefined when there is no such
   * object version (a delete marker has neither ACL nor tags).
   */
  updateObject(
    bucket: string,
    key: string,
    change: ObjectSubresources,
    versionId?: string,
  ): Promise<ObjectRecord | undefined>;
  /** Durably replaces a bucket's ACL; undefined when there is no such bucket. */
  updateBucketAcl(name: string, acl: readonly Grant[]): Promise<BucketRecord | undefined>;
  /** Durably sets a bucket's versioning state; undefined when there is no such bucket. */
  setBucketVersioning(
    name: string,
    status: VersioningStatus,
    mfaDelete?: 'Disabled',
  ): Promise<BucketRecord | undefined>;

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
