import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, truncate, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { finished } from 'node:stream/promises';
import { createLogger } from '../../gateway/log';
import { BucketIndex } from '../../gateway/backends/s3/store/bucket-index';
import { isDeleteMarker, type OpenedObject } from '../../gateway/backends/s3/store';
import { compareKeys } from '../../gateway/backends/s3/store/key-order';
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
  NoSuchBucketError,
  NoSuchUploadError,
  validateBucketName,
  type ListQuery,
  type ListResult,
  type ObjectAttributes,
  type ObjectRecord,
  type ObjectStore,
} from '../../gateway/backends/s3/store';

const temp = useTempStores('apigw-s3-store-');
const openStore = temp.open;
const restart = temp.restart;

async function get(
  store: ObjectStore,
  bucket: string,
  key: string,
  start?: number,
  end?: number,
): Promise<Buffer | undefined> {
  const opened = await store.openObject(bucket, key);
  if (!opened || isDeleteMarker(opened)) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of opened.createReadStream(start, end)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

/** Every file and directory below `dir`, relative to it. */
async function walk(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    found.push(relative(dir, join(entry.parentPath, entry.name)));
  }
  return found;
}

function names(result: ListResult): string[] {
  return result.entries.map((e) => (e.kind === 'object' ? e.record.key : `P:${e.prefix}`));
}

function query(q: Partial<ListQuery>): ListQuery {
  return { prefix: '', after: '', delimiter: '', maxKeys: 1000, ...q };
}

describe('bucket names', () => {
  it.each(['abc', 'my.bucket-1', 'a1b', '1bucket', 'x'.repeat(63), 's3t-random-1'])('accepts %s', (name) => {
    expect(validateBucketName(name)).toBe(true);
  });

  it.each([
    'a',
    'aa',
    'ABC',
    'a_b',
    'a..b',
    '192.168.5.4',
    '-abc',
    'abc-',
    '.abc',
    'abc.',
    'x'.repeat(64),
    'xn--abc',
    'sthree-abc',
    'amzn-s3-demo-abc',
    'abc-s3alias',
    'abc--ol-s3',
    'abc.mrap',
    'abc--x-s3',
    'abc--table-s3',
    'a b',
    '',
  ])('rejects %j', (name) => {
    expect(validateBucketName(name)).toBe(false);
  });
});

