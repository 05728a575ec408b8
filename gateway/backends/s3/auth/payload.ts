import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';
import { S3Errors } from '../errors';

/**
 * Passes the body through unchanged while hashing it; at the end, a digest other than the one the
 * client signed (`x-amz-content-sha256`) errors the stream with XAmzContentSHA256Mismatch. The bytes
 * have already flowed on by then, so the consumer must discard what it wrote when the stream errors.
 */
export function payloadHashCheck(expectedHex: string): Transform {
  const hash = createHash('sha256');
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      const computed = hash.digest('hex');
      // AWS documents lower-case hex, but the value is accepted case-insensitively on the way in.
      callback(
        computed === expectedHex.toLowerCase() ? null : S3Errors.contentSha256Mismatch(expectedHex, computed),
      );
    },
  });
}
