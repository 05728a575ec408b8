import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
  type CompletedPart,
} from '@aws-sdk/client-s3';
import { ALICE, rawRequest, signRequest, startTestS3, type TestS3, failure } from '../helpers/s3';

let s3: TestS3;
let alice: S3Client;
let n = 0;
const MiB = 1024 * 1024;

beforeAll(async () => {
  s3 = await startTestS3();
  alice = s3.client(ALICE);
});
afterAll(() => s3.stop());

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');

/** S3's multipart ETag for these parts. */
function multipartEtag(parts: Buffer[]): string {
  const md5s = Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()));
  return `"${createHash('md5').update(md5s).digest('hex')}-${parts.length}"`;
}

async function newBucket(): Promise<string> {
  const bucket = `mp-${process.pid}-${++n}`;
  await alice.send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

async function create(bucket: string, key: string, extra = {}): Promise<string> {
  const res = await alice.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: key, ...extra }));
  expect([res.Bucket, res.Key]).toEqual([bucket, key]);
  return res.UploadId!;
}

async function upload(bucket: string, key: string, uploadId: string, partNumber: number, body: Buffer) {
  const res = await alice.send(
    new UploadPartCommand({
      Bucket: bucket,
      Key: key,
      UploadId: uploadId,
      PartNumber: partNumber,
      Body: body,
    }),
  );
  expect(res.ETag).toBe(`"${md5(body)}"`);
  return { PartNumber: partNumber, ETag: res.ETag } satisfies CompletedPart;
}

function complete(bucket: string, key: string, uploadId: string, parts: CompletedPart[]) {
  return alice.send(
    new CompleteMultipartUploadCommand({
      Bucket: bucket,
      Key: key,
      UploadId: uploadId,
      MultipartUpload: { Parts: parts },
    }),
  );
}

async function get(bucket: string, key: string, extra = {}) {
  const res = await alice.send(new GetObjectCommand({ Bucket: bucket, Key: key, ...extra }));
  return { res, body: Buffer.from(await res.Body!.transformToByteArray()) };
}

describe('a multipart upload from start to end', () => {
  const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB + 3), randomBytes(1000)];
  let bucket: string;
  const key = 'dir/big object.bin';

  beforeAll(async () => {
    bucket = await newBucket();
  });

  test('parts out of order, a part sent twice, ListParts, Complete with S3’s ETag', async () => {
    const uploadId = await create(bucket, key, {
      ContentType: 'video/mp4',
      Metadata: { origin: 'multipart' },
      Tagging: 'kind=video',
    });
    await upload(bucket, key, uploadId, 3, parts[2]);
    await upload(bucket, key, uploadId, 1, randomBytes(5 * MiB)); // replaced below
    await upload(bucket, key, uploadId, 2, parts[1]);
    const first = await upload(bucket, key, uploadId, 1, parts[0]);
    const listed = await alice.send(new ListPartsCommand({ Bucket: bucket, Key: key, UploadId: uploadId }));
    expect(listed.Parts!.map((p) => [p.PartNumber, p.Size, p.ETag])).toEqual(
      parts.map((p, i) => [i + 1, p.length, `"${md5(p)}"`]),
    );
    expect(listed.Initiator?.ID).toBe(ALICE.owner.id);
    expect(listed.Owner?.ID).toBe(ALICE.owner.id);
    expect(listed.StorageClass).toBe('STANDARD');
    expect(listed.IsTruncated).toBe(false);

    const done = await complete(bucket, key, uploadId, [
      first,
      { PartNumber: 2, ETag: md5(parts[1]) }, // bare ETags are fine too
      { PartNumber: 3, ETag: `"${md5(parts[2])}"` },
    ]);
    expect(done.ETag).toBe(multipartEtag(parts));
    expect(done.Location).toContain(`/${bucket}/dir/big%20object.bin`);
    const { res, body } = await get(bucket, key);
    expect(md5(body)).toBe(md5(Buffer.concat(parts)));
    expect([res.ETag, res.ContentType, res.Metadata, res.TagCount]).toEqual([
      multipartEtag(parts),
      'video/mp4',
      { origin: 'multipart' },
      1,
    ]);
    const tags = await alice.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
    expect(tags.TagSet).toEqual([{ Key: 'kind', Value: 'video' }]);
    // The upload is gone once completed.
    const again = await failure(complete(bucket, key, uploadId, [first]));
    expect([again.name, again.$metadata.httpStatusCode]).toEqual(['NoSuchUpload', 404]);
    const uploads = await alice.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(uploads.Uploads).toBeUndefined();
  });

  test('GET and HEAD with partNumber return one part, with the parts count and the whole ETag', async () => {
    let offset = 0;
    for (const [i, part] of parts.entries()) {
      const { res, body } = await get(bucket, key, { PartNumber: i + 1 });
      expect(res.$metadata.httpStatusCode).toBe(206);
      expect(body.equals(part)).toBe(true);
      expect([res.PartsCount, res.ContentLength, res.ETag, res.ContentRange]).toEqual([
        3,
        part.length,
        multipartEtag(parts),
        `bytes ${offset}-${offset + part.length - 1}/${offset + parts.slice(i).reduce((a, p) => a + p.length, 0)}`,
      ]);
      const head = await alice.send(new HeadObjectCommand({ Bucket: bucket, Key: key, PartNumber: i + 1 }));
      expect([head.ContentLength, head.PartsCount]).toEqual([part.length, 3]);
      offset += part.length;
    }
    const beyond = await failure(
      alice.send(new GetObjectCommand({ Bucket: bucket, Key: key, PartNumber: 4 })),
    );
    expect([beyond.name, beyond.$metadata.httpStatusCode]).toEqual(['InvalidPart', 400]);
    const both = await failure(
      alice.send(new GetObjectCommand({ Bucket: bucket, Key: key, PartNumber: 1, Range: 'bytes=0-1' })),
    );
    expect(both.$metadata.httpStatusCode).toBe(400);
  });

  test('partNumber on a single-PUT object: 1 is the whole object, 2 is InvalidPart', async () => {
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'single', Body: 'body' }));
    const { res, body } = await get(bucket, 'single', { PartNumber: 1 });
    expect([body.toString(), res.PartsCount]).toEqual(['body', undefined]);
    const err = await failure(
      alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'single', PartNumber: 2 })),
    );
    expect(err.name).toBe('InvalidPart');
  });
});

