import { compareKeys } from './key-order';
import { SortedKeys, type Cursor } from './sorted-keys';
import type { ListQuery, ListResult, ObjectRecord } from './types';

/** The in-memory view of one bucket's objects: records by key plus the keys in listing order. */
export class BucketIndex {
  private readonly records = new Map<string, ObjectRecord>();
  private keys = new SortedKeys();

  /** Builds an index from records in any order (used when loading a bucket from disk). */
  static fromRecords(records: readonly ObjectRecord[]): BucketIndex {
    const index = new BucketIndex();
    for (const record of records) index.records.set(record.key, record);
    index.keys = SortedKeys.fromSorted([...index.records.keys()].sort(compareKeys));
    return index;
  }

  get size(): number {
    return this.records.size;
  }

  get(key: string): ObjectRecord | undefined {
    return this.records.get(key);
  }

  /** Adds or replaces the record of `record.key`. */
  set(record: ObjectRecord): void {
    if (!this.records.has(record.key)) this.keys.insert(record.key);
    this.records.set(record.key, record);
  }

  /** Removes `key`; false when it was not there. */
  delete(key: string): boolean {
    if (!this.records.delete(key)) return false;
    this.keys.delete(key);
    return true;
  }

  /** Keys in listing order. */
  keysInOrder(): Generator<string> {
    return this.keys[Symbol.iterator]();
  }

  /**
   * One page of an S3 listing: keys after `after` that start with `prefix`, keys containing the
   * delimiter past the prefix rolled up into common prefixes (each one entry). Costs a binary
   * search per returned entry, however many keys a common prefix hides.
   */
  list(query: ListQuery): ListResult {
    const { prefix, delimiter, maxKeys } = query;
    const entries: ListResult['entries'] = [];
    if (!(maxKeys > 0)) return { entries, isTruncated: false, last: '' };
    let isTruncated = false;
    let last = '';
    let at = this.start(query);
    for (let key = this.keys.keyAt(at); key !== undefined; key = this.keys.keyAt(at)) {
      // Keys with the prefix are contiguous and we started inside or before them.
      if (!key.startsWith(prefix)) break;
      if (entries.length === maxKeys) {
        isTruncated = true;
        break;
      }
      const rolledUp = delimiter ? commonPrefix(key, prefix, delimiter) : undefined;
      if (rolledUp === undefined) {
        entries.push({ kind: 'object', record: this.records.get(key) as ObjectRecord });
        last = key;
        at = this.keys.next(at);
      } else {
        entries.push({ kind: 'prefix', prefix: rolledUp });
        last = rolledUp;
        at = this.pastPrefix(rolledUp);
      }
    }
    return { entries, isTruncated, last };
  }

  private start({ prefix, after, delimiter }: ListQuery): Cursor {
    if (compareKeys(after, prefix) < 0) return this.keys.lowerBound(prefix);
    // A resume point inside a common prefix means that prefix was already returned (it sorts
    // before `after`), so everything under it is skipped, not just the keys up to `after`.
    const rolledUp =
      delimiter && after.startsWith(prefix) ? commonPrefix(after, prefix, delimiter) : undefined;
    return rolledUp === undefined ? this.keys.upperBound(after) : this.pastPrefix(rolledUp);
  }

  /** The first position after every key that starts with `p` (those keys are contiguous). */
  private pastPrefix(p: string): Cursor {
    return this.keys.partitionPoint((k) => k.startsWith(p) || compareKeys(k, p) < 0);
  }
}

/** The common prefix `key` rolls up into, or undefined when the rest of it has no delimiter. */
function commonPrefix(key: string, prefix: string, delimiter: string): string | undefined {
  const i = key.indexOf(delimiter, prefix.length);
  return i < 0 ? undefined : key.slice(0, i + delimiter.length);
}
