import { createHash } from 'node:crypto';
import { createReadStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListMultipartUploadsCommand,
  S3Client,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { ALICE, startTestS3, type TestS3 } from '../helpers/s3';

/** The part of @aws-sdk/lib-storage's Upload this test uses (the package is optional here). */
interface UploadLike {
  done(): Promise<{ ETag?: string }>;
  on(event: 'httpUploadProgress', listener: (progress: { part?: number; loaded?: number }) => void): void;
}
type UploadConstructor = new (options: {
  client: S3Client;
  params: PutObjectCommandInput;
  partSize?: number;
  queueSize?: number;
}) => UploadLike;

let Upload: UploadConstructor | undefined;
try {
  Upload = (require('@aws-sdk/lib-storage') as { Upload: UploadConstructor }).Upload;
} catch {
  console.warn(
    'skipping the @aws-sdk/lib-storage test: the package is not installed (npm i -D @aws-sdk/lib-storage)',
  );
}
const describeWithLibStorage = Upload ? describe : describe.skip;

const MiB = 1024 * 1024;

describeWithLibStorage('@aws-sdk/lib-storage Upload', () => {
  let s3: TestS3;
  let client: S3Client;
  let dir: string;

  beforeAll(async () => {
    s3 = await startTestS3();
    client = s3.client(ALICE);
    await client.send(new CreateBucketCommand({ Bucket: 'lib-storage' }));
    dir = mkdtempSync(path.join(tmpdir(), 'apigw-lib-storage-'));
  });
  afterAll(async () => {
    await s3.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('a 64 MiB file stream in 8 MiB parts, 4 at a time', async () => {
    const file = path.join(dir, 'big.bin');
    const data = Buffer.alloc(64 * MiB);
    for (let i = 0; i < data.length; i += 4) data.writeUInt32LE((i * 2654435761) >>> 0, i);
    writeFileSync(file, data);
    const upload = new Upload!({
      client,
      params: {
        Bucket: 'lib-storage',
        Key: 'big.bin',
        Body: createReadStream(file),
        ContentType: 'video/mp4',
      },
      partSize: 8 * MiB,
      queueSize: 4,
    });
    const parts = new Set<number>();
    upload.on('httpUploadProgress', (p) => p.part !== undefined && parts.add(p.part));
    const result = await upload.done();
    const md5s = Buffer.concat(
      Array.from({ length: 8 }, (_, i) =>
        createHash('md5')
          .update(data.subarray(i * 8 * MiB, (i + 1) * 8 * MiB))
          .digest(),
      ),
    );
    expect(result.ETag).toBe(`"${createHash('md5').update(md5s).digest('hex')}-8"`);
    expect(parts.size).toBe(8);
    const got = await client.send(new GetObjectCommand({ Bucket: 'lib-storage', Key: 'big.bin' }));
    expect(got.ContentType).toBe('video/mp4');
    expect(got.ContentLength).toBe(data.length);
    const hash = createHash('md5');
    for await (const chunk of got.Body as AsyncIterable<Buffer>) hash.update(chunk);
    expect(hash.digest('hex')).toBe(createHash('md5').update(data).digest('hex'));
    expect(
      (await client.send(new ListMultipartUploadsCommand({ Bucket: 'lib-storage' }))).Uploads,
    ).toBeUndefined();
  }, 60_000);
});
