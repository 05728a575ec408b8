import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * The canonical request, the string to sign and the signature: the part of SigV4 every service
 * shares. https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';
export const TERMINATOR = 'aws4_request';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
/** Hex SHA-256 of nothing: the payload hash of an empty body. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Lower-case hex SHA-256 of a buffer or string (UTF-8). */
export function sha256Hex(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A header's canonical value: each value trimmed, inner whitespace collapsed, repeats joined with `,`. */
export function canonicalHeaderValue(value: string | string[] | undefined): string {
  const values = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return values.map((v) => v.trim().replace(/\s+/g, ' ')).join(',');
}

/** The pieces of a canonical request, URI and query already canonical. */
export interface CanonicalRequestParts {
  method: string;
  /** Already canonical (see canonicalUri). */
  uri: string;
  /** Already canonical (see canonicalQuery). */
  query: string;
  headers: IncomingHttpHeaders;
  /** Lower-case names, in the order the client listed them. */
  signedHeaders: readonly string[];
  payloadHash: string;
}

/** The SigV4 canonical request over exactly the signed headers. */
export function canonicalRequest(parts: CanonicalRequestParts): string {
  const headerLines = parts.signedHeaders.map(
    (name) => `${name}:${canonicalHeaderValue(parts.headers[name])}\n`,
  );
  return [
    parts.method,
    parts.uri,
    parts.query,
    headerLines.join(''),
    parts.signedHeaders.join(';'),
    parts.payloadHash,
  ].join('\n');
}

/** The SigV4 string to sign for a canonical request. */
export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return [SIGV4_ALGORITHM, amzDate, scope, sha256Hex(canonical)].join('\n');
}

const signingKeys = new Map<string, Buffer>();

/** Derives the SigV4 signing key for one day, region and service. */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  // A key is valid for a day: remembering the last few saves four HMACs on every request.
  const id = `${secret}\0${date}\0${region}\0${service}`;
  const cached = signingKeys.get(id);
  if (cached) return cached;
  let key = Buffer.from(`AWS4${secret}`, 'utf8');
  for (const part of [date, region, service, TERMINATOR])
    key = createHmac('sha256', key).update(part).digest();
  if (signingKeys.size >= 256) signingKeys.delete(signingKeys.keys().next().value as string);
  signingKeys.set(id, key);
  return key;
}

/** Hex HMAC-SHA256 of a string to sign (request, chunk or trailer). */
export function sign(key: Buffer, toSign: string): string {
  return createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
}

/** Signatures compared in constant time. */
export function signaturesEqual(computed: string, provided: string): boolean {
  const a = Buffer.from(computed, 'utf8');
  const b = Buffer.from(provided, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
