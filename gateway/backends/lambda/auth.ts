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
import {
  headerValue,
  parseAuthorizationHeader,
  parseSigningDate,
  signaturesEqual,
  splitTarget,
  toAmzDate,
} from '../sigv4';
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
const SKEW_MS = 5 * 60 * 1000;

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
  const { credential, signature, signedHeaders, rawDate } = parseAuthorizationHeader(
    authorization,
    headers,
    LambdaErrors.incompleteSignature,
  );
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
    signedHeaders,
    signature,
    rawDate,
  };
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
    if (signaturesEqual(sign(key, stringToSign(amzDate, fields.scope, canonical)), fields.signature)) {
      return { accessKeyId: fields.accessKeyId, region: fields.region };
    }
  }
  throw LambdaErrors.invalidSignature(
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  );
}
