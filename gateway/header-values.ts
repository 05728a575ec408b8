import type { Invocation } from './invocation';

/**
 * Reading and writing header values in the gateway's header maps. Where a header is repeated, the
 * gateway reads its last value (what Node keeps for a single-valued header).
 */

/** The last value of a header in a multi-value map, its name matched in any case (`name` lower-case). */
export function lastHeaderValue(headers: Record<string, string[]>, name: string): string | undefined {
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key].at(-1);
}

/** The last value of a client header (Node's lower-cased view). */
export function clientHeader(inv: Invocation, name: string): string | undefined {
  const v = inv.request.nodeHeaders[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/** Sets a header, replacing any of the same name in another case (`content-type` and `Content-Type` are one header). */
export function setHeader<V extends string | string[]>(
  headers: Record<string, V>,
  name: string,
  value: V,
): void {
  for (const existing of Object.keys(headers)) {
    if (existing.toLowerCase() === name.toLowerCase()) delete headers[existing];
  }
  headers[name] = value;
}
