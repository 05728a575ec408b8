import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { createLogger } from '../../gateway/log';
import { BucketIndex } from '../../gateway/backends/s3/store/bucket-index';
import { encodeFooterOf } from '../../gateway/backends/s3/store/footer';
import { Layout } from '../../gateway/backends/s3/store/layout';
import { encodeFooter } from '../../gateway/backends/s3/store/object-file';
import { newVersionId } from '../../gateway/backends/s3/store/version-ids';
import {
  attributes,
  bucketRecord,
  byBytes,
  other,
  owner,
  put,
  sha256,
  useTempStores,
} from '../helpers/store';
import {
  DiskStore,
  isDeleteMarker,
  type DeleteMarkerRecord,
  type ObjectRecord,
  type ObjectStore,
  type VersionListQuery,
  type VersionListResult,
  type VersionRecord,
} from '../../gateway/backends/s3/store';

// The real module object, which the store's named imports read `open` from at call time.
const fsp = require('node:fs/promises') as typeof import('node:fs/promises');

const ISSUED_ID = /^[A-Za-z0-9_-]{32}$/;

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/** A small seeded PRNG (mulberry32), so a failing random round can be replayed. */
function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function vquery(q: Partial<VersionListQuery>): VersionListQuery {
  return { prefix: '', delimiter: '', keyMarker: '', versionIdMarker: '', maxKeys: 100_000, ...q };
}

/** One line per entry: `V:key#id` (`*` when latest, `~` when a delete marker) or `P:prefix`. */
function summarise(entries: VersionListResult['entries']): string[] {
  return entries.map((e) =>
    e.kind === 'prefix'
      ? `P:${e.prefix}`
      : `V:${e.record.key}#${e.record.versionId}${isDeleteMarker(e.record) ? '~' : ''}${e.isLatest ? '*' : ''}`,
  );
}

function fakeObject(key: string, versionId: string, sequence: number): ObjectRecord {
  return Object.freeze({
    key,
    size: 0,
    etag: `${key}#${versionId}#${sequence}`,
    lastModified: 0,
    owner,
    headers: {},
    metadata: {},
    checksums: {},
    storageClass: 'STANDARD',
    generation: `g${sequence}`,
    versionId,
    sequence,
  });
}

function fakeMarker(key: string, versionId: string, sequence: number): DeleteMarkerRecord {
  return Object.freeze({ key, versionId, sequence, lastModified: 0, owner, deleteMarker: true as const });
}

// ---------------------------------------------------------------------------------------------
// 1. BucketIndex.listVersions against a model
// ---------------------------------------------------------------------------------------------

/** Every version as a flat list; the obviously-right listing is computed from it. */
type Model = Map<string, VersionRecord[]>;

function modelAdd(model: Model, record: VersionRecord): void {
  const list = (model.get(record.key) ?? []).filter((v) => v.versionId !== record.versionId);
  list.push(record);
  list.sort((a, b) => b.sequence - a.sequence);
  model.set(record.key, list);
}

function modelDelete(model: Model, key: string, versionId: string): void {
  const list = (model.get(key) ?? []).filter((v) => v.versionId !== versionId);
  if (list.length) model.set(key, list);
  else model.delete(key);
}

/** ListObjectVersions by the letter, over every key. */
function modelList(model: Model, q: VersionListQuery): { summary: string[]; result: VersionListResult } {
  const all: VersionListResult['entries'] = [];
  const seen = new Set<string>();
  for (const key of [...model.keys()].sort(byBytes)) {
    if (!key.startsWith(q.prefix)) continue;
    const i = q.delimiter ? key.indexOf(q.delimiter, q.prefix.length) : -1;
    if (i >= 0) {
      const prefix = key.slice(0, i + q.delimiter.length);
      if (seen.has(prefix) || byBytes(prefix, q.keyMarker) <= 0) continue;
      seen.add(prefix);
      all.push({ kind: 'prefix', prefix });
      continue;
    }
    const versions = model.get(key)!;
    let from = 0;
    const order = byBytes(key, q.keyMarker);
    if (order < 0) continue;
    if (order === 0) {
      if (q.versionIdMarker === '') continue;
      const marked = versions.findIndex((v) => v.versionId === q.versionIdMarker);
      if (marked < 0) continue;
      from = marked + 1;
    }
    for (let v = from; v < versions.length; v++) {
      all.push({ kind: 'version', record: versions[v], isLatest: v === 0 });
    }
  }
  const entries = q.maxKeys > 0 ? all.slice(0, q.maxKeys) : [];
  const isTruncated = q.maxKeys > 0 && all.length > q.maxKeys;
  const last = entries[entries.length - 1];
  const result: VersionListResult = {
    entries,
    isTruncated,
    nextKeyMarker: !isTruncated ? '' : last.kind === 'prefix' ? last.prefix : last.record.key,
    nextVersionIdMarker: !isTruncated || last.kind === 'prefix' ? '' : last.record.versionId,
  };
  return { summary: summarise(entries), result };
}

function view(result: VersionListResult) {
  return {
    entries: summarise(result.entries),
    isTruncated: result.isTruncated,
    nextKeyMarker: result.nextKeyMarker,
    nextVersionIdMarker: result.nextVersionIdMarker,
  };
}

/** Pages through a listing, feeding the next markers back, and returns everything it saw. */
function pageThrough(index: BucketIndex, q: VersionListQuery): { entries: string[]; pages: number } {
  const entries: string[] = [];
  let keyMarker = q.keyMarker;
  let versionIdMarker = q.versionIdMarker;
  for (let pages = 1; pages < 10_000; pages++) {
    const page = index.listVersions({ ...q, keyMarker, versionIdMarker });
    entries.push(...summarise(page.entries));
    if (!page.isTruncated) return { entries, pages };
    // A truncated page must make progress, or a client would loop for ever.
    expect(page.entries).toHaveLength(q.maxKeys);
    expect([page.nextKeyMarker, page.nextVersionIdMarker]).not.toEqual([keyMarker, versionIdMarker]);
    keyMarker = page.nextKeyMarker;
    versionIdMarker = page.nextVersionIdMarker;
  }
  throw new Error('paging did not end');
}

