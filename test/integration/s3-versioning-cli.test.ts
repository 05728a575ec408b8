import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { S3User } from '../../gateway/backends/s3';
import { AWS_CLI, awsCli, awsCliError, HAVE_AWS_CLI } from '../helpers/awscli';
import { ALICE, BOB, startTestS3, type TestS3 } from '../helpers/s3';

const describeWithAws = HAVE_AWS_CLI ? describe : describe.skip;
if (!HAVE_AWS_CLI)
  console.warn(`skipping the S3 versioning AWS CLI tests: ${AWS_CLI} is missing (apt-get install awscli)`);

// A version id as this S3 hands them out: 32 opaque characters, as long as AWS's. They are passed as
// `--version-id=<id>`: argparse would take `--version-id -x…` for an option, and AWS's ids may begin so.
const VERSION_ID = /^[A-Za-z0-9_-]{32}$/;

interface Version {
  Key: string;
  VersionId: string;
  IsLatest: boolean;
  Size: number;
  ETag: string;
}
interface Marker {
  Key: string;
  VersionId: string;
  IsLatest: boolean;
}
interface Listing {
  Versions?: Version[];
  DeleteMarkers?: Marker[];
  CommonPrefixes?: Array<{ Prefix: string }>;
  IsTruncated?: boolean;
  NextKeyMarker?: string;
  NextVersionIdMarker?: string;
  NextToken?: string;
}
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const md5 = (data: string | Buffer) => createHash('md5').update(data).digest('hex');
const etagOf = (data: string) => `"${md5(data)}"`;