describe('CompleteMultipartUpload refusals leave the upload usable', () => {
  test('NoSuchUpload, MalformedXML, InvalidPartOrder, InvalidPart, EntityTooSmall — then success', async () => {
    const bucket = await newBucket();
    const uploadId = await create(bucket, 'k');
    const small = randomBytes(1024);
    const big = randomBytes(5 * MiB);
    const p1 = await upload(bucket, 'k', uploadId, 1, small);
    const p2 = await upload(bucket, 'k', uploadId, 2, big);
    const p3 = await upload(bucket, 'k', uploadId, 3, small);

    const unknown = await failure(complete(bucket, 'k', '0'.repeat(32), [p1]));
    expect([unknown.name, unknown.$metadata.httpStatusCode]).toEqual(['NoSuchUpload', 404]);
    const otherKey = await failure(complete(bucket, 'other-key', uploadId, [p1]));
    expect(otherKey.name).toBe('NoSuchUpload');
    const empty = await failure(complete(bucket, 'k', uploadId, []));
    expect([empty.name, empty.$metadata.httpStatusCode]).toEqual(['MalformedXML', 400]);
    const order = await failure(complete(bucket, 'k', uploadId, [p2, p1]));
    expect([order.name, order.$metadata.httpStatusCode]).toEqual(['InvalidPartOrder', 400]);
    const repeated = await failure(complete(bucket, 'k', uploadId, [p2, p2]));
    expect(repeated.name).toBe('InvalidPartOrder');
    const missing = await failure(complete(bucket, 'k', uploadId, [p2, { PartNumber: 7, ETag: p3.ETag }]));
    expect([missing.name, missing.$metadata.httpStatusCode]).toEqual(['InvalidPart', 400]);
    const wrongEtag = await failure(complete(bucket, 'k', uploadId, [{ PartNumber: 2, ETag: p1.ETag }]));
    expect(wrongEtag.name).toBe('InvalidPart');
    const tooSmall = await failure(complete(bucket, 'k', uploadId, [p1, p2]));
    expect([tooSmall.name, tooSmall.$metadata.httpStatusCode]).toEqual(['EntityTooSmall', 400]);
    expect(
      (await alice.send(new ListPartsCommand({ Bucket: bucket, Key: 'k', UploadId: uploadId }))).Parts,
    ).toHaveLength(3);

    // Parts not listed are dropped: only 2 and 3 make the object.
    const done = await complete(bucket, 'k', uploadId, [p2, p3]);
    expect(done.ETag).toBe(multipartEtag([big, small]));
    const { body } = await get(bucket, 'k');
    expect(md5(body)).toBe(md5(Buffer.concat([big, small])));
    // A single small part is fine: only parts before the last have a minimum.
    const single = await create(bucket, 'one');
    const only = await upload(bucket, 'one', single, 1, small);
    expect((await complete(bucket, 'one', single, [only])).ETag).toBe(multipartEtag([small]));
  });

  test('part numbers outside 1..10000 are InvalidArgument; unknown upload ids NoSuchUpload', async () => {
    const bucket = await newBucket();
    const uploadId = await create(bucket, 'k');
    for (const PartNumber of [0, 10001]) {
      const err = await failure(
        alice.send(
          new UploadPartCommand({ Bucket: bucket, Key: 'k', UploadId: uploadId, PartNumber, Body: 'x' }),
        ),
      );
      expect([PartNumber, err.name]).toEqual([PartNumber, 'InvalidArgument']);
    }
    const unknown = await failure(
      alice.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: 'k',
          UploadId: 'f'.repeat(32),
          PartNumber: 1,
          Body: 'x',
        }),
      ),
    );
    expect(unknown.name).toBe('NoSuchUpload');
  });

  test('a wrong Content-MD5 on a part is BadDigest and the part is not stored', async () => {
    const bucket = await newBucket();
    const uploadId = await create(bucket, 'k');
    const err = await failure(
      alice.send(
        new UploadPartCommand({
          Bucket: bucket,
          Key: 'k',
          UploadId: uploadId,
          PartNumber: 1,
          Body: 'data',
          ContentMD5: createHash('md5').update('other').digest('base64'),
        }),
      ),
    );
    expect(err.name).toBe('BadDigest');
    expect(
      (await alice.send(new ListPartsCommand({ Bucket: bucket, Key: 'k', UploadId: uploadId }))).Parts,
    ).toBeUndefined();
  });
});