describe('buckets', () => {
  it('creates, lists, finds and deletes buckets, and keeps them across restarts', async () => {
    let store = await openStore();
    expect(store.listBuckets()).toEqual([]);
    const created = await store.createBucket({ ...bucketRecord('zeta'), locationConstraint: 'eu-west-1' });
    expect(created.created).toBe(true);
    await store.createBucket(bucketRecord('alpha'));
    expect(store.listBuckets().map((b) => b.name)).toEqual(['alpha', 'zeta']);
    expect(store.getBucket('zeta')).toEqual(created.bucket);
    expect(store.getBucket('nope')).toBeUndefined();

    store = await restart(store);
    expect(store.listBuckets().map((b) => b.name)).toEqual(['alpha', 'zeta']);
    expect(store.getBucket('zeta')).toEqual(created.bucket);

    expect(await store.deleteBucket('zeta')).toBe('deleted');
    expect(await store.deleteBucket('zeta')).toBe('missing');
    expect(existsSync(join(temp.dataDir, 's3', 'buckets', 'zeta'))).toBe(false);
    store = await restart(store);
    expect(store.listBuckets().map((b) => b.name)).toEqual(['alpha']);
  });

  it('returns the existing bucket when the name is taken', async () => {
    const store = await openStore();
    const first = await store.createBucket(bucketRecord('taken'));
    const second = await store.createBucket(bucketRecord('taken', other));
    expect(second).toEqual({ created: false, bucket: first.bucket });
    expect(second.bucket.owner).toEqual(owner);
  });

  it('lets exactly one of two concurrent creators create the bucket', async () => {
    const store = await openStore();
    const results = await Promise.all([
      store.createBucket(bucketRecord('race', owner)),
      store.createBucket(bucketRecord('race', other)),
    ]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(results[0].bucket).toEqual(results[1].bucket);
    expect(store.listBuckets()).toHaveLength(1);
  });

  it('refuses to delete a bucket that holds objects', async () => {
    const store = await openStore();
    await store.createBucket(bucketRecord('full'));
    await put(store, 'full', 'k', Buffer.from('x'));
    expect(await store.deleteBucket('full')).toBe('not-empty');
    expect((await store.deleteObject('full', 'k')).removed).toBeDefined();
    expect(await store.deleteBucket('full')).toBe('deleted');
  });

  it('treats a bucket with a commit in progress as not empty', async () => {
    const store = await openStore();
    await store.createBucket(bucketRecord('busy'));
    const staged = await store.stageObject('busy');
    staged.stream.end(Buffer.alloc(1024));
    await finished(staged.stream);
    const commit = staged.commit('k', attributes);
    expect(await store.deleteBucket('busy')).toBe('not-empty');
    await commit;
  });

  it('fails a staged write whose bucket was deleted meanwhile, and cleans up after it', async () => {
    const store = await openStore();
    await store.createBucket(bucketRecord('gone'));
    const staged = await store.stageObject('gone');
    staged.stream.end(Buffer.from('late'));
    await finished(staged.stream);
    expect(await store.deleteBucket('gone')).toBe('deleted');
    await expect(staged.commit('k', attributes)).rejects.toBeInstanceOf(NoSuchBucketError);
    await staged.abort();
    expect(await readdir(join(temp.dataDir, 's3', 'tmp'))).toEqual([]);
  });

  it('rejects invalid bucket names and object operations on missing buckets', async () => {
    const store = await openStore();
    await expect(store.createBucket(bucketRecord('Bad_Name'))).rejects.toThrow(/invalid bucket name/);
    expect(() => store.getObjectRecord('missing', 'k')).toThrow(NoSuchBucketError);
    expect(() => store.listObjects('missing', query({}))).toThrow(NoSuchBucketError);
    await expect(store.openObject('missing', 'k')).rejects.toThrow(NoSuchBucketError);
    await expect(store.stageObject('missing')).rejects.toThrow(NoSuchBucketError);
    await expect(store.deleteObject('missing', 'k')).rejects.toThrow(NoSuchBucketError);
  });

  it('can hold a bucket named tmp', async () => {
    let store = await openStore();
    await store.createBucket(bucketRecord('tmp'));
    await put(store, 'tmp', 'k', Buffer.from('v'));
    store = await restart(store);
    expect((await get(store, 'tmp', 'k'))?.toString()).toBe('v');
  });
});

describe('objects', () => {
  let store: DiskStore;

  beforeEach(async () => {
    store = await openStore();
    await store.createBucket(bucketRecord('bkt'));
  });

  it('round-trips binary bytes with their record', async () => {
    const body = randomBytes(300 * 1024 + 7);
    const attrs: ObjectAttributes = {
      owner,
      headers: { 'content-type': 'image/png', 'cache-control': 'no-cache', 'content-disposition': 'inline' },
      metadata: { 'x-amz-meta-color': 'Hello World\u00e9', 'x-amz-meta-empty': '' },
      checksums: { CRC32: 'AAAAAA==' },
      storageClass: 'STANDARD',
    };
    const before = Date.now();
    const staged = await store.stageObject('bkt');
    staged.stream.write(body.subarray(0, 1000));
    staged.stream.end(body.subarray(1000));
    await finished(staged.stream);
    expect(staged.size).toBe(body.length);
    expect(staged.md5().toString('hex')).toBe(md5(body));
    const record = await staged.commit('dir/file.bin', attrs);

    expect(record).toEqual({
      key: 'dir/file.bin',
      size: body.length,
      etag: md5(body),
      lastModified: expect.any(Number),
      generation: expect.stringMatching(/^[0-9a-f]{16}$/),
      versionId: 'null',
      sequence: expect.any(Number),
      ...attrs,
    });
    expect(record.lastModified).toBeGreaterThanOrEqual(before);
    expect(store.getObjectRecord('bkt', 'dir/file.bin')).toEqual(record);
    const opened = await openData(store, 'bkt', 'dir/file.bin');
    expect(opened?.record).toEqual(record);
    await opened?.close();
    expect((await get(store, 'bkt', 'dir/file.bin'))?.equals(body)).toBe(true);

    store = await restart(store);
    expect(store.getObjectRecord('bkt', 'dir/file.bin')).toEqual(record);
    expect((await get(store, 'bkt', 'dir/file.bin'))?.equals(body)).toBe(true);
  });

  it('replaces an object on overwrite', async () => {
    await put(store, 'bkt', 'k', Buffer.from('first version, longer'));
    const second = await put(store, 'bkt', 'k', Buffer.from('second'));
    expect(store.getObjectRecord('bkt', 'k')).toEqual(second);
    expect((await get(store, 'bkt', 'k'))?.toString()).toBe('second');
    expect(store.listObjects('bkt', query({})).entries).toHaveLength(1);
  });

  it('keeps reading the version it opened while the object is replaced', async () => {
    const old = randomBytes(100_000);
    await put(store, 'bkt', 'k', old);
    const opened = await openData(store, 'bkt', 'k');
    await put(store, 'bkt', 'k', randomBytes(5));
    await store.deleteObject('bkt', 'k');
    const chunks: Buffer[] = [];
    for await (const chunk of opened!.createReadStream()) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(old)).toBe(true);
    expect(opened!.record.etag).toBe(md5(old));
  });

  it('streams byte ranges and never the footer', async () => {
    const body = randomBytes(1000);
    await put(store, 'bkt', 'r', body);
    expect((await get(store, 'bkt', 'r', 0, 0))?.equals(body.subarray(0, 1))).toBe(true);
    expect((await get(store, 'bkt', 'r', 10, 19))?.equals(body.subarray(10, 20))).toBe(true);
    expect((await get(store, 'bkt', 'r', 990))?.equals(body.subarray(990))).toBe(true);
    expect((await get(store, 'bkt', 'r', 500, 5000))?.equals(body.subarray(500))).toBe(true);
    expect((await get(store, 'bkt', 'r', 999, 999))?.equals(body.subarray(999))).toBe(true);
    expect((await get(store, 'bkt', 'r', 1000))?.length).toBe(0);
  });

  it('stores empty objects', async () => {
    const record = await put(store, 'bkt', 'empty', Buffer.alloc(0));
    expect(record.size).toBe(0);
    expect(record.etag).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect((await get(store, 'bkt', 'empty'))?.length).toBe(0);
    store = await restart(store);
    expect(store.getObjectRecord('bkt', 'empty')?.size).toBe(0);
  });

  it('deletes objects durably', async () => {
    await put(store, 'bkt', 'k', Buffer.from('v'));
    expect((await store.deleteObject('bkt', 'k')).removed).toBeDefined();
    expect(await store.deleteObject('bkt', 'k')).toEqual({});
    expect(store.getObjectRecord('bkt', 'k')).toBeUndefined();
    expect(await store.openObject('bkt', 'k')).toBeUndefined();
    store = await restart(store);
    expect(store.getObjectRecord('bkt', 'k')).toBeUndefined();
  });

  it('discards aborted writes and refuses to commit unfinished ones', async () => {
    const aborted = await store.stageObject('bkt');
    aborted.stream.write(Buffer.from('partial'));
    await aborted.abort();
    await aborted.abort();
    await expect(aborted.commit('k', attributes)).rejects.toThrow();

    const unfinished = await store.stageObject('bkt');
    unfinished.stream.write(Buffer.from('partial'));
    await expect(unfinished.commit('k', attributes)).rejects.toThrow(/finished/);
    await unfinished.abort();

    expect(store.getObjectRecord('bkt', 'k')).toBeUndefined();
    expect(await readdir(join(temp.dataDir, 's3', 'tmp'))).toEqual([]);
  });

  it('refuses keys S3 cannot hold', async () => {
    for (const key of ['', 'x'.repeat(1025), '\ud800']) {
      await expect(put(store, 'bkt', key, Buffer.from('v'))).rejects.toThrow(/cannot store/);
    }
    expect(await readdir(join(temp.dataDir, 's3', 'tmp'))).toEqual([]);
  });

  it('stores hostile keys without creating anything outside the data directory', async () => {
    const keys = [
      '..',
      '.',
      '../../etc/passwd',
      '%2e%2e%2f',
      '/abs',
      '//double',
      'a/b/../c',
      'trailing/',
      'back\\slash\\..\\..',
      'CaseFold',
      'casefold',
      'nul\u0000inside',
      'ctrl\u000a\u001f',
      'é/😀/\uffff',
      'é'.repeat(512), // 1024 bytes of UTF-8
    ];
    const bodies = new Map(keys.map((k) => [k, randomBytes(64)]));
    for (const [key, body] of bodies) await put(store, 'bkt', key, body);

    store = await restart(store);
    for (const [key, body] of bodies) {
      expect(store.getObjectRecord('bkt', key)?.key).toBe(key);
      expect((await get(store, 'bkt', key))?.equals(body)).toBe(true);
    }
    const listed = names(store.listObjects('bkt', query({})));
    expect(listed).toEqual([...keys].sort(byBytes));

    expect(await readdir(temp.parent)).toEqual(['data']);
    const objectFile = /^s3\/buckets\/bkt\/objects\/([0-9a-f]{2})\/\1[0-9a-f]{62}$/;
    const allowed = [
      's3',
      's3/lock',
      's3/buckets',
      's3/tmp',
      's3/buckets/bkt',
      's3/buckets/bkt/bucket.json',
      's3/buckets/bkt/objects',
    ];
    for (const path of await walk(temp.dataDir)) {
      const posix = path.split('\\').join('/');
      expect(
        allowed.includes(posix) ||
          /^s3\/buckets\/bkt\/objects\/[0-9a-f]{2}$/.test(posix) ||
          objectFile.test(posix),
      ).toBe(true);
    }
  });

  it('leaves one whole object and a matching index after 20 concurrent commits to one key', async () => {
    const bodies = Array.from({ length: 20 }, (_, i) => randomBytes(32 * 1024 * (i + 1)));
    const results = await Promise.all(bodies.map((body) => put(store, 'bkt', 'contended', body)));
    expect(results.map((r) => r.etag).sort()).toEqual(bodies.map(md5).sort());

    const record = store.getObjectRecord('bkt', 'contended')!;
    const winner = bodies.find((b) => md5(b) === record.etag);
    expect(winner).toBeDefined();
    expect(record.size).toBe(winner!.length);
    expect(md5((await get(store, 'bkt', 'contended'))!)).toBe(record.etag);

    store = await restart(store);
    expect(store.getObjectRecord('bkt', 'contended')).toEqual(record);
    expect(md5((await get(store, 'bkt', 'contended'))!)).toBe(record.etag);
    expect(await readdir(join(temp.dataDir, 's3', 'tmp'))).toEqual([]);
    const files = (await walk(join(temp.dataDir, 's3', 'buckets', 'bkt', 'objects'))).filter((p) =>
      p.includes('/'),
    );
    expect(files).toHaveLength(1);
  });

  it('serialises a delete with concurrent commits of the same key', async () => {
    const ops = [
      put(store, 'bkt', 'k', Buffer.from('one')),
      store.deleteObject('bkt', 'k'),
      put(store, 'bkt', 'k', Buffer.from('two')),
    ];
    await Promise.all(ops);
    const record = store.getObjectRecord('bkt', 'k');
    store = await restart(store);
    expect(store.getObjectRecord('bkt', 'k')).toEqual(record);
  });

  it('refuses everything once closed', async () => {
    await store.close();
    expect(() => store.listObjects('bkt', query({}))).toThrow(/closed/);
    await expect(store.stageObject('bkt')).rejects.toThrow(/closed/);
    await expect(store.createBucket(bucketRecord('new'))).rejects.toThrow(/closed/);
  });
});