describeWithAws('S3 versioning through the AWS CLI (skipped when /usr/bin/aws is missing)', () => {
  let s3: TestS3;
  let home: string;
  let sdk: S3Client;
  beforeAll(async () => {
    s3 = await startTestS3();
    sdk = s3.client(ALICE);
    home = mkdtempSync(path.join(tmpdir(), 'apigw-versioning-cli-'));
  });
  afterAll(async () => {
    await s3?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  const awsAs = (user: S3User, ...args: string[]) => awsCli(s3.url, home, { user }, args);
  const aws = (...args: string[]) => awsAs(ALICE, ...args);
  /** The CLI's JSON output; an operation whose response has no fields prints nothing, read as {}. */
  async function api(...args: string[]): Promise<Json> {
    const out = await aws('s3api', ...args);
    return out.trim() === '' ? {} : (JSON.parse(out) as Json);
  }
  /** The stderr of a CLI call that must fail. */
  const failsAs = (user: S3User, ...args: string[]) => awsCliError(s3.url, home, { user }, args);
  const fails = (...args: string[]) => failsAs(ALICE, ...args);

  /** A local file holding `content`, for --body. */
  let files = 0;
  function file(content: string | Buffer): string {
    const p = path.join(home, `body-${++files}`);
    writeFileSync(p, content);
    return p;
  }
  const outFile = () => path.join(home, `out-${++files}`);

  let buckets = 0;
  const bucketName = () => `ver-cli-${process.pid}-${++buckets}`;

  const listing = async (bucket: string, ...args: string[]) =>
    (await api('list-object-versions', '--bucket', bucket, ...args)) as Listing;
  const versionsOf = (l: Listing) => (l.Versions ?? []).map((v) => [v.Key, v.VersionId, v.IsLatest, v.Size]);
  const markersOf = (l: Listing) => (l.DeleteMarkers ?? []).map((m) => [m.Key, m.VersionId, m.IsLatest]);

  /** A bucket made with the SDK (the CLI is what is under test, not the set-up). */
  async function sdkBucket(versioning?: 'Enabled'): Promise<string> {
    const bucket = bucketName();
    await sdk.send(new CreateBucketCommand({ Bucket: bucket }));
    if (versioning) await sdkVersioning(bucket, versioning);
    return bucket;
  }
  const sdkVersioning = (bucket: string, status: 'Enabled' | 'Suspended') =>
    sdk.send(new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: status } }));
  const sdkPut = async (bucket: string, key: string, body: string) =>
    (await sdk.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))).VersionId;
  const sdkDelete = async (bucket: string, key: string) =>
    (await sdk.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }))).VersionId;

  test('unversioned → Enabled → Suspended → Enabled: version ids, null versions and delete markers', async () => {
    const bucket = bucketName();
    await api('create-bucket', '--bucket', bucket);

    // Never configured: GetBucketVersioning has no Status; a put answers without a version id.
    const [state0, put0] = await Promise.all([
      api('get-bucket-versioning', '--bucket', bucket),
      api('put-object', '--bucket', bucket, '--key', 'k', '--body', file('v0')),
    ]);
    expect(state0).toEqual({});
    expect(put0).toEqual({ ETag: etagOf('v0') });

    // Only the owner may configure versioning.
    expect(
      await failsAs(
        BOB,
        's3api',
        'put-bucket-versioning',
        '--bucket',
        bucket,
        '--versioning-configuration',
        'Status=Enabled',
      ),
    ).toContain('AccessDenied');
    expect(
      await api('put-bucket-versioning', '--bucket', bucket, '--versioning-configuration', 'Status=Enabled'),
    ).toEqual({});

    // Enabled: the object put before is the null version, and now says so.
    const [state1, headNull, put1] = await Promise.all([
      api('get-bucket-versioning', '--bucket', bucket),
      api('head-object', '--bucket', bucket, '--key', 'k', '--version-id=null'),
      api('put-object', '--bucket', bucket, '--key', 'k', '--body', file('v1!')),
    ]);
    expect(state1).toEqual({ Status: 'Enabled' });
    expect(headNull).toMatchObject({ VersionId: 'null', ContentLength: 2, ETag: etagOf('v0') });
    const v1 = put1.VersionId as string;
    expect(put1).toEqual({ ETag: etagOf('v1!'), VersionId: expect.stringMatching(VERSION_ID) });

    const put2 = await api('put-object', '--bucket', bucket, '--key', 'k', '--body', file('v2!!'));
    const v2 = put2.VersionId as string;
    expect(v2).toMatch(VERSION_ID);
    expect(new Set([v1, v2]).size).toBe(2);

    const del1 = await api('delete-object', '--bucket', bucket, '--key', 'k');
    const m1 = del1.VersionId as string;
    expect(del1).toEqual({ DeleteMarker: true, VersionId: expect.stringMatching(VERSION_ID) });
    expect(new Set([v1, v2, m1]).size).toBe(3);

    const [headLatest, afterMarker, getV1] = await Promise.all([
      fails('s3api', 'head-object', '--bucket', bucket, '--key', 'k'),
      listing(bucket),
      (async () => {
        const out = outFile();
        const meta = await api('get-object', '--bucket', bucket, '--key', 'k', `--version-id=${v1}`, out);
        return { meta, body: readFileSync(out, 'utf8') };
      })(),
    ]);
    expect(headLatest).toContain('(404)');
    expect(versionsOf(afterMarker)).toEqual([
      ['k', v2, false, 4],
      ['k', v1, false, 3],
      ['k', 'null', false, 2],
    ]);
    expect(markersOf(afterMarker)).toEqual([['k', m1, true]]);
    expect(getV1.body).toBe('v1!');
    expect(getV1.meta).toMatchObject({ VersionId: v1, ContentLength: 3, ETag: etagOf('v1!') });

    // Suspended: a put writes the null version (replacing the one from before versioning) and
    // answers without a version id.
    await api('put-bucket-versioning', '--bucket', bucket, '--versioning-configuration', 'Status=Suspended');
    const [state2, put3] = await Promise.all([
      api('get-bucket-versioning', '--bucket', bucket),
      api('put-object', '--bucket', bucket, '--key', 'k', '--body', file('v3!!!')),
    ]);
    expect(state2).toEqual({ Status: 'Suspended' });
    expect(put3).toEqual({ ETag: etagOf('v3!!!') });

    const [suspendedPut, headSuspended] = await Promise.all([
      listing(bucket),
      api('head-object', '--bucket', bucket, '--key', 'k'),
    ]);
    expect(versionsOf(suspendedPut)).toEqual([
      ['k', 'null', true, 5],
      ['k', v2, false, 4],
      ['k', v1, false, 3],
    ]);
    expect(markersOf(suspendedPut)).toEqual([['k', m1, false]]);
    expect(headSuspended).toMatchObject({ VersionId: 'null', ContentLength: 5, ETag: etagOf('v3!!!') });

    // Suspended: a delete puts a null delete marker in place of the null version.
    expect(await api('delete-object', '--bucket', bucket, '--key', 'k')).toEqual({
      DeleteMarker: true,
      VersionId: 'null',
    });
    const suspendedDelete = await listing(bucket);
    expect(versionsOf(suspendedDelete)).toEqual([
      ['k', v2, false, 4],
      ['k', v1, false, 3],
    ]);
    expect(markersOf(suspendedDelete)).toEqual([
      ['k', 'null', true],
      ['k', m1, false],
    ]);

    // Enabled again: new versions get ids again; the null marker stays where it was.
    await api('put-bucket-versioning', '--bucket', bucket, '--versioning-configuration', 'Status=Enabled');
    const put4 = await api('put-object', '--bucket', bucket, '--key', 'k', '--body', file('v4'));
    const v4 = put4.VersionId as string;
    expect(v4).toMatch(VERSION_ID);
    expect([v1, v2, m1]).not.toContain(v4);
    const [state3, reEnabled, headMarker] = await Promise.all([
      api('get-bucket-versioning', '--bucket', bucket),
      listing(bucket),
      fails('s3api', 'head-object', '--bucket', bucket, '--key', 'k', '--version-id=null'),
    ]);
    expect(state3).toEqual({ Status: 'Enabled' });
    expect(versionsOf(reEnabled)).toEqual([
      ['k', v4, true, 2],
      ['k', v2, false, 4],
      ['k', v1, false, 3],
    ]);
    expect(markersOf(reEnabled)).toEqual([
      ['k', 'null', false],
      ['k', m1, false],
    ]);
    // A delete marker named by its id has no bytes to show: 405, as on S3.
    expect(headMarker).toContain('(405)');
  }, 90_000);

  test('get-object, head-object and delete-object by --version-id', async () => {
    const bucket = await sdkBucket('Enabled');
    const v1 = (await sdkPut(bucket, 'k', 'first'))!;
    const v2 = (await sdkPut(bucket, 'k', 'second!'))!;
    const marker = (await sdkDelete(bucket, 'k'))!;

    const out = outFile();
    const [got1, head2, headMarker] = await Promise.all([
      api('get-object', '--bucket', bucket, '--key', 'k', `--version-id=${v1}`, out),
      api('head-object', '--bucket', bucket, '--key', 'k', `--version-id=${v2}`),
      fails('s3api', 'head-object', '--bucket', bucket, '--key', 'k', `--version-id=${marker}`),
    ]);
    expect(got1).toMatchObject({ VersionId: v1, ContentLength: 5, ETag: etagOf('first') });
    expect(readFileSync(out, 'utf8')).toBe('first');
    expect(head2).toMatchObject({ VersionId: v2, ContentLength: 7, ETag: etagOf('second!') });
    expect(headMarker).toContain('(405)');

    // Deleting by version id removes that version (or marker) for good and leaves no marker behind.
    const [delMarker, delV2] = await Promise.all([
      api('delete-object', '--bucket', bucket, '--key', 'k', `--version-id=${marker}`),
      api('delete-object', '--bucket', bucket, '--key', 'k', `--version-id=${v2}`),
    ]);
    expect(delMarker).toEqual({ DeleteMarker: true, VersionId: marker });
    expect(delV2).toEqual({ VersionId: v2 });

    const [head, left, getV2] = await Promise.all([
      api('head-object', '--bucket', bucket, '--key', 'k'),
      listing(bucket),
      fails('s3api', 'get-object', '--bucket', bucket, '--key', 'k', `--version-id=${v2}`, outFile()),
    ]);
    expect(head).toMatchObject({ VersionId: v1, ContentLength: 5 });
    expect(versionsOf(left)).toEqual([['k', v1, true, 5]]);
    expect(left.DeleteMarkers).toBeUndefined();
    expect(getV2).toContain('NoSuchVersion');
  }, 60_000);

  test('list-object-versions: prefix, delimiter, markers, and paging that the CLI follows itself', async () => {
    // a:   marker (latest), version, null version (from before versioning)
    // b/1: version (latest), null version
    // b/2: null marker (latest, made while suspended), two versions
    // c:   version (latest), null version (made while suspended)
    const bucket = await sdkBucket();
    await sdkPut(bucket, 'a', 'a0');
    await sdkPut(bucket, 'b/1', 'b1-0');
    await sdkVersioning(bucket, 'Enabled');
    const a1 = (await sdkPut(bucket, 'a', 'a1!'))!;
    const b1 = (await sdkPut(bucket, 'b/1', 'b1-1!'))!;
    const b2a = (await sdkPut(bucket, 'b/2', 'b2'))!;
    const b2b = (await sdkPut(bucket, 'b/2', 'b2b'))!;
    const aMarker = (await sdkDelete(bucket, 'a'))!;
    await sdkVersioning(bucket, 'Suspended');
    await sdkPut(bucket, 'c', 'c-null');
    expect(await sdkDelete(bucket, 'b/2')).toBe('null');
    await sdkVersioning(bucket, 'Enabled');
    const c1 = (await sdkPut(bucket, 'c', 'c1'))!;

    const [full, pageSize1, pageSize3, grouped, groupedPaged, prefixed, firstPage, nextPage, firstItems] =
      await Promise.all([
        listing(bucket),
        listing(bucket, '--page-size', '1'),
        listing(bucket, '--page-size', '3'),
        listing(bucket, '--delimiter', '/'),
        listing(bucket, '--delimiter', '/', '--page-size', '1'),
        listing(bucket, '--prefix', 'b/'),
        listing(bucket, '--no-paginate', '--max-keys', '3'),
        // Giving a marker turns the CLI's own paging off: one request, from that point on.
        listing(bucket, '--key-marker', 'a', '--version-id-marker=null', '--max-keys', '3'),
        listing(bucket, '--prefix', 'b/1', '--max-items', '1'),
      ]);

    expect(versionsOf(full)).toEqual([
      ['a', a1, false, 3],
      ['a', 'null', false, 2],
      ['b/1', b1, true, 5],
      ['b/1', 'null', false, 4],
      ['b/2', b2b, false, 3],
      ['b/2', b2a, false, 2],
      ['c', c1, true, 2],
      ['c', 'null', false, 6],
    ]);
    expect(markersOf(full)).toEqual([
      ['a', aMarker, true],
      ['b/2', 'null', true],
    ]);
    expect(full.NextToken).toBeUndefined();
    // Paged by the CLI (following NextKeyMarker/NextVersionIdMarker across markers and null
    // versions), the merged result is the unpaged one.
    expect(pageSize1).toEqual(full);
    expect(pageSize3).toEqual(full);

    expect(versionsOf(grouped)).toEqual([
      ['a', a1, false, 3],
      ['a', 'null', false, 2],
      ['c', c1, true, 2],
      ['c', 'null', false, 6],
    ]);
    expect(markersOf(grouped)).toEqual([['a', aMarker, true]]);
    expect(grouped.CommonPrefixes).toEqual([{ Prefix: 'b/' }]);
    expect(groupedPaged).toEqual(grouped);

    expect(versionsOf(prefixed)).toEqual([
      ['b/1', b1, true, 5],
      ['b/1', 'null', false, 4],
      ['b/2', b2b, false, 3],
      ['b/2', b2a, false, 2],
    ]);
    expect(markersOf(prefixed)).toEqual([['b/2', 'null', true]]);

    // One page of three: a's marker and both of its versions; the next starts after a's null version.
    expect(firstPage).toMatchObject({ IsTruncated: true, NextKeyMarker: 'a', NextVersionIdMarker: 'null' });
    expect(versionsOf(firstPage)).toEqual([
      ['a', a1, false, 3],
      ['a', 'null', false, 2],
    ]);
    expect(markersOf(firstPage)).toEqual([['a', aMarker, true]]);
    expect(nextPage).toMatchObject({ IsTruncated: true, NextKeyMarker: 'b/2', NextVersionIdMarker: 'null' });
    expect(versionsOf(nextPage)).toEqual([
      ['b/1', b1, true, 5],
      ['b/1', 'null', false, 4],
    ]);
    expect(markersOf(nextPage)).toEqual([['b/2', 'null', true]]);

    // --max-items: the CLI stops after that many and hands out a token to resume from.
    expect(versionsOf(firstItems)).toEqual([['b/1', b1, true, 5]]);
    expect(firstItems.NextToken).toEqual(expect.any(String));
    const rest = await listing(bucket, '--prefix', 'b/1', '--starting-token', firstItems.NextToken!);
    expect(versionsOf(rest)).toEqual([['b/1', 'null', false, 4]]);
    expect(rest.NextToken).toBeUndefined();
  }, 60_000);

  test('copy-object --copy-source bucket/key?versionId=… copies that version', async () => {
    const bucket = await sdkBucket();
    await sdkPut(bucket, 'src', 'zero');
    await sdkVersioning(bucket, 'Enabled');
    const v1 = (await sdkPut(bucket, 'src', 'one!'))!;
    await sdkPut(bucket, 'src', 'two!!');

    const [fromV1, fromNull] = await Promise.all([
      api(
        'copy-object',
        '--bucket',
        bucket,
        '--key',
        'copy-1',
        '--copy-source',
        `${bucket}/src?versionId=${v1}`,
      ),
      api(
        'copy-object',
        '--bucket',
        bucket,
        '--key',
        'copy-0',
        '--copy-source',
        `${bucket}/src?versionId=null`,
      ),
    ]);
    expect(fromV1).toMatchObject({
      CopySourceVersionId: v1,
      VersionId: expect.stringMatching(VERSION_ID),
      CopyObjectResult: { ETag: etagOf('one!') },
    });
    expect(fromNull).toMatchObject({
      CopySourceVersionId: 'null',
      VersionId: expect.stringMatching(VERSION_ID),
      CopyObjectResult: { ETag: etagOf('zero') },
    });

    const out1 = outFile();
    const out0 = outFile();
    const [got1, got0] = await Promise.all([
      api('get-object', '--bucket', bucket, '--key', 'copy-1', out1),
      api('get-object', '--bucket', bucket, '--key', 'copy-0', out0),
    ]);
    expect(got1.VersionId).toBe(fromV1.VersionId);
    expect(readFileSync(out1, 'utf8')).toBe('one!');
    expect(got0.VersionId).toBe(fromNull.VersionId);
    expect(readFileSync(out0, 'utf8')).toBe('zero');
  }, 60_000);

  test('delete-objects with VersionId entries; s3 ls hides deleted keys; s3 rb waits for the last version', async () => {
    const bucket = await sdkBucket('Enabled');
    const x1 = (await sdkPut(bucket, 'x', 'x-one'))!;
    const x2 = (await sdkPut(bucket, 'x', 'x-two'))!;
    const y1 = (await sdkPut(bucket, 'y', 'y-one'))!;
    // Deleted entries in a stable order: by key, versions before markers.
    const sorted = (entries: Json[]) =>
      [...entries].sort(
        (a, b) =>
          String(a.Key).localeCompare(String(b.Key)) || Number(!!a.DeleteMarker) - Number(!!b.DeleteMarker),
      );

    // One version of x for good, and a delete marker on top of each key.
    const first = await api(
      'delete-objects',
      '--bucket',
      bucket,
      '--delete',
      JSON.stringify({ Objects: [{ Key: 'x', VersionId: x1 }, { Key: 'x' }, { Key: 'y' }] }),
    );
    expect(first.Errors).toBeUndefined();
    const deleted = sorted(first.Deleted as Json[]);
    expect(deleted).toEqual([
      { Key: 'x', VersionId: x1 },
      { Key: 'x', DeleteMarker: true, DeleteMarkerVersionId: expect.stringMatching(VERSION_ID) },
      { Key: 'y', DeleteMarker: true, DeleteMarkerVersionId: expect.stringMatching(VERSION_ID) },
    ]);
    const xMarker = deleted[1].DeleteMarkerVersionId as string;
    const yMarker = deleted[2].DeleteMarkerVersionId as string;

    // Every key's latest is a marker: `aws s3 ls` shows nothing, yet the bucket is not empty.
    const [left, ls, rb] = await Promise.all([
      listing(bucket),
      aws('s3', 'ls', `s3://${bucket}`),
      fails('s3', 'rb', `s3://${bucket}`),
    ]);
    expect(versionsOf(left)).toEqual([
      ['x', x2, false, 5],
      ['y', y1, false, 5],
    ]);
    expect(markersOf(left)).toEqual([
      ['x', xMarker, true],
      ['y', yMarker, true],
    ]);
    expect(ls).toBe('');
    expect(rb).toContain('BucketNotEmpty');

    // Versions and markers named by id are gone for good; then the bucket can go.
    const second = await api(
      'delete-objects',
      '--bucket',
      bucket,
      '--delete',
      JSON.stringify({
        Objects: [
          { Key: 'x', VersionId: x2 },
          { Key: 'x', VersionId: xMarker },
          { Key: 'y', VersionId: y1 },
          { Key: 'y', VersionId: yMarker },
        ],
      }),
    );
    expect(second.Errors).toBeUndefined();
    expect(sorted(second.Deleted as Json[])).toEqual([
      { Key: 'x', VersionId: x2 },
      { Key: 'x', VersionId: xMarker, DeleteMarker: true, DeleteMarkerVersionId: xMarker },
      { Key: 'y', VersionId: y1 },
      { Key: 'y', VersionId: yMarker, DeleteMarker: true, DeleteMarkerVersionId: yMarker },
    ]);
    expect(await aws('s3', 'rb', `s3://${bucket}`)).toContain(`remove_bucket: ${bucket}`);
  }, 60_000);

  test('multipart uploads get a version id (aws s3 cp of 9 MiB, and s3api complete-multipart-upload)', async () => {
    const bucket = await sdkBucket('Enabled');
    const big = Buffer.alloc(9 * 1024 * 1024);
    for (let i = 0; i < big.length; i += 4096) big.writeUInt32BE(i, i);
    const bigFile = file(big);

    const [, completed] = await Promise.all([
      aws('s3', 'cp', '--no-progress', bigFile, `s3://${bucket}/big.bin`),
      (async () => {
        const { UploadId } = await api('create-multipart-upload', '--bucket', bucket, '--key', 'mp');
        const part = await api(
          'upload-part',
          '--bucket',
          bucket,
          '--key',
          'mp',
          '--upload-id',
          UploadId as string,
          '--part-number',
          '1',
          '--body',
          file('only part'),
        );
        return api(
          'complete-multipart-upload',
          '--bucket',
          bucket,
          '--key',
          'mp',
          '--upload-id',
          UploadId as string,
          '--multipart-upload',
          JSON.stringify({ Parts: [{ PartNumber: 1, ETag: part.ETag }] }),
        );
      })(),
    ]);
    expect(completed).toMatchObject({
      Bucket: bucket,
      Key: 'mp',
      ETag: expect.stringMatching(/^"[0-9a-f]{32}-1"$/),
      VersionId: expect.stringMatching(VERSION_ID),
    });

    const [versions, head] = await Promise.all([
      listing(bucket),
      api('head-object', '--bucket', bucket, '--key', 'big.bin'),
    ]);
    const bigVersion = versions.Versions?.find((v) => v.Key === 'big.bin');
    expect(versions.Versions?.map((v) => [v.Key, v.IsLatest, v.Size])).toEqual([
      ['big.bin', true, big.length],
      ['mp', true, 9],
    ]);
    expect(bigVersion?.VersionId).toMatch(VERSION_ID);
    expect(bigVersion?.ETag).toMatch(/^"[0-9a-f]{32}-2"$/);
    expect(versions.Versions?.[1].VersionId).toBe(completed.VersionId);
    expect(head).toMatchObject({ VersionId: bigVersion?.VersionId, ContentLength: big.length });
  }, 60_000);
});
