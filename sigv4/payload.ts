import { UNSIGNED_PAYLOAD } from './canonical';

/**
 * How S3 protects a body, from `x-amz-content-sha256` (or its presigned equivalent): `sha256` means
 * the body must hash to `hex`; `streaming` bodies are aws-chunked framed, each chunk signed (see
 * ChunkSignatureChain) or not. Other services always sign the body's hash.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html
 */
export type PayloadMode =
  { kind: 'sha256'; hex: string } | { kind: 'unsigned' } | { kind: 'streaming'; value: string };

export const STREAMING_MODES: ReadonlySet<string> = new Set([
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD',
  'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER',
]);

/** Classifies an `x-amz-content-sha256` value; undefined for a value S3 does not know. */
export function payloadMode(value: string): PayloadMode | undefined {
  if (/^[0-9A-Fa-f]{64}$/.test(value)) return { kind: 'sha256', hex: value.toLowerCase() };
  if (value === UNSIGNED_PAYLOAD) return { kind: 'unsigned' };
  if (STREAMING_MODES.has(value)) return { kind: 'streaming', value };
  return undefined;
}