describe('AbortMultipartUpload', () => {
  test('204; the id is unknown afterwards for parts, listing, completion and abort', async () => {
    const bucket = await newBucket();
    const uploadId = await create(bucket, 'k');
    const part = await upload(bucket, 'k', uploadId, 1, randomBytes(100));
    const aborted = await alice.send(
      new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'k', UploadId: uploadId }),
    );
    expect(aborted.$metadata.httpStatusCode).toBe(204);
    const attempts = [
      () =>
        alice.send(
          new UploadPartCommand({ Bucket: bucket, Key: 'k', UploadId: uploadId, PartNumber: 2, Body: 'x' }),
        ),
      () => alice.send(new ListPartsCommand({ Bucket: bucket, Key: 'k', UploadId: uploadId })),
      () => complete(bucket, 'k', uploadId, [part]),
      () => alice.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: 'k', UploadId: uploadId })),
    ];
    for (const attempt of attempts) {
      const err = await failure(attempt());
      expect([err.name, err.$metadata.httpStatusCode]).toEqual(['NoSuchUpload', 404]);
    }
    expect((await failure(get(bucket, 'k'))).name).toBe('NoSuchKey');
  });
});

describe('UploadPartCopy', () => {
  test('whole objects and byte ranges become parts; bad ranges are refused', async () => {
    const bucket = await newBucket();
    const source = randomBytes(6 * MiB);
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'source', Body: source }));
    const uploadId = await create(bucket, 'assembled');
    const whole = await alice.send(
      new UploadPartCopyCommand({
        Bucket: bucket,
        Key: 'assembled',
        UploadId: uploadId,
        PartNumber: 1,
        CopySource: `${bucket}/source`,
      }),
    );
    expect(whole.CopyPartResult?.ETag).toBe(`"${md5(source)}"`);
    const ranged = await alice.send(
      new UploadPartCopyCommand({
        Bucket: bucket,
        Key: 'assembled',
        UploadId: uploadId,
        PartNumber: 2,
        CopySource: `${bucket}/source`,
        CopySourceRange: 'bytes=10-99',
      }),
    );
    expect(ranged.CopyPartResult?.ETag).toBe(`"${md5(source.subarray(10, 100))}"`);
    for (const range of ['bytes=2-1', 'bytes=-10', 'bytes=2-', 'bytes=1-2-3']) {
      const err = await failure(
        alice.send(
          new UploadPartCopyCommand({
            Bucket: bucket,
            Key: 'assembled',
            UploadId: uploadId,
            PartNumber: 3,
            CopySource: `${bucket}/source`,
            CopySourceRange: range,
          }),
        ),
      );
      expect([range, err.name, err.$metadata.httpStatusCode]).toEqual([range, 'InvalidArgument', 400]);
    }
    const beyond = await failure(
      alice.send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: 'assembled',
          UploadId: uploadId,
          PartNumber: 3,
          CopySource: `${bucket}/source`,
          CopySourceRange: `bytes=0-${source.length}`,
        }),
      ),
    );
    expect(beyond.name).toBe('InvalidRange');
    await complete(bucket, 'assembled', uploadId, [
      { PartNumber: 1, ETag: whole.CopyPartResult!.ETag },
      { PartNumber: 2, ETag: ranged.CopyPartResult!.ETag },
    ]);
    const { body } = await get(bucket, 'assembled');
    expect(md5(body)).toBe(md5(Buffer.concat([source, source.subarray(10, 100)])));
  });
});

