import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';

/** Flexible-checksum algorithms the emulator can compute, by S3's name. */
export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256';
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'SHA1', 'SHA256'];

/** The request/response header carrying an algorithm's checksum. */
export function checksumHeader(algorithm: string): string {
  return `x-amz-checksum-${algorithm.toLowerCase()}`;
}

// CRC32C (Castagnoli) is not in node:zlib; a table-driven implementation is fast enough for uploads.
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32c(data: Buffer, previous: number): number {
  let crc = ~previous >>> 0;
  for (let i = 0; i < data.length; i++) crc = CRC32C_TABLE[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

interface Digest {
  update(chunk: Buffer): void;
  /** Base64 of the big-endian digest, as S3 writes checksums. */
  base64(): string;
}

function crcDigest(step: (chunk: Buffer, previous: number) => number): Digest {
  let value = 0;
  return {
    update: (chunk) => (value = step(chunk, value)),
    base64: () => {
      const out = Buffer.alloc(4);
      out.writeUInt32BE(value >>> 0);
      return out.toString('base64');
    },
  };
}

function hashDigest(hash: Hash): Digest {
  return { update: (chunk) => hash.update(chunk), base64: () => hash.digest('base64') };
}

function createDigest(algorithm: ChecksumAlgorithm): Digest {
  switch (algorithm) {
    case 'CRC32':
      return crcDigest((chunk, prev) => zlib.crc32(chunk, prev));
    case 'CRC32C':
      return crcDigest(crc32c);
    case 'SHA1':
      return hashDigest(createHash('sha1'));
    case 'SHA256':
      return hashDigest(createHash('sha256'));
  }
}

/** Computes a checksum of a whole buffer (base64). */
export function checksumOf(algorithm: ChecksumAlgorithm, data: Buffer): string {
  const d = createDigest(algorithm);
  d.update(data);
  return d.base64();
}

/** A pass-through stream that computes the given checksums of everything flowing through it. */
export class ChecksumTap extends Transform {
  private readonly digests: Map<ChecksumAlgorithm, Digest>;
  private results: Map<ChecksumAlgorithm, string> | undefined;

  constructor(algorithms: Iterable<ChecksumAlgorithm>) {
    super();
    this.digests = new Map([...algorithms].map((a) => [a, createDigest(a)]));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    for (const d of this.digests.values()) d.update(chunk);
    done(null, chunk);
  }

  /** The computed checksums; call after the stream has finished. */
  values(): Map<ChecksumAlgorithm, string> {
    this.results ??= new Map([...this.digests].map(([a, d]) => [a, d.base64()]));
    return this.results;
  }
}
