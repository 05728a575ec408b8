import { request } from 'node:http';
import { CreateBucketCommand, CreateMultipartUploadCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { ALICE, signRequest, startTestS3, type TestS3 } from '../helpers/s3';

let s3: TestS3;
let bucket: string;

beforeAll(async () => {
  s3 = await startTestS3();
  bucket = `expect-${process.pid}`;
  await s3.client(ALICE).send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(() => s3.stop());

/**
 * Sends headers with `Expect: 100-continue` and the body only if the server says 100 Continue.
 * Resolves with whether it did and the final status and body.
 */
function expectContinue(
  path: string,
  headers: Record<string, string>,
  body: Buffer,
): Promise<{ continued: boolean; status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = request(`${s3.url}${path}`, {
      method: 'PUT',
      headers: { ...headers, expect: '100-continue' },
    });
    req.on('continue', () => {
      continued = true;
      req.end(body);
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        resolve({ continued, status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() });
        if (!continued) req.destroy();
      });
    });
    req.on('error', (e) => (continued ? reject(e) : undefined));
    req.flushHeaders();
  });
}

async function signedHeaders(
  path: string,
  extra: Record<string, string> = {},
): Promise<Record<string, string>> {
  const signed = await signRequest(new URL(`${s3.url}${path}`), 'PUT', {
    'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
    ...extra,
  });
  return { ...signed.headers, 'content-length': '5' };
}

describe('Expect: 100-continue is answered after authentication and the bucket check', () => {
  test('a good PUT gets 100 Continue, then stores the body', async () => {
    const path = `/${bucket}/k`;
    const res = await expectContinue(path, await signedHeaders(path), Buffer.from('hello'));
    expect([res.continued, res.status]).toEqual([true, 200]);
    const got = await s3.client(ALICE).send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect(await got.Body!.transformToString()).toBe('hello');
  });

  test('a missing bucket, an anonymous caller, an unknown upload: the error comes instead of 100', async () => {
    const missing = `/no-such-${process.pid}/k`;
    const a = await expectContinue(missing, await signedHeaders(missing), Buffer.from('hello'));
    expect([a.continued, a.status, a.body]).toEqual([false, 404, expect.stringContaining('NoSuchBucket')]);
    const b = await expectContinue(`/${bucket}/k`, { 'content-length': '5' }, Buffer.from('hello'));
    expect([b.continued, b.status, b.body]).toEqual([false, 403, expect.stringContaining('AccessDenied')]);
    const part = `/${bucket}/k?partNumber=1&uploadId=${'0'.repeat(32)}`;
    const c = await expectContinue(part, await signedHeaders(part), Buffer.from('hello'));
    expect([c.continued, c.status, c.body]).toEqual([false, 404, expect.stringContaining('NoSuchUpload')]);
  });

  test('an UploadPart to a live upload gets 100 Continue', async () => {
    const { UploadId } = await s3
      .client(ALICE)
      .send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp' }));
    const part = `/${bucket}/mp?partNumber=1&uploadId=${UploadId}`;
    const res = await expectContinue(part, await signedHeaders(part), Buffer.from('hello'));
    expect([res.continued, res.status]).toEqual([true, 200]);
  });
});
