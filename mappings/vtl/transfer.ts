/**
 * Template values across a thread boundary. Structured clone keeps plain data but not classes: a
 * JavaDouble would arrive as an empty object and a JsonList as a plain array (printing `[a, b]`
 * instead of JSON). Values are tagged on the way out and rebuilt on the way in; host objects
 * (`$input`, `$util`) have no data to send and cross as null.
 */
import {
  HostObject,
  isMap,
  JavaDouble,
  JavaMap,
  JsonList,
  mapEntries,
  mapPut,
  type PlainMap,
} from './values';

/** A template value in a form structured clone keeps. */
export type Transferable =
  | null
  | string
  | number
  | boolean
  | { readonly d: number }
  | { readonly l: Transferable[]; readonly json: boolean }
  // `plain`: a map held as a plain object rather than a JavaMap (values.ts); both kinds come back as they left.
  | { readonly m: [string, Transferable][]; readonly plain: boolean };

export function toTransferable(value: unknown): Transferable {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (value instanceof JavaDouble) return { d: value.value };
  if (Array.isArray(value)) return { l: value.map(toTransferable), json: value instanceof JsonList };
  if (isMap(value)) {
    return {
      m: Array.from(mapEntries(value), ([k, v]): [string, Transferable] => [k, toTransferable(v)]),
      plain: !(value instanceof JavaMap),
    };
  }
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
  if (!value.plain) {
    const map = new JavaMap();
    for (const [k, v] of value.m) map.set(k, fromTransferable(v));
    return map;
  }
  const map: PlainMap = {};
  for (const [k, v] of value.m) mapPut(map, k, fromTransferable(v));
  return map;
}
