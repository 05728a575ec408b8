import { pipeline } from 'node:stream/promises';
import { declareBody, receiveBody } from '../body';
import { checksumHeader } from '../checksums';
import { sendEmpty, type S3Context } from '../context';
import { S3Errors } from '../errors';
import { httpTime, quoteEtag } from '../format';
import type { ObjectAttributes, ObjectRecord } from '../store/types';
import { authorizeBucket } from './access';
import { etagListMatches, evaluatePreconditions, resolveRange } from './conditions';

type ObjectTarget = { bucket: string; key: string };

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

const CANNED_ACLS = new Set([
  'private',
  'public-read',
  'public-read-write',
  'authenticated-read',
  'aws-exec-read',
  'bucket-owner-read',
  'bucket-owner-full-control',
  'log-delivery-write',
]);

/** S3's limit on the total size of user metadata (names and values). */
const MAX_METADATA_BYTES = 2048;

/** `response-*` query parameters of GetObject and the headers they replace. */
const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'Content-Type',
  'response-content-language': 'Content-Language',
  'response-expires': 'Expires',
  'response-cache-control': 'Cache-Control',
  'response-content-disposition': 'Content-Disposition',
  'response-content-encoding': 'Content-Encoding',
};

/** `aws-chunked` is transfer framing, never part of the stored Content-Encoding. */
function storedContentEncoding(value: string): string | undefined {
  const kept = value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '' && t.toLowerCase() !== 'aws-chunked');
  return kept.length > 0 ? kept.join(', ') : undefined;
}

/** The object attributes a PUT carries: representation headers, user metadata, storage class. */
function attributesOf(ctx: S3Context): Omit<ObjectAttributes, 'checksums'> {
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
  if (metadataBytes > MAX_METADATA_BYTES) {
    throw S3Errors.metadataTooLarge(metadataBytes, MAX_METADATA_BYTES);
  }
  const storageClass = (ctx.req.headers['x-amz-storage-class'] as string | undefined) ?? 'STANDARD';
  if (!STORAGE_CLASSES.has(storageClass)) {
    throw S3Errors.invalidStorageClass(storageClass);
  }
  const acl = ctx.req.headers['x-amz-acl'];
  if (typeof acl === 'string' && !CANNED_ACLS.has(acl)) throw S3Errors.invalidArgument('', 'x-amz-acl', acl);
  return { owner: ctx.user.owner, headers, metadata, storageClass };
}

/** Conditional writes: If-None-Match: * refuses to overwrite, If-Match requires the current ETag. */
function checkWritePreconditions(ctx: S3Context, current: ObjectRecord | undefined): void {
  const ifNoneMatch = ctx.req.headers['if-none-match'];
  if (typeof ifNoneMatch === 'string' && current && etagListMatches(ifNoneMatch, current.etag)) {
    throw S3Errors.preconditionFailed('If-None-Match');
  }
  const ifMatch = ctx.req.headers['if-match'];
  if (typeof ifMatch === 'string') {
    if (!current) throw S3Errors.noSuchKey(ctx.target.kind === 'object' ? ctx.target.key : '');
    if (!etagListMatches(ifMatch, current.etag)) throw S3Errors.preconditionFailed('If-Match');
  }
}

/** Versioning arrives later: only the unversioned (`null`) version exists. */
function checkVersionId(ctx: S3Context): void {
  const versionId = ctx.query.get('versionId');
  if (versionId !== undefined && versionId !== 'null') {
    throw S3Errors.invalidArgument('Invalid version id specified', 'versionId', versionId);
  }
}

/** PutObject: the body streams to a staged file and becomes visible only when whole and verified. */
export async function putObject(ctx: S3Context, { bucket, key }: ObjectTarget): Promise<void> {
  authorizeBucket(ctx, bucket);
  if (ctx.req.headers['x-amz-copy-source'] !== undefined) {
    throw S3Errors.notImplemented('CopyObject is not implemented yet', { Header: 'x-amz-copy-source' });
  }
  const declaration = declareBody(ctx);
  const attributes = attributesOf(ctx);
  checkWritePreconditions(ctx, ctx.store.getObjectRecord(bucket, key));
  const staged = await ctx.store.stageObject(bucket);
  const checksums = await receiveBody(ctx, declaration, staged);
  const record = await staged.commit(key, { ...attributes, checksums: Object.fromEntries(checksums) });
  const headers: Record<string, string> = { ETag: quoteEtag(record.etag) };
  for (const [algorithm, value] of checksums) headers[checksumHeader(algorithm)] = value;
  sendEmpty(ctx, 200, headers);
}

function objectHeaders(ctx: S3Context, record: ObjectRecord): Record<string, string> {
  const headers: Record<string, string> = {
    'Last-Modified': httpTime(record.lastModified),
    ETag: quoteEtag(record.etag),
    'Accept-Ranges': 'bytes',
    'Content-Type': 'binary/octet-stream',
  };
  for (const [name, value] of Object.entries(record.headers)) headers[name] = value;
  for (const [name, value] of Object.entries(record.metadata)) headers[name] = value;
  if (record.storageClass !== 'STANDARD') headers['x-amz-storage-class'] = record.storageClass;
  return headers;
}

/** GetObject and HeadObject: preconditions, then Range, then the bytes (streamed from disk). */
export async function getObject(ctx: S3Context, { bucket, key }: ObjectTarget): Promise<void> {
  authorizeBucket(ctx, bucket);
  checkVersionId(ctx);
  const opened = await ctx.store.openObject(bucket, key);
  if (!opened) throw S3Errors.noSuchKey(key);
  let streaming = false;
  try {
    const { record } = opened;
    const headers = objectHeaders(ctx, record);
    if (evaluatePreconditions(ctx.req.headers, record) === 'not-modified') {
      sendEmpty(ctx, 304, { ETag: headers.ETag, 'Last-Modified': headers['Last-Modified'] });
      return;
    }
    const range = resolveRange(ctx.req.headers.range, record.size);
    for (const [param, name] of Object.entries(RESPONSE_OVERRIDES)) {
      const value = ctx.query.get(param);
      if (value !== undefined) {
        delete headers[name.toLowerCase()];
        headers[name] = value;
      }
    }
    let status = 200;
    let start = 0;
    let end = record.size - 1;
    if (range.kind === 'partial') {
      status = 206;
      ({ start, end } = range);
      headers['Content-Range'] = `bytes ${start}-${end}/${record.size}`;
    } else if (ctx.req.headers['x-amz-checksum-mode'] === 'ENABLED') {
      // A stored checksum describes the whole object, so it is only sent with whole-object reads.
      for (const [algorithm, value] of Object.entries(record.checksums)) {
        headers[checksumHeader(algorithm)] = value;
      }
    }
    headers['Content-Length'] = String(Math.max(0, end - start + 1));
    if (ctx.method === 'HEAD' || record.size === 0) {
      sendEmpty(ctx, status, headers);
      return;
    }
    ctx.res.writeHead(status, headers);
    streaming = true;
    await pipeline(opened.createReadStream(start, end), ctx.res);
  } finally {
    if (!streaming) await opened.close();
  }
}

/** DeleteObject: 204 whether or not the key existed. */
export async function deleteObject(ctx: S3Context, { bucket, key }: ObjectTarget): Promise<void> {
  authorizeBucket(ctx, bucket);
  checkVersionId(ctx);
  await ctx.store.deleteObject(bucket, key);
  sendEmpty(ctx, 204);
}
