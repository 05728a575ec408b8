import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import { spawnApigw } from '../helpers/cli';
import { ALICE, signRequest } from '../helpers/s3';

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

/** Every line apigw printed to stderr, checked to be one line with no stack trace. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0];
}

describe('start-up errors are one line and a non-zero exit, for serve, s3 and lambda (issue 20, item 18)', () => {
  const commands: Record<string, string[]> = {
    serve: ['serve', 'examples/s3-proxy'],
    s3: ['s3'],
    lambda: ['lambda', 'examples/lambda-calc'],
  };

  test.each(Object.keys(commands))('%s: --data-dir that is a file', async (command) => {
    const file = path.join(workDir(), 'a-file');
    writeFileSync(file, 'not a directory');
    const proc = spawnApigw([...commands[command], '--port', '0', '--data-dir', file]);
    expect(await proc.exited).toBe(1);
    expect(oneLine(proc.stderr())).toBe(`apigw: --data-dir ${file} is a file, not a directory`);
  });

  test.each(Object.keys(commands))('%s: a credentials file that cannot be read', async (command) => {
    const dir = workDir();
    // A directory cannot be read as a file, even by root (chmod 000 would not stop root).
    const proc = spawnApigw([
      ...commands[command],
      '--port',
      '0',
      '--data-dir',
      path.join(dir, 'd'),
      '--credentials',
      dir,
    ]);
    expect(await proc.exited).toBe(1);
    expect(oneLine(proc.stderr())).toMatch(new RegExp(`^apigw: cannot read credentials file ${dir}: EISDIR`));
  });

  test.each(Object.keys(commands))('%s: a port in use', async (command) => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const proc = spawnApigw([
        ...commands[command],
        '--port',
        String(port),
        '--data-dir',
        path.join(workDir(), 'd'),
        // Only errors: serve logs what it starts (the embedded S3) before it opens the port.
        '--log-level',
        'error',
      ]);
      expect(await proc.exited).toBe(1);
      expect(oneLine(proc.stderr())).toBe(`apigw: cannot listen on 127.0.0.1:${port} (EADDRINUSE)`);
    } finally {
      blocker.close();
    }
  });

  // Node's recursive mkdir never returns where a parent refuses every child with ENOENT (/proc).
  const procfs = existsSync('/proc/self')
    ? test.each(Object.keys(commands))
    : test.skip.each(['(no /proc here)']);
  procfs('%s: a data directory under /proc fails instead of hanging', async (command) => {
    const proc = spawnApigw([
      ...commands[command],
      '--port',
      '0',
      '--data-dir',
      '/proc/apigw-test/data',
      '--log-level',
      'error',
    ]);
    expect(await proc.exited).toBe(1);
    expect(oneLine(proc.stderr())).toBe(
      'apigw: cannot create directory /proc/apigw-test: no such file or directory (ENOENT)',
    );
  });

  test.each(['serve', 's3'])('%s: a data directory that cannot be written', async (command) => {
    // Root may write anywhere a mode allows nothing; sysfs refuses new directories even to root.
    let dataDir = '/sys/apigw-test-data';
    if (process.getuid?.() !== 0) {
      const parent = path.join(workDir(), 'read-only');
      mkdirSync(parent, { mode: 0o555 });
      dataDir = path.join(parent, 'data');
    }
    const proc = spawnApigw([
      ...commands[command],
      '--port',
      '0',
      '--data-dir',
      dataDir,
      '--log-level',
      'error',
    ]);
    expect(await proc.exited).toBe(1);
    expect(oneLine(proc.stderr())).toMatch(
      /^apigw: cannot create directory \S+: (operation not permitted|permission denied)/,
    );
  });
});

describe('beyond loopback with only the development keys (issue 20, item 23)', () => {
  const commands: Record<string, string[]> = {
    serve: ['serve', 'examples/s3-proxy'],
    s3: ['s3'],
    lambda: ['lambda', 'examples/lambda-calc'],
  };

  test.each(Object.keys(commands))(
    '%s --host 0.0.0.0: refused with one line naming the ways out',
    async (command) => {
      const proc = spawnApigw([
        ...commands[command],
        '--host',
        '0.0.0.0',
        '--port',
        '0',
        '--data-dir',
        path.join(workDir(), 'd'),
      ]);
      expect(await proc.exited).toBe(1);
      const line = oneLine(proc.stderr());
      expect(line).toContain('refusing to listen on 0.0.0.0');
      expect(line).toContain('--credentials');
      expect(line).toContain('AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY');
      expect(line).toContain('--allow-development-keys-on-network');
      expect(proc.stdout()).not.toMatch(/endpoint|Base URL/);
    },
  );

  test('allowed with --allow-development-keys-on-network (or when real keys are given)', async () => {
    const allowed = spawnApigw([
      's3',
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--data-dir',
      path.join(workDir(), 'd'),
      '--allow-development-keys-on-network',
    ]);
    try {
      const [, port] = await allowed.waitFor(/S3 endpoint: http:\/\/0\.0\.0\.0:(\d+)/);
      const s3 = new S3Client({
        endpoint: `http://127.0.0.1:${port}`,
        region: 'us-east-1',
        forcePathStyle: true,
        credentials: {
          accessKeyId: 'AKIAAPIGWDEVELOPMENT',
          secretAccessKey: 'apigw+development+secret+key+01234567890',
        },
      });
      expect((await s3.send(new ListBucketsCommand({}))).Buckets).toEqual([]);
      s3.destroy();
    } finally {
      allowed.child.kill('SIGTERM');
      expect(await allowed.exited).toBe(0);
    }
    const withKeys = spawnApigw(['lambda', 'examples/lambda-calc', '--host', '0.0.0.0', '--port', '0'], {
      AWS_ACCESS_KEY_ID: 'AKIANETWORKKEYS00001',
      AWS_SECRET_ACCESS_KEY: 'network-secret',
    });
    try {
      await withKeys.waitFor(/Lambda endpoint: http:\/\/0\.0\.0\.0:\d+/);
    } finally {
      withKeys.child.kill('SIGTERM');
      expect(await withKeys.exited).toBe(0);
    }
  });
});

test('apigw s3 takes --body-idle-timeout and --headers-timeout', async () => {
  const dir = workDir();
  writeFileSync(
    path.join(dir, 'creds'),
    `[alice]\naws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = ${ALICE.secretAccessKey}\n`,
  );
  const proc = spawnApigw([
    's3',
    '--port',
    '0',
    '--data-dir',
    path.join(dir, 'd'),
    '--credentials',
    path.join(dir, 'creds'),
    '--body-idle-timeout',
    '0.3',
    '--headers-timeout',
    '0.3',
  ]);
  try {
    const [, endpoint] = await proc.waitFor(/S3 endpoint: (http:\/\/\S+)/);
    const url = new URL(`${endpoint}/idle-bucket/stalled`);
    const s3 = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: ALICE.accessKeyId, secretAccessKey: ALICE.secretAccessKey },
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'idle-bucket' }));
    s3.destroy();
    // A body that stops after 10 of its 1,000 bytes: S3's RequestTimeout after the 0.3 s given.
    const body = Buffer.alloc(1000, 'x');
    const signed = await signRequest(url, 'PUT', {
      'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
    });
    const head = Object.entries({ ...signed.headers, 'content-length': String(body.length) })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    const stalled = await rawExchange(
      url,
      `PUT ${url.pathname} HTTP/1.1\r\n${head}\r\n`,
      body.subarray(0, 10),
    );
    expect(stalled.text).toMatch(/^HTTP\/1\.1 400 /);
    expect(stalled.text).toContain('<Code>RequestTimeout</Code>');
    // Headers that never finish: the connection is dropped (the default would wait 20 s).
    const slow = await rawExchange(url, `GET /idle-bucket HTTP/1.1\r\nHost: x\r\n`);
    expect(slow.text).not.toContain('HTTP/1.1 200');
    expect(slow.ms).toBeLessThan(5000);
  } finally {
    proc.child.kill('SIGTERM');
    await proc.exited;
  }
});

/** Sends the given pieces on a raw connection and waits (up to 10 s) for the server to close it. */
function rawExchange(url: URL, ...pieces: (string | Buffer)[]): Promise<{ text: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(url.port), url.hostname);
    const chunks: Buffer[] = [];
    const giveUp = setTimeout(() => socket.destroy(), 10_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(giveUp);
      resolve({ text: Buffer.concat(chunks).toString(), ms: Date.now() - started });
    });
    socket.once('connect', () => pieces.forEach((p) => socket.write(p)));
  });
}
