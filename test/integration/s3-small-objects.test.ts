/**
 * Small objects (64 KiB and under) are read whole and kept in memory by the store, so repeated
 * reads need no file system call. Whatever is kept, every read after an acknowledged write must
 * see that write, and GET/HEAD must answer as they would from disk: these tests read (filling the
 * cache), change the object in every way S3 allows, and read again.
 */
import { createHash } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} from '@aws-sdk/client-s3';
import { ALICE, failure, startTestS3, type TestS3 } from '../helpers/s3';

let s3: TestS3;
let alice: S3Client;
/** A second client with the same keys: another process writing to the same S3. */
let other: S3Client;
let n = 0;
const bucketName = () => `small-${process.pid}-${++n}`;

beforeAll(async () => {
  s3 = await startTestS3();
  alice = s3.client(ALICE);
  other = s3.client(ALICE);
});
afterAll(() => s3.stop());

async function newBucket(versioning?: 'Enabled' | 'Suspended'): Promise<string> {
  const name = bucketName();
  await alice.send(new CreateBucketCommand({ Bucket: name }));
  if (versioning) {
    await alice.send(
      new PutBucketVersioningCommand({ Bucket: name, VersioningConfiguration: { Status: versioning } }),
    );
  }
  return name;
}

const md5 = (b: Buffer | string) => createHash('md5').update(b).digest('hex');

async function get(
  Bucket: string,
  Key: string,
  extra: Partial<ConstructorParameters<typeof GetObjectCommand>[0]> = {},
  client = alice,
): Promise<{ body: string; etag?: string; versionId?: string; out: Record<string, unknown> }> {
  const out = await client.send(new GetObjectCommand({ Bucket, Key, ...extra }));
  const body = Buffer.from(await out.Body!.transformToByteArray()).toString('latin1');
  return { body, etag: out.ETag, versionId: out.VersionId, out: out as unknown as Record<string, unknown> };
}

/** Reads twice: once to fill the cache, once from it; both must agree. */
async function getTwice(Bucket: string, Key: string, extra = {}): Promise<string> {
  const first = await get(Bucket, Key, extra);
  const second = await get(Bucket, Key, extra);
  expect(second.body).toBe(first.body);
  expect(second.etag).toBe(first.etag);
  return second.body;
}

