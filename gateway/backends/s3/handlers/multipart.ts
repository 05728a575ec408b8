import { createHash } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { declareBody, readSmallBody, receiveBody } from '../body';
import { checksumHeader } from '../checksums';
import { sendEmpty, sendXml, type S3Context } from '../context';
import { S3Errors } from '../errors';
import { quoteEtag, urlEncodeKey } from '../format';
import {
  isDeleteMarker,
  type CompletedPart,
  type ObjectRecord,
  type UploadRecord,
  type VersionRecord,
} from '../store/types';
import { childrenOf, el, listOf, parseXml, S3_NS, textOf } from '../xml';
import { authorizeBucket, uploaderOf } from './access';
import { requestAttributes } from './attributes';
import { openCopySource, sendCopyResult } from './copy-source';
import { writtenVersionHeader } from './version-addressing';
import { checkWritePreconditions, partNumberOf } from './object';

type ObjectTarget = { bucket: string; key: string };

// A complete request lists at most 10 000 parts of ~150 bytes of XML each.
const MAX_COMPLETE_BODY = 4 * 1024 * 1024;
const CHECKSUM_ALGORITHMS = new Set(['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME']);

/** The upload `?uploadId=` names, for this key; NoSuchUpload otherwise (also for another key's upload). */
export function uploadOf(ctx: S3Context, bucket: string, key: string): UploadRecord {
  const uploadId = ctx.query.get('uploadId') ?? '';
  const upload = ctx.store.getUpload(bucket, uploadId);
  if (!upload || upload.key !== key) throw S3Errors.noSuchUpload(uploadId);
  return upload;
}

/** CreateMultipartUpload: remembers the object's headers, metadata, ACL and tags for completion. */
export async function createMultipartUpload(ctx: S3Context, { bucket, key }: ObjectTarget): Promise<void> {
  const bucketRecord = authorizeBucket(ctx, bucket, 'WRITE');
  const attributes = requestAttributes(ctx, bucketRecord);
  const algorithm = ctx.req.headers['x-amz-checksum-algorithm'];
  if (typeof algorithm === 'string' && !CHECKSUM_ALGORITHMS.has(algorithm.toUpperCase())) {
    throw S3Errors.invalidRequest('Checksum algorithm provided is unsupported.');
  }
  const upload = await ctx.store.createUpload(bucket, key, uploaderOf(ctx, bucketRecord), {
    ...attributes,
    checksums: {},
  });
  sendXml(
    ctx,
    200,
    el(
      'InitiateMultipartUploadResult',
      { xmlns: S3_NS },
      el('Bucket', bucket),
      el('Key', key),
      el('UploadId', upload.uploadId),
    ),
  );
}

function partNumberParam(ctx: S3Context): number {
  return partNumberOf(ctx.query.get('partNumber') ?? '');
}

/** UploadPart: the body streams to a staged part file, verified as PutObject's, then replaces that part number. */
export async function uploadPart(ctx: S3Context, { bucket, key }: ObjectTarget): Promise<void> {
  authorizeBucket(ctx, bucket, 'WRITE');
  const partNumber = partNumberParam(ctx);
  const { uploadId } = uploadOf(ctx, bucket, key);
  const declaration = declareBody(ctx);
  const staged = await ctx.store.stagePart(bucket, uploadId);
  const checksums = await receiveBody(ctx, declaration, staged);
  const part = await staged.commit(partNumber, Object.fromEntries(checksums));
  const headers: Record<string, string> = { ETag: quoteEtag(part.etag) };
  for (const [algorithm, value] of checksums) headers[checksumHeader(algorithm)] = value;
  sendEmpty(ctx, 200, headers);
}

