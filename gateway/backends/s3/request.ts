import type { IncomingMessage } from 'node:http';
import { S3Errors } from './errors';

/** Where a request points: the service, a bucket, or an object in a bucket. */
export type S3Target =
  { kind: 'service' } | { kind: 'bucket'; bucket: string } | { kind: 'object'; bucket: string; key: string };

/** Query parameters: names as sent, values form-decoded (`+` is a space, as S3 reads them). Repeated names keep the first value. */
export type S3Query = Map<string, string>;

const MAX_KEY_BYTES = 1024;

/** Decodes %XX escapes exactly once as UTF-8; a literal `+` stays a plus. Invalid escapes or UTF-8 → InvalidURI. */
export function decodePathSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw S3Errors.invalidURI();
  }
}

/** Parses a raw query string the way S3 does. */
export function parseQuery(rawQuery: string): S3Query {
  const query: S3Query = new Map();
  if (rawQuery === '') return query;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    const name = decodePathSegment(rawName.replace(/\+/g, ' '));
    if (!query.has(name)) query.set(name, decodePathSegment(rawValue.replace(/\+/g, ' ')));
  }
  return query;
}

function isIpLiteral(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.startsWith('[');
}

/**
 * The bucket named by a virtual-host-style Host header (`bkt.localhost:4568`), or undefined for
 * path style. Only hosts ending in one of `baseDomains` are read as `<bucket>.<base>`.
 */
export function bucketFromHost(
  hostHeader: string | undefined,
  baseDomains: readonly string[],
): string | undefined {
  if (!hostHeader) return undefined;
  const host = hostHeader.replace(/:\d+$/, '').toLowerCase();
  if (isIpLiteral(host)) return undefined;
  for (const base of baseDomains) {
    if (host.endsWith('.' + base)) {
      const bucket = host.slice(0, -(base.length + 1));
      if (bucket !== '') return bucket;
    }
  }
  return undefined;
}

/** Splits a raw request target (path without query) into service, bucket or object. */
export function parseTarget(rawPath: string, vhostBucket: string | undefined): S3Target {
  if (!rawPath.startsWith('/')) throw S3Errors.invalidURI();
  let bucket: string;
  let rawKey: string;
  if (vhostBucket !== undefined) {
    bucket = vhostBucket;
    rawKey = rawPath.slice(1);
  } else {
    const slash = rawPath.indexOf('/', 1);
    const rawBucket = slash < 0 ? rawPath.slice(1) : rawPath.slice(1, slash);
    if (rawBucket === '') return { kind: 'service' };
    bucket = decodePathSegment(rawBucket);
    // `/bkt/` (what SDK v3 sends for bucket operations) is the bucket, never an empty key.
    rawKey = slash < 0 ? '' : rawPath.slice(slash + 1);
  }
  if (rawKey === '') return { kind: 'bucket', bucket };
  const key = decodePathSegment(rawKey);
  const bytes = Buffer.byteLength(key, 'utf8');
  if (bytes > MAX_KEY_BYTES) throw S3Errors.keyTooLong(bytes);
  return { kind: 'object', bucket, key };
}

// The query parameters of presigned URLs that carry the signature itself.
const AUTH_PARAMETERS = new Set([
  'x-amz-algorithm',
  'x-amz-credential',
  'x-amz-date',
  'x-amz-expires',
  'x-amz-signedheaders',
  'x-amz-signature',
  'x-amz-security-token',
  'x-amz-content-sha256',
]);

/**
 * In a presigned URL, `x-amz-*` query parameters (x-amz-acl, x-amz-meta-*, ...) stand for the
 * headers the signer hoisted into the query
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html); a header sent as
 * well wins. Checksums are the exception: AWS documents that presigned uploads do not support them,
 * and SDK v3 bakes the CRC32 of an empty body into every presigned PutObject URL, so they are
 * ignored there.
 */
export function hoistQueryHeaders(req: IncomingMessage, query: Map<string, string>): void {
  for (const [name, value] of query) {
    const lower = name.toLowerCase();
    if (!lower.startsWith('x-amz-') || AUTH_PARAMETERS.has(lower) || req.headers[lower] !== undefined)
      continue;
    if (lower.startsWith('x-amz-checksum-') || lower === 'x-amz-sdk-checksum-algorithm') continue;
    req.headers[lower] = value;
    req.rawHeaders.push(lower, value);
  }
}
