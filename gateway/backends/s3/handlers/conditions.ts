import { S3Errors } from '../errors';
import type { ObjectRecord } from '../store/types';

type Headers = Record<string, string | string[] | undefined>;

function single(headers: Headers, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Does an If-Match / If-None-Match list name this ETag? Quotes and weak markers are ignored, `*` matches any. */
export function etagListMatches(list: string, etag: string): boolean {
  return list
    .split(',')
    .map((t) => t.trim().replace(/^W\//, '').replace(/^"|"$/g, ''))
    .some((t) => t === '*' || t === etag);
}

/** An HTTP date as whole seconds; undefined when unparseable (S3 then ignores the header). */
function seconds(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/**
 * Evaluates GET/HEAD preconditions in RFC 7232 order (S3's documented pairings): returns 304 when
 * the client's copy is current, throws 412 PreconditionFailed when a requirement fails.
 * Times compare at one-second resolution, so echoing Last-Modified back works.
 */
export function evaluatePreconditions(headers: Headers, record: ObjectRecord): 'proceed' | 'not-modified' {
  const modified = Math.floor(record.lastModified / 1000);
  const ifMatch = single(headers, 'if-match');
  const ifNoneMatch = single(headers, 'if-none-match');
  if (ifMatch !== undefined) {
    if (!etagListMatches(ifMatch, record.etag)) throw S3Errors.preconditionFailed('If-Match');
  } else {
    const since = seconds(single(headers, 'if-unmodified-since'));
    if (since !== undefined && modified > since) throw S3Errors.preconditionFailed('If-Unmodified-Since');
  }
  if (ifNoneMatch !== undefined) {
    if (etagListMatches(ifNoneMatch, record.etag)) return 'not-modified';
  } else {
    const since = seconds(single(headers, 'if-modified-since'));
    if (since !== undefined && modified <= since) return 'not-modified';
  }
  return 'proceed';
}

/** A byte range resolved against the object size. */
export type RangeOutcome = { kind: 'whole' } | { kind: 'partial'; start: number; end: number };

/**
 * Reads a Range header as S3 does: one `bytes=` range (first-last, first-, -suffix), end clamped
 * to the size; malformed or multiple ranges are ignored (whole object); a start at or past the end,
 * or any range of an empty object, is 416 InvalidRange.
 */
export function resolveRange(header: string | undefined, size: number): RangeOutcome {
  if (header === undefined) return { kind: 'whole' };
  const m = /^\s*bytes=(\d*)-(\d*)\s*$/.exec(header);
  if (!m || (m[1] === '' && m[2] === '')) return { kind: 'whole' };
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) throw S3Errors.invalidRange(header, size);
    return { kind: 'partial', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Number(m[2]);
  if (m[2] !== '' && end < start) return { kind: 'whole' };
  if (start >= size) throw S3Errors.invalidRange(header, size);
  return { kind: 'partial', start, end: Math.min(end, size - 1) };
}
