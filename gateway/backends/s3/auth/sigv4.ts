import type { IncomingHttpHeaders } from 'node:http';
import {
  canonicalQuery,
  canonicalUri,
  candidates,
  headerValue as header,
  matchSignature,
  parseAmzDate,
  parseHttpDate,
  payloadMode as classifyPayload,
  queryParameters,
  SIGV4_ALGORITHM as ALGORITHM,
  signingKey,
  splitCredential,
  splitTarget,
  STREAMING_MODES,
  TERMINATOR,
  toAmzDate,
  toIsoSeconds,
  UNSIGNED_PAYLOAD,
  checkRequestTime,
  type Candidate,
  type Credential,
  type PayloadMode,
  type Reading,
} from '../../../../sigv4';
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

export type { PayloadMode } from '../../../../sigv4';

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

const SERVICE = 's3';
const MAX_SKEW_SECONDS = 15 * 60;
const MAX_EXPIRES_SECONDS = 7 * 24 * 60 * 60;
const QUERY_PARAMS = [
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
] as const;

/** Decodes a raw path or query component; a malformed `%` escape is S3's InvalidURI. */
function decoded<T>(value: T | undefined): T {
  if (value === undefined) throw S3Errors.invalidURI();
  return value;
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

/** Classifies an `x-amz-content-sha256` value; anything S3 does not know → InvalidArgument. */
function payloadMode(value: string): PayloadMode {
  const mode = classifyPayload(value);
  if (mode) return mode;
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
  const credential = splitCredential(value);
  if (!credential || value.split('/').some((p) => p === '')) {
    throw fail('the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".');
  }
  const { date, service, terminator } = credential;
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
  return credential;
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
  if (!checkRequestTime(date, now, MAX_SKEW_SECONDS, MAX_SKEW_SECONDS).ok) {
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

/**
 * X-Amz-Expires: an integer; out of 1..604800 → 403 (what s3-tests expects, see
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html).
 */
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
  const time = checkRequestTime(date, now, expires, MAX_SKEW_SECONDS);
  if (!time.ok && time.reason === 'not-yet-current') throw S3Errors.accessDenied('Request is not valid yet');
  const expiry = new Date(date.getTime() + expires * 1000);
  if (!time.ok) {
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

const QUIRK_RAW_PATH = 'the path signed as sent (curl signs what the user typed)';
const QUIRK_RAW_QUERY = 'the query signed verbatim (curl 7.88 neither sorts nor completes `?acl` to `acl=`)';
const QUIRK_UTF8_HEADERS = 'header values signed as UTF-8 bytes (curl, Go, Java)';

/**
 * Clients disagree on two encoding details, so a few canonical forms are tried, the AWS one first:
 * the path as decoded and re-encoded, or verbatim (curl signs what the user typed); a raw `+` in
 * the query as a literal plus, or as a space (form encoding, which is how the handlers read it);
 * and for header auth the query verbatim too (curl 7.88 neither sorts nor completes `?acl` to `acl=`).
 */
function* candidateCanonicalRequests(req: SignedRequest, params: AuthParams): Generator<Candidate> {
  const { path, query } = splitTarget(req.rawUrl);
  const primaryUri = decoded(canonicalUri(path, 's3'));
  const excludeSignature = params.presigned;
  const primaryQuery = decoded(canonicalQuery(query, { excludeSignature }));
  const uris: Reading[] = [{ value: primaryUri }];
  if (primaryUri !== path) uris.push({ value: path, quirk: QUIRK_RAW_PATH });
  const queries: Reading[] = [{ value: primaryQuery }];
  if (query.includes('+')) {
    queries.push({ value: decoded(canonicalQuery(query, { excludeSignature, plusAsSpace: true })) });
  }
  if (!params.presigned && !queries.some((q) => q.value === query)) {
    queries.push({ value: query, quirk: QUIRK_RAW_QUERY });
  }
  const readings = {
    method: req.method,
    signedHeaders: params.signedHeaders,
    headers: [{ value: req.headers }],
    uris,
    queries,
    payloads: [{ value: params.payloadHash }],
  };
  yield* candidates(readings);
  // Node reads header bytes as latin-1, one character per byte. botocore sends a non-ASCII value
  // latin-1 and signs its characters (the form above); clients that send UTF-8 bytes (curl, Go,
  // Java) sign those bytes, which are the characters once read back as UTF-8.
  const utf8Headers = headersReadAsUtf8(req.headers, params.signedHeaders);
  if (utf8Headers)
    yield* candidates({ ...readings, headers: [{ value: utf8Headers, quirk: QUIRK_UTF8_HEADERS }] });
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
  const check = matchSignature(
    key,
    params.amzDate,
    params.scope,
    params.signature,
    candidateCanonicalRequests(req, params),
  );
  if (check.matched) return key;
  throw S3Errors.signatureDoesNotMatch({
    AWSAccessKeyId: params.accessKeyId,
    StringToSign: check.stringToSign,
    SignatureProvided: params.signature,
    CanonicalRequest: check.canonical,
  });
}

/** Picks the auth form; throws when the request mixes forms or uses one S3 no longer supports. */
function authParams(req: SignedRequest, now: Date): AuthParams | undefined {
  const authorization = header(req.headers, 'authorization');
  const query = decoded(queryParameters(splitTarget(req.rawUrl).query));
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