describe('open()', () => {
  it('removes interrupted writes and quarantines damaged object files', async () => {
    let store = await openStore();
    await store.createBucket(bucketRecord('bkt'));
    await put(store, 'bkt', 'good', Buffer.from('good'));
    await put(store, 'bkt', 'bad', Buffer.from('bad bytes'));
    await store.close();

    const s3 = join(temp.dataDir, 's3');
    await writeFile(join(s3, 'tmp', 'leftover.part'), 'half an object');
    await mkdir(join(s3, 'tmp', 'half.bucket', 'objects'), { recursive: true });
    const objects = join(s3, 'buckets', 'bkt', 'objects');
    const badFile = (await walk(objects))
      .map((p) => join(objects, p))
      .find((p) => p.endsWith(sha256('bad')))!;
    await truncate(badFile, 12);
    await mkdir(join(s3, 'buckets', 'stray'));

    const warnings: string[] = [];
    store = await openStore(createLogger('warn', (line) => warnings.push(line)));

    expect(await readdir(join(s3, 'tmp'))).toEqual([]);
    expect(store.getObjectRecord('bkt', 'good')).toBeDefined();
    expect(store.getObjectRecord('bkt', 'bad')).toBeUndefined();
    expect(existsSync(badFile)).toBe(false);
    const lost = await readdir(join(s3, 'lost+found', 'bkt'));
    expect(lost).toHaveLength(1);
    expect((await readFile(join(s3, 'lost+found', 'bkt', lost[0]))).length).toBe(12);
    expect(store.listBuckets().map((b) => b.name)).toEqual(['bkt']);
    expect(warnings.join('')).toMatch(/damaged footer/);
    expect(warnings.join('')).toMatch(/stray/);
  });
});

