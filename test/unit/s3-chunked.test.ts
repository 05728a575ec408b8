import { createHash, createHmac } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { verifyRequest, type AuthResult } from '../../gateway/backends/s3/auth';
import { AwsChunkedDecoder, type AwsChunkedOptions } from '../../gateway/backends/s3/chunked/decoder';
import { ChunkSignatureChain, type SigningContext } from '../../sigv4';
import { ChecksumTap, checksumOf } from '../../gateway/backends/s3/checksums';
import { S3Error } from '../../gateway/backends/s3/errors';
import type { S3User } from '../../gateway/backends/s3/identity';

// The AWS documentation example for chunked uploads
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html).
const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const DATE = '20130524T000000Z';
const SCOPE = '20130524/us-east-1/s3/aws4_request';
const SEED = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';
const CHUNK_SIGNATURES = [
  'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
  '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
  'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
];
const user: S3User = {
  accessKeyId: AWS_KEY,
  secretAccessKey: AWS_SECRET,
  owner: { id: 'a'.repeat(64), displayName: 'example' },
};

function signingKey(secret: string, date: string): Buffer {
  let key = Buffer.from(`AWS4${secret}`);
  for (const part of [date, 'us-east-1', 's3', 'aws4_request'])
    key = createHmac('sha256', key).update(part).digest();
  return key;
}

const hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/** An independent encoder (not the emulator's chain) for signed aws-chunked bodies. */
function signedBody(
  signing: SigningContext,
  chunks: Buffer[],
  trailers?: Array<[string, string]>,
  trailerSeparator = '\r\n',
): Buffer {
  let previous = signing.seedSignature;
  const parts: Buffer[] = [];
  for (const data of [...chunks, Buffer.alloc(0)]) {
    const toSign = [
      'AWS4-HMAC-SHA256-PAYLOAD',
      signing.amzDate,
      signing.scope,
      previous,
      hex(''),
      hex(data),
    ].join('\n');
    previous = createHmac('sha256', signing.signingKey).update(toSign).digest('hex');
    parts.push(Buffer.from(`${data.length.toString(16)};chunk-signature=${previous}\r\n`), data);
    if (data.length > 0) parts.push(Buffer.from('\r\n'));
  }
  if (!trailers) return Buffer.concat([...parts, Buffer.from('\r\n')]);
  const block = trailers.map(([n, v]) => `${n}:${v}\n`).join('');
  const toSign = ['AWS4-HMAC-SHA256-TRAILER', signing.amzDate, signing.scope, previous, hex(block)].join(
    '\n',
  );
  const signature = createHmac('sha256', signing.signingKey).update(toSign).digest('hex');
  const lines = trailers.map(([n, v]) => `${n}:${v}`).join('\r\n');
  return Buffer.concat([
    ...parts,
    Buffer.from(`${lines}${trailerSeparator}x-amz-trailer-signature:${signature}\r\n\r\n`),
  ]);
}

const vectorSigning: SigningContext = {
  signingKey: signingKey(AWS_SECRET, '20130524'),
  amzDate: DATE,
  scope: SCOPE,
  seedSignature: SEED,
};

/** The documented 66 824-byte body: 65 536 and 1 024 bytes of `a`, then the final chunk. */
const VECTOR_BODY = Buffer.concat([
  Buffer.from(`10000;chunk-signature=${CHUNK_SIGNATURES[0]}\r\n`),
  Buffer.alloc(65536, 'a'),
  Buffer.from(`\r\n400;chunk-signature=${CHUNK_SIGNATURES[1]}\r\n`),
  Buffer.alloc(1024, 'a'),
  Buffer.from(`\r\n0;chunk-signature=${CHUNK_SIGNATURES[2]}\r\n\r\n`),
]);

