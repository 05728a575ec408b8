/** Outbound SigV4 signing lives in the shared engine (sigv4/); this name stays for its callers. */
export {
  escapeUri,
  signRequest,
  type RequestToSign,
  type SignedRequest,
  type SigningScope,
} from '../../sigv4/sign';
