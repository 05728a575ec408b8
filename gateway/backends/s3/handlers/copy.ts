import { pipeline } from 'node:stream/promises';
import type { S3Context } from '../context';
import { S3Errors } from '../errors';
import type { ObjectAttributes } from '../store/types';
import { el } from '../xml';
import { authorizeBucket, uploaderOf } from './access';
import { representationOf, requestAcl, requestTags, storageClassOf } from './attributes';
import { openCopySource, sendCopyResult } from './copy-source';
import { writtenVersionHeader } from './version-addressing';

type ObjectTarget = { bucket: string; key: string };

function directive(ctx: S3Context, name: string): 'COPY' | 'REPLACE' {
  const value = ctx.req.headers[name];
  if (value === undefined) return 'COPY';
  if (value === 'COPY' || value === 'REPLACE') return value;
  throw S3Errors.invalidArgument(
    `Unknown ${name === 'x-amz-metadata-directive' ? 'metadata' : 'tagging'} directive.`,
    name,
    String(value),
  );
}

/**
 * CopyObject: the source's bytes stream into a staged object (never whole in memory) that is
 * published like a PUT. Metadata comes from the source (COPY, the default) or from this request
 * (REPLACE); the ACL is this request's; tags follow x-amz-tagging-directive.
 */
export async function copyObject(ctx: S3Context, { bucket, key }: ObjectTarget): Promise<void> {
  const destination = authorizeBucket(ctx, bucket, 'WRITE');
  const metadataDirective = directive(ctx, 'x-amz-metadata-directive');
  const taggingDirective = directive(ctx, 'x-amz-tagging-directive');
  const storageClass = storageClassOf(ctx);
  const representation = metadataDirective === 'REPLACE' ? representationOf(ctx) : undefined;
  const acl = requestAcl(ctx, destination);
  const tags = taggingDirective === 'REPLACE' ? requestTags(ctx) : undefined;
  const { source, opened, versionHeaders } = await openCopySource(ctx);
  let reading = false;
  try {
    const { record } = opened;
    const changesSomething =
      metadataDirective === 'REPLACE' ||
      (storageClass !== undefined && storageClass !== record.storageClass) ||
      ctx.req.headers['x-amz-website-redirect-location'] !== undefined ||
      ctx.req.headers['x-amz-server-side-encryption'] !== undefined;
    // Copying an older version onto its key is how S3 restores it; only a plain self-copy is refused.
    const selfCopy = source.bucket === bucket && source.key === key && source.versionId === undefined;
    if (selfCopy && !changesSomething) {
      throw S3Errors.invalidRequest(
        "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
      );
    }
    if (record.size > ctx.settings.maxObjectSize) {
      throw S3Errors.invalidRequest(
        `The specified copy source is larger than the maximum allowable size for a copy source: ${ctx.settings.maxObjectSize}`,
      );
    }
    const attributes: ObjectAttributes = {
      owner: uploaderOf(ctx, destination),
      headers: representation?.headers ?? record.headers,
      metadata: representation?.metadata ?? record.metadata,
      // Same bytes, so the source's verified checksums still hold.
      checksums: record.checksums,
      storageClass: storageClass ?? 'STANDARD',
    };
    if (acl !== undefined) attributes.acl = acl;
    const copiedTags = taggingDirective === 'REPLACE' ? tags : record.tags;
    if (copiedTags !== undefined && copiedTags.length > 0) attributes.tags = copiedTags;

    const staged = await ctx.store.stageObject(bucket);
    reading = true;
    try {
      await pipeline(opened.createReadStream(), staged.stream);
    } catch (error) {
      await staged.abort();
      throw error;
    }
    const copied = await staged.commit(key, attributes);
    sendCopyResult(
      ctx,
      'CopyObjectResult',
      copied,
      Object.entries(copied.checksums).map(([algorithm, value]) =>
        el(`Checksum${algorithm.toUpperCase()}`, value),
      ),
      { ...versionHeaders, ...writtenVersionHeader(copied.versionId) },
    );
  } finally {
    if (!reading) await opened.close();
  }
}