describe('a read after a write sees the write', () => {
  test('overwrite: the new bytes, ETag and metadata', async () => {
    const bucket = await newBucket();
    await alice.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'k',
        Body: 'one',
        Metadata: { v: '1' },
        ContentType: 'a/b',
      }),
    );
    expect(await getTwice(bucket, 'k')).toBe('one');
    await alice.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'k',
        Body: 'two!',
        Metadata: { v: '2' },
        ContentType: 'c/d',
      }),
    );
    const after = await get(bucket, 'k');
    expect(after.body).toBe('two!');
    expect(after.etag).toBe(`"${md5('two!')}"`);
    expect(after.out.Metadata).toEqual({ v: '2' });
    expect(after.out.ContentType).toBe('c/d');
    expect(after.out.ContentLength).toBe(4);
  });

  test('a write by another client between two reads', async () => {
    const bucket = await newBucket();
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'mine' }));
    expect(await getTwice(bucket, 'k')).toBe('mine');
    await other.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'theirs' }));
    expect((await get(bucket, 'k')).body).toBe('theirs');
    expect((await get(bucket, 'k', {}, other)).body).toBe('theirs');
  });

  test('delete, then read: NoSuchKey; put again: the new bytes', async () => {
    const bucket = await newBucket();
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'here' }));
    expect(await getTwice(bucket, 'k')).toBe('here');
    await other.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect((await failure(alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })))).name).toBe(
      'NoSuchKey',
    );
    expect(
      (await failure(alice.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' })))).$metadata
        .httpStatusCode,
    ).toBe(404);
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'back' }));
    expect(await getTwice(bucket, 'k')).toBe('back');
  });

  test('versioned: overwrite, read by the old version id, delete marker, version removal', async () => {
    const bucket = await newBucket('Enabled');
    const v1 = await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'first' }));
    expect(await getTwice(bucket, 'k')).toBe('first');
    const v2 = await other.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'second' }));
    expect((await get(bucket, 'k')).body).toBe('second');
    expect(await getTwice(bucket, 'k', { VersionId: v1.VersionId })).toBe('first');
    expect((await get(bucket, 'k', { VersionId: v1.VersionId })).versionId).toBe(v1.VersionId);
    expect(await getTwice(bucket, 'k', { VersionId: v2.VersionId })).toBe('second');

    // A delete marker hides the key but not its versions.
    const marker = await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect(marker.DeleteMarker).toBe(true);
    const hidden = await failure(alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })));
    expect(hidden.name).toBe('NoSuchKey');
    expect(hidden.$response?.headers['x-amz-delete-marker']).toBe('true');
    expect((await get(bucket, 'k', { VersionId: v2.VersionId })).body).toBe('second');

    // Removing the marker brings v2 back; removing v2 makes v1 the latest.
    await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: marker.VersionId }));
    expect((await get(bucket, 'k')).body).toBe('second');
    await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: v2.VersionId }));
    const latest = await get(bucket, 'k');
    expect(latest.body).toBe('first');
    expect(latest.versionId).toBe(v1.VersionId);
    const gone = await failure(
      alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', VersionId: v2.VersionId })),
    );
    expect(gone.name).toBe('NoSuchVersion');
  });

  test('versioning suspended: the null version is replaced in place', async () => {
    const bucket = await newBucket();
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'null-1' }));
    expect(await getTwice(bucket, 'k', { VersionId: 'null' })).toBe('null-1');
    await alice.send(
      new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Suspended' } }),
    );
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'null-2' }));
    expect((await get(bucket, 'k', { VersionId: 'null' })).body).toBe('null-2');
    expect((await get(bucket, 'k')).body).toBe('null-2');
    // A null delete marker replaces the null version.
    await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect((await failure(alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })))).name).toBe(
      'NoSuchKey',
    );
    const asMarker = await failure(
      alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', VersionId: 'null' })),
    );
    expect(asMarker.$metadata.httpStatusCode).toBe(405);
  });

  test('copy onto itself with new metadata', async () => {
    const bucket = await newBucket();
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'same', Metadata: { a: '1' } }));
    expect(await getTwice(bucket, 'k')).toBe('same');
    await alice.send(
      new CopyObjectCommand({
        Bucket: bucket,
        Key: 'k',
        CopySource: `${bucket}/k`,
        MetadataDirective: 'REPLACE',
        Metadata: { a: '2' },
      }),
    );
    const after = await get(bucket, 'k');
    expect(after.body).toBe('same');
    expect(after.out.Metadata).toEqual({ a: '2' });
    // A copy from a cached source carries the right bytes.
    await alice.send(new CopyObjectCommand({ Bucket: bucket, Key: 'copy', CopySource: `${bucket}/k` }));
    expect(await getTwice(bucket, 'copy')).toBe('same');
  });

  test('multipart completion over a cached key, and UploadPartCopy from a cached source', async () => {
    const bucket = await newBucket();
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'src', Body: '0123456789' }));
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'before' }));
    expect(await getTwice(bucket, 'k')).toBe('before');
    expect(await getTwice(bucket, 'src')).toBe('0123456789');
    const { UploadId } = await alice.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'k' }));
    const part = await alice.send(
      new UploadPartCopyCommand({
        Bucket: bucket,
        Key: 'k',
        UploadId,
        PartNumber: 1,
        CopySource: `${bucket}/src`,
        CopySourceRange: 'bytes=2-5',
      }),
    );
    await alice.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'k',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.CopyPartResult!.ETag }] },
      }),
    );
    const after = await get(bucket, 'k');
    expect(after.body).toBe('2345');
    expect(after.etag).toMatch(/-1"$/);
    const byPart = await alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', PartNumber: 1 }));
    expect(byPart.PartsCount).toBe(1);
    expect(Buffer.from(await byPart.Body!.transformToByteArray()).toString()).toBe('2345');
  });

  test('a multipart object of an uploaded part', async () => {
    const bucket = await newBucket();
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'old' }));
    expect(await getTwice(bucket, 'k')).toBe('old');
    const { UploadId } = await alice.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'k' }));
    const part = await alice.send(
      new UploadPartCommand({ Bucket: bucket, Key: 'k', UploadId, PartNumber: 1, Body: 'new part' }),
    );
    await other.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'k',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    expect((await get(bucket, 'k')).body).toBe('new part');
  });

  test('tags and ACL changes show at once', async () => {
    const bucket = await newBucket();
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'tagged' }));
    expect(await getTwice(bucket, 'k')).toBe('tagged');
    expect((await get(bucket, 'k')).out.TagCount).toBeUndefined();
    await alice.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: 'k',
        Tagging: {
          TagSet: [
            { Key: 'a', Value: '1' },
            { Key: 'b', Value: '2' },
          ],
        },
      }),
    );
    expect((await get(bucket, 'k')).out.TagCount).toBe(2);
    await alice.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: 'k' }));
    expect((await get(bucket, 'k')).out.TagCount).toBeUndefined();

    // Anonymous reads follow the ACL.
    const url = `${s3.url}/${bucket}/k`;
    expect((await fetch(url)).status).toBe(403);
    await alice.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'k', ACL: 'public-read' }));
    const open = await fetch(url);
    expect(open.status).toBe(200);
    expect(await open.text()).toBe('tagged');
    expect((await fetch(url)).status).toBe(200);
    await alice.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'k', ACL: 'private' }));
    expect((await fetch(url)).status).toBe(403);
  });

  test('a bucket deleted and created again does not bring old bytes back', async () => {
    const bucket = await newBucket();
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'old life' }));
    expect(await getTwice(bucket, 'k')).toBe('old life');
    await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
    await alice.send(new DeleteBucketCommand({ Bucket: bucket }));
    await alice.send(new CreateBucketCommand({ Bucket: bucket }));
    expect((await failure(alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })))).name).toBe(
      'NoSuchKey',
    );
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'new life' }));
    expect(await getTwice(bucket, 'k')).toBe('new life');
  });

  test('overwrites racing reads: every read after an acknowledged write sees it (or a later one)', async () => {
    const bucket = await newBucket();
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'v0' }));
    let stop = false;
    let latestAcknowledged = 0;
    const seen: string[] = [];
    // Background readers keep filling the cache while the writes go on.
    const readers = Array.from({ length: 4 }, async () => {
      while (!stop) {
        const floor = latestAcknowledged;
        const { body } = await get(bucket, 'k', {}, other);
        const version = Number(body.slice(1));
        if (version < floor) seen.push(`read v${version} after v${floor} was acknowledged`);
      }
    });
    for (let i = 1; i <= 30; i++) {
      await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: `v${i}` }));
      latestAcknowledged = i;
      expect((await get(bucket, 'k')).body).toBe(`v${i}`);
    }
    stop = true;
    await Promise.all(readers);
    expect(seen).toEqual([]);
  });
});

