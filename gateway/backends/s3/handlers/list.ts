import { sendXml, type S3Context } from '../context';
import { S3Errors } from '../errors';
import { ownerXml, quoteEtag, urlEncodeKey, xmlTime } from '../format';
import type { ListResult, ObjectRecord } from '../store/types';
import { el, S3_NS, type Xml } from '../xml';
import { authorizeBucket } from './access';

type BucketTarget = { bucket: string };

const MAX_KEYS = 1000;

/** A non-negative integer query parameter capped at `ceiling` (S3 caps, not refuses); `fallback` when absent. */
export function boundedInteger(ctx: S3Context, name: string, fallback: number, ceiling: number): number {
  const raw = ctx.query.get(name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) {
    throw S3Errors.invalidArgument(`Provided ${name} not an integer or within integer range`, name, raw);
  }
  return Math.min(Number(raw), ceiling);
}

function maxKeysOf(ctx: S3Context): number {
  return boundedInteger(ctx, 'max-keys', MAX_KEYS, MAX_KEYS);
}

/** The encoder for keys and prefixes: identity, or %-encoding with encoding-type=url. */
export function encoderOf(ctx: S3Context): (s: string) => string {
  const type = ctx.query.get('encoding-type');
  if (type === undefined) return (s) => s;
  if (type !== 'url')
    throw S3Errors.invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', type);
  return urlEncodeKey;
}

/** What every listing reads first: READ on the bucket, then the key encoder, prefix and delimiter. */
export function listingRequest(
  ctx: S3Context,
  bucket: string,
): { encode: (s: string) => string; prefix: string; delimiter: string } {
  authorizeBucket(ctx, bucket, 'READ');
  return {
    encode: encoderOf(ctx),
    prefix: ctx.query.get('prefix') ?? '',
    delimiter: ctx.query.get('delimiter') ?? '',
  };
}

/** The closing elements of ListObjects (v1) and ListObjectVersions, in S3's order. */
export function listingTrailer(
  ctx: S3Context,
  encode: (s: string) => string,
  listing: { maxKeys: number; delimiter: string; isTruncated: boolean },
): Array<Xml | undefined> {
  return [
    el('MaxKeys', listing.maxKeys),
    listing.delimiter !== '' ? el('Delimiter', encode(listing.delimiter)) : undefined,
    el('IsTruncated', listing.isTruncated),
    encodingTypeXml(ctx),
  ];
}

/** Sends a listing: its root element with the bucket's name and the prefix first, then `children`. */
export function sendListing(
  ctx: S3Context,
  root: 'ListBucketResult' | 'ListVersionsResult',
  listing: { bucket: string; prefix: string; encode: (s: string) => string },
  children: Array<Xml | Xml[] | undefined>,
): void {
  sendXml(
    ctx,
    200,
    el(
      root,
      { xmlns: S3_NS },
      el('Name', listing.bucket),
      el('Prefix', listing.encode(listing.prefix)),
      children,
    ),
  );
}

/** `<EncodingType>url</EncodingType>` when the client asked for url-encoded keys. */
export function encodingTypeXml(ctx: S3Context): Xml | undefined {
  return ctx.query.has('encoding-type') ? el('EncodingType', 'url') : undefined;
}

function contentsXml(record: ObjectRecord, encode: (s: string) => string, withOwner: boolean): Xml {
  return el(
    'Contents',
    el('Key', encode(record.key)),
    el('LastModified', xmlTime(record.lastModified)),
    el('ETag', quoteEtag(record.etag)),
    el('Size', record.size),
    withOwner ? ownerXml(record.owner) : undefined,
    el('StorageClass', record.storageClass),
  );
}

function entriesXml(result: ListResult, encode: (s: string) => string, withOwner: boolean): Xml[] {
  const contents: Xml[] = [];
  const prefixes: Xml[] = [];
  for (const entry of result.entries) {
    if (entry.kind === 'object') contents.push(contentsXml(entry.record, encode, withOwner));
    else prefixes.push(el('CommonPrefixes', el('Prefix', encode(entry.prefix))));
  }
  return [...contents, ...prefixes];
}

/** ListObjects (v1): prefix, delimiter, marker, max-keys, encoding-type. */
export async function listObjects(ctx: S3Context, { bucket: name }: BucketTarget): Promise<void> {
  const { encode, prefix, delimiter } = listingRequest(ctx, name);
  const marker = ctx.query.get('marker') ?? '';
  const maxKeys = maxKeysOf(ctx);
  const result = ctx.store.listObjects(name, { prefix, delimiter, after: marker, maxKeys });
  sendListing(ctx, 'ListBucketResult', { bucket: name, prefix, encode }, [
    el('Marker', encode(marker)),
    // Clients continue from NextMarker only with a delimiter; without one, from the last key.
    delimiter !== '' && result.isTruncated ? el('NextMarker', encode(result.last)) : undefined,
    ...listingTrailer(ctx, encode, { maxKeys, delimiter, isTruncated: result.isTruncated }),
    entriesXml(result, encode, true),
  ]);
}

// The v2 continuation token is opaque to clients; it names the bucket so that a token cannot be
// replayed against another listing by mistake.
function encodeToken(bucket: string, after: string): string {
  return Buffer.from(JSON.stringify({ b: bucket, a: after }), 'utf8').toString('base64');
}

function decodeToken(bucket: string, token: string): string {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    const { b, a } = parsed as { b: unknown; a: unknown };
    if (b === bucket && typeof a === 'string') return a;
  } catch {
    // fall through to the error S3 gives
  }
  throw S3Errors.invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
}

/** ListObjectsV2: continuation-token, start-after, fetch-owner, KeyCount. */
export async function listObjectsV2(ctx: S3Context, { bucket: name }: BucketTarget): Promise<void> {
  const { encode, prefix, delimiter } = listingRequest(ctx, name);
  const token = ctx.query.get('continuation-token');
  const startAfter = ctx.query.get('start-after');
  const fetchOwner = ctx.query.get('fetch-owner') === 'true';
  const maxKeys = maxKeysOf(ctx);
  const after = token ? decodeToken(name, token) : (startAfter ?? '');
  const result = ctx.store.listObjects(name, { prefix, delimiter, after, maxKeys });
  sendListing(ctx, 'ListBucketResult', { bucket: name, prefix, encode }, [
    delimiter !== '' ? el('Delimiter', encode(delimiter)) : undefined,
    el('MaxKeys', maxKeys),
    el('KeyCount', result.entries.length),
    el('IsTruncated', result.isTruncated),
    encodingTypeXml(ctx),
    token !== undefined ? el('ContinuationToken', token) : undefined,
    result.isTruncated ? el('NextContinuationToken', encodeToken(name, result.last)) : undefined,
    startAfter !== undefined ? el('StartAfter', encode(startAfter)) : undefined,
    entriesXml(result, encode, fetchOwner),
  ]);
}
