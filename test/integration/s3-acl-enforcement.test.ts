import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectsCommand,
  DeleteObjectCommand,
  GetBucketAclCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsCommand,
  ListObjectsV2Command,
  PutBucketAclCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
  S3ServiceException,
  type BucketCannedACL,
  type ObjectCannedACL,
} from '@aws-sdk/client-s3';
import { accountIdFor } from '../../lib/accounts';
import { loadPrincipals, type Principal } from '../../gateway/auth/credentials';
import { awsCli, awsCliError, HAVE_AWS_CLI, type AwsCliCaller } from '../helpers/awscli';
import { startTestS3, type TestS3 } from '../helpers/s3';

// Three owners, as a deployment defines them: one credentials-file profile each.
const home = mkdtempSync(path.join(tmpdir(), 'apigw-acl-'));
const credentialsFile = path.join(home, 'credentials');
writeFileSync(
  credentialsFile,
  ['alice', 'bob', 'carol']
    .map(
      (p) =>
        `[${p}]\naws_access_key_id = AKIA${p.toUpperCase().padEnd(16, 'Q')}\n` +
        `aws_secret_access_key = ${p}/secret+0123456789abcdefghijklmnopq\n`,
    )
    .join('\n'),
);
const { principals } = loadPrincipals(credentialsFile, {});
const [ALICE, BOB, CAROL] = ['alice', 'bob', 'carol'].map(
  (p) => principals.find((u) => u.profile === p) as Principal,
);

let s3: TestS3;
let alice: S3Client;
let bob: S3Client;
let carol: S3Client;
beforeAll(async () => {
  s3 = await startTestS3({ users: principals });
  alice = s3.client(ALICE);
  bob = s3.client(BOB);
  carol = s3.client(CAROL);
});
afterAll(() => s3.stop());

let n = 0;
const bucketName = () => `acl-enf-${process.pid}-${++n}`;

/** Resolves to 'ok' or to the error's code, so that a whole matrix compares in one expectation. */
async function outcome(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    // HEAD errors have no body, so the SDK knows only their status.
    if (e instanceof S3ServiceException)
      return e.name === 'Unknown' ? String(e.$metadata.httpStatusCode) : e.name;
    throw e;
  }
}

/** An unsigned request, as a browser or curl without credentials sends it. */
async function anon(
  method: string,
  pathAndQuery: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  const res = await fetch(`${s3.url}${pathAndQuery}`, { method, body });
  return { status: res.status, text: await res.text() };
}

async function anonOutcome(method: string, pathAndQuery: string, body?: string): Promise<string> {
  const { status, text } = await anon(method, pathAndQuery, body);
  if (status < 300) return 'ok';
  return /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? String(status);
}

describe('owners', () => {
  test('ListBuckets shows each owner only its buckets, with itself as Owner; anonymous is refused', async () => {
    const [a, b] = [bucketName(), bucketName()];
    await alice.send(new CreateBucketCommand({ Bucket: a }));
    await bob.send(new CreateBucketCommand({ Bucket: b }));
    const mine = await alice.send(new ListBucketsCommand({}));
    expect(mine.Owner).toEqual({ ID: ALICE.owner.id, DisplayName: 'alice' });
    expect(mine.Buckets!.map((x) => x.Name)).toContain(a);
    expect(mine.Buckets!.map((x) => x.Name)).not.toContain(b);
    const carols = await carol.send(new ListBucketsCommand({}));
    expect(carols.Buckets ?? []).toEqual([]);
    expect(await anonOutcome('GET', '/')).toBe('AccessDenied');
    expect(await anonOutcome('PUT', `/${bucketName()}`)).toBe('AccessDenied');
  });
});

