import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { spawnApigw, type ApigwProcess } from '../helpers/cli';

const CREDS = '[main]\naws_access_key_id = AKIADURABILITY000001\naws_secret_access_key = durable-secret\n';

function client(url: string): S3Client {
  return new S3Client({
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'AKIADURABILITY000001', secretAccessKey: 'durable-secret' },
    maxAttempts: 1,
  });
}

/** Deterministic content per key and generation, so a survivor can be checked against what was sent. */
function content(i: number, generation: number): Buffer {
  const size = 1024 * 1024 + i * 200 * 1024 + generation;
  const buf = Buffer.alloc(size);
  for (let p = 0; p < size; p += 4)
    buf.writeUInt32LE((p * 2654435761 + i * 7 + generation) >>> 0, Math.min(p, size - 4));
  return buf;
}

async function start(dataDir: string, credentials: string): Promise<{ proc: ApigwProcess; url: string }> {
  const proc = spawnApigw(['s3', '--port', '0', '--data-dir', dataDir, '--credentials', credentials]);
  const [, url] = await proc.waitFor(/S3 endpoint: (http:\/\/\S+)/);
  return { proc, url };
}

test('SIGKILL during 20 uploads leaves every key absent or whole', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'apigw-kill-'));
  const credentials = path.join(dir, 'credentials');
  writeFileSync(credentials, CREDS);
  const dataDir = path.join(dir, 'data');

  const first = await start(dataDir, credentials);
  const s3 = client(first.url);
  await s3.send(new CreateBucketCommand({ Bucket: 'durable' }));
  // Generation 0 is committed for the even keys, so a killed overwrite must leave the old object.
  for (let i = 0; i < 20; i += 2) {
    await s3.send(new PutObjectCommand({ Bucket: 'durable', Key: `k${i}`, Body: content(i, 0) }));
  }
  const uploads = Array.from({ length: 20 }, (_, i) =>
    s3.send(new PutObjectCommand({ Bucket: 'durable', Key: `k${i}`, Body: content(i, 1) })).then(
      () => 'done',
      () => 'failed',
    ),
  );
  // Kill as soon as the first upload is acknowledged: the others are mid-flight.
  await Promise.race(uploads);
  first.proc.child.kill('SIGKILL');
  expect(await first.proc.exited).toBe('SIGKILL');
  const outcomes = await Promise.all(uploads);
  s3.destroy();

  const second = await start(dataDir, credentials);
  const after = client(second.url);
  try {
    let whole = 0;
    for (let i = 0; i < 20; i++) {
      const expected = new Set(
        [content(i, 1), ...(i % 2 === 0 ? [content(i, 0)] : [])].map((b) =>
          createHash('md5').update(b).digest('hex'),
        ),
      );
      let got: Buffer | undefined;
      try {
        const res = await after.send(new GetObjectCommand({ Bucket: 'durable', Key: `k${i}` }));
        got = Buffer.from(await res.Body!.transformToByteArray());
        const head = await after.send(new HeadObjectCommand({ Bucket: 'durable', Key: `k${i}` }));
        expect(head.ETag).toBe(`"${createHash('md5').update(got).digest('hex')}"`);
      } catch (e) {
        expect((e as Error).name).toBe('NoSuchKey');
      }
      if (got) {
        expect(expected.has(createHash('md5').update(got).digest('hex'))).toBe(true);
        whole++;
      } else {
        // Only a key that never had a committed version may be absent, and only if its upload was not acknowledged.
        expect(i % 2).toBe(1);
        expect(outcomes[i]).toBe('failed');
      }
      // An acknowledged upload is durable.
      if (outcomes[i] === 'done')
        expect(got && createHash('md5').update(got).digest('hex')).toBe(
          createHash('md5').update(content(i, 1)).digest('hex'),
        );
    }
    expect(whole).toBeGreaterThanOrEqual(10);
  } finally {
    after.destroy();
    second.proc.child.kill('SIGTERM');
    await second.proc.exited;
  }
});
