import { createHash } from 'node:crypto';

/** S3's limit on the UTF-8 length of an object key. */
export const MAX_KEY_BYTES = 1024;

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IPV4_SHAPED = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
const RESERVED_PREFIXES = ['xn--', 'sthree-', 'amzn-s3-demo-'];
const RESERVED_SUFFIXES = ['-s3alias', '--ol-s3', '.mrap', '--x-s3', '--table-s3'];
// A lone surrogate cannot be encoded as UTF-8, so it would not survive a round trip through disk.
const LONE_SURROGATE = /\p{Surrogate}/u;

/** True when `name` is a valid general-purpose bucket name under current AWS rules. */
export function validateBucketName(name: string): boolean {
  return (
    BUCKET_NAME.test(name) &&
    !name.includes('..') &&
    !IPV4_SHAPED.test(name) &&
    !RESERVED_PREFIXES.some((p) => name.startsWith(p)) &&
    !RESERVED_SUFFIXES.some((s) => name.endsWith(s))
  );
}

/** Why `key` cannot be stored, or undefined when it can. */
export function objectKeyProblem(key: string): string | undefined {
  if (typeof key !== 'string' || key.length === 0) return 'the key is empty';
  if (LONE_SURROGATE.test(key)) return 'the key is not valid Unicode';
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) return `the key is longer than ${MAX_KEY_BYTES} bytes`;
  return undefined;
}

/**
 * The name an object is stored under: keys can hold `..`, `/`, names a file system treats
 * specially or case-folds, so only a digest of the key ever becomes part of a path.
 */
export function objectFileName(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
