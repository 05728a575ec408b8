import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectAttributesCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { checksumOf } from '../../gateway/backends/s3/checksums';
import { ALICE, BOB, rawRequest, signRequest, startTestS3, type TestS3, failure } from '../helpers/s3';

let s3: TestS3;
const BUCKET = 'attrs';
beforeAll(async () => {
  s3 = await startTestS3();
  await s3.client(ALICE).send(new CreateBucketCommand({ Bucket: BUCKET }));
});
afterAll(() => s3.stop());

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

/** A signed GET ?attributes with exactly these extra headers. */
async function rawAttributes(key: string, headers: Record<string, string>) {
  const url = new URL(`${s3.url}/${BUCKET}/${key}?attributes`);
  const signed = await signRequest(url, 'GET', { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers });
  return rawRequest(url, 'GET', signed.headers);
}

describe('GetObjectAttributes', () => {
  test('returns what was asked for, and only that: unquoted ETag, checksum, storage class, size', async () => {
    const body = Buffer.from('attributes of a plain object');
    await s3
      .client(ALICE)
      .send(new PutObjectCommand({ Bucket: BUCKET, Key: 'plain', Body: body, ChecksumAlgorithm: 'CRC32' }));
    const all = await s3.client(ALICE).send(
      new GetObjectAttributesCommand({
        Bucket: BUCKET,
        Key: 'plain',
        ObjectAttributes: ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'],
      }),
    );
    expect(all.ETag).toBe(md5(body));
    expect(all.Checksum).toEqual({ ChecksumCRC32: checksumOf('CRC32', body), ChecksumType: 'FULL_OBJECT' });
    // Not a multipart object: no parts to tell of.
    expect(all.ObjectParts).toBeUndefined();
    expect(all.StorageClass).toBe('STANDARD');
    expect(all.ObjectSize).toBe(body.length);
    expect(all.LastModified).toBeInstanceOf(Date);
    expect(all.VersionId).toBeUndefined();

    const sizeOnly = await s3
      .client(ALICE)
      .send(
        new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'plain', ObjectAttributes: ['ObjectSize'] }),
      );
    expect([sizeOnly.ObjectSize, sizeOnly.ETag, sizeOnly.Checksum, sizeOnly.StorageClass]).toEqual([
      body.length,
      undefined,
      undefined,
      undefined,
    ]);
  });

  test('a multipart object reports its part count and multipart ETag', async () => {
    const client = s3.client(ALICE);
    const parts = [Buffer.alloc(5 * 1024 * 1024, 'a'), Buffer.from('tail')];
    const { UploadId } = await client.send(
      new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'multi' }),
    );
    const etags: string[] = [];
    for (const [i, part] of parts.entries()) {
      const out = await client.send(
        new UploadPartCommand({ Bucket: BUCKET, Key: 'multi', UploadId, PartNumber: i + 1, Body: part }),
      );
      etags.push(out.ETag!);
    }
    await client.send(
      new CompleteMultipartUploadCommand({
        Bucket: BUCKET,
        Key: 'multi',
        UploadId,
        MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) },
      }),
    );
    const out = await client.send(
      new GetObjectAttributesCommand({
        Bucket: BUCKET,
        Key: 'multi',
        ObjectAttributes: ['ETag', 'ObjectParts', 'ObjectSize'],
      }),
    );
    expect(out.ETag).toMatch(/^[0-9a-f]{32}-2$/);
    expect(out.ObjectParts).toEqual({ TotalPartsCount: 2 });
    expect(out.ObjectSize).toBe(parts[0].length + parts[1].length);
  });

  test('versions: by versionId, x-amz-version-id, and delete markers as HEAD treats them', async () => {
    const client = s3.client(ALICE);
    await client.send(new CreateBucketCommand({ Bucket: 'attrs-versioned' }));
    await client.send(
      new PutBucketVersioningCommand({
        Bucket: 'attrs-versioned',
        VersioningConfiguration: { Status: 'Enabled' },
      }),
    );
    const first = await client.send(
      new PutObjectCommand({ Bucket: 'attrs-versioned', Key: 'k', Body: Buffer.from('first version') }),
    );
    await client.send(
      new PutObjectCommand({ Bucket: 'attrs-versioned', Key: 'k', Body: Buffer.from('second') }),
    );
    const old = await client.send(
      new GetObjectAttributesCommand({
        Bucket: 'attrs-versioned',
        Key: 'k',
        VersionId: first.VersionId,
        ObjectAttributes: ['ObjectSize', 'ETag'],
      }),
    );
    expect([old.ObjectSize, old.ETag, old.VersionId]).toEqual([
      'first version'.length,
      md5(Buffer.from('first version')),
      first.VersionId,
    ]);
    const marker = await client.send(new DeleteObjectCommand({ Bucket: 'attrs-versioned', Key: 'k' }));
    const hidden = await failure(
      client.send(
        new GetObjectAttributesCommand({
          Bucket: 'attrs-versioned',
          Key: 'k',
          ObjectAttributes: ['ObjectSize'],
        }),
      ),
    );
    expect([hidden.$metadata.httpStatusCode, hidden.name]).toEqual([404, 'NoSuchKey']);
    expect(hidden.$response?.headers['x-amz-delete-marker']).toBe('true');
    const named = await failure(
      client.send(
        new GetObjectAttributesCommand({
          Bucket: 'attrs-versioned',
          Key: 'k',
          VersionId: marker.VersionId,
          ObjectAttributes: ['ObjectSize'],
        }),
      ),
    );
    expect([named.$metadata.httpStatusCode, named.name]).toEqual([405, 'MethodNotAllowed']);
  });

  test('the attributes header is required and checked; the object ACL applies', async () => {
    await s3.client(ALICE).send(new PutObjectCommand({ Bucket: BUCKET, Key: 'guarded', Body: 'x' }));
    const missing = await rawAttributes('guarded', {});
    expect(missing.status).toBe(400);
    expect(missing.body).toContain('<Code>InvalidRequest</Code>');
    expect(missing.body).toContain(
      'The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty',
    );
    const wrong = await rawAttributes('guarded', { 'x-amz-object-attributes': 'ObjectSize,ETags' });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toContain('<Code>InvalidArgument</Code>');
    expect(wrong.body).toContain('<ArgumentName>x-amz-object-attributes</ArgumentName>');
    expect(wrong.body).toContain('<ArgumentValue>ETags</ArgumentValue>');
    const ok = await rawAttributes('guarded', { 'x-amz-object-attributes': 'ObjectSize' });
    expect([ok.status, ok.body]).toEqual([200, expect.stringContaining('<ObjectSize>1</ObjectSize>')]);

    const denied = await failure(
      s3.client(BOB).send(
        new GetObjectAttributesCommand({
          Bucket: BUCKET,
          Key: 'guarded',
          ObjectAttributes: ['ObjectSize'],
        }),
      ),
    );
    expect(denied.name).toBe('AccessDenied');
    const absent = await failure(
      s3
        .client(ALICE)
        .send(
          new GetObjectAttributesCommand({ Bucket: BUCKET, Key: 'absent', ObjectAttributes: ['ObjectSize'] }),
        ),
    );
    expect(absent.name).toBe('NoSuchKey');
  });
});
