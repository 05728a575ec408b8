import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/** Hex SHA-256 of nothing: the fixed fifth line of every chunk string to sign. */
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** What the request's own signature check hands over for verifying the body's signatures. */
export interface SigningContext {
  signingKey: Buffer;
  amzDate: string;
  scope: string;
  /** The request signature (Authorization header or X-Amz-Signature): the first link of the chain. */
  seedSignature: string;
}

function hmacHex(key: Buffer, text: string): string {
  return createHmac('sha256', key).update(text, 'utf8').digest('hex');
}

function same(computed: string, provided: string): boolean {
  const a = Buffer.from(computed, 'latin1');
  const b = Buffer.from(provided, 'latin1');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The signature chain of a `STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER)` body (s3.md §5.4, §5.6):
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
    return hmacHex(
      signingKey,
      ['AWS4-HMAC-SHA256-PAYLOAD', amzDate, scope, this.previous, EMPTY_SHA256, dataSha256Hex].join('\n'),
    );
  }

  /** Checks the next chunk's signature and, when it matches, advances the chain. */
  acceptChunk(dataSha256Hex: string, provided: string): boolean {
    const expected = this.expectedChunkSignature(dataSha256Hex);
    if (!same(expected, provided)) return false;
    this.previous = expected;
    return true;
  }

  /** The signature of the trailer block: each trailer as `name:value\n`, in the order sent. */
  expectedTrailerSignature(block: string): string {
    const { signingKey, amzDate, scope } = this.signing;
    const hash = createHash('sha256').update(block, 'utf8').digest('hex');
    return hmacHex(signingKey, ['AWS4-HMAC-SHA256-TRAILER', amzDate, scope, this.previous, hash].join('\n'));
  }

  /** Checks the trailer signature (the last link: nothing follows it). */
  acceptTrailer(block: string, provided: string): boolean {
    return same(this.expectedTrailerSignature(block), provided);
  }
}