describe('key order', () => {
  it('is UTF-8 byte order, not UTF-16 order', () => {
    const keys = ['😀', '\uffff', 'é', 'z', 'a', '\ue000', '\ud7ff', 'a😀', 'a\uffff', 'A', ''];
    expect([...keys].sort(compareKeys)).toEqual([...keys].sort(byBytes));
    expect(compareKeys('\uffff', '😀')).toBeLessThan(0);
    expect('\uffff' < '😀').toBe(false); // what the naive JS comparison would get wrong
  });

  it('agrees with Buffer.compare on random strings', () => {
    const alphabet = [
      'a',
      'b',
      '/',
      '\u0000',
      'é',
      '\u07ff',
      '\u0800',
      '\ud7ff',
      '\ue000',
      '\uffff',
      '😀',
      '𝄞',
    ];
    const random = () =>
      Array.from(
        { length: Math.floor(Math.random() * 6) },
        () => alphabet[Math.floor(Math.random() * alphabet.length)],
      ).join('');
    const wrong: string[][] = [];
    for (let i = 0; i < 20000; i++) {
      const a = random();
      const b = random();
      if (Math.sign(compareKeys(a, b)) !== Math.sign(byBytes(a, b))) wrong.push([a, b]);
    }
    expect(wrong).toEqual([]);
  });
});

