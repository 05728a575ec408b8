import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ALICE, failure, rawRequest, signRequest, startTestS3, type TestS3 } from '../helpers/s3';

// Issue 20's embedded-S3 items: fidelity with S3 on awkward inputs, and inputs meant to hurt.

let s3: TestS3;
let alice: S3Client;
let n = 0;

beforeAll(async () => {
  s3 = await startTestS3();
  alice = s3.client(ALICE);
});
afterAll(() => s3.stop());

async function newBucket(keys: string[] = []): Promise<string> {
  const bucket = `hard-${process.pid}-${++n}`;
  await alice.send(new CreateBucketCommand({ Bucket: bucket }));
  for (const key of keys) await alice.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: key }));
  return bucket;
}

async function keys(bucket: string): Promise<string[]> {
  const res = await alice.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (res.Contents ?? []).map((c) => c.Key!);
}

/** A signed request with a body, its payload hash in x-amz-content-sha256. */
async function signedSend(
  method: string,
  pathAndQuery: string,
  body = '',
  extra: Record<string, string> = {},
) {
  const url = new URL(`${s3.url}${pathAndQuery}`);
  const bytes = Buffer.from(body);
  const signed = await signRequest(url, method, {
    'x-amz-content-sha256': createHash('sha256').update(bytes).digest('hex'),
    ...extra,
  });
  return rawRequest(url, method, { ...signed.headers, 'content-length': String(bytes.length) }, bytes);
}

describe('keys that are not UTF-8 (issue 20, item 12)', () => {
  test('GET, PUT and HEAD of /bucket/%ff are 400 InvalidURI, not 404', async () => {
    const bucket = await newBucket();
    for (const path of [`/${bucket}/%ff`, `/${bucket}/a%C3`, `/${bucket}/%ae%8a-`]) {
      const get = await signedSend('GET', path);
      expect([path, get.status, get.body]).toEqual([
        path,
        400,
        expect.stringContaining(
          '<Code>InvalidURI</Code><Message>Couldn&apos;t parse the specified URI.</Message>',
        ),
      ]);
      for (const method of ['PUT', 'HEAD', 'DELETE', 'POST']) {
        const res = await signedSend(
          method,
          method === 'POST' ? `${path}?uploads` : path,
          method === 'PUT' ? 'data' : '',
        );
        expect([method, path, res.status]).toEqual([method, path, 400]);
      }
    }
    expect(await keys(bucket)).toEqual([]);
  });
});

describe('DeleteObjects bodies valid XML but not a valid <Delete> (issue 20, item 13)', () => {
  test('unknown elements, a Quiet that is not a boolean, an empty Key: MalformedXML, nothing deleted', async () => {
    const bucket = await newBucket(['a', 'b']);
    for (const xml of [
      '<Delete><Object><Key>a</Key><Colour>red</Colour></Object></Delete>',
      '<Delete><Object><Key>a</Key></Object><Extra/></Delete>',
      '<Delete><Quiet>maybe</Quiet><Object><Key>a</Key></Object></Delete>',
      '<Delete><Quiet></Quiet><Object><Key>a</Key></Object></Delete>',
      '<Delete><Object><Key>a</Key></Object><Object><Key></Key></Object></Delete>',
      '<Delete><Object><Key>a</Key></Object><Object><Key/></Object></Delete>',
      '<Delete><Object><Key>a</Key><Key>b</Key></Object></Delete>',
      '<Delete><Object><Key><Inner>a</Inner></Key></Object></Delete>',
      '<Delete><Object>a</Object></Delete>',
      '<Other><Object><Key>a</Key></Object></Other>',
    ]) {
      const res = await signedSend('POST', `/${bucket}?delete`, xml);
      expect([xml, res.status, res.body]).toEqual([
        xml,
        400,
        expect.stringContaining('<Code>MalformedXML</Code>'),
      ]);
    }
    expect(await keys(bucket)).toEqual(['a', 'b']);
    // What clients send is still accepted: a namespace, an XML declaration, Quiet in any case.
    const ok = await signedSend(
      'POST',
      `/${bucket}?delete`,
      '<?xml version="1.0" encoding="UTF-8"?>\n<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        '<Object><Key>a</Key><VersionId>null</VersionId></Object><Quiet>True</Quiet></Delete>',
    );
    expect([ok.status, ok.body]).toEqual([200, expect.not.stringContaining('<Deleted>')]);
    expect(await keys(bucket)).toEqual(['b']);
  });
});