describe('BucketIndex versions', () => {
  it('matches a model listing on random versions, markers, prefixes, delimiters and markers; pages add up', () => {
    const seed = Number(process.env.VERSIONS_SEED ?? Date.now() % 1_000_000);
    const random = prng(seed);
    const int = (n: number) => Math.floor(random() * n);
    const alphabet = ['a', 'b', '/', '-', 'é', '😀'];
    const pick = (n: number) => Array.from({ length: n }, () => alphabet[int(alphabet.length)]).join('');
    const delimiters = ['', '/', '-', 'é😀', '/a'];
    let sequence = 1;

    for (let round = 0; round < 120; round++) {
      const context = `seed ${seed} round ${round}`;
      const keys = [...new Set(Array.from({ length: 3 + int(20) }, () => pick(1 + int(4))))];
      const model: Model = new Map();
      const records: VersionRecord[] = [];
      for (const key of keys) {
        const count = 1 + int(4);
        const nullAt = random() < 0.4 ? int(count) : -1;
        for (let v = 0; v < count; v++) {
          // Sequences with gaps and in no particular order relative to the keys.
          sequence += 1 + int(3);
          const id = v === nullAt ? 'null' : newVersionId();
          const record = random() < 0.3 ? fakeMarker(key, id, sequence) : fakeObject(key, id, sequence);
          records.push(record);
          modelAdd(model, record);
        }
      }
      // Built incrementally in random order, and loaded in one go: both must be the same index.
      const shuffled = records.map((r) => ({ r, k: random() })).sort((a, b) => a.k - b.k);
      const index = new BucketIndex();
      for (const { r } of shuffled) index.set(r);
      const loaded = BucketIndex.fromRecords(shuffled.map((s) => s.r));
      expect([context, view(loaded.listVersions(vquery({})))]).toEqual([
        context,
        view(index.listVersions(vquery({}))),
      ]);

      // Changes: replace null versions (newest or not), add versions, delete versions (often the latest).
      for (let change = 0; change < 8; change++) {
        const key = keys[int(keys.length)];
        const versions = model.get(key) ?? [];
        const what = random();
        if (what < 0.3) {
          sequence += 1;
          const record =
            random() < 0.4 ? fakeMarker(key, 'null', sequence) : fakeObject(key, 'null', sequence);
          index.set(record);
          modelAdd(model, record);
        } else if (what < 0.5) {
          sequence += 1;
          const record =
            random() < 0.5
              ? fakeMarker(key, newVersionId(), sequence)
              : fakeObject(key, newVersionId(), sequence);
          index.set(record);
          modelAdd(model, record);
        } else if (versions.length > 0) {
          const victim = random() < 0.5 ? versions[0] : versions[int(versions.length)];
          expect(index.delete(key, victim.versionId)).toBe(victim);
          modelDelete(model, key, victim.versionId);
        } else {
          expect(index.delete(key, 'null')).toBeUndefined();
        }
      }

      // Point lookups and the current-object view agree with the model.
      expect(index.size).toBe(model.size);
      for (const key of keys) {
        const versions = model.get(key) ?? [];
        expect([context, key, index.versionsOf(key)]).toEqual([context, key, versions]);
        expect(index.latest(key)).toBe(versions[0]);
        expect(index.get(key)).toBe(versions[0] && !isDeleteMarker(versions[0]) ? versions[0] : undefined);
        for (const v of versions) expect(index.getVersion(key, v.versionId)).toBe(v);
      }
      const current = [...model.entries()]
        .filter(([, versions]) => !isDeleteMarker(versions[0]))
        .map(([key]) => key)
        .sort(byBytes);
      expect([context, [...index.keysInOrder()]]).toEqual([context, current]);
      const listed = index.list({ prefix: '', after: '', delimiter: '', maxKeys: 1000 });
      expect([
        context,
        listed.entries.map((e) => (e.kind === 'object' ? e.record.key : `P:${e.prefix}`)),
      ]).toEqual([context, current]);
      for (const e of listed.entries) if (e.kind === 'object') expect(isDeleteMarker(e.record)).toBe(false);

      for (let n = 0; n < 15; n++) {
        const existing = [...model.keys()];
        const markerKey =
          random() < 0.4
            ? ''
            : random() < 0.6 && existing.length
              ? existing[int(existing.length)]
              : pick(1 + int(4));
        const markerVersions = model.get(markerKey) ?? [];
        const q = vquery({
          prefix: random() < 0.5 ? '' : pick(1 + int(2)),
          delimiter: delimiters[int(delimiters.length)],
          keyMarker: markerKey,
          versionIdMarker:
            markerVersions.length && random() < 0.6
              ? markerVersions[int(markerVersions.length)].versionId
              : '',
          maxKeys: int(8),
        });
        const expected = modelList(model, q);
        const actual = index.listVersions(q);
        expect([context, q, view(actual)]).toEqual([context, q, view(expected.result)]);
        // The very records of the index, not copies.
        actual.entries.forEach((e, i) => {
          const m = expected.result.entries[i];
          if (e.kind === 'version' && m.kind === 'version') expect(e.record).toBe(m.record);
        });
        // isLatest exactly on the newest version of each key; each common prefix once.
        for (const e of actual.entries) {
          if (e.kind === 'version') expect(e.isLatest).toBe(model.get(e.record.key)![0] === e.record);
        }
        const prefixes = actual.entries.flatMap((e) => (e.kind === 'prefix' ? [e.prefix] : []));
        expect(new Set(prefixes).size).toBe(prefixes.length);

        if (q.maxKeys > 0) {
          const whole = index.listVersions({ ...q, maxKeys: 100_000 });
          expect(whole.isTruncated).toBe(false);
          const paged = pageThrough(index, q);
          expect([context, q, paged.entries]).toEqual([context, q, summarise(whole.entries)]);
          expect(paged.pages).toBe(Math.max(1, Math.ceil(whole.entries.length / q.maxKeys)));
        }
      }
    }
  });

  it('marks only the newest version of a key latest and rolls many versions into one common prefix', () => {
    const index = BucketIndex.fromRecords([
      fakeObject('d/x', 'null', 1),
      fakeObject('d/x', 'A'.repeat(32), 5),
      fakeMarker('d/x', 'B'.repeat(32), 9),
      fakeObject('d/y', 'C'.repeat(32), 2),
      fakeObject('d/y', 'D'.repeat(32), 3),
      fakeObject('e', 'E'.repeat(32), 4),
      fakeMarker('f', 'null', 6),
    ]);
    expect(summarise(index.listVersions(vquery({})).entries)).toEqual([
      `V:d/x#${'B'.repeat(32)}~*`,
      `V:d/x#${'A'.repeat(32)}`,
      'V:d/x#null',
      `V:d/y#${'D'.repeat(32)}*`,
      `V:d/y#${'C'.repeat(32)}`,
      `V:e#${'E'.repeat(32)}*`,
      'V:f#null~*',
    ]);
    // Five versions under d/ are one entry, which counts once towards maxKeys.
    const first = index.listVersions(vquery({ delimiter: '/', maxKeys: 1 }));
    expect(view(first)).toEqual({
      entries: ['P:d/'],
      isTruncated: true,
      nextKeyMarker: 'd/',
      nextVersionIdMarker: '',
    });
    const second = index.listVersions(vquery({ delimiter: '/', maxKeys: 2, keyMarker: 'd/' }));
    expect(view(second)).toEqual({
      entries: [`V:e#${'E'.repeat(32)}*`, 'V:f#null~*'],
      isTruncated: false,
      nextKeyMarker: '',
      nextVersionIdMarker: '',
    });
    // list() shows neither d/x (a marker is its latest) nor f (only a marker).
    expect([...index.keysInOrder()]).toEqual(['d/y', 'e']);
    expect(index.size).toBe(4);
  });

  it('keyMarker alone skips every version of that key; with a version id it resumes after that version', () => {
    const a = ['1', '2', '3'].map((c, i) => fakeObject('a', c.repeat(32), 10 - i));
    const b = [fakeObject('b', 'null', 4), fakeMarker('b', '4'.repeat(32), 5)];
    const index = BucketIndex.fromRecords([...b, ...a]);
    expect(summarise(index.listVersions(vquery({ keyMarker: 'a' })).entries)).toEqual([
      `V:b#${'4'.repeat(32)}~*`,
      'V:b#null',
    ]);
    expect(
      summarise(index.listVersions(vquery({ keyMarker: 'a', versionIdMarker: '2'.repeat(32) })).entries),
    ).toEqual([`V:a#${'3'.repeat(32)}`, `V:b#${'4'.repeat(32)}~*`, 'V:b#null']);
    expect(
      summarise(index.listVersions(vquery({ keyMarker: 'a', versionIdMarker: '3'.repeat(32) })).entries),
    ).toEqual([`V:b#${'4'.repeat(32)}~*`, 'V:b#null']);
    const page = index.listVersions(vquery({ maxKeys: 2 }));
    expect([page.nextKeyMarker, page.nextVersionIdMarker, page.isTruncated]).toEqual([
      'a',
      '2'.repeat(32),
      true,
    ]);
  });

  it('set() replaces the version with the same id; delete() of the latest makes the next one current', () => {
    const index = new BucketIndex();
    const n1 = fakeObject('k', 'null', 1);
    const v2 = fakeObject('k', 'V'.repeat(32), 2);
    index.set(n1);
    index.set(v2);
    expect(index.versionsOf('k')).toEqual([v2, n1]);
    // A new null version replaces the old one and, being newer, becomes the latest.
    const n3 = fakeObject('k', 'null', 3);
    index.set(n3);
    expect(index.versionsOf('k')).toEqual([n3, v2]);
    expect(index.get('k')).toBe(n3);
    // Same id and sequence (an ACL/tag change) keeps its place.
    const v2b = { ...v2, tags: [{ key: 't', value: 'v' }] };
    index.set(v2b);
    expect(index.versionsOf('k')).toEqual([n3, v2b]);
    // A null delete marker replaces the null version: the key disappears from list().
    const m4 = fakeMarker('k', 'null', 4);
    index.set(m4);
    expect(index.versionsOf('k')).toEqual([m4, v2b]);
    expect(index.get('k')).toBeUndefined();
    expect(index.latest('k')).toBe(m4);
    expect([...index.keysInOrder()]).toEqual([]);
    expect(index.list({ prefix: '', after: '', delimiter: '', maxKeys: 10 }).entries).toEqual([]);
    // Removing the marker makes the older version current again.
    expect(index.delete('k', 'null')).toBe(m4);
    expect(index.get('k')).toBe(v2b);
    expect([...index.keysInOrder()]).toEqual(['k']);
    expect(summarise(index.listVersions(vquery({})).entries)).toEqual([`V:k#${'V'.repeat(32)}*`]);
    expect(index.delete('k', 'null')).toBeUndefined();
    expect(index.delete('k', 'V'.repeat(32))).toBe(v2b);
    expect(index.size).toBe(0);
    expect(index.listVersions(vquery({}))).toEqual({
      entries: [],
      isTruncated: false,
      nextKeyMarker: '',
      nextVersionIdMarker: '',
    });
  });
});

