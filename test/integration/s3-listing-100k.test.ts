import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ListObjectsCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { writeBucketFile } from '../../gateway/backends/s3/store/bucket-file';
import { Layout } from '../../gateway/backends/s3/store/layout';
import { encodeFooter } from '../../gateway/backends/s3/store/object-file';
import { buildObjectRecord } from '../../gateway/backends/s3/store/records';
import { ALICE, startTestS3, type TestS3 } from '../helpers/s3';

const COUNT = 100_000;
const BUCKET = 'hundred-thousand';
let s3: TestS3;
let client: S3Client;
let keys: string[];

/**
 * Writes the bucket and its 100 000 object files straight into the data directory, in the
 * documented format (docs/storage-layout.md): going through the server would cost an fsync per
 * object. The server then loads them as it would after a restart.
 */
async function populate(dataDir: string): Promise<string[]> {
  const layout = new Layout(dataDir);
  const staging = layout.bucketDir(BUCKET);
  mkdirSync(layout.objectsDir(staging), { recursive: true });
  await writeBucketFile(layout.bucketRecord(staging), {
    name: BUCKET,
    owner: ALICE.owner,
    creationDate: Date.now(),
    locationConstraint: '',
  });
  const all: string[] = [];
  const made = new Set<string>();
  for (let i = 0; i < COUNT; i++) {
    const key = `dir${String(i % 100).padStart(2, '0')}/file-${String(i).padStart(6, '0')}`;
    all.push(key);
    const body = Buffer.from(key);
    const record = buildObjectRecord(
      {
        key,
        size: body.length,
        etag: 'e'.repeat(32),
        lastModified: Date.now(),
        generation: String(i),
        versionId: 'null',
        sequence: i,
      },
      { owner: ALICE.owner, headers: {}, metadata: {}, checksums: {}, storageClass: 'STANDARD' },
    );
    const { dir, file } = layout.objectPath(BUCKET, key);
    if (!made.has(dir)) {
      mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    writeFileSync(file, Buffer.concat([body, encodeFooter(record)]));
  }
  return all.sort();
}

beforeAll(async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'apigw-100k-'));
  keys = await populate(dataDir);
  s3 = await startTestS3({ dataDir, ownsDataDir: true });
  client = s3.client(ALICE);
}, 120_000);
afterAll(() => s3?.stop());

test('ListObjectsV2 pages through 100 000 keys, 1000 at a time, each key once and in order', async () => {
  const seen: string[] = [];
  const pageTimes: number[] = [];
  let token: string | undefined;
  do {
    const started = process.hrtime.bigint();
    const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
    pageTimes.push(Number(process.hrtime.bigint() - started) / 1e6);
    expect(page.KeyCount).toBe(page.Contents!.length);
    for (const c of page.Contents!) seen.push(c.Key!);
    token = page.NextContinuationToken;
    expect(page.IsTruncated).toBe(token !== undefined);
  } while (token);
  expect(seen.length).toBe(COUNT);
  // Element-wise, without jest's deep diff of two 100 000-element arrays.
  expect(seen.every((k, i) => k === keys[i])).toBe(true);
  expect(pageTimes.length).toBe(100);
  // Each page is a binary search plus 1000 entries, not a scan: the last pages cost what the first do.
  // Medians, so that one page delayed by a GC or a busy machine does not decide.
  const median = (times: number[]) => [...times].sort((a, b) => a - b)[times.length >> 1];
  expect(median(pageTimes.slice(-10))).toBeLessThan(median(pageTimes.slice(1, 11)) * 3 + 50);
}, 60_000);

test('v1 with a delimiter rolls 100 000 keys up into 100 prefixes; markers resume inside a prefix', async () => {
  const rolled = await client.send(new ListObjectsCommand({ Bucket: BUCKET, Delimiter: '/' }));
  expect(rolled.CommonPrefixes!.map((p) => p.Prefix)).toEqual(
    Array.from({ length: 100 }, (_, i) => `dir${String(i).padStart(2, '0')}/`),
  );
  expect([rolled.Contents, rolled.IsTruncated]).toEqual([undefined, false]);
  const paged = await client.send(new ListObjectsCommand({ Bucket: BUCKET, Delimiter: '/', MaxKeys: 10 }));
  expect([paged.IsTruncated, paged.NextMarker]).toEqual([true, 'dir09/']);
  const next = await client.send(
    new ListObjectsCommand({ Bucket: BUCKET, Delimiter: '/', MaxKeys: 10, Marker: paged.NextMarker }),
  );
  expect(next.CommonPrefixes![0].Prefix).toBe('dir10/');
  const inside = await client.send(
    new ListObjectsCommand({ Bucket: BUCKET, Prefix: 'dir42/', Marker: 'dir42/file-050042', MaxKeys: 3 }),
  );
  expect(inside.Contents!.map((c) => c.Key)).toEqual([
    'dir42/file-050142',
    'dir42/file-050242',
    'dir42/file-050342',
  ]);
});
