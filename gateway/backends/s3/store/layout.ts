import { join } from 'node:path';
import { objectFileName } from './names';

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

  /** The file of `key`: objects/<first 2 hex digits>/<SHA-256 of the key in hex>. */
  objectPath(bucket: string, key: string): { dir: string; file: string } {
    const name = objectFileName(key);
    const dir = join(this.objectsDir(this.bucketDir(bucket)), name.slice(0, 2));
    return { dir, file: join(dir, name) };
  }
}