/** Runs `body` through a decoder, split into pieces of `split` bytes; resolves with the decoder and its output. */
async function decode(
  body: Buffer,
  options: AwsChunkedOptions,
  split = 16 * 1024,
): Promise<{ output: Buffer; decoder: AwsChunkedDecoder }> {
  const pieces: Buffer[] = [];
  for (let i = 0; i < body.length; i += split) pieces.push(body.subarray(i, i + split));
  const decoder = new AwsChunkedDecoder(options);
  const out: Buffer[] = [];
  await pipeline(
    Readable.from(pieces),
    decoder,
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        out.push(chunk);
        callback();
      },
    }),
  );
  return { output: Buffer.concat(out), decoder };
}

async function refusal(body: Buffer, options: AwsChunkedOptions, split?: number): Promise<S3Error> {
  try {
    await decode(body, options, split);
  } catch (e) {
    if (e instanceof S3Error) return e;
    throw e;
  }
  throw new Error('expected the body to be refused');
}

const signed = (decodedLength: number, signing = vectorSigning, trailer = false): AwsChunkedOptions => ({
  decodedLength,
  signatures: new ChunkSignatureChain(signing),
  trailer,
  minChunkSize: 8192,
});

describe('STREAMING-AWS4-HMAC-SHA256-PAYLOAD: the AWS example', () => {
  test('the request verifies and the signature chain reproduces every published chunk signature', () => {
    const headers = {
      host: 's3.amazonaws.com',
      'content-encoding': 'aws-chunked',
      'content-length': '66824',
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'x-amz-date': DATE,
      'x-amz-decoded-content-length': '66560',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    };
    const auth = verifyRequest(
      {
        method: 'PUT',
        rawUrl: '/examplebucket/chunkObject.txt',
        headers: {
          ...headers,
          authorization: `AWS4-HMAC-SHA256 Credential=${AWS_KEY}/${SCOPE},SignedHeaders=${Object.keys(headers)
            .sort()
            .join(';')},Signature=${SEED}`,
        },
      },
      { lookup: (id) => (id === AWS_KEY ? user : undefined), now: new Date('2013-05-24T00:00:00Z') },
    ) as Extract<AuthResult, { kind: 'signed' }>;
    expect(auth.kind).toBe('signed');
    const chain = new ChunkSignatureChain(auth);
    const chunks = [Buffer.alloc(65536, 'a'), Buffer.alloc(1024, 'a'), Buffer.alloc(0)];
    chunks.forEach((data, i) => {
      expect(chain.expectedChunkSignature(hex(data))).toBe(CHUNK_SIGNATURES[i]);
      expect(chain.acceptChunk(hex(data), CHUNK_SIGNATURES[i])).toBe(true);
    });
    expect(VECTOR_BODY.length).toBe(66824);
  });

  test.each([1, 7, 88, 4096, 65536, 100_000])('decodes the body fed in pieces of %i bytes', async (split) => {
    const { output, decoder } = await decode(VECTOR_BODY, signed(66560), split);
    expect(output.equals(Buffer.alloc(66560, 'a'))).toBe(true);
    expect(decoder.decoded).toBe(66560);
  });

  test('every one-byte change to the framing, the signatures or the line endings is refused', async () => {
    const framing: number[] = [];
    for (let i = 0; i < VECTOR_BODY.length; i++) if (i < 88 || i >= 88 + 65536) framing.push(i);
    const accepted: string[] = [];
    for (const position of framing) {
      for (const flip of [0x01, 0x20]) {
        const mutated = Buffer.from(VECTOR_BODY);
        mutated[position] ^= flip;
        try {
          await decode(mutated, signed(66560), 32 * 1024);
          accepted.push(`${position}^${flip}`);
        } catch (e) {
          expect(['SignatureDoesNotMatch', 'IncompleteBody', 'InvalidChunkSizeError']).toContain(
            (e as S3Error).code,
          );
        }
      }
    }
    expect(accepted).toEqual([]);
  }, 60_000);

  test('a one-byte change anywhere in the data is SignatureDoesNotMatch', async () => {
    for (let n = 0; n < 200; n++) {
      const position = 88 + Math.floor((n / 200) * 65536) + (n % 13);
      const mutated = Buffer.from(VECTOR_BODY);
      mutated[position] ^= 0x01;
      const error = await refusal(mutated, signed(66560));
      expect([position, error.code, error.status]).toEqual([position, 'SignatureDoesNotMatch', 403]);
    }
    const lastChunk = Buffer.from(VECTOR_BODY);
    lastChunk[88 + 65536 + 2 + 86 + 1023] ^= 0x01;
    expect((await refusal(lastChunk, signed(66560))).code).toBe('SignatureDoesNotMatch');
  });

  test('dropping, swapping or re-signing chunks with another key is refused', async () => {
    const first = VECTOR_BODY.subarray(0, 88 + 65536 + 2);
    const second = VECTOR_BODY.subarray(first.length, first.length + 86 + 1024 + 2);
    const last = VECTOR_BODY.subarray(first.length + second.length);
    expect((await refusal(Buffer.concat([first, last]), signed(65536))).code).toBe('SignatureDoesNotMatch');
    expect((await refusal(Buffer.concat([second, first, last]), signed(66560))).code).toBe(
      'SignatureDoesNotMatch',
    );
    const otherKey = { ...vectorSigning, signingKey: signingKey('another secret', '20130524') };
    const forged = signedBody(otherKey, [Buffer.alloc(65536, 'a'), Buffer.alloc(1024, 'a')]);
    expect((await refusal(forged, signed(66560))).code).toBe('SignatureDoesNotMatch');
    const unsignedChunks = Buffer.from(`5\r\nhello\r\n0\r\n\r\n`);
    expect((await refusal(unsignedChunks, signed(5))).code).toBe('SignatureDoesNotMatch');
  });

  test('too few or too many bytes for x-amz-decoded-content-length are IncompleteBody', async () => {
    expect((await refusal(VECTOR_BODY, signed(66561))).code).toBe('IncompleteBody');
    expect((await refusal(VECTOR_BODY, signed(66559))).code).toBe('IncompleteBody');
    for (const cut of [10, 88, 1000, 65624, VECTOR_BODY.length - 3]) {
      expect((await refusal(VECTOR_BODY.subarray(0, cut), signed(66560))).code).toBe('IncompleteBody');
    }
    // Only the final line ending may be missing.
    const { output } = await decode(VECTOR_BODY.subarray(0, VECTOR_BODY.length - 2), signed(66560));
    expect(output.length).toBe(66560);
  });

  test('a small chunk followed by more data is InvalidChunkSizeError; a small last chunk is fine', async () => {
    const small = signedBody(vectorSigning, [Buffer.alloc(100, 'x'), Buffer.alloc(100, 'y')]);
    const error = await refusal(small, signed(200));
    expect([error.code, error.status]).toEqual(['InvalidChunkSizeError', 400]);
    const fine = signedBody(vectorSigning, [Buffer.alloc(8192, 'x'), Buffer.alloc(5, 'y')]);
    expect((await decode(fine, signed(8197))).output.length).toBe(8197);
  });

  test('an over-long chunk header line is refused without buffering it', async () => {
    const error = await refusal(Buffer.concat([Buffer.from('1'), Buffer.alloc(10_000, '0')]), signed(1));
    expect(error.code).toBe('IncompleteBody');
  });
});

