/**
 * The Java methods templates call on values: `String`, `List`, `Map`, `Number`, `Boolean`.
 * Velocity resolves a method by name and argument types; when nothing fits it yields null, which is
 * what NO_METHOD means here. Methods that would throw in Java throw JavaException (a template error).
 * Each class's methods without arguments are a table (name → function of the value); the others are
 * a switch that checks the argument count, and a getter called with arguments finds no method.
 */
import { javaEquals } from './ops';
import { javaMatches, javaReplace, javaSplit } from './regex';
import { javaToString } from './text';
import {
  asNumber,
  HostObject,
  isList,
  isMap,
  JavaDouble,
  mapEntries,
  mapGet,
  mapHas,
  mapKeys,
  mapPut,
  mapRemove,
  mapSize,
  mapValues,
  NO_METHOD,
  type VtlMap,
} from './values';

/** A Java exception raised by a method (`StringIndexOutOfBoundsException`, …). */
export class JavaException extends Error {
  constructor(
    readonly javaClass: string,
    message: string,
  ) {
    super(`${javaClass}: ${message}`);
    this.name = javaClass;
  }
}

// Thrown while matching arguments: Velocity found no method with a compatible signature.
const MISMATCH = Symbol('argument mismatch');

/** Calls `name(args)` on a value; NO_METHOD when the value's class has no such method. */
export function invokeMethod(target: unknown, name: string, args: readonly unknown[]): unknown {
  try {
    if (target instanceof HostObject) return target.invoke(name, args);
    if (typeof target === 'string') return stringMethod(target, name, args);
    if (isList(target)) return listMethod(target, name, args);
    if (isMap(target)) return mapMethod(target, name, args);
    if (asNumber(target)) return numberMethod(target, name, args);
    if (typeof target === 'boolean') return objectMethod(target, name, args);
    return NO_METHOD;
  } catch (e) {
    if (e === MISMATCH) return NO_METHOD;
    throw e;
  }
}

/**
 * `$value.name` as Velocity resolves it: a map key for maps, otherwise the bean getter `getName()`
 * or `isName()` (so `$list.empty` is `isEmpty()`, while `$string.length` is null: no `getLength()`).
 */
export function readProperty(target: unknown, name: string): unknown {
  if (target instanceof HostObject) return target.property(name);
  if (isMap(target)) return mapGet(target, name);
  if (target === null || target === undefined || name === '') return undefined;
  const suffix = name[0].toUpperCase() + name.slice(1);
  for (const getter of [`get${suffix}`, `is${suffix}`]) {
    const value = invokeMethod(target, getter, []);
    if (value !== NO_METHOD) return value;
  }
  return undefined;
}

function arity(args: readonly unknown[], ...counts: number[]): void {
  if (!counts.includes(args.length)) throw MISMATCH;
}

function str(value: unknown): string {
  if (typeof value !== 'string') throw MISMATCH;
  return value;
}

function int(value: unknown): number {
  const n = asNumber(value);
  if (!n || n.double) throw MISMATCH;
  return n.value;
}

function stringIndex(s: string, begin: number, end: number): void {
  if (begin < 0 || end > s.length || begin > end) {
    throw new JavaException(
      'StringIndexOutOfBoundsException',
      `begin ${begin}, end ${end}, length ${s.length}`,
    );
  }
}

function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return s.slice(start, end);
}

function hashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}

// A `char` argument (`indexOf(97)`) or a String one (`indexOf('a')`).
function needle(value: unknown): string {
  return typeof value === 'string' ? value : String.fromCharCode(int(value));
}

/** String methods without arguments. */
const STRING_GETTERS: Record<string, (s: string) => unknown> = {
  length: (s) => s.length,
  isEmpty: (s) => s.length === 0,
  isBlank: (s) => s.trim().length === 0,
  toLowerCase: (s) => s.toLowerCase(),
  toUpperCase: (s) => s.toUpperCase(),
  trim: javaTrim,
  strip: (s) => s.trim(),
  hashCode,
};

