import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';

/** Flexible-checksum algorithms the emulator can compute, by S3's name. */
export type ChecksumAlgorithm = 'CRC32' | 'CRC32C' | 'SHA1' | 'SHA256' | 'CRC64NVME';
export const CHECKSUM_ALGORITHMS: readonly ChecksumAlgorithm[] = [
  'CRC32',
  'CRC32C',
  'SHA1',
  'SHA256',
  'CRC64NVME',
];

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

/*
 * CRC-64/NVME (what S3 calls CRC64NVME): reflected polynomial 0x9A6C9329AC4BC9B5, initial value
 * and final xor all ones. JavaScript has no fast 64-bit integers (BigInt per byte is far too slow
 * for uploads), so the register and the table are kept as two 32-bit halves.
 */
// Int32Array and no `>>> 0` in the loop: XOR and shifts work on int32s, and this way V8 never
// leaves small integers (about three times the speed of the unsigned variant).
const CRC64_TABLE_HI = new Int32Array(256);
const CRC64_TABLE_LO = new Int32Array(256);
for (let n = 0; n < 256; n++) {
  let hi = 0;
  let lo = n;
  for (let k = 0; k < 8; k++) {
    const carry = lo & 1;
    lo = (lo >>> 1) | (hi << 31);
    hi = hi >>> 1;
    if (carry) {
      hi ^= 0x9a6c9329;
      lo ^= 0xac4bc9b5;
    }
  }
  CRC64_TABLE_HI[n] = hi;
  CRC64_TABLE_LO[n] = lo;
}

function crc64nvmeDigest(): Digest {
  // The register, already inverted (the initial value is all ones).
  let hi = -1;
  let lo = -1;
  return {
    update(chunk) {
      let h = hi;
      let l = lo;
      for (let i = 0; i < chunk.length; i++) {
        const index = (l ^ chunk[i]) & 0xff;
        l = CRC64_TABLE_LO[index] ^ ((l >>> 8) | (h << 24));
        h = CRC64_TABLE_HI[index] ^ (h >>> 8);
      }
      hi = h;
      lo = l;
    },
    base64() {
      const out = Buffer.alloc(8);
      out.writeUInt32BE(~hi >>> 0, 0);
      out.writeUInt32BE(~lo >>> 0, 4);
      return out.toString('base64');
    },
  };
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
    case 'CRC64NVME':
      return crc64nvmeDigest();
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
