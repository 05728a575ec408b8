/**
 * The values templates handle, modelled on the Java objects API Gateway's Velocity sees: JSON
 * objects are `Map`s, JSON arrays are json-smart `JSONArray`s (they print as JSON), numbers are
 * `Integer` or `Double`. JS values stand in for them; the two classes below mark what JS loses.
 */

/** A Java `double` (a JSON number with a fraction or exponent, a decimal literal): prints `1.0`, not `1`. */
export class JavaDouble {
  // Private so JSONPath wildcards and `Object.keys` do not see inside the wrapper.
  readonly #value: number;
  constructor(value: number) {
    this.#value = value;
  }
  get value(): number {
    return this.#value;
  }
  // Lets JSONPath filter expressions (`?(@.price < 10)`) compare it as a number.
  valueOf(): number {
    return this.#value;
  }
  toString(): string {
    return formatDouble(this.#value);
  }
}

/**
 * An array parsed from JSON: a `JSONArray`, whose `toString()` is compact JSON
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html).
 */
export class JsonList extends Array<unknown> {
  // `map`/`slice`/`filter` results are ordinary Java lists, not JSON arrays.
  static override get [Symbol.species](): ArrayConstructor {
    return Array;
  }
}

/** Objects exposing properties and methods to templates (`$input`, `$util`, `$foreach`, map entries). */
export abstract class HostObject {
  /** What the object's `toString()` prints. */
  abstract toJavaString(): string;
  /** `$obj.name`: undefined (Java null) when absent. */
  abstract property(name: string): unknown;
  /** `$obj.name(args)`: NO_METHOD when there is no such method, which Velocity turns into null. */
  abstract invoke(name: string, args: readonly unknown[]): unknown;
}

/** Returned by `invoke` for an unknown method (a null return value is a legitimate result). */
export const NO_METHOD: unique symbol = Symbol('no such method');

/**
 * A Java `Map` for a large JSON object (see LARGE_OBJECT_MEMBERS in json.ts). A JS `Map` rather
 * than a plain object: a JSON object with a million keys as object properties becomes a
 * dictionary-mode object whose keys are all interned, which takes about twice the memory and time.
 * Keys iterate in the order of a plain object's (see mapKeys), so what templates print does not
 * depend on the representation.
 */
export class JavaMap extends Map<string, unknown> {
  // How many keys are array indices ("0", "17"): only maps that have some iterate in sorted order.
  #indexKeys = 0;

  override set(key: string, value: unknown): this {
    if (isIndexKey(key) && !this.has(key)) this.#indexKeys++;
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    const deleted = super.delete(key);
    if (deleted && isIndexKey(key)) this.#indexKeys--;
    return deleted;
  }

  override clear(): void {
    this.#indexKeys = 0;
    super.clear();
  }

