import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../gateway/log';
import { compileStore, runUntilKilled, type CompiledStore } from '../helpers/crash-child';
import { DiskStore, isDeleteMarker } from '../../gateway/backends/s3/store';

const { crashContent } = require('../fixtures/s3-store-crash-content') as {
  crashContent(seed: number, size: number): Buffer;
};

const ROUNDS = 3;

let compiled: CompiledStore;
let dataDir: string;

// The child is plain Node, so it needs the store as JavaScript.
beforeAll(async () => {
  compiled = await compileStore();
}, 60_000);

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'apigw-s3-crash-'));
});

afterAll(async () => {
  await compiled.remove();
  await rm(dataDir, { recursive: true, force: true });
});

/** Runs the writer child until writes are in flight, then SIGKILLs it; returns its acknowledged commits. */
async function runAndKill(): Promise<Map<string, Set<string>>> {
  const acknowledged = new Map<string, Set<string>>();
  const ended = await runUntilKilled(
    's3-store-crash-child.js',
    compiled.module,
    dataDir,
    ([word, key, etag]) => {
      if (word === 'committed') acknowledged.set(key, (acknowledged.get(key) ?? new Set()).add(etag));
    },
  );
  expect(ended).toEqual([null, 'SIGKILL']);
  return acknowledged;
}

async function readAll(store: DiskStore, key: string): Promise<Buffer> {
  const opened = await store.openObject('crash', key);
  if (!opened || isDeleteMarker(opened)) throw new Error(`${key} vanished`);
  const chunks: Buffer[] = [];
  for await (const chunk of opened.createReadStream()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

it('loses nothing and leaves nothing half-written when the writer is SIGKILLed', async () => {
  let interrupted = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const acknowledged = await runAndKill();
    expect(acknowledged.size).toBeGreaterThan(0);
    interrupted += (await readdir(join(dataDir, 's3', 'tmp'))).length;

    const store = new DiskStore(dataDir, silentLogger);
    await store.open();
    try {
      expect(await readdir(join(dataDir, 's3', 'tmp'))).toEqual([]);
      const listed = store.listObjects('crash', {
        prefix: '',
        after: '',
        delimiter: '',
        maxKeys: 1000,
      }).entries;
      for (let k = 0; k < 12; k++) {
        const key = `key-${k}`;
        const record = store.getObjectRecord('crash', key);
        // A commit the child saw succeed must survive; a later one may have replaced it.
        if (acknowledged.has(key)) expect(record).toBeDefined();
        if (!record) continue;
        const body = await readAll(store, key);
        expect(body.length).toBe(record.size);
        expect(md5(body)).toBe(record.etag);
        const seed = Number(record.metadata['x-amz-meta-seed']);
        expect(Number(record.metadata['x-amz-meta-size'])).toBe(record.size);
        expect(md5(crashContent(seed, record.size))).toBe(record.etag);
      }
      // The index holds exactly what is on disk.
      const fanOut = join(dataDir, 's3', 'buckets', 'crash', 'objects');
      let files = 0;
      for (const dir of await readdir(fanOut)) files += (await readdir(join(fanOut, dir))).length;
      expect(listed).toHaveLength(files);
    } finally {
      await store.close();
    }
  }
  // Proof that the kills landed while writes were in flight, not between them.
  expect(interrupted).toBeGreaterThan(0);
}, 120_000);
