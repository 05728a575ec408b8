import { createHash } from 'node:crypto';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  DeleteObjectTaggingCommand,
  GetBucketVersioningCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketAclCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  UploadPartCopyCommand,
  type BucketVersioningStatus,
  type ListObjectVersionsCommandInput,
  type ListObjectVersionsCommandOutput,
  type MFADelete,
} from '@aws-sdk/client-s3';
import type { S3User } from '../../gateway/backends/s3';
import {
  ALICE,
  BOB,
  rawRequest,
  signRequest,
  startTestS3,
  type RawResponse,
  type TestS3,
  failure,
} from '../helpers/s3';

let s3: TestS3;
let alice: S3Client;

beforeAll(async () => {
  s3 = await startTestS3();
  alice = s3.client(ALICE);
});
afterAll(() => s3.stop());

/** The version ids this emulator hands out (as long as AWS's, URL- and file-name-safe). */
const VERSION_ID = /^[A-Za-z0-9_-]{32}$/;
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');
/** Well-formed, but no version ever has it. */
const UNKNOWN_ID = 'A'.repeat(32);

let bucketCount = 0;

/** A new bucket of Alice's, with versioning set to `status` when given. */
async function newBucket(tag: string, status?: BucketVersioningStatus): Promise<string> {
  const bucket = `vsdk-${++bucketCount}-${tag}`;
  await alice.send(new CreateBucketCommand({ Bucket: bucket }));
  if (status) await setVersioning(bucket, status);
  return bucket;
}

async function setVersioning(bucket: string, status: BucketVersioningStatus, client = alice): Promise<void> {
  await client.send(
    new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: status } }),
  );
}

async function versioningOf(bucket: string, client = alice) {
  const res = await client.send(new GetBucketVersioningCommand({ Bucket: bucket }));
  return { Status: res.Status, MFADelete: res.MFADelete };
}

/** PutObject; the VersionId the response announces (none for a null version). */
async function put(bucket: string, key: string, body: string, client = alice): Promise<string | undefined> {
  return (await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }))).VersionId;
}

/** PutObject into a versioning-enabled bucket: a new version, whose id is returned. */
async function putVersion(bucket: string, key: string, body: string): Promise<string> {
  const id = await put(bucket, key, body);
  expect(id).toMatch(VERSION_ID);
  return id!;
}

/** GetObject of the latest version or of `versionId`: the body and the version the response names. */
async function read(bucket: string, key: string, versionId?: string, client = alice) {
  const res = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
  return { body: await res.Body!.transformToString(), versionId: res.VersionId };
}

/** An SDK error as code, status and the two version headers. */
function described(e: S3ServiceException) {
  const headers = e.$response?.headers ?? {};
  return {
    name: e.name,
    status: e.$metadata.httpStatusCode,
    deleteMarker: headers['x-amz-delete-marker'],
    versionId: headers['x-amz-version-id'],
  };
}

/** A signed request without a body, sent as given (for exact headers, HEAD errors, odd queries). */
async function raw(
  method: string,
  path: string,
  query: Record<string, string> = {},
  user: S3User = ALICE,
): Promise<RawResponse> {
  const url = new URL(`${s3.url}${path}`);
  for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
  const signed = await signRequest(url, method, { 'x-amz-content-sha256': EMPTY_SHA256 }, user);
  return rawRequest(url, method, signed.headers);
}

/** A raw response as status, error code and the two version headers. */
function rawSummary(res: RawResponse) {
  return {
    status: res.status,
    code: /<Code>([^<]*)<\/Code>/.exec(res.body)?.[1],
    deleteMarker: res.headers['x-amz-delete-marker'],
    versionId: res.headers['x-amz-version-id'],
  };
}

// ---------------------------------------------------------------------------------------------
// ListObjectVersions. The SDK splits a listing into Versions and DeleteMarkers, losing how they
// interleave, so listings are also read raw, in document order.
// ---------------------------------------------------------------------------------------------

/** One listed version: V(ersion) or D(elete marker), key, version id, IsLatest. */
type Row = [kind: 'V' | 'D', key: string, versionId: string, isLatest: boolean];

interface RawListing {
  rows: Row[];
  prefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextVersionIdMarker?: string;
  body: string;
}

const unescapeXml = (s: string) =>
  s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');

