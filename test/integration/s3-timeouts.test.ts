import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { startS3Server, type RunningS3 } from '../../gateway/backends/s3';
import { ALICE, signRequest } from '../helpers/s3';

// Issue 20, items 15 and 16 (S3 part): bodies that stop arriving and headers that never finish.

const IDLE = 300;
let s3: RunningS3;
let dataDir: string;
let alice: S3Client;
const bucket = 'timeouts';

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'apigw-s3-timeouts-'));
  s3 = await startS3Server({
    dataDir,
    port: 0,
    host: '127.0.0.1',
    users: [ALICE],
    bodyIdleTimeout: IDLE,
    headersTimeout: IDLE,
  });
  alice = new S3Client({
    endpoint: s3.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: ALICE.accessKeyId, secretAccessKey: ALICE.secretAccessKey },
    maxAttempts: 1,
  });
  await alice.send(new CreateBucketCommand({ Bucket: bucket }));
});
afterAll(async () => {
  alice.destroy();
  await s3.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A raw connection that records what the server sends and when it closes. */
function open(): Promise<{ socket: Socket; received: () => string; closed: Promise<number> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(s3.port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const started = Date.now();
    socket.on('data', (c: Buffer) => chunks.push(c));
    const closed = new Promise<number>((r) => socket.on('close', () => r(Date.now() - started)));
    socket.on('error', () => undefined);
    socket.once('connect', () =>
      resolve({ socket, received: () => Buffer.concat(chunks).toString(), closed }),
    );
    socket.once('error', reject);
  });
}

/** The head of a signed PUT of `body` (signed with its SHA-256), as raw bytes. */
async function putHead(key: string, body: Buffer, extra: Record<string, string> = {}): Promise<string> {
  const url = new URL(`${s3.url}/${bucket}/${key}`);
  const signed = await signRequest(url, 'PUT', {
    'x-amz-content-sha256': createHash('sha256').update(body).digest('hex'),
    ...extra,
  });
  const headers = { ...signed.headers, 'content-length': String(body.length) };
  return (
    `PUT ${url.pathname} HTTP/1.1\r\n` +
    Object.entries(headers)
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('') +
    '\r\n'
  );
}

async function keys(): Promise<string[]> {
  const res = await alice.send(new ListObjectsV2Command({ Bucket: bucket }));
  return (res.Contents ?? []).map((c) => c.Key!);
}

const tmpFiles = () => readdirSync(path.join(dataDir, 's3', 'tmp'));

describe('a body that stops arriving (item 15)', () => {
  test('is answered 400 RequestTimeout after the idle time, the connection closed, nothing written', async () => {
    const body = Buffer.alloc(100_000, 'x');
    const { socket, received, closed } = await open();
    socket.write(await putHead('stalled', body));
    socket.write(body.subarray(0, 10_000));
    const ms = await closed;
    expect(received()).toMatch(/^HTTP\/1\.1 400 /);
    expect(received()).toContain(
      '<Code>RequestTimeout</Code><Message>Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.</Message>',
    );
    expect(ms).toBeGreaterThanOrEqual(IDLE - 50);
    expect(ms).toBeLessThan(IDLE + 2000);
    expect(await keys()).not.toContain('stalled');
    await sleep(100);
    expect(tmpFiles()).toEqual([]);
  });

  test('a body stalled behind Expect: 100-continue times out too', async () => {
    const body = Buffer.alloc(1000, 'y');
    const { socket, received, closed } = await open();
    socket.write(await putHead('stalled-continue', body, { expect: '100-continue' }));
    await sleep(50);
    socket.write(body.subarray(0, 10));
    await closed;
    expect(received()).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 400 /);
    expect(received()).toContain('<Code>RequestTimeout</Code>');
    expect(await keys()).not.toContain('stalled-continue');
  });

  test('a slow body that keeps moving is never cut, however long it takes', async () => {
    const chunk = Buffer.alloc(1000, 'z');
    const count = 12;
    const body = Buffer.concat(Array.from({ length: count }, () => chunk));
    const { socket, received } = await open();
    socket.write(await putHead('slow', body));
    for (let i = 0; i < count; i++) {
      socket.write(chunk);
      await sleep(IDLE / 2);
    }
    // count × IDLE/2 = 6 idle periods in all.
    for (let i = 0; i < 50 && !received().includes('\r\n\r\n'); i++) await sleep(20);
    expect(received()).toMatch(/^HTTP\/1\.1 200 /);
    socket.destroy();
    const got = await alice.send(new GetObjectCommand({ Bucket: bucket, Key: 'slow' }));
    expect((await got.Body!.transformToByteArray()).length).toBe(body.length);
  });

  test('a keep-alive connection idle between requests is not a stalled body', async () => {
    // The keep-alive connection sits idle between requests; the next request is served normally.
    const { socket, received } = await open();
    const body = Buffer.from('after');
    socket.write((await putHead('first', body)) + body.toString());
    await sleep(IDLE * 2);
    socket.write((await putHead('second', body)) + body.toString());
    for (let i = 0; i < 50 && (received().match(/HTTP\/1\.1 200/g) ?? []).length < 2; i++) await sleep(20);
    expect((received().match(/HTTP\/1\.1 200/g) ?? []).length).toBe(2);
    socket.destroy();
  });
});

describe('headers that never finish (item 16)', () => {
  test('a slowloris connection is dropped after headersTimeout', async () => {
    const { socket, closed } = await open();
    socket.write(`GET /${bucket} HTTP/1.1\r\nHost: x\r\n`);
    const drip = setInterval(() => socket.write('X-Drip: 1\r\n'), 50);
    const ms = await Promise.race([closed, sleep(5000).then(() => -1)]);
    clearInterval(drip);
    socket.destroy();
    expect(ms).toBeGreaterThan(0);
    expect(ms).toBeLessThan(IDLE + 1500);
  });
});
