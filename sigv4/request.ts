import type { IncomingHttpHeaders } from 'node:http';
import { SIGV4_ALGORITHM } from './canonical';

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

/** The credential scope of a signature: `AKID/20130524/us-east-1/s3/aws4_request`. */
export interface Credential {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  terminator: string;
  /** `date/region/service/terminator`, the scope line of the string to sign. */
  scope: string;
}

/** Splits a credential into its five parts; undefined when there are not exactly five. */
export function splitCredential(value: string): Credential | undefined {
  const parts = value.split('/');
  if (parts.length !== 5) return undefined;
  const [accessKeyId, date, region, service, terminator] = parts;
  return { accessKeyId, date, region, service, terminator, scope: parts.slice(1).join('/') };
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
 * An Authorization header that cannot be read, with the message AWS's non-S3 services give
 * (their IncompleteSignatureException).
 */
export interface IncompleteAuthorization {
  incomplete: string;
}

/**
 * Parses `Authorization` as AWS's non-S3 services do: the value splits on whitespace and commas,
 * the first token is the algorithm and every other token must be key=value (observed:
 * `Bearer <jwt>` → "'<jwt>' not a valid key=value pair…", a bare JWT → the "requires
 * 'Credential'…" list), so the algorithm is only judged once the parameters are complete.
 */
export function parseAuthorizationHeader(
  authorization: string,
  headers: IncomingHttpHeaders,
): AuthorizationFields | IncompleteAuthorization {
  const [algorithm = '', ...pairs] = authorization.split(/[\s,]+/).filter((token) => token !== '');
  const found = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 0) {
      return {
        incomplete: `'${pair}' not a valid key=value pair (missing equal-sign) in Authorization header: '${authorization}'.`,
      };
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
  if (missing.length > 0) return { incomplete: `${missing.join(' ')} Authorization=${authorization}` };
  if (algorithm !== SIGV4_ALGORITHM) return { incomplete: `Unsupported AWS 'algorithm': '${algorithm}'.` };
  return {
    credential: found.get('Credential') as string,
    signature: found.get('Signature') as string,
    signedHeaders: (found.get('SignedHeaders') as string).split(';').map((name) => name.toLowerCase()),
    rawDate: rawDate as string,
  };
}

/** The message of a credential that does not split into five parts (non-S3 services). */
export function malformedCredentialMessage(value: string): string {
  return `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${value}'`;
}
