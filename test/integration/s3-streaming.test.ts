import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import path from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { checksumOf } from '../../gateway/backends/s3/checksums';
import { ALICE, awsChunked, rawRequest, signRequest, startTestS3, type TestS3 } from '../helpers/s3';

let s3: TestS3;
let client: S3Client;
let bucket: string;
let dir: string;
/** Request headers as they left the SDK (after signing), by key. */
const sent = new Map<string, Record<string, string>>();

beforeAll(async () => {
  s3 = await startTestS3();
  client = s3.client(ALICE);
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { path?: string; headers?: Record<string, string> };
      if (request.path && request.headers) sent.set(decodeURIComponent(request.path), { ...request.headers });
      return next(args);
    },
    { step: 'finalizeRequest', priority: 'low', name: 'captureHeaders' },
  );
  bucket = `stream-${process.pid}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  dir = mkdtempSync(path.join(tmpdir(), 'apigw-stream-'));
});
afterAll(() => s3.stop());

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

async function exists(key: string): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch {
    return false;
  }
}

async function get(key: string): Promise<Buffer> {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

function file(name: string, data: Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, data);
  return p;
}

const objectUrl = (key: string) => new URL(`${s3.url}/${bucket}/${encodeURIComponent(key)}`);

/** A PUT with an aws-chunked body, signed as the given streaming mode. */
async function chunkedPut(
  key: string,
  mode: string,
  build: (signing: Awaited<ReturnType<typeof signRequest>>['signing']) => Buffer,
  extra: Record<string, string> = {},
  decodedLength?: number,
) {
  const url = objectUrl(key);
  // The body length must be known before signing; build it once with a dummy chain to measure.
  const headers: Record<string, string> = {
    'x-amz-content-sha256': mode,
    'content-encoding': 'aws-chunked',
    ...extra,
  };
  if (decodedLength !== undefined) headers['x-amz-decoded-content-length'] = String(decodedLength);
  const signed = await signRequest(url, 'PUT', headers);
  const body = build(signed.signing);
  return rawRequest(url, 'PUT', { ...signed.headers, 'content-length': String(body.length) }, body);
}

describe('SDK v3 with default settings and stream bodies (STREAMING-UNSIGNED-PAYLOAD-TRAILER)', () => {
  test('a 5 MiB file stream is stored decoded, with its CRC32 trailer verified and returned', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 123);
    const put = await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'file.bin',
        Body: createReadStream(file('file.bin', data)),
      }),
    );
    const headers = sent.get(`/${bucket}/file.bin`)!;
    expect(headers['x-amz-content-sha256']).toBe('STREAMING-UNSIGNED-PAYLOAD-TRAILER');
    expect(headers['x-amz-decoded-content-length']).toBe(String(data.length));
    expect(put.ETag).toBe(`"${md5(data)}"`);
    expect(put.ChecksumCRC32).toBe(checksumOf('CRC32', data));
    const head = await client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'file.bin', ChecksumMode: 'ENABLED' }),
    );
    expect(head.ContentLength).toBe(data.length);
    expect(head.ContentEncoding).toBeUndefined();
    expect(head.ChecksumCRC32).toBe(put.ChecksumCRC32);
    expect(md5(await get('file.bin'))).toBe(md5(data));
  });

  test('aws-chunked is removed from the stored Content-Encoding, other codings stay', async () => {
    const data = Buffer.from('pretend this is gzip');
    await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'gz',
        Body: createReadStream(file('gz', data)),
        ContentEncoding: 'gzip',
      }),
    );
    expect(sent.get(`/${bucket}/gz`)!['content-encoding']).toMatch(/aws-chunked/);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'gz' }));
    expect(head.ContentEncoding).toBe('gzip');
    expect((await get('gz')).equals(data)).toBe(true);
  });

  test('other checksum algorithms arrive as trailers and are verified', async () => {
    const data = randomBytes(300_000);
    for (const algorithm of ['CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'] as const) {
      const put = await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `sum-${algorithm}`,
          Body: createReadStream(file(`sum-${algorithm}`, data)),
          ChecksumAlgorithm: algorithm,
        }),
      );
      expect(put[`Checksum${algorithm}`]).toBe(checksumOf(algorithm, data));
      // Returned on request, and checked by the SDK against the bytes it reads.
      const got = await client.send(
        new GetObjectCommand({ Bucket: bucket, Key: `sum-${algorithm}`, ChecksumMode: 'ENABLED' }),
      );
      expect(got[`Checksum${algorithm}`]).toBe(checksumOf(algorithm, data));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(data)).toBe(true);
    }
  });

  test('an empty stream is an empty object', async () => {
    const put = await client.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'empty',
        Body: createReadStream(file('empty', Buffer.alloc(0))),
      }),
    );
    expect(put.ETag).toBe('"d41d8cd98f00b204e9800998ecf8427e"');
    expect((await get('empty')).length).toBe(0);
  });
});

describe('hand-built aws-chunked requests', () => {
  const payload = randomBytes(200 * 1024 + 5);
  const chunks = [payload.subarray(0, 65536), payload.subarray(65536, 131072), payload.subarray(131072)];

  test('STREAMING-AWS4-HMAC-SHA256-PAYLOAD (minio-go, Java): every chunk verified, framing never stored', async () => {
    const res = await chunkedPut(
      'signed',
      'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      (signing) => awsChunked(chunks, { signing }),
      { 'content-encoding': 'aws-chunked,gzip' },
      payload.length,
    );
    expect([res.status, res.body]).toEqual([200, '']);
    expect(res.headers.etag).toBe(`"${md5(payload)}"`);
    expect((await get('signed')).equals(payload)).toBe(true);
    const head = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: 'signed' }));
    expect([head.ContentLength, head.ContentEncoding]).toEqual([payload.length, 'gzip']);
  });

  test('STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER: signed chunks, signed CRC32C trailer', async () => {
    const crc = checksumOf('CRC32C', payload);
    for (const trailerSeparator of ['\r\n', '\n\r\n']) {
      const res = await chunkedPut(
        'signed-trailer',
        'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
        (signing) =>
          awsChunked(chunks, { signing, trailers: [['x-amz-checksum-crc32c', crc]], trailerSeparator }),
        { 'x-amz-trailer': 'x-amz-checksum-crc32c' },
        payload.length,
      );
      expect([res.status, res.headers['x-amz-checksum-crc32c']]).toEqual([200, crc]);
    }
    const got = await client.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'signed-trailer', ChecksumMode: 'ENABLED' }),
    );
    expect(got.ChecksumCRC32C).toBe(crc);
    expect(md5(Buffer.from(await got.Body!.transformToByteArray()))).toBe(md5(payload));
  });

  test('UNSIGNED-PAYLOAD with x-amz-decoded-content-length (Java SDK v2) is decoded too', async () => {
    const res = await chunkedPut('java', 'UNSIGNED-PAYLOAD', () => awsChunked(chunks), {}, payload.length);
    expect(res.status).toBe(200);
    expect((await get('java')).equals(payload)).toBe(true);
  });

  describe('refused bodies change nothing', () => {
    const original = Buffer.from('the verified original');
    beforeAll(async () => {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'guarded', Body: original }));
    });
    afterEach(async () => {
      expect((await get('guarded')).equals(original)).toBe(true);
    });

    test('one changed payload byte in any chunk is 403 SignatureDoesNotMatch', async () => {
      for (const [chunk, offset] of [
        [0, 0],
        [1, 4000],
        [2, chunks[2].length - 1],
      ]) {
        const res = await chunkedPut(
          'guarded',
          'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
          (signing) => {
            const body = awsChunked(chunks, { signing });
            // Skip to the data of chunk `chunk`: each is header line, data, CRLF.
            let at = 0;
            for (let i = 0; i < chunk; i++) at = body.indexOf('\r\n', at) + 2 + chunks[i].length + 2;
            body[body.indexOf('\r\n', at) + 2 + offset] ^= 0x01;
            return body;
          },
          {},
          payload.length,
        );
        expect([chunk, res.status, res.body]).toEqual([
          chunk,
          403,
          expect.stringContaining('SignatureDoesNotMatch'),
        ]);
      }
    });

    test('a changed chunk signature, dropped chunk or forged trailer is refused', async () => {
      const flipSignature = await chunkedPut(
        'guarded',
        'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        (signing) => {
          const body = awsChunked(chunks, { signing });
          const at = body.indexOf('chunk-signature=', 70_000) + 20;
          body[at] = body[at] === 0x30 ? 0x31 : 0x30;
          return body;
        },
        {},
        payload.length,
      );
      expect(flipSignature.status).toBe(403);
      const dropped = await chunkedPut(
        'guarded',
        'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        (signing) => {
          const body = awsChunked(chunks, { signing });
          const second = body.indexOf('10000;', 10);
          return Buffer.concat([
            body.subarray(0, second),
            body.subarray(body.indexOf('\r\n', second + 65600) + 2),
          ]);
        },
        {},
        payload.length - 65536,
      );
      expect(dropped.status).toBe(403);
      const forgedTrailer = await chunkedPut(
        'guarded',
        'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
        (signing) =>
          Buffer.from(
            awsChunked(chunks, {
              signing,
              trailers: [['x-amz-checksum-crc32', checksumOf('CRC32', payload)]],
            })
              .toString('latin1')
              .replace(checksumOf('CRC32', payload), checksumOf('CRC32', original)),
            'latin1',
          ),
        { 'x-amz-trailer': 'x-amz-checksum-crc32' },
        payload.length,
      );
      expect(forgedTrailer.status).toBe(403);
    });

    test.each(['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'] as const)(
      'a wrong %s trailer is 400 BadDigest',
      async (algorithm) => {
        const name = `x-amz-checksum-${algorithm.toLowerCase()}`;
        const res = await chunkedPut(
          'guarded',
          'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
          () => awsChunked(chunks, { trailers: [[name, checksumOf(algorithm, original)]] }),
          { 'x-amz-trailer': name, 'x-amz-sdk-checksum-algorithm': algorithm },
          payload.length,
        );
        expect([res.status, res.body]).toEqual([400, expect.stringContaining('<Code>BadDigest</Code>')]);
      },
    );

    test('a wrong checksum header on a signed chunked body is BadDigest', async () => {
      const res = await chunkedPut(
        'guarded',
        'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        (signing) => awsChunked(chunks, { signing }),
        { 'x-amz-checksum-sha256': checksumOf('SHA256', original) },
        payload.length,
      );
      expect([res.status, res.body]).toEqual([400, expect.stringContaining('BadDigest')]);
    });

    test('a declared trailer that never comes is MalformedTrailerError', async () => {
      const res = await chunkedPut(
        'guarded',
        'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        () => awsChunked(chunks, { trailers: [] }),
        { 'x-amz-trailer': 'x-amz-checksum-crc32' },
        payload.length,
      );
      expect([res.status, res.body]).toEqual([400, expect.stringContaining('MalformedTrailerError')]);
    });

    test('fewer bytes than x-amz-decoded-content-length is IncompleteBody; no length at all is 411', async () => {
      const short = await chunkedPut(
        'guarded',
        'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        (signing) => awsChunked(chunks, { signing }),
        {},
        payload.length + 10,
      );
      expect([short.status, short.body]).toEqual([400, expect.stringContaining('IncompleteBody')]);
      const missing = await chunkedPut('guarded', 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', (signing) =>
        awsChunked(chunks, { signing }),
      );
      expect([missing.status, missing.body]).toEqual([411, expect.stringContaining('MissingContentLength')]);
    });

    test('signed chunks below 8 KiB before the last are InvalidChunkSizeError', async () => {
      const small = [payload.subarray(0, 100), payload.subarray(100, 200)];
      const res = await chunkedPut(
        'guarded',
        'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        (signing) => awsChunked(small, { signing }),
        {},
        200,
      );
      expect([res.status, res.body]).toEqual([400, expect.stringContaining('InvalidChunkSizeError')]);
    });
  });

  test('a body refused at its start is answered while the client still sends; then the connection closes', async () => {
    const url = objectUrl('early-refusal');
    const size = 80 * 1024 * 1024;
    const signed = await signRequest(url, 'PUT', {
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-decoded-content-length': String(size),
      'content-encoding': 'aws-chunked',
    });
    const result = await new Promise<{ status: number; body: string; sentBeforeAnswer: number }>(
      (resolve, reject) => {
        let sent = 0;
        let answered = false;
        const req = request(url, {
          method: 'PUT',
          headers: { ...signed.headers, 'content-length': String(size + 4) },
        });
        req.on('response', (res) => {
          answered = true;
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString(),
              sentBeforeAnswer: sent,
            }),
          );
        });
        req.on('error', (e) => (answered ? undefined : reject(e)));
        const junk = Buffer.alloc(1024 * 1024);
        const pump = () => {
          while (!answered && sent < size) {
            const last = sent + junk.length >= size;
            sent += junk.length;
            const ok = req.write(sent === junk.length ? Buffer.concat([Buffer.from('zz\r\n'), junk]) : junk);
            if (last) req.end();
            if (!ok) return void req.once('drain', pump);
          }
        };
        pump();
      },
    );
    expect([result.status, result.body]).toEqual([400, expect.stringContaining('IncompleteBody')]);
    expect(result.sentBeforeAnswer).toBeLessThan(size);
    expect(await exists('early-refusal')).toBe(false);
  });

  test('nothing of the refused uploads is listed', async () => {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'guarded' }));
    expect(listed.Contents!.map((c) => c.Key)).toEqual(['guarded']);
  });
});