/** `x-amz-copy-source-range: bytes=first-last` against the source size; malformed → InvalidArgument. */
function copyRange(raw: string | undefined, size: number): { start: number; end: number } {
  if (raw === undefined) return { start: 0, end: size - 1 };
  const m = /^bytes=(\d+)-(\d+)$/.exec(raw.trim());
  if (!m || Number(m[2]) < Number(m[1])) {
    throw S3Errors.invalidArgument(
      'The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy',
      'x-amz-copy-source-range',
      raw,
    );
  }
  const start = Number(m[1]);
  const end = Number(m[2]);
  if (end >= size) throw S3Errors.invalidRange(raw, size);
  return { start, end };
}

/** UploadPartCopy: a byte range of an existing object streams into the part. */
export async function uploadPartCopy(ctx: S3Context, { bucket, key }: ObjectTarget): Promise<void> {
  authorizeBucket(ctx, bucket, 'WRITE');
  const partNumber = partNumberParam(ctx);
  const { uploadId } = uploadOf(ctx, bucket, key);
  const { opened, versionHeaders } = await openCopySource(ctx);
  let reading = false;
  try {
    const rawRange = ctx.req.headers['x-amz-copy-source-range'];
    const { start, end } = copyRange(Array.isArray(rawRange) ? rawRange[0] : rawRange, opened.record.size);
    if (end - start + 1 > ctx.settings.maxObjectSize) {
      throw S3Errors.entityTooLarge(end - start + 1, ctx.settings.maxObjectSize);
    }
    const staged = await ctx.store.stagePart(bucket, uploadId);
    reading = true;
    try {
      await pipeline(opened.createReadStream(start, end), staged.stream);
    } catch (error) {
      await staged.abort();
      throw error;
    }
    const part = await staged.commit(partNumber, {});
    sendCopyResult(ctx, 'CopyPartResult', part, [], versionHeaders);
  } finally {
    if (!reading) await opened.close();
  }
}

/** The parts a CompleteMultipartUpload body lists; MalformedXML when there are none or they are unreadable. */
function parseComplete(body: Buffer): CompletedPart[] {
  const root = childrenOf(parseXml(body).CompleteMultipartUpload);
  const parts = listOf(root, 'Part');
  if (parts.length === 0) throw S3Errors.malformedXML();
  return parts.map((p) => {
    const part = childrenOf(p);
    const number = textOf(part, 'PartNumber')?.trim();
    const etag = textOf(part, 'ETag');
    if (number === undefined || !/^\d{1,5}$/.test(number) || etag === undefined)
      throw S3Errors.malformedXML();
    // Clients send ETags with quotes, without, or as &quot; entities; compare them bare.
    return { partNumber: Number(number), etag: etag.trim().replace(/^"|"$/g, '').toLowerCase() };
  });
}

/**
 * How long after completion a CompleteMultipartUpload repeated with the same parts still succeeds
 * (S3 answers such retries with the completed object for a while; see
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_CompleteMultipartUpload.html).
 */
const REPEAT_WINDOW_MS = 24 * 60 * 60 * 1000;

/** S3's multipart ETag for a list of parts: MD5 of the parts' binary MD5s, then their count. */
function multipartEtag(parts: readonly CompletedPart[]): string | undefined {
  if (!parts.every((p) => /^[0-9a-f]{32}$/.test(p.etag))) return undefined;
  const md5s = Buffer.concat(parts.map((p) => Buffer.from(p.etag, 'hex')));
  return `${createHash('md5').update(md5s).digest('hex')}-${parts.length}`;
}

/**
 * The version a completed upload produced, when it still exists and was completed with exactly
 * these parts (same ETags in the same order give the same multipart ETag) not long ago.
 */