describe('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER', () => {
  const payload = Buffer.alloc(20_000, 'z');
  const crc = checksumOf('CRC32', payload);

  test.each([
    ['CRLF', '\r\n'],
    ['minio-go style LF + CRLF', '\n\r\n'],
  ])('verifies chunks and the trailer signature (%s before the signature)', async (_name, separator) => {
    const body = signedBody(vectorSigning, [payload], [['x-amz-checksum-crc32', crc]], separator);
    const { output, decoder } = await decode(body, signed(payload.length, vectorSigning, true), 1000);
    expect(output.equals(payload)).toBe(true);
    expect(decoder.trailers.get('x-amz-checksum-crc32')).toBe(crc);
  });

  test('a changed trailer value, a missing or wrong trailer signature are refused', async () => {
    const body = signedBody(vectorSigning, [payload], [['x-amz-checksum-crc32', crc]]);
    const text = body.toString('latin1');
    const changed = Buffer.from(text.replace(crc, checksumOf('CRC32', Buffer.from('other'))), 'latin1');
    expect((await refusal(changed, signed(payload.length, vectorSigning, true))).code).toBe(
      'SignatureDoesNotMatch',
    );
    const unsignedTrailer = Buffer.from(
      text.replace(/x-amz-trailer-signature:[0-9a-f]{64}\r\n/, ''),
      'latin1',
    );
    expect((await refusal(unsignedTrailer, signed(payload.length, vectorSigning, true))).code).toBe(
      'SignatureDoesNotMatch',
    );
    const at = text.indexOf('x-amz-trailer-signature:') + 30;
    const flipped = Buffer.from(body);
    flipped[at] = flipped[at] === 0x30 ? 0x31 : 0x30;
    expect((await refusal(flipped, signed(payload.length, vectorSigning, true))).code).toBe(
      'SignatureDoesNotMatch',
    );
  });
});

