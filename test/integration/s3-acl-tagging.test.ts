import { readdirSync } from 'node:fs';
import path from 'node:path';
import {
  CreateBucketCommand,
  DeleteObjectTaggingCommand,
  GetBucketAclCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadObjectCommand,
  PutBucketAclCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ALICE, BOB, startTestS3, type TestS3, failure } from '../helpers/s3';

let s3: TestS3;
let alice: S3Client;
let bucket: string;
const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';

beforeAll(async () => {
  s3 = await startTestS3();
  alice = s3.client(ALICE);
  bucket = `acl-${process.pid}`;
  await alice.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(() => s3.stop());

const owner = { ID: ALICE.owner.id, DisplayName: 'alice' };
const ownerFull = { Grantee: { ...owner, Type: 'CanonicalUser' }, Permission: 'FULL_CONTROL' };

describe('object ACLs', () => {
  test('private by default; x-amz-acl on PUT is stored; groups first, owner last', async () => {
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'private', Body: 'p' }));
    const priv = await alice.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'private' }));
    expect(priv.Owner).toEqual(owner);
    expect(priv.Grants).toEqual([ownerFull]);
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'public', Body: 'p', ACL: 'public-read' }));
    const pub = await alice.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'public' }));
    expect(pub.Grants).toEqual([
      { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' },
      ownerFull,
    ]);
  });

  test('PutObjectAcl with a canned ACL, grant headers or a policy document; survives a restart', async () => {
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'o', Body: 'data that stays' }));
    await alice.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'o', ACL: 'public-read-write' }));
    expect((await alice.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'o' }))).Grants).toHaveLength(3);
    await alice.send(
      new PutObjectAclCommand({
        Bucket: bucket,
        Key: 'o',
        GrantRead: `id="${BOB.owner.id}"`,
        GrantFullControl: `emailAddress="alice@example.com"`,
      }),
    );
    expect((await alice.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'o' }))).Grants).toEqual([
      { Grantee: { Type: 'CanonicalUser', ID: BOB.owner.id, DisplayName: 'bob' }, Permission: 'READ' },
      ownerFull,
    ]);
    await alice.send(
      new PutObjectAclCommand({
        Bucket: bucket,
        Key: 'o',
        AccessControlPolicy: {
          Owner: owner,
          Grants: [
            { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ_ACP' },
            { Grantee: { Type: 'CanonicalUser', ID: ALICE.owner.id }, Permission: 'FULL_CONTROL' },
          ],
        },
      }),
    );
    const expected = [{ Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ_ACP' }, ownerFull];
    expect((await alice.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'o' }))).Grants).toEqual(
      expected,
    );
    // The bytes are untouched, and the change is durable.
    const got = await alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'o' }));
    expect(await got.Body!.transformToString()).toBe('data that stays');
    s3 = await s3.restart();
    alice = s3.client(ALICE);
    expect((await alice.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'o' }))).Grants).toEqual(
      expected,
    );
  });

  test('an overwrite replaces the ACL; unknown users, e-mails and canned names are refused', async () => {
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'w', Body: '1', ACL: 'public-read' }));
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'w', Body: '2' }));
    expect((await alice.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'w' }))).Grants).toEqual([
      ownerFull,
    ]);
    const unknownId = await failure(
      alice.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'w', GrantRead: 'id="0123"' })),
    );
    expect(unknownId.name).toBe('InvalidArgument');
    const unknownEmail = await failure(
      alice.send(
        new PutObjectAclCommand({ Bucket: bucket, Key: 'w', GrantRead: 'emailAddress="nobody@x.y"' }),
      ),
    );
    expect(unknownEmail.name).toBe('UnresolvableGrantByEmailAddress');
    const canned = await failure(
      alice.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'w', ACL: 'public-ready' as 'private' })),
    );
    expect([canned.name, canned.$metadata.httpStatusCode]).toEqual(['InvalidArgument', 400]);
    const missing = await failure(alice.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'absent' })));
    expect(missing.name).toBe('NoSuchKey');
  });
});