describe('canned bucket ACLs', () => {
  const cases: Array<[BucketCannedACL, { bobRead: boolean; anonRead: boolean; write: boolean }]> = [
    ['private', { bobRead: false, anonRead: false, write: false }],
    ['public-read', { bobRead: true, anonRead: true, write: false }],
    ['public-read-write', { bobRead: true, anonRead: true, write: true }],
    ['authenticated-read', { bobRead: true, anonRead: false, write: false }],
  ];
  test.each(cases)('%s: list = READ, put/delete = WRITE, ACLs only for the owner', async (acl, expected) => {
    const bucket = bucketName();
    await alice.send(new CreateBucketCommand({ Bucket: bucket, ACL: acl }));
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'v' }));
    const read = (ok: boolean) => (ok ? 'ok' : 'AccessDenied');
    expect({
      ownerList: await outcome(alice.send(new ListObjectsV2Command({ Bucket: bucket }))),
      bobList: await outcome(bob.send(new ListObjectsV2Command({ Bucket: bucket }))),
      bobHead: await outcome(bob.send(new HeadBucketCommand({ Bucket: bucket }))),
      anonList: await anonOutcome('GET', `/${bucket}?list-type=2`),
      bobPut: await outcome(bob.send(new PutObjectCommand({ Bucket: bucket, Key: 'b', Body: 'b' }))),
      anonPut: await anonOutcome('PUT', `/${bucket}/anon`, 'a'),
      bobDelete: await outcome(bob.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'k' }))),
      bobGetAcl: await outcome(bob.send(new GetBucketAclCommand({ Bucket: bucket }))),
      bobPutAcl: await outcome(
        bob.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'public-read-write' })),
      ),
      anonGetAcl: await anonOutcome('GET', `/${bucket}?acl`),
    }).toEqual({
      ownerList: 'ok',
      bobList: read(expected.bobRead),
      bobHead: expected.bobRead ? 'ok' : '403',
      anonList: read(expected.anonRead),
      bobPut: read(expected.write),
      anonPut: read(expected.write),
      bobDelete: read(expected.write),
      bobGetAcl: 'AccessDenied',
      bobPutAcl: 'AccessDenied',
      anonGetAcl: 'AccessDenied',
    });
    // The object written by bob (or anonymously) into a public-read-write bucket belongs to its uploader.
    if (expected.write) {
      const listing = await alice.send(new ListObjectsCommand({ Bucket: bucket }));
      const owners = Object.fromEntries(listing.Contents!.map((c) => [c.Key, c.Owner?.DisplayName]));
      expect(owners).toEqual({ anon: 'alice', b: 'bob' });
    }
  });
});

describe('canned object ACLs', () => {
  const cases: Array<[ObjectCannedACL, { bob: boolean; anon: boolean }]> = [
    ['private', { bob: false, anon: false }],
    ['public-read', { bob: true, anon: true }],
    ['public-read-write', { bob: true, anon: true }],
    ['authenticated-read', { bob: true, anon: false }],
    // alice owns both bucket and object, so these add nothing to her FULL_CONTROL.
    ['bucket-owner-read', { bob: false, anon: false }],
    ['bucket-owner-full-control', { bob: false, anon: false }],
  ];
  test.each(cases)('%s: get/head = READ on the object, ACLs only for the owner', async (acl, expected) => {
    const bucket = bucketName();
    await alice.send(new CreateBucketCommand({ Bucket: bucket }));
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'v', ACL: acl }));
    const read = (ok: boolean) => (ok ? 'ok' : 'AccessDenied');
    expect({
      owner: await outcome(alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }))),
      bobGet: await outcome(bob.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' }))),
      bobHead: await outcome(bob.send(new HeadObjectCommand({ Bucket: bucket, Key: 'k' }))),
      anonGet: await anonOutcome('GET', `/${bucket}/k`),
      anonHead: await anonOutcome('HEAD', `/${bucket}/k`),
      bobGetAcl: await outcome(bob.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'k' }))),
      bobPutAcl: await outcome(
        bob.send(new PutObjectAclCommand({ Bucket: bucket, Key: 'k', ACL: 'private' })),
      ),
      // Object ACLs never grant writing: that is the bucket's WRITE.
      bobOverwrite: await outcome(bob.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'x' }))),
    }).toEqual({
      owner: 'ok',
      bobGet: read(expected.bob),
      bobHead: expected.bob ? 'ok' : '403',
      anonGet: read(expected.anon),
      anonHead: expected.anon ? 'ok' : '403',
      bobGetAcl: 'AccessDenied',
      bobPutAcl: 'AccessDenied',
      bobOverwrite: 'AccessDenied',
    });
    if (expected.anon) expect((await anon('GET', `/${bucket}/k`)).text).toBe('v');
  });

  test('bucket-owner-read / bucket-owner-full-control on an object another owner uploads', async () => {
    const bucket = bucketName();
    await alice.send(
      new CreateBucketCommand({
        Bucket: bucket,
        GrantWrite: `id="${BOB.owner.id}"`,
        GrantFullControl: `id="${ALICE.owner.id}"`,
      }),
    );
    await bob.send(new PutObjectCommand({ Bucket: bucket, Key: 'mine', Body: 'b' }));
    await bob.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'read', Body: 'b', ACL: 'bucket-owner-read' }),
    );
    await bob.send(
      new PutObjectCommand({ Bucket: bucket, Key: 'full', Body: 'b', ACL: 'bucket-owner-full-control' }),
    );
    const get = (key: string) => outcome(alice.send(new GetObjectCommand({ Bucket: bucket, Key: key })));
    const putAcl = (key: string) =>
      outcome(
        alice.send(new PutObjectAclCommand({ Bucket: bucket, Key: key, ACL: 'bucket-owner-full-control' })),
      );
    expect([await get('mine'), await get('read'), await get('full')]).toEqual(['AccessDenied', 'ok', 'ok']);
    expect([await putAcl('mine'), await putAcl('read'), await putAcl('full')]).toEqual([
      'AccessDenied',
      'AccessDenied',
      'ok',
    ]);
    const acl = await bob.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'read' }));
    expect(acl.Owner).toEqual({ ID: BOB.owner.id, DisplayName: 'bob' });
    expect(acl.Grants).toEqual([
      {
        Grantee: { Type: 'CanonicalUser', ID: BOB.owner.id, DisplayName: 'bob' },
        Permission: 'FULL_CONTROL',
      },
      { Grantee: { Type: 'CanonicalUser', ID: ALICE.owner.id, DisplayName: 'alice' }, Permission: 'READ' },
    ]);
    // The bucket owner may still delete what others put in its bucket: that is WRITE on the bucket.
    expect(await outcome(alice.send(new DeleteObjectCommand({ Bucket: bucket, Key: 'mine' })))).toBe('ok');
  });
});