describe('STREAMING-UNSIGNED-PAYLOAD-TRAILER', () => {
  const unsigned = (decodedLength: number): AwsChunkedOptions => ({ decodedLength, trailer: true });

  test('decodes what SDK v3 sends (a signed trailer) and collects the trailer', async () => {
    const body = Buffer.from('5\r\nhello\r\n5\r\nworld\r\n0\r\nx-amz-checksum-crc32:+esgrQ==\r\n\r\n');
    for (const split of [1, 3, 1000]) {
      const { output, decoder } = await decode(body, unsigned(10), split);
      expect(output.toString()).toBe('helloworld');
      expect(decoder.trailers).toEqual(new Map([['x-amz-checksum-crc32', '+esgrQ==']]));
    }
    expect(checksumOf('CRC32', Buffer.from('helloworld'))).toBe('+esgrQ==');
  });

  test('CRC64NVME is CRC-64/NVME: the catalogue check value, and the same sum fed in pieces', () => {
    // reveng's catalogue: CRC-64/NVME of "123456789" is 0xAE8B14860A799888.
    expect(Buffer.from(checksumOf('CRC64NVME', Buffer.from('123456789')), 'base64').toString('hex')).toBe(
      'ae8b14860a799888',
    );
    expect(checksumOf('CRC64NVME', Buffer.alloc(0))).toBe('AAAAAAAAAAA=');
    const data = Buffer.from(Array.from({ length: 1000 }, (_, i) => (i * 7919) & 0xff));
    const tap = new ChecksumTap(['CRC64NVME']);
    for (let at = 0; at < data.length; at += 333) tap.write(data.subarray(at, at + 333));
    tap.end();
    tap.resume();
    return finished(tap).then(() =>
      expect(tap.values().get('CRC64NVME')).toBe(checksumOf('CRC64NVME', data)),
    );
  });

  test('small chunks are fine without signatures; chunk extensions are ignored', async () => {
    const body = Buffer.from('1;ext=1\r\na\r\n2\r\nbc\r\n0\r\nx-amz-checksum-sha256:abc\r\n\r\n');
    expect((await decode(body, unsigned(3))).output.toString()).toBe('abc');
  });

  test('broken framing is IncompleteBody, a trailer line without a name MalformedTrailerError', async () => {
    expect((await refusal(Buffer.from('5\r\nhelloX\r\n0\r\n\r\n'), unsigned(5))).code).toBe('IncompleteBody');
    expect((await refusal(Buffer.from('zz\r\nhello\r\n0\r\n\r\n'), unsigned(5))).code).toBe('IncompleteBody');
    expect((await refusal(Buffer.from('5\r\nhel'), unsigned(5))).code).toBe('IncompleteBody');
    expect((await refusal(Buffer.from('5\r\nhello\r\n0\r\n:x\r\n\r\n'), unsigned(5))).code).toBe(
      'MalformedTrailerError',
    );
    expect((await refusal(Buffer.from('5\r\nhello\r\n0\r\n\r\nmore'), unsigned(5))).code).toBe(
      'IncompleteBody',
    );
  });
});
