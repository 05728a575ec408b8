import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { parseAmzDate, parseHttpDate, signaturesEqual, splitTarget, toAmzDate } from '../../sigv4';
import { S3Error, S3Errors } from '../errors';
import type { S3User, UserLookup } from '../identity';

/** What the verifier needs from an incoming request. */
export interface SignedRequest {
  method: string;
  /** Request target exactly as received: path + '?' + query, percent-encoded as on the wire. */
  rawUrl: string;
  /** Node's lower-cased headers. */
  headers: IncomingHttpHeaders;
}

/**
 * How the body is protected, from `x-amz-content-sha256` (or its presigned equivalent): `sha256` means
 * the body must hash to `hex` (see payloadHashCheck); `streaming` bodies are aws-chunked framed.
 */
export type PayloadMode =
  { kind: 'sha256'; hex: string } | { kind: 'unsigned' } | { kind: 'streaming'; value: string };

/** Outcome of authentication: who sent the request and what the body handler must still verify. */
export type AuthResult =
  | { kind: 'anonymous'; payload: PayloadMode }
  | {
      kind: 'signed';
      user: S3User;
      payload: PayloadMode;
      presigned: boolean;
      /** What an aws-chunked decoder needs to verify chunk signatures. */
      signingKey: Buffer;
      amzDate: string;
      scope: string;
      seedSignature: string;
    };

/** Where access keys are looked up, and the server clock (injectable for tests). */
export interface VerifyOptions {
  lookup: UserLookup;
  now?: Date;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
const SERVICE = 's3';
const TERMINATOR = 'aws4_request';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const MAX_SKEW_MS = 15 * 60 * 1000;
const MAX_EXPIRES_SECONDS = 7 * 24 * 60 * 60;
const STREAMING_MODES = new Set([
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD',
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER',
]);
const QUERY_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
] as const;

// ---------------------------------------------------------------------------------------------
// Canonical request building blocks
// ---------------------------------------------------------------------------------------------

const UNRESERVED = /[A-Za-z0-9\-_.~]/;
const ESCAPE_TABLE = Array.from({ length: 256 }, (_, byte) => {
  const char = String.fromCharCode(byte);
  return UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
});

/** RFC 3986 encoding of raw bytes as SigV4 wants it (upper-case hex); `/` kept only in paths. */
export function uriEncode(bytes: Buffer, keepSlash: boolean): string {
  let out = '';
  for (const byte of bytes) out += keepSlash && byte === 0x2f ? '/' : ESCAPE_TABLE[byte];
  return out;
}

/** Decodes `%XX` escapes into bytes; other characters are taken as UTF-8. Bad escapes → InvalidURI. */
export function percentDecode(raw: string, plusAsSpace = false): Buffer {
  if (/%(?![0-9A-Fa-f]{2})/.test(raw)) throw S3Errors.invalidURI();
  // split() with a capture group alternates literal runs (even indexes) and escapes (odd indexes).
  const pieces = raw.split(/(%[0-9A-Fa-f]{2})/);
  return Buffer.concat(
    pieces.map((piece, i) =>
      i % 2 === 1
        ? Buffer.from([parseInt(piece.slice(1), 16)])
        : Buffer.from(plusAsSpace ? piece.replace(/\+/g, ' ') : piece, 'utf8'),
    ),
  );
}

/** Paths that decoding and re-encoding leave as they are: unreserved characters and `/` only. */
const ALREADY_CANONICAL_PATH = /^[A-Za-z0-9\-_.~/]+$/;

/** S3's canonical URI: decode the path once and re-encode it, without any `.`/`..`/`//` normalisation. */
export function canonicalUri(rawPath: string): string {
  if (rawPath === '') return '/';
  return ALREADY_CANONICAL_PATH.test(rawPath) ? rawPath : uriEncode(percentDecode(rawPath), true);
}

/** How canonicalQuery reads the raw query. */
export interface CanonicalQueryOptions {
  /** Leave out `X-Amz-Signature` (presigned URLs sign everything but the signature). */
  excludeSignature: boolean;
  /** Read a raw `+` as a space (form encoding) instead of a literal plus. */
  plusAsSpace?: boolean;
}

/** Splits a raw query string into raw (still encoded) name/value pairs; `name` alone has value ''. */
function splitQuery(rawQuery: string): Array<[string, string]> {
  return rawQuery
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    });
}