describe('explicit grants', () => {
  test('x-amz-grant-* by id, emailAddress and uri are enforced per permission', async () => {
    const bucket = bucketName();
    await alice.send(new CreateBucketCommand({ Bucket: bucket }));
    await alice.send(
      new PutBucketAclCommand({
        Bucket: bucket,
        GrantRead: `id="${BOB.owner.id}"`,
        GrantWrite: 'emailAddress="carol@example.com"',
        GrantReadACP: 'uri="http://acs.amazonaws.com/groups/global/AuthenticatedUsers"',
        GrantWriteACP: `id="${CAROL.owner.id}"`,
        GrantFullControl: `id="${ALICE.owner.id}"`,
      }),
    );
    expect({
      bobList: await outcome(bob.send(new ListObjectsV2Command({ Bucket: bucket }))),
      carolList: await outcome(carol.send(new ListObjectsV2Command({ Bucket: bucket }))),
      bobPut: await outcome(bob.send(new PutObjectCommand({ Bucket: bucket, Key: 'b', Body: 'b' }))),
      carolPut: await outcome(carol.send(new PutObjectCommand({ Bucket: bucket, Key: 'c', Body: 'c' }))),
      bobGetAcl: await outcome(bob.send(new GetBucketAclCommand({ Bucket: bucket }))),
      anonGetAcl: await anonOutcome('GET', `/${bucket}?acl`),
      bobPutAcl: await outcome(bob.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'private' }))),
    }).toEqual({
      bobList: 'ok',
      carolList: 'AccessDenied',
      bobPut: 'AccessDenied',
      carolPut: 'ok',
      bobGetAcl: 'ok',
      anonGetAcl: 'AccessDenied',
      bobPutAcl: 'AccessDenied',
    });
    // carol holds WRITE_ACP: she may replace the ACL, here with public-read (owned by alice still).
    await carol.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'public-read' }));
    const acl = await alice.send(new GetBucketAclCommand({ Bucket: bucket }));
    expect(acl.Owner?.ID).toBe(ALICE.owner.id);
    expect(acl.Grants!.map((g) => [g.Grantee?.URI ?? g.Grantee?.DisplayName, g.Permission])).toEqual([
      ['http://acs.amazonaws.com/groups/global/AllUsers', 'READ'],
      ['alice', 'FULL_CONTROL'],
    ]);
    expect(await anonOutcome('GET', `/${bucket}`)).toBe('ok');
  });

  test('an AccessControlPolicy body grants; an empty one leaves the owner only its ACL', async () => {
    const bucket = bucketName();
    await alice.send(new CreateBucketCommand({ Bucket: bucket }));
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'k', Body: 'v' }));
    await alice.send(
      new PutObjectAclCommand({
        Bucket: bucket,
        Key: 'k',
        AccessControlPolicy: {
          Owner: { ID: ALICE.owner.id },
          Grants: [
            {
              Grantee: { Type: 'AmazonCustomerByEmail', EmailAddress: 'bob@example.com' },
              Permission: 'FULL_CONTROL',
            },
          ],
        },
      }),
    );
    expect(await outcome(bob.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })))).toBe('ok');
    expect(await outcome(bob.send(new GetObjectAclCommand({ Bucket: bucket, Key: 'k' })))).toBe('ok');
    expect(await outcome(carol.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })))).toBe(
      'AccessDenied',
    );
    // alice granted herself nothing: reading is gone, but READ_ACP/WRITE_ACP stay hers.
    expect(await outcome(alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'k' })))).toBe(
      'AccessDenied',
    );
    // s3-tests' test_bucket_acl_no_grants: without bucket grants the owner cannot write, but still
    // reads its objects (their own ACLs) and reads and rewrites the bucket's ACL.
    await alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'own', Body: 'o' }));
    await alice.send(
      new PutBucketAclCommand({
        Bucket: bucket,
        AccessControlPolicy: { Owner: { ID: ALICE.owner.id }, Grants: [] },
      }),
    );
    expect(await outcome(alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'own' })))).toBe('ok');
    expect(await outcome(alice.send(new PutObjectCommand({ Bucket: bucket, Key: 'baz', Body: 'a' })))).toBe(
      'AccessDenied',
    );
    expect((await alice.send(new GetBucketAclCommand({ Bucket: bucket }))).Grants ?? []).toEqual([]);
    await alice.send(new PutBucketAclCommand({ Bucket: bucket, ACL: 'private' }));
    expect(await outcome(alice.send(new ListObjectsV2Command({ Bucket: bucket })))).toBe('ok');
  });

  test('unknown grantees: id → InvalidArgument, e-mail → UnresolvableGrantByEmailAddress', async () => {
    const bucket = bucketName();
    await alice.send(new CreateBucketCommand({ Bucket: bucket }));
    const grant = (GrantRead: string) =>
      outcome(alice.send(new PutBucketAclCommand({ Bucket: bucket, GrantRead })));
    expect(await grant(`id="${'0'.repeat(64)}"`)).toBe('InvalidArgument');
    expect(await grant('emailAddress="nobody@example.com"')).toBe('UnresolvableGrantByEmailAddress');
  });
});

