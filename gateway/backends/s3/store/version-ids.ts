import { randomBytes } from 'node:crypto';
import { NULL_VERSION_ID } from './types';

/**
 * Version ids are 32 URL- and file-name-safe characters (as opaque as AWS's, and of the same
 * length). They become part of a version's file name, so nothing else is accepted.
 */
const VERSION_ID = /^[A-Za-z0-9_-]{32}$/;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * A new, random version id: letters and digits only, because an id starting with `-` is taken
 * for an option by command lines (`aws s3api get-object --version-id -x…` fails).
 */
export function newVersionId(): string {
  const bytes = randomBytes(32);
  let id = '';
  // 256 is not a multiple of 62; the slight bias costs a fraction of a bit of randomness out of ~190.
  for (const byte of bytes) id += ALPHANUMERIC[byte % ALPHANUMERIC.length];
  return id;
}

/** True for `null` and for ids of the shape newVersionId gives: the ones that can name a version. */
export function isVersionId(value: string): boolean {
  return value === NULL_VERSION_ID || VERSION_ID.test(value);
}

/** True for ids of the shape newVersionId gives (not `null`). */
export function isIssuedVersionId(value: string): boolean {
  return VERSION_ID.test(value);
}

/**
 * Hands out version sequence numbers: microseconds since the epoch, strictly increasing within a
 * store even when the clock stalls or steps back, and above every sequence loaded from disk.
 */
export class SequenceClock {
  private last = 0;

  /** Makes every later sequence greater than `sequence`. */
  observe(sequence: number): void {
    if (sequence > this.last) this.last = sequence;
  }

  next(): number {
    this.last = Math.max(Date.now() * 1000, this.last + 1);
    return this.last;
  }
}
