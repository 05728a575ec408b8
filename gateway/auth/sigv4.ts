import type { IncomingHttpHeaders } from 'node:http';
import {
  canonicalQuery,
  canonicalUri,
  candidates,
  checkRequestTime,
  EMPTY_SHA256,
  escapeStrayPercents,
  headerValue,
  malformedCredentialMessage,
  matchSignature,
  parseAuthorizationHeader,
  parseSigningDate,
  queryParameters,
  sha256Hex,
  SIGV4_ALGORITHM,
  signingKey,
  splitCredential,
  splitTarget,
  TERMINATOR,
  timeWindowMessage,
  toAmzDate,
  UNSIGNED_PAYLOAD,
  type Credential,
  type Reading,
} from '../../sigv4';
import type { AccessKey } from '../../lib/accounts';
import { GatewayError, GatewayErrors } from '../gateway-error';
import { callerIdentity, type CallerIdentity } from './identity';

export type { CallerIdentity } from './identity';

/**
 * SigV4 verification of callers of AWS_IAM methods (service `execute-api`), with API Gateway's
 * canonicalisation (normalised, double-encoded path; body hashed) and error messages.
 *
 * Check order and messages follow AWS's "auth error ordering" as reproduced by
 * scratchstack-aws-signature, adjusted where API Gateway was observed to differ (see the notes at
 * headerAuthFields and checkTime).
 */

/** What the verifier needs from an incoming request. */
export interface CallerRequest {
  method: string;
  /** Request target exactly as received: path + '?' + query, percent-encoded as on the wire. */
  rawUrl: string;
  /** Node's lower-cased headers. */
  headers: IncomingHttpHeaders;
  /** The whole body; its SHA-256 is the payload line of the canonical request. */
  body: Buffer;
  /** That SHA-256 (hex), hashed as the body was read; wins over `body` (a spooled body is not in memory). */
  payloadSha256?: string;
}

/** Where keys are looked up, the server clock and region, and client-quirk tolerance. */
export interface VerifyCallerOptions {
  lookup: (accessKeyId: string) => AccessKey | undefined;
  now?: Date;
  /** When set, the scope region must equal it; when undefined any region is accepted. */
  region?: string;
  /** Also accept curl 7.x's single-encoded canonical path (documented opt-in). */
  compat?: boolean;
  /** Called when a request passes only thanks to `compat` (so the gateway can log it). */
  onCompat?: (detail: string) => void;
}

const SERVICE = 'execute-api';
const SKEW_SECONDS = 5 * 60;
const MAX_EXPIRES_SECONDS = 7 * 24 * 60 * 60;

// ---------------------------------------------------------------------------------------------
// Errors (all 403; the gateway renders them through the gateway response of their type)
// ---------------------------------------------------------------------------------------------

/** Auth data that cannot even be parsed: AWS answers IncompleteSignatureException. */
function incompleteSignature(message: string): GatewayError {
  return new GatewayError('INVALID_SIGNATURE', message, { errorType: 'IncompleteSignatureException' });
}

function invalidSignature(message: string): GatewayError {
  return new GatewayError('INVALID_SIGNATURE', message);
}

/** AWS knowledge-center "troubleshoot 403": unknown IAM keys → AccessDeniedException with this text. */
function invalidSecurityToken(): GatewayError {
  return new GatewayError('ACCESS_DENIED', 'The security token included in the request is invalid.');
}

function signatureMismatch(canonical: string, toSign: string): GatewayError {
  return invalidSignature(
    'The request signature we calculated does not match the signature you provided. Check your AWS ' +
      'Secret Access Key and signing method. Consult the service documentation for details.\n\n' +
      `The Canonical String for this request should have been\n'${canonical}'\n\n` +
      `The String-to-Sign should have been\n'${toSign}'\n`,
  );
}

// ---------------------------------------------------------------------------------------------
// Reading the request
// ---------------------------------------------------------------------------------------------

/**
 * Decoded query parameters, first occurrence wins. A stray `%` (not followed by two hex digits)
 * stands for itself: API Gateway has no error for it, the character is simply signed as `%25`.
 */
function authQueryParameters(rawQuery: string): Map<string, string> {
  return queryParameters(escapeStrayPercents(rawQuery)) as Map<string, string>;
}

// ---------------------------------------------------------------------------------------------
// The two auth forms
// ---------------------------------------------------------------------------------------------

/** The signature parameters, whichever form carried them, before their content is checked. */
interface AuthFields {
  credential: string;
  signature: string;
  signedHeaders: string[];
  /** X-Amz-Date (or the Date header) as sent. */
  rawDate: string;
  presigned: boolean;
  /** X-Amz-Expires as sent: optional for execute-api (newman/aws4 never send it). */
  rawExpires?: string;
}

function splitSignedHeaders(value: string): string[] {
  return value.split(';').map((name) => name.toLowerCase());
}