describe('listing', () => {
  let store: DiskStore;

  beforeEach(async () => {
    store = await openStore();
    await store.createBucket(bucketRecord('bkt'));
  });

  async function fill(keys: string[]): Promise<void> {
    for (const key of keys) await put(store, 'bkt', key, Buffer.from(key));
  }

  const list = (q: Partial<ListQuery>) => store.listObjects('bkt', query(q));

  it('lists keys in byte order with their records', async () => {
    await fill(['b', 'a', 'c/d', '😀', '\uffff', 'é']);
    const result = list({});
    expect(names(result)).toEqual(['a', 'b', 'c/d', 'é', '\uffff', '😀']);
    expect(result.isTruncated).toBe(false);
    expect(result.last).toBe('😀');
    const first = result.entries[0];
    expect(first.kind === 'object' && first.record).toEqual(store.getObjectRecord('bkt', 'a'));
  });

  it('filters by prefix and marker', async () => {
    await fill(['foo/bar', 'foo/baz', 'foo/baz/x', 'fop', 'fo', 'quux']);
    expect(names(list({ prefix: 'foo/' }))).toEqual(['foo/bar', 'foo/baz', 'foo/baz/x']);
    expect(names(list({ prefix: 'foo/', after: 'foo/bar' }))).toEqual(['foo/baz', 'foo/baz/x']);
    expect(names(list({ after: 'foo/bb' }))).toEqual(['fop', 'quux']); // marker not in the list
    expect(names(list({ after: 'zzz' }))).toEqual([]); // marker after the list
    expect(names(list({ prefix: 'foo/', after: 'a' }))).toEqual(['foo/bar', 'foo/baz', 'foo/baz/x']);
    expect(names(list({ prefix: 'nothing' }))).toEqual([]);
  });

  it('rolls keys up into common prefixes and pages over them like S3', async () => {
    await fill(['asdf', 'boo/bar', 'boo/baz/xyzzy', 'cquux/thud', 'cquux/bla']);
    expect(names(list({ delimiter: '/' }))).toEqual(['asdf', 'P:boo/', 'P:cquux/']);

    // test_bucket_list_delimiter_prefix: pages of one, resuming from `last`.
    const pages: Array<[string[], boolean, string]> = [];
    let after = '';
    for (;;) {
      const page = list({ delimiter: '/', maxKeys: 1, after });
      pages.push([names(page), page.isTruncated, page.last]);
      if (!page.isTruncated) break;
      after = page.last;
    }
    expect(pages).toEqual([
      [['asdf'], true, 'asdf'],
      [['P:boo/'], true, 'boo/'],
      [['P:cquux/'], false, 'cquux/'],
    ]);

    expect(names(list({ delimiter: '/', prefix: 'boo/', maxKeys: 1 }))).toEqual(['boo/bar']);
    expect(names(list({ delimiter: '/', prefix: 'boo/', after: 'boo/bar' }))).toEqual(['P:boo/baz/']);
    // A marker inside a common prefix means that prefix was returned already.
    expect(names(list({ delimiter: '/', after: 'boo/bar' }))).toEqual(['P:cquux/']);
    expect(names(list({ delimiter: '/', after: 'boo/' }))).toEqual(['P:cquux/']);
    expect(names(list({ delimiter: '/', after: 'boo' }))).toEqual(['P:boo/', 'P:cquux/']);
  });

  it('supports multi-character and unusual delimiters', async () => {
    await fill(['a--b--c', 'a--d', 'a-e', 'x%y', 'x%z%w', 'line\nbreak', 'line\nfeed', 'plain']);
    expect(names(list({ delimiter: '--' }))).toEqual([
      'P:a--',
      'a-e',
      'line\nbreak',
      'line\nfeed',
      'plain',
      'x%y',
      'x%z%w',
    ]);
    expect(names(list({ delimiter: '--', prefix: 'a--' }))).toEqual(['P:a--b--', 'a--d']);
    expect(names(list({ delimiter: '%' }))).toEqual([
      'a--b--c',
      'a--d',
      'a-e',
      'line\nbreak',
      'line\nfeed',
      'plain',
      'P:x%',
    ]);
    expect(names(list({ delimiter: '\n' }))).toEqual([
      'a--b--c',
      'a--d',
      'a-e',
      'P:line\n',
      'plain',
      'x%y',
      'x%z%w',
    ]);
    // The delimiter only counts after the prefix.
    expect(names(list({ delimiter: '--', prefix: 'a-' }))).toEqual(['P:a--b--', 'a--d', 'a-e']);
  });

  it('counts common prefixes towards maxKeys and reports truncation exactly', async () => {
    await fill(['a/1', 'a/2', 'b/1', 'c', 'd/1']);
    const page = list({ delimiter: '/', maxKeys: 3 });
    expect(names(page)).toEqual(['P:a/', 'P:b/', 'c']);
    expect(page.isTruncated).toBe(true);
    expect(page.last).toBe('c');
    const rest = list({ delimiter: '/', maxKeys: 1, after: 'c' });
    expect(names(rest)).toEqual(['P:d/']);
    expect(rest.isTruncated).toBe(false);
    const exact = list({ maxKeys: 5 });
    expect(exact.entries).toHaveLength(5);
    expect(exact.isTruncated).toBe(false);
  });

  it('returns nothing and no truncation for maxKeys 0', async () => {
    await fill(['a', 'b']);
    expect(list({ maxKeys: 0 })).toEqual({ entries: [], isTruncated: false, last: '' });
  });

  it('matches a naive reference implementation on random keys and queries', () => {
    const alphabet = ['a', 'b', '/', '-', 'é', '\uffff', '😀'];
    const pick = (n: number) =>
      Array.from({ length: n }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
    for (let round = 0; round < 200; round++) {
      const keys = [...new Set(Array.from({ length: 60 }, () => pick(1 + Math.floor(Math.random() * 5))))];
      const index = new BucketIndex();
      for (const key of keys) index.set(fakeRecord(key));
      if (round % 3 === 0) index.delete(keys[0], 'null');
      const live = round % 3 === 0 ? keys.slice(1) : keys;
      for (let q = 0; q < 20; q++) {
        const lq = query({
          prefix: Math.random() < 0.5 ? '' : pick(1 + Math.floor(Math.random() * 2)),
          after: Math.random() < 0.4 ? '' : pick(1 + Math.floor(Math.random() * 4)),
          delimiter: ['', '/', '-', 'é😀', '/a'][Math.floor(Math.random() * 5)],
          maxKeys: Math.floor(Math.random() * 8),
        });
        expect([lq, summary(index.list(lq))]).toEqual([lq, naiveList(live, lq)]);
      }
    }
  });

  it('pages through 100 000 keys quickly, returning each exactly once', () => {
    const keys = Array.from(
      { length: 100_000 },
      (_, i) => `dir${i % 97}/sub${i % 7}/file-${i}-${'é😀'[i % 2]}`,
    );
    const sorted = sortByBytes(keys);
    const shuffled = [...keys].sort(() => Math.random() - 0.5);
    const index = new BucketIndex();
    for (const key of shuffled) index.set(fakeRecord(key)); // random order: exercises chunk splits
    expect(index.size).toBe(100_000);
    expect(sameList([...index.keysInOrder()], sorted)).toBe(true);
    const loaded = BucketIndex.fromRecords(shuffled.map(fakeRecord));

    for (const idx of [index, loaded]) {
      const started = process.hrtime.bigint();
      const seen: string[] = [];
      let after = '';
      let pages = 0;
      for (;;) {
        const page = idx.list(query({ after, maxKeys: 1000 }));
        for (const e of page.entries) if (e.kind === 'object') seen.push(e.record.key);
        pages++;
        if (!page.isTruncated) break;
        after = page.last;
      }
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      expect(pages).toBe(100);
      expect(sameList(seen, sorted)).toBe(true);
      expect(ms).toBeLessThan(1000);
    }

    // With a delimiter, 97 common prefixes hide 100 000 keys; paging must jump over them.
    const started = process.hrtime.bigint();
    const prefixes: string[] = [];
    let after = '';
    for (;;) {
      const page = index.list(query({ after, delimiter: '/', maxKeys: 10 }));
      for (const e of page.entries) if (e.kind === 'prefix') prefixes.push(e.prefix);
      if (!page.isTruncated) break;
      after = page.last;
    }
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(200);
    expect(prefixes).toEqual(sortByBytes([...new Set(keys.map((k) => k.slice(0, k.indexOf('/') + 1)))]));
    const sub = index.list(query({ prefix: 'dir5/', delimiter: '/' }));
    expect(names(sub)).toEqual(Array.from({ length: 7 }, (_, i) => `P:dir5/sub${i}/`));

    // Deleting keeps order and counts right.
    expect(shuffled.slice(0, 50_000).every((key) => index.delete(key, 'null') !== undefined)).toBe(true);
    expect(index.size).toBe(50_000);
    expect(sameList([...index.keysInOrder()], sortByBytes(shuffled.slice(50_000)))).toBe(true);
  });
});

/** Sorts by UTF-8 bytes, encoding each key once. */
function sortByBytes(keys: string[]): string[] {
  return keys
    .map((key) => ({ key, bytes: Buffer.from(key, 'utf8') }))
    .sort((a, b) => Buffer.compare(a.bytes, b.bytes))
    .map((e) => e.key);
}

/** Element-wise equality without jest's (slow, for 100 000 items) deep diff. */
function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function fakeRecord(key: string): ObjectRecord {
  return {
    key,
    size: 0,
    etag: '',
    lastModified: 0,
    owner,
    headers: {},
    metadata: {},
    checksums: {},
    storageClass: 'STANDARD',
    versionId: 'null',
    sequence: 0,
    generation: 'g',
  };
}

function summary(result: ListResult): [string[], boolean, string] {
  return [names(result), result.isTruncated, result.last];
}

/** S3's listing rules applied literally to every key: slow, obviously right. */
function naiveList(keys: string[], q: ListQuery): [string[], boolean, string] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const key of [...keys].sort(byBytes)) {
    if (byBytes(key, q.after) <= 0 || !key.startsWith(q.prefix)) continue;
    const i = q.delimiter ? key.indexOf(q.delimiter, q.prefix.length) : -1;
    if (i < 0) {
      out.push(key);
      continue;
    }
    const prefix = key.slice(0, i + q.delimiter.length);
    if (byBytes(prefix, q.after) <= 0 || seen.has(prefix)) continue;
    seen.add(prefix);
    out.push(`P:${prefix}`);
  }
  const page = q.maxKeys > 0 ? out.slice(0, q.maxKeys) : [];
  const last = page.length ? page[page.length - 1].replace(/^P:/, '') : '';
  return [page, q.maxKeys > 0 && out.length > q.maxKeys, last];
}

