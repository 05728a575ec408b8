import { join } from 'node:path';
import { objectFileName } from './names';
import { NULL_VERSION_ID } from './types';

/**
 * Where everything lives under `<dataDir>/s3/` (documented for users in docs/storage-layout.md).
 * Buckets get their own parent directory because `tmp` is a valid bucket name too.
 */
export class Layout {
  readonly root: string;
  readonly buckets: string;
  readonly tmp: string;
  readonly lostAndFound: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 's3');
    this.buckets = join(this.root, 'buckets');
    this.tmp = join(this.root, 'tmp');
    this.lostAndFound = join(this.root, 'lost+found');
  }

  /** The directory of a (validated) bucket. */
  bucketDir(bucket: string): string {
    return join(this.buckets, bucket);
  }

  /** The bucket record inside a bucket directory. */
  bucketRecord(bucketDir: string): string {
    return join(bucketDir, 'bucket.json');
  }

  /** The directory holding a bucket's object fan-out directories. */
  objectsDir(bucketDir: string): string {
    return join(bucketDir, 'objects');
  }

  /** The directory holding a bucket's multipart uploads in progress (created with the first one). */
  uploadsDir(bucket: string): string {
    return join(this.bucketDir(bucket), 'uploads');
  }

  /** The directory of one multipart upload: its record and its parts. */
  uploadDir(bucket: string, uploadId: string): string {
    return join(this.uploadsDir(bucket), uploadId);
  }

  /** The record of an upload inside its directory. */
  uploadRecord(uploadDir: string): string {
    return join(uploadDir, 'upload.json');
  }

  /** The file of part `partNumber` inside an upload directory: 5 digits, so names sort by number. */
  partFile(uploadDir: string, partNumber: number): string {
    return join(uploadDir, String(partNumber).padStart(5, '0'));
  }

  /**
   * The file of a version of `key`: objects/<first 2 hex digits>/<SHA-256 of the key in hex> for
   * the null version, the same name + `.<version id>` for any other (ids are file-name safe).
   */
  objectPath(
    bucket: string,
    key: string,
    versionId: string = NULL_VERSION_ID,
  ): { dir: string; file: string } {
    const name = objectFileName(key);
    const dir = join(this.objectsDir(this.bucketDir(bucket)), name.slice(0, 2));
    const file = versionId === NULL_VERSION_ID ? name : `${name}.${versionId}`;
    return { dir, file: join(dir, file) };
  }

  /** Where the ACL and tags of an object file live once changed after upload. */
  subresourcesFile(objectFile: string): string {
    return `${objectFile}${SUBRESOURCES_SUFFIX}`;
  }
}

/** Suffix of the file beside an object file holding its current ACL and tags. */
export const SUBRESOURCES_SUFFIX = '.sub';
