import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { ALICE, startTestS3, type TestS3 } from '../helpers/s3';

const run = promisify(execFile);

// Debian's awscli (installed by .ci/run); a pip-installed `aws` elsewhere on PATH is not what we test.
const AWS = '/usr/bin/aws';
const describeWithAws = existsSync(AWS) ? describe : describe.skip;
if (!existsSync(AWS)) console.warn(`skipping the AWS CLI tests: ${AWS} is missing (apt-get install awscli)`);

let s3: TestS3;
let home: string;
beforeAll(async () => {
  s3 = await startTestS3();
  home = mkdtempSync(path.join(tmpdir(), 'apigw-awscli-'));
});
afterAll(() => s3?.stop());

/** Runs the AWS CLI against the embedded S3 as alice; must not block the event loop (the server runs here). */
async function aws(...args: string[]): Promise<string> {
  const { stdout } = await run(AWS, ['--endpoint-url', s3.url, '--output', 'json', ...args], {
    env: {
      PATH: process.env.PATH,
      HOME: home,
      AWS_ACCESS_KEY_ID: ALICE.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ALICE.secretAccessKey,
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_CONFIG_FILE: path.join(home, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'),
      AWS_MAX_ATTEMPTS: '1',
      AWS_PAGER: '',
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

async function awsFails(...args: string[]): Promise<string> {
  try {
    await aws(...args);
  } catch (e) {
    return String((e as { stderr?: string }).stderr);
  }
  throw new Error(`expected aws ${args.join(' ')} to fail`);
}

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
});