describe('listing uploads and parts', () => {
  test('ListParts pages with max-parts and part-number-marker', async () => {
    const bucket = await newBucket();
    const uploadId = await create(bucket, 'k');
    for (let i = 1; i <= 5; i++) await upload(bucket, 'k', uploadId, i, Buffer.from(`part ${i}`));
    const page = await alice.send(
      new ListPartsCommand({ Bucket: bucket, Key: 'k', UploadId: uploadId, MaxParts: 2 }),
    );
    expect(page.Parts!.map((p) => p.PartNumber)).toEqual([1, 2]);
    expect([page.IsTruncated, page.NextPartNumberMarker, page.MaxParts]).toEqual([true, '2', 2]);
    const next = await alice.send(
      new ListPartsCommand({
        Bucket: bucket,
        Key: 'k',
        UploadId: uploadId,
        MaxParts: 2,
        PartNumberMarker: '2',
      }),
    );
    expect(next.Parts!.map((p) => p.PartNumber)).toEqual([3, 4]);
    expect(next.PartNumberMarker).toBe('2');
    const last = await alice.send(
      new ListPartsCommand({ Bucket: bucket, Key: 'k', UploadId: uploadId, PartNumberMarker: '4' }),
    );
    expect([last.Parts!.map((p) => p.PartNumber), last.IsTruncated]).toEqual([[5], false]);
  });

  test('ListMultipartUploads: every parameter, several uploads per key, paging to the end', async () => {
    const bucket = await newBucket();
    const keys = ['a/1', 'a/2', 'b', 'b', 'c/d/e', 'c/x', 'top'];
    const ids: Array<[string, string]> = [];
    for (const key of keys) ids.push([key, await create(bucket, key)]);

    const all = await alice.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(all.Uploads!.map((u) => [u.Key, u.UploadId])).toEqual(ids);
    expect(all.Uploads![0].Initiator?.ID).toBe(ALICE.owner.id);
    expect(all.Uploads![0].Initiated).toBeInstanceOf(Date);
    expect([all.IsTruncated, all.MaxUploads]).toEqual([false, 1000]);

    const delimited = await alice.send(new ListMultipartUploadsCommand({ Bucket: bucket, Delimiter: '/' }));
    expect(delimited.Uploads!.map((u) => u.Key)).toEqual(['b', 'b', 'top']);
    expect(delimited.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['a/', 'c/']);

    const prefixed = await alice.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, Prefix: 'c/', Delimiter: '/' }),
    );
    expect(prefixed.Uploads!.map((u) => u.Key)).toEqual(['c/x']);
    expect(prefixed.CommonPrefixes!.map((p) => p.Prefix)).toEqual(['c/d/']);
    expect(prefixed.Prefix).toBe('c/');

    const afterKey = await alice.send(new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker: 'b' }));
    expect(afterKey.Uploads!.map((u) => u.Key)).toEqual(['c/d/e', 'c/x', 'top']);
    const secondB = await alice.send(
      new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker: 'b', UploadIdMarker: ids[2][1] }),
    );
    expect(secondB.Uploads!.map((u) => [u.Key, u.UploadId])[0]).toEqual(ids[3]);
    expect(secondB.UploadIdMarker).toBe(ids[2][1]);

    // Paging two at a time visits every upload once, in order, also across a delimiter's prefixes.
    for (const delimiter of [undefined, '/']) {
      const seen: string[] = [];
      let keyMarker: string | undefined;
      let uploadIdMarker: string | undefined;
      for (let page = 0; page < 10; page++) {
        const res = await alice.send(
          new ListMultipartUploadsCommand({
            Bucket: bucket,
            MaxUploads: 2,
            Delimiter: delimiter,
            KeyMarker: keyMarker,
            UploadIdMarker: uploadIdMarker,
          }),
        );
        seen.push(
          ...(res.Uploads ?? []).map((u) => u.UploadId!),
          ...(res.CommonPrefixes ?? []).map((p) => p.Prefix!),
        );
        if (!res.IsTruncated) break;
        keyMarker = res.NextKeyMarker;
        uploadIdMarker = res.NextUploadIdMarker;
      }
      const expected =
        delimiter === undefined ? ids.map(([, id]) => id) : ['a/', ids[2][1], ids[3][1], 'c/', ids[6][1]];
      expect(seen.sort()).toEqual(expected.sort());
    }

    // max-keys (seed 002's name for it) limits too when max-uploads is absent.
    const url = new URL(`${s3.url}/${bucket}?uploads&max-keys=1&encoding-type=url&prefix=c%2F`);
    const signed = await signRequest(url, 'GET', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' });
    const raw = await rawRequest(url, 'GET', signed.headers);
    expect(raw.status).toBe(200);
    expect(raw.body).toContain('<MaxUploads>1</MaxUploads>');
    expect(raw.body).toContain('<IsTruncated>true</IsTruncated>');
    expect(raw.body).toContain('<EncodingType>url</EncodingType>');
    expect(raw.body).toContain('<Key>c/d/e</Key>');
    const bad = await failure(
      alice.send(new ListMultipartUploadsCommand({ Bucket: bucket, EncodingType: 'xml' as 'url' })),
    );
    expect(bad.name).toBe('InvalidArgument');
  });
});