/** The canonical query string: every parameter re-encoded, sorted by name then value. */
export function canonicalQuery(rawQuery: string, options: CanonicalQueryOptions): string {
  if (rawQuery === '') return '';
  const plus = options.plusAsSpace ?? false;
  return splitQuery(rawQuery)
    .filter(([name]) => !(options.excludeSignature && percentDecode(name).toString() === 'X-Amz-Signature'))
    .map(([name, value]) => [
      uriEncode(percentDecode(name, plus), false),
      uriEncode(percentDecode(value, plus), false),
    ])
    .sort(([n1, v1], [n2, v2]) => (n1 !== n2 ? compare(n1, n2) : compare(v1, v2)))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
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
  return [ALGORITHM, amzDate, scope, createHash('sha256').update(canonical, 'utf8').digest('hex')].join('\n');
}

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

const signingKeys = new Map<string, Buffer>();

/** Hex HMAC-SHA256 of a string to sign (request, chunk or trailer). */
export function sign(key: Buffer, toSign: string): string {
  return createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Dates
// ---------------------------------------------------------------------------------------------

/** `2013-05-24T00:00:00Z`, the form AWS uses for ServerTime and Expires in error bodies. */
function toIsoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---------------------------------------------------------------------------------------------
// Parsing the two auth forms into one shape
// ---------------------------------------------------------------------------------------------

/** Everything needed to recompute a signature, whichever form carried it. */
interface AuthParams {
  accessKeyId: string;
  region: string;
  scope: string;
  amzDate: string;
  signedHeaders: string[];
  signature: string;
  /** The payload line of the canonical request. */
  payloadHash: string;
  payload: PayloadMode;
  presigned: boolean;
}

interface Credential {
  accessKeyId: string;
  date: string;
  region: string;
  scope: string;
}

/** Reads one header as a single string (repeats joined with `,`). */
function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** Classifies an `x-amz-content-sha256` value; anything S3 does not know → InvalidArgument. */
function payloadMode(value: string): PayloadMode {
  if (/^[0-9A-Fa-f]{64}$/.test(value)) return { kind: 'sha256', hex: value.toLowerCase() };
  if (value === UNSIGNED_PAYLOAD) return { kind: 'unsigned' };
  if (STREAMING_MODES.has(value)) return { kind: 'streaming', value };
  throw S3Errors.invalidArgument(
    `x-amz-content-sha256 must be ${UNSIGNED_PAYLOAD}, ${[...STREAMING_MODES].join(', ')} or a valid sha256 value.`,
    'x-amz-content-sha256',
    value,
  );
}

/**
 * Splits `AK/20130524/us-east-1/s3/aws4_request` and checks it against the request date. Any region
 * is accepted: the emulator answers for every region, the region only feeds the signing key.
 */
function parseCredential(value: string, amzDate: string, fail: (message: string) => S3Error): Credential {
  const parts = value.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) {
    throw fail('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  const [accessKeyId, date, region, service, terminator] = parts;
  if (date !== amzDate.slice(0, 8)) {
    throw fail(
      `Invalid credential date "${date}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`,
    );
  }
  if (service !== SERVICE) {
    throw fail(`incorrect service "${service}". This endpoint belongs to "${SERVICE}".`);
  }
  if (terminator !== TERMINATOR) {
    throw fail(`incorrect terminal "${terminator}". This endpoint uses "${TERMINATOR}".`);
  }
  return { accessKeyId, date, region, scope: parts.slice(1).join('/') };
}

/** Splits a SignedHeaders list and insists on `host`, which binds the signature to the endpoint. */
function parseSignedHeaders(value: string): string[] {
  const names = value.split(';').map((name) => name.toLowerCase());
  if (!names.includes('host')) {
    throw S3Errors.accessDenied('There were headers present in the request which were not signed', {
      HeadersNotSigned: 'host',
    });
  }
  return names;
}

function malformedAuthorization(): S3Error {
  return S3Errors.authorizationHeaderMalformed(
    'The authorization header is malformed; the authorization header requires three components: Credential, SignedHeaders, and Signature.',
  );
}

/** Splits `Credential=..., SignedHeaders=..., Signature=...` (any order, whitespace after commas optional). */
function parseAuthorizationComponents(
  rest: string,
): Record<'Credential' | 'SignedHeaders' | 'Signature', string> {
  const found = new Map<string, string>();
  for (const component of rest.split(',')) {
    const m = /^\s*(Credential|SignedHeaders|Signature)=(\S*)\s*$/.exec(component);
    if (!m || found.has(m[1])) throw malformedAuthorization();
    found.set(m[1], m[2]);
  }
  const credential = found.get('Credential');
  const signedHeaders = found.get('SignedHeaders');
  const signature = found.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    throw malformedAuthorization();
  }
  return { Credential: credential, SignedHeaders: signedHeaders, Signature: signature };
}

/**
 * The request time of header auth: `x-amz-date`, else the `Date` header; returns the raw value
 * too, and the time in the X-Amz-Date form.
 */
function headerDate(headers: IncomingHttpHeaders): { date: Date; raw: string; amzDate: string } {
  const amzDate = header(headers, 'x-amz-date');
  const httpDate = header(headers, 'date');
  const date =
    amzDate !== undefined
      ? parseAmzDate(amzDate)
      : httpDate !== undefined
        ? parseHttpDate(httpDate)
        : undefined;
  if (!date) throw S3Errors.accessDenied('AWS authentication requires a valid Date or x-amz-date header');
  // A valid x-amz-date is in that form already (parseAmzDate only takes values that round-trip).
  return { date, raw: (amzDate ?? httpDate) as string, amzDate: amzDate ?? toAmzDate(date) };
}

/** Parses and checks `Authorization: AWS4-HMAC-SHA256 ...` (header auth). */
function headerAuth(req: SignedRequest, authorization: string, now: Date): AuthParams {
  const m = /^\s*(\S*)\s*(.*)$/s.exec(authorization) as RegExpExecArray;
  if (m[1] !== ALGORITHM) {
    if (m[1] === '') throw malformedAuthorization();
    throw S3Errors.invalidRequest(
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    );
  }
  const components = parseAuthorizationComponents(m[2]);
  const signedHeaders = parseSignedHeaders(components.SignedHeaders);

  const payloadHash = header(req.headers, 'x-amz-content-sha256');
  if (payloadHash === undefined) {
    throw S3Errors.invalidRequest('Missing required header for this request: x-amz-content-sha256');
  }
  const payload = payloadMode(payloadHash);

  const { date, raw, amzDate } = headerDate(req.headers);
  const credential = parseCredential(components.Credential, amzDate, (message) =>
    S3Errors.authorizationHeaderMalformed(`The authorization header is malformed; ${message}`),
  );
  if (Math.abs(now.getTime() - date.getTime()) > MAX_SKEW_MS) {
    throw S3Errors.requestTimeTooSkewed(raw, toIsoSeconds(now));
  }
  // Spelled out rather than spread: this runs on every request and spreading is slow.
  return {
    accessKeyId: credential.accessKeyId,
    region: credential.region,
    scope: credential.scope,
    amzDate,
    signedHeaders,
    signature: components.Signature,
    payloadHash,
    payload,
    presigned: false,
  };
}

/** Parses and checks the X-Amz-* query parameters of a presigned URL (query auth). */
function queryAuth(req: SignedRequest, query: Map<string, string>, now: Date): AuthParams {
  const fail = (message: string) => S3Errors.authorizationQueryParametersError(message);
  const params = QUERY_PARAMS.map((name) => query.get(name));
  const [algorithm, credentialValue, amzDate, expiresValue, signedHeadersValue, signature] = params;
  if (params.some((value) => value === undefined)) {
    throw fail(
      'Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.',
    );
  }
  if (algorithm !== ALGORITHM) throw fail(`X-Amz-Algorithm only supports "${ALGORITHM}"`);
  const date = parseAmzDate(amzDate as string);
  if (!date) throw fail(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`);
  const credential = parseCredential(credentialValue as string, amzDate as string, (message) =>
    fail(`Error parsing the X-Amz-Credential parameter; ${message}`),
  );
  const expires = parseExpires(expiresValue as string);
  const signedHeaders = parseSignedHeaders(signedHeadersValue as string);
  checkPresignedWindow(date, expires, expiresValue as string, now);
  rejectUnsignedAmzHeaders(req.headers, signedHeaders);

  // The payload line is the query's X-Amz-Content-Sha256 (SDK v3 adds UNSIGNED-PAYLOAD there); the
  // body framing follows the header when a client sends one (it is then necessarily signed).
  const queryHash = queryValueIgnoringCase(query, 'X-Amz-Content-Sha256');
  const payloadHash = queryHash ?? UNSIGNED_PAYLOAD;
  const payload = payloadMode(queryHash ?? header(req.headers, 'x-amz-content-sha256') ?? UNSIGNED_PAYLOAD);
  return {
    accessKeyId: credential.accessKeyId,
    region: credential.region,
    scope: credential.scope,
    amzDate: amzDate as string,
    signedHeaders,
    signature: signature as string,
    payloadHash,
    payload,
    presigned: true,
  };
}

/** Signers hoist x-amz-* headers into the query under whatever case they used for the header. */
function queryValueIgnoringCase(query: Map<string, string>, name: string): string | undefined {
  const exact = query.get(name);
  if (exact !== undefined) return exact;
  const lower = name.toLowerCase();
  for (const [key, value] of query) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** X-Amz-Expires: an integer; out of 1..604800 → 403 (what s3-tests expects, see s3.md §3.2). */
function parseExpires(value: string): number {
  if (!/^-?\d+$/.test(value)) {
    throw S3Errors.authorizationQueryParametersError('X-Amz-Expires should be a number');
  }
  const expires = Number(value);
  if (expires < 0) throw S3Errors.accessDenied('X-Amz-Expires must be non-negative');
  if (expires === 0) throw S3Errors.accessDenied('Request has expired');
  if (expires > MAX_EXPIRES_SECONDS) {
    throw S3Errors.accessDenied(
      `X-Amz-Expires must be less than a week (in seconds) that is ${MAX_EXPIRES_SECONDS}`,
    );
  }
  return expires;
}

/** A presigned URL is valid from its date (minus allowed clock skew) until date + expires. */
function checkPresignedWindow(date: Date, expires: number, expiresValue: string, now: Date): void {
  if (date.getTime() - now.getTime() > MAX_SKEW_MS) throw S3Errors.accessDenied('Request is not valid yet');
  const expiry = new Date(date.getTime() + expires * 1000);
  if (now.getTime() > expiry.getTime()) {
    throw S3Errors.accessDenied('Request has expired', {
      'X-Amz-Expires': expiresValue,
      Expires: toIsoSeconds(expiry),
      ServerTime: toIsoSeconds(now),
    });
  }
}

/** AWS refuses presigned requests carrying x-amz-* headers the URL did not sign (they could change meaning). */
function rejectUnsignedAmzHeaders(headers: IncomingHttpHeaders, signedHeaders: readonly string[]): void {
  const unsigned = Object.keys(headers).filter(
    (name) => name.startsWith('x-amz-') && !signedHeaders.includes(name),
  );
  if (unsigned.length > 0) {
    throw S3Errors.accessDenied('There were headers present in the request which were not signed', {
      HeadersNotSigned: unsigned.join(', '),
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Verification
// ---------------------------------------------------------------------------------------------

/** Decoded query parameters (first occurrence wins) for reading the auth parameters. */
function queryParams(rawQuery: string): Map<string, string> {
  const params = new Map<string, string>();
  if (rawQuery === '') return params;
  for (const [name, value] of splitQuery(rawQuery)) {
    const decoded = percentDecode(name).toString('utf8');
    if (!params.has(decoded)) params.set(decoded, percentDecode(value).toString('utf8'));
  }
  return params;
}

/**
 * Clients disagree on two encoding details, so a few canonical forms are tried, the AWS one first:
 * the path as decoded and re-encoded, or verbatim (curl signs what the user typed); a raw `+` in
 * the query as a literal plus, or as a space (form encoding, which is how the handlers read it);
 * and for header auth the query verbatim too (curl 7.88 neither sorts nor completes `?acl` to `acl=`).
 */
function* candidateCanonicalRequests(req: SignedRequest, params: AuthParams): Generator<string> {
  const { path, query } = splitTarget(req.rawUrl);
  const primaryUri = canonicalUri(path);
  const excludeSignature = params.presigned;
  const primaryQuery = canonicalQuery(query, { excludeSignature });
  const build = (uri: string, q: string) =>
    canonicalRequest({
      method: req.method,
      uri,
      query: q,
      headers: req.headers,
      signedHeaders: params.signedHeaders,
      payloadHash: params.payloadHash,
    });
  // The AWS form first, and the others only when it does not match (built lazily: most requests
  // need just the one).
  yield build(primaryUri, primaryQuery);
  const uris = primaryUri === path ? [primaryUri] : [primaryUri, path];
  const queries = [primaryQuery];
  if (query.includes('+')) queries.push(canonicalQuery(query, { excludeSignature, plusAsSpace: true }));
  if (!params.presigned && !queries.includes(query)) queries.push(query);
  for (const uri of uris) {
    for (const q of queries) {
      if (uri !== primaryUri || q !== primaryQuery) yield build(uri, q);
    }
  }
  // Node reads header bytes as latin-1, one character per byte. botocore sends a non-ASCII value
  // latin-1 and signs its characters (the form above); clients that send UTF-8 bytes (curl, Go,
  // Java) sign those bytes, which are the characters once read back as UTF-8.
  const utf8Headers = headersReadAsUtf8(req.headers, params.signedHeaders);
  if (utf8Headers) {
    for (const uri of uris) {
      for (const q of queries) {
        yield canonicalRequest({
          method: req.method,
          uri,
          query: q,
          headers: utf8Headers,
          signedHeaders: params.signedHeaders,
          payloadHash: params.payloadHash,
        });
      }
    }
  }
}

const utf8Fatal = new TextDecoder('utf-8', { fatal: true });

/**
 * The signed headers with every value that holds non-ASCII bytes read as UTF-8; undefined when no
 * signed header has such bytes, or when they are not valid UTF-8 (then they can only be latin-1).
 */
function headersReadAsUtf8(
  headers: IncomingHttpHeaders,
  signedHeaders: readonly string[],
): IncomingHttpHeaders | undefined {
  let changed: IncomingHttpHeaders | undefined;
  const decode = (value: string): string => {
    // eslint-disable-next-line no-control-regex -- ASCII is the common case and stays as it is
    if (/^[\u0000-\u007f]*$/.test(value)) return value;
    return utf8Fatal.decode(Buffer.from(value, 'latin1'));
  };
  try {
    for (const name of signedHeaders) {
      const value = headers[name];
      if (value === undefined) continue;
      const decoded = Array.isArray(value) ? value.map(decode) : decode(value);
      if (Array.isArray(value) ? value.some((v, i) => v !== decoded[i]) : value !== decoded) {
        changed ??= { ...headers };
        changed[name] = decoded;
      }
    }
  } catch {
    return undefined;
  }
  return changed;
}

/** Recomputes the signature; returns the signing key, or throws SignatureDoesNotMatch with debug fields. */
function checkSignature(req: SignedRequest, params: AuthParams, user: S3User): Buffer {
  const key = signingKey(user.secretAccessKey, params.amzDate.slice(0, 8), params.region, SERVICE);
  let first: string | undefined;
  for (const canonical of candidateCanonicalRequests(req, params)) {
    first ??= canonical;
    if (signaturesEqual(sign(key, stringToSign(params.amzDate, params.scope, canonical)), params.signature)) {
      return key;
    }
  }
  throw S3Errors.signatureDoesNotMatch({
    AWSAccessKeyId: params.accessKeyId,
    StringToSign: stringToSign(params.amzDate, params.scope, first as string),
    SignatureProvided: params.signature,
    CanonicalRequest: first as string,
  });
}

/** Picks the auth form; throws when the request mixes forms or uses one S3 no longer supports. */
function authParams(req: SignedRequest, now: Date): AuthParams | undefined {
  const authorization = header(req.headers, 'authorization');
  const query = queryParams(splitTarget(req.rawUrl).query);
  const v4Query = query.has('X-Amz-Algorithm');
  const v2Query = query.has('Signature');
  if ((authorization !== undefined && (v4Query || v2Query)) || (v4Query && v2Query)) {
    throw S3Errors.invalidArgument(
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified',
      'Authorization',
      authorization ?? '',
    );
  }
  if (authorization !== undefined) return headerAuth(req, authorization, now);
  // A URL with some X-Amz-* auth parameters but no algorithm is a broken presigned URL, not anonymous.
  if (v4Query || query.has('X-Amz-Credential') || query.has('X-Amz-Signature')) {
    return queryAuth(req, query, now);
  }
  if (v2Query) {
    throw S3Errors.invalidRequest(
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    );
  }
  return undefined;
}

/** Authenticates a request (header or query form). Throws S3Error. Requests with no auth at all are 'anonymous'. */
export function verifyRequest(req: SignedRequest, options: VerifyOptions): AuthResult {
  const params = authParams(req, options.now ?? new Date());
  if (!params) {
    const declared = header(req.headers, 'x-amz-content-sha256');
    return {
      kind: 'anonymous',
      payload: declared === undefined ? { kind: 'unsigned' } : payloadMode(declared),
    };
  }
  const user = options.lookup(params.accessKeyId);
  if (!user) throw S3Errors.invalidAccessKeyId(params.accessKeyId);
  const key = checkSignature(req, params, user);
  return {
    kind: 'signed',
    user,
    payload: params.payload,
    presigned: params.presigned,
    signingKey: key,
    amzDate: params.amzDate,
    scope: params.scope,
    seedSignature: params.signature,
  };
}
