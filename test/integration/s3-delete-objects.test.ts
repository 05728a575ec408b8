import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { ALICE, rawRequest, signRequest, startTestS3, type TestS3 } from '../helpers/s3';

let s3: TestS3;
let alice: S3Client;
let n = 0;

beforeAll(async () => {
  s3 = await startTestS3();
  alice = s3.client(ALICE);
});
afterAll(() => s3.stop());

async function newBucket(keys: string[]): Promise<string> {
  const bucket = `del-${process.pid}-${++n}`;
  await alice.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const key of keys) await alice.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
  return bucket;
}

async function keys(bucket: string): Promise<string[]> {
  const res = await alice.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (res.Contents ?? []).map((c) => c.Key!);
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** POST ?delete with a hand-written body and a Content-MD5, as awscli sends it. */
async function postDelete(bucket: string, xml: string, md5 = true) {
  const url = new URL(`${s3.url}/${bucket}?delete`);
  const body = Buffer.from(xml);
  const headers: Record<string, string> = {
    'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
    'content-type': 'application/xml',
  };
  if (md5) headers['content-md5'] = createHash('md5').update(body).digest('base64');
  const signed = await signRequest(url, 'POST', headers);
  return rawRequest(url, 'POST', { ...signed.headers, 'content-length': String(body.length) }, body);
}

describe('DeleteObjects', () => {
  test('SDK v3 (x-amz-checksum-crc32, no Content-MD5): deleted and nonexistent keys are both Deleted', async () => {
    const bucket = await newBucket(['a', 'b&c', 'keep', ' spaced ']);
    const res = await alice.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: [{ Key: 'a' }, { Key: 'b&c' }, { Key: 'never-was' }, { Key: ' spaced ' }] },
      }),
    );
    expect(res.Deleted!.map((d) => d.Key).sort()).toEqual([' spaced ', 'a', 'b&c', 'never-was']);
    expect(res.Errors).toBeUndefined();
    expect(await keys(bucket)).toEqual(['keep']);
  });

  test('Quiet lists only errors; VersionId null addresses the unversioned object', async () => {
    const bucket = await newBucket(['q1', 'q2']);
    const res = await alice.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: {
          Quiet: true,
          Objects: [
            { Key: 'q1', VersionId: 'null' },
            { Key: 'q2', VersionId: 'v123' },
          ],
        },
      }),
    );
    expect(res.Deleted).toBeUndefined();
    expect(res.Errors).toEqual([
      {
        Key: 'q2',
        VersionId: 'v123',
        Code: 'NoSuchVersion',
        Message: 'The specified version does not exist.',
      },
    ]);
    expect(await keys(bucket)).toEqual(['q2']);
  });

  test('keys are strings: numbers, entities and character references survive', async () => {
    const awkward = ['0', '007', 'tab\there', 'ctrl\u001fchar', 'x<y>&z'];
    const bucket = await newBucket([...awkward, 'stays']);
    const xml =
      '<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
      awkward
        .map(
          (k) =>
            `<Object><Key>${escape(k).split('\u001f').join('&#x1F;').split('\t').join('&#9;')}</Key></Object>`,
        )
        .join('') +
      '</Delete>';
    const res = await postDelete(bucket, xml);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<Key>007</Key>');
    expect(res.body).toContain('<Key>x&lt;y&gt;&amp;z</Key>');
    expect(await keys(bucket)).toEqual(['stays']);
  });

  test('1001 keys, no keys or broken XML are MalformedXML and delete nothing', async () => {
    const bucket = await newBucket(['k0', 'k1']);
    const many = Array.from({ length: 1001 }, (_, i) => `<Object><Key>k${i}</Key></Object>`).join('');
    for (const xml of [
      `<Delete>${many}</Delete>`,
      '<Delete></Delete>',
      '<Delete><Object><Key>k0</Key>',
      '',
    ]) {
      const res = await postDelete(bucket, xml);
      expect([xml.slice(0, 30), res.status, res.body]).toEqual([
        xml.slice(0, 30),
        400,
        expect.stringContaining('<Code>MalformedXML</Code>'),
      ]);
    }
    const thousand = Array.from({ length: 1000 }, (_, i) => `<Object><Key>k${i}</Key></Object>`).join('');
    const ok = await postDelete(bucket, `<Delete><Quiet>true</Quiet>${thousand}</Delete>`);
    expect(ok.status).toBe(200);
    expect(await keys(bucket)).toEqual([]);
  });

  test('a Content-MD5 that does not match the body is BadDigest; without one it is accepted', async () => {
    const bucket = await newBucket(['m']);
    const url = new URL(`${s3.url}/${bucket}?delete`);
    const body = Buffer.from('<Delete><Object><Key>m</Key></Object></Delete>');
    const signed = await signRequest(url, 'POST', {
      'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
      'content-md5': createHash('md5').update('something else').digest('base64'),
    });
    const bad = await rawRequest(
      url,
      'POST',
      { ...signed.headers, 'content-length': String(body.length) },
      body,
    );
    expect([bad.status, bad.body]).toEqual([400, expect.stringContaining('BadDigest')]);
    expect(await keys(bucket)).toEqual(['m']);
    const ok = await postDelete(bucket, body.toString(), false);
    expect(ok.status).toBe(200);
    expect(await keys(bucket)).toEqual([]);
  });

  test('a missing bucket is NoSuchBucket', async () => {
    try {
      await alice.send(
        new DeleteObjectsCommand({ Bucket: `nope-${process.pid}`, Delete: { Objects: [{ Key: 'a' }] } }),
      );
      throw new Error('expected a failure');
    } catch (e) {
      expect((e as S3ServiceException).name).toBe('NoSuchBucket');
    }
  });
});
