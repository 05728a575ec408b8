import { createHash } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetBucketLocationCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ALICE, BOB, startTestS3, type TestS3, failure } from '../helpers/s3';

let s3: TestS3;
let alice: S3Client;
let bob: S3Client;
let n = 0;
/** A fresh bucket name per test, so tests stay independent. */
const bucketName = () => `sdk-${process.pid}-${++n}`;

beforeAll(async () => {
  s3 = await startTestS3();
  alice = s3.client(ALICE);
  bob = s3.client(BOB);
});
afterAll(() => s3.stop());

async function newBucket(client = alice): Promise<string> {
  const name = bucketName();
  await client.send(new CreateBucketCommand({ Bucket: name }));
  return name;
}

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

describe('buckets', () => {
  test('ListBuckets shows only the caller’s buckets, sorted, with the owner', async () => {
    const a2 = `zz-${bucketName()}`;
    const a1 = await newBucket();
    await alice.send(new CreateBucketCommand({ Bucket: a2 }));
    const b1 = await newBucket(bob);
    const mine = await alice.send(new ListBucketsCommand({}));
    const names = mine.Buckets!.map((b) => b.Name);
    expect(names).toEqual(expect.arrayContaining([a1, a2]));
    expect(names).not.toContain(b1);
    expect(names).toEqual([...names].sort());
    expect(mine.Owner).toEqual({ ID: ALICE.owner.id, DisplayName: 'alice' });
    expect(mine.Buckets![0].CreationDate).toBeInstanceOf(Date);
  });

  test('CreateBucket keeps any LocationConstraint and GetBucketLocation returns it', async () => {
    const name = bucketName();
    const created = await alice.send(
      new CreateBucketCommand({
        Bucket: name,
        CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' },
      }),
    );
    expect(created.Location).toBe(`/${name}`);
    const loc = await alice.send(new GetBucketLocationCommand({ Bucket: name }));
    expect(loc.LocationConstraint).toBe('eu-west-1');
    const head = await alice.send(new HeadBucketCommand({ Bucket: name }));
    expect(head.BucketRegion).toBe('eu-west-1');
    const plain = await newBucket();
    expect(
      (await alice.send(new GetBucketLocationCommand({ Bucket: plain }))).LocationConstraint,
    ).toBeUndefined();
  });

  test('re-creating your own bucket in us-east-1 is 200 and keeps its objects; another owner gets 409', async () => {
    const name = await newBucket();
    await alice.send(new PutObjectCommand({ Bucket: name, Key: 'keep', Body: Buffer.from('x') }));
    await alice.send(new CreateBucketCommand({ Bucket: name }));
    expect((await alice.send(new ListObjectsV2Command({ Bucket: name }))).KeyCount).toBe(1);
    const err = await failure(bob.send(new CreateBucketCommand({ Bucket: name })));
    expect(err.name).toBe('BucketAlreadyExists');
    expect(err.$metadata.httpStatusCode).toBe(409);
  });

  test('invalid bucket names are refused with InvalidBucketName', async () => {
    for (const bad of ['ab', 'Upper-Case', 'under_score', 'a..b', '192.168.5.4', '-dash', 'x'.repeat(64)]) {
      const err = await failure(alice.send(new CreateBucketCommand({ Bucket: bad })));
      expect([bad, err.name]).toEqual([bad, 'InvalidBucketName']);
    }
  });

  test('HeadBucket: 404 when missing, 403 for another owner’s bucket', async () => {
    const missing = await failure(alice.send(new HeadBucketCommand({ Bucket: bucketName() })));
    expect(missing.$metadata.httpStatusCode).toBe(404);
    const bobs = await newBucket(bob);
    const denied = await failure(alice.send(new HeadBucketCommand({ Bucket: bobs })));
    expect(denied.$metadata.httpStatusCode).toBe(403);
  });

  test('DeleteBucket: BucketNotEmpty while objects remain, then 204, then NoSuchBucket', async () => {
    const name = await newBucket();
    await alice.send(new PutObjectCommand({ Bucket: name, Key: 'k', Body: Buffer.from('v') }));
    const notEmpty = await failure(alice.send(new DeleteBucketCommand({ Bucket: name })));
    expect(notEmpty.name).toBe('BucketNotEmpty');
    expect(notEmpty.$metadata.httpStatusCode).toBe(409);
    await alice.send(new DeleteObjectCommand({ Bucket: name, Key: 'k' }));
    const deleted = await alice.send(new DeleteBucketCommand({ Bucket: name }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    const gone = await failure(alice.send(new DeleteBucketCommand({ Bucket: name })));
    expect(gone.name).toBe('NoSuchBucket');
  });

  test('another owner cannot read, write or list a private bucket', async () => {
    const name = await newBucket();
    await alice.send(new PutObjectCommand({ Bucket: name, Key: 'k', Body: Buffer.from('v') }));
    const attempts = [
      () => bob.send(new GetObjectCommand({ Bucket: name, Key: 'k' })),
      () => bob.send(new PutObjectCommand({ Bucket: name, Key: 'k', Body: Buffer.from('overwrite') })),
      () => bob.send(new ListObjectsV2Command({ Bucket: name })),
      () => bob.send(new DeleteObjectCommand({ Bucket: name, Key: 'k' })),
      () => bob.send(new DeleteBucketCommand({ Bucket: name })),
    ];
    for (const attempt of attempts) {
      expect((await failure(attempt())).name).toBe('AccessDenied');
    }
    const body = await alice.send(new GetObjectCommand({ Bucket: name, Key: 'k' }));
    expect(await body.Body!.transformToString()).toBe('v');
  });
});

describe('objects', () => {
  const KEYS = [
    'plain.txt',
    'with space.txt',
    'dir/sub/deep.bin',
    'plus+sign',
    'ünïcødé/日本語 😀.txt',
    'trailing/',
    'a//b',
    "q?#%&=~!'()*.txt",
  ];

  test('Put/Get/Head/Delete round trip for awkward keys with Buffer bodies', async () => {
    const bucket = await newBucket();
    for (const key of KEYS) {
      const body = Buffer.from(`content of ${key}`);
      const put = await alice.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
      expect(put.ETag).toBe(`"${md5(body)}"`);
      const got = await alice.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      expect(Buffer.from(await got.Body!.transformToByteArray())).toEqual(body);
      const head = await alice.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
      expect(head.ContentLength).toBe(body.length);
    }
    const listed = await alice.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents!.map((c) => c.Key).sort()).toEqual([...KEYS].sort());
    for (const key of KEYS) await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    expect((await alice.send(new ListObjectsV2Command({ Bucket: bucket }))).KeyCount).toBe(0);
  });

  test('binary bodies come back byte for byte, ETag is the quoted MD5, checksums are verified and returned', async () => {
    const bucket = await newBucket();
    const body = Buffer.from(Array.from({ length: 70_000 }, (_, i) => (i * 7919) % 256));
    const put = await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'bin', Body: body }));
    expect(put.ETag).toBe(`"${md5(body)}"`);
    expect(put.ChecksumCRC32).toBeDefined();
    const got = await alice.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'bin', ChecksumMode: 'ENABLED' }),
    );
    expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    expect(got.ChecksumCRC32).toBe(put.ChecksumCRC32);
    const empty = await alice.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'empty', Body: Buffer.alloc(0) }),
    );
    expect(empty.ETag).toBe('"d41d8cd98f00b204e9800998ecf8427e"');
  });

  test('stored headers and x-amz-meta-* come back verbatim; defaults apply', async () => {
    const bucket = await newBucket();
    const expires = new Date('2030-01-02T03:04:05Z');
    await alice.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'doc.json',
        Body: Buffer.from('{}'),
        ContentType: 'application/json; charset=utf-8',
        ContentEncoding: 'identity',
        CacheControl: 'max-age=60',
        ContentDisposition: 'attachment; filename="doc.json"',
        ContentLanguage: 'en',
        Expires: expires,
        Metadata: { color: 'blue', 'Mixed-Case': 'Value With Spaces', empty: '' },
      }),
    );
    const head = await alice.send(new HeadObjectCommand({ Bucket: bucket, Key: 'doc.json' }));
    expect(head).toMatchObject({
      ContentType: 'application/json; charset=utf-8',
      ContentEncoding: 'identity',
      CacheControl: 'max-age=60',
      ContentDisposition: 'attachment; filename="doc.json"',
      ContentLanguage: 'en',
      Metadata: { color: 'blue', 'mixed-case': 'Value With Spaces', empty: '' },
      AcceptRanges: 'bytes',
    });
    expect(head.Expires?.toISOString()).toBe(expires.toISOString());
    expect(head.LastModified).toBeInstanceOf(Date);
    // An overwrite replaces the metadata instead of merging it.
    await alice.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'doc.json',
        Body: Buffer.from('[]'),
        Metadata: { b: '2' },
      }),
    );
    expect((await alice.send(new HeadObjectCommand({ Bucket: bucket, Key: 'doc.json' }))).Metadata).toEqual({
      b: '2',
    });
  });

  test('Content-MD5: a wrong digest is BadDigest, a malformed one InvalidDigest, and nothing is stored', async () => {
    const bucket = await newBucket();
    const wrong = await failure(
      alice.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'k',
          Body: Buffer.from('data'),
          ContentMD5: createHash('md5').update('other').digest('base64'),
        }),
      ),
    );
    expect([wrong.name, wrong.$metadata.httpStatusCode]).toEqual(['BadDigest', 400]);
    const malformed = await failure(
      alice.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: 'k',
          Body: Buffer.from('data'),
          ContentMD5: 'YWJyYWNhZGFicmE=',
        }),
      ),
    );
    expect([malformed.name, malformed.$metadata.httpStatusCode]).toEqual(['InvalidDigest', 400]);
    const ok = await alice.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'ok',
        Body: Buffer.from('data'),
        ContentMD5: createHash('md5').update('data').digest('base64'),
      }),
    );
    expect(ok.ETag).toBe(`"${md5('data')}"`);
    expect(
      (await alice.send(new ListObjectsV2Command({ Bucket: bucket }))).Contents!.map((c) => c.Key),
    ).toEqual(['ok']);
  });

  test('GetObject: missing key → NoSuchKey, missing bucket → NoSuchBucket; HEAD → bare 404', async () => {
    const bucket = await newBucket();
    const key = await failure(alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'nope' })));
    expect([key.name, key.$metadata.httpStatusCode]).toEqual(['NoSuchKey', 404]);
    const noBucket = await failure(alice.send(new GetObjectCommand({ Bucket: bucketName(), Key: 'nope' })));
    expect(noBucket.name).toBe('NoSuchBucket');
    const head = await failure(alice.send(new HeadObjectCommand({ Bucket: bucket, Key: 'nope' })));
    expect(head.$metadata.httpStatusCode).toBe(404);
    const putMissing = await failure(
      alice.send(new PutObjectCommand({ Bucket: bucketName(), Key: 'k', Body: Buffer.from('x') })),
    );
    expect(putMissing.name).toBe('NoSuchBucket');
  });

  test('ranges: every form, clamped ends, 416 beyond the end, malformed ignored', async () => {
    const bucket = await newBucket();
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'r', Body: Buffer.from('0123456789A') }));
    const cases: Array<[string, number, string, string | undefined]> = [
      ['bytes=4-7', 206, '4567', 'bytes 4-7/11'],
      ['bytes=4-', 206, '456789A', 'bytes 4-10/11'],
      ['bytes=-7', 206, '456789A', 'bytes 4-10/11'],
      ['bytes=3-100', 206, '3456789A', 'bytes 3-10/11'],
      ['bytes=-100', 206, '0123456789A', 'bytes 0-10/11'],
      ['bytes=abc', 200, '0123456789A', undefined],
      ['bytes=5-2', 200, '0123456789A', undefined],
      ['bytes=0-1,5-6', 200, '0123456789A', undefined],
    ];
    for (const [range, status, body, contentRange] of cases) {
      const got = await alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'r', Range: range }));
      expect([
        range,
        got.$metadata.httpStatusCode,
        await got.Body!.transformToString(),
        got.ContentRange,
      ]).toEqual([range, status, body, contentRange]);
    }
    const beyond = await failure(
      alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'r', Range: 'bytes=40-50' })),
    );
    expect([beyond.name, beyond.$metadata.httpStatusCode]).toEqual(['InvalidRange', 416]);
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'empty', Body: Buffer.alloc(0) }));
    const empty = await failure(
      alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'empty', Range: 'bytes=0-1' })),
    );
    expect(empty.$metadata.httpStatusCode).toBe(416);
  });

  test('conditional GET and HEAD: 304 with ETag, 412 PreconditionFailed, second-resolution dates', async () => {
    const bucket = await newBucket();
    const put = await alice.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'c', Body: Buffer.from('bar') }),
    );
    const head = await alice.send(new HeadObjectCommand({ Bucket: bucket, Key: 'c' }));
    const lastModified = head.LastModified!;
    const ok = await alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'c', IfMatch: put.ETag }));
    expect(await ok.Body!.transformToString()).toBe('bar');
    const failed = await failure(
      alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'c', IfMatch: '"nope"' })),
    );
    expect([failed.name, failed.$metadata.httpStatusCode]).toEqual(['PreconditionFailed', 412]);
    const notModified = await failure(
      alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'c', IfNoneMatch: put.ETag })),
    );
    expect(notModified.$metadata.httpStatusCode).toBe(304);
    expect(notModified.$response?.headers.etag).toBe(put.ETag);
    const sameSecond = await failure(
      alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'c', IfModifiedSince: lastModified })),
    );
    expect(sameSecond.$metadata.httpStatusCode).toBe(304);
    const earlier = new Date(lastModified.getTime() - 60_000);
    const modified = await alice.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'c', IfModifiedSince: earlier }),
    );
    expect(modified.$metadata.httpStatusCode).toBe(200);
    await modified.Body!.transformToString();
    const unmodified = await failure(
      alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'c', IfUnmodifiedSince: earlier })),
    );
    expect(unmodified.$metadata.httpStatusCode).toBe(412);
    // S3's documented pair: If-Match true + If-Unmodified-Since false → 200.
    const pair = await alice.send(
      new GetObjectCommand({ Bucket: bucket, Key: 'c', IfMatch: put.ETag, IfUnmodifiedSince: earlier }),
    );
    expect(pair.$metadata.httpStatusCode).toBe(200);
    await pair.Body!.transformToString();
    const headNotModified = await failure(
      alice.send(new HeadObjectCommand({ Bucket: bucket, Key: 'c', IfNoneMatch: put.ETag })),
    );
    expect(headNotModified.$metadata.httpStatusCode).toBe(304);
  });

  test('response-* overrides replace the returned headers', async () => {
    const bucket = await newBucket();
    await alice.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'o', Body: Buffer.from('x'), ContentType: 'text/plain' }),
    );
    const got = await alice.send(
      new GetObjectCommand({
        Bucket: bucket,
        Key: 'o',
        ResponseContentType: 'application/x-test',
        ResponseContentDisposition: 'attachment; filename="o.txt"',
        ResponseCacheControl: 'no-cache',
        ResponseContentLanguage: 'fr',
        ResponseContentEncoding: 'gzip',
        ResponseExpires: new Date('2031-01-01T00:00:00Z'),
      }),
    );
    expect(got).toMatchObject({
      ContentType: 'application/x-test',
      ContentDisposition: 'attachment; filename="o.txt"',
      CacheControl: 'no-cache',
      ContentLanguage: 'fr',
      ContentEncoding: 'gzip',
    });
    expect(got.Expires?.toISOString()).toBe('2031-01-01T00:00:00.000Z');
    await got.Body!.transformToByteArray();
  });

  test('DeleteObject is 204 also when the key is absent', async () => {
    const bucket = await newBucket();
    const res = await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'never-existed' }));
    expect(res.$metadata.httpStatusCode).toBe(204);
  });
});

