import { pipeline } from 'node:stream/promises';
import { declareBody, receiveBody } from '../body';
import { checksumHeader } from '../checksums';
import { sendEmpty, type S3Context } from '../context';
import { S3Errors } from '../errors';
import { quoteEtag } from '../format';
import { isDeleteMarker } from '../store';
import type { ObjectRecord } from '../store/types';
import { authorizeBucket, authorizeObject, findBucket, uploaderOf } from './access';
import { objectHeaders, requestAttributes } from './attributes';
import { etagListMatches, evaluatePreconditions, resolveRange } from './conditions';
import {
  deleteMarkerReached,
  missingVersion,
  requestedVersionId,
  versionIdHeader,
  writtenVersionHeader,
} from './version-addressing';

type ObjectTarget = { bucket: string; key: string };

/** `response-*` query parameters of GetObject and the headers they replace. */
const RESPONSE_OVERRIDES: Record<string, string> = {
  'response-content-type': 'Content-Type',
  'response-content-language': 'Content-Language',
  'response-expires': 'Expires',
  'response-cache-control': 'Cache-Control',
  'response-content-disposition': 'Content-Disposition',
  'response-content-encoding': 'Content-Encoding',
};

/** Conditional writes: If-None-Match: * refuses to overwrite, If-Match requires the current ETag. */
export function checkWritePreconditions(
  ctx: S3Context,
  key: string,
  current: ObjectRecord | undefined,
): void {
  const ifNoneMatch = ctx.req.headers['if-none-match'];
  if (typeof ifNoneMatch === 'string' && current && etagListMatches(ifNoneMatch, current.etag)) {
    throw S3Errors.preconditionFailed('If-None-Match');
  }
  const ifMatch = ctx.req.headers['if-match'];
  if (typeof ifMatch === 'string') {
    if (!current) throw S3Errors.noSuchKey(key);
    if (!etagListMatches(ifMatch, current.etag)) throw S3Errors.preconditionFailed('If-Match');
  }
}

/** A part number as S3 takes it: an integer 1…10000, else InvalidArgument. */
export function partNumberOf(raw: string): number {
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 10000) {
    throw S3Errors.invalidArgument(
      'Part number must be an integer between 1 and 10000, inclusive',
      'partNumber',
      raw,
    );
  }
  return Number(raw);
}

/** PutObject: the body streams to a staged file and becomes visible only when whole and verified. */
export async function putObject(ctx: S3Context, { bucket, key }: ObjectTarget): Promise<void> {
  const bucketRecord = authorizeBucket(ctx, bucket, 'WRITE');
  const declaration = declareBody(ctx);
  const attributes = requestAttributes(ctx, bucketRecord);
  checkWritePreconditions(ctx, key, ctx.store.getObjectRecord(bucket, key));
  const staged = await ctx.store.stageObject(bucket);
  const checksums = await receiveBody(ctx, declaration, staged);
  const record = await staged.commit(key, { ...attributes, checksums: Object.fromEntries(checksums) });
  const headers: Record<string, string> = {
    ETag: quoteEtag(record.etag),
    ...writtenVersionHeader(record.versionId),
  };
  for (const [algorithm, value] of checksums) headers[checksumHeader(algorithm)] = value;
  sendEmpty(ctx, 200, headers);
}

/**
 * The byte range of `?partNumber=N`: that part of a multipart object; part 1 of any other object
 * is the whole of it. Beyond the last part → InvalidPart.
 */
function partRange(record: ObjectRecord, partNumber: number): { start: number; end: number } {
  const sizes = record.parts ?? [record.size];
  if (partNumber > sizes.length) throw S3Errors.invalidPart();
  const start = sizes.slice(0, partNumber - 1).reduce((a, b) => a + b, 0);
  return { start, end: start + sizes[partNumber - 1] - 1 };
}

/**
 * GetObject and HeadObject of the latest version or of `versionId`: preconditions, then Range (or
 * partNumber), then the bytes (streamed from disk, or sent at once when small).
 */
export async function getObject(ctx: S3Context, { bucket, key }: ObjectTarget): Promise<void> {
  const bucketRecord = findBucket(ctx, bucket);
  const versionId = requestedVersionId(ctx);
  const rawPart = ctx.query.get('partNumber');
  const partNumber = rawPart === undefined ? undefined : partNumberOf(rawPart);
  if (partNumber !== undefined && ctx.req.headers.range !== undefined) {
    throw S3Errors.invalidRequest('Cannot specify both Range header and partNumber query parameter');
  }
  const opened = await ctx.store.openObject(bucket, key, versionId);
  if (!opened) missingVersion(ctx, bucketRecord, key, versionId);
  if (isDeleteMarker(opened)) deleteMarkerReached(ctx, bucketRecord, opened, versionId);
  let streaming = false;
  try {
    const { record } = opened;
    authorizeObject(ctx, record, 'READ');
    const headers = { ...objectHeaders(record), ...versionIdHeader(bucketRecord, record.versionId) };
    if (evaluatePreconditions(ctx.req.headers, record) === 'not-modified') {
      sendEmpty(ctx, 304, {
        ETag: headers.ETag,
        'Last-Modified': headers['Last-Modified'],
        ...versionIdHeader(bucketRecord, record.versionId),
      });
      return;
    }
    const range =
      partNumber === undefined
        ? resolveRange(ctx.req.headers.range, record.size)
        : { kind: 'partial' as const, ...partRange(record, partNumber) };
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
      // An empty part of an empty object has no byte range to name.
      if (end >= start) headers['Content-Range'] = `bytes ${start}-${end}/${record.size}`;
    } else if (ctx.req.headers['x-amz-checksum-mode'] === 'ENABLED') {
      // A stored checksum describes the whole object, so it is only sent with whole-object reads.
      for (const [algorithm, value] of Object.entries(record.checksums)) {
        headers[checksumHeader(algorithm)] = value;
      }
    }
    if (partNumber !== undefined && record.parts)
      headers['x-amz-mp-parts-count'] = String(record.parts.length);
    headers['Content-Length'] = String(Math.max(0, end - start + 1));
    if (ctx.method === 'HEAD' || end < start) {
      sendEmpty(ctx, status, headers);
      return;
    }
    ctx.res.writeHead(status, headers);
    if (opened.body) {
      // Small objects are in memory already: one write, no stream.
      ctx.res.end(opened.body.subarray(start, Math.min(end, record.size - 1) + 1));
      return;
    }
    streaming = true;
    await pipeline(opened.createReadStream(start, end), ctx.res);
  } finally {
    if (!streaming) await opened.close();
  }
}

/**
 * DeleteObject: 204 whether or not there was anything to delete. Without `versionId` it removes
 * the object of an unversioned bucket and adds a delete marker in a versioned one; with it, that
 * version goes for good. The headers say which version was deleted or created, and whether it is
 * a delete marker.
 */
export async function deleteObject(ctx: S3Context, { bucket, key }: ObjectTarget): Promise<void> {
  const bucketRecord = authorizeBucket(ctx, bucket, 'WRITE');
  const versionId = requestedVersionId(ctx);
  const { removed, marker } = await ctx.store.deleteObject(
    bucket,
    key,
    versionId,
    uploaderOf(ctx, bucketRecord),
  );
  const headers: Record<string, string> = {};
  if (marker) {
    headers['x-amz-delete-marker'] = 'true';
    headers['x-amz-version-id'] = marker.versionId;
  } else if (versionId !== undefined) {
    if (removed && isDeleteMarker(removed)) headers['x-amz-delete-marker'] = 'true';
    headers['x-amz-version-id'] = versionId;
  }
  sendEmpty(ctx, 204, headers);
}
