/**
 * SigV4 pieces shared by every verifier apigw has (the embedded S3 and Lambda, and the gateway's
 * check of execute-api callers): reading the request, dates, the Authorization header as AWS's
 * non-S3 services parse it, and a constant-time comparison. Pure; the callers own their errors.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export const SIGV4_ALGORITHM = 'AWS4-HMAC-SHA256';

/** Splits a request target into raw path and raw query; an absolute-form target loses its origin. */
export function splitTarget(rawUrl: string): { path: string; query: string } {
  const target = rawUrl.replace(/^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?]*/, '');
  const q = target.indexOf('?');
  const path = q < 0 ? target : target.slice(0, q);
  return { path: path === '' ? '/' : path, query: q < 0 ? '' : target.slice(q + 1) };
}

/** One header as a single string (repeats joined with `,`). */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** `20130524T000000Z` from a time. */
export function toAmzDate(date: Date | number): string {
  return new Date(date)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A Date from UTC fields, or undefined when a field is out of range (e.g. Feb 30). */
function utcDate(y: number, mo: number, d: number, h: number, mi: number, s: number): Date | undefined {
  const date = new Date(Date.UTC(y, mo, d, h, mi, s));
  const roundTrips =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s;
  return roundTrips ? date : undefined;
}

/** `20130524T000000Z` (ISO 8601 basic, the X-Amz-Date form); undefined otherwise. */
export function parseAmzDate(raw: string): Date | undefined {
  const iso = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(raw);
  return iso ? utcDate(+iso[1], +iso[2] - 1, +iso[3], +iso[4], +iso[5], +iso[6]) : undefined;
}

/** An RFC 1123 HTTP date (`Fri, 24 May 2013 00:00:00 GMT`, also `UTC`/`+0000`); undefined otherwise. */
export function parseHttpDate(raw: string): Date | undefined {
  const http =
    /^[A-Z][a-z]{2}, (\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (?:GMT|UTC|\+0000)$/.exec(
      raw.trim(),
    );
  if (!http || !MONTHS.includes(http[2])) return undefined;
  return utcDate(+http[3], MONTHS.indexOf(http[2]), +http[1], +http[4], +http[5], +http[6]);
}

/** Either form, as the X-Amz-Date or Date header of a signed request may carry. */
export function parseSigningDate(raw: string): Date | undefined {
  return parseAmzDate(raw) ?? parseHttpDate(raw);
}

/** Signatures compared in constant time. */
export function signaturesEqual(computed: string, provided: string): boolean {
  const a = Buffer.from(computed, 'utf8');
  const b = Buffer.from(provided, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The parameters of an `Authorization: AWS4-HMAC-SHA256 …` header. */
export interface AuthorizationFields {
  credential: string;
  signature: string;
  /** Lower-cased. */
  signedHeaders: string[];
  /** X-Amz-Date (or the Date header) as sent. */
  rawDate: string;
}

/**
 * Parses `Authorization` as AWS's non-S3 services do: the value splits on whitespace and commas,
 * the first token is the algorithm and every other token must be key=value (observed:
 * `Bearer <jwt>` → "'<jwt>' not a valid key=value pair…", a bare JWT → the "requires
 * 'Credential'…" list), so the algorithm is only judged once the parameters are complete.
 * `incomplete` builds the caller's IncompleteSignatureException.
 */
export function parseAuthorizationHeader(
  authorization: string,
  headers: IncomingHttpHeaders,
  incomplete: (message: string) => Error,
): AuthorizationFields {
  const [algorithm = '', ...pairs] = authorization.split(/[\s,]+/).filter((token) => token !== '');
  const found = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 0) {
      throw incomplete(
        `'${pair}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authorization}'.`,
      );
    }
    found.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  const rawDate = headerValue(headers, 'x-amz-date') ?? headerValue(headers, 'date');
  const missing = [
    found.has('Credential') ? '' : "Authorization header requires 'Credential' parameter.",
    found.has('Signature') ? '' : "Authorization header requires 'Signature' parameter.",
    found.has('SignedHeaders') ? '' : "Authorization header requires 'SignedHeaders' parameter.",
    rawDate !== undefined
      ? ''
      : "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
  ].filter((message) => message !== '');
  if (missing.length > 0) throw incomplete(`${missing.join(' ')} Authorization=${authorization}`);
  if (algorithm !== SIGV4_ALGORITHM) throw incomplete(`Unsupported AWS 'algorithm': '${algorithm}'.`);
  return {
    credential: found.get('Credential') as string,
    signature: found.get('Signature') as string,
    signedHeaders: (found.get('SignedHeaders') as string).split(';').map((name) => name.toLowerCase()),
    rawDate: rawDate as string,
  };
}