describe('ACL and tag updates', () => {
  let store: DiskStore;
  const grants = [
    {
      grantee: { type: 'Group' as const, uri: 'http://acs.amazonaws.com/groups/global/AllUsers' },
      permission: 'READ' as const,
    },
  ];

  beforeEach(async () => {
    store = await openStore();
    await store.createBucket(bucketRecord('bkt'));
  });

  it('replaces ACL and tags durably without touching the bytes or the footer', async () => {
    const body = randomBytes(10_000);
    const original = await put(store, 'bkt', 'k', body, { ...attributes, tags: [{ key: 'a', value: '1' }] });
    const objectFile = join(
      temp.dataDir,
      's3',
      'buckets',
      'bkt',
      'objects',
      sha256('k').slice(0, 2),
      sha256('k'),
    );
    const fileBefore = await readFile(objectFile);
    const updated = await store.updateObject('bkt', 'k', { acl: grants, tags: [{ key: 'b', value: '2' }] });
    expect(updated).toMatchObject({
      etag: original.etag,
      generation: original.generation,
      acl: grants,
      tags: [{ key: 'b', value: '2' }],
    });
    expect((await readFile(objectFile)).equals(fileBefore)).toBe(true);
    const opened = await openData(store, 'bkt', 'k');
    expect(opened?.record.tags).toEqual([{ key: 'b', value: '2' }]);
    await opened?.close();
    expect((await store.updateObject('bkt', 'k', { tags: undefined }))?.tags).toBeUndefined();
    expect(await store.updateObject('bkt', 'absent', { tags: undefined })).toBeUndefined();

    store = await restart(store);
    const reloaded = store.getObjectRecord('bkt', 'k');
    expect([reloaded?.acl, reloaded?.tags]).toEqual([grants, undefined]);
    expect((await get(store, 'bkt', 'k'))?.equals(body)).toBe(true);
  });

  it('an overwrite or delete makes an earlier ACL/tag change stale, even if the sidecar survives a crash', async () => {
    await put(store, 'bkt', 'k', Buffer.from('one'));
    await store.updateObject('bkt', 'k', { tags: [{ key: 'old', value: 'x' }] });
    const sidecar = join(
      temp.dataDir,
      's3',
      'buckets',
      'bkt',
      'objects',
      sha256('k').slice(0, 2),
      `${sha256('k')}.sub`,
    );
    const saved = await readFile(sidecar);
    await put(store, 'bkt', 'k', Buffer.from('two'));
    expect(store.getObjectRecord('bkt', 'k')?.tags).toBeUndefined();
    expect(existsSync(sidecar)).toBe(false);
    // A crash between the rename and the sidecar's removal would leave it behind: it must not apply.
    await writeFile(sidecar, saved);
    const infos: string[] = [];
    await store.close();
    store = await openStore(createLogger('info', (line) => infos.push(line)));
    expect(store.getObjectRecord('bkt', 'k')?.tags).toBeUndefined();
    expect(existsSync(sidecar)).toBe(false);
    expect(infos.join('')).toMatch(/object version it described is gone/);
    await store.updateObject('bkt', 'k', { tags: [{ key: 'n', value: 'y' }] });
    await store.deleteObject('bkt', 'k');
    expect(existsSync(sidecar)).toBe(false);
  });

  it('replaces a bucket ACL durably', async () => {
    expect(store.getBucket('bkt')?.acl).toBeUndefined();
    await store.updateBucketAcl('bkt', grants);
    expect(store.getBucket('bkt')?.acl).toEqual(grants);
    store = await restart(store);
    expect(store.getBucket('bkt')?.acl).toEqual(grants);
    expect(await store.updateBucketAcl('missing', grants)).toBeUndefined();
  });
});

