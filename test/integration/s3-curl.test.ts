import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { ALICE, startTestS3, type TestS3 } from '../helpers/s3';

const run = promisify(execFile);

let s3: TestS3;
let root: string;
let bucket: string;
beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'apigw-root-'));
  s3 = await startTestS3({ dataDir: path.join(root, 'data') });
  bucket = `curl-${process.pid}`;
  await s3.client().send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(() => s3.stop());

/** curl with its own SigV4 signer (curl ≥ 7.75), as the README tells users to call the S3. */
async function curl(...args: string[]): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', [
    '-s',
    '--aws-sigv4',
    'aws:amz:us-east-1:s3',
    '--user',
    `${ALICE.accessKeyId}:${ALICE.secretAccessKey}`,
    // curl 7.88 does not send the payload hash header S3 requires; it signs the one given.
    '-H',
    'x-amz-content-sha256: UNSIGNED-PAYLOAD',
    '-w',
    '\n%{http_code}',
    ...args,
  ]);
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}

describe('curl --aws-sigv4', () => {
  test('PUT a file and GET it back, keys with spaces and plus signs', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'apigw-curl-')), 'f.txt');
    writeFileSync(file, 'uploaded with curl');
    const put = await curl(
      '-X',
      'PUT',
      '--data-binary',
      `@${file}`,
      `${s3.url}/${bucket}/folder/my%20item+1.txt`,
    );
    expect(put.status).toBe(200);
    const get = await curl(`${s3.url}/${bucket}/folder/my%20item+1.txt`);
    expect(get).toEqual({ status: 200, body: 'uploaded with curl' });
    const listed = await s3.client().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'folder/' }));
    expect(listed.Contents!.map((c) => c.Key)).toEqual(['folder/my item+1.txt']);
    const list = await curl(`${s3.url}/${bucket}?list-type=2&prefix=folder%2F`);
    expect(list.body).toContain('<Key>folder/my item+1.txt</Key>');
  });

  test('an upload without Content-Type is stored as binary/octet-stream', async () => {
    const put = await curl(
      '-X',
      'PUT',
      '-H',
      'Content-Type:',
      '--data-binary',
      'abc',
      `${s3.url}/${bucket}/untyped`,
    );
    expect(put.status).toBe(200);
    const head = await s3.client().send(new HeadObjectCommand({ Bucket: bucket, Key: 'untyped' }));
    expect(head.ContentType).toBe('binary/octet-stream');
  });

  test('a wrong secret is SignatureDoesNotMatch with the canonical request for debugging', async () => {
    const { stdout } = await run('curl', [
      '-s',
      '--aws-sigv4',
      'aws:amz:us-east-1:s3',
      '--user',
      `${ALICE.accessKeyId}:not-the-secret`,
      '-H',
      'x-amz-content-sha256: UNSIGNED-PAYLOAD',
      `${s3.url}/${bucket}/x`,
    ]);
    expect(stdout).toContain('<Code>SignatureDoesNotMatch</Code>');
    expect(stdout).toContain('<CanonicalRequest>');
  });
});

describe('raw HTTP', () => {
  test('unsigned requests are AccessDenied with an S3 error document', async () => {
    const res = await fetch(`${s3.url}/${bucket}/folder/x`, { method: 'PUT', body: 'sneaky' });
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(text).toContain('<Code>AccessDenied</Code>');
    expect(text).toContain(`<RequestId>${res.headers.get('x-amz-request-id')}</RequestId>`);
  });

  test('presigned URLs work until they expire', async () => {
    await s3
      .client()
      .send(new PutObjectCommand({ Bucket: bucket, Key: 'shared.txt', Body: Buffer.from('presigned!') }));
    const url = await getSignedUrl(s3.client(), new GetObjectCommand({ Bucket: bucket, Key: 'shared.txt' }), {
      expiresIn: 60,
    });
    const ok = await fetch(url);
    expect([ok.status, await ok.text()]).toEqual([200, 'presigned!']);
    const old = await getSignedUrl(s3.client(), new GetObjectCommand({ Bucket: bucket, Key: 'shared.txt' }), {
      expiresIn: 60,
      signingDate: new Date(Date.now() - 3600_000),
    });
    const expired = await fetch(old);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('Request has expired');
    const tampered = await fetch(url.replace('shared.txt', 'shared.txT'));
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('SignatureDoesNotMatch');
  });

  test('subresources not implemented yet are 501 NotImplemented, never the plain operation', async () => {
    const client = s3.client();
    const before = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    const res = await curl('-X', 'PUT', `${s3.url}/${bucket}?lifecycle`);
    expect(res.status).toBe(501);
    expect(res.body).toContain('<Code>NotImplemented</Code>');
    const del = await curl('-X', 'PUT', `${s3.url}/${bucket}/shared.txt?retention`);
    expect(del.status).toBe(501);
    const after = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(after.KeyCount).toBe(before.KeyCount);
  });

  test('traversal keys are ordinary keys: stored, listed, and nothing is written outside the data dir', async () => {
    const client = s3.client();
    const keys = [
      '../../escape.txt',
      '../outside',
      '/absolute/etc/passwd',
      'a/../../b',
      '%2e%2e%2fencoded',
      '..',
      'nul\u0000byte',
    ];
    for (const key of keys) {
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(`v:${key}`) }));
      const got = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect(await got.Body!.transformToString()).toBe(`v:${key}`);
    }
    // Raw paths that a naive server would normalise or decode twice.
    const bucketEscape = await curl(
      '-X',
      'PUT',
      '--path-as-is',
      '--data-binary',
      'evil',
      `${s3.url}/../../../../tmp/evil`,
    );
    expect(bucketEscape.body).toContain('<Code>NoSuchBucket</Code>');
    for (const raw of [
      `/${bucket}/..%2f..%2f..%2fevil`,
      `/${bucket}/../../evil`,
      `/${bucket}/%2e%2e/%2e%2e/evil`,
    ]) {
      const res = await curl('-X', 'PUT', '--path-as-is', '--data-binary', 'evil', `${s3.url}${raw}`);
      expect([raw, res.status]).toEqual([raw, 200]);
    }
    expect(readdirSync(root)).toEqual(['data']);
    expect(existsSync(path.join(root, '..', 'evil'))).toBe(false);
    expect(existsSync('/tmp/evil')).toBe(false);
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    const names = listed.Contents!.map((c) => c.Key);
    for (const key of [...keys, '../../../evil', '../../evil']) expect(names).toContain(key);
  });
});
