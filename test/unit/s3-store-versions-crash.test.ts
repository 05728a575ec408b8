import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../gateway/log';
import { compileStore, runUntilKilled, type CompiledStore } from '../helpers/crash-child';
import { DiskStore, isDeleteMarker, type VersionRecord } from '../../gateway/backends/s3/store';

const { crashContent } = require('../fixtures/s3-store-crash-content') as {
  crashContent(seed: number, size: number): Buffer;
};

const ROUNDS = 3;

let compiled: CompiledStore;
let dataDir: string;

// The child is plain Node, so it needs the store as JavaScript.
beforeAll(async () => {
  compiled = await compileStore();
  dataDir = await mkdtemp(join(tmpdir(), 'apigw-s3-vcrash-'));
}, 60_000);

afterAll(async () => {
  await compiled.remove();
  await rm(dataDir, { recursive: true, force: true });
});

/** What the child said before it was killed: versions acknowledged, removals started and acknowledged. */
interface Told {
  committed: Set<string>;
  removing: Set<string>;
  removed: Set<string>;
}

async function runAndKill(): Promise<Told> {
  const told: Told = { committed: new Set(), removing: new Set(), removed: new Set() };
  const ended = await runUntilKilled(
    's3-store-versions-crash-child.js',
    compiled.module,
    dataDir,
    ([word, key, versionId]) => {
      const id = `${key} ${versionId}`;
      if (word === 'committed') told.committed.add(id);
      if (word === 'removing') told.removing.add(id);
      if (word === 'removed') told.removed.add(id);
    },
  );
  expect(ended).toEqual([null, 'SIGKILL']);
  return told;
}

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

it('keeps every acknowledged version and marker, and every acknowledged removal, across SIGKILLs', async () => {
  let interrupted = 0;
  // Versions removed in an earlier round stay removed; versions acknowledged earlier must survive later rounds too.
  const acknowledged = new Set<string>();
  const gone = new Set<string>();
  for (let round = 0; round < ROUNDS; round++) {
    const told = await runAndKill();
    expect(told.committed.size).toBeGreaterThan(0);
    for (const id of told.committed) acknowledged.add(id);
    for (const id of told.removing) acknowledged.delete(id);
    for (const id of told.removed) gone.add(id);
    interrupted += (await readdir(join(dataDir, 's3', 'tmp'))).length;

    const store = new DiskStore(dataDir, silentLogger);
    await store.open();
    try {
      expect(await readdir(join(dataDir, 's3', 'tmp'))).toEqual([]);
      const all = store.listVersions('crash', {
        prefix: '',
        delimiter: '',
        keyMarker: '',
        versionIdMarker: '',
        maxKeys: 100_000,
      });
      expect(all.isTruncated).toBe(false);
      const found = new Map<string, VersionRecord>();
      for (const entry of all.entries) {
        if (entry.kind === 'version')
          found.set(`${entry.record.key} ${entry.record.versionId}`, entry.record);
      }
      for (const id of acknowledged) expect(found.has(id)).toBe(true);
      for (const id of gone) expect(found.has(id)).toBe(false);
      for (const [id, version] of found) {
        if (isDeleteMarker(version)) continue;
        const opened = await store.openObject('crash', version.key, version.versionId);
        if (!opened || isDeleteMarker(opened)) throw new Error(`${id} cannot be opened`);
        const chunks: Buffer[] = [];
        for await (const chunk of opened.createReadStream()) chunks.push(chunk as Buffer);
        const body = Buffer.concat(chunks);
        expect(md5(body)).toBe(version.etag);
        const seed = Number(version.metadata['x-amz-meta-seed']);
        expect(md5(crashContent(seed, version.size))).toBe(version.etag);
      }
      // The index holds exactly what is on disk: one file per version or marker.
      const fanOut = join(dataDir, 's3', 'buckets', 'crash', 'objects');
      let files = 0;
      for (const dir of await readdir(fanOut)) files += (await readdir(join(fanOut, dir))).length;
      expect(found.size).toBe(files);
    } finally {
      await store.close();
    }
  }
  expect(gone.size).toBeGreaterThan(0);
  expect(interrupted).toBeGreaterThan(0);
}, 120_000);