function stringMethod(s: string, name: string, args: readonly unknown[]): unknown {
  if (args.length === 0 && Object.hasOwn(STRING_GETTERS, name)) return STRING_GETTERS[name](s);
  switch (name) {
    case 'charAt': {
      arity(args, 1);
      const i = int(args[0]);
      if (i < 0 || i >= s.length) {
        throw new JavaException('StringIndexOutOfBoundsException', `index ${i}, length ${s.length}`);
      }
      return s[i];
    }
    case 'contains':
      arity(args, 1);
      return s.includes(str(args[0]));
    case 'startsWith':
      arity(args, 1, 2);
      return s.startsWith(str(args[0]), args.length > 1 ? int(args[1]) : 0);
    case 'endsWith':
      arity(args, 1);
      return s.endsWith(str(args[0]));
    case 'indexOf':
      arity(args, 1, 2);
      return s.indexOf(needle(args[0]), args.length > 1 ? Math.max(0, int(args[1])) : 0);
    case 'lastIndexOf':
      arity(args, 1, 2);
      return args.length > 1 ? s.lastIndexOf(needle(args[0]), int(args[1])) : s.lastIndexOf(needle(args[0]));
    case 'substring':
    case 'subSequence': {
      arity(args, 1, 2);
      const begin = int(args[0]);
      const end = args.length > 1 ? int(args[1]) : s.length;
      stringIndex(s, begin, end);
      return s.slice(begin, end);
    }
    case 'concat':
      arity(args, 1);
      return s + str(args[0]);
    case 'replace':
      arity(args, 2);
      return s.split(str(args[0])).join(str(args[1]));
    case 'replaceAll':
      arity(args, 2);
      return javaReplace(s, str(args[0]), str(args[1]), true);
    case 'replaceFirst':
      arity(args, 2);
      return javaReplace(s, str(args[0]), str(args[1]), false);
    case 'matches':
      arity(args, 1);
      return javaMatches(s, str(args[0]));
    case 'split':
      arity(args, 1, 2);
      return javaSplit(s, str(args[0]), args.length > 1 ? int(args[1]) : 0);
    case 'equalsIgnoreCase':
      arity(args, 1);
      return typeof args[0] === 'string' && s.toLowerCase() === args[0].toLowerCase();
    case 'compareTo':
      arity(args, 1);
      return compareStrings(s, str(args[0]));
    case 'compareToIgnoreCase':
      arity(args, 1);
      return compareStrings(s.toLowerCase(), str(args[0]).toLowerCase());
    case 'repeat':
      arity(args, 1);
      return s.repeat(Math.max(0, int(args[0])));
    default:
      return objectMethod(s, name, args);
  }
}

function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a.charCodeAt(i) !== b.charCodeAt(i)) return a.charCodeAt(i) - b.charCodeAt(i);
  }
  return a.length - b.length;
}

function listIndex(list: readonly unknown[], i: number, size = list.length): number {
  if (i < 0 || i >= size)
    throw new JavaException('IndexOutOfBoundsException', `Index: ${i}, Size: ${list.length}`);
  return i;
}

/** List methods without arguments. */
const LIST_GETTERS: Record<string, (list: unknown[]) => unknown> = {
  size: (list) => list.length,
  isEmpty: (list) => list.length === 0,
  clear: (list) => {
    list.length = 0;
  },
};

function listMethod(list: unknown[], name: string, args: readonly unknown[]): unknown {
  if (args.length === 0 && Object.hasOwn(LIST_GETTERS, name)) return LIST_GETTERS[name](list);
  switch (name) {
    case 'get':
      arity(args, 1);
      return list[listIndex(list, int(args[0]))];
    case 'contains':
      arity(args, 1);
      return list.some((v) => javaEquals(v, args[0]));
    case 'containsAll':
      arity(args, 1);
      if (!isList(args[0])) throw MISMATCH;
      return args[0].every((x) => list.some((v) => javaEquals(v, x)));
    case 'indexOf':
      arity(args, 1);
      return list.findIndex((v) => javaEquals(v, args[0]));
    case 'lastIndexOf':
      arity(args, 1);
      for (let i = list.length - 1; i >= 0; i--) if (javaEquals(list[i], args[0])) return i;
      return -1;
    case 'add':
      arity(args, 1, 2);
      if (args.length === 1) {
        list.push(args[0]);
        return true;
      }
      list.splice(listIndex(list, int(args[0]), list.length + 1), 0, args[1]);
      return undefined;
    case 'addAll':
      arity(args, 1);
      if (!isList(args[0])) throw MISMATCH;
      list.push(...args[0]);
      return args[0].length > 0;
    case 'set': {
      arity(args, 2);
      const i = listIndex(list, int(args[0]));
      const previous = list[i];
      list[i] = args[1];
      return previous;
    }
    case 'remove': {
      arity(args, 1);
      // An Integer argument picks `remove(int index)`, like Java's overload resolution.
      if (asNumber(args[0]) && !asNumber(args[0])!.double)
        return list.splice(listIndex(list, int(args[0])), 1)[0];
      const at = list.findIndex((v) => javaEquals(v, args[0]));
      if (at >= 0) list.splice(at, 1);
      return at >= 0;
    }
    case 'subList': {
      arity(args, 2);
      const from = int(args[0]);
      const to = int(args[1]);
      if (from < 0 || to > list.length || from > to) {
        throw new JavaException('IndexOutOfBoundsException', `fromIndex: ${from}, toIndex: ${to}`);
      }
      return list.slice(from, to);
    }
    default:
      return objectMethod(list, name, args);
  }
}