describe('XML bodies with a DOCTYPE (issue 20, item 14)', () => {
  const doctypes = [
    '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>',
    '<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>',
    '<!DOCTYPE x SYSTEM "http://127.0.0.1:9/evil.dtd">',
  ];

  test('every operation that takes XML answers 400 with an XML error, never 500, and changes nothing', async () => {
    const bucket = await newBucket(['a']);
    const upload = await alice.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'mp' }));
    const part = await alice.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: 'mp',
        UploadId: upload.UploadId,
        PartNumber: 1,
        Body: 'p',
      }),
    );
    const owner = ALICE.owner.id;
    const bodies: Array<[string, string, (doctype: string) => string]> = [
      ['POST', `/${bucket}?delete`, (d) => `${d}<Delete><Object><Key>&e;&b;a</Key></Object></Delete>`],
      [
        'PUT',
        `/new-${bucket}`,
        (d) =>
          `${d}<CreateBucketConfiguration><LocationConstraint>&b;</LocationConstraint></CreateBucketConfiguration>`,
      ],
      [
        'PUT',
        `/${bucket}?versioning`,
        (d) => `${d}<VersioningConfiguration><Status>&b;Enabled</Status></VersioningConfiguration>`,
      ],
      [
        'PUT',
        `/${bucket}/a?tagging`,
        (d) => `${d}<Tagging><TagSet><Tag><Key>&e;</Key><Value>&b;</Value></Tag></TagSet></Tagging>`,
      ],
      [
        'PUT',
        `/${bucket}?acl`,
        (d) =>
          `${d}<AccessControlPolicy><Owner><ID>${owner}</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>${owner}&b;</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`,
      ],
      [
        'PUT',
        `/${bucket}/a?acl`,
        (d) =>
          `${d}<AccessControlPolicy><Owner><ID>${owner}</ID></Owner><AccessControlList><Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser"><ID>${owner}&e;</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList></AccessControlPolicy>`,
      ],
      [
        'POST',
        `/${bucket}/mp?uploadId=${upload.UploadId}`,
        (d) =>
          `${d}<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${part.ETag}&e;</ETag></Part></CompleteMultipartUpload>`,
      ],
    ];
    for (const doctype of doctypes) {
      for (const [method, path, body] of bodies) {
        const res = await signedSend(method, path, body(doctype));
        expect([method, path, doctype, res.status, res.headers['content-type'], res.body]).toEqual([
          method,
          path,
          doctype,
          400,
          'application/xml',
          expect.stringMatching(/^<\?xml[^]*<Error><Code>MalformedXML<\/Code>/),
        ]);
      }
    }
    expect(await keys(bucket)).toEqual(['a']);
    // The upload is still there and completes.
    const done = await alice.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'mp',
        UploadId: upload.UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    expect(done.ETag).toMatch(/-1"$/);
    await alice.send(new HeadObjectCommand({ Bucket: bucket, Key: 'a' }));
  });
});

