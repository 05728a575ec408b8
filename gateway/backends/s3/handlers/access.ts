import type { S3Context } from '../context';
import { S3Errors } from '../errors';
import type { BucketRecord } from '../store/types';

/**
 * The bucket a request addresses, checked in S3's order: existence (404) before permission (403).
 * Until ACLs arrive every bucket is private, so only its owner may use it.
 */
export function authorizeBucket(ctx: S3Context, name: string): BucketRecord {
  const bucket = ctx.store.getBucket(name);
  if (!bucket) throw S3Errors.noSuchBucket(name);
  if (bucket.owner.id !== ctx.user.owner.id) throw S3Errors.accessDenied();
  return bucket;
}