  /** Whether iteration needs the array-index keys moved to the front (see mapKeys). */
  get hasIndexKeys(): boolean {
    return this.#indexKeys > 0;
  }
}

/** A map as a plain object: small JSON objects, `{…}` literals, `$context`, `$input.params()`. */
export type PlainMap = Record<string, unknown>;

/**
 * A Java `Map` as templates see it. Either representation behaves the same through the functions
 * below (mapGet, mapPut, mapKeys…), which is how all code reads and writes maps.
 */
export type VtlMap = JavaMap | PlainMap;

/** The same map as a JavaMap, iterating in the same order. */
export function toJavaMap(map: VtlMap): JavaMap {
  if (map instanceof JavaMap) return map;
  const converted = new JavaMap();
  for (const key of Object.keys(map)) converted.set(key, map[key]);
  return converted;
}

/** JavaMaps and plain objects only: other class instances (JavaDouble, host objects) are not maps. */
export function isMap(value: unknown): value is VtlMap {
  if (value instanceof JavaMap) return true;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function isList(value: unknown): value is unknown[] {
  return Array.isArray(value);
}

export function isNull(value: unknown): value is null | undefined {
  return value === null || value === undefined;
}

/** Integer or double, as Velocity's arithmetic and comparisons see numbers. */
export type JavaNumber = { double: boolean; value: number };

export function asNumber(value: unknown): JavaNumber | undefined {
  if (typeof value === 'number') return { double: !Number.isInteger(value), value };
  if (value instanceof JavaDouble) return { double: true, value: value.value };
  return undefined;
}

/**
 * A key JS objects order before all others, ascending: an array index, "0" to "4294967294" without
 * leading zeros.
 */
function isIndexKey(key: string): boolean {
  const c = key.charCodeAt(0);
  if (!(c >= 0x30 && c <= 0x39) || key.length > 10) return false;
  return /^(?:0|[1-9]\d*)$/.test(key) && Number(key) < 4294967295;
}

/** Own keys only, never the prototype chain: templates must not reach JS internals. */
export function mapGet(map: VtlMap, key: string): unknown {
  if (map instanceof JavaMap) return map.get(key);
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

export function mapHas(map: VtlMap, key: string): boolean {
  return map instanceof JavaMap ? map.has(key) : Object.hasOwn(map, key);
}

/** `map.put(key, value)`; `__proto__` becomes an ordinary key instead of replacing the prototype. */
export function mapPut(map: VtlMap, key: string, value: unknown): unknown {
  const previous = mapGet(map, key);
  if (map instanceof JavaMap) {
    map.set(key, value);
  } else if (key === '__proto__') {
    Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    map[key] = value;
  }
  return previous;
}

/** `map.remove(key)`: the value it had. */
export function mapRemove(map: VtlMap, key: string): unknown {
  const previous = mapGet(map, key);
  if (map instanceof JavaMap) map.delete(key);
  else delete map[key];
  return previous;
}

export function mapSize(map: VtlMap): number {
  return map instanceof JavaMap ? map.size : Object.keys(map).length;
}

/**
 * The keys in the order maps have always printed in, that of JS objects: array-index keys first,
 * ascending, then the others in insertion order.
 */
export function mapKeys(map: VtlMap): Iterable<string> {
  if (!(map instanceof JavaMap)) return Object.keys(map);
  if (!map.hasIndexKeys) return map.keys();
  return (function* () {
    for (const [key] of indexKeysFirst(map)) yield key;
  })();
}

/** The entries in mapKeys order, without copying a large map. */
export function mapEntries(map: VtlMap): Iterable<[string, unknown]> {
  if (!(map instanceof JavaMap)) return Object.keys(map).map((key): [string, unknown] => [key, map[key]]);
  return map.hasIndexKeys ? indexKeysFirst(map) : map.entries();
}

// Only the array-index entries are gathered (to sort them); the others are read in place.
function* indexKeysFirst(map: JavaMap): Generator<[string, unknown]> {
  const indices: [string, unknown][] = [];
  for (const entry of map.entries()) if (isIndexKey(entry[0])) indices.push(entry);
  indices.sort((a, b) => Number(a[0]) - Number(b[0]));
  yield* indices;
  for (const entry of map.entries()) if (!isIndexKey(entry[0])) yield entry;
}

/** The first `limit` values (all by default) in mapKeys order, as a new list. */
export function mapValues(map: VtlMap, limit = Infinity): unknown[] {
  const values: unknown[] = [];
  if (values.length >= limit) return values;
  for (const [, value] of mapEntries(map)) {
    values.push(value);
    if (values.length >= limit) break;
  }
  return values;
}

/** Java `Double.toString`: `1.0`, `0.001`, `1.0E7`, `1.0E-4`, shortest round-trip digits. */
export function formatDouble(d: number): string {
  if (Number.isNaN(d)) return 'NaN';
  if (!Number.isFinite(d)) return d > 0 ? 'Infinity' : '-Infinity';
  if (d === 0) return Object.is(d, -0) ? '-0.0' : '0.0';
  const sign = d < 0 ? '-' : '';
  const [mantissa, exponentText] = Math.abs(d).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const exponent = Number(exponentText);
  const abs = Math.abs(d);
  if (abs >= 1e-3 && abs < 1e7) {
    if (exponent >= 0) {
      const whole = digits.slice(0, exponent + 1).padEnd(exponent + 1, '0');
      return `${sign}${whole}.${digits.slice(exponent + 1) || '0'}`;
    }
    return `${sign}0.${'0'.repeat(-exponent - 1)}${digits}`;
  }
  return `${sign}${digits[0]}.${digits.slice(1) || '0'}E${exponent}`;
}

/** How Java prints a number held in a JS `number`: integers plainly, the rest as doubles. */
export function formatNumber(n: number): string {
  if (Number.isInteger(n)) return Math.abs(n) < 1e21 ? String(n) : BigInt(n).toString();
  return formatDouble(n);
}
