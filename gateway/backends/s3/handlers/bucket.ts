import { aclFromHeaders } from '../acl';
import { readSmallBody } from '../body';
import { sendEmpty, sendXml, type S3Context } from '../context';
import { S3Errors } from '../errors';
import { validateBucketName } from '../store';
import { el, parseXml, S3_NS } from '../xml';
import { authorizeBucket, requireSigned } from './access';

type BucketTarget = { bucket: string };

function locationConstraintOf(body: Buffer): string {
  if (body.length === 0) return '';
  const doc = parseXml(body);
  const config = doc.CreateBucketConfiguration;
  if (config === undefined) throw S3Errors.malformedXML();
  if (config === '' || config === null) return '';
  if (typeof config !== 'object') throw S3Errors.malformedXML();
  const constraint = (config as Record<string, unknown>).LocationConstraint;
  if (constraint === undefined) return '';
  if (typeof constraint !== 'string') throw S3Errors.malformedXML();
  return constraint.trim();
}

/** CreateBucket, with an optional CreateBucketConfiguration whose LocationConstraint is kept, and x-amz-acl / x-amz-grant-*. */
export async function createBucket(ctx: S3Context, { bucket: name }: BucketTarget): Promise<void> {
  const caller = requireSigned(ctx);
  if (!validateBucketName(name)) throw S3Errors.invalidBucketName(name);
  const existing = ctx.store.getBucket(name);
  if (existing && existing.owner.id !== caller.id) throw S3Errors.bucketAlreadyExists(name);
  const acl = aclFromHeaders(ctx.req.headers, caller, caller, ctx.settings.directory);
  const locationConstraint = locationConstraintOf(await readSmallBody(ctx));
  const { created, bucket } = await ctx.store.createBucket({
    name,
    owner: caller,
    creationDate: Date.now(),
    locationConstraint,
    ...(acl === undefined ? {} : { acl }),
  });
  if (!created) {
    if (bucket.owner.id !== caller.id) throw S3Errors.bucketAlreadyExists(name);
    // us-east-1 answers 200 to re-creating your own bucket (legacy); every other region 409.
    if (ctx.settings.region !== 'us-east-1') throw S3Errors.bucketAlreadyOwnedByYou(name);
  }
  sendEmpty(ctx, 200, { Location: `/${name}` });
}

/** DeleteBucket: only when empty. */
export async function deleteBucket(ctx: S3Context, { bucket: name }: BucketTarget): Promise<void> {
  authorizeBucket(ctx, name, 'OWNER');
  const outcome = await ctx.store.deleteBucket(name);
  if (outcome === 'missing') throw S3Errors.noSuchBucket(name);
  if (outcome === 'not-empty') throw S3Errors.bucketNotEmpty(name);
  sendEmpty(ctx, 204);
}

/** HeadBucket: 200 with the bucket's region. */
export async function headBucket(ctx: S3Context, { bucket: name }: BucketTarget): Promise<void> {
  const bucket = authorizeBucket(ctx, name, 'READ');
  sendEmpty(ctx, 200, {
    'x-amz-bucket-region': bucket.locationConstraint || 'us-east-1',
    'x-amz-access-point-alias': 'false',
  });
}

/** GetBucketLocation: the constraint given at creation; empty for us-east-1. */
export async function getBucketLocation(ctx: S3Context, { bucket: name }: BucketTarget): Promise<void> {
  const bucket = authorizeBucket(ctx, name, 'OWNER');
  sendXml(ctx, 200, el('LocationConstraint', { xmlns: S3_NS }, bucket.locationConstraint));
}
