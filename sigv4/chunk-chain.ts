import { EMPTY_SHA256, sha256Hex, sign, signaturesEqual } from './canonical';

/** What the request's own signature check hands over for verifying the body's signatures. */
export interface SigningContext {
  signingKey: Buffer;
  amzDate: string;
  scope: string;
  /** The request signature (Authorization header or X-Amz-Signature): the first link of the chain. */
  seedSignature: string;
}

/**
 * The signature chain of a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER)` body
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html):
 * each chunk's signature covers its data and the previous signature, so chunks can be neither
 * altered, dropped nor reordered; the trailer signature chains from the final (empty) chunk.
 */
export class ChunkSignatureChain {
  private previous: string;

  constructor(private readonly signing: SigningContext) {
    this.previous = signing.seedSignature.toLowerCase();
  }

  /** The signature the next chunk must carry, given the hex SHA-256 of its data. */
  expectedChunkSignature(dataSha256Hex: string): string {
    const { signingKey, amzDate, scope } = this.signing;
    return sign(
      signingKey,
      ['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, this.previous, EMPTY_SHA256, dataSha256Hex].join('\n'),
    );
  }

  /** Checks the next chunk's signature and, when it matches, advances the chain. */
  acceptChunk(dataSha256Hex: string, provided: string): boolean {
    const expected = this.expectedChunkSignature(dataSha256Hex);
    if (!signaturesEqual(expected, provided)) return false;
    this.previous = expected;
    return true;
  }

  /** The signature of the trailer block: each trailer as `name:value\n`, in the order sent. */
  expectedTrailerSignature(block: string): string {
    const { signingKey, amzDate, scope } = this.signing;
    const hash = sha256Hex(block);
    return sign(signingKey, ['AWS4-HMAC-SHA256-TRAILER', amzDate, scope, this.previous, hash].join('\n'));
  }

  /** Checks the trailer signature (the last link: nothing follows it). */
  acceptTrailer(block: string, provided: string): boolean {
    return signaturesEqual(this.expectedTrailerSignature(block), provided);
  }
}
