/**
 * The request time of a signed request: its two accepted forms, and the window around the server
 * clock in which a signature is valid.
 */

/** `20130524T000000Z` from a time. */
export function toAmzDate(date: Date | number): string {
  return new Date(date)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
}

/** `2013-05-24T00:00:00Z`, the form AWS uses for ServerTime and Expires in error bodies. */
export function toIsoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** A Date from UTC fields, or undefined when a field is out of range (e.g. Feb 30). */
function utcDate(y: number, mo: number, d: number, h: number, mi: number, s: number): Date | undefined {
  const date = new Date(Date.UTC(y, mo, d, h, mi, s));
  const roundTrips =
    date.getUTCFullYear() === y &&
    date.getUTCMonth() === mo &&
    date.getUTCDate() === d &&
    date.getUTCHours() === h &&
    date.getUTCMinutes() === mi &&
    date.getUTCSeconds() === s;
  return roundTrips ? date : undefined;
}

/** `20130524T000000Z` (ISO 8601 basic, the X-Amz-Date form); undefined otherwise. */
export function parseAmzDate(raw: string): Date | undefined {
  const iso = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(raw);
  return iso ? utcDate(+iso[1], +iso[2] - 1, +iso[3], +iso[4], +iso[5], +iso[6]) : undefined;
}

/** An RFC 1123 HTTP date (`Fri, 24 May 2013 00:00:00 GMT`, also `UTC`/`+0000`); undefined otherwise. */
export function parseHttpDate(raw: string): Date | undefined {
  const http =
    /^[A-Z][a-z]{2}, (\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2}) (?:GMT|UTC|\+0000)$/.exec(
      raw.trim(),
    );
  if (!http || !MONTHS.includes(http[2])) return undefined;
  return utcDate(+http[3], MONTHS.indexOf(http[2]), +http[1], +http[4], +http[5], +http[6]);
}

/** Either form, as the X-Amz-Date or Date header of a signed request may carry. */
export function parseSigningDate(raw: string): Date | undefined {
  return parseAmzDate(raw) ?? parseHttpDate(raw);
}

/** Why a request time falls outside the window, with the bounds AWS's messages quote. */
export type TimeCheck =
  | { ok: true }
  | {
      ok: false;
      reason: 'expired' | 'not-yet-current';
      /** The server clock, truncated to the second. */
      now: number;
      /** The bound the request time crossed (earliest or latest accepted). */
      bound: number;
      /** The seconds from `now` to `bound`. */
      windowSeconds: number;
    };

/**
 * Whether a request time lies within `pastSeconds` before and `futureSeconds` after the server
 * clock (truncated to the second, as AWS compares).
 */
export function checkRequestTime(
  date: Date,
  now: Date,
  pastSeconds: number,
  futureSeconds: number,
): TimeCheck {
  const nowSeconds = Math.floor(now.getTime() / 1000) * 1000;
  const earliest = nowSeconds - pastSeconds * 1000;
  const latest = nowSeconds + futureSeconds * 1000;
  if (date.getTime() < earliest) {
    return { ok: false, reason: 'expired', now: nowSeconds, bound: earliest, windowSeconds: pastSeconds };
  }
  if (date.getTime() > latest) {
    return {
      ok: false,
      reason: 'not-yet-current',
      now: nowSeconds,
      bound: latest,
      windowSeconds: futureSeconds,
    };
  }
  return { ok: true };
}

/**
 * The message AWS's non-S3 services (execute-api, Lambda) give for a request time outside the
 * window; the window is written `5 min.`, other lengths (X-Amz-Expires) in seconds.
 */
export function timeWindowMessage(date: Date, failure: Extract<TimeCheck, { ok: false }>): string {
  const window =
    failure.windowSeconds % 60 === 0 ? `${failure.windowSeconds / 60} min` : `${failure.windowSeconds} sec`;
  return failure.reason === 'expired'
    ? `Signature expired: ${toAmzDate(date)} is now earlier than ${toAmzDate(failure.bound)} ` +
        `(${toAmzDate(failure.now)} - ${window}.)`
    : `Signature not yet current: ${toAmzDate(date)} is still later than ${toAmzDate(failure.bound)} ` +
        `(${toAmzDate(failure.now)} + ${window}.)`;
}
