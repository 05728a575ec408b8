export { verifyRequest } from './sigv4';
export type { AuthResult, PayloadMode, SignedRequest, VerifyOptions } from './sigv4';
export { payloadHashCheck } from './payload';
