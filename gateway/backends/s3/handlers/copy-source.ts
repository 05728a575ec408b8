import { sendXml, type S3Context } from '../context';
import { S3Error, S3Errors } from '../errors';
import { isDeleteMarker } from '../store';
import type { BucketRecord, OpenedObject } from '../store/types';
import { quoteEtag, xmlTime } from '../format';
import { el, S3_NS, type Xml } from '../xml';
import { authorizeObject, findBucket } from './access';
import { evaluatePreconditions } from './conditions';
import { checkedVersionId, missingVersion, versionIdHeader } from './version-addressing';

/** The object named by `x-amz-copy-source`. */
export interface CopySource {
  bucket: string;
  key: string;
  /** The version named after `?versionId=`; undefined for the latest. */
  versionId?: string;
}

/**
 * Reads `x-amz-copy-source: [/]bucket/key[?versionId=…]`. botocore percent-encodes the value, SDK
 * v3 passes it through as the caller wrote it, so it is decoded once when that works and taken
 * verbatim otherwise; `+` stays a plus either way
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_CopyObject.html).
 */
export function parseCopySource(raw: string): CopySource & { versionId?: string } {
  let value = raw.trim();
  let versionId: string | undefined;
  const q = value.lastIndexOf('?versionId=');
  if (q >= 0) {
    versionId = decodeLenient(value.slice(q + '?versionId='.length));
    value = value.slice(0, q);
  }
  let path = decodeLenient(value);
  if (path.startsWith('/')) path = path.slice(1);
  const slash = path.indexOf('/');
  if (slash <= 0 || slash === path.length - 1) {
    throw S3Errors.invalidArgument('Invalid copy source object key', 'x-amz-copy-source', raw);
  }
  return { bucket: path.slice(0, slash), key: path.slice(slash + 1), versionId };
}

function decodeLenient(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

const CONDITIONS: Array<[string, string]> = [
  ['if-match', 'x-amz-copy-source-if-match'],
  ['if-none-match', 'x-amz-copy-source-if-none-match'],
  ['if-modified-since', 'x-amz-copy-source-if-modified-since'],
  ['if-unmodified-since', 'x-amz-copy-source-if-unmodified-since'],
];

/** An opened copy source. */
export interface OpenedCopySource {
  source: CopySource;
  opened: OpenedObject;
  /** `x-amz-copy-source-version-id` for the response, when S3 sends it. */
  versionHeaders: Record<string, string>;
}

/**
 * Opens the copy source of CopyObject or UploadPartCopy: checks the source bucket (404, 403), the
 * version (the latest, or the one after `?versionId=`; a delete marker cannot be copied), the key
 * (NoSuchKey) and the `x-amz-copy-source-if-*` conditions, which S3 evaluates as GET does,
 * except that "not modified" is a failed precondition too.
 */
export async function openCopySource(ctx: S3Context): Promise<OpenedCopySource> {
  const raw = ctx.req.headers['x-amz-copy-source'];
  const source = parseCopySource(Array.isArray(raw) ? raw.join(',') : (raw ?? ''));
  const sourceBucket = findBucket(ctx, source.bucket);
  if (source.versionId !== undefined) checkedVersionId(source.versionId, 'x-amz-copy-source');
  const opened = await ctx.store.openObject(source.bucket, source.key, source.versionId);
  if (!opened) missingVersion(ctx, sourceBucket, source.key, source.versionId);
  if (isDeleteMarker(opened)) {
    if (source.versionId !== undefined) {
      throw S3Errors.invalidRequest(
        'The source of a copy request may not specifically refer to a delete marker by version id.',
      );
    }
    // The latest version is a delete marker: the source looks deleted.
    missingVersion(ctx, sourceBucket, source.key, undefined);
  }
  try {
    authorizeObject(ctx, opened.record, 'READ');
    const conditions: Record<string, string | string[] | undefined> = {};
    for (const [plain, copy] of CONDITIONS) conditions[plain] = ctx.req.headers[copy];
    let outcome;
    try {
      outcome = evaluatePreconditions(conditions, opened.record);
    } catch (e) {
      if (e instanceof S3Error && e.code === 'PreconditionFailed') {
        throw S3Errors.preconditionFailed(`x-amz-copy-source-${String(e.fields.Condition)}`);
      }
      throw e;
    }
    if (outcome === 'not-modified') {
      const condition = conditions['if-none-match'] !== undefined ? 'If-None-Match' : 'If-Modified-Since';
      throw S3Errors.preconditionFailed(`x-amz-copy-source-${condition}`);
    }
  } catch (e) {
    await opened.close();
    throw e;
  }
  return { source, opened, versionHeaders: copySourceVersionHeader(sourceBucket, opened.record.versionId) };
}

function copySourceVersionHeader(bucket: BucketRecord, versionId: string): Record<string, string> {
  const header = versionIdHeader(bucket, versionId)['x-amz-version-id'];
  return header === undefined ? {} : { 'x-amz-copy-source-version-id': header };
}

/**
 * Answers a copy (CopyObject's CopyObjectResult, UploadPartCopy's CopyPartResult): when the copy
 * was written and its ETag, then any further elements.
 */
export function sendCopyResult(
  ctx: S3Context,
  name: 'CopyObjectResult' | 'CopyPartResult',
  written: { lastModified: number; etag: string },
  extra: Xml[],
  headers: Record<string, string>,
): void {
  sendXml(
    ctx,
    200,
    el(
      name,
      { xmlns: S3_NS },
      el('LastModified', xmlTime(written.lastModified)),
      el('ETag', quoteEtag(written.etag)),
      extra,
    ),
    headers,
  );
}
