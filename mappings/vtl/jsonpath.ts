/**
 * JSONPath for `$input.path` / `$input.json` through jsonpath-plus, reporting results the way
 * Jayway JsonPath (API Gateway's library) does: a definite path (no wildcard, filter, slice, union or
 * deep scan) yields one value or none; an indefinite path yields a list, possibly empty.
 */
import { jsonPathPlus } from '../jsonpath-plus';

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
  const matches = jsonPathPlus().JSONPath({ path: query, json: document, wrap: true }) as unknown[];
  return { definite, matches };
}
