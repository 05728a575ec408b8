import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AWS_CLI, awsCli, awsCliError, HAVE_AWS_CLI } from '../helpers/awscli';
import { ALICE, startTestS3, type TestS3 } from '../helpers/s3';

const describeWithAws = HAVE_AWS_CLI ? describe : describe.skip;
if (!HAVE_AWS_CLI) console.warn(`skipping the AWS CLI tests: ${AWS_CLI} is missing (apt-get install awscli)`);

let s3: TestS3;
let home: string;
beforeAll(async () => {
  s3 = await startTestS3();
  home = mkdtempSync(path.join(tmpdir(), 'apigw-awscli-'));
});
afterAll(() => s3?.stop());

/** Runs the AWS CLI against the embedded S3 as alice. */
const aws = (...args: string[]) => awsCli(s3.url, home, { user: ALICE }, args);

const awsFails = (...args: string[]) => awsCliError(s3.url, home, { user: ALICE }, args);

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
let n = 0;
const bucketName = () => `cli-${process.pid}-${++n}`;

describeWithAws('AWS CLI (Debian awscli) against the embedded S3', () => {
  test('mb, ls, cp both ways, rm, rb', async () => {
    const bucket = bucketName();
    expect(await aws('s3', 'mb', `s3://${bucket}`)).toContain(`make_bucket: ${bucket}`);
    expect(await aws('s3', 'ls')).toContain(bucket);

    const dir = mkdtempSync(path.join(tmpdir(), 'apigw-cli-files-'));
    const local = path.join(dir, 'photo one.bin');
    const data = Buffer.from(Array.from({ length: 3 * 1024 * 1024 + 17 }, (_, i) => (i * 31) % 251));
    writeFileSync(local, data);
    await aws('s3', 'cp', local, `s3://${bucket}/albums/2026/photo one.bin`);
    await aws('s3', 'cp', local, `s3://${bucket}/albums/plus+sign ü.bin`);

    const listing = await aws('s3', 'ls', `s3://${bucket}/albums/`);
    expect(listing).toContain('PRE 2026/');
    expect(listing).toContain('plus+sign ü.bin');
    const recursive = await aws('s3', 'ls', '--recursive', `s3://${bucket}`);
    expect(recursive).toContain('albums/2026/photo one.bin');
    expect(recursive).toContain(String(data.length));

    const back = path.join(dir, 'back.bin');
    await aws('s3', 'cp', `s3://${bucket}/albums/plus+sign ü.bin`, back);
    expect(md5(readFileSync(back))).toBe(md5(data));

    expect(await awsFails('s3', 'rb', `s3://${bucket}`)).toContain('BucketNotEmpty');
    await aws('s3', 'rm', `s3://${bucket}/albums/2026/photo one.bin`);
    await aws('s3', 'rm', '--recursive', `s3://${bucket}/albums/`);
    expect(await aws('s3', 'ls', '--recursive', `s3://${bucket}`)).toBe('');
    await aws('s3', 'rb', `s3://${bucket}`);
    expect(await aws('s3', 'ls')).not.toContain(bucket);
  });

  test('s3api put/get/head-object and list-objects (v1, v2)', async () => {
    const bucket = bucketName();
    await aws('s3api', 'create-bucket', '--bucket', bucket);
    const dir = mkdtempSync(path.join(tmpdir(), 'apigw-cli-api-'));
    const body = path.join(dir, 'body.txt');
    writeFileSync(body, 'hello from awscli');
    const put = JSON.parse(
      await aws(
        's3api',
        'put-object',
        '--bucket',
        bucket,
        '--key',
        'docs/a b.txt',
        '--body',
        body,
        '--content-type',
        'text/plain',
        '--metadata',
        'color=blue',
      ),
    );
    expect(put.ETag).toBe(`"${md5(Buffer.from('hello from awscli'))}"`);

    const head = JSON.parse(await aws('s3api', 'head-object', '--bucket', bucket, '--key', 'docs/a b.txt'));
    expect(head).toMatchObject({
      ContentLength: 17,
      ContentType: 'text/plain',
      Metadata: { color: 'blue' },
      ETag: put.ETag,
    });

    const out = path.join(dir, 'out.txt');
    const got = JSON.parse(
      await aws(
        's3api',
        'get-object',
        '--bucket',
        bucket,
        '--key',
        'docs/a b.txt',
        '--range',
        'bytes=6-9',
        out,
      ),
    );
    expect(got.ContentRange).toBe('bytes 6-9/17');
    expect(readFileSync(out, 'utf8')).toBe('from');

    await aws('s3api', 'put-object', '--bucket', bucket, '--key', 'docs/c+d.txt', '--body', body);
    await aws('s3api', 'put-object', '--bucket', bucket, '--key', 'top.txt', '--body', body);

    const v1 = JSON.parse(await aws('s3api', 'list-objects', '--bucket', bucket, '--delimiter', '/'));
    expect(v1.Contents.map((c: { Key: string }) => c.Key)).toEqual(['top.txt']);
    expect(v1.CommonPrefixes).toEqual([{ Prefix: 'docs/' }]);
    // awscli asks for encoding-type=url and decodes: keys with spaces and plus signs must survive.
    const v2 = JSON.parse(
      await aws('s3api', 'list-objects-v2', '--no-paginate', '--bucket', bucket, '--prefix', 'docs/'),
    );
    expect(v2.Contents.map((c: { Key: string }) => c.Key)).toEqual(['docs/a b.txt', 'docs/c+d.txt']);
    expect(v2.KeyCount).toBe(2);
    const paged = JSON.parse(await aws('s3api', 'list-objects-v2', '--bucket', bucket, '--page-size', '1'));
    expect(paged.Contents.map((c: { Key: string }) => c.Key)).toEqual([
      'docs/a b.txt',
      'docs/c+d.txt',
      'top.txt',
    ]);

    expect(await awsFails('s3api', 'get-object', '--bucket', bucket, '--key', 'missing', out)).toContain(
      'NoSuchKey',
    );
    expect(await awsFails('s3api', 'head-object', '--bucket', bucket, '--key', 'missing')).toContain('404');
  });

  test('multipart sizes: cp up (8 MiB parts) and down (ranged GETs), s3-to-s3 copy, sync, mv, rm', async () => {
    const bucket = bucketName();
    await aws('s3', 'mb', `s3://${bucket}`);
    const dir = mkdtempSync(path.join(tmpdir(), 'apigw-cli-mp-'));
    const big = Buffer.alloc(21 * 1024 * 1024 + 5);
    for (let i = 0; i < big.length; i += 4096)
      big.writeUInt32LE((i * 2654435761) >>> 0, Math.min(i, big.length - 4));
    writeFileSync(path.join(dir, 'big.bin'), big);
    await aws('s3', 'cp', path.join(dir, 'big.bin'), `s3://${bucket}/big.bin`);
    const head = JSON.parse(await aws('s3api', 'head-object', '--bucket', bucket, '--key', 'big.bin'));
    // awscli's default 8 MiB parts: 3 of them, so the ETag has S3's multipart form.
    expect(head.ETag).toMatch(/^"[0-9a-f]{32}-3"$/);
    expect(head.ContentLength).toBe(big.length);
    await aws('s3', 'cp', `s3://${bucket}/big.bin`, path.join(dir, 'back.bin'));
    expect(md5(readFileSync(path.join(dir, 'back.bin')))).toBe(md5(big));

    // A server-side copy of a multipart-sized object uses UploadPartCopy.
    await aws('s3', 'cp', `s3://${bucket}/big.bin`, `s3://${bucket}/copy/big.bin`);
    await aws('s3', 'cp', `s3://${bucket}/copy/big.bin`, path.join(dir, 'copy.bin'));
    expect(md5(readFileSync(path.join(dir, 'copy.bin')))).toBe(md5(big));

    const tree = path.join(dir, 'tree');
    for (const f of ['a.txt', 'sub/b.txt', 'sub/deeper/c d.txt']) {
      mkdirSync(path.dirname(path.join(tree, f)), { recursive: true });
      writeFileSync(path.join(tree, f), `content of ${f}`);
    }
    await aws('s3', 'sync', tree, `s3://${bucket}/tree`);
    const listed = await aws('s3', 'ls', '--recursive', `s3://${bucket}/tree/`);
    for (const f of ['tree/a.txt', 'tree/sub/b.txt', 'tree/sub/deeper/c d.txt']) expect(listed).toContain(f);
    // A second sync has nothing to do; a changed file is uploaded again.
    expect(await aws('s3', 'sync', tree, `s3://${bucket}/tree`)).toBe('');
    writeFileSync(path.join(tree, 'a.txt'), 'changed, and longer than before');
    expect(await aws('s3', 'sync', tree, `s3://${bucket}/tree`)).toContain('tree/a.txt');
    const down = path.join(dir, 'down');
    await aws('s3', 'sync', `s3://${bucket}/tree`, down);
    expect(readFileSync(path.join(down, 'sub/deeper/c d.txt'), 'utf8')).toBe('content of sub/deeper/c d.txt');
    expect(readFileSync(path.join(down, 'a.txt'), 'utf8')).toBe('changed, and longer than before');

    await aws('s3', 'mv', `s3://${bucket}/tree/a.txt`, `s3://${bucket}/moved.txt`);
    const after = await aws('s3', 'ls', '--recursive', `s3://${bucket}`);
    expect(after).toContain('moved.txt');
    expect(after).not.toContain('tree/a.txt');
    await aws('s3', 'rm', '--recursive', `s3://${bucket}`);
    expect(await aws('s3', 'ls', '--recursive', `s3://${bucket}`)).toBe('');
    await aws('s3', 'rb', `s3://${bucket}`);
  }, 120_000);

  test('s3api: copy-object, delete-objects, ACLs and tagging', async () => {
    const bucket = bucketName();
    await aws('s3api', 'create-bucket', '--bucket', bucket);
    const dir = mkdtempSync(path.join(tmpdir(), 'apigw-cli-api2-'));
    const file = path.join(dir, 'f.txt');
    writeFileSync(file, 'copy me');
    await aws(
      's3api',
      'put-object',
      '--bucket',
      bucket,
      '--key',
      'src key+1',
      '--body',
      file,
      '--tagging',
      'a=1',
    );
    const copied = JSON.parse(
      await aws(
        's3api',
        'copy-object',
        '--bucket',
        bucket,
        '--key',
        'dst',
        '--copy-source',
        `${bucket}/src key+1`,
      ),
    );
    expect(copied.CopyObjectResult.ETag).toBe(`"${md5(Buffer.from('copy me'))}"`);
    const self = await awsFails(
      's3api',
      'copy-object',
      '--bucket',
      bucket,
      '--key',
      'dst',
      '--copy-source',
      `${bucket}/dst`,
    );
    expect(self).toContain('InvalidRequest');
    expect(
      await awsFails(
        's3api',
        'copy-object',
        '--bucket',
        bucket,
        '--key',
        'x',
        '--copy-source',
        `${bucket}/dst`,
        '--copy-source-if-match',
        '"nope"',
      ),
    ).toContain('PreconditionFailed');

    expect(
      JSON.parse(await aws('s3api', 'get-object-tagging', '--bucket', bucket, '--key', 'dst')).TagSet,
    ).toEqual([{ Key: 'a', Value: '1' }]);
    await aws(
      's3api',
      'put-object-tagging',
      '--bucket',
      bucket,
      '--key',
      'dst',
      '--tagging',
      'TagSet=[{Key=k,Value=v}]',
    );
    expect(
      JSON.parse(await aws('s3api', 'get-object-tagging', '--bucket', bucket, '--key', 'dst')).TagSet,
    ).toEqual([{ Key: 'k', Value: 'v' }]);
    await aws('s3api', 'delete-object-tagging', '--bucket', bucket, '--key', 'dst');
    expect(
      JSON.parse(await aws('s3api', 'get-object-tagging', '--bucket', bucket, '--key', 'dst')).TagSet,
    ).toEqual([]);

    await aws('s3api', 'put-object-acl', '--bucket', bucket, '--key', 'dst', '--acl', 'public-read');
    const acl = JSON.parse(await aws('s3api', 'get-object-acl', '--bucket', bucket, '--key', 'dst'));
    expect(acl.Grants.map((g: { Permission: string }) => g.Permission)).toEqual(['READ', 'FULL_CONTROL']);
    await aws('s3api', 'put-bucket-acl', '--bucket', bucket, '--acl', 'public-read');
    const bucketAcl = JSON.parse(await aws('s3api', 'get-bucket-acl', '--bucket', bucket));
    expect(bucketAcl.Owner.ID).toBe(ALICE.owner.id);
    expect(bucketAcl.Grants).toHaveLength(2);

    // awscli sends DeleteObjects with Content-MD5.
    const deleted = JSON.parse(
      await aws(
        's3api',
        'delete-objects',
        '--bucket',
        bucket,
        '--delete',
        JSON.stringify({ Objects: [{ Key: 'src key+1' }, { Key: 'dst' }, { Key: 'never' }] }),
      ),
    );
    expect(deleted.Deleted.map((d: { Key: string }) => d.Key).sort()).toEqual(['dst', 'never', 'src key+1']);
    expect(await aws('s3api', 'list-objects-v2', '--bucket', bucket)).toBe('');
  }, 60_000);

  test('s3api: the multipart operations one by one, and part-number reads', async () => {
    const bucket = bucketName();
    await aws('s3api', 'create-bucket', '--bucket', bucket);
    const dir = mkdtempSync(path.join(tmpdir(), 'apigw-cli-mp2-'));
    const part1 = path.join(dir, 'p1');
    const part2 = path.join(dir, 'p2');
    const data1 = Buffer.alloc(5 * 1024 * 1024, 'a');
    writeFileSync(part1, data1);
    writeFileSync(part2, 'tail');
    await aws('s3api', 'put-object', '--bucket', bucket, '--key', 'src', '--body', part2);

    const { UploadId } = JSON.parse(
      await aws('s3api', 'create-multipart-upload', '--bucket', bucket, '--key', 'mp'),
    );
    const other = JSON.parse(
      await aws('s3api', 'create-multipart-upload', '--bucket', bucket, '--key', 'other'),
    );
    const up = (n: number, body: string) =>
      aws(
        's3api',
        'upload-part',
        '--bucket',
        bucket,
        '--key',
        'mp',
        '--upload-id',
        UploadId,
        '--part-number',
        String(n),
        '--body',
        body,
      );
    const e1 = JSON.parse(await up(1, part1)).ETag;
    const e2 = JSON.parse(
      await aws(
        's3api',
        'upload-part-copy',
        '--bucket',
        bucket,
        '--key',
        'mp',
        '--upload-id',
        UploadId,
        '--part-number',
        '2',
        '--copy-source',
        `${bucket}/src`,
        '--copy-source-range',
        'bytes=1-3',
      ),
    ).CopyPartResult.ETag;
    const parts = JSON.parse(
      await aws('s3api', 'list-parts', '--bucket', bucket, '--key', 'mp', '--upload-id', UploadId),
    );
    expect(parts.Parts.map((p: { PartNumber: number; Size: number }) => [p.PartNumber, p.Size])).toEqual([
      [1, data1.length],
      [2, 3],
    ]);
    const uploads = JSON.parse(await aws('s3api', 'list-multipart-uploads', '--bucket', bucket));
    expect(uploads.Uploads.map((u: { Key: string }) => u.Key)).toEqual(['mp', 'other']);
    expect(
      await awsFails(
        's3api',
        'complete-multipart-upload',
        '--bucket',
        bucket,
        '--key',
        'mp',
        '--upload-id',
        UploadId,
        '--multipart-upload',
        JSON.stringify({
          Parts: [
            { PartNumber: 2, ETag: e2 },
            { PartNumber: 1, ETag: e1 },
          ],
        }),
      ),
    ).toContain('InvalidPartOrder');
    const done = JSON.parse(
      await aws(
        's3api',
        'complete-multipart-upload',
        '--bucket',
        bucket,
        '--key',
        'mp',
        '--upload-id',
        UploadId,
        '--multipart-upload',
        JSON.stringify({
          Parts: [
            { PartNumber: 1, ETag: e1 },
            { PartNumber: 2, ETag: e2 },
          ],
        }),
      ),
    );
    expect(done.ETag).toMatch(/-2"$/);
    const out = path.join(dir, 'part2.out');
    const got = JSON.parse(
      await aws('s3api', 'get-object', '--bucket', bucket, '--key', 'mp', '--part-number', '2', out),
    );
    expect([got.PartsCount, readFileSync(out, 'utf8')]).toEqual([2, 'ail']);
    const head = JSON.parse(
      await aws('s3api', 'head-object', '--bucket', bucket, '--key', 'mp', '--part-number', '1'),
    );
    expect(head.ContentLength).toBe(data1.length);
    await aws(
      's3api',
      'abort-multipart-upload',
      '--bucket',
      bucket,
      '--key',
      'other',
      '--upload-id',
      other.UploadId,
    );
    expect(await aws('s3api', 'list-multipart-uploads', '--bucket', bucket)).not.toContain('other');
    expect(
      await awsFails(
        's3api',
        'abort-multipart-upload',
        '--bucket',
        bucket,
        '--key',
        'other',
        '--upload-id',
        other.UploadId,
      ),
    ).toContain('NoSuchUpload');
  }, 60_000);
});
