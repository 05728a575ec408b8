import { percentDecode, uriEncode } from './encoding';

/** How canonicalQuery reads the raw query. */
export interface CanonicalQueryOptions {
  /** Leave out `X-Amz-Signature` (presigned URLs sign everything but the signature). */
  excludeSignature: boolean;
  /** Read a raw `+` as a space (form encoding) instead of a literal plus. */
  plusAsSpace?: boolean;
}

/** Splits a raw query string into raw (still encoded) name/value pairs; `name` alone has value ''. */
export function splitQuery(rawQuery: string): Array<[string, string]> {
  return rawQuery
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0 ? [part, ''] : [part.slice(0, eq), part.slice(eq + 1)];
    });
}

/**
 * The canonical query string: every parameter re-encoded, sorted by name then value. Undefined
 * when a name or value holds a malformed `%` escape.
 */
export function canonicalQuery(rawQuery: string, options: CanonicalQueryOptions): string | undefined {
  if (rawQuery === '') return '';
  const plus = options.plusAsSpace ?? false;
  const pairs: Array<[string, string]> = [];
  for (const [rawName, rawValue] of splitQuery(rawQuery)) {
    const name = percentDecode(rawName, plus);
    const value = percentDecode(rawValue, plus);
    if (!name || !value) return undefined;
    if (options.excludeSignature && percentDecode(rawName)?.toString() === 'X-Amz-Signature') continue;
    pairs.push([uriEncode(name, false), uriEncode(value, false)]);
  }
  return sortedQuery(pairs);
}

/** Already encoded pairs sorted by name then value (code-unit order: they are ASCII) and joined. */
export function sortedQuery(encoded: Array<[string, string]>): string {
  return encoded
    .sort(([n1, v1], [n2, v2]) => (n1 !== n2 ? compare(n1, n2) : compare(v1, v2)))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Decoded query parameters, the first occurrence of a name winning (as AWS reads the X-Amz-* auth
 * parameters). Undefined when a name or value holds a malformed `%` escape.
 */
export function queryParameters(rawQuery: string): Map<string, string> | undefined {
  const params = new Map<string, string>();
  if (rawQuery === '') return params;
  for (const [rawName, rawValue] of splitQuery(rawQuery)) {
    const name = percentDecode(rawName);
    const value = percentDecode(rawValue);
    if (!name || !value) return undefined;
    const decoded = name.toString('utf8');
    if (!params.has(decoded)) params.set(decoded, value.toString('utf8'));
  }
  return params;
}
