import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  GetBucketVersioningCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { awsCli, HAVE_AWS_CLI } from '../helpers/awscli';
import { ALICE, BOB, startTestS3, type TestS3 } from '../helpers/s3';

let s3: TestS3;
beforeAll(async () => {
  s3 = await startTestS3();
});
afterAll(() => s3.stop());

async function bucketWith(name: string, keys: string[]): Promise<void> {
  const client = s3.client(ALICE);
  await client.send(new CreateBucketCommand({ Bucket: name }));
  for (const key of keys)
    await client.send(new PutObjectCommand({ Bucket: name, Key: key, Body: Buffer.from(key) }));
}

describe('an unversioned bucket seen through the versioning API', () => {
  test('GetBucketVersioning: never configured, so no Status', async () => {
    await bucketWith('ver-state', []);
    const client = s3.client(ALICE);
    const state = await client.send(new GetBucketVersioningCommand({ Bucket: 'ver-state' }));
    expect(state.Status).toBeUndefined();
    expect(state.MFADelete).toBeUndefined();
  });

  test('ListObjectVersions lists each object as its null version, with prefixes and paging', async () => {
    await bucketWith('ver-list', ['a', 'b/1', 'b/2', 'c']);
    const client = s3.client(ALICE);
    const all = await client.send(new ListObjectVersionsCommand({ Bucket: 'ver-list' }));
    expect(all.Versions?.map((v) => [v.Key, v.VersionId, v.IsLatest, v.Size])).toEqual([
      ['a', 'null', true, 1],
      ['b/1', 'null', true, 3],
      ['b/2', 'null', true, 3],
      ['c', 'null', true, 1],
    ]);
    expect(all.Versions?.[0].Owner?.ID).toBe(ALICE.owner.id);
    expect(all.DeleteMarkers).toBeUndefined();

    const grouped = await client.send(new ListObjectVersionsCommand({ Bucket: 'ver-list', Delimiter: '/' }));
    expect(grouped.Versions?.map((v) => v.Key)).toEqual(['a', 'c']);
    expect(grouped.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['b/']);

    const seen: string[] = [];
    let keyMarker: string | undefined;
    let versionIdMarker: string | undefined;
    for (;;) {
      const page = await client.send(
        new ListObjectVersionsCommand({
          Bucket: 'ver-list',
          MaxKeys: 3,
          KeyMarker: keyMarker,
          VersionIdMarker: versionIdMarker,
        }),
      );
      seen.push(...(page.Versions ?? []).map((v) => v.Key!));
      if (!page.IsTruncated) break;
      expect(page.NextVersionIdMarker).toBe('null');
      keyMarker = page.NextKeyMarker;
      versionIdMarker = page.NextVersionIdMarker;
    }
    expect(seen).toEqual(['a', 'b/1', 'b/2', 'c']);
  });

  test('the clean-up tools do: list versions, delete them by VersionId null, and the bucket is empty', async () => {
    await bucketWith('ver-clean', ['x', 'y']);
    const client = s3.client(ALICE);
    const versions = await client.send(new ListObjectVersionsCommand({ Bucket: 'ver-clean' }));
    const deleted = await client.send(
      new DeleteObjectsCommand({
        Bucket: 'ver-clean',
        Delete: { Objects: versions.Versions!.map((v) => ({ Key: v.Key!, VersionId: v.VersionId })) },
      }),
    );
    expect(deleted.Deleted?.map((d) => d.Key).sort()).toEqual(['x', 'y']);
    expect(
      (await client.send(new ListObjectVersionsCommand({ Bucket: 'ver-clean' }))).Versions,
    ).toBeUndefined();
  });

  test('another owner may not list the versions of a private bucket', async () => {
    await bucketWith('ver-private', ['k']);
    let error: S3ServiceException | undefined;
    try {
      await s3.client(BOB).send(new ListObjectVersionsCommand({ Bucket: 'ver-private' }));
    } catch (e) {
      error = e as S3ServiceException;
    }
    expect(error?.name).toBe('AccessDenied');
  });
});

const withAwsCli = HAVE_AWS_CLI ? test : test.skip;

describe('awscli list-object-versions', () => {
  withAwsCli('awscli reads the listing (it asks for encoding-type=url and decodes keys)', async () => {
    await bucketWith('ver-cli', ['plus+key', 'space key']);
    const home = mkdtempSync(path.join(tmpdir(), 'apigw-versions-cli-'));
    try {
      const stdout = await awsCli(s3.url, home, { user: ALICE }, [
        's3api',
        'list-object-versions',
        '--bucket',
        'ver-cli',
      ]);
      const listing = JSON.parse(stdout) as { Versions: Array<{ Key: string; VersionId: string }> };
      expect(listing.Versions.map((v) => [v.Key, v.VersionId])).toEqual([
        ['plus+key', 'null'],
        ['space key', 'null'],
      ]);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});