describe('bucket ACLs', () => {
  test('GetBucketAcl / PutBucketAcl store what they are given', async () => {
    const b = `bacl-${process.pid}`;
    await alice.send(new CreateBucketCommand({ Bucket: b }));
    expect((await alice.send(new GetBucketAclCommand({ Bucket: b }))).Grants).toEqual([ownerFull]);
    const created = `bacl-created-${process.pid}`;
    await alice.send(new CreateBucketCommand({ Bucket: created, ACL: 'public-read' }));
    expect((await alice.send(new GetBucketAclCommand({ Bucket: created }))).Grants).toEqual([
      { Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' },
      ownerFull,
    ]);
    await alice.send(new PutBucketAclCommand({ Bucket: b, ACL: 'authenticated-read' }));
    expect((await alice.send(new GetBucketAclCommand({ Bucket: b }))).Grants).toEqual([
      {
        Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers' },
        Permission: 'READ',
      },
      ownerFull,
    ]);
  });
});

describe('object tagging', () => {
  test('x-amz-tagging on PUT; Get/Put/DeleteObjectTagging; x-amz-tagging-count on GET and HEAD', async () => {
    await alice.send(
      new PutObjectCommand({ Bucket: bucket, Key: 't', Body: 'tagged', Tagging: 'project=apigw&empty=' }),
    );
    expect((await alice.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 't' }))).TagSet).toEqual([
      { Key: 'project', Value: 'apigw' },
      { Key: 'empty', Value: '' },
    ]);
    await alice.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: 't',
        Tagging: { TagSet: [{ Key: 'a&b', Value: 'ünï <c>' }] },
      }),
    );
    expect((await alice.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 't' }))).TagSet).toEqual([
      { Key: 'a&b', Value: 'ünï <c>' },
    ]);
    expect((await alice.send(new HeadObjectCommand({ Bucket: bucket, Key: 't' }))).TagCount).toBe(1);
    const got = await alice.send(new GetObjectCommand({ Bucket: bucket, Key: 't' }));
    expect(got.TagCount).toBe(1);
    expect(await got.Body!.transformToString()).toBe('tagged');
    const deleted = await alice.send(new DeleteObjectTaggingCommand({ Bucket: bucket, Key: 't' }));
    expect(deleted.$metadata.httpStatusCode).toBe(204);
    expect((await alice.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 't' }))).TagSet).toEqual([]);
    expect((await alice.send(new HeadObjectCommand({ Bucket: bucket, Key: 't' }))).TagCount).toBeUndefined();
  });

  test('invalid tag sets are InvalidTag and change nothing', async () => {
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'limits', Body: 'x', Tagging: 'keep=1' }));
    const tooMany = Array.from({ length: 11 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const bad = [
      tooMany,
      [{ Key: 'x'.repeat(129), Value: 'v' }],
      [{ Key: 'k', Value: 'v'.repeat(257) }],
      [
        { Key: 'dup', Value: '1' },
        { Key: 'dup', Value: '2' },
      ],
    ];
    for (const TagSet of bad) {
      const err = await failure(
        alice.send(new PutObjectTaggingCommand({ Bucket: bucket, Key: 'limits', Tagging: { TagSet } })),
      );
      expect([err.name, err.$metadata.httpStatusCode]).toEqual(['InvalidTag', 400]);
    }
    expect((await alice.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'limits' }))).TagSet).toEqual(
      [{ Key: 'keep', Value: '1' }],
    );
    const onPut = await failure(
      alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'limits', Body: 'y', Tagging: 'a=1&a=2' })),
    );
    expect(onPut.name).toBe('InvalidTag');
    const missing = await failure(alice.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'absent' })));
    expect(missing.name).toBe('NoSuchKey');
  });

  test('ACL and tag changes live beside the object file and go with it', async () => {
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'side', Body: 'x' }));
    await alice.send(
      new PutObjectTaggingCommand({
        Bucket: bucket,
        Key: 'side',
        Tagging: { TagSet: [{ Key: 'a', Value: 'b' }] },
      }),
    );
    const objects = path.join(s3.dataDir, 's3', 'buckets', bucket, 'objects');
    const sidecars = () =>
      readdirSync(objects).flatMap((fan) =>
        readdirSync(path.join(objects, fan)).filter((f) => f.endsWith('.sub')),
      );
    const before = sidecars().length;
    expect(before).toBeGreaterThan(0);
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'side', Body: 'overwritten' }));
    expect(sidecars().length).toBe(before - 1);
    expect((await alice.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: 'side' }))).TagSet).toEqual(
      [],
    );
  });
});