function completedVersion(
  ctx: S3Context,
  bucket: string,
  key: string,
  uploadId: string,
  parts: readonly CompletedPart[],
): ObjectRecord | undefined {
  const matches = (v: VersionRecord | undefined): v is ObjectRecord =>
    v !== undefined && !isDeleteMarker(v) && v.key === key && v.uploadId === uploadId;
  let found: ObjectRecord | undefined;
  const latest = ctx.store.getVersion(bucket, key);
  if (matches(latest)) {
    found = latest;
  } else {
    const page = ctx.store.listVersions(bucket, {
      prefix: key,
      delimiter: '',
      keyMarker: '',
      versionIdMarker: '',
      maxKeys: 1000,
    });
    for (const entry of page.entries) {
      if (entry.kind === 'version' && matches(entry.record)) found = entry.record;
    }
  }
  if (!found || Date.now() - found.lastModified > REPEAT_WINDOW_MS) return undefined;
  return multipartEtag(parts) === found.etag ? found : undefined;
}

function sendCompleted(ctx: S3Context, bucket: string, key: string, record: ObjectRecord): void {
  const host = ctx.req.headers.host ?? '127.0.0.1';
  sendXml(
    ctx,
    200,
    el(
      'CompleteMultipartUploadResult',
      { xmlns: S3_NS },
      el('Location', `http://${host}/${bucket}/${urlEncodeKey(key)}`),
      el('Bucket', bucket),
      el('Key', key),
      el('ETag', quoteEtag(record.etag)),
    ),
    writtenVersionHeader(record.versionId),
  );
}

/**
 * CompleteMultipartUpload: validated in S3's order, then assembled and published atomically. The
 * same request repeated after it succeeded (a client retrying a lost response) succeeds again with
 * the same object; any other part list for a completed upload is NoSuchUpload, as for any upload
 * id that is no longer in progress.
 */
export async function completeMultipartUpload(ctx: S3Context, { bucket, key }: ObjectTarget): Promise<void> {
  authorizeBucket(ctx, bucket, 'WRITE');
  const uploadId = ctx.query.get('uploadId') ?? '';
  const upload = ctx.store.getUpload(bucket, uploadId);
  if (!upload || upload.key !== key) {
    const parts = parseComplete(await readSmallBody(ctx, MAX_COMPLETE_BODY));
    const done = completedVersion(ctx, bucket, key, uploadId, parts);
    if (!done) throw S3Errors.noSuchUpload(uploadId);
    sendCompleted(ctx, bucket, key, done);
    return;
  }
  const parts = parseComplete(await readSmallBody(ctx, MAX_COMPLETE_BODY));
  for (let i = 1; i < parts.length; i++) {
    if (parts[i].partNumber <= parts[i - 1].partNumber) throw S3Errors.invalidPartOrder();
  }
  checkWritePreconditions(ctx, key, ctx.store.getObjectRecord(bucket, key));
  const outcome = await ctx.store.completeUpload(bucket, uploadId, parts, ctx.settings.minPartSize);
  switch (outcome.kind) {
    case 'no-such-upload': {
      // Completed (or aborted) by a concurrent request meanwhile.
      const done = completedVersion(ctx, bucket, key, uploadId, parts);
      if (!done) throw S3Errors.noSuchUpload(uploadId);
      sendCompleted(ctx, bucket, key, done);
      return;
    }
    case 'invalid-part':
      throw S3Errors.invalidPart(outcome.partNumber, outcome.etag);
    case 'too-small':
      throw S3Errors.entityTooSmall(
        outcome.partNumber,
        outcome.size,
        ctx.settings.minPartSize,
        quoteEtag(outcome.etag),
      );
  }
  sendCompleted(ctx, bucket, key, outcome.record);
}

/** AbortMultipartUpload: 204; the parts are gone and the id unknown from now on. */
export async function abortMultipartUpload(ctx: S3Context, { bucket, key }: ObjectTarget): Promise<void> {
  authorizeBucket(ctx, bucket, 'WRITE');
  const { uploadId } = uploadOf(ctx, bucket, key);
  if (!(await ctx.store.abortUpload(bucket, uploadId))) throw S3Errors.noSuchUpload(uploadId);
  sendEmpty(ctx, 204);
}
