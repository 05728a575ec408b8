/**
 * SigV4, once, for every side of apigw: the gateway's check of execute-api callers, the embedded
 * S3 and Lambda, and outbound requests to AWS. Pure and owned by neither the gateway nor an
 * emulator: a service's rules (how it reads the path, its payload modes, its time window) are
 * parameters, and failures come back as values that each caller turns into its own wire error.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv.html
 */
export {
  canonicalHeaderValue,
  canonicalRequest,
  EMPTY_SHA256,
  sha256Hex,
  sign,
  signaturesEqual,
  signingKey,
  SIGV4_ALGORITHM,
  stringToSign,
  TERMINATOR,
  UNSIGNED_PAYLOAD,
  type CanonicalRequestParts,
} from './canonical';
export {
  candidates,
  matchSignature,
  type Candidate,
  type Reading,
  type Readings,
  type SignatureCheck,
} from './candidates';
export { ChunkSignatureChain, type SigningContext } from './chunk-chain';
export { escapeStrayPercents, percentDecode, uriEncode } from './encoding';
export { payloadMode, STREAMING_MODES, type PayloadMode } from './payload';
export { canonicalQuery, queryParameters, splitQuery, type CanonicalQueryOptions } from './query';
export {
  headerValue,
  malformedCredentialMessage,
  parseAuthorizationHeader,
  splitCredential,
  splitTarget,
  type AuthorizationFields,
  type Credential,
  type IncompleteAuthorization,
} from './request';
export { escapeUri, signRequest, type RequestToSign, type SignedRequest, type SigningScope } from './sign';
export {
  checkRequestTime,
  parseAmzDate,
  parseHttpDate,
  parseSigningDate,
  timeWindowMessage,
  toAmzDate,
  toIsoSeconds,
  type TimeCheck,
} from './time';
export { canonicalUri, type UriRule } from './uri';
