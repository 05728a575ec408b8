import { readSmallBody } from '../body';
import { sendEmpty, sendXml, type S3Context } from '../context';
import { S3Errors } from '../errors';
import { taggingXml, tagsFromXml } from '../tagging';
import { parseXml } from '../xml';
import { authorizeBucket, authorizeObject, findBucket, missingKey } from './access';
import { checkVersionId } from './object';

type ObjectTarget = { bucket: string; key: string };

/** GetObjectTagging: the tag set (empty when there are none). */
export async function getObjectTagging(ctx: S3Context, { bucket, key }: ObjectTarget): Promise<void> {
  const bucketRecord = findBucket(ctx, bucket);
  checkVersionId(ctx);
  const record = ctx.store.getObjectRecord(bucket, key);
  if (!record) missingKey(ctx, bucketRecord, key);
  authorizeObject(ctx, record, 'READ');
  sendXml(ctx, 200, taggingXml(record.tags ?? []));
}

/** PutObjectTagging: replaces the whole tag set, stored beside the object without rewriting it. */
export async function putObjectTagging(ctx: S3Context, { bucket, key }: ObjectTarget): Promise<void> {
  authorizeBucket(ctx, bucket, 'WRITE');
  checkVersionId(ctx);
  if (!ctx.store.getObjectRecord(bucket, key)) throw S3Errors.noSuchKey(key);
  const tags = tagsFromXml(parseXml(await readSmallBody(ctx)));
  const updated = await ctx.store.updateObject(bucket, key, { tags: tags.length > 0 ? tags : undefined });
  if (!updated) throw S3Errors.noSuchKey(key);
  sendEmpty(ctx, 200);
}

/** DeleteObjectTagging: 204, also when there were no tags. */
export async function deleteObjectTagging(ctx: S3Context, { bucket, key }: ObjectTarget): Promise<void> {
  authorizeBucket(ctx, bucket, 'WRITE');
  checkVersionId(ctx);
  if (!ctx.store.getObjectRecord(bucket, key)) throw S3Errors.noSuchKey(key);
  if (!(await ctx.store.updateObject(bucket, key, { tags: undefined }))) throw S3Errors.noSuchKey(key);
  sendEmpty(ctx, 204);
}
