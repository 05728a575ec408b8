import { Problems, pointerTo } from './problems';

/** A JSON object as parsed from the document. */
export type JsonObject = Record<string, unknown>;

/** True for a plain JSON object (not an array, not null). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Typed reads of document fields: a value of the wrong type is reported at its pointer and read as
 * absent, so one bad field never hides the problems of the next.
 */
export class FieldReader {
  constructor(private readonly problems: Problems) {}

  string(obj: JsonObject, key: string, pointer: string): string | undefined {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value;
    this.problems.error(pointerTo(pointer, key), `'${key}' must be a string, not ${describe(value)}`);
    return undefined;
  }

  boolean(obj: JsonObject, key: string, pointer: string): boolean | undefined {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    this.problems.error(pointerTo(pointer, key), `'${key}' must be true or false, not ${describe(value)}`);
    return undefined;
  }

  /** An integer, written as a number or as a string of digits. */
  integer(obj: JsonObject, key: string, pointer: string): number | undefined {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
    if (typeof n === 'number' && Number.isInteger(n)) return n;
    this.problems.error(pointerTo(pointer, key), `'${key}' must be an integer, not ${describe(value)}`);
    return undefined;
  }

  object(obj: JsonObject, key: string, pointer: string): JsonObject | undefined {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (isObject(value)) return value;
    this.problems.error(pointerTo(pointer, key), `'${key}' must be an object, not ${describe(value)}`);
    return undefined;
  }

  array(obj: JsonObject, key: string, pointer: string): unknown[] | undefined {
    const value = obj[key];
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) return value;
    this.problems.error(pointerTo(pointer, key), `'${key}' must be a list, not ${describe(value)}`);
    return undefined;
  }

  /** A list of strings; other items are reported and skipped. */
  stringList(obj: JsonObject, key: string, pointer: string): string[] | undefined {
    const list = this.array(obj, key, pointer);
    if (!list) return undefined;
    const strings: string[] = [];
    list.forEach((item, i) => {
      if (typeof item === 'string') strings.push(item);
      else this.problems.error(pointerTo(pointer, key, i), `must be a string, not ${describe(item)}`);
    });
    return strings;
  }

  /**
   * A map of strings (templates, parameter mappings). A null value reads as '' because YAML writes an
   * empty template as `application/json:` with nothing after it.
   */
  stringMap(obj: JsonObject, key: string, pointer: string): Record<string, string> {
    const map = this.object(obj, key, pointer);
    const out: Record<string, string> = {};
    if (!map) return out;
    for (const [k, v] of Object.entries(map)) {
      if (typeof v === 'string') out[k] = v;
      else if (v === null) out[k] = '';
      else this.problems.error(pointerTo(pointer, key, k), `must be a string, not ${describe(v)}`);
    }
    return out;
  }
}

/** How a value reads in an error message: its type, and the value itself when short. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`;
  return `${typeof value} ${String(value)}`;
}