function field(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([\\s\\S]*?)</${name}>`).exec(xml);
  return m ? unescapeXml(m[1]) : undefined;
}

/** GET ?versions with the query given, parsed in document order. */
async function rawListing(bucket: string, query: Record<string, string> = {}): Promise<RawListing> {
  const res = await raw('GET', `/${bucket}`, { versions: '', ...query });
  expect(res.status).toBe(200);
  const rows = [...res.body.matchAll(/<(Version|DeleteMarker)>([\s\S]*?)<\/\1>/g)].map(
    ([, kind, inner]): Row => [
      kind === 'Version' ? 'V' : 'D',
      field(inner, 'Key')!,
      field(inner, 'VersionId')!,
      field(inner, 'IsLatest') === 'true',
    ],
  );
  const prefixes = [...res.body.matchAll(/<CommonPrefixes>\s*<Prefix>([\s\S]*?)<\/Prefix>/g)].map(([, p]) =>
    unescapeXml(p),
  );
  return {
    rows,
    prefixes,
    isTruncated: field(res.body, 'IsTruncated') === 'true',
    nextKeyMarker: field(res.body, 'NextKeyMarker'),
    nextVersionIdMarker: field(res.body, 'NextVersionIdMarker'),
    body: res.body,
  };
}

/** The SDK's listing as rows: its Versions, then its DeleteMarkers. */
function sdkRows(res: ListObjectVersionsCommandOutput): { versions: Row[]; markers: Row[] } {
  return {
    versions: (res.Versions ?? []).map((v): Row => ['V', v.Key!, v.VersionId!, v.IsLatest!]),
    markers: (res.DeleteMarkers ?? []).map((m): Row => ['D', m.Key!, m.VersionId!, m.IsLatest!]),
  };
}

/** Asserts the whole version listing, in order, raw and as the SDK reads it. */
async function expectListing(bucket: string, expected: Row[]): Promise<void> {
  expect((await rawListing(bucket)).rows).toEqual(expected);
  const res = await alice.send(new ListObjectVersionsCommand({ Bucket: bucket }));
  expect(res.IsTruncated).toBe(false);
  expect(sdkRows(res)).toEqual({
    versions: expected.filter((r) => r[0] === 'V'),
    markers: expected.filter((r) => r[0] === 'D'),
  });
}

async function currentKeys(bucket: string, client = alice): Promise<string[]> {
  const res = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (res.Contents ?? []).map((c) => c.Key!);
}

// ---------------------------------------------------------------------------------------------

describe('PutBucketVersioning / GetBucketVersioning', () => {
  test('no Status until first set; Enabled and Suspended round-trip; MfaDelete Disabled is kept', async () => {
    const bucket = await newBucket('config');
    expect(await versioningOf(bucket)).toEqual({ Status: undefined, MFADelete: undefined });
    await setVersioning(bucket, 'Enabled');
    expect(await versioningOf(bucket)).toEqual({ Status: 'Enabled', MFADelete: undefined });
    await setVersioning(bucket, 'Suspended');
    expect(await versioningOf(bucket)).toEqual({ Status: 'Suspended', MFADelete: undefined });
    await alice.send(
      new PutBucketVersioningCommand({
        Bucket: bucket,
        VersioningConfiguration: { Status: 'Enabled', MFADelete: 'Disabled' },
      }),
    );
    expect(await versioningOf(bucket)).toEqual({ Status: 'Enabled', MFADelete: 'Disabled' });
    // The raw document: Status and MfaDelete, as S3 writes them.
    const doc = await raw('GET', `/${bucket}`, { versioning: '' });
    expect(doc.status).toBe(200);
    expect(field(doc.body, 'Status')).toBe('Enabled');
    expect(field(doc.body, 'MfaDelete')).toBe('Disabled');
  });

  test('an invalid Status is MalformedXML; MfaDelete Enabled is NotImplemented; neither changes anything', async () => {
    const bucket = await newBucket('config-bad');
    const malformed = await failure(
      alice.send(
        new PutBucketVersioningCommand({
          Bucket: bucket,
          VersioningConfiguration: { Status: 'Disabled' as BucketVersioningStatus },
        }),
      ),
    );
    expect(described(malformed)).toMatchObject({ name: 'MalformedXML', status: 400 });
    const mfa = await failure(
      alice.send(
        new PutBucketVersioningCommand({
          Bucket: bucket,
          VersioningConfiguration: { Status: 'Enabled', MFADelete: 'Enabled' as MFADelete },
        }),
      ),
    );
    expect(described(mfa)).toMatchObject({ name: 'NotImplemented', status: 501 });
    expect(await versioningOf(bucket)).toEqual({ Status: undefined, MFADelete: undefined });
    // Still unversioned: a PUT creates no version.
    expect(await put(bucket, 'k', 'x')).toBeUndefined();
  });

  test('only the bucket owner: BOB is refused both, even with public-read-write on the bucket', async () => {
    const bucket = await newBucket('config-owner', 'Enabled');
    await alice.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'public-read-write' }));
    const bob = s3.client(BOB);
    const get = await failure(bob.send(new GetBucketVersioningCommand({ Bucket: bucket })));
    expect(described(get)).toMatchObject({ name: 'AccessDenied', status: 403 });
    const set = await failure(
      bob.send(
        new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Suspended' } }),
      ),
    );
    expect(described(set)).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(await versioningOf(bucket)).toEqual({ Status: 'Enabled', MFADelete: undefined });
    // What the ACL does grant him, he may: his PUT becomes a new version, his DELETE a marker he owns.
    const bobsVersion = await put(bucket, 'bobs', 'b', bob);
    expect(bobsVersion).toMatch(VERSION_ID);
    const bobsMarker = (await bob.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'bobs' }))).VersionId;
    expect(bobsMarker).toMatch(VERSION_ID);
    const listed = await alice.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    expect(listed.Versions?.map((v) => [v.VersionId, v.Owner?.ID])).toEqual([[bobsVersion, BOB.owner.id]]);
    expect(listed.DeleteMarkers?.map((m) => [m.VersionId, m.IsLatest, m.Owner?.ID])).toEqual([
      [bobsMarker, true, BOB.owner.id],
    ]);
  });

  test('a bucket that does not exist: NoSuchBucket', async () => {
    const get = await failure(alice.send(new GetBucketVersioningCommand({ Bucket: 'vsdk-no-such-bucket' })));
    expect(described(get)).toMatchObject({ name: 'NoSuchBucket', status: 404 });
    const set = await failure(setVersioning('vsdk-no-such-bucket', 'Enabled'));
    expect(described(set)).toMatchObject({ name: 'NoSuchBucket', status: 404 });
  });
});

describe('versioning state transitions', () => {
  test('unversioned → Enabled → Suspended → Enabled: version ids, null versions, markers, listings', async () => {
    const bucket = await newBucket('life');

    // Never versioned: no version ids anywhere.
    expect(await put(bucket, 'k', 'v0')).toBeUndefined();
    expect((await alice.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }))).VersionId).toBeUndefined();
    expect(await read(bucket, 'k')).toEqual({ body: 'v0', versionId: undefined });
    expect((await raw('GET', `/${bucket}/k`)).headers['x-amz-version-id']).toBeUndefined();
    await expectListing(bucket, [['V', 'k', 'null', true]]);

    // Enabled: the existing object is the null version, and is now called that.
    await setVersioning(bucket, 'Enabled');
    expect((await versioningOf(bucket)).Status).toBe('Enabled');
    expect((await alice.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }))).VersionId).toBe('null');
    expect(await read(bucket, 'k')).toEqual({ body: 'v0', versionId: 'null' });
    const v1 = await putVersion(bucket, 'k', 'v1');
    const v2 = await putVersion(bucket, 'k', 'v2');
    expect(v2).not.toBe(v1);
    expect(await read(bucket, 'k')).toEqual({ body: 'v2', versionId: v2 });
    expect(await read(bucket, 'k', v1)).toEqual({ body: 'v1', versionId: v1 });
    expect(await read(bucket, 'k', 'null')).toEqual({ body: 'v0', versionId: 'null' });
    const head = await alice.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k', VersionId: v1 }));
    expect([head.VersionId, head.ContentLength]).toEqual([v1, 2]);
    await expectListing(bucket, [
      ['V', 'k', v2, true],
      ['V', 'k', v1, false],
      ['V', 'k', 'null', false],
    ]);

    // A DELETE adds a delete marker; the versions stay readable by id.
    const deleted = await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect(deleted.DeleteMarker).toBe(true);
    expect(deleted.VersionId).toMatch(VERSION_ID);
    const m1 = deleted.VersionId!;
    expect(new Set([v1, v2, m1]).size).toBe(3);
    await expectListing(bucket, [
      ['D', 'k', m1, true],
      ['V', 'k', v2, false],
      ['V', 'k', v1, false],
      ['V', 'k', 'null', false],
    ]);
    expect(described(await failure(read(bucket, 'k')))).toEqual({
      name: 'NoSuchKey',
      status: 404,
      deleteMarker: 'true',
      versionId: m1,
    });
    expect(await read(bucket, 'k', v2)).toEqual({ body: 'v2', versionId: v2 });
    expect(await currentKeys(bucket)).toEqual([]);

    // Suspended: a PUT writes the null version, replacing the one from before versioning.
    await setVersioning(bucket, 'Suspended');
    expect((await versioningOf(bucket)).Status).toBe('Suspended');
    expect(await put(bucket, 'k', 'v3')).toBeUndefined();
    expect(await read(bucket, 'k')).toEqual({ body: 'v3', versionId: 'null' });
    const nullOnTop: Row[] = [
      ['V', 'k', 'null', true],
      ['D', 'k', m1, false],
      ['V', 'k', v2, false],
      ['V', 'k', v1, false],
    ];
    await expectListing(bucket, nullOnTop);
    expect(await put(bucket, 'k', 'v4!')).toBeUndefined();
    await expectListing(bucket, nullOnTop);
    expect(await read(bucket, 'k', 'null')).toEqual({ body: 'v4!', versionId: 'null' });
    const sizes = await alice.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    expect(sizes.Versions?.map((v) => [v.VersionId, v.Size])).toEqual([
      ['null', 3],
      [v2, 2],
      [v1, 2],
    ]);

    // A DELETE while suspended: the null delete marker, replacing the null version.
    const suspendedDelete = await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect([suspendedDelete.DeleteMarker, suspendedDelete.VersionId]).toEqual([true, 'null']);
    await expectListing(bucket, [
      ['D', 'k', 'null', true],
      ['D', 'k', m1, false],
      ['V', 'k', v2, false],
      ['V', 'k', v1, false],
    ]);
    expect(described(await failure(read(bucket, 'k')))).toEqual({
      name: 'NoSuchKey',
      status: 404,
      deleteMarker: 'true',
      versionId: 'null',
    });
    expect(described(await failure(read(bucket, 'k', 'null')))).toEqual({
      name: 'MethodNotAllowed',
      status: 405,
      deleteMarker: 'true',
      versionId: 'null',
    });

    // A PUT replaces the null marker with a null version.
    expect(await put(bucket, 'k', 'v5')).toBeUndefined();
    await expectListing(bucket, nullOnTop);
    expect(await read(bucket, 'k')).toEqual({ body: 'v5', versionId: 'null' });

    // Enabled again: new ids on top of everything; the null version stays as it is.
    await setVersioning(bucket, 'Enabled');
    const v6 = await putVersion(bucket, 'k', 'v6');
    expect(new Set([v1, v2, m1, v6]).size).toBe(4);
    await expectListing(bucket, [
      ['V', 'k', v6, true],
      ['V', 'k', 'null', false],
      ['D', 'k', m1, false],
      ['V', 'k', v2, false],
      ['V', 'k', v1, false],
    ]);
    expect(await read(bucket, 'k', 'null')).toEqual({ body: 'v5', versionId: 'null' });
    expect(await currentKeys(bucket)).toEqual(['k']);
  });

  test('a never-versioned bucket: DELETE removes for good, no markers, no version headers', async () => {
    const bucket = await newBucket('plain');
    await put(bucket, 'k', 'x');
    await put(bucket, 'other', 'y');
    const get = await raw('GET', `/${bucket}/k`, { versionId: 'null' });
    expect([get.status, get.body, get.headers['x-amz-version-id']]).toEqual([200, 'x', undefined]);
    const deleted = await raw('DELETE', `/${bucket}/k`);
    expect(rawSummary(deleted)).toEqual({
      status: 204,
      code: undefined,
      deleteMarker: undefined,
      versionId: undefined,
    });
    await expectListing(bucket, [['V', 'other', 'null', true]]);
    expect(described(await failure(read(bucket, 'k')))).toEqual({
      name: 'NoSuchKey',
      status: 404,
      deleteMarker: undefined,
      versionId: undefined,
    });
    // Deleting what is not there creates nothing either.
    const again = await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect([again.DeleteMarker, again.VersionId]).toEqual([undefined, undefined]);
    // By version id null: the one version goes.
    const byId = await alice.send(
      new DeleteObjectCommand({ Bucket: bucket, Key: 'other', VersionId: 'null' }),
    );
    expect(byId.VersionId).toBe('null');
    await expectListing(bucket, []);
    await alice.send(new DeleteBucketCommand({ Bucket: bucket }));
  });

  test('DELETE by version id removes it for good; removing the latest makes the next newest current', async () => {
    const bucket = await newBucket('by-id', 'Enabled');
    const v1 = await putVersion(bucket, 'k', 'one');
    const v2 = await putVersion(bucket, 'k', 'two');
    const v3 = await putVersion(bucket, 'k', 'three');

    const latestGone = await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: v3 }));
    expect([latestGone.VersionId, latestGone.DeleteMarker]).toEqual([v3, undefined]);
    expect(await read(bucket, 'k')).toEqual({ body: 'two', versionId: v2 });
    expect(described(await failure(read(bucket, 'k', v3)))).toMatchObject({
      name: 'NoSuchVersion',
      status: 404,
    });
    await expectListing(bucket, [
      ['V', 'k', v2, true],
      ['V', 'k', v1, false],
    ]);

    // Removing the delete marker undeletes.
    const marker = (await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }))).VersionId!;
    expect(marker).toMatch(VERSION_ID);
    const unmarked = await raw('DELETE', `/${bucket}/k`, { versionId: marker });
    expect(rawSummary(unmarked)).toEqual({
      status: 204,
      code: undefined,
      deleteMarker: 'true',
      versionId: marker,
    });
    expect(await read(bucket, 'k')).toEqual({ body: 'two', versionId: v2 });

    // An older version: the latest stays.
    await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k', VersionId: v1 }));
    await expectListing(bucket, [['V', 'k', v2, true]]);

    // The last one: the key is gone entirely, with no marker to say so.
    const last = await raw('DELETE', `/${bucket}/k`, { versionId: v2 });
    expect(rawSummary(last)).toEqual({
      status: 204,
      code: undefined,
      deleteMarker: undefined,
      versionId: v2,
    });
    await expectListing(bucket, []);
    expect(described(await failure(read(bucket, 'k')))).toEqual({
      name: 'NoSuchKey',
      status: 404,
      deleteMarker: undefined,
      versionId: undefined,
    });
    await alice.send(new DeleteBucketCommand({ Bucket: bucket }));
  });

  test('Enabled: a DELETE of a key that never existed still creates a delete marker', async () => {
    const bucket = await newBucket('ghost', 'Enabled');
    const res = await raw('DELETE', `/${bucket}/never-was`);
    expect(res.status).toBe(204);
    expect(res.headers['x-amz-delete-marker']).toBe('true');
    expect(res.headers['x-amz-version-id']).toMatch(VERSION_ID);
    await expectListing(bucket, [['D', 'never-was', res.headers['x-amz-version-id'] as string, true]]);
  });

  test('listed versions carry their own ETag, Size, StorageClass, Owner and LastModified', async () => {
    const bucket = await newBucket('details', 'Enabled');
    const first = await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'first' }));
    const second = await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'second!' }));
    const marker = await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
    const res = await alice.send(new ListObjectVersionsCommand({ Bucket: bucket }));
    const md5 = (s: string) => `"${createHash('md5').update(s).digest('hex')}"`;
    expect(res.Versions?.map((v) => [v.VersionId, v.ETag, v.Size, v.StorageClass, v.Owner?.ID])).toEqual([
      [second.VersionId, md5('second!'), 7, 'STANDARD', ALICE.owner.id],
      [first.VersionId, md5('first'), 5, 'STANDARD', ALICE.owner.id],
    ]);
    expect([first.ETag, second.ETag]).toEqual([md5('first'), md5('second!')]);
    expect(res.DeleteMarkers?.map((m) => [m.VersionId, m.Owner?.ID])).toEqual([
      [marker.VersionId, ALICE.owner.id],
    ]);
    const times = [res.DeleteMarkers![0].LastModified!, ...res.Versions!.map((v) => v.LastModified!)];
    for (const t of times) expect(Math.abs(t.getTime() - Date.now())).toBeLessThan(60_000);
  });

  test('concurrent writes of one key: every PUT a distinct version (Enabled), one null version (Suspended)', async () => {
    const bucket = await newBucket('concurrent', 'Enabled');
    const bodies = Array.from({ length: 12 }, (_, i) => `body-${i}`);
    const ids = await Promise.all(bodies.map((b) => put(bucket, 'k', b)));
    for (const id of ids) expect(id).toMatch(VERSION_ID);
    expect(new Set(ids).size).toBe(12);
    const listed = (await rawListing(bucket)).rows;
    expect(listed.map((r) => r[2]).sort()).toEqual([...ids].sort());
    expect(listed.map((r) => r[3])).toEqual([true, ...Array(11).fill(false)]);
    // The latest listed is the one GET returns, and each id reads back its own body.
    const latest = await read(bucket, 'k');
    expect(latest.versionId).toBe(listed[0][2]);
    expect(latest.body).toBe(bodies[ids.indexOf(latest.versionId)]);
    for (const [i, id] of ids.entries()) expect((await read(bucket, 'k', id)).body).toBe(bodies[i]);

    await setVersioning(bucket, 'Suspended');
    const nullIds = await Promise.all(bodies.map((b) => put(bucket, 'k', `null-${b}`)));
    expect(nullIds).toEqual(Array(12).fill(undefined));
    const after = (await rawListing(bucket)).rows;
    expect(after).toEqual([['V', 'k', 'null', true], ...listed.map((r): Row => [r[0], r[1], r[2], false])]);
    expect((await read(bucket, 'k')).body).toMatch(/^null-body-\d+$/);
  });
});

describe('reading and deleting by version id', () => {
  test('malformed version ids are InvalidArgument; unknown ones NoSuchVersion', async () => {
    const bucket = await newBucket('bad-ids', 'Enabled');
    const v1 = await putVersion(bucket, 'k', 'one');
    for (const method of ['GET', 'HEAD', 'DELETE']) {
      for (const bad of ['not-a-version', '', `${v1}x`, 'a/b'.repeat(11)]) {
        const res = await raw(method, `/${bucket}/k`, { versionId: bad });
        expect([method, bad, res.status]).toEqual([method, bad, 400]);
        if (method !== 'HEAD') expect(rawSummary(res).code).toBe('InvalidArgument');
      }
    }
    const sdkBad = await failure(read(bucket, 'k', 'not-a-version'));
    expect(described(sdkBad)).toMatchObject({ name: 'InvalidArgument', status: 400 });

    expect(described(await failure(read(bucket, 'k', UNKNOWN_ID)))).toMatchObject({
      name: 'NoSuchVersion',
      status: 404,
    });
    const head = await raw('HEAD', `/${bucket}/k`, { versionId: UNKNOWN_ID });
    expect(head.status).toBe(404);
    const tagging = await failure(
      alice.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'k', VersionId: UNKNOWN_ID })),
    );
    expect(described(tagging)).toMatchObject({ name: 'NoSuchVersion', status: 404 });
    const acl = await failure(
      alice.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'k', VersionId: UNKNOWN_ID })),
    );
    expect(described(acl)).toMatchObject({ name: 'NoSuchVersion', status: 404 });
    // Nothing was deleted along the way.
    await expectListing(bucket, [['V', 'k', v1, true]]);
  });

  test('delete markers: 404 NoSuchKey as the latest, 405 MethodNotAllowed by id, both with marker headers', async () => {
    const bucket = await newBucket('markers', 'Enabled');
    const v1 = await putVersion(bucket, 'k', 'one');
    const marker = (await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }))).VersionId!;

    for (const method of ['GET', 'HEAD']) {
      const latest = await raw(method, `/${bucket}/k`);
      expect(rawSummary(latest)).toEqual({
        status: 404,
        code: method === 'GET' ? 'NoSuchKey' : undefined,
        deleteMarker: 'true',
        versionId: marker,
      });
      const byId = await raw(method, `/${bucket}/k`, { versionId: marker });
      expect(rawSummary(byId)).toEqual({
        status: 405,
        code: method === 'GET' ? 'MethodNotAllowed' : undefined,
        deleteMarker: 'true',
        versionId: marker,
      });
      // The version under the marker is still there.
      const older = await raw(method, `/${bucket}/k`, { versionId: v1 });
      expect([older.status, older.headers['x-amz-version-id']]).toEqual([200, v1]);
    }

    // The SDK sees the same through the error's response.
    expect(described(await failure(read(bucket, 'k', marker)))).toEqual({
      name: 'MethodNotAllowed',
      status: 405,
      deleteMarker: 'true',
      versionId: marker,
    });
    const headLatest = await failure(alice.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' })));
    expect(described(headLatest)).toMatchObject({ status: 404, deleteMarker: 'true', versionId: marker });

    // Subresources of a marker: none by id (405), and the key looks deleted as the latest (404).
    const taggingById = await failure(
      alice.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'k', VersionId: marker })),
    );
    expect(described(taggingById)).toMatchObject({ name: 'MethodNotAllowed', status: 405 });
    const aclById = await failure(
      alice.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'k', VersionId: marker })),
    );
    expect(described(aclById)).toMatchObject({ name: 'MethodNotAllowed', status: 405 });
    const taggingLatest = await failure(
      alice.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'k' })),
    );
    expect(described(taggingLatest)).toMatchObject({ name: 'NoSuchKey', status: 404 });
  });

  test('ListObjects and ListObjectsV2 hide keys whose latest version is a delete marker', async () => {
    const bucket = await newBucket('hidden', 'Enabled');
    for (const key of ['a', 'b', 'c']) await putVersion(bucket, key, key);
    const marker = (await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'b' }))).VersionId!;
    expect(await currentKeys(bucket)).toEqual(['a', 'c']);
    const v1 = await alice.send(new ListObjectsCommand({ Bucket: bucket }));
    expect(v1.Contents?.map((c) => c.Key)).toEqual(['a', 'c']);
    // A null marker (suspended) hides too.
    await setVersioning(bucket, 'Suspended');
    await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'c' }));
    expect(await currentKeys(bucket)).toEqual(['a']);
    // Removing the marker brings the key back.
    await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'b', VersionId: marker }));
    expect(await currentKeys(bucket)).toEqual(['a', 'b']);
    const after = await alice.send(new ListObjectsCommand({ Bucket: bucket }));
    expect(after.Contents?.map((c) => c.Key)).toEqual(['a', 'b']);
  });

  test('DeleteBucket is BucketNotEmpty while only delete markers (or only old versions) remain', async () => {
    const bucket = await newBucket('not-empty', 'Enabled');
    const marker = (await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'ghost' }))).VersionId!;
    expect(await currentKeys(bucket)).toEqual([]);
    const refused = await failure(alice.send(new DeleteBucketCommand({ Bucket: bucket })));
    expect(described(refused)).toMatchObject({ name: 'BucketNotEmpty', status: 409 });

    await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'ghost', VersionId: marker }));
    const version = await putVersion(bucket, 'old', 'x');
    await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'old' }));
    const listed = await rawListing(bucket);
    const oldMarker = listed.rows[0][2];
    expect(listed.rows).toEqual([
      ['D', 'old', oldMarker, true],
      ['V', 'old', version, false],
    ]);
    await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'old', VersionId: oldMarker }));
    const stillRefused = await failure(alice.send(new DeleteBucketCommand({ Bucket: bucket })));
    expect(described(stillRefused)).toMatchObject({ name: 'BucketNotEmpty', status: 409 });

    await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'old', VersionId: version }));
    await alice.send(new DeleteBucketCommand({ Bucket: bucket }));
    const gone = await failure(alice.send(new HeadBucketCommand({ Bucket: bucket })));
    expect(gone.$metadata.httpStatusCode).toBe(404);
  });
});

describe('ListObjectVersions', () => {
  /**
   * a: 4 versions; b: version, marker, version, then a null marker (suspended); c: a marker only;
   * d: 3 versions then the null version; e: the null version from before versioning, then 2 versions.
   */
  async function populated(): Promise<{ bucket: string; all: Row[] }> {
    const bucket = await newBucket('paging');
    await put(bucket, 'e', 'e0');
    await setVersioning(bucket, 'Enabled');
    const a = [];
    for (let i = 0; i < 4; i++) a.push(await putVersion(bucket, 'a', `a${i}`));
    const b0 = await putVersion(bucket, 'b', 'b0');
    const bm = (await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'b' }))).VersionId!;
    const b1 = await putVersion(bucket, 'b', 'b1');
    const cm = (await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'c' }))).VersionId!;
    const d = [];
    for (let i = 0; i < 3; i++) d.push(await putVersion(bucket, 'd', `d${i}`));
    await setVersioning(bucket, 'Suspended');
    expect(await put(bucket, 'd', 'dnull')).toBeUndefined();
    const nullMarker = await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'b' }));
    expect(nullMarker.VersionId).toBe('null');
    await setVersioning(bucket, 'Enabled');
    const e1 = await putVersion(bucket, 'e', 'e1');
    const e2 = await putVersion(bucket, 'e', 'e2');
    const all: Row[] = [
      ['V', 'a', a[3], true],
      ['V', 'a', a[2], false],
      ['V', 'a', a[1], false],
      ['V', 'a', a[0], false],
      ['D', 'b', 'null', true],
      ['V', 'b', b1, false],
      ['D', 'b', bm, false],
      ['V', 'b', b0, false],
      ['D', 'c', cm, true],
      ['V', 'd', 'null', true],
      ['V', 'd', d[2], false],
      ['V', 'd', d[1], false],
      ['V', 'd', d[0], false],
      ['V', 'e', e2, true],
      ['V', 'e', e1, false],
      ['V', 'e', 'null', false],
    ];
    return { bucket, all };
  }

  test('paging with small max-keys (raw and SDK) gives exactly the unpaged listing', async () => {
    const { bucket, all } = await populated();
    await expectListing(bucket, all);

    for (const maxKeys of [1, 2, 3, 5, 7, 15, 16, 17]) {
      const seen: Row[] = [];
      let query: Record<string, string> = {};
      for (let page = 0; ; page++) {
        expect(page).toBeLessThan(20);
        const res = await rawListing(bucket, { ...query, 'max-keys': String(maxKeys) });
        expect(field(res.body, 'MaxKeys')).toBe(String(maxKeys));
        expect(res.prefixes).toEqual([]);
        seen.push(...res.rows);
        if (!res.isTruncated) {
          expect(res.rows.length).toBeLessThanOrEqual(maxKeys);
          expect([res.nextKeyMarker, res.nextVersionIdMarker]).toEqual([undefined, undefined]);
          break;
        }
        // A truncated page is full, and says where it stopped.
        expect(res.rows).toHaveLength(maxKeys);
        const last = res.rows[res.rows.length - 1];
        expect([res.nextKeyMarker, res.nextVersionIdMarker]).toEqual([last[1], last[2]]);
        query = { 'key-marker': res.nextKeyMarker!, 'version-id-marker': res.nextVersionIdMarker! };
      }
      expect([maxKeys, seen]).toEqual([maxKeys, all]);
    }

    // The SDK pages the same way, with its own NextKeyMarker / NextVersionIdMarker.
    const unpaged = sdkRows(await alice.send(new ListObjectVersionsCommand({ Bucket: bucket })));
    const versions: Row[] = [];
    const markers: Row[] = [];
    const input: ListObjectVersionsCommandInput = { Bucket: bucket, MaxKeys: 3 };
    let pages = 0;
    for (;;) {
      const res = await alice.send(new ListObjectVersionsCommand(input));
      pages++;
      const rows = sdkRows(res);
      expect(rows.versions.length + rows.markers.length).toBe(res.IsTruncated ? 3 : 1);
      versions.push(...rows.versions);
      markers.push(...rows.markers);
      if (!res.IsTruncated) break;
      expect(res.NextKeyMarker).toBeDefined();
      expect(res.NextVersionIdMarker).toBeDefined();
      input.KeyMarker = res.NextKeyMarker;
      input.VersionIdMarker = res.NextVersionIdMarker;
    }
    expect(pages).toBe(6);
    expect({ versions, markers }).toEqual(unpaged);
  });

  test('key-marker alone resumes after every version of that key; with version-id-marker, after that version', async () => {
    const { bucket, all } = await populated();
    const from = (n: number) => all.slice(n);
    // After all of b (which exists), after "bb" (which does not), after c (only a marker), after the last key.
    expect((await rawListing(bucket, { 'key-marker': 'b' })).rows).toEqual(from(8));
    expect((await rawListing(bucket, { 'key-marker': 'bb' })).rows).toEqual(from(8));
    expect((await rawListing(bucket, { 'key-marker': 'c' })).rows).toEqual(from(9));
    expect((await rawListing(bucket, { 'key-marker': 'e' })).rows).toEqual([]);
    // After one version of b; after b's null marker; after d's null version; after a key's last version.
    expect((await rawListing(bucket, { 'key-marker': 'b', 'version-id-marker': all[5][2] })).rows).toEqual(
      from(6),
    );
    expect((await rawListing(bucket, { 'key-marker': 'b', 'version-id-marker': 'null' })).rows).toEqual(
      from(5),
    );
    expect((await rawListing(bucket, { 'key-marker': 'd', 'version-id-marker': 'null' })).rows).toEqual(
      from(10),
    );
    expect((await rawListing(bucket, { 'key-marker': 'a', 'version-id-marker': all[3][2] })).rows).toEqual(
      from(4),
    );
    const sdk = await alice.send(
      new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: 'd', VersionIdMarker: all[10][2] }),
    );
    expect(sdk.KeyMarker).toBe('d');
    expect(sdk.VersionIdMarker).toBe(all[10][2]);
    expect(sdkRows(sdk).versions).toEqual(all.slice(11).filter((r) => r[0] === 'V'));
    expect(sdk.DeleteMarkers).toBeUndefined();
  });

  test('version-id-marker without key-marker, or malformed, is InvalidArgument', async () => {
    const { bucket, all } = await populated();
    const alone = await failure(
      alice.send(new ListObjectVersionsCommand({ Bucket: bucket, VersionIdMarker: all[0][2] })),
    );
    expect(described(alone)).toMatchObject({ name: 'InvalidArgument', status: 400 });
    const malformed = await raw('GET', `/${bucket}`, {
      versions: '',
      'key-marker': 'a',
      'version-id-marker': 'nope',
    });
    expect(rawSummary(malformed)).toMatchObject({ status: 400, code: 'InvalidArgument' });
  });

  test('prefix and delimiter: common prefixes (also for keys with only markers), paging counts them', async () => {
    const bucket = await newBucket('prefixes', 'Enabled');
    const top = [await putVersion(bucket, 'top', '1'), await putVersion(bucket, 'top', '2')];
    const dirA = [await putVersion(bucket, 'dir/a', '1'), await putVersion(bucket, 'dir/a', '2')];
    const dirB = await putVersion(bucket, 'dir/b', '1');
    const dirBMarker = (await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'dir/b' })))
      .VersionId!;
    const sub = await putVersion(bucket, 'dir/sub/c', '1');
    const goneMarker = (await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'gone/x' })))
      .VersionId!;
    const z = await putVersion(bucket, 'z', '1');

    const rooted = await rawListing(bucket, { delimiter: '/' });
    expect(rooted.rows).toEqual([
      ['V', 'top', top[1], true],
      ['V', 'top', top[0], false],
      ['V', 'z', z, true],
    ]);
    expect(rooted.prefixes).toEqual(['dir/', 'gone/']);
    const sdkRooted = await alice.send(new ListObjectVersionsCommand({ Bucket: bucket, Delimiter: '/' }));
    expect(sdkRooted.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['dir/', 'gone/']);
    expect(sdkRooted.Versions?.map((v) => v.Key)).toEqual(['top', 'top', 'z']);
    expect(sdkRooted.Delimiter).toBe('/');
    // ListObjectsV2 does not show gone/: nothing under it is current.
    const current = await alice.send(new ListObjectsV2Command({ Bucket: bucket, Delimiter: '/' }));
    expect(current.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['dir/']);
    expect(current.Contents?.map((c) => c.Key)).toEqual(['top', 'z']);

    const inDir = await rawListing(bucket, { prefix: 'dir/', delimiter: '/' });
    expect(inDir.rows).toEqual([
      ['V', 'dir/a', dirA[1], true],
      ['V', 'dir/a', dirA[0], false],
      ['D', 'dir/b', dirBMarker, true],
      ['V', 'dir/b', dirB, false],
    ]);
    expect(inDir.prefixes).toEqual(['dir/sub/']);
    const sdkInDir = await alice.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'dir/', Delimiter: '/' }),
    );
    expect(sdkInDir.Prefix).toBe('dir/');
    expect(sdkRows(sdkInDir)).toEqual({
      versions: [
        ['V', 'dir/a', dirA[1], true],
        ['V', 'dir/a', dirA[0], false],
        ['V', 'dir/b', dirB, false],
      ],
      markers: [['D', 'dir/b', dirBMarker, true]],
    });
    expect(sdkInDir.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['dir/sub/']);

    const wholeDir = await rawListing(bucket, { prefix: 'dir/' });
    expect(wholeDir.rows).toEqual([...inDir.rows, ['V', 'dir/sub/c', sub, true]]);
    expect(wholeDir.prefixes).toEqual([]);
    expect((await rawListing(bucket, { prefix: 'gone/' })).rows).toEqual([['D', 'gone/x', goneMarker, true]]);

    // One entry per page: a common prefix is one entry, and resuming after it skips all it holds.
    const sequence: Array<Row | string> = [];
    const markers: Array<[string | undefined, string | undefined]> = [];
    let query: Record<string, string> = {};
    for (;;) {
      const res = await rawListing(bucket, { delimiter: '/', 'max-keys': '1', ...query });
      expect(res.rows.length + res.prefixes.length).toBe(1);
      sequence.push(...res.prefixes, ...res.rows);
      if (!res.isTruncated) break;
      markers.push([res.nextKeyMarker, res.nextVersionIdMarker]);
      query = { 'key-marker': res.nextKeyMarker! };
      if (res.nextVersionIdMarker !== undefined) query['version-id-marker'] = res.nextVersionIdMarker;
    }
    expect(sequence).toEqual(['dir/', 'gone/', ...rooted.rows]);
    expect(markers).toEqual([
      ['dir/', undefined],
      ['gone/', undefined],
      ['top', top[1]],
      ['top', top[0]],
    ]);
  });

  test('encoding-type=url encodes keys and markers', async () => {
    const bucket = await newBucket('encoded', 'Enabled');
    const key = 'sp ace+plus&amp/é';
    const first = await putVersion(bucket, key, '1');
    const second = await putVersion(bucket, key, '2');
    const other = await putVersion(bucket, 'zz', '1');
    const res = await rawListing(bucket, { 'encoding-type': 'url', 'max-keys': '1' });
    expect(field(res.body, 'EncodingType')).toBe('url');
    expect(res.rows).toEqual([['V', 'sp%20ace%2Bplus%26amp/%C3%A9', second, true]]);
    expect([res.nextKeyMarker, res.nextVersionIdMarker]).toEqual(['sp%20ace%2Bplus%26amp/%C3%A9', second]);
    // The client decodes the marker before sending it back.
    const rest = await alice.send(
      new ListObjectVersionsCommand({ Bucket: bucket, KeyMarker: key, VersionIdMarker: second }),
    );
    expect(sdkRows(rest).versions).toEqual([
      ['V', key, first, false],
      ['V', 'zz', other, true],
    ]);
  });
});

describe('CopyObject and UploadPartCopy from a version', () => {
  test('copies the version named; copying an older version onto its key restores it', async () => {
    const bucket = await newBucket('copy', 'Enabled');
    const v1 = (
      await alice.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'one', ContentType: 'text/one' }),
      )
    ).VersionId!;
    const v2 = (
      await alice.send(
        new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'two', ContentType: 'text/two' }),
      )
    ).VersionId!;

    const copied = await alice.send(
      new CopyObjectCommand({ Bucket: bucket, Key: 'copy', CopySource: `${bucket}/k?versionId=${v1}` }),
    );
    expect(copied.CopySourceVersionId).toBe(v1);
    expect(copied.VersionId).toMatch(VERSION_ID);
    expect(new Set([v1, v2, copied.VersionId]).size).toBe(3);
    expect(await read(bucket, 'copy')).toEqual({ body: 'one', versionId: copied.VersionId });

    // Without versionId: the latest, and the response says which that was.
    const latest = await alice.send(
      new CopyObjectCommand({ Bucket: bucket, Key: 'copy2', CopySource: `${bucket}/k` }),
    );
    expect(latest.CopySourceVersionId).toBe(v2);
    expect(await read(bucket, 'copy2')).toEqual({ body: 'two', versionId: latest.VersionId });

    // Restore: v1 copied onto k becomes a new latest version with v1's bytes and metadata.
    const restored = await alice.send(
      new CopyObjectCommand({ Bucket: bucket, Key: 'k', CopySource: `${bucket}/k?versionId=${v1}` }),
    );
    expect(restored.CopySourceVersionId).toBe(v1);
    expect(restored.VersionId).toMatch(VERSION_ID);
    const v3 = restored.VersionId!;
    expect(await read(bucket, 'k')).toEqual({ body: 'one', versionId: v3 });
    const head = await alice.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect([head.ContentType, head.VersionId]).toEqual(['text/one', v3]);
    expect((await rawListing(bucket, { prefix: 'k' })).rows).toEqual([
      ['V', 'k', v3, true],
      ['V', 'k', v2, false],
      ['V', 'k', v1, false],
    ]);
    // A plain self-copy (latest onto itself, nothing changed) is still refused.
    const self = await failure(
      alice.send(new CopyObjectCommand({ Bucket: bucket, Key: 'k', CopySource: `${bucket}/k` })),
    );
    expect(described(self)).toMatchObject({ name: 'InvalidRequest', status: 400 });
  });

  test('copy sources that are delete markers, unknown or malformed versions', async () => {
    const bucket = await newBucket('copy-bad', 'Enabled');
    const v1 = await putVersion(bucket, 'k', 'one');
    const marker = (await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }))).VersionId!;
    const copy = (source: string) =>
      failure(alice.send(new CopyObjectCommand({ Bucket: bucket, Key: 'dst', CopySource: source })));
    expect(described(await copy(`${bucket}/k?versionId=${marker}`))).toMatchObject({
      name: 'InvalidRequest',
      status: 400,
    });
    expect(described(await copy(`${bucket}/k`))).toMatchObject({ name: 'NoSuchKey', status: 404 });
    expect(described(await copy(`${bucket}/k?versionId=${UNKNOWN_ID}`))).toMatchObject({
      name: 'NoSuchVersion',
      status: 404,
    });
    expect(described(await copy(`${bucket}/k?versionId=bogus`))).toMatchObject({
      name: 'InvalidArgument',
      status: 400,
    });
    // The version under the marker can still be copied.
    const ok = await alice.send(
      new CopyObjectCommand({ Bucket: bucket, Key: 'dst', CopySource: `${bucket}/k?versionId=${v1}` }),
    );
    expect(ok.CopySourceVersionId).toBe(v1);
    await expectListing(bucket, [
      ['V', 'dst', ok.VersionId!, true],
      ['D', 'k', marker, true],
      ['V', 'k', v1, false],
    ]);
  });

  test('version ids of copies between never-versioned, suspended and enabled buckets', async () => {
    const plain = await newBucket('copy-plain');
    const suspended = await newBucket('copy-susp', 'Suspended');
    const enabled = await newBucket('copy-enabled', 'Enabled');
    await put(plain, 'p', 'plain');
    await put(suspended, 's', 'suspended');

    // From a never-versioned bucket: no source version id; into an enabled one: a new version.
    const intoEnabled = await alice.send(
      new CopyObjectCommand({ Bucket: enabled, Key: 'c', CopySource: `${plain}/p` }),
    );
    expect(intoEnabled.CopySourceVersionId).toBeUndefined();
    expect(intoEnabled.VersionId).toMatch(VERSION_ID);
    // From a suspended bucket's null version (named or not): "null"; into a suspended bucket: no VersionId.
    for (const source of [`${suspended}/s`, `${suspended}/s?versionId=null`]) {
      const res = await alice.send(
        new CopyObjectCommand({ Bucket: suspended, Key: 'c', CopySource: source }),
      );
      expect([res.CopySourceVersionId, res.VersionId]).toEqual(['null', undefined]);
    }
    const intoPlain = await alice.send(
      new CopyObjectCommand({ Bucket: plain, Key: 'c', CopySource: `${enabled}/c` }),
    );
    expect([intoPlain.CopySourceVersionId, intoPlain.VersionId]).toEqual([intoEnabled.VersionId, undefined]);
    await expectListing(suspended, [
      ['V', 'c', 'null', true],
      ['V', 's', 'null', true],
    ]);
  });

  test('UploadPartCopy honours ?versionId= and CompleteMultipartUpload returns the new VersionId', async () => {
    const bucket = await newBucket('mpu', 'Enabled');
    const v1 = await putVersion(bucket, 'src', 'first version');
    await putVersion(bucket, 'src', 'second version');
    const before = await putVersion(bucket, 'dst', 'before');

    const { UploadId } = await alice.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'dst' }));
    const part1 = await alice.send(
      new UploadPartCopyCommand({
        Bucket: bucket,
        Key: 'dst',
        UploadId,
        PartNumber: 1,
        CopySource: `${bucket}/src?versionId=${v1}`,
      }),
    );
    expect(part1.CopySourceVersionId).toBe(v1);
    const done = await alice.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'dst',
        UploadId,
        MultipartUpload: {
          Parts: [{ PartNumber: 1, ETag: part1.CopyPartResult!.ETag }],
        },
      }),
    );
    expect(done.VersionId).toMatch(VERSION_ID);
    expect(done.VersionId).not.toBe(before);
    expect(await read(bucket, 'dst')).toEqual({
      body: 'first version',
      versionId: done.VersionId,
    });
    expect(await read(bucket, 'dst', before)).toEqual({ body: 'before', versionId: before });
    expect((await rawListing(bucket, { prefix: 'dst' })).rows).toEqual([
      ['V', 'dst', done.VersionId!, true],
      ['V', 'dst', before, false],
    ]);

    // Suspended (before the upload starts): the completed upload is the null version, and no
    // VersionId is announced. A delete marker named as a part's source is refused.
    const marker = (await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'src' }))).VersionId!;
    await setVersioning(bucket, 'Suspended');
    const { UploadId: second } = await alice.send(
      new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'dst' }),
    );
    const refused = await failure(
      alice.send(
        new UploadPartCopyCommand({
          Bucket: bucket,
          Key: 'dst',
          UploadId: second,
          PartNumber: 1,
          CopySource: `${bucket}/src?versionId=${marker}`,
        }),
      ),
    );
    expect(described(refused)).toMatchObject({ name: 'InvalidRequest', status: 400 });
    const part = await alice.send(
      new UploadPartCommand({
        Bucket: bucket,
        Key: 'dst',
        UploadId: second,
        PartNumber: 1,
        Body: 'null one',
      }),
    );
    const nullDone = await alice.send(
      new CompleteMultipartUploadCommand({
        Bucket: bucket,
        Key: 'dst',
        UploadId: second,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag: part.ETag }] },
      }),
    );
    expect(nullDone.VersionId).toBeUndefined();
    expect(await read(bucket, 'dst')).toEqual({ body: 'null one', versionId: 'null' });
    expect((await rawListing(bucket, { prefix: 'dst' })).rows).toEqual([
      ['V', 'dst', 'null', true],
      ['V', 'dst', done.VersionId!, false],
      ['V', 'dst', before, false],
    ]);
  });
});

describe('DeleteObjects with VersionId', () => {
  test('Enabled: versions removed, markers created and removed, each entry says which', async () => {
    const bucket = await newBucket('multi', 'Enabled');
    const a1 = await putVersion(bucket, 'a', 'a1');
    const a2 = await putVersion(bucket, 'a', 'a2');
    const b1 = await putVersion(bucket, 'b', 'b1');

    const first = await alice.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: {
          Objects: [
            { Key: 'a', VersionId: a1 },
            { Key: 'b' },
            { Key: 'never-was' },
            { Key: 'a', VersionId: 'bogus' },
          ],
        },
      }),
    );
    const byKey = (d: { Key?: string }, e: { Key?: string }) => (d.Key! < e.Key! ? -1 : 1);
    const deleted = first.Deleted!.sort(byKey);
    expect(deleted).toHaveLength(3);
    expect(deleted[0]).toEqual({ Key: 'a', VersionId: a1 });
    expect(deleted[1]).toEqual({ Key: 'b', DeleteMarker: true, DeleteMarkerVersionId: expect.any(String) });
    expect(deleted[2]).toEqual({
      Key: 'never-was',
      DeleteMarker: true,
      DeleteMarkerVersionId: expect.any(String),
    });
    const bMarker = deleted[1].DeleteMarkerVersionId!;
    const ghostMarker = deleted[2].DeleteMarkerVersionId!;
    expect(bMarker).toMatch(VERSION_ID);
    expect(ghostMarker).toMatch(VERSION_ID);
    expect(first.Errors).toHaveLength(1);
    expect(first.Errors![0]).toMatchObject({ Key: 'a', VersionId: 'bogus' });
    expect(first.Errors![0].Code).toBeDefined();
    await expectListing(bucket, [
      ['V', 'a', a2, true],
      ['D', 'b', bMarker, true],
      ['V', 'b', b1, false],
      ['D', 'never-was', ghostMarker, true],
    ]);

    // Removing markers by id: VersionId, DeleteMarker and DeleteMarkerVersionId all name it.
    const second = await alice.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: {
          Objects: [
            { Key: 'b', VersionId: bMarker },
            { Key: 'never-was', VersionId: ghostMarker },
            { Key: 'a', VersionId: a2 },
          ],
        },
      }),
    );
    expect(second.Errors).toBeUndefined();
    expect(second.Deleted!.sort(byKey)).toEqual([
      { Key: 'a', VersionId: a2 },
      { Key: 'b', VersionId: bMarker, DeleteMarker: true, DeleteMarkerVersionId: bMarker },
      { Key: 'never-was', VersionId: ghostMarker, DeleteMarker: true, DeleteMarkerVersionId: ghostMarker },
    ]);
    await expectListing(bucket, [['V', 'b', b1, true]]);
    expect(await currentKeys(bucket)).toEqual(['b']);
  });

  test('Suspended: null delete markers, and VersionId null removes the null version or marker', async () => {
    const bucket = await newBucket('multi-susp', 'Enabled');
    const a1 = await putVersion(bucket, 'a', 'a1');
    await setVersioning(bucket, 'Suspended');
    await put(bucket, 'b', 'b-null');
    await put(bucket, 'c', 'c-null');

    const marked = await alice.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: [{ Key: 'a' }, { Key: 'b' }] } }),
    );
    expect(marked.Deleted!.sort((x, y) => (x.Key! < y.Key! ? -1 : 1))).toEqual([
      { Key: 'a', DeleteMarker: true, DeleteMarkerVersionId: 'null' },
      { Key: 'b', DeleteMarker: true, DeleteMarkerVersionId: 'null' },
    ]);
    // b's null version was replaced by the null marker.
    await expectListing(bucket, [
      ['D', 'a', 'null', true],
      ['V', 'a', a1, false],
      ['D', 'b', 'null', true],
      ['V', 'c', 'null', true],
    ]);

    const removed = await alice.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: {
          Objects: [
            { Key: 'a', VersionId: 'null' },
            { Key: 'c', VersionId: 'null' },
          ],
        },
      }),
    );
    expect(removed.Deleted!.sort((x, y) => (x.Key! < y.Key! ? -1 : 1))).toEqual([
      { Key: 'a', VersionId: 'null', DeleteMarker: true, DeleteMarkerVersionId: 'null' },
      { Key: 'c', VersionId: 'null' },
    ]);
    await expectListing(bucket, [
      ['V', 'a', a1, true],
      ['D', 'b', 'null', true],
    ]);
    expect(await read(bucket, 'a')).toEqual({ body: 'a1', versionId: a1 });
  });
});

describe('per-version tagging and ACLs', () => {
  test('Get/Put/DeleteObjectTagging and Get/PutObjectAcl address the version named', async () => {
    const bucket = await newBucket('subres', 'Enabled');
    const v1 = (
      await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'one', Tagging: 'gen=1' }))
    ).VersionId!;
    const v2 = (
      await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'two', Tagging: 'gen=2' }))
    ).VersionId!;
    const tagsOf = async (versionId?: string) => {
      const res = await alice.send(
        new GetObjectTaggingCommand({ Bucket: bucket, Key: 'k', VersionId: versionId }),
      );
      return { versionId: res.VersionId, tags: res.TagSet?.map((t) => `${t.Key}=${t.Value}`) };
    };
    expect(await tagsOf(v1)).toEqual({ versionId: v1, tags: ['gen=1'] });
    expect(await tagsOf()).toEqual({ versionId: v2, tags: ['gen=2'] });

    const putTags = await alice.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: 'k',
        VersionId: v1,
        Tagging: { TagSet: [{ Key: 'env', Value: 'old' }] },
      }),
    );
    expect(putTags.VersionId).toBe(v1);
    expect(await tagsOf(v1)).toEqual({ versionId: v1, tags: ['env=old'] });
    expect(await tagsOf(v2)).toEqual({ versionId: v2, tags: ['gen=2'] });

    const deleteTags = await alice.send(
      new DeleteObjectTaggingCommand({ Bucket: bucket, Key: 'k', VersionId: v2 }),
    );
    expect(deleteTags.VersionId).toBe(v2);
    expect(await tagsOf(v2)).toEqual({ versionId: v2, tags: [] });
    expect(await tagsOf(v1)).toEqual({ versionId: v1, tags: ['env=old'] });
    // GetObject reports the tag count of the version read.
    const got = await alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'k', VersionId: v1 }));
    await got.Body!.transformToString();
    expect(got.TagCount).toBe(1);

    // ACLs: public-read on v1 only.
    const putAcl = await alice.send(
      new PutObjectAclCommand({ Bucket: bucket, Key: 'k', VersionId: v1, ACL: 'public-read' }),
    );
    expect(putAcl.$metadata.httpStatusCode).toBe(200);
    const aclOf = async (versionId?: string) =>
      (await alice.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'k', VersionId: versionId }))).Grants
        ?.length;
    expect(await aclOf(v1)).toBe(2);
    expect(await aclOf(v2)).toBe(1);
    expect(await aclOf()).toBe(1);
    const aclHeader = await raw('GET', `/${bucket}/k`, { acl: '', versionId: v1 });
    expect([aclHeader.status, aclHeader.headers['x-amz-version-id']]).toEqual([200, v1]);

    // BOB may read v1 (public-read), not the latest version (private).
    const bob = s3.client(BOB);
    expect(await read(bucket, 'k', v1, bob)).toEqual({ body: 'one', versionId: v1 });
    const denied = await failure(read(bucket, 'k', undefined, bob));
    expect(described(denied)).toMatchObject({ name: 'AccessDenied', status: 403 });
    const deniedV2 = await failure(read(bucket, 'k', v2, bob));
    expect(described(deniedV2)).toMatchObject({ name: 'AccessDenied', status: 403 });

    // Tagging by id of a version a delete marker now hides still works.
    await alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }));
    expect(await tagsOf(v1)).toEqual({ versionId: v1, tags: ['env=old'] });
    await alice.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: 'k',
        VersionId: v2,
        Tagging: { TagSet: [{ Key: 'hidden', Value: 'yes' }] },
      }),
    );
    expect(await tagsOf(v2)).toEqual({ versionId: v2, tags: ['hidden=yes'] });
  });
});

describe('durability', () => {
  test('versions, markers, null versions, tags and the versioning state survive a restart', async () => {
    let server = await startTestS3();
    try {
      let client = server.client(ALICE);
      const bucket = 'vsdk-restart';
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'null-before' }));
      await client.send(
        new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
      );
      const v1 = (
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'one', Tagging: 't=1' }))
      ).VersionId!;
      const v2 = (await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'two' })))
        .VersionId!;
      const marker = (await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }))).VersionId!;
      await client.send(
        new PutObjectTaggingCommand({
          Bucket: bucket,
          Key: 'k',
          VersionId: v2,
          Tagging: { TagSet: [{ Key: 't', Value: '2' }] },
        }),
      );
      // Removed by id before the restart (a version, a marker): they stay removed.
      const putRm = (body: string) =>
        client.send(new PutObjectCommand({ Bucket: bucket, Key: 'rm', Body: body }));
      const rmOld = (await putRm('old')).VersionId!;
      const rmKept = (await putRm('kept')).VersionId!;
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'rm', VersionId: rmOld }));
      const rmMarker = (await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'rm' }))).VersionId!;
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'rm', VersionId: rmMarker }));
      await client.send(
        new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Suspended' } }),
      );
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'n', Body: 'suspended null' }));
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'gone' }));
      // The null version, replaced by the null marker, replaced by the null version again.
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'swap', Body: 'first null' }));
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'swap' }));
      await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'swap', Body: 'last null' }));
      const before = await client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
      const rowsBefore = sdkRows(before);
      expect(rowsBefore).toEqual({
        versions: [
          ['V', 'k', v2, false],
          ['V', 'k', v1, false],
          ['V', 'k', 'null', false],
          ['V', 'n', 'null', true],
          ['V', 'rm', rmKept, true],
          ['V', 'swap', 'null', true],
        ],
        markers: [
          ['D', 'gone', 'null', true],
          ['D', 'k', marker, true],
        ],
      });

      server = await server.restart();
      client = server.client(ALICE);
      const state = await client.send(new GetBucketVersioningCommand({ Bucket: bucket }));
      expect(state.Status).toBe('Suspended');
      const after = await client.send(new ListObjectVersionsCommand({ Bucket: bucket }));
      expect(sdkRows(after)).toEqual(rowsBefore);
      expect(after.Versions?.map((v) => [v.ETag, v.Size, v.LastModified?.getTime()])).toEqual(
        before.Versions?.map((v) => [v.ETag, v.Size, v.LastModified?.getTime()]),
      );
      const readIt = async (key: string, versionId?: string) => {
        const res = await client.send(
          new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }),
        );
        return [await res.Body!.transformToString(), res.VersionId];
      };
      expect(await readIt('k', v1)).toEqual(['one', v1]);
      expect(await readIt('k', v2)).toEqual(['two', v2]);
      expect(await readIt('k', 'null')).toEqual(['null-before', 'null']);
      expect(await readIt('n')).toEqual(['suspended null', 'null']);
      expect(await readIt('swap')).toEqual(['last null', 'null']);
      expect(await readIt('rm')).toEqual(['kept', rmKept]);
      const hidden = await failure(client.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })));
      expect(described(hidden)).toEqual({
        name: 'NoSuchKey',
        status: 404,
        deleteMarker: 'true',
        versionId: marker,
      });
      const tags = async (versionId: string) =>
        (
          await client.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'k', VersionId: versionId }))
        ).TagSet?.map((t) => `${t.Key}=${t.Value}`);
      expect(await tags(v1)).toEqual(['t=1']);
      expect(await tags(v2)).toEqual(['t=2']);

      // Writes after the restart go on top of what was loaded.
      await client.send(
        new PutBucketVersioningCommand({ Bucket: bucket, VersioningConfiguration: { Status: 'Enabled' } }),
      );
      const v3 = (await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'three' })))
        .VersionId!;
      expect(v3).toMatch(VERSION_ID);
      const latest = await client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: 'k' }));
      expect(sdkRows(latest)).toEqual({
        versions: [
          ['V', 'k', v3, true],
          ['V', 'k', v2, false],
          ['V', 'k', v1, false],
          ['V', 'k', 'null', false],
        ],
        markers: [['D', 'k', marker, false]],
      });
      expect(await readIt('k')).toEqual(['three', v3]);
    } finally {
      await server.stop();
    }
  });
});
