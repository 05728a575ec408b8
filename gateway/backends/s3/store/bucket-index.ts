import { compareKeys } from './key-order';
import { SortedKeys, type Cursor } from './sorted-keys';
import {
  isDeleteMarker,
  type ListQuery,
  type ListResult,
  type ObjectRecord,
  type VersionListQuery,
  type VersionListResult,
  type VersionRecord,
} from './types';

type Walked = { kind: 'key'; key: string } | { kind: 'prefix'; prefix: string };
type VersionEntry = VersionListResult['entries'][number];

/**
 * The in-memory view of one bucket: every version of every key (newest first), the keys that have
 * versions in listing order, and apart from them the keys whose latest version is an object (what
 * ListObjects shows), so that neither listing has to skip over what it does not show.
 */
export class BucketIndex {
  private readonly versions = new Map<string, VersionRecord[]>();
  private all = new SortedKeys();
  private current = new SortedKeys();

  /** Builds an index from versions in any order (used when loading a bucket from disk). */
  static fromRecords(records: readonly VersionRecord[]): BucketIndex {
    const index = new BucketIndex();
    for (const record of records) {
      const list = index.versions.get(record.key);
      if (list) list.push(record);
      else index.versions.set(record.key, [record]);
    }
    const keys = [...index.versions.keys()].sort(compareKeys);
    for (const key of keys) (index.versions.get(key) as VersionRecord[]).sort(newestFirst);
    index.all = SortedKeys.fromSorted(keys);
    index.current = SortedKeys.fromSorted(keys.filter((k) => index.get(k) !== undefined));
    return index;
  }

  /** Keys with at least one version (delete markers count: S3 does not delete such a bucket). */
  get size(): number {
    return this.versions.size;
  }

  /** The latest version of `key` when it is an object. */
  get(key: string): ObjectRecord | undefined {
    const latest = this.latest(key);
    return latest && !isDeleteMarker(latest) ? latest : undefined;
  }

  /** The latest version of `key`, delete marker or object. */
  latest(key: string): VersionRecord | undefined {
    return this.versions.get(key)?.[0];
  }

  /** One version of `key` by id. */
  getVersion(key: string, versionId: string): VersionRecord | undefined {
    return this.versions.get(key)?.find((v) => v.versionId === versionId);
  }

  /** Every version of `key`, newest first. */
  versionsOf(key: string): readonly VersionRecord[] {
    return this.versions.get(key) ?? [];
  }

  /** Adds a version, or replaces the version of `key` with the same id. */
  set(record: VersionRecord): void {
    const { key } = record;
    let list = this.versions.get(key);
    if (!list) {
      list = [];
      this.versions.set(key, list);
      this.all.insert(key);
    }
    const old = list.findIndex((v) => v.versionId === record.versionId);
    if (old >= 0) list.splice(old, 1);
    const at = list.findIndex((v) => v.sequence < record.sequence);
    list.splice(at < 0 ? list.length : at, 0, record);
    this.refreshCurrent(key);
  }

  /** Removes one version of `key`; returns it, or undefined when there was none. */
  delete(key: string, versionId: string): VersionRecord | undefined {
    const list = this.versions.get(key);
    const at = list ? list.findIndex((v) => v.versionId === versionId) : -1;
    if (!list || at < 0) return undefined;
    const [removed] = list.splice(at, 1);
    if (list.length === 0) {
      this.versions.delete(key);
      this.all.delete(key);
    }
    this.refreshCurrent(key);
    return removed;
  }

  /** Keys whose latest version is an object, in listing order. */
  keysInOrder(): Generator<string> {
    return this.current[Symbol.iterator]();
  }

  /**
   * One page of an S3 listing of the current objects: keys after `after` that start with
   * `prefix`, keys containing the delimiter past the prefix rolled up into common prefixes (each
   * one entry). Costs a binary search per returned entry, however many keys a common prefix hides.
   */
  list(query: ListQuery): ListResult {
    const { prefix, delimiter, maxKeys } = query;
    const entries: ListResult['entries'] = [];
    if (!(maxKeys > 0)) return { entries, isTruncated: false, last: '' };
    let last = '';
    for (const walked of walk(this.current, prefix, delimiter, start(this.current, query))) {
      if (entries.length === maxKeys) return { entries, isTruncated: true, last };
      if (walked.kind === 'prefix') {
        entries.push(walked);
        last = walked.prefix;
      } else {
        entries.push({ kind: 'object', record: this.get(walked.key) as ObjectRecord });
        last = walked.key;
      }
    }
    return { entries, isTruncated: false, last };
  }

