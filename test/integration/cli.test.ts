import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { spawnApigw } from '../helpers/cli';

function workDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'apigw-cli-'));
}

test('apigw s3 reads its config file, flags override it, and credentials profiles are the allowed keys', async () => {
  const dir = workDir();
  writeFileSync(
    path.join(dir, 'creds'),
    '[ci]\naws_access_key_id = AKIACONFIGFILE000001\naws_secret_access_key = from-file\n',
  );
  writeFileSync(
    path.join(dir, 'apigw.yaml'),
    'port: 1\nhost: 127.0.0.1\ndataDir: data\nregion: eu-central-1\ncredentials: creds\n',
  );
  const proc = spawnApigw(['s3', '--config', path.join(dir, 'apigw.yaml'), '--port', '0']);
  try {
    const [, url] = await proc.waitFor(/S3 endpoint: (http:\/\/\S+) \(region eu-central-1\)/);
    expect(proc.stdout()).toContain(`Data directory: ${path.join(dir, 'data')}`);
    expect(proc.stdout()).toContain('AKIACONFIGFILE000001 (ci)');
    expect(proc.stdout()).not.toContain('development key pair');
    const s3 = new S3Client({
      endpoint: url,
      region: 'eu-central-1',
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKIACONFIGFILE000001', secretAccessKey: 'from-file' },
    });
    const res = await s3.send(new ListBucketsCommand({}));
    expect(res.Owner?.DisplayName).toBe('ci');
    s3.destroy();
  } finally {
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  }
});

test('without credentials the development pair is printed and accepted', async () => {
  const proc = spawnApigw(['s3', '--port', '0', '--data-dir', path.join(workDir(), 'd')]);
  try {
    const [, url] = await proc.waitFor(/S3 endpoint: (http:\/\/\S+)/);
    const id = /AWS_ACCESS_KEY_ID=(\S+)/.exec(proc.stdout())![1];
    const secret = /AWS_SECRET_ACCESS_KEY=(\S+)/.exec(proc.stdout())![1];
    const s3 = new S3Client({
      endpoint: url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: id, secretAccessKey: secret },
    });
    expect((await s3.send(new ListBucketsCommand({}))).Buckets).toEqual([]);
    s3.destroy();
  } finally {
    proc.child.kill('SIGTERM');
    await proc.exited;
  }
});

test('bad settings stop start-up with a clear message and a non-zero exit', async () => {
  const dir = workDir();
  writeFileSync(path.join(dir, 'apigw.yaml'), 'prot: 8080\n');
  const badKey = spawnApigw(['s3', '--config', path.join(dir, 'apigw.yaml')]);
  expect(await badKey.exited).toBe(1);
  expect(badKey.stderr()).toContain("unknown setting 'prot'");

  const badCreds = spawnApigw(['s3', '--port', '0', '--credentials', path.join(dir, 'missing')]);
  expect(await badCreds.exited).toBe(1);
  expect(badCreds.stderr()).toContain('cannot read credentials file');

  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const port = (blocker.address() as { port: number }).port;
  const busy = spawnApigw(['s3', '--port', String(port), '--data-dir', path.join(dir, 'd')]);
  expect(await busy.exited).toBe(1);
  expect(busy.stderr()).toContain(`cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
  blocker.close();

  const unknown = spawnApigw(['frobnicate']);
  expect(await unknown.exited).toBe(2);
  expect(unknown.stderr()).toContain("unknown command 'frobnicate'");
});
