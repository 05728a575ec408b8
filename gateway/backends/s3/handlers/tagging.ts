import { readSmallBody } from '../body';
import { sendEmpty, sendXml, type S3Context } from '../context';
import { S3Errors } from '../errors';
import { taggingXml, tagsFromXml } from '../tagging';
import type { Tag } from '../store/types';
import { parseXml } from '../xml';
import { authorizeBucket, authorizeObject, findBucket } from './access';
import { findObjectVersion, requestedVersionId, versionIdHeader } from './version-addressing';

type ObjectTarget = { bucket: string; key: string };

/** GetObjectTagging of the latest version or of `versionId`: the tag set (empty when there are none). */
export async function getObjectTagging(ctx: S3Context, { bucket, key }: ObjectTarget): Promise<void> {
  const bucketRecord = findBucket(ctx, bucket);
  const record = findObjectVersion(ctx, bucketRecord, key, requestedVersionId(ctx));
  authorizeObject(ctx, record, 'READ');
  sendXml(ctx, 200, taggingXml(record.tags ?? []), versionIdHeader(bucketRecord, record.versionId));
}

/**
 * Replaces the tag set of the latest version or of `versionId` (absent: none), stored beside the
 * object without rewriting it.
 */
async function replaceTags(
  ctx: S3Context,
  { bucket, key }: ObjectTarget,
  tags: () => Promise<Tag[] | undefined>,
  status: number,
): Promise<void> {
  const bucketRecord = authorizeBucket(ctx, bucket, 'WRITE');
  const versionId = requestedVersionId(ctx);
  const current = findObjectVersion(ctx, bucketRecord, key, versionId);
  const updated = await ctx.store.updateObject(bucket, key, { tags: await tags() }, current.versionId);
  if (!updated)
    throw versionId === undefined ? S3Errors.noSuchKey(key) : S3Errors.noSuchVersion(key, versionId);
  sendEmpty(ctx, status, versionIdHeader(bucketRecord, updated.versionId));
}

/** PutObjectTagging: replaces the whole tag set. */
export async function putObjectTagging(ctx: S3Context, target: ObjectTarget): Promise<void> {
  await replaceTags(
    ctx,
    target,
    async () => {
      const tags = tagsFromXml(parseXml(await readSmallBody(ctx)));
      return tags.length > 0 ? tags : undefined;
    },
    200,
  );
}

/** DeleteObjectTagging: 204, also when there were no tags. */
export async function deleteObjectTagging(ctx: S3Context, target: ObjectTarget): Promise<void> {
  await replaceTags(ctx, target, async () => undefined, 204);
}