  /**
   * One page of ListObjectVersions: every version and delete marker, keys in order and the
   * versions of a key newest first. `keyMarker` alone resumes after all versions of that key;
   * with `versionIdMarker`, after that version of it.
   */
  listVersions(query: VersionListQuery): VersionListResult {
    const entries: VersionEntry[] = [];
    let nextKeyMarker = '';
    let nextVersionIdMarker = '';
    if (query.maxKeys > 0) {
      for (const entry of this.versionEntries(query)) {
        if (entries.length === query.maxKeys) {
          return { entries, isTruncated: true, nextKeyMarker, nextVersionIdMarker };
        }
        entries.push(entry);
        nextKeyMarker = entry.kind === 'prefix' ? entry.prefix : entry.record.key;
        nextVersionIdMarker = entry.kind === 'prefix' ? '' : entry.record.versionId;
      }
    }
    return { entries, isTruncated: false, nextKeyMarker: '', nextVersionIdMarker: '' };
  }

  private *versionEntries(query: VersionListQuery): Generator<VersionEntry> {
    const { prefix, delimiter, keyMarker, versionIdMarker } = query;
    const after = { prefix, delimiter, after: keyMarker, maxKeys: query.maxKeys };
    let at = start(this.all, after);
    const resumeInKey =
      versionIdMarker !== '' &&
      keyMarker.startsWith(prefix) &&
      (delimiter === '' || commonPrefix(keyMarker, prefix, delimiter) === undefined);
    if (resumeInKey) {
      // Within the key of the marker, the versions older than the marked one come first.
      const list = this.versions.get(keyMarker) ?? [];
      const marked = list.findIndex((v) => v.versionId === versionIdMarker);
      if (marked >= 0) yield* this.versionsFrom(keyMarker, marked + 1);
      at = this.all.upperBound(keyMarker);
    }
    for (const walked of walk(this.all, prefix, delimiter, at)) {
      if (walked.kind === 'prefix') yield walked;
      else yield* this.versionsFrom(walked.key, 0);
    }
  }

  private *versionsFrom(key: string, from: number): Generator<VersionEntry> {
    const list = this.versions.get(key) ?? [];
    for (let i = from; i < list.length; i++) {
      yield { kind: 'version', record: list[i], isLatest: i === 0 };
    }
  }

  private refreshCurrent(key: string): void {
    if (this.get(key)) this.current.insert(key);
    else this.current.delete(key);
  }
}

function newestFirst(a: VersionRecord, b: VersionRecord): number {
  return b.sequence - a.sequence;
}

/** Where a listing resumes: after `after`, or past the whole common prefix `after` lies in. */
function start(keys: SortedKeys, { prefix, after, delimiter }: ListQuery): Cursor {
  if (compareKeys(after, prefix) < 0) return keys.lowerBound(prefix);
  // A resume point inside a common prefix means that prefix was already returned (it sorts
  // before `after`), so everything under it is skipped, not just the keys up to `after`.
  const rolledUp = delimiter && after.startsWith(prefix) ? commonPrefix(after, prefix, delimiter) : undefined;
  return rolledUp === undefined ? keys.upperBound(after) : pastPrefix(keys, rolledUp);
}

/** Keys from `at` that start with `prefix`, those with the delimiter past it rolled up into one prefix each. */
function* walk(keys: SortedKeys, prefix: string, delimiter: string, at: Cursor): Generator<Walked> {
  for (let key = keys.keyAt(at); key !== undefined; key = keys.keyAt(at)) {
    // Keys with the prefix are contiguous and we started inside or before them.
    if (!key.startsWith(prefix)) return;
    const rolledUp = delimiter ? commonPrefix(key, prefix, delimiter) : undefined;
    if (rolledUp === undefined) {
      // Read the next position before yielding: the caller may not change the set meanwhile anyway.
      at = keys.next(at);
      yield { kind: 'key', key };
    } else {
      at = pastPrefix(keys, rolledUp);
      yield { kind: 'prefix', prefix: rolledUp };
    }
  }
}

/** The first position after every key that starts with `p` (those keys are contiguous). */
function pastPrefix(keys: SortedKeys, p: string): Cursor {
  return keys.partitionPoint((k) => k.startsWith(p) || compareKeys(k, p) < 0);
}

/** The common prefix `key` rolls up into, or undefined when the rest of it has no delimiter. */
function commonPrefix(key: string, prefix: string, delimiter: string): string | undefined {
  const i = key.indexOf(delimiter, prefix.length);
  return i < 0 ? undefined : key.slice(0, i + delimiter.length);
}
