/**
 * The store's in-memory copies of small objects: bounded, least recently used out, and never
 * handed out for a version file that is not the one the index names, even when reads and
 * writes of a key interleave at the worst moments.
 */
import { Layout } from '../../gateway/backends/s3/store/layout';
import { ObjectCache } from '../../gateway/backends/s3/store/object-cache';
import { DiskStore, isDeleteMarker, type ObjectRecord } from '../../gateway/backends/s3/store';
import { silentLogger } from '../../gateway/log';
import { attributes, bucketRecord, put, useTempStores } from '../helpers/store';

// The real module object, which the store's named imports read `open` and `rename` from at call time.
const fsp = require('node:fs/promises') as typeof import('node:fs/promises');

const temp = useTempStores('apigw-s3-cache-');

afterEach(() => jest.restoreAllMocks());

function record(key: string, generation: string, sequence: number, size = 1): ObjectRecord {
  return {
    key,
    size,
    etag: 'e',
    lastModified: 0,
    owner: attributes.owner,
    headers: {},
    metadata: {},
    checksums: {},
    storageClass: 'STANDARD',
    generation,
    versionId: 'null',
    sequence,
  };
}

describe('ObjectCache', () => {
  it('gives bytes only for the same stored version (generation and sequence)', () => {
    const cache = new ObjectCache();
    const body = Buffer.from('x');
    cache.set('b', record('k', 'g1', 1), body);
    expect(cache.get('b', record('k', 'g1', 1))).toBe(body);
    expect(cache.get('other', record('k', 'g1', 1))).toBeUndefined();
    expect(cache.get('b', record('k', 'g1', 2))).toBeUndefined();
    // A mismatch drops the entry.
    expect(cache.get('b', record('k', 'g1', 1))).toBeUndefined();
    cache.set('b', record('k', 'g1', 1), body);
    expect(cache.get('b', record('k', 'g2', 1))).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('keeps what fits, least recently used out first; big bodies not at all', () => {
    const cache = new ObjectCache(3 * (1000 + 256));
    const body = Buffer.alloc(1000);
    for (const key of ['a', 'b', 'c']) cache.set('b', record(key, key, 1), body);
    expect(cache.get('b', record('a', 'a', 1))).toBe(body); // a is now the most recent
    cache.set('b', record('d', 'd', 1), body);
    expect(cache.get('b', record('b', 'b', 1))).toBeUndefined();
    for (const key of ['a', 'c', 'd']) expect(cache.get('b', record(key, key, 1))).toBe(body);
    expect(cache.size).toBeLessThanOrEqual(3 * (1000 + 256));

    cache.set('b', record('big', 'big', 1), Buffer.alloc(64 * 1024 + 1));
    expect(cache.get('b', record('big', 'big', 1))).toBeUndefined();
    cache.forget('b', 'a', 'null');
    expect(cache.get('b', record('a', 'a', 1))).toBeUndefined();
  });

  it('keeps nothing with no room', () => {
    const cache = new ObjectCache(0);
    cache.set('b', record('k', 'g', 1), Buffer.from('x'));
    expect(cache.get('b', record('k', 'g', 1))).toBeUndefined();
  });
});

describe('DiskStore reads of small objects', () => {
  const layout = () => new Layout(temp.dataDir);

  async function read(store: DiskStore, key: string, versionId?: string): Promise<string | undefined> {
    const opened = await store.openObject('bkt', key, versionId);
    if (!opened || isDeleteMarker(opened)) return undefined;
    const chunks: Buffer[] = [];
    for await (const chunk of opened.createReadStream()) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString();
  }

  /** Counts the store's opens of `file`. */
  function countOpens(file: string): () => number {
    const realOpen = fsp.open;
    let count = 0;
    jest.spyOn(fsp, 'open').mockImplementation(async (path, ...rest) => {
      if (path === file) count++;
      return realOpen(path, ...rest);
    });
    return () => count;
  }

  it('reads a small object from its file once, then from memory, with the same record', async () => {
    const store = await temp.open();
    await store.createBucket(bucketRecord('bkt'));
    const written = await put(store, 'bkt', 'k', 'small');
    const opens = countOpens(layout().objectPath('bkt', 'k').file);
    const first = await store.openObject('bkt', 'k');
    const second = await store.openObject('bkt', 'k');
    expect(opens()).toBe(1);
    if (!first || isDeleteMarker(first) || !second || isDeleteMarker(second)) throw new Error('no object');
    expect(first.record).toEqual(written);
    expect(second.record).toEqual(written);
    expect(second.body?.toString()).toBe('small');
    // The record of a hit carries the latest ACL and tags, as a read from disk does.
    const tagged = await store.updateObject('bkt', 'k', { tags: [{ key: 't', value: 'v' }] });
    await read(store, 'k');
    const third = await store.openObject('bkt', 'k');
    expect(third && !isDeleteMarker(third) && third.record).toEqual(tagged);
  });

  it('keeps no copies when given no room for them', async () => {
    const store = new DiskStore(temp.dataDir, silentLogger, { objectCacheBytes: 0 });
    await store.open();
    try {
      await store.createBucket(bucketRecord('bkt'));
      await put(store, 'bkt', 'k', 'small');
      const opens = countOpens(layout().objectPath('bkt', 'k').file);
      expect(await read(store, 'k')).toBe('small');
      expect(await read(store, 'k')).toBe('small');
      expect(opens()).toBe(2);
    } finally {
      await store.close();
    }
  });

  it('does not keep the bytes of a file opened just before it was replaced', async () => {
    const store = await temp.open();
    await store.createBucket(bucketRecord('bkt'));
    await put(store, 'bkt', 'k', 'old');
    const file = layout().objectPath('bkt', 'k').file;
    const realOpen = fsp.open;
    let fired = false;
    jest.spyOn(fsp, 'open').mockImplementation(async (path, ...rest) => {
      const handle = await realOpen(path, ...rest);
      if (!fired && path === file) {
        // The reader holds the old file; the overwrite completes before it reads a byte.
        fired = true;
        await put(store, 'bkt', 'k', 'new');
      }
      return handle;
    });
    // As before: the descriptor's version, whole.
    expect(await read(store, 'k')).toBe('old');
    expect(fired).toBe(true);
    expect(await read(store, 'k')).toBe('new');
    expect(await read(store, 'k')).toBe('new');
  });

  it('reads from disk while a write of the key is under way', async () => {
    const store = await temp.open();
    await store.createBucket(bucketRecord('bkt'));
    await put(store, 'bkt', 'k', 'old');
    expect(await read(store, 'k')).toBe('old');
    expect(await read(store, 'k')).toBe('old'); // kept
    const file = layout().objectPath('bkt', 'k').file;
    const realRename = fsp.rename;
    const during: Array<string | undefined> = [];
    jest.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      await realRename(from, to);
      // The new file is in place, the index not yet updated: what a read from disk gives now.
      if (to === file) during.push(await read(store, 'k'));
    });
    await put(store, 'bkt', 'k', 'new');
    expect(during).toEqual(['new']);
    expect(await read(store, 'k')).toBe('new');
    expect(await read(store, 'k')).toBe('new');
  });

  it('does not keep or give old bytes read by a reader that finishes while a write is under way', async () => {
    const store = await temp.open();
    await store.createBucket(bucketRecord('bkt'));
    await put(store, 'bkt', 'k', 'old');
    const file = layout().objectPath('bkt', 'k').file;
    const realOpen = fsp.open;
    const realRename = fsp.rename;
    let letReaderOn!: () => void;
    const gate = new Promise<void>((resolve) => (letReaderOn = resolve));
    let paused = false;
    jest.spyOn(fsp, 'open').mockImplementation(async (path, ...rest) => {
      const handle = await realOpen(path, ...rest);
      if (!paused && path === file) {
        paused = true;
        await gate;
      }
      return handle;
    });
    // A reader holds the old file...
    const slowReader = read(store, 'k');
    const during: Array<string | undefined> = [];
    jest.spyOn(fsp, 'rename').mockImplementation(async (from, to) => {
      await realRename(from, to);
      if (to !== file) return;
      // ...and finishes once the new file is in place but the index still names the old one.
      letReaderOn();
      during.push(await slowReader);
      during.push(await read(store, 'k'));
    });
    await put(store, 'bkt', 'k', 'new');
    expect(during).toEqual(['old', 'new']);
    expect(await read(store, 'k')).toBe('new');
    expect(await read(store, 'k')).toBe('new');
  });

  it('forgets removed versions; a version read by id stays its own', async () => {
    const store = await temp.open();
    await store.createBucket(bucketRecord('bkt'));
    await store.setBucketVersioning('bkt', 'Enabled');
    const a = await put(store, 'bkt', 'k', 'a');
    const b = await put(store, 'bkt', 'k', 'b');
    expect(await read(store, 'k', a.versionId)).toBe('a');
    expect(await read(store, 'k')).toBe('b');
    expect(await read(store, 'k', a.versionId)).toBe('a');
    await store.deleteObject('bkt', 'k', b.versionId);
    expect(await read(store, 'k', b.versionId)).toBeUndefined();
    expect(await read(store, 'k')).toBe('a');
    const { marker } = await store.deleteObject('bkt', 'k');
    expect(await store.openObject('bkt', 'k')).toEqual(marker);
    expect(await read(store, 'k', a.versionId)).toBe('a');
  });

  it('stays within its bound', async () => {
    const store = new DiskStore(temp.dataDir, silentLogger, { objectCacheBytes: 4 * (1024 + 256) });
    await store.open();
    try {
      await store.createBucket(bucketRecord('bkt'));
      for (let i = 0; i < 10; i++) await put(store, 'bkt', `k${i}`, Buffer.alloc(1024, i));
      for (let round = 0; round < 2; round++) {
        for (let i = 0; i < 10; i++) {
          const opened = await store.openObject('bkt', `k${i}`);
          if (!opened || isDeleteMarker(opened)) throw new Error('no object');
          expect(opened.body?.equals(Buffer.alloc(1024, i))).toBe(true);
        }
      }
      const cache = (store as unknown as { cache: ObjectCache }).cache;
      expect(cache.size).toBeGreaterThan(0);
      expect(cache.size).toBeLessThanOrEqual(4 * (1024 + 256));
    } finally {
      await store.close();
    }
  });
});