/** Parses `Authorization` (the shared parser, with API Gateway's IncompleteSignatureException). */
function headerAuthFields(authorization: string, headers: IncomingHttpHeaders): AuthFields {
  const parsed = parseAuthorizationHeader(authorization, headers);
  if ('incomplete' in parsed) throw incompleteSignature(parsed.incomplete);
  return { ...parsed, presigned: false };
}

/** Parses the X-Amz-* query parameters of a presigned URL. */
function queryAuthFields(params: Map<string, string>): AuthFields {
  // An unknown algorithm means "not signed with SigV4" rather than "badly signed".
  if (params.get('X-Amz-Algorithm') !== SIGV4_ALGORITHM) throw GatewayErrors.missingAuthenticationToken();
  const required = ['X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-SignedHeaders', 'X-Amz-Date'];
  const missing = required.filter((name) => !params.has(name));
  if (missing.length > 0) {
    const list = missing.map((name) => `AWS query-string parameters must include '${name}'.`).join(' ');
    throw incompleteSignature(`${list} Re-examine the query-string parameters.`);
  }
  return {
    credential: params.get('X-Amz-Credential') as string,
    signature: params.get('X-Amz-Signature') as string,
    signedHeaders: splitSignedHeaders(params.get('X-Amz-SignedHeaders') as string),
    rawDate: params.get('X-Amz-Date') as string,
    presigned: true,
    rawExpires: params.get('X-Amz-Expires'),
  };
}

/** Picks the auth form; the header wins when both are present (its query is then just signed data). */
function authFields(req: CallerRequest): AuthFields {
  const authorization = headerValue(req.headers, 'authorization');
  if (authorization !== undefined) return headerAuthFields(authorization, req.headers);
  const params = authQueryParameters(splitTarget(req.rawUrl).query);
  if (params.has('X-Amz-Algorithm')) return queryAuthFields(params);
  throw GatewayErrors.missingAuthenticationToken();
}

/** Without `host` in the signature a request could be replayed against any API. */
function requireSignedHost(signedHeaders: readonly string[]): void {
  if (!signedHeaders.includes('host')) {
    throw invalidSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  }
}

// ---------------------------------------------------------------------------------------------
// Time
// ---------------------------------------------------------------------------------------------

/** `20130524T000000Z` (ISO 8601 basic), or an RFC 1123 `Date` header value. */
function parseRequestDate(raw: string): Date {
  const date = parseSigningDate(raw);
  if (!date) {
    throw incompleteSignature(
      `Date must be in ISO-8601 'basic format'. Got '${raw}'. See http://en.wikipedia.org/wiki/ISO_8601`,
    );
  }
  return date;
}

/** X-Amz-Expires: a whole number of seconds up to a week (the SigV4 maximum). */
function parseExpires(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw) || Number(raw) > MAX_EXPIRES_SECONDS) {
    throw incompleteSignature(
      `X-Amz-Expires must be a whole number of seconds from 0 to ${MAX_EXPIRES_SECONDS}, got '${raw}'.`,
    );
  }
  return Number(raw);
}

/**
 * The request time must be within 5 minutes of the server clock. A presigned URL's X-Amz-Expires
 * (when the client sent one) replaces the 5 minutes into the past; the message keeps AWS's shape.
 */
function checkTime(date: Date, now: Date, expiresSeconds: number | undefined): void {
  const time = checkRequestTime(date, now, expiresSeconds ?? SKEW_SECONDS, SKEW_SECONDS);
  if (!time.ok) throw invalidSignature(timeWindowMessage(date, time));
}

// ---------------------------------------------------------------------------------------------
// Credential scope
// ---------------------------------------------------------------------------------------------

function parseCredential(value: string): Credential {
  const credential = splitCredential(value);
  if (!credential) throw incompleteSignature(malformedCredentialMessage(value));
  return credential;
}

/** AWS reports every scope problem at once, each sentence followed by a space. */
function checkScope(credential: Credential, amzDate: string, region: string | undefined): void {
  const day = amzDate.slice(0, 8);
  const problems = [
    (region === undefined ? credential.region === '' : credential.region !== region)
      ? `Credential should be scoped to a valid region, not '${credential.region}'.`
      : '',
    credential.service !== SERVICE ? `Credential should be scoped to correct service: '${SERVICE}'.` : '',
    credential.terminator !== TERMINATOR
      ? `Credential should be scoped with a valid terminator: '${TERMINATOR}', not '${credential.terminator}'.`
      : '',
    credential.date !== day
      ? `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${credential.date}' != '${day}', from '${amzDate}'.`
      : '',
  ].filter((problem) => problem !== '');
  if (problems.length > 0) throw invalidSignature(problems.map((problem) => `${problem} `).join(''));
}

// ---------------------------------------------------------------------------------------------
// Canonical request
// ---------------------------------------------------------------------------------------------

