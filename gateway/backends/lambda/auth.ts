import type { IncomingHttpHeaders } from 'node:http';
import {
  canonicalQuery,
  canonicalUri,
  candidates,
  checkRequestTime,
  headerValue,
  malformedCredentialMessage,
  matchSignature,
  parseAuthorizationHeader,
  parseSigningDate,
  sha256Hex,
  signingKey,
  splitCredential,
  splitTarget,
  timeWindowMessage,
  toAmzDate,
  type Reading,
} from '../../../sigv4';
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

const SERVICE = 'lambda';
const SKEW_SECONDS = 5 * 60;

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

/** The Authorization header's fields, with the credential scope split (AWS's messages for what is missing). */
function authFields(authorization: string, headers: IncomingHttpHeaders): AuthFields {
  const parsed = parseAuthorizationHeader(authorization, headers);
  if ('incomplete' in parsed) throw LambdaErrors.incompleteSignature(parsed.incomplete);
  const { credential, signature, signedHeaders, rawDate } = parsed;
  const scope = splitCredential(credential);
  if (!scope) throw LambdaErrors.incompleteSignature(malformedCredentialMessage(credential));
  const { accessKeyId, date, region, service } = scope;
  return { accessKeyId, date, region, service, scope: scope.scope, signedHeaders, signature, rawDate };
}

function checkTime(date: Date, now: Date): void {
  const time = checkRequestTime(date, now, SKEW_SECONDS, SKEW_SECONDS);
  if (!time.ok) throw LambdaErrors.invalidSignature(timeWindowMessage(date, time));
}

const QUIRK_SINGLE_ENCODED = 'the path signed encoded once (curl 7.x)';

/**
 * Lambda, like every service but S3, signs the path normalised and encoded once more (`%3A` is
 * signed as `%253A`); signers that sign it encoded once (curl 7.x) are accepted too, which costs
 * nothing in an emulator.
 */
function candidateUris(rawPath: string): Reading[] {
  const doubled = canonicalUri(rawPath, 'normalized');
  const single = canonicalUri(rawPath, 's3');
  return single === undefined || single === doubled
    ? [{ value: doubled }]
    : [{ value: doubled }, { value: single, quirk: QUIRK_SINGLE_ENCODED }];
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
  const date = parseSigningDate(fields.rawDate);
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
  const canonicalQueryString = canonicalQuery(query, { excludeSignature: false });
  if (canonicalQueryString === undefined) {
    throw LambdaErrors.invalidSignature(
      'The request signature we calculated does not match the signature you provided.',
    );
  }
  const key = signingKey(credential.secretAccessKey, fields.date, fields.region, SERVICE);
  const tries = candidates({
    method: req.method,
    signedHeaders: fields.signedHeaders,
    headers: [{ value: req.headers }],
    uris: candidateUris(path),
    queries: [{ value: canonicalQueryString }],
    payloads: [{ value: sha256Hex(req.body) }],
  });
  if (matchSignature(key, amzDate, fields.scope, fields.signature, tries).matched) {
    return { accessKeyId: fields.accessKeyId, region: fields.region };
  }
  throw LambdaErrors.invalidSignature(
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );
}
