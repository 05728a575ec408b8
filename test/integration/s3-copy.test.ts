import { createHash, randomBytes } from 'node:crypto';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ALICE, BOB, startTestS3, type TestS3, failure } from '../helpers/s3';

let s3: TestS3;
let alice: S3Client;
let bucket: string;
let other: string;

beforeAll(async () => {
  s3 = await startTestS3();
  alice = s3.client(ALICE);
  bucket = `copy-${process.pid}`;
  other = `copy-other-${process.pid}`;
  await alice.send(new CreateBucketCommand({ Bucket: bucket }));
  await alice.send(new CreateBucketCommand({ Bucket: other }));
});
afterAll(() => s3.stop());

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

async function body(b: string, key: string): Promise<Buffer> {
  const res = await alice.send(new GetObjectCommand({ Bucket: b, Key: key }));
  return Buffer.from(await res.Body!.transformToByteArray());
}

async function put(
  key: string,
  data: Buffer | string,
  extra: Partial<ConstructorParameters<typeof PutObjectCommand>[0]> = {},
) {
  return alice.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: data, ...extra }));
}

describe('CopyObject', () => {
  test('COPY (default) keeps metadata and headers; the copy is whole and independent', async () => {
    const data = randomBytes(300_000);
    await put('src.bin', data, {
      ContentType: 'image/png',
      CacheControl: 'max-age=5',
      Metadata: { color: 'blue' },
      Tagging: 'a=1&b=two%20words',
    });
    const copy = await alice.send(
      new CopyObjectCommand({ Bucket: other, Key: 'dst.bin', CopySource: `${bucket}/src.bin` }),
    );
    expect(copy.CopyObjectResult?.ETag).toBe(`"${md5(data)}"`);
    expect(copy.CopyObjectResult?.LastModified).toBeInstanceOf(Date);
    const head = await alice.send(new HeadObjectCommand({ Bucket: other, Key: 'dst.bin' }));
    expect(head).toMatchObject({
      ContentType: 'image/png',
      CacheControl: 'max-age=5',
      Metadata: { color: 'blue' },
      ContentLength: data.length,
      TagCount: 2,
    });
    const tags = await alice.send(new GetObjectTaggingCommand({ Bucket: other, Key: 'dst.bin' }));
    expect(tags.TagSet).toEqual([
      { Key: 'a', Value: '1' },
      { Key: 'b', Value: 'two words' },
    ]);
    expect((await body(other, 'dst.bin')).equals(data)).toBe(true);
    await put('src.bin', 'changed');
    expect((await body(other, 'dst.bin')).equals(data)).toBe(true);
  });

  test('REPLACE takes metadata from the request; tagging directive REPLACE takes the new tags', async () => {
    await put('meta', 'x', { ContentType: 'text/plain', Metadata: { old: '1' }, Tagging: 'k=v' });
    await alice.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'meta-copy',
        CopySource: `${bucket}/meta`,
        MetadataDirective: 'REPLACE',
        ContentType: 'application/json',
        Metadata: { new: '2' },
        TaggingDirective: 'REPLACE',
        Tagging: 'fresh=yes',
      }),
    );
    const head = await alice.send(new HeadObjectCommand({ Bucket: bucket, Key: 'meta-copy' }));
    expect([head.ContentType, head.Metadata]).toEqual(['application/json', { new: '2' }]);
    const tags = await alice.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'meta-copy' }));
    expect(tags.TagSet).toEqual([{ Key: 'fresh', Value: 'yes' }]);
  });

  test('copy-source decoding: encoded, unencoded with +, leading slash, ?versionId=null', async () => {
    const key = 'dir/a b+c ü.txt';
    await put(key, 'awkward');
    const sources = [
      `${bucket}/${encodeURIComponent(key).replace(/%2F/g, '/')}`,
      `/${bucket}/dir/a%20b%2Bc%20%C3%BC.txt`,
      `${bucket}/dir/a b+c ü.txt`,
      `${bucket}/dir/a%20b+c%20%C3%BC.txt?versionId=null`,
    ];
    for (const [i, source] of sources.entries()) {
      await alice.send(new CopyObjectCommand({ Bucket: bucket, Key: `decoded-${i}`, CopySource: source }));
      expect([source, (await body(bucket, `decoded-${i}`)).toString()]).toEqual([source, 'awkward']);
    }
    const plus = await put('p+q', 'plus');
    expect(plus.ETag).toBeDefined();
    await alice.send(new CopyObjectCommand({ Bucket: bucket, Key: 'p-copy', CopySource: `${bucket}/p+q` }));
    expect((await body(bucket, 'p-copy')).toString()).toBe('plus');
  });

  test('copy onto itself: 400 InvalidRequest unless something changes (REPLACE)', async () => {
    await put('self', 'same', { Metadata: { v: '1' } });
    const err = await failure(
      alice.send(new CopyObjectCommand({ Bucket: bucket, Key: 'self', CopySource: `${bucket}/self` })),
    );
    expect([err.name, err.$metadata.httpStatusCode]).toEqual(['InvalidRequest', 400]);
    await alice.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'self',
        CopySource: `${bucket}/self`,
        MetadataDirective: 'REPLACE',
        Metadata: { v: '2' },
      }),
    );
    const head = await alice.send(new HeadObjectCommand({ Bucket: bucket, Key: 'self' }));
    expect(head.Metadata).toEqual({ v: '2' });
    expect((await body(bucket, 'self')).toString()).toBe('same');
  });

  test('conditional copy headers: 412 PreconditionFailed when they fail, copy when they hold', async () => {
    const put1 = await put('cond', 'conditional');
    const etag = put1.ETag!;
    const head = await alice.send(new HeadObjectCommand({ Bucket: bucket, Key: 'cond' }));
    const past = new Date(head.LastModified!.getTime() - 60_000);
    const future = new Date(head.LastModified!.getTime() + 60_000);
    const cases: Array<[Partial<ConstructorParameters<typeof CopyObjectCommand>[0]>, boolean]> = [
      [{ CopySourceIfMatch: etag }, true],
      [{ CopySourceIfMatch: '"0000"' }, false],
      [{ CopySourceIfNoneMatch: etag }, false],
      [{ CopySourceIfNoneMatch: '"0000"' }, true],
      [{ CopySourceIfModifiedSince: past }, true],
      [{ CopySourceIfModifiedSince: future }, false],
      [{ CopySourceIfUnmodifiedSince: future }, true],
      [{ CopySourceIfUnmodifiedSince: past }, false],
      [{ CopySourceIfMatch: etag, CopySourceIfUnmodifiedSince: past }, true],
    ];
    for (const [conditions, ok] of cases) {
      const attempt = alice.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: 'cond-copy',
          CopySource: `${bucket}/cond`,
          ...conditions,
        }),
      );
      if (ok) await attempt;
      else {
        const err = await failure(attempt);
        expect([conditions, err.name, err.$metadata.httpStatusCode]).toEqual([
          conditions,
          'PreconditionFailed',
          412,
        ]);
      }
    }
  });

  test('missing source key, missing source bucket, foreign bucket, bad directive', async () => {
    const noKey = await failure(
      alice.send(new CopyObjectCommand({ Bucket: bucket, Key: 'x', CopySource: `${bucket}/nope` })),
    );
    expect([noKey.name, noKey.$metadata.httpStatusCode]).toEqual(['NoSuchKey', 404]);
    const noBucket = await failure(
      alice.send(new CopyObjectCommand({ Bucket: bucket, Key: 'x', CopySource: `missing-${process.pid}/k` })),
    );
    expect([noBucket.name, noBucket.$metadata.httpStatusCode]).toEqual(['NoSuchBucket', 404]);
    const bobs = `bobs-${process.pid}`;
    const bob = s3.client(BOB);
    await bob.send(new CreateBucketCommand({ Bucket: bobs }));
    await bob.send(new PutObjectCommand({ Bucket: bobs, Key: 'secret', Body: 's' }));
    const denied = await failure(
      alice.send(new CopyObjectCommand({ Bucket: bucket, Key: 'x', CopySource: `${bobs}/secret` })),
    );
    expect(denied.name).toBe('AccessDenied');
    await put('d', 'd');
    const directive = await failure(
      alice.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: 'x',
          CopySource: `${bucket}/d`,
          MetadataDirective: 'MERGE' as 'COPY',
        }),
      ),
    );
    expect(directive.name).toBe('InvalidArgument');
    const missingDest = await failure(
      alice.send(
        new CopyObjectCommand({ Bucket: `gone-${process.pid}`, Key: 'x', CopySource: `${bucket}/d` }),
      ),
    );
    expect(missingDest.name).toBe('NoSuchBucket');
  });
});
