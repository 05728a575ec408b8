/**
 * Template values across a thread boundary. Structured clone keeps plain data but not classes: a
 * JavaDouble would arrive as an empty object and a JsonList as a plain array (printing `[a, b]`
 * instead of JSON). Values are tagged on the way out and rebuilt on the way in; host objects
 * (`$input`, `$util`) have no data to send and cross as null.
 */
import { HostObject, isMap, JavaDouble, JsonList, mapPut, type VtlMap } from './values';

/** A template value in a form structured clone keeps. */
export type Transferable =
  | null
  | string
  | number
  | boolean
  | { readonly d: number }
  | { readonly l: Transferable[]; readonly json: boolean }
  | { readonly m: [string, Transferable][] };

export function toTransferable(value: unknown): Transferable {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof JavaDouble) return { d: value.value };
  if (Array.isArray(value)) return { l: value.map(toTransferable), json: value instanceof JsonList };
  if (isMap(value)) return { m: Object.keys(value).map((k) => [k, toTransferable(value[k])]) };
  // Host objects and anything else a template cannot build from data.
  if (value instanceof HostObject) return null;
  return null;
}

export function fromTransferable(value: Transferable): unknown {
  if (value === null || typeof value !== 'object') return value;
  if ('d' in value) return new JavaDouble(value.d);
  if ('l' in value) {
    const items = value.l.map(fromTransferable);
    return value.json ? JsonList.from(items) : items;
  }
  const map: VtlMap = {};
  for (const [k, v] of value.m) mapPut(map, k, fromTransferable(v));
  return map;
}