describe('multipart uploads', () => {
  let store: DiskStore;

  beforeEach(async () => {
    store = await openStore();
    await store.createBucket(bucketRecord('bkt'));
  });

  async function part(uploadId: string, partNumber: number, body: Buffer) {
    const staged = await store.stagePart('bkt', uploadId);
    staged.stream.end(body);
    await finished(staged.stream);
    return staged.commit(partNumber, {});
  }

  it('assembles listed parts into one object with the multipart ETag and part sizes', async () => {
    const upload = await store.createUpload('bkt', 'big', owner, attributes);
    expect(upload.uploadId).toMatch(/^[0-9a-f]{32}$/);
    const bodies = [randomBytes(3000), randomBytes(2000), randomBytes(10)];
    for (const [i, body] of bodies.entries()) await part(upload.uploadId, i + 1, body);
    await part(upload.uploadId, 9, randomBytes(5)); // uploaded but not listed: dropped
    const outcome = await store.completeUpload(
      'bkt',
      upload.uploadId,
      bodies.map((b, i) => ({ partNumber: i + 1, etag: md5(b) })),
      1000,
    );
    expect(outcome.kind).toBe('completed');
    const record = store.getObjectRecord('bkt', 'big')!;
    const md5s = Buffer.concat(bodies.map((b) => createHash('md5').update(b).digest()));
    expect(record.etag).toBe(`${createHash('md5').update(md5s).digest('hex')}-3`);
    expect(record.parts).toEqual([3000, 2000, 10]);
    expect((await get(store, 'bkt', 'big'))?.equals(Buffer.concat(bodies))).toBe(true);
    expect(store.getUpload('bkt', upload.uploadId)).toBeUndefined();
    expect(await readdir(join(temp.dataDir, 's3', 'buckets', 'bkt', 'uploads'))).toEqual([]);
    store = await restart(store);
    expect(store.getObjectRecord('bkt', 'big')?.parts).toEqual([3000, 2000, 10]);
  });

  it('refuses missing parts, wrong ETags and small parts before the last, changing nothing', async () => {
    const upload = await store.createUpload('bkt', 'k', owner, attributes);
    const small = await part(upload.uploadId, 1, randomBytes(10));
    const big = await part(upload.uploadId, 2, randomBytes(2000));
    const id = upload.uploadId;
    expect(await store.completeUpload('bkt', id, [{ partNumber: 3, etag: big.etag }], 1000)).toEqual({
      kind: 'invalid-part',
      partNumber: 3,
      etag: big.etag,
    });
    expect((await store.completeUpload('bkt', id, [{ partNumber: 2, etag: small.etag }], 1000)).kind).toBe(
      'invalid-part',
    );
    expect(
      await store.completeUpload(
        'bkt',
        id,
        [
          { partNumber: 1, etag: small.etag },
          { partNumber: 2, etag: big.etag },
        ],
        1000,
      ),
    ).toEqual({ kind: 'too-small', partNumber: 1, size: 10, etag: small.etag });
    expect(store.getObjectRecord('bkt', 'k')).toBeUndefined();
    expect(store.listParts('bkt', id)?.map((p) => p.partNumber)).toEqual([1, 2]);
    expect(await store.completeUpload('bkt', 'f'.repeat(32), [], 0)).toEqual({ kind: 'no-such-upload' });
  });

  it('keeps uploads and parts across restarts, quarantining a damaged part', async () => {
    const upload = await store.createUpload('bkt', 'k', owner, {
      ...attributes,
      tags: [{ key: 't', value: 'v' }],
    });
    await part(upload.uploadId, 1, randomBytes(100));
    await part(upload.uploadId, 2, randomBytes(100));
    await store.close();
    const dir = join(temp.dataDir, 's3', 'buckets', 'bkt', 'uploads', upload.uploadId);
    await truncate(join(dir, '00002'), 50);
    await writeFile(join(temp.dataDir, 's3', 'tmp', 'interrupted.part'), 'half a part');
    const warnings: string[] = [];
    store = await openStore(createLogger('warn', (line) => warnings.push(line)));
    expect(store.listUploads('bkt')).toEqual([upload]);
    expect(store.listParts('bkt', upload.uploadId)?.map((p) => p.partNumber)).toEqual([1]);
    expect(warnings.join('')).toMatch(/damaged part footer/);
    expect(await readdir(join(temp.dataDir, 's3', 'lost+found', 'bkt'))).toHaveLength(1);
  });

  it('aborts discard the parts; parts committed to an aborted upload fail with NoSuchUploadError', async () => {
    const upload = await store.createUpload('bkt', 'k', owner, attributes);
    const staged = await store.stagePart('bkt', upload.uploadId);
    staged.stream.end(Buffer.from('late'));
    await finished(staged.stream);
    expect(await store.abortUpload('bkt', upload.uploadId)).toBe(true);
    await expect(staged.commit(1, {})).rejects.toThrow(NoSuchUploadError);
    expect(await store.abortUpload('bkt', upload.uploadId)).toBe(false);
    await expect(store.stagePart('bkt', upload.uploadId)).rejects.toThrow(NoSuchUploadError);
    expect(await readdir(join(temp.dataDir, 's3', 'tmp'))).toEqual([]);
  });

  it('lists uploads by key, then creation; deleting the bucket takes them along', async () => {
    const b1 = await store.createUpload('bkt', 'b', owner, attributes);
    const a = await store.createUpload('bkt', 'a', owner, attributes);
    const b2 = await store.createUpload('bkt', 'b', owner, attributes);
    expect(store.listUploads('bkt').map((u) => u.uploadId)).toEqual([a.uploadId, b1.uploadId, b2.uploadId]);
    expect(await store.deleteBucket('bkt')).toBe('deleted');
    await store.createBucket(bucketRecord('bkt'));
    expect(store.listUploads('bkt')).toEqual([]);
  });
});

/** Opens the latest version of a key, which the test expects to be an object (not a delete marker). */
async function openData(store: ObjectStore, bucket: string, key: string): Promise<OpenedObject | undefined> {
  const opened = await store.openObject(bucket, key);
  if (opened && isDeleteMarker(opened)) throw new Error(`${key} is a delete marker`);
  return opened;
}
