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

/** A Java `Map` as templates see it: a plain object, insertion-ordered. */
export type VtlMap = Record<string, unknown>;

/** Plain objects only: class instances (JavaDouble, host objects) are not maps. */
export function isMap(value: unknown): value is VtlMap {
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

/** Own keys only, never the prototype chain: templates must not reach JS internals. */
export function mapGet(map: VtlMap, key: string): unknown {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

/** `map.put(key, value)`; `__proto__` becomes an ordinary key instead of replacing the prototype. */
export function mapPut(map: VtlMap, key: string, value: unknown): unknown {
  const previous = mapGet(map, key);
  if (key === '__proto__') {
    Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    map[key] = value;
  }
  return previous;
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