describe('listing', () => {
  let bucket: string;
  const keys = ['asdf', 'boo/bar', 'boo/baz/xyzzy', 'cquux/thud', 'cquux/bla', 'foo', 'quux ab/x', 'asdf+b'];
  beforeAll(async () => {
    bucket = await newBucket();
    for (const key of keys)
      await alice.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Buffer.from(key) }));
  });

  test('v1: prefix, delimiter, CommonPrefixes, Owner always present', async () => {
    const res = await alice.send(new ListObjectsCommand({ Bucket: bucket, Delimiter: '/' }));
    expect(res.Contents!.map((c) => c.Key)).toEqual(['asdf', 'asdf+b', 'foo']);
    expect(res.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['boo/', 'cquux/', 'quux ab/']);
    expect(res.Contents![0].Owner).toEqual({ ID: ALICE.owner.id, DisplayName: 'alice' });
    expect(res.Contents![0].ETag).toBe(`"${md5('asdf')}"`);
    expect(res.Contents![0].Size).toBe(4);
    expect(res.IsTruncated).toBe(false);
    const boo = await alice.send(new ListObjectsCommand({ Bucket: bucket, Prefix: 'boo/', Delimiter: '/' }));
    expect(boo.Contents!.map((c) => c.Key)).toEqual(['boo/bar']);
    expect(boo.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['boo/baz/']);
    expect(boo.Prefix).toBe('boo/');
  });

  test('v1: marker and max-keys page through, NextMarker only with a delimiter', async () => {
    const page = await alice.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 2 }));
    expect(page.Contents!.map((c) => c.Key)).toEqual(['asdf', 'asdf+b']);
    expect(page.IsTruncated).toBe(true);
    expect(page.NextMarker).toBeUndefined();
    const next = await alice.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 2, Marker: 'asdf+b' }));
    expect(next.Contents!.map((c) => c.Key)).toEqual(['boo/bar', 'boo/baz/xyzzy']);
    expect(next.Marker).toBe('asdf+b');
    const delimited = await alice.send(
      new ListObjectsCommand({ Bucket: bucket, MaxKeys: 3, Delimiter: '/' }),
    );
    expect(delimited.IsTruncated).toBe(true);
    expect(delimited.NextMarker).toBe('boo/');
    const rest = await alice.send(
      new ListObjectsCommand({ Bucket: bucket, Delimiter: '/', Marker: delimited.NextMarker }),
    );
    expect(rest.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['cquux/', 'quux ab/']);
    expect(rest.Contents!.map((c) => c.Key)).toEqual(['foo']);
    const zero = await alice.send(new ListObjectsCommand({ Bucket: bucket, MaxKeys: 0 }));
    expect([zero.Contents, zero.IsTruncated]).toEqual([undefined, false]);
  });

  test('v1 and v2: encoding-type=url encodes keys and prefixes', async () => {
    const v1 = await alice.send(
      new ListObjectsCommand({ Bucket: bucket, Delimiter: '/', EncodingType: 'url' }),
    );
    expect(v1.EncodingType).toBe('url');
    expect(v1.Contents!.map((c) => c.Key)).toContain('asdf%2Bb');
    expect(v1.CommonPrefixes!.map((p) => p.Prefix)).toContain('quux%20ab/');
    const v2 = await alice.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: 'quux ab/', EncodingType: 'url' }),
    );
    expect(v2.Contents!.map((c) => c.Key)).toEqual(['quux%20ab/x']);
    expect(v2.Prefix).toBe('quux%20ab/');
  });

  test('v2: continuation tokens, start-after, KeyCount counts prefixes, Owner only with fetch-owner', async () => {
    const first = await alice.send(new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 3, Delimiter: '/' }));
    expect(first.KeyCount).toBe(3);
    expect(first.IsTruncated).toBe(true);
    expect(first.Contents![0].Owner).toBeUndefined();
    const seen = [...first.Contents!.map((c) => c.Key), ...(first.CommonPrefixes ?? []).map((p) => p.Prefix)];
    let token = first.NextContinuationToken;
    while (token) {
      const page = await alice.send(
        new ListObjectsV2Command({ Bucket: bucket, MaxKeys: 3, Delimiter: '/', ContinuationToken: token }),
      );
      expect(page.ContinuationToken).toBe(token);
      seen.push(
        ...(page.Contents ?? []).map((c) => c.Key),
        ...(page.CommonPrefixes ?? []).map((p) => p.Prefix),
      );
      token = page.NextContinuationToken;
    }
    expect(seen.sort()).toEqual(['asdf', 'asdf+b', 'boo/', 'cquux/', 'foo', 'quux ab/']);
    const after = await alice.send(
      new ListObjectsV2Command({ Bucket: bucket, StartAfter: 'cquux/thud', FetchOwner: true }),
    );
    expect(after.StartAfter).toBe('cquux/thud');
    expect(after.Contents!.map((c) => c.Key)).toEqual(['foo', 'quux ab/x']);
    expect(after.Contents![0].Owner?.ID).toBe(ALICE.owner.id);
    const bad = await failure(
      alice.send(new ListObjectsV2Command({ Bucket: bucket, ContinuationToken: 'bogus' })),
    );
    expect([bad.name, bad.$metadata.httpStatusCode]).toEqual(['InvalidArgument', 400]);
  });
});

