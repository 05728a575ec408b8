import { aclFromHeaders, aclFromXml, aclXml, privateAcl } from '../acl';
import { readSmallBody } from '../body';
import { sendEmpty, sendXml, type S3Context } from '../context';
import { S3Errors } from '../errors';
import type { Owner } from '../identity';
import type { Grant } from '../store/types';
import { parseXml } from '../xml';
import { authorizeBucket, authorizeObject, findBucket } from './access';
import { findObjectVersion, requestedVersionId, versionIdHeader } from './version-addressing';

type BucketTarget = { bucket: string };
type ObjectTarget = { bucket: string; key: string };

/**
 * The ACL a PutBucketAcl/PutObjectAcl sets: from headers (x-amz-acl or x-amz-grant-*) or from an
 * AccessControlPolicy body, never both. handlers/access.ts enforces what is stored.
 */
async function aclOfRequest(ctx: S3Context, owner: Owner, bucketOwner: Owner): Promise<Grant[]> {
  const fromHeaders = aclFromHeaders(ctx.req.headers, owner, bucketOwner, ctx.settings.directory);
  const body = await readSmallBody(ctx);
  if (fromHeaders !== undefined) {
    if (body.length > 0) throw S3Errors.unexpectedContent();
    return fromHeaders;
  }
  if (body.length === 0) throw S3Errors.malformedACL();
  return aclFromXml(parseXml(body), ctx.settings.directory);
}

/** GetBucketAcl. */
export async function getBucketAcl(ctx: S3Context, { bucket }: BucketTarget): Promise<void> {
  const record = authorizeBucket(ctx, bucket, 'READ_ACP');
  sendXml(ctx, 200, aclXml(record.owner, record.acl ?? privateAcl(record.owner)));
}

/** PutBucketAcl: stored in the bucket's record. */
export async function putBucketAcl(ctx: S3Context, { bucket }: BucketTarget): Promise<void> {
  const record = authorizeBucket(ctx, bucket, 'WRITE_ACP');
  const acl = await aclOfRequest(ctx, record.owner, record.owner);
  if (!(await ctx.store.updateBucketAcl(bucket, acl))) throw S3Errors.noSuchBucket(bucket);
  sendEmpty(ctx, 200);
}

/** GetObjectAcl of the latest version or of `versionId`. */
export async function getObjectAcl(ctx: S3Context, { bucket, key }: ObjectTarget): Promise<void> {
  const bucketRecord = findBucket(ctx, bucket);
  const record = findObjectVersion(ctx, bucketRecord, key, requestedVersionId(ctx));
  authorizeObject(ctx, record, 'READ_ACP');
  sendXml(
    ctx,
    200,
    aclXml(record.owner, record.acl ?? privateAcl(record.owner)),
    versionIdHeader(bucketRecord, record.versionId),
  );
}

/** PutObjectAcl of the latest version or of `versionId`: stored beside it, without rewriting it. */
export async function putObjectAcl(ctx: S3Context, { bucket, key }: ObjectTarget): Promise<void> {
  const bucketRecord = findBucket(ctx, bucket);
  const versionId = requestedVersionId(ctx);
  const current = findObjectVersion(ctx, bucketRecord, key, versionId);
  authorizeObject(ctx, current, 'WRITE_ACP');
  const acl = await aclOfRequest(ctx, current.owner, bucketRecord.owner);
  // The version named, or the one that was latest when checked: a newer one needs its own check.
  const updated = await ctx.store.updateObject(bucket, key, { acl }, current.versionId);
  if (!updated)
    throw versionId === undefined ? S3Errors.noSuchKey(key) : S3Errors.noSuchVersion(key, versionId);
  sendEmpty(ctx, 200, versionIdHeader(bucketRecord, updated.versionId));
}