describe('lifecycle', () => {
  test('uploads and their parts survive a restart, and complete afterwards', async () => {
    const bucket = await newBucket();
    const parts = [randomBytes(5 * MiB), randomBytes(77)];
    const uploadId = await create(bucket, 'persist', { ContentType: 'text/csv' });
    const p1 = await upload(bucket, 'persist', uploadId, 1, parts[0]);
    s3 = await s3.restart();
    alice = s3.client(ALICE);
    const listed = await alice.send(new ListMultipartUploadsCommand({ Bucket: bucket }));
    expect(listed.Uploads!.map((u) => u.UploadId)).toEqual([uploadId]);
    expect(
      (await alice.send(new ListPartsCommand({ Bucket: bucket, Key: 'persist', UploadId: uploadId }))).Parts,
    ).toHaveLength(1);
    const p2 = await upload(bucket, 'persist', uploadId, 2, parts[1]);
    expect((await complete(bucket, 'persist', uploadId, [p1, p2])).ETag).toBe(multipartEtag(parts));
    const { res, body } = await get(bucket, 'persist');
    expect([md5(body), res.ContentType]).toEqual([md5(Buffer.concat(parts)), 'text/csv']);
  });

  test('DeleteBucket discards uploads in progress; the bucket name comes back clean', async () => {
    const bucket = await newBucket();
    const uploadId = await create(bucket, 'k');
    await upload(bucket, 'k', uploadId, 1, Buffer.from('x'));
    const deleted = await alice.send(new DeleteBucketCommand({ Bucket: bucket }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    await alice.send(new CreateBucketCommand({ Bucket: bucket }));
    expect((await alice.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads).toBeUndefined();
    expect(
      (await failure(alice.send(new ListPartsCommand({ Bucket: bucket, Key: 'k', UploadId: uploadId }))))
        .name,
    ).toBe('NoSuchUpload');
  });

  test('SDK v3 stream bodies for parts (aws-chunked with a CRC32 trailer)', async () => {
    const bucket = await newBucket();
    const uploadId = await create(bucket, 'streamed');
    const data = randomBytes(5 * MiB + 11);
    const res = await alice.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: 'streamed',
        UploadId: uploadId,
        PartNumber: 1,
        Body: Readable.from([data.subarray(0, 3 * MiB), data.subarray(3 * MiB)]),
        ContentLength: data.length,
      }),
    );
    expect(res.ETag).toBe(`"${md5(data)}"`);
    expect(res.ChecksumCRC32).toBeDefined();
    const parts = await alice.send(
      new ListPartsCommand({ Bucket: bucket, Key: 'streamed', UploadId: uploadId }),
    );
    expect(parts.Parts![0].ChecksumCRC32).toBe(res.ChecksumCRC32);
    await complete(bucket, 'streamed', uploadId, [{ PartNumber: 1, ETag: res.ETag }]);
    expect(md5((await get(bucket, 'streamed')).body)).toBe(md5(data));
  });
});