describe('errors', () => {
  test('error documents carry the request id of the x-amz-request-id header', async () => {
    const err = await failure(alice.send(new GetObjectCommand({ Bucket: bucketName(), Key: 'k' })));
    expect(err.$metadata.requestId).toMatch(/^[0-9A-F]{16}$/);
    const res = await fetch(`${s3.url}/no-such-bucket-${process.pid}/k`);
    const text = await res.text();
    // Anonymous callers are judged by ACLs after the existence check
    // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html): 404 first.
    expect(res.status).toBe(404);
    expect(text).toContain('<Code>NoSuchBucket</Code>');
    expect(text).toContain(`<RequestId>${res.headers.get('x-amz-request-id')}</RequestId>`);
    expect(res.headers.get('content-type')).toBe('application/xml');
  });

  test('unknown access keys are InvalidAccessKeyId, wrong secrets SignatureDoesNotMatch', async () => {
    const stranger = s3.client({ ...ALICE, accessKeyId: 'AKIASTRANGER00000000' });
    expect((await failure(stranger.send(new ListBucketsCommand({})))).name).toBe('InvalidAccessKeyId');
    const wrong = s3.client({ ...ALICE, secretAccessKey: 'wrong' });
    expect((await failure(wrong.send(new ListBucketsCommand({})))).name).toBe('SignatureDoesNotMatch');
  });
});
