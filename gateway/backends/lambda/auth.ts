import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  sha256Hex,
  sign,
  signingKey,
  stringToSign,
  uriEncode,
} from '../s3/auth';
import { LambdaErrors } from './errors';

/**
 * SigV4 verification of Invoke calls as the AWS front end of Lambda performs it (service
 * `lambda`, any region, 5 minutes of clock skew, the body hashed into the signature), with its
 * error codes. Only the Authorization-header form: SDKs, the CLI and API Gateway all use it.
 */

/** An access key the embedded Lambda accepts. */
export interface LambdaCredential {
  accessKeyId: string;
  secretAccessKey: string;
}

/** What the verifier reads from an incoming request. */
export interface SignedLambdaRequest {
  method: string;
  /** Path and query exactly as received. */
  rawUrl: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** Who signed a verified request, and for which region. */
export interface LambdaCaller {
  accessKeyId: string;
  region: string;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SERVICE = 'lambda';
const SKEW_MS = 5 * 60 * 1000;

function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

interface AuthFields {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  scope: string;
  signedHeaders: string[];
  signature: string;
  rawDate: string;
}

/** Splits `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…` (AWS's messages for what is missing). */
function authFields(authorization: string, headers: IncomingHttpHeaders): AuthFields {
  const [algorithm = '', ...pairs] = authorization.split(/[\s,]+/).filter((t) => t !== '');
  const found = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq < 0) {
      throw LambdaErrors.incompleteSignature(
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
  ].filter((m) => m !== '');
  if (missing.length > 0) {
    throw LambdaErrors.incompleteSignature(`${missing.join(' ')} Authorization=${authorization}`);
  }
  if (algorithm !== ALGORITHM)
    throw LambdaErrors.incompleteSignature(`Unsupported AWS 'algorithm': '${algorithm}'.`);
  const credential = found.get('Credential') as string;
  const parts = credential.split('/');
  if (parts.length !== 5) {
    throw LambdaErrors.incompleteSignature(
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${credential}'`,
    );
  }
  const [accessKeyId, date, region, service] = parts;
  return {
    accessKeyId,
    date,
    region,
    service,
    scope: parts.slice(1).join('/'),
    signedHeaders: (found.get('SignedHeaders') as string).split(';').map((h) => h.toLowerCase()),
    signature: found.get('Signature') as string,
    rawDate: rawDate as string,
  };
}

/** `20130524T000000Z`, or undefined when the value is not one. */
function parseAmzDate(raw: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(raw);
  if (!m) {
    const http = Date.parse(raw);
    return /GMT$/.test(raw.trim()) && !Number.isNaN(http) ? new Date(http) : undefined;
  }
  const date = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]));
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function toAmzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

function checkTime(date: Date, now: Date): void {
  const nowMs = Math.floor(now.getTime() / 1000) * 1000;
  if (date.getTime() < nowMs - SKEW_MS) {
    throw LambdaErrors.invalidSignature(
      `Signature expired: ${toAmzDate(date.getTime())} is now earlier than ${toAmzDate(nowMs - SKEW_MS)} (${toAmzDate(nowMs)} - 5 min.)`,
    );
  }
  if (date.getTime() > nowMs + SKEW_MS) {
    throw LambdaErrors.invalidSignature(
      `Signature not yet current: ${toAmzDate(date.getTime())} is still later than ${toAmzDate(nowMs + SKEW_MS)} (${toAmzDate(nowMs)} + 5 min.)`,
    );
  }
}

function splitTarget(rawUrl: string): { path: string; query: string } {
  const q = rawUrl.indexOf('?');
  const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
  return { path: path === '' ? '/' : path, query: q < 0 ? '' : rawUrl.slice(q + 1) };
}

/**
 * Services other than S3 sign the path encoded once more (`%3A` is signed as `%253A`); signers
 * that sign it as sent (curl 7.x) are accepted too, which costs nothing in an emulator.
 */
function candidateUris(rawPath: string): string[] {
  const doubled = uriEncode(Buffer.from(rawPath, 'utf8'), true);
  let single: string;
  try {
    single = canonicalUri(rawPath);
  } catch {
    return [doubled];
  }
  return single === doubled ? [doubled] : [doubled, single];
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Verifies a request's SigV4 signature; throws the LambdaServiceError AWS would answer with. */
export function verifyLambdaRequest(
  req: SignedLambdaRequest,
  lookup: (accessKeyId: string) => LambdaCredential | undefined,
  now: Date = new Date(),
): LambdaCaller {
  const authorization = headerValue(req.headers, 'authorization');
  if (authorization === undefined) throw LambdaErrors.missingAuthenticationToken();
  const fields = authFields(authorization, req.headers);
  const date = parseAmzDate(fields.rawDate);
  if (!date) {
    throw LambdaErrors.incompleteSignature(
      `Date must be in ISO-8601 'basic format'. Got '${fields.rawDate}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  if (fields.service !== SERVICE) {
    throw LambdaErrors.invalidSignature(`Credential should be scoped to correct service: '${SERVICE}'. `);
  }
  const amzDate = toAmzDate(date.getTime());
  if (fields.date !== amzDate.slice(0, 8)) {
    throw LambdaErrors.invalidSignature(
      `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${fields.date}' != '${amzDate.slice(0, 8)}', from '${fields.rawDate}'.`,
    );
  }
  if (!fields.signedHeaders.includes('host')) {
    throw LambdaErrors.invalidSignature(
      "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.",
    );
  }
  checkTime(date, now);
  const credential = lookup(fields.accessKeyId);
  if (!credential) throw LambdaErrors.unrecognizedClient();

  const { path, query } = splitTarget(req.rawUrl);
  let canonicalQueryString: string;
  try {
    canonicalQueryString = canonicalQuery(query, { excludeSignature: false });
  } catch {
    throw LambdaErrors.invalidSignature(
      'The request signature we calculated does not match the signature you provided.',
    );
  }
  const key = signingKey(credential.secretAccessKey, fields.date, fields.region, SERVICE);
  const payloadHash = sha256Hex(req.body);
  for (const uri of candidateUris(path)) {
    const canonical = canonicalRequest({
      method: req.method,
      uri,
      query: canonicalQueryString,
      headers: req.headers,
      signedHeaders: fields.signedHeaders,
      payloadHash,
    });
    if (equal(sign(key, stringToSign(amzDate, fields.scope, canonical)), fields.signature)) {
      return { accessKeyId: fields.accessKeyId, region: fields.region };
    }
  }
  throw LambdaErrors.invalidSignature(
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );
}
