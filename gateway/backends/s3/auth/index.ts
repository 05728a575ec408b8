export {
  canonicalHeaderValue,
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  percentDecode,
  sign,
  signingKey,
  stringToSign,
  uriEncode,
  verifyRequest,
} from './sigv4';
export type {
  AuthResult,
  CanonicalQueryOptions,
  CanonicalRequestParts,
  PayloadMode,
  SignedRequest,
  VerifyOptions,
} from './sigv4';
export { payloadHashCheck, sha256Hex } from './payload';