describe('copies, batch deletes and multipart uploads', () => {
  test('CopyObject needs READ on the source object and WRITE on the target bucket; the copier owns the copy', async () => {
    const source = bucketName();
    const target = bucketName();
    await alice.send(new CreateBucketCommand({ Bucket: source }));
    await alice.send(new PutObjectCommand({ Bucket: source, Key: 'open', Body: 'o', ACL: 'public-read' }));
    await alice.send(new PutObjectCommand({ Bucket: source, Key: 'closed', Body: 'c' }));
    await bob.send(new CreateBucketCommand({ Bucket: target }));
    const copy = (client: S3Client, key: string) =>
      outcome(
        client.send(new CopyObjectCommand({ Bucket: target, Key: key, CopySource: `${source}/${key}` })),
      );
    expect([await copy(bob, 'open'), await copy(bob, 'closed'), await copy(alice, 'open')]).toEqual([
      'ok',
      'AccessDenied',
      'AccessDenied',
    ]);
    const acl = await bob.send(new GetObjectAclCommand({ Bucket: target, Key: 'open' }));
    expect(acl.Owner?.DisplayName).toBe('bob');
  });

  test('DeleteObjects and multipart uploads need WRITE on the bucket', async () => {
    const closed = bucketName();
    const shared = bucketName();
    await alice.send(new CreateBucketCommand({ Bucket: closed }));
    await alice.send(new CreateBucketCommand({ Bucket: shared, ACL: 'public-read-write' }));
    for (const Bucket of [closed, shared])
      await alice.send(new PutObjectCommand({ Bucket, Key: 'k', Body: 'v' }));
    const del = (Bucket: string) =>
      outcome(bob.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: [{ Key: 'k' }] } })));
    expect([await del(closed), await del(shared)]).toEqual(['AccessDenied', 'ok']);
    const start = (Bucket: string) => bob.send(new CreateMultipartUploadCommand({ Bucket, Key: 'mp' }));
    expect(await outcome(start(closed))).toBe('AccessDenied');
    const { UploadId } = await start(shared);
    const { ETag } = await bob.send(
      new UploadPartCommand({ Bucket: shared, Key: 'mp', UploadId, PartNumber: 1, Body: 'part' }),
    );
    await bob.send(
      new CompleteMultipartUploadCommand({
        Bucket: shared,
        Key: 'mp',
        UploadId,
        MultipartUpload: { Parts: [{ PartNumber: 1, ETag }] },
      }),
    );
    const listing = await alice.send(new ListObjectsV2Command({ Bucket: shared, FetchOwner: true }));
    expect(listing.Contents!.map((c) => [c.Key, c.Owner?.DisplayName])).toEqual([['mp', 'bob']]);
    // bob's object is private to bob, even in alice's bucket.
    expect(await outcome(alice.send(new GetObjectCommand({ Bucket: shared, Key: 'mp' })))).toBe(
      'AccessDenied',
    );
  });
});