// ---------------------------------------------------------------------------------------------
// 2-4. DiskStore
// ---------------------------------------------------------------------------------------------

const temp = useTempStores('apigw-s3-versions-');
const openStore = temp.open;
const restart = temp.restart;
let layout: Layout;

beforeEach(() => {
  layout = new Layout(temp.dataDir);
});

afterEach(() => {
  jest.restoreAllMocks();
});

/** The bytes of a version as a string, `marker <id>` for a delete marker, undefined when there is none. */
async function read(
  store: ObjectStore,
  bucket: string,
  key: string,
  versionId?: string,
): Promise<string | undefined> {
  const opened = await store.openObject(bucket, key, versionId);
  if (!opened) return undefined;
  if (isDeleteMarker(opened)) return `marker ${opened.versionId}`;
  const chunks: Buffer[] = [];
  for await (const chunk of opened.createReadStream()) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

function everything(store: ObjectStore, bucket: string): VersionListResult['entries'] {
  const all = store.listVersions(bucket, vquery({}));
  expect(all.isTruncated).toBe(false);
  return all.entries;
}

/** [key, versionId] of every version the store lists, in listing order. */
function listed(store: ObjectStore, bucket: string): string[] {
  return everything(store, bucket).map((e) =>
    e.kind === 'version' ? `${e.record.key} ${e.record.versionId}` : '',
  );
}

/** Every file under the bucket's objects/ directory, relative to it, sorted. */
async function filesOnDisk(bucket: string): Promise<string[]> {
  const objects = layout.objectsDir(layout.bucketDir(bucket));
  const found: string[] = [];
  for (const entry of await readdir(objects, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) found.push(relative(objects, join(entry.parentPath, entry.name)));
  }
  return found.sort();
}

/** The files the layout puts the versions (and ACL/tag sidecars) at, relative to objects/, sorted. */
function layoutFiles(
  bucket: string,
  versions: Array<[string, string]>,
  sidecars: Array<[string, string]> = [],
) {
  const objects = layout.objectsDir(layout.bucketDir(bucket));
  const at = (key: string, id: string) => layout.objectPath(bucket, key, id).file;
  return [
    ...versions.map(([key, id]) => relative(objects, at(key, id))),
    ...sidecars.map(([key, id]) => relative(objects, layout.subresourcesFile(at(key, id)))),
  ].sort();
}

/** Disk holds exactly one file per version the index lists (plus the given sidecars), where the layout says. */
async function expectLayout(store: ObjectStore, bucket: string, sidecars: Array<[string, string]> = []) {
  const versions = listed(store, bucket).map((s) => s.split(' ') as [string, string]);
  expect(await filesOnDisk(bucket)).toEqual(layoutFiles(bucket, versions, sidecars));
}

describe('DiskStore versioning', () => {
  let store: DiskStore;

  beforeEach(async () => {
    store = await openStore();
    await store.createBucket(bucketRecord('bkt'));
  });

  it('persists the versioning state across restarts', async () => {
    expect(store.getBucket('bkt')?.versioning).toBeUndefined();
    const enabled = await store.setBucketVersioning('bkt', 'Enabled', 'Disabled');
    expect(enabled).toMatchObject({ name: 'bkt', versioning: 'Enabled', mfaDelete: 'Disabled' });
    expect(store.getBucket('bkt')).toEqual(enabled);
    store = await restart(store);
    expect(store.getBucket('bkt')).toEqual(enabled);
    const suspended = await store.setBucketVersioning('bkt', 'Suspended');
    // mfaDelete not given: kept as it was.
    expect(suspended).toMatchObject({ versioning: 'Suspended', mfaDelete: 'Disabled' });
    store = await restart(store);
    expect(store.getBucket('bkt')).toEqual(suspended);
    expect(await store.setBucketVersioning('missing', 'Enabled')).toBeUndefined();
    expect(await readdir(layout.tmp)).toEqual([]);
  });

  it('keeps every version of an Enabled bucket under its own id, readable by id', async () => {
    await store.setBucketVersioning('bkt', 'Enabled');
    const one = await put(store, 'bkt', 'k', 'one');
    const two = await put(store, 'bkt', 'k', 'two, longer');
    const three = await put(store, 'bkt', 'k', '3');
    const ids = [one, two, three].map((r) => r.versionId);
    for (const id of ids) expect(id).toMatch(ISSUED_ID);
    expect(new Set(ids).size).toBe(3);
    expect(one.sequence).toBeLessThan(two.sequence);
    expect(two.sequence).toBeLessThan(three.sequence);

    expect(store.getObjectRecord('bkt', 'k')).toEqual(three);
    expect(store.getVersion('bkt', 'k')).toEqual(three);
    expect(store.getVersion('bkt', 'k', one.versionId)).toEqual(one);
    expect(store.getVersion('bkt', 'k', 'null')).toBeUndefined();
    expect(await read(store, 'bkt', 'k')).toBe('3');
    expect(await read(store, 'bkt', 'k', one.versionId)).toBe('one');
    expect(await read(store, 'bkt', 'k', two.versionId)).toBe('two, longer');
    expect(await read(store, 'bkt', 'k', 'null')).toBeUndefined();
    expect(await read(store, 'bkt', 'k', 'x'.repeat(32))).toBeUndefined();
    const opened = await store.openObject('bkt', 'k', two.versionId);
    expect(opened && !isDeleteMarker(opened) && opened.record).toEqual(two);
    if (opened && !isDeleteMarker(opened)) await opened.close();

    expect(summarise(everything(store, 'bkt'))).toEqual([
      `V:k#${three.versionId}*`,
      `V:k#${two.versionId}`,
      `V:k#${one.versionId}`,
    ]);
    expect(store.listObjects('bkt', { prefix: '', after: '', delimiter: '', maxKeys: 10 }).entries).toEqual([
      { kind: 'object', record: three },
    ]);
    // One file per version, named <sha256(key)>.<id> in the fan-out directory of the digest.
    const h = sha256('k');
    expect(await readdir(join(layout.objectsDir(layout.bucketDir('bkt')), h.slice(0, 2)))).toEqual(
      ids.map((id) => `${h}.${id}`).sort(),
    );
    await expectLayout(store, 'bkt');
  });

  it('a Suspended PUT replaces only the null version', async () => {
    const n0 = await put(store, 'bkt', 'k', 'n0');
    expect(n0.versionId).toBe('null');
    await store.setBucketVersioning('bkt', 'Enabled');
    const a = await put(store, 'bkt', 'k', 'a');
    const b = await put(store, 'bkt', 'k', 'b');
    expect(listed(store, 'bkt')).toEqual([`k ${b.versionId}`, `k ${a.versionId}`, 'k null']);
    await store.setBucketVersioning('bkt', 'Suspended');
    const n1 = await put(store, 'bkt', 'k', 'n1');
    expect(n1.versionId).toBe('null');
    expect(n1.sequence).toBeGreaterThan(b.sequence);
    expect(listed(store, 'bkt')).toEqual(['k null', `k ${b.versionId}`, `k ${a.versionId}`]);
    expect(store.getVersion('bkt', 'k', 'null')).toEqual(n1);
    const n2 = await put(store, 'bkt', 'k', 'n2');
    expect(everything(store, 'bkt').map((e) => e.kind === 'version' && e.record)).toEqual([n2, b, a]);
    expect(await read(store, 'bkt', 'k')).toBe('n2');
    expect(await read(store, 'bkt', 'k', 'null')).toBe('n2');
    expect(await read(store, 'bkt', 'k', a.versionId)).toBe('a');
    expect(await read(store, 'bkt', 'k', b.versionId)).toBe('b');
    expect(await filesOnDisk('bkt')).toEqual(
      layoutFiles('bkt', [
        ['k', 'null'],
        ['k', a.versionId],
        ['k', b.versionId],
      ]),
    );
    // Another key in a Suspended bucket gets a null version only.
    const other1 = await put(store, 'bkt', 'other', 'o');
    expect(other1.versionId).toBe('null');
    await expectLayout(store, 'bkt');
  });

  it('a delete without a version id in an Enabled bucket adds a delete marker', async () => {
    await store.setBucketVersioning('bkt', 'Enabled');
    const a = await put(store, 'bkt', 'k', 'a');
    const b = await put(store, 'bkt', 'k', 'b');
    const outcome = await store.deleteObject('bkt', 'k', undefined, other);
    expect(outcome.removed).toBeUndefined();
    const marker = outcome.marker!;
    expect(marker).toEqual({
      key: 'k',
      versionId: expect.stringMatching(ISSUED_ID),
      sequence: expect.any(Number),
      lastModified: expect.any(Number),
      owner: other,
      deleteMarker: true,
    });
    expect(marker.sequence).toBeGreaterThan(b.sequence);
    expect(store.getObjectRecord('bkt', 'k')).toBeUndefined();
    expect(store.getVersion('bkt', 'k')).toEqual(marker);
    expect(store.getVersion('bkt', 'k', marker.versionId)).toEqual(marker);
    expect(await store.openObject('bkt', 'k')).toEqual(marker);
    expect(await read(store, 'bkt', 'k', a.versionId)).toBe('a');
    expect(await read(store, 'bkt', 'k', b.versionId)).toBe('b');
    expect(store.listObjects('bkt', { prefix: '', after: '', delimiter: '', maxKeys: 10 }).entries).toEqual(
      [],
    );
    expect(summarise(everything(store, 'bkt'))).toEqual([
      `V:k#${marker.versionId}~*`,
      `V:k#${b.versionId}`,
      `V:k#${a.versionId}`,
    ]);
    // The marker is a file of its own: no bytes, just its footer.
    const markerFile = layout.objectPath('bkt', 'k', marker.versionId).file;
    expect((await readFile(markerFile)).equals(encodeFooter(marker))).toBe(true);
    await expectLayout(store, 'bkt');

    // Without an owner the marker is the bucket owner's.
    const second = await store.deleteObject('bkt', 'k');
    expect(second.marker?.owner).toEqual(owner);
    expect(second.marker?.versionId).not.toBe(marker.versionId);
    expect(listed(store, 'bkt')).toHaveLength(4);
    // Removing the newer marker by id leaves the older one the latest.
    expect((await store.deleteObject('bkt', 'k', second.marker!.versionId)).removed).toEqual(second.marker);
    expect(store.getVersion('bkt', 'k')).toEqual(marker);
    // Removing that one too makes b current again.
    expect(await store.deleteObject('bkt', 'k', marker.versionId)).toEqual({ removed: marker });
    expect(store.getObjectRecord('bkt', 'k')).toEqual(b);
    expect(await read(store, 'bkt', 'k')).toBe('b');
    expect(existsSync(markerFile)).toBe(false);
    await expectLayout(store, 'bkt');
  });

  it('a delete without a version id in a Suspended bucket replaces the null version with a null marker', async () => {
    const n0 = await put(store, 'bkt', 'k', 'n0');
    await store.setBucketVersioning('bkt', 'Enabled');
    const a = await put(store, 'bkt', 'k', 'a');
    await store.setBucketVersioning('bkt', 'Suspended');
    const outcome = await store.deleteObject('bkt', 'k');
    expect(outcome.removed).toEqual(n0);
    const marker = outcome.marker!;
    expect(marker).toMatchObject({ key: 'k', versionId: 'null', deleteMarker: true, owner });
    expect(listed(store, 'bkt')).toEqual(['k null', `k ${a.versionId}`]);
    expect(store.getObjectRecord('bkt', 'k')).toBeUndefined();
    expect(store.getVersion('bkt', 'k')).toEqual(marker);
    expect(store.getVersion('bkt', 'k', 'null')).toEqual(marker);
    expect(await read(store, 'bkt', 'k', 'null')).toBe('marker null');
    expect(await read(store, 'bkt', 'k', a.versionId)).toBe('a');
    expect((await readFile(layout.objectPath('bkt', 'k').file)).equals(encodeFooter(marker))).toBe(true);
    await expectLayout(store, 'bkt');

    // Again: the null marker replaces the null marker.
    const again = await store.deleteObject('bkt', 'k');
    expect(again.removed).toEqual(marker);
    expect(again.marker?.versionId).toBe('null');
    expect(listed(store, 'bkt')).toEqual(['k null', `k ${a.versionId}`]);
    // A key without a null version: only a marker, nothing removed.
    await store.setBucketVersioning('bkt', 'Enabled');
    const c = await put(store, 'bkt', 'c', 'c');
    await store.setBucketVersioning('bkt', 'Suspended');
    const onC = await store.deleteObject('bkt', 'c');
    expect(onC.removed).toBeUndefined();
    expect(onC.marker?.versionId).toBe('null');
    expect(listed(store, 'bkt')).toEqual(['c null', `c ${c.versionId}`, 'k null', `k ${a.versionId}`]);
    // A Suspended PUT replaces the null marker: the key is back.
    const n1 = await put(store, 'bkt', 'k', 'n1');
    expect(store.getObjectRecord('bkt', 'k')).toEqual(n1);
    expect(listed(store, 'bkt')).toEqual(['c null', `c ${c.versionId}`, 'k null', `k ${a.versionId}`]);
    await expectLayout(store, 'bkt');
  });

  it('a delete with a version id removes that version for good', async () => {
    await store.setBucketVersioning('bkt', 'Enabled');
    const a = await put(store, 'bkt', 'k', 'a');
    const b = await put(store, 'bkt', 'k', 'b');
    const c = await put(store, 'bkt', 'k', 'c');
    expect(await store.deleteObject('bkt', 'k', b.versionId)).toEqual({ removed: b });
    expect(store.getVersion('bkt', 'k', b.versionId)).toBeUndefined();
    expect(await read(store, 'bkt', 'k', b.versionId)).toBeUndefined();
    expect(existsSync(layout.objectPath('bkt', 'k', b.versionId).file)).toBe(false);
    // Removing the latest makes the next one current.
    expect(await store.deleteObject('bkt', 'k', c.versionId)).toEqual({ removed: c });
    expect(store.getObjectRecord('bkt', 'k')).toEqual(a);
    expect(await read(store, 'bkt', 'k')).toBe('a');
    // Nothing to remove is not an error and changes nothing.
    expect(await store.deleteObject('bkt', 'k', b.versionId)).toEqual({});
    expect(await store.deleteObject('bkt', 'k', 'null')).toEqual({});
    expect(await store.deleteObject('bkt', 'nokey', a.versionId)).toEqual({});
    await expectLayout(store, 'bkt');
    store = await restart(store);
    expect(listed(store, 'bkt')).toEqual([`k ${a.versionId}`]);
    expect(await store.deleteObject('bkt', 'k', a.versionId)).toEqual({ removed: a });
    expect(store.getVersion('bkt', 'k')).toBeUndefined();
    expect(await filesOnDisk('bkt')).toEqual([]);
    expect(await store.deleteBucket('bkt')).toBe('deleted');
  });

  it('reloads every version, marker and their order identically after a restart', async () => {
    await put(store, 'bkt', 'legacy/null-only', 'n');
    await put(store, 'bkt', 'both', 'null first');
    await store.setBucketVersioning('bkt', 'Enabled');
    for (const key of ['both', 'dir/a', 'dir/b', 'dir/a', 'é', '😀', 'both'])
      await put(store, 'bkt', key, key);
    await store.deleteObject('bkt', 'dir/a');
    await store.deleteObject('bkt', 'gone-before-it-came');
    await store.setBucketVersioning('bkt', 'Suspended');
    await put(store, 'bkt', 'both', 'null again');
    await store.deleteObject('bkt', '😀');
    await store.setBucketVersioning('bkt', 'Enabled');
    await put(store, 'bkt', '😀', 'after marker');

    const before = everything(store, 'bkt');
    expect(before.length).toBeGreaterThan(10);
    const objects = store.listObjects('bkt', { prefix: '', after: '', delimiter: '', maxKeys: 100 });
    const rolled = store.listVersions('bkt', vquery({ delimiter: '/', maxKeys: 3 }));
    const bucket = store.getBucket('bkt');
    await expectLayout(store, 'bkt');

    store = await restart(store);
    expect(everything(store, 'bkt')).toEqual(before);
    expect(store.listObjects('bkt', { prefix: '', after: '', delimiter: '', maxKeys: 100 })).toEqual(objects);
    expect(store.listVersions('bkt', vquery({ delimiter: '/', maxKeys: 3 }))).toEqual(rolled);
    expect(store.getBucket('bkt')).toEqual(bucket);
    for (const e of before) {
      if (e.kind !== 'version') continue;
      const body = await read(store, 'bkt', e.record.key, e.record.versionId);
      if (isDeleteMarker(e.record)) expect(body).toBe(`marker ${e.record.versionId}`);
      else expect(createHash('md5').update(body!).digest('hex')).toBe(e.record.etag);
    }
    // Sequences go on above everything loaded: a new version is the latest of its key.
    const newest = Math.max(...before.map((e) => (e.kind === 'version' ? e.record.sequence : 0)));
    const fresh = await put(store, 'bkt', 'both', 'fresh');
    expect(fresh.sequence).toBeGreaterThan(newest);
    expect(store.getObjectRecord('bkt', 'both')).toEqual(fresh);
    await expectLayout(store, 'bkt');
  });

  it('changes the ACL and tags of one version only, durably', async () => {
    const grants = [
      {
        grantee: { type: 'Group' as const, uri: 'http://acs.amazonaws.com/groups/global/AllUsers' },
        permission: 'READ' as const,
      },
    ];
    await store.setBucketVersioning('bkt', 'Enabled');
    const a = await put(store, 'bkt', 'k', 'a', { ...attributes, tags: [{ key: 'orig', value: '1' }] });
    const b = await put(store, 'bkt', 'k', 'b');
    const aFile = layout.objectPath('bkt', 'k', a.versionId).file;
    const aBytes = await readFile(aFile);

    const updated = await store.updateObject(
      'bkt',
      'k',
      { acl: grants, tags: [{ key: 'new', value: '2' }] },
      a.versionId,
    );
    expect(updated).toEqual({ ...a, acl: grants, tags: [{ key: 'new', value: '2' }] });
    expect(store.getVersion('bkt', 'k', a.versionId)).toEqual(updated);
    expect(store.getVersion('bkt', 'k', b.versionId)).toEqual(b);
    expect(store.getObjectRecord('bkt', 'k')).toEqual(b);
    expect(listed(store, 'bkt')).toEqual([`k ${b.versionId}`, `k ${a.versionId}`]);
    expect((await readFile(aFile)).equals(aBytes)).toBe(true);
    const opened = await store.openObject('bkt', 'k', a.versionId);
    expect(opened && !isDeleteMarker(opened) && opened.record).toEqual(updated);
    if (opened && !isDeleteMarker(opened)) await opened.close();
    await expectLayout(store, 'bkt', [['k', a.versionId]]);

    // Without an id: the latest. Tags only: the ACL stays.
    const latest = await store.updateObject('bkt', 'k', { tags: [{ key: 'l', value: '3' }] });
    expect(latest).toEqual({ ...b, tags: [{ key: 'l', value: '3' }] });
    // No such version, or a delete marker: nothing to change.
    expect(await store.updateObject('bkt', 'k', { tags: [] }, 'null')).toBeUndefined();
    expect(await store.updateObject('bkt', 'k', { tags: [] }, 'y'.repeat(32))).toBeUndefined();
    const { marker } = await store.deleteObject('bkt', 'k');
    expect(await store.updateObject('bkt', 'k', { tags: [] })).toBeUndefined();
    expect(await store.updateObject('bkt', 'k', { tags: [] }, marker!.versionId)).toBeUndefined();

    store = await restart(store);
    expect(store.getVersion('bkt', 'k', a.versionId)).toEqual(updated);
    expect(store.getVersion('bkt', 'k', b.versionId)).toEqual(latest);
    expect(store.getVersion('bkt', 'k')).toEqual(marker);
    const reopened = await store.openObject('bkt', 'k', a.versionId);
    expect(reopened && !isDeleteMarker(reopened) && reopened.record).toEqual(updated);
    if (reopened && !isDeleteMarker(reopened)) await reopened.close();
    await expectLayout(store, 'bkt', [
      ['k', a.versionId],
      ['k', b.versionId],
    ]);

    // Removing a version takes its sidecar along.
    await store.deleteObject('bkt', 'k', a.versionId);
    await expectLayout(store, 'bkt', [['k', b.versionId]]);
  });

  it('does not delete a bucket while a delete marker remains', async () => {
    await store.setBucketVersioning('bkt', 'Enabled');
    const a = await put(store, 'bkt', 'k', 'a');
    const { marker } = await store.deleteObject('bkt', 'k');
    expect(await store.deleteBucket('bkt')).toBe('not-empty');
    await store.deleteObject('bkt', 'k', a.versionId);
    expect(listed(store, 'bkt')).toEqual([`k ${marker!.versionId}`]);
    expect(store.listObjects('bkt', { prefix: '', after: '', delimiter: '', maxKeys: 10 }).entries).toEqual(
      [],
    );
    expect(await store.deleteBucket('bkt')).toBe('not-empty');
    store = await restart(store);
    expect(await store.deleteBucket('bkt')).toBe('not-empty');
    expect(await store.deleteObject('bkt', 'k', marker!.versionId)).toEqual({ removed: marker });
    expect(await store.deleteBucket('bkt')).toBe('deleted');
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Loader robustness
// ---------------------------------------------------------------------------------------------

describe('open() with versions', () => {
  function capture(level: 'info' | 'warn') {
    const lines: string[] = [];
    return { lines, log: createLogger(level, (line) => lines.push(line)) };
  }

  it('quarantines a version file whose name does not match its record, loading the rest', async () => {
    let store = await openStore();
    await store.createBucket(bucketRecord('bkt'));
    await store.setBucketVersioning('bkt', 'Enabled');
    const a = await put(store, 'bkt', 'k', 'a');
    const b = await put(store, 'bkt', 'k', 'b');
    const c = await put(store, 'bkt', 'k', 'c');
    const other1 = await put(store, 'bkt', 'other', 'o');
    await store.close();

    // a under another (well-formed) id, b under the null version's name.
    const fakeId = newVersionId();
    await rename(layout.objectPath('bkt', 'k', a.versionId).file, layout.objectPath('bkt', 'k', fakeId).file);
    await rename(layout.objectPath('bkt', 'k', b.versionId).file, layout.objectPath('bkt', 'k').file);

    const { lines, log } = capture('warn');
    store = await openStore(log);
    expect(listed(store, 'bkt')).toEqual([`k ${c.versionId}`, `other ${other1.versionId}`]);
    expect(await read(store, 'bkt', 'k')).toBe('c');
    expect(await read(store, 'bkt', 'other')).toBe('o');
    const lost = await readdir(join(layout.lostAndFound, 'bkt'));
    expect(lost).toHaveLength(2);
    expect(lost.some((name) => name.endsWith(`${sha256('k')}.${fakeId}`))).toBe(true);
    expect(lost.some((name) => name.endsWith(sha256('k')))).toBe(true);
    expect(lines.join('')).toContain(`holds version ${JSON.stringify(a.versionId)}`);
    expect(lines.join('')).toContain(`holds version ${JSON.stringify(b.versionId)}`);
    await expectLayout(store, 'bkt');
  });

  it('loads an object file written before versioning as the null version', async () => {
    let store = await openStore();
    await store.createBucket(bucketRecord('bkt'));
    await store.close();

    // A record with neither versionId nor sequence (nor generation), as files were before versioning.
    const lastModified = Date.now() + 3_600_000; // an hour ahead: a clock that was fast then
    const body = Buffer.from('legacy bytes');
    const legacy = {
      key: 'old/key',
      size: body.length,
      etag: createHash('md5').update(body).digest('hex'),
      lastModified,
      owner,
      headers: { 'content-type': 'text/plain' },
      metadata: { 'x-amz-meta-a': 'b' },
      checksums: {},
      storageClass: 'STANDARD',
    };
    const { dir, file } = layout.objectPath('bkt', legacy.key);
    await fsp.mkdir(dir, { recursive: true });
    await writeFile(file, Buffer.concat([body, encodeFooterOf({ format: 1, record: legacy })]));

    store = await openStore();
    const loaded = store.getObjectRecord('bkt', 'old/key');
    expect(loaded).toEqual({
      ...legacy,
      versionId: 'null',
      sequence: lastModified * 1000,
      generation: `${legacy.etag}-${lastModified}`,
    });
    expect(await read(store, 'bkt', 'old/key')).toBe('legacy bytes');
    expect(await read(store, 'bkt', 'old/key', 'null')).toBe('legacy bytes');
    expect(summarise(everything(store, 'bkt'))).toEqual(['V:old/key#null*']);

    // Its ACL/tags can change and survive a restart (its stand-in generation is stable).
    await store.updateObject('bkt', 'old/key', { tags: [{ key: 't', value: 'v' }] });
    store = await restart(store);
    expect(store.getObjectRecord('bkt', 'old/key')?.tags).toEqual([{ key: 't', value: 'v' }]);

    // New versions come after it even though its time is ahead of the clock.
    await store.setBucketVersioning('bkt', 'Enabled');
    const fresh = await put(store, 'bkt', 'old/key', 'new');
    expect(fresh.sequence).toBeGreaterThan(lastModified * 1000);
    expect(summarise(everything(store, 'bkt'))).toEqual([`V:old/key#${fresh.versionId}*`, 'V:old/key#null']);
    const marker = (await store.deleteObject('bkt', 'old/key')).marker!;
    expect(marker.sequence).toBeGreaterThan(fresh.sequence);
    expect(store.getVersion('bkt', 'old/key')).toEqual(marker);
    expect(await read(store, 'bkt', 'old/key', 'null')).toBe('legacy bytes');
    await expectLayout(store, 'bkt', [['old/key', 'null']]);
  });

  it('removes the stale ACL/tags sidecar of a removed or replaced version at start', async () => {
    let store = await openStore();
    await store.createBucket(bucketRecord('bkt'));
    await put(store, 'bkt', 'n', 'null version');
    await store.setBucketVersioning('bkt', 'Enabled');
    const a = await put(store, 'bkt', 'k', 'a');
    const b = await put(store, 'bkt', 'k', 'b');
    await store.updateObject('bkt', 'k', { tags: [{ key: 'a', value: '1' }] }, a.versionId);
    await store.updateObject('bkt', 'k', { tags: [{ key: 'b', value: '2' }] }, b.versionId);
    await store.updateObject('bkt', 'n', { tags: [{ key: 'n', value: '3' }] });
    const aSidecar = layout.subresourcesFile(layout.objectPath('bkt', 'k', a.versionId).file);
    const nSidecar = layout.subresourcesFile(layout.objectPath('bkt', 'n').file);
    const savedA = await readFile(aSidecar);
    const savedN = await readFile(nSidecar);

    // a removed for good; n's null version replaced by a null marker (Suspended delete).
    await store.deleteObject('bkt', 'k', a.versionId);
    await store.setBucketVersioning('bkt', 'Suspended');
    await store.deleteObject('bkt', 'n');
    expect(existsSync(aSidecar)).toBe(false);
    expect(existsSync(nSidecar)).toBe(false);
    await expectLayout(store, 'bkt', [['k', b.versionId]]);

    // A crash between the unlink/rename and the sidecar's removal would leave them behind.
    await store.close();
    await writeFile(aSidecar, savedA);
    await writeFile(nSidecar, savedN);
    const { lines, log } = capture('info');
    store = await openStore(log);
    expect(existsSync(aSidecar)).toBe(false);
    expect(existsSync(nSidecar)).toBe(false);
    expect(lines.join('').match(/object version it described is gone/g)).toHaveLength(2);
    expect(store.getVersion('bkt', 'k', b.versionId)).toMatchObject({ tags: [{ key: 'b', value: '2' }] });
    expect(store.getVersion('bkt', 'k', a.versionId)).toBeUndefined();
    expect(store.getVersion('bkt', 'n')).toMatchObject({ versionId: 'null', deleteMarker: true });
    await expectLayout(store, 'bkt', [['k', b.versionId]]);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. openObject racing a removal
// ---------------------------------------------------------------------------------------------

describe('openObject while a version is removed', () => {
  let store: DiskStore;

  beforeEach(async () => {
    store = await openStore();
    await store.createBucket(bucketRecord('bkt'));
  });

  /**
   * The first time the store opens `file`, runs `meanwhile` to completion first: the version was
   * looked up in the index, then removed before its file could be opened. Deterministic.
   */
  function beforeOpening(file: string, meanwhile: () => Promise<unknown>): { fired: () => boolean } {
    const realOpen = fsp.open;
    let fired = false;
    jest.spyOn(fsp, 'open').mockImplementation(async (path, ...rest) => {
      if (!fired && path === file) {
        fired = true;
        await meanwhile();
      }
      return realOpen(path, ...rest);
    });
    return { fired: () => fired };
  }

  it('opens the new latest when the latest version goes before its file is opened', async () => {
    await store.setBucketVersioning('bkt', 'Enabled');
    const a = await put(store, 'bkt', 'k', 'a');
    const b = await put(store, 'bkt', 'k', 'b');
    const hook = beforeOpening(layout.objectPath('bkt', 'k', b.versionId).file, () =>
      store.deleteObject('bkt', 'k', b.versionId),
    );
    const opened = await store.openObject('bkt', 'k');
    expect(hook.fired()).toBe(true);
    if (!opened || isDeleteMarker(opened))
      throw new Error(`expected version a, got ${JSON.stringify(opened)}`);
    expect(opened.record).toEqual(a);
    const chunks: Buffer[] = [];
    for await (const chunk of opened.createReadStream()) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('a');
  });

  it('gives undefined when the version asked for by id goes before its file is opened', async () => {
    await store.setBucketVersioning('bkt', 'Enabled');
    await put(store, 'bkt', 'k', 'a');
    const b = await put(store, 'bkt', 'k', 'b');
    const hook = beforeOpening(layout.objectPath('bkt', 'k', b.versionId).file, () =>
      store.deleteObject('bkt', 'k', b.versionId),
    );
    expect(await store.openObject('bkt', 'k', b.versionId)).toBeUndefined();
    expect(hook.fired()).toBe(true);
  });

  it('gives undefined when the only (null) version of an unversioned bucket goes', async () => {
    await put(store, 'bkt', 'k', 'v');
    const hook = beforeOpening(layout.objectPath('bkt', 'k').file, () => store.deleteObject('bkt', 'k'));
    expect(await store.openObject('bkt', 'k')).toBeUndefined();
    expect(hook.fired()).toBe(true);
    expect(store.getVersion('bkt', 'k')).toBeUndefined();
  });

  it('gives the null delete marker that replaced the null version meanwhile (Suspended)', async () => {
    await put(store, 'bkt', 'k', 'v');
    await store.setBucketVersioning('bkt', 'Suspended');
    let marker: DeleteMarkerRecord | undefined;
    const hook = beforeOpening(layout.objectPath('bkt', 'k').file, async () => {
      marker = (await store.deleteObject('bkt', 'k')).marker;
    });
    const opened = await store.openObject('bkt', 'k');
    expect(hook.fired()).toBe(true);
    expect(marker).toBeDefined();
    expect(opened).toEqual(marker);
  });

  it('gives the new null version, with its current record, when it replaced the one looked up', async () => {
    await put(store, 'bkt', 'k', 'old');
    let replaced: ObjectRecord | undefined;
    const hook = beforeOpening(layout.objectPath('bkt', 'k').file, async () => {
      replaced = await put(store, 'bkt', 'k', 'new bytes');
      replaced = await store.updateObject('bkt', 'k', { tags: [{ key: 't', value: 'v' }] });
    });
    const opened = await store.openObject('bkt', 'k', 'null');
    expect(hook.fired()).toBe(true);
    if (!opened || isDeleteMarker(opened)) throw new Error('expected the new null version');
    expect(opened.record).toEqual(replaced);
    const chunks: Buffer[] = [];
    for await (const chunk of opened.createReadStream()) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('new bytes');
  });
});
