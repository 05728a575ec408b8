import { createHash, randomBytes } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ALICE, startTestS3, type TestS3 } from '../helpers/s3';

let s3: TestS3;
let client: S3Client;
let bucket: string;

beforeAll(async () => {
  s3 = await startTestS3();
  client = s3.client(ALICE);
  bucket = `presign-${process.pid}`;
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
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

describe('presigned URLs from @aws-sdk/s3-request-presigner', () => {
  test('PUT with a body, GET it back, DELETE it — no credentials on the caller side', async () => {
    const data = randomBytes(200_000);
    const key = 'dir/presigned put+1.bin';
    const putUrl = await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: bucket, Key: key, ContentType: 'application/x-test' }),
      { expiresIn: 300 },
    );
    const put = await fetch(putUrl, {
      method: 'PUT',
      body: data,
      headers: { 'content-type': 'application/x-test' },
    });
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toBe(`"${md5(data)}"`);
    const getUrl = await getSignedUrl(client, new GetObjectCommand({ Bucket: bucket, Key: key }), {
      expiresIn: 300,
    });
    const got = await fetch(getUrl);
    expect([got.status, got.headers.get('content-type')]).toEqual([200, 'application/x-test']);
    expect(md5(Buffer.from(await got.arrayBuffer()))).toBe(md5(data));
    const delUrl = await getSignedUrl(client, new DeleteObjectCommand({ Bucket: bucket, Key: key }), {
      expiresIn: 300,
    });
    expect((await fetch(delUrl, { method: 'DELETE' })).status).toBe(204);
    expect(await exists(key)).toBe(false);
  });

  test('x-amz-acl signed into a presigned PUT is applied', async () => {
    const url = await getSignedUrl(
      client,
      new PutObjectCommand({ Bucket: bucket, Key: 'public', ACL: 'public-read' }),
      {
        expiresIn: 60,
      },
    );
    expect(url).toContain('x-amz-acl=public-read');
    expect((await fetch(url, { method: 'PUT', body: 'hello' })).status).toBe(200);
    const acl = await client.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'public' }));
    expect(acl.Grants!.map((g) => g.Permission)).toEqual(['READ', 'FULL_CONTROL']);
  });

  test('expired or tampered PUT URLs are 403 and store nothing', async () => {
    const expired = await getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key: 'late' }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 3600_000),
    });
    const late = await fetch(expired, { method: 'PUT', body: 'too late' });
    expect(late.status).toBe(403);
    expect(await late.text()).toContain('Request has expired');
    const url = await getSignedUrl(client, new PutObjectCommand({ Bucket: bucket, Key: 'mine' }), {
      expiresIn: 60,
    });
    const tampered = await fetch(url.replace('/mine?', '/yours?'), { method: 'PUT', body: 'x' });
    expect(tampered.status).toBe(403);
    expect(await exists('late')).toBe(false);
    expect(await exists('yours')).toBe(false);
  });

  test('presigned UploadPart URLs (browser-style multipart uploads)', async () => {
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'browser' }),
    );
    const parts = [randomBytes(5 * 1024 * 1024), randomBytes(1234)];
    const etags: string[] = [];
    for (const [i, body] of parts.entries()) {
      const url = await getSignedUrl(
        client,
        new UploadPartCommand({ Bucket: bucket, Key: 'browser', UploadId, PartNumber: i + 1 }),
        { expiresIn: 300 },
      );
      const res = await fetch(url, { method: 'PUT', body });
      expect(res.status).toBe(200);
      etags.push(res.headers.get('etag')!);
    }
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'browser',
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'browser' }));
    expect(md5(Buffer.from(await got.Body!.transformToByteArray()))).toBe(md5(Buffer.concat(parts)));
  });
});