describe('anonymous and expected owners', () => {
  test('a missing bucket is 404 to anyone; a missing key 404 only to who may list', async () => {
    expect(await anonOutcome('GET', `/missing-${process.pid}/k`)).toBe('NoSuchBucket');
    const open = bucketName();
    const closed = bucketName();
    await alice.send(new CreateBucketCommand({ Bucket: open, ACL: 'public-read' }));
    await alice.send(new CreateBucketCommand({ Bucket: closed }));
    expect(await anonOutcome('GET', `/${open}/nope`)).toBe('NoSuchKey');
    expect(await anonOutcome('GET', `/${closed}/nope`)).toBe('AccessDenied');
    expect(await outcome(bob.send(new GetObjectCommand({ Bucket: closed, Key: 'nope' })))).toBe(
      'AccessDenied',
    );
  });

  test('x-amz-expected-bucket-owner: canonical id or derived account id, else AccessDenied', async () => {
    const bucket = bucketName();
    await alice.send(new CreateBucketCommand({ Bucket: bucket, ACL: 'public-read' }));
    const list = (ExpectedBucketOwner: string) =>
      outcome(bob.send(new ListObjectsV2Command({ Bucket: bucket, ExpectedBucketOwner })));
    expect(await list(accountIdFor(ALICE.owner.id))).toBe('ok');
    expect(await list(ALICE.owner.id)).toBe('ok');
    expect(await list(accountIdFor(BOB.owner.id))).toBe('AccessDenied');
    expect(
      await outcome(
        alice.send(new GetBucketAclCommand({ Bucket: bucket, ExpectedBucketOwner: '111122223333' })),
      ),
    ).toBe('AccessDenied');
  });
});

const describeWithAws = HAVE_AWS_CLI ? describe : describe.skip;

describeWithAws('AWS CLI with the same credentials file', () => {
  const as = (profile: string | undefined): AwsCliCaller =>
    profile === undefined ? 'anonymous' : { credentialsFile, profile };
  const aws = (profile: string | undefined, ...args: string[]) => awsCli(s3.url, home, as(profile), args);
  const awsError = (profile: string | undefined, ...args: string[]) =>
    awsCliError(s3.url, home, as(profile), args);

  test('grants set with put-bucket-acl open the bucket to that profile only; --no-sign-request by ACL', async () => {
    const bucket = bucketName();
    await aws('alice', 's3api', 'create-bucket', '--bucket', bucket);
    await aws('alice', 's3api', 'put-object', '--bucket', bucket, '--key', 'k', '--acl', 'public-read');
    expect(await awsError('bob', 's3api', 'list-objects-v2', '--bucket', bucket)).toContain('AccessDenied');
    await aws('alice', 's3api', 'put-bucket-acl', '--bucket', bucket, '--grant-read', `id=${BOB.owner.id}`);
    expect(
      JSON.parse(await aws('bob', 's3api', 'list-objects-v2', '--bucket', bucket)).Contents,
    ).toHaveLength(1);
    expect(await awsError('carol', 's3api', 'list-objects-v2', '--bucket', bucket)).toContain('AccessDenied');
    expect(
      JSON.parse(await aws(undefined, 's3api', 'head-object', '--bucket', bucket, '--key', 'k'))
        .ContentLength,
    ).toBe(0);
    expect(await awsError(undefined, 's3api', 'list-objects-v2', '--bucket', bucket)).toContain(
      'AccessDenied',
    );
    // An anonymous upload is allowed exactly where AllUsers holds WRITE.
    const upload = path.join(home, 'upload.txt');
    writeFileSync(upload, 'from nobody');
    const put = ['s3api', 'put-object', '--bucket', bucket, '--key', 'anon', '--body', upload];
    expect(await awsError(undefined, ...put)).toContain('AccessDenied');
    await aws('alice', 's3api', 'put-bucket-acl', '--bucket', bucket, '--acl', 'public-read-write');
    await aws(undefined, ...put);
    expect(
      JSON.parse(await aws('alice', 's3api', 'head-object', '--bucket', bucket, '--key', 'anon'))
        .ContentLength,
    ).toBe(11);
    // READ on the bucket is not READ_ACP on its objects.
    expect(await awsError('bob', 's3api', 'get-object-acl', '--bucket', bucket, '--key', 'k')).toContain(
      'AccessDenied',
    );
  });
});