/**
 * execute-api's canonical URI (SigV4 for services other than S3): empty, `.` and `..` segments
 * resolved, then the path *as received* URI-encoded again, so `%2F` is signed as `%252F`.
 */
export function executeApiCanonicalUri(rawPath: string): string {
  return canonicalUri(rawPath, 'normalized');
}

const QUIRK_RAW_PATH = 'the path signed as sent, without the second encoding (curl --aws-sigv4)';
const QUIRK_RAW_QUERY = 'the query signed verbatim, neither sorted nor re-encoded (curl < 8.3)';
const QUIRK_EMPTY_PAYLOAD =
  'the empty-body payload hash although a body was sent (curl -T, Postman form-data)';

function pathReadings(rawPath: string, compat: boolean): Reading[] {
  const readings: Reading[] = [{ value: executeApiCanonicalUri(rawPath) }];
  if (compat && rawPath !== readings[0].value) readings.push({ value: rawPath, quirk: QUIRK_RAW_PATH });
  return readings;
}

function queryReadings(rawQuery: string, presigned: boolean, compat: boolean): Reading[] {
  const query = escapeStrayPercents(rawQuery);
  const readings: Reading[] = [{ value: canonicalQuery(query, { excludeSignature: presigned }) as string }];
  // Form-encoding clients send a space as `+` but sign it as `%20`.
  if (query.includes('+')) {
    readings.push({
      value: canonicalQuery(query, { excludeSignature: presigned, plusAsSpace: true }) as string,
    });
  }
  // A presigned query carries its own signature, so it was never signed verbatim.
  if (compat && !presigned && !readings.some((reading) => reading.value === rawQuery)) {
    readings.push({ value: rawQuery, quirk: QUIRK_RAW_QUERY });
  }
  return readings;
}

/**
 * The payload line is the body's hash: execute-api ignores x-amz-content-sha256 (only S3 honours
 * it). A presigned URL may instead sign `UNSIGNED-PAYLOAD`, as botocore's S3-style presigner
 * (S3SigV4QueryAuth, the AWS CLI's `presign`) does, while the JS SDK and botocore's generic
 * SigV4QueryAuth sign the body's hash: both are accepted, the body's hash tried first.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
function payloadReadings(req: CallerRequest, presigned: boolean, compat: boolean): Reading[] {
  const hash = req.payloadSha256 ?? sha256Hex(req.body);
  const readings: Reading[] = [{ value: hash }];
  if (presigned) readings.push({ value: UNSIGNED_PAYLOAD });
  if (compat && readings[0].value !== EMPTY_SHA256) {
    readings.push({ value: EMPTY_SHA256, quirk: QUIRK_EMPTY_PAYLOAD });
  }
  return readings;
}

/**
 * Recomputes the signature over each canonical request worth trying, AWS's own first and the
 * compat ones by fewest quirks; throws AWS's mismatch message for the first.
 */
function checkSignature(
  req: CallerRequest,
  fields: AuthFields,
  credential: Credential,
  amzDate: string,
  user: AccessKey,
  options: VerifyCallerOptions,
): void {
  const key = signingKey(user.secretAccessKey, credential.date, credential.region, credential.service);
  const compat = options.compat ?? false;
  const { path, query } = splitTarget(req.rawUrl);
  const tries = candidates({
    method: req.method,
    signedHeaders: fields.signedHeaders,
    headers: [{ value: req.headers }],
    uris: pathReadings(path, compat),
    queries: queryReadings(query, fields.presigned, compat),
    payloads: payloadReadings(req, fields.presigned, compat),
  });
  const check = matchSignature(key, amzDate, credential.scope, fields.signature, tries);
  if (!check.matched) throw signatureMismatch(check.canonical, check.stringToSign);
  if (check.candidate.quirks.length > 0) {
    options.onCompat?.(`signature matched only with ${check.candidate.quirks.join(' and ')}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

/** Verifies an AWS_IAM method call; returns the caller identity or throws GatewayError. */
export function verifyCaller(req: CallerRequest, options: VerifyCallerOptions): CallerIdentity {
  const fields = authFields(req);
  requireSignedHost(fields.signedHeaders);
  const date = parseRequestDate(fields.rawDate);
  // The X-Amz-Date form as sent is already what the scope and string to sign use.
  const amzDate = /^\d{8}T\d{6}Z$/.test(fields.rawDate) ? fields.rawDate : toAmzDate(date);
  checkTime(date, options.now ?? new Date(), parseExpires(fields.rawExpires));
  const credential = parseCredential(fields.credential);
  checkScope(credential, amzDate, options.region);
  const user = options.lookup(credential.accessKeyId);
  if (!user) throw invalidSecurityToken();
  checkSignature(req, fields, credential, amzDate, user, options);
  return callerIdentity(user);
}
