import { accountIdFor } from '../../../../lib/accounts';
import { privateAcl, GROUPS } from '../acl';
import type { S3Context } from '../context';
import { S3Errors } from '../errors';
import type { Owner } from '../identity';
import type { BucketRecord, Grant, ObjectRecord } from '../store/types';

/** What a request needs of a bucket or object: an ACL permission, or (bucket only) to be its owner. */
export type Access = 'READ' | 'WRITE' | 'READ_ACP' | 'WRITE_ACP';

/** The owner acting for a request; undefined when it is anonymous. */
export function callerOf(ctx: S3Context): Owner | undefined {
  return ctx.user?.owner;
}

/** A signed caller, or AccessDenied: what ListBuckets and CreateBucket need (anonymous can't own). */
export function requireSigned(ctx: S3Context): Owner {
  const caller = callerOf(ctx);
  if (!caller) throw S3Errors.accessDenied();
  return caller;
}

function grantee(grant: Grant, caller: Owner | undefined): boolean {
  if (grant.grantee.type === 'Group') {
    if (grant.grantee.uri === GROUPS.allUsers) return true;
    return grant.grantee.uri === GROUPS.authenticatedUsers && caller !== undefined;
  }
  return caller !== undefined && grant.grantee.id === caller.id;
}

/**
 * Whether an ACL lets the caller do `access`. The resource's owner always keeps READ_ACP and
 * WRITE_ACP, so that an owner who revoked every grant can still repair the ACL
 * (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html).
 */
export function granted(
  grants: readonly Grant[],
  owner: Owner,
  caller: Owner | undefined,
  access: Access,
): boolean {
  if (caller?.id === owner.id && (access === 'READ_ACP' || access === 'WRITE_ACP')) return true;
  return grants.some(
    (g) => (g.permission === access || g.permission === 'FULL_CONTROL') && grantee(g, caller),
  );
}

/**
 * `x-amz-expected-bucket-owner` names an AWS account (12 digits). Owners here are canonical users,
 * so a bucket matches either its owner's canonical id or the 12-digit account derived from it
 * (`accountIdFor`, the same id the gateway puts in `$context.identity.accountId`).
 */
function checkExpectedOwner(ctx: S3Context, bucket: BucketRecord): void {
  const raw = ctx.req.headers['x-amz-expected-bucket-owner'];
  if (raw === undefined) return;
  const expected = (Array.isArray(raw) ? raw.join(',') : raw).trim();
  if (expected !== bucket.owner.id && expected !== accountIdFor(bucket.owner.id)) {
    throw S3Errors.accessDenied();
  }
}

/** The bucket a request addresses, checked for existence (404) and the expected owner, not for access. */
export function findBucket(ctx: S3Context, name: string): BucketRecord {
  const bucket = ctx.store.getBucket(name);
  if (!bucket) throw S3Errors.noSuchBucket(name);
  checkExpectedOwner(ctx, bucket);
  return bucket;
}

/** Whether the caller may do `access` on a bucket, by its ACL. */
export function bucketAllows(ctx: S3Context, bucket: BucketRecord, access: Access): boolean {
  return granted(bucket.acl ?? privateAcl(bucket.owner), bucket.owner, callerOf(ctx), access);
}

/**
 * The bucket a request addresses, checked in S3's order: existence (404) before permission (403).
 * `OWNER` is for what no ACL grants (DeleteBucket, GetBucketLocation).
 */
export function authorizeBucket(ctx: S3Context, name: string, access: Access | 'OWNER'): BucketRecord {
  const bucket = findBucket(ctx, name);
  const allowed =
    access === 'OWNER' ? callerOf(ctx)?.id === bucket.owner.id : bucketAllows(ctx, bucket, access);
  if (!allowed) throw S3Errors.accessDenied();
  return bucket;
}

/** Throws AccessDenied unless the object's ACL lets the caller do `access`. */
export function authorizeObject(ctx: S3Context, record: ObjectRecord, access: Access): void {
  if (!granted(record.acl ?? privateAcl(record.owner), record.owner, callerOf(ctx), access)) {
    throw S3Errors.accessDenied();
  }
}

/**
 * Who owns what a request writes: the uploader. An anonymous upload (into a public-read-write
 * bucket) is owned by the bucket's owner, so that the objects of a bucket always have an owner
 * who can be granted and refused things.
 */
export function uploaderOf(ctx: S3Context, bucket: BucketRecord): Owner {
  return callerOf(ctx) ?? bucket.owner;
}
