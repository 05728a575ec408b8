/**
 * JSONPath for `$input.path` / `$input.json` through jsonpath-plus, reporting results the way
 * Jayway JsonPath (API Gateway's library) does: a definite path (no wildcard, filter, slice, union or
 * deep scan) yields one value or none; an indefinite path yields a list, possibly empty.
 */
import { jsonPathPlus } from '../jsonpath-plus';
import { isList, isMap, mapGet, mapHas, mapKeys, type VtlMap } from './values';

export interface PathResult {
  definite: boolean;
  matches: unknown[];
}

interface PreparedPath {
  path: string;
  definite: boolean;
  root: boolean;
}

const prepared = new Map<string, PreparedPath>();
const CACHE_LIMIT = 1000;

// Jayway reads `[-1]` as the last element; jsonpath-plus only knows negative slices.
function negativeIndexAsSlice(path: string): string {
  return path.replace(/\[\s*-(\d+)\s*\]/g, (_m, n: string) =>
    n === '1' ? '[-1:]' : `[-${n}:-${Number(n) - 1}]`,
  );
}

function isIndefinite(token: string): boolean {
  return (
    token === '..' ||
    token === '*' ||
    token.startsWith('?(') ||
    token.startsWith('(') ||
    /^-?\d*:-?\d*(:-?\d*)?$/.test(token) ||
    /^\s*-?\d+\s*(,\s*-?\d+\s*)+$/.test(token) ||
    /^'[^']*'(\s*,\s*'[^']*')+$/.test(token)
  );
}

function prepare(path: string): PreparedPath {
  let entry = prepared.get(path);
  if (!entry) {
    const tokens = jsonPathPlus().JSONPath.toPathArray(path);
    const rest = tokens[0] === '$' ? tokens.slice(1) : tokens;
    entry = { path: negativeIndexAsSlice(path), definite: !rest.some(isIndefinite), root: rest.length === 0 };
    if (prepared.size >= CACHE_LIMIT) prepared.clear();
    prepared.set(path, entry);
  }
  return entry;
}

/** Evaluates `path` against a parsed document (null, a scalar, a map or a list). */
export function queryJsonPath(document: unknown, path: string): PathResult {
  const { path: query, definite, root } = prepare(path);
  if (document === null || document === undefined || typeof document !== 'object') {
    // Only `$` selects anything in a scalar document.
    return { definite, matches: root && document !== undefined ? [document] : [] };
  }
  if (root) return { definite, matches: [document] };
  const json = asObjectView(document) as object;
  const matches = jsonPathPlus().JSONPath({ path: query, json, wrap: true }) as unknown[];
  return { definite, matches: matches.map((match) => viewed.get(match as object) ?? match) };
}

/**
 * jsonpath-plus walks plain objects (`Object.keys`, `Object.hasOwn`, `value[key]`); a large map is
 * a JavaMap (values.ts). It is shown read-only views of the document's maps and lists, made as it
 * descends (a query reads a few entries of a large document, never copies it), and its results are
 * mapped back to the values themselves.
 */
const views = new WeakMap<object, object>();
const viewed = new WeakMap<object, object>();

function asObjectView(value: unknown): unknown {
  if (!isMap(value) && !isList(value)) return value;
  let view = views.get(value);
  if (!view) {
    view = isList(value) ? listView(value) : mapView(value);
    views.set(value, view);
    viewed.set(view, value);
  }
  return view;
}

// Own entries only, as jsonpath-plus reads plain objects: never the prototype's members.
function mapView(map: VtlMap): object {
  const entry = (key: string | symbol) =>
    typeof key === 'string' && mapHas(map, key) ? { value: asObjectView(mapGet(map, key)) } : undefined;
  return new Proxy(
    {},
    {
      get: (_target, key) => entry(key)?.value,
      has: (_target, key) => typeof key === 'string' && mapHas(map, key),
      ownKeys: () => Array.from(mapKeys(map)),
      getOwnPropertyDescriptor: (_target, key) => {
        const found = entry(key);
        return found && { value: found.value, writable: false, enumerable: true, configurable: true };
      },
      set: () => false,
      defineProperty: () => false,
      deleteProperty: () => false,
    },
  );
}

// Lists stay lists (Array.isArray holds for the view); only the elements read are views.
function listView(list: unknown[]): object {
  return new Proxy(list, {
    get: (target, key, receiver) =>
      typeof key === 'string' && /^\d+$/.test(key)
        ? asObjectView(target[Number(key)])
        : (Reflect.get(target, key, receiver) as unknown),
    set: () => false,
    defineProperty: () => false,
    deleteProperty: () => false,
  });
}