/** A `Map.Entry` from `entrySet()`: `$e.key`, `$e.value`, prints `key=value`. */
class MapEntry extends HostObject {
  constructor(
    private readonly key: string,
    private readonly value: unknown,
  ) {
    super();
  }
  toJavaString(): string {
    return `${this.key}=${javaToString(this.value)}`;
  }
  property(name: string): unknown {
    return name === 'key' ? this.key : name === 'value' ? this.value : undefined;
  }
  invoke(name: string, args: readonly unknown[]): unknown {
    if (args.length === 0 && (name === 'getKey' || name === 'getValue'))
      return this.property(name.slice(3).toLowerCase());
    return objectMethod(this, name, args);
  }
}

function key(value: unknown): string {
  return javaToString(value);
}

/** Map methods without arguments. */
const MAP_GETTERS: Record<string, (map: VtlMap) => unknown> = {
  keySet: (map) => Array.from(mapKeys(map)),
  values: (map) => mapValues(map),
  entrySet: (map) => Array.from(mapEntries(map), ([k, v]) => new MapEntry(k, v)),
  size: (map) => mapSize(map),
  isEmpty: (map) => mapSize(map) === 0,
  clear: (map) => {
    for (const k of Array.from(mapKeys(map))) mapRemove(map, k);
  },
};

function mapMethod(map: VtlMap, name: string, args: readonly unknown[]): unknown {
  if (args.length === 0 && Object.hasOwn(MAP_GETTERS, name)) return MAP_GETTERS[name](map);
  switch (name) {
    case 'get':
      arity(args, 1);
      return mapGet(map, key(args[0]));
    case 'getOrDefault': {
      arity(args, 2);
      const k = key(args[0]);
      return mapHas(map, k) ? mapGet(map, k) : args[1];
    }
    case 'put':
      arity(args, 2);
      return mapPut(map, key(args[0]), args[1]);
    case 'putIfAbsent': {
      arity(args, 2);
      const current = mapGet(map, key(args[0]));
      if (current === undefined || current === null) mapPut(map, key(args[0]), args[1]);
      return current;
    }
    case 'putAll':
      arity(args, 1);
      if (!isMap(args[0])) throw MISMATCH;
      // A snapshot: `$m.putAll($m)` must not iterate what it is adding.
      for (const [k, v] of Array.from(mapEntries(args[0]))) mapPut(map, k, v);
      return undefined;
    case 'containsKey':
      arity(args, 1);
      return mapHas(map, key(args[0]));
    case 'containsValue':
      arity(args, 1);
      for (const [, v] of mapEntries(map)) if (javaEquals(v, args[0])) return true;
      return false;
    case 'remove':
      arity(args, 1);
      return mapRemove(map, key(args[0]));
    default:
      return objectMethod(map, name, args);
  }
}

/** Number methods without arguments, of the number's value. */
const NUMBER_GETTERS: Record<string, (value: number) => unknown> = {
  intValue: (value) => Math.trunc(value),
  longValue: (value) => Math.trunc(value),
  doubleValue: (value) => new JavaDouble(value),
  floatValue: (value) => new JavaDouble(value),
};

function numberMethod(n: unknown, name: string, args: readonly unknown[]): unknown {
  const { value } = asNumber(n)!;
  if (args.length === 0 && Object.hasOwn(NUMBER_GETTERS, name)) return NUMBER_GETTERS[name](value);
  switch (name) {
    case 'compareTo': {
      arity(args, 1);
      const other = asNumber(args[0]);
      if (!other) throw MISMATCH;
      return Math.sign(value - other.value);
    }
    default:
      return objectMethod(n, name, args);
  }
}

/** `java.lang.Object` methods every value has. */
function objectMethod(target: unknown, name: string, args: readonly unknown[]): unknown {
  switch (name) {
    case 'toString':
      arity(args, 0);
      return javaToString(target);
    case 'equals':
      arity(args, 1);
      return javaEquals(target, args[0]);
    case 'booleanValue':
      arity(args, 0);
      if (typeof target !== 'boolean') throw MISMATCH;
      return target;
    default:
      return NO_METHOD;
  }
}
