import { compareKeys } from './key-order';

/** A position in a SortedKeys; valid until the set next changes. */
export interface Cursor {
  chunk: number;
  index: number;
}

// Chunks keep inserts and deletes at O(sqrt n)-ish cost instead of moving one huge array.
const MAX_CHUNK = 1024;

/** Object keys kept in UTF-8 byte order, with binary search to any position. */
export class SortedKeys {
  private chunks: string[][] = [];
  private count = 0;

  /** Builds the set from keys already sorted with compareKeys and free of duplicates. */
  static fromSorted(keys: readonly string[]): SortedKeys {
    const set = new SortedKeys();
    for (let i = 0; i < keys.length; i += MAX_CHUNK / 2) set.chunks.push(keys.slice(i, i + MAX_CHUNK / 2));
    set.count = keys.length;
    return set;
  }

  get size(): number {
    return this.count;
  }

  /** Adds `key`; false when it was already there. */
  insert(key: string): boolean {
    const at = this.lowerBound(key);
    if (this.keyAt(at) === key) return false;
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
    } else {
      // Past the end means "append to the last chunk".
      const c = Math.min(at.chunk, this.chunks.length - 1);
      const chunk = this.chunks[c];
      chunk.splice(at.chunk === c ? at.index : chunk.length, 0, key);
      if (chunk.length > MAX_CHUNK) this.chunks.splice(c + 1, 0, chunk.splice(MAX_CHUNK / 2));
    }
    this.count++;
    return true;
  }

  /** Removes `key`; false when it was not there. */
  delete(key: string): boolean {
    const at = this.lowerBound(key);
    if (this.keyAt(at) !== key) return false;
    const chunk = this.chunks[at.chunk];
    chunk.splice(at.index, 1);
    if (chunk.length === 0) this.chunks.splice(at.chunk, 1);
    this.count--;
    return true;
  }

  /**
   * The first position whose key is not `before`. `before` must hold for a leading run of the
   * keys and fail for all the rest (a partition of the sorted order).
   */
  partitionPoint(before: (key: string) => boolean): Cursor {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid];
      if (before(chunk[chunk.length - 1])) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.chunks.length) return { chunk: lo, index: 0 };
    const chunk = this.chunks[lo];
    let a = 0;
    let b = chunk.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (before(chunk[mid])) a = mid + 1;
      else b = mid;
    }
    return { chunk: lo, index: a };
  }

  /** The position of the first key >= `key`. */
  lowerBound(key: string): Cursor {
    return this.partitionPoint((k) => compareKeys(k, key) < 0);
  }

  /** The position of the first key > `key`. */
  upperBound(key: string): Cursor {
    return this.partitionPoint((k) => compareKeys(k, key) <= 0);
  }

  /** The key at `at`, undefined past the end. */
  keyAt(at: Cursor): string | undefined {
    return this.chunks[at.chunk]?.[at.index];
  }

  /** The position after `at`. */
  next(at: Cursor): Cursor {
    return at.index + 1 < this.chunks[at.chunk].length
      ? { chunk: at.chunk, index: at.index + 1 }
      : { chunk: at.chunk + 1, index: 0 };
  }

  /** Every key in order (for tests and diagnostics). */
  *[Symbol.iterator](): Generator<string> {
    for (const chunk of this.chunks) yield* chunk;
  }
}