describe('user metadata that is not ASCII (issue 20, item 11)', () => {
  /** Sends a signed PUT whose x-amz-meta-x the client signed as `signedValue` and sends as `wireValue` (a latin-1 string: one char per byte). */
  async function putWithMeta(bucket: string, key: string, signedValue: string, wireValue: string) {
    const url = new URL(`${s3.url}/${bucket}/${key}`);
    const body = Buffer.from('body');
    const signed = await signRequest(url, 'PUT', {
      'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
      'x-amz-meta-x': signedValue,
    });
    return rawRequest(
      url,
      'PUT',
      { ...signed.headers, 'x-amz-meta-x': wireValue, 'content-length': String(body.length) },
      body,
    );
  }

  /** The raw bytes of x-amz-meta-x as a GET sends them back. */
  async function metaBytes(bucket: string, key: string): Promise<Buffer> {
    const url = new URL(`${s3.url}/${bucket}/${key}`);
    const signed = await signRequest(url, 'GET', {
      'x-amz-content-sha256': createHash('sha256').digest('hex'),
    });
    const res = await rawRequest(url, 'GET', signed.headers);
    expect(res.status).toBe(200);
    // Node hands header bytes over as latin-1 characters.
    return Buffer.from(res.headers['x-amz-meta-x'] as string, 'latin1');
  }

  test('latin-1 on the wire (http.client, urllib3 1.x), signed as the UTF-8 of its characters', async () => {
    const bucket = await newBucket();
    // What python's http.client does with a str header: it writes the header
    // latin-1 (one byte 0xE9); the canonical request is hashed as UTF-8 (C3 A9).
    const res = await putWithMeta(bucket, 'boto', 'Hello World\xe9', 'Hello World\xe9');
    expect([res.status, res.body]).toEqual([200, '']);
    expect(await metaBytes(bucket, 'boto')).toEqual(Buffer.from('Hello World\xe9', 'latin1'));
  });

  test('raw UTF-8 bytes in the header, signed as those bytes (curl, Go, Java): verified and read back unchanged', async () => {
    const bucket = await newBucket();
    const utf8AsLatin1 = Buffer.from('Hello World\u00e9 \u20ac', 'utf8').toString('latin1');
    const res = await putWithMeta(bucket, 'utf8', 'Hello World\u00e9 \u20ac', utf8AsLatin1);
    expect([res.status, res.body]).toEqual([200, '']);
    expect(await metaBytes(bucket, 'utf8')).toEqual(Buffer.from('Hello World\u00e9 \u20ac', 'utf8'));
    // And a value signed otherwise than sent is still refused.
    const bad = await putWithMeta(bucket, 'bad', 'Hello World\u00e8', utf8AsLatin1);
    expect([bad.status, bad.body]).toEqual([403, expect.stringContaining('SignatureDoesNotMatch')]);
    expect(await keys(bucket)).toEqual(['utf8']);
  });
});

const BOTO3 = `
import sys, boto3
from botocore.config import Config
url, bucket, key, access, secret = sys.argv[1:]
s3 = boto3.client('s3', endpoint_url=url, region_name='us-east-1', aws_access_key_id=access,
                  aws_secret_access_key=secret, config=Config(s3={'addressing_style': 'path'}, retries={'max_attempts': 1}))
# As s3-tests' test_object_set_get_unicode_metadata: botocore refuses non-ASCII Metadata itself,
# so the header goes in just before the call is signed and sent.
def set_unicode_metadata(params, **kwargs):
    params['headers']['x-amz-meta-x'] = 'Hello World\\xe9'
s3.meta.events.register('before-call.s3.PutObject', set_unicode_metadata)
s3.put_object(Bucket=bucket, Key=key, Body=b'x')
# botocore sends the value as UTF-8 bytes (urllib3 2) but reads response headers as latin-1: the
# bytes come back as they went, which it shows as 'Hello World\\xc3\\xa9'.
sent_back = s3.get_object(Bucket=bucket, Key=key)['ResponseMetadata']['HTTPHeaders']['x-amz-meta-x']
print(ascii(sent_back.encode('latin-1').decode('utf-8')))
`;
const haveBoto3 = spawnSync('python3', ['-c', 'import boto3'], { stdio: 'ignore' }).status === 0;
(haveBoto3 ? test : test.skip)(
  'boto3 itself: x-amz-meta-x "Hello World\\xe9" verifies and comes back as the bytes it sent',
  async () => {
    const bucket = await newBucket();
    // Not spawnSync: the server answering boto3 runs in this process.
    const run = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'python3',
        ['-c', BOTO3, s3.url, bucket, 'boto3', ALICE.accessKeyId, ALICE.secretAccessKey],
        { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME } },
        (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
      );
    });
    expect([run.code, run.stderr, run.stdout]).toEqual([0, '', "'Hello World\\xe9'\n"]);
  },
);