describe('GET and HEAD answer as from disk', () => {
  test('ranges, part of an object, and conditional requests on a cached object', async () => {
    const bucket = await newBucket();
    const put = await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'abcdefghij' }));
    expect(await getTwice(bucket, 'k')).toBe('abcdefghij');
    const range = await get(bucket, 'k', { Range: 'bytes=2-5' });
    expect(range.body).toBe('cdef');
    expect(range.out.ContentRange).toBe('bytes 2-5/10');
    expect((await get(bucket, 'k', { Range: 'bytes=-3' })).body).toBe('hij');
    expect((await get(bucket, 'k', { Range: 'bytes=7-100' })).body).toBe('hij');
    const unsatisfiable = await failure(
      alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', Range: 'bytes=10-12' })),
    );
    expect(unsatisfiable.$metadata.httpStatusCode).toBe(416);
    expect((await get(bucket, 'k', { PartNumber: 1 })).body).toBe('abcdefghij');

    const notModified = await failure(
      alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', IfNoneMatch: put.ETag })),
    );
    expect(notModified.$metadata.httpStatusCode).toBe(304);
    const failed = await failure(
      alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', IfMatch: '"0123"' })),
    );
    expect(failed.$metadata.httpStatusCode).toBe(412);
    expect((await get(bucket, 'k', { IfMatch: put.ETag })).body).toBe('abcdefghij');
    const future = new Date(Date.now() + 3_600_000);
    const past = new Date(Date.now() - 3_600_000);
    expect(
      (await failure(alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', IfModifiedSince: future }))))
        .$metadata.httpStatusCode,
    ).toBe(304);
    expect((await get(bucket, 'k', { IfModifiedSince: past })).body).toBe('abcdefghij');
    expect(
      (await failure(alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', IfUnmodifiedSince: past }))))
        .$metadata.httpStatusCode,
    ).toBe(412);

    // After an overwrite the old ETag no longer matches.
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'changed' }));
    expect((await get(bucket, 'k', { IfNoneMatch: put.ETag })).body).toBe('changed');
    expect(
      (await failure(alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', IfMatch: put.ETag }))))
        .$metadata.httpStatusCode,
    ).toBe(412);
  });

  test('checksums, stored headers and response overrides', async () => {
    const bucket = await newBucket();
    await alice.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: 'k',
        Body: 'checked',
        ChecksumAlgorithm: 'SHA256',
        ContentType: 'text/plain',
        CacheControl: 'max-age=60',
        ContentDisposition: 'inline',
        Metadata: { color: 'blue' },
      }),
    );
    const sha = createHash('sha256').update('checked').digest('base64');
    for (let i = 0; i < 2; i++) {
      const read = await get(bucket, 'k', { ChecksumMode: 'ENABLED' });
      expect(read.body).toBe('checked');
      expect(read.out.ChecksumSHA256).toBe(sha);
      expect(read.out.ContentType).toBe('text/plain');
      expect(read.out.CacheControl).toBe('max-age=60');
      expect(read.out.ContentDisposition).toBe('inline');
      expect(read.out.Metadata).toEqual({ color: 'blue' });
      const head = await alice.send(
        new HeadObjectCommand({ Bucket: bucket, Key: 'k', ChecksumMode: 'ENABLED' }),
      );
      expect(head.ContentLength).toBe(7);
      expect(head.ChecksumSHA256).toBe(sha);
      expect(head.ETag).toBe(`"${md5('checked')}"`);
    }
    // A range carries no whole-object checksum.
    expect((await get(bucket, 'k', { ChecksumMode: 'ENABLED', Range: 'bytes=0-1' })).out.ChecksumSHA256).toBe(
      undefined,
    );
    const overridden = await get(bucket, 'k', {
      ResponseContentType: 'x/y',
      ResponseCacheControl: 'no-store',
    });
    expect(overridden.out.ContentType).toBe('x/y');
    expect(overridden.out.CacheControl).toBe('no-store');
  });

  test.each([0, 1, 64 * 1024 - 1, 64 * 1024, 64 * 1024 + 1, 68 * 1024, 300 * 1024])(
    'an object of %i bytes, whole and in ranges, read twice',
    async (size) => {
      const bucket = await newBucket();
      const body = Buffer.alloc(size);
      for (let i = 0; i < size; i++) body[i] = (i * 7 + (i >> 8)) & 0xff;
      await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: body }));
      for (let round = 0; round < 2; round++) {
        const out = await alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }));
        expect(out.ContentLength).toBe(size);
        expect(Buffer.from(await out.Body!.transformToByteArray()).equals(body)).toBe(true);
        if (size > 0) {
          const start = Math.floor(size / 3);
          const end = size - 1;
          const part = await alice.send(
            new GetObjectCommand({ Bucket: bucket, Key: 'k', Range: `bytes=${start}-${end + 10}` }),
          );
          expect(part.ContentRange).toBe(`bytes ${start}-${end}/${size}`);
          expect(Buffer.from(await part.Body!.transformToByteArray()).equals(body.subarray(start))).toBe(
            true,
          );
        }
        const head = await alice.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }));
        expect(head.ContentLength).toBe(size);
      }
    },
  );
});
