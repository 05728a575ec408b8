import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
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

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const MiB = 1024 * 1024;
const { crashContent } = require('../fixtures/s3-store-crash-content') as {
  crashContent(seed: number, size: number): Buffer;
};

/** One of 50 concurrent uploads: a PUT (buffer or stream) or a multipart upload of 2–3 parts. */
interface Job {
  key: string;
  kind: 'put' | 'stream' | 'multipart';
  parts: Buffer[];
}

function jobs(): Job[] {
  return Array.from({ length: 50 }, (_, i) => {
    const kind = i % 5 === 0 ? 'multipart' : i % 5 === 1 ? 'stream' : 'put';
    const parts =
      kind === 'multipart'
        ? [crashContent(i * 3, 5 * MiB), crashContent(i * 3 + 1, 5 * MiB), crashContent(i * 3 + 2, 1000 + i)]
        : [crashContent(i * 3, (i % 4) * MiB + i * 997)];
    return { key: `mixed/${kind}-${i}`, kind, parts };
  });
}

/** Runs one job; resolves with the upload id of a multipart job (acknowledged parts are recorded). */
async function runJob(s3: S3Client, job: Job, acknowledgedParts: Map<string, Set<string>>): Promise<void> {
  const Bucket = 'mixed';
  if (job.kind === 'put') {
    await s3.send(new PutObjectCommand({ Bucket, Key: job.key, Body: job.parts[0] }));
    return;
  }
  if (job.kind === 'stream') {
    const body = job.parts[0];
    await s3.send(
      new PutObjectCommand({
        Bucket,
        Key: job.key,
        Body: Readable.from([body.subarray(0, body.length >> 1), body.subarray(body.length >> 1)]),
        ContentLength: body.length,
      }),
    );
    return;
  }
  const { UploadId } = await s3.send(new CreateMultipartUploadCommand({ Bucket, Key: job.key }));
  const done = await Promise.all(
    job.parts.map(async (Body, i) => {
      const res = await s3.send(
        new UploadPartCommand({ Bucket, Key: job.key, UploadId, PartNumber: i + 1, Body }),
      );
      acknowledgedParts.set(UploadId!, (acknowledgedParts.get(UploadId!) ?? new Set()).add(res.ETag!));
      return { PartNumber: i + 1, ETag: res.ETag };
    }),
  );
  await s3.send(
    new CompleteMultipartUploadCommand({ Bucket, Key: job.key, UploadId, MultipartUpload: { Parts: done } }),
  );
}

test('SIGKILL during 50 mixed uploads (PUT, streamed PUT, multipart) leaves every key absent or whole, and every acknowledged part', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'apigw-kill-mixed-'));
  const credentials = path.join(dir, 'credentials');
  writeFileSync(credentials, CREDS);
  const dataDir = path.join(dir, 'data');
  const all = jobs();

  const first = await start(dataDir, credentials);
  const s3 = client(first.url);
  await s3.send(new CreateBucketCommand({ Bucket: 'mixed' }));
  const acknowledgedParts = new Map<string, Set<string>>();
  let finished = 0;
  let kill!: () => void;
  const killTime = new Promise<void>((resolve) => (kill = resolve));
  const outcomes = all.map((job) =>
    runJob(s3, job, acknowledgedParts).then(
      () => {
        if (++finished === 12) kill();
        return 'done';
      },
      () => 'failed',
    ),
  );
  // Kill once some uploads are acknowledged: most of the rest, multipart ones included, are mid-flight.
  await Promise.race([killTime, Promise.all(outcomes)]);
  first.proc.child.kill('SIGKILL');
  expect(await first.proc.exited).toBe('SIGKILL');
  const results = await Promise.all(outcomes);
  s3.destroy();

  const second = await start(dataDir, credentials);
  const after = client(second.url);
  try {
    let whole = 0;
    for (const [i, job] of all.entries()) {
      const expected = md5(Buffer.concat(job.parts));
      try {
        const res = await after.send(new GetObjectCommand({ Bucket: 'mixed', Key: job.key }));
        const got = Buffer.from(await res.Body!.transformToByteArray());
        expect([job.key, md5(got)]).toEqual([job.key, expected]);
        whole++;
      } catch (e) {
        expect([job.key, (e as Error).name]).toEqual([job.key, 'NoSuchKey']);
        // An acknowledged upload is durable.
        expect([job.key, results[i]]).toEqual([job.key, 'failed']);
      }
    }
    expect(whole).toBeGreaterThanOrEqual(12);
    expect(whole).toBeLessThan(all.length);
    // Uploads cut short are still there, holding only whole parts, every acknowledged one included.
    const uploads = await after.send(new ListMultipartUploadsCommand({ Bucket: 'mixed' }));
    for (const upload of uploads.Uploads ?? []) {
      const job = all.find((j) => j.key === upload.Key)!;
      const listed = await after.send(
        new ListPartsCommand({ Bucket: 'mixed', Key: upload.Key, UploadId: upload.UploadId }),
      );
      for (const part of listed.Parts ?? []) {
        expect(part.ETag).toBe(`"${md5(job.parts[part.PartNumber! - 1])}"`);
        expect(part.Size).toBe(job.parts[part.PartNumber! - 1].length);
      }
      const listedEtags = new Set((listed.Parts ?? []).map((p) => p.ETag));
      for (const etag of acknowledgedParts.get(upload.UploadId!) ?? []) expect(listedEtags).toContain(etag);
      // The interrupted upload carries on where it stopped.
      const have = new Set((listed.Parts ?? []).map((p) => p.PartNumber));
      for (const [i, Body] of job.parts.entries()) {
        if (have.has(i + 1)) continue;
        await after.send(
          new UploadPartCommand({
            Bucket: 'mixed',
            Key: job.key,
            UploadId: upload.UploadId,
            PartNumber: i + 1,
            Body,
          }),
        );
      }
      await after.send(
        new CompleteMultipartUploadCommand({
          Bucket: 'mixed',
          Key: job.key,
          UploadId: upload.UploadId,
          MultipartUpload: { Parts: job.parts.map((p, i) => ({ PartNumber: i + 1, ETag: md5(p) })) },
        }),
      );
      const res = await after.send(new GetObjectCommand({ Bucket: 'mixed', Key: job.key }));
      expect(md5(Buffer.from(await res.Body!.transformToByteArray()))).toBe(md5(Buffer.concat(job.parts)));
    }
  } finally {
    after.destroy();
    second.proc.child.kill('SIGTERM');
    await second.proc.exited;
  }
}, 60_000);