describe('CompleteMultipartUpload repeated (issue 20, item 10)', () => {
  // Every part but the last is at least 5 MiB.
  const FIVE_MIB = Buffer.alloc(5 * 1024 * 1024, 'p');

  async function completedUpload(bucket: string, key: string) {
    const { UploadId } = await alice.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key }));
    const one = await alice.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 1, Body: FIVE_MIB }),
    );
    const two = await alice.send(
      new UploadPartCommand({ Bucket: bucket, Key: key, UploadId, PartNumber: 2, Body: 'second' }),
    );
    const parts = [
      { PartNumber: 1, ETag: one.ETag },
      { PartNumber: 2, ETag: two.ETag },
    ];
    const complete = (list = parts) =>
      alice.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: key,
          UploadId,
          MultipartUpload: { Parts: list },
        }),
      );
    return { UploadId: UploadId!, parts, complete, first: await complete() };
  }

  test('with the same parts: success again, same ETag, location and version; nothing rewritten', async () => {
    const bucket = await newBucket();
    const { complete, first } = await completedUpload(bucket, 'mp');
    const before = await alice.send(new HeadObjectCommand({ Bucket: bucket, Key: 'mp' }));
    const again = await complete();
    expect([again.ETag, again.Location, again.Key, again.VersionId]).toEqual([
      first.ETag,
      first.Location,
      'mp',
      first.VersionId,
    ]);
    const after = await alice.send(new HeadObjectCommand({ Bucket: bucket, Key: 'mp' }));
    expect(after.LastModified).toEqual(before.LastModified);
    expect(after.ETag).toBe(first.ETag);
  });

  test('in a versioned bucket, after a newer version: the version the upload produced', async () => {
    const bucket = await newBucket();
    await alice.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
    );
    const { complete, first } = await completedUpload(bucket, 'mp');
    expect(first.VersionId).toMatch(/\S/);
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'mp', Body: 'newer' }));
    const again = await complete();
    expect([again.ETag, again.VersionId]).toEqual([first.ETag, first.VersionId]);
    const latest = await alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'mp' }));
    expect(await latest.Body!.transformToString()).toBe('newer');
  });

  test('survives a restart (the upload id is kept in the object record)', async () => {
    let running = await startTestS3();
    try {
      const client = running.client(ALICE);
      await client.send(new CreateBucketCommand({ Bucket: 'restart' }));
      const { UploadId } = await client.send(
        new CreateMultipartUploadCommand({ Bucket: 'restart', Key: 'k' }),
      );
      const part = await client.send(
        new UploadPartCommand({ Bucket: 'restart', Key: 'k', UploadId, PartNumber: 1, Body: 'only part' }),
      );
      const input = {
        Bucket: 'restart',
        Key: 'k',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      };
      const first = await client.send(new CompleteMultipartUploadCommand(input));
      // The restarted server is the one to stop afterwards (and it owns the data directory).
      running = await running.restart();
      const again = await running.client(ALICE).send(new CompleteMultipartUploadCommand(input));
      expect(again.ETag).toBe(first.ETag);
    } finally {
      await running.stop();
    }
  });

  test('with other parts, or after the object is gone: NoSuchUpload', async () => {
    const bucket = await newBucket();
    const { complete, parts } = await completedUpload(bucket, 'mp');
    expect((await failure(complete([parts[0]]))).name).toBe('NoSuchUpload');
    expect(
      (await failure(complete([parts[1], parts[0]].map((p, i) => ({ ...p, PartNumber: i + 1 }))))).name,
    ).toBe('NoSuchUpload');
    // An upload id never seen, and the right id on another key.
    const other = await failure(
      alice.send(
        new CompleteMultipartUploadCommand({
          Bucket: bucket,
          Key: 'elsewhere',
          UploadId: (await completedUpload(bucket, 'mp2')).UploadId,
          MultipartUpload: { Parts: parts },
        }),
      ),
    );
    expect(other.name).toBe('NoSuchUpload');
    await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'mp' }));
    expect((await failure(complete())).name).toBe('NoSuchUpload');
  });
});
