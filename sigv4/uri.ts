import { percentDecode, uriEncode } from './encoding';

/**
 * How a service turns the request path into the canonical URI, the one rule in which services
 * differ: S3 decodes the path once and re-encodes it, as it is; every other service (execute-api,
 * Lambda) removes empty, `.` and `..` segments and encodes the path as sent once more, so `%2F`
 * is signed as `%252F`.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html#create-canonical-request
 */
export type UriRule = 's3' | 'normalized';

/** Paths that decoding and re-encoding leave as they are: unreserved characters and `/` only. */
const ALREADY_CANONICAL_PATH = /^[A-Za-z0-9\-_.~/]+$/;

/** The canonical URI of a raw path; undefined when the path holds a malformed `%` escape (S3 rule). */
export function canonicalUri(rawPath: string, rule: 'normalized'): string;
export function canonicalUri(rawPath: string, rule: UriRule): string | undefined;
export function canonicalUri(rawPath: string, rule: UriRule): string | undefined {
  return rule === 's3' ? s3CanonicalUri(rawPath) : normalizedCanonicalUri(rawPath);
}

function s3CanonicalUri(rawPath: string): string | undefined {
  if (rawPath === '') return '/';
  if (ALREADY_CANONICAL_PATH.test(rawPath)) return rawPath;
  const bytes = percentDecode(rawPath);
  return bytes && uriEncode(bytes, true);
}

/** Empty, `.` and `..` segments resolved (RFC 3986 section 5.2.4), then each segment encoded again. */
function normalizedCanonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailingSlash = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  return `/${segments.map((segment) => uriEncode(Buffer.from(segment, 'utf8'), false)).join('/')}${trailingSlash}`;
}
