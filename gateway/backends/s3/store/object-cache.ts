import type { ObjectRecord } from './types';

/** Bodies up to this size are kept. */
export const MAX_CACHED_BODY = 64 * 1024;
/** What the bodies kept may add up to, by default. */
export const DEFAULT_OBJECT_CACHE_BYTES = 32 * 1024 * 1024;
/** Roughly what an entry costs besides its body (key string, entry object, map slot). */
const ENTRY_OVERHEAD = 256;

interface Entry {
  generation: string;
  sequence: number;
  body: Buffer;
  cost: number;
}

/**
 * The bytes of recently read small object versions, least recently used first out. It only
 * remembers and forgets: an entry names the stored version it was read from (generation and
 * sequence, unique to one version file), and the store, which decides when an entry may be
 * trusted, hands it out only for a version the index still holds with exactly those.
 */
export class ObjectCache {
  private readonly entries = new Map<string, Entry>();
  private total = 0;

  constructor(private readonly capacity = DEFAULT_OBJECT_CACHE_BYTES) {}

  /** The bytes of `version` of `bucket`/`key`, when they are kept for exactly that stored version. */
  get(bucket: string, version: ObjectRecord): Buffer | undefined {
    if (this.entries.size === 0) return undefined;
    const id = entryId(bucket, version.key, version.versionId);
    const entry = this.entries.get(id);
    if (!entry) return undefined;
    if (entry.generation !== version.generation || entry.sequence !== version.sequence) {
      this.drop(id, entry);
      return undefined;
    }
    // Most recently used last.
    this.entries.delete(id);
    this.entries.set(id, entry);
    return entry.body;
  }

  /** Keeps the bytes of `version` (read from its file); too big ones are not kept. */
  set(bucket: string, version: ObjectRecord, body: Buffer): void {
    const cost = body.length + ENTRY_OVERHEAD;
    if (body.length > MAX_CACHED_BODY || cost > this.capacity) return;
    const id = entryId(bucket, version.key, version.versionId);
    this.forget(bucket, version.key, version.versionId);
    this.entries.set(id, { generation: version.generation, sequence: version.sequence, body, cost });
    this.total += cost;
    for (const [oldest, entry] of this.entries) {
      if (this.total <= this.capacity) break;
      this.drop(oldest, entry);
    }
  }

  /** Forgets the bytes of one version (its file is being replaced or removed). */
  forget(bucket: string, key: string, versionId: string): void {
    if (this.entries.size === 0) return;
    const id = entryId(bucket, key, versionId);
    const entry = this.entries.get(id);
    if (entry) this.drop(id, entry);
  }

  clear(): void {
    this.entries.clear();
    this.total = 0;
  }

  /** Bytes accounted to the entries kept (for tests). */
  get size(): number {
    return this.total;
  }

  private drop(id: string, entry: Entry): void {
    this.entries.delete(id);
    this.total -= entry.cost;
  }
}

// Bucket names and version ids hold no '/', so the three parts cannot run into each other.
function entryId(bucket: string, key: string, versionId: string): string {
  return `${bucket}/${versionId}/${key}`;
}
