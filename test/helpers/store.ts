import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { finished } from 'node:stream/promises';
import type { Owner } from '../../gateway/backends/s3/identity';
import {
  DiskStore,
  type BucketRecord,
  type ObjectAttributes,
  type ObjectRecord,
  type ObjectStore,
} from '../../gateway/backends/s3/store';
import { silentLogger, type Logger } from '../../gateway/log';

/** Two owners for store tests. */
export const owner: Owner = { id: 'a'.repeat(64), displayName: 'main' };
export const other: Owner = { id: 'b'.repeat(64), displayName: 'other' };

/** What a plain upload by `owner` commits. */
export const attributes: ObjectAttributes = {
  owner,
  headers: { 'content-type': 'application/octet-stream' },
  metadata: {},
  checksums: {},
  storageClass: 'STANDARD',
};

/** A bucket record as CreateBucket would make it. */
export function bucketRecord(name: string, who: Owner = owner): BucketRecord {
  return { name, owner: who, creationDate: Date.now(), locationConstraint: '' };
}

/** Stages `body` and commits it as `key`. */
export async function put(
  store: ObjectStore,
  bucket: string,
  key: string,
  body: Buffer | string,
  attrs: ObjectAttributes = attributes,
): Promise<ObjectRecord> {
  const staged = await store.stageObject(bucket);
  staged.stream.end(typeof body === 'string' ? Buffer.from(body) : body);
  await finished(staged.stream);
  return staged.commit(key, attrs);
}

/** UTF-8 byte order, the order S3 lists keys in. */
export function byBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Lower-case hex SHA-256 of a key: the name of its file. */
export function sha256(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Stores on a fresh data directory per test, all closed and removed after it. */
export interface TempStores {
  /** `<parent>/data`: a directory the store creates itself. */
  readonly dataDir: string;
  /** The temporary directory holding dataDir (nothing else is written there). */
  readonly parent: string;
  open(log?: Logger): Promise<DiskStore>;
  /** Closes `store` and opens a new one on the same directory, as a restart would. */
  restart(store: DiskStore, log?: Logger): Promise<DiskStore>;
}

/** Registers beforeEach/afterEach hooks that give every test of the file its own data directory. */
export function useTempStores(prefix: string): TempStores {
  let parent = '';
  const stores: DiskStore[] = [];
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    await rm(parent, { recursive: true, force: true });
  });
  const temp: TempStores = {
    get parent() {
      return parent;
    },
    get dataDir() {
      return join(parent, 'data');
    },
    async open(log = silentLogger) {
      const store = new DiskStore(temp.dataDir, log);
      stores.push(store);
      await store.open();
      return store;
    },
    async restart(store, log = silentLogger) {
      await store.close();
      return temp.open(log);
    },
  };
  return temp;
}
