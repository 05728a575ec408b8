import type { S3Context } from '../context';
import { S3Error, S3Errors } from '../errors';
import type { OpenedObject } from '../store/types';
import { authorizeObject, findBucket, missingKey } from './access';
import { evaluatePreconditions } from './conditions';

/** The object named by `x-amz-copy-source`. */
export interface CopySource {
  bucket: string;
  key: string;
}

/**
 * Reads `x-amz-copy-source: [/]bucket/key[?versionId=…]`. botocore percent-encodes the value, SDK
 * v3 passes it through as the caller wrote it, so it is decoded once when that works and taken
 * verbatim otherwise; `+` stays a plus either way (s3.md §2.14).
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

/**
 * Opens the copy source of CopyObject or UploadPartCopy: checks the source bucket (404, 403), the
 * version (only `null` exists), the key (NoSuchKey) and the `x-amz-copy-source-if-*` conditions,
 * which S3 evaluates as GET does, except that "not modified" is a failed precondition too.
 */
export async function openCopySource(ctx: S3Context): Promise<{ source: CopySource; opened: OpenedObject }> {
  const raw = ctx.req.headers['x-amz-copy-source'];
  const source = parseCopySource(Array.isArray(raw) ? raw.join(',') : (raw ?? ''));
  const sourceBucket = findBucket(ctx, source.bucket);
  if (source.versionId !== undefined && source.versionId !== 'null') {
    throw S3Errors.invalidArgument('Invalid version id specified', 'x-amz-copy-source', String(raw));
  }
  const opened = await ctx.store.openObject(source.bucket, source.key);
  if (!opened) missingKey(ctx, sourceBucket, source.key);
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
  return { source: { bucket: source.bucket, key: source.key }, opened };
}
