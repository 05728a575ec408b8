import { aclFromHeaders } from '../acl';
import type { S3Context } from '../context';
import { S3Errors } from '../errors';
import { httpTime, quoteEtag } from '../format';
import type { BucketRecord, ObjectAttributes, ObjectRecord } from '../store/types';
import { uploaderOf } from './access';
import { tagsFromHeader } from '../tagging';

/** Representation headers S3 stores verbatim at upload and returns on GET/HEAD. */
const STORED_HEADERS = [
  'content-type',
  'content-encoding',
  'content-disposition',
  'content-language',
  'cache-control',
  'expires',
] as const;

const STORAGE_CLASSES = new Set([
  'STANDARD',
  'REDUCED_REDUNDANCY',
  'STANDARD_IA',
  'ONEZONE_IA',
  'INTELLIGENT_TIERING',
  'GLACIER',
  'DEEP_ARCHIVE',
  'GLACIER_IR',
  'OUTPOSTS',
  'SNOW',
  'EXPRESS_ONEZONE',
]);

/** S3's limit on the total size of user metadata (names and values). */
const MAX_METADATA_BYTES = 2048;

/** `aws-chunked` is transfer framing, never part of the stored Content-Encoding. */
function storedContentEncoding(value: string): string | undefined {
  const kept = value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '' && t.toLowerCase() !== 'aws-chunked');
  return kept.length > 0 ? kept.join(', ') : undefined;
}

/** The representation headers and user metadata of a request (PutObject, CopyObject with REPLACE, ...). */
export function representationOf(ctx: S3Context): Pick<ObjectAttributes, 'headers' | 'metadata'> {
  const headers: Record<string, string> = {};
  for (const name of STORED_HEADERS) {
    const value = ctx.req.headers[name];
    if (typeof value !== 'string') continue;
    if (name === 'content-encoding') {
      const encoding = storedContentEncoding(value);
      if (encoding !== undefined) headers[name] = encoding;
    } else {
      headers[name] = value;
    }
  }
  // rawHeaders keeps repeated x-amz-meta-* lines apart; S3 joins them with commas.
  const metadata: Record<string, string> = {};
  const raw = ctx.req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (!name.startsWith('x-amz-meta-')) continue;
    metadata[name] = name in metadata ? `${metadata[name]},${raw[i + 1]}` : raw[i + 1];
  }
  const metadataBytes = Object.entries(metadata).reduce(
    (n, [k, v]) => n + Buffer.byteLength(k.slice('x-amz-meta-'.length)) + Buffer.byteLength(v, 'latin1'),
    0,
  );
  if (metadataBytes > MAX_METADATA_BYTES) throw S3Errors.metadataTooLarge(metadataBytes, MAX_METADATA_BYTES);
  return { headers, metadata };
}

/** The storage class a request asks for (STANDARD by default); unknown → InvalidStorageClass. */
export function storageClassOf(ctx: S3Context): string | undefined {
  const value = ctx.req.headers['x-amz-storage-class'];
  if (value === undefined) return undefined;
  const storageClass = Array.isArray(value) ? value.join(',') : value;
  if (!STORAGE_CLASSES.has(storageClass)) throw S3Errors.invalidStorageClass(storageClass);
  return storageClass;
}

/** The ACL a request sets with x-amz-acl / x-amz-grant-*, if any. */
export function requestAcl(ctx: S3Context, bucket: BucketRecord) {
  return aclFromHeaders(ctx.req.headers, uploaderOf(ctx, bucket), bucket.owner, ctx.settings.directory);
}

/** The tags of x-amz-tagging, if sent. */
export function requestTags(ctx: S3Context) {
  const value = ctx.req.headers['x-amz-tagging'];
  return typeof value === 'string' ? tagsFromHeader(value) : undefined;
}

/** Everything a PUT (or CreateMultipartUpload) says about the object besides its bytes. */
export function requestAttributes(ctx: S3Context, bucket: BucketRecord): Omit<ObjectAttributes, 'checksums'> {
  const attributes: Omit<ObjectAttributes, 'checksums'> = {
    owner: uploaderOf(ctx, bucket),
    ...representationOf(ctx),
    storageClass: storageClassOf(ctx) ?? 'STANDARD',
  };
  const acl = requestAcl(ctx, bucket);
  if (acl !== undefined) attributes.acl = acl;
  const tags = requestTags(ctx);
  if (tags !== undefined && tags.length > 0) attributes.tags = tags;
  return attributes;
}

/** The headers GET and HEAD return for an object. */
export function objectHeaders(record: ObjectRecord): Record<string, string> {
  const headers: Record<string, string> = {
    'Last-Modified': httpTime(record.lastModified),
    ETag: quoteEtag(record.etag),
    'Accept-Ranges': 'bytes',
    'Content-Type': 'binary/octet-stream',
  };
  for (const [name, value] of Object.entries(record.headers)) headers[name] = value;
  for (const [name, value] of Object.entries(record.metadata)) headers[name] = value;
  if (record.storageClass !== 'STANDARD') headers['x-amz-storage-class'] = record.storageClass;
  if (record.tags && record.tags.length > 0) headers['x-amz-tagging-count'] = String(record.tags.length);
  return headers;
}
