import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { silentLogger } from '../../gateway/log';
import { DiskStore, isDeleteMarker } from '../../gateway/backends/s3/store';

const { crashContent } = require('../fixtures/s3-store-crash-content') as {
  crashContent(seed: number, size: number): Buffer;
};

const repo = join(__dirname, '..', '..');
const child = join(repo, 'test', 'fixtures', 's3-store-crash-child.js');
const ROUNDS = 3;

let buildDir: string;
let dataDir: string;

// The child is plain Node, so it needs the store as JavaScript. Compiling the current sources
// (rather than using dist/) means the test can never pass against a stale build.
beforeAll(async () => {
  buildDir = await mkdtemp(join(tmpdir(), 'apigw-s3-crash-build-'));
  execFileSync(
    process.execPath,
    [
      require.resolve('typescript/bin/tsc'),
      ...['--outDir', buildDir, '--rootDir', repo, '--module', 'commonjs', '--target', 'ES2022'],
      ...['--moduleResolution', 'node', '--types', 'node', '--skipLibCheck', '--noCheck'],
      join(repo, 'gateway', 'backends', 's3', 'store', 'index.ts'),
    ],
    { stdio: 'pipe' },
  );
}, 60_000);

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'apigw-s3-crash-'));
});

afterAll(async () => {
  await rm(buildDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
});

/** Runs the writer child until writes are in flight, then SIGKILLs it; returns its acknowledged commits. */
async function runAndKill(): Promise<Map<string, Set<string>>> {
  const storeModule = join(buildDir, 'gateway', 'backends', 's3', 'store', 'index.js');
  const proc = spawn(process.execPath, [child, storeModule, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(proc, 'exit');
  const acknowledged = new Map<string, Set<string>>();
  const ready = new Promise<void>((resolve, reject) => {
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const [word, key, etag] = line.split(' ');
      if (word === 'committed') acknowledged.set(key, (acknowledged.get(key) ?? new Set()).add(etag));
      if (word === 'writing') resolve();
    });
    exited.then(([code]) => reject(new Error(`child exited early (${String(code)}): ${stderr}`)), reject);
  });
  await ready;
  proc.kill('SIGKILL');
  const [code, signal] = await exited;
  expect([code, signal]).toEqual([null, 'SIGKILL']);
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
