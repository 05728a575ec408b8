import { Problems, pointerTo, pointerTokens } from './problems';
import { describe, isObject, type JsonObject } from './values';

/** A value of the document and the JSON pointer where it is written. */
export interface Located {
  value: unknown;
  pointer: string;
}

/** Where each OpenAPI version keeps its schemas: a `$ref` under it names a model. */
export const MODEL_ROOTS = { swagger: '#/definitions/', openapi: '#/components/schemas/' } as const;

/**
 * Follows local `$ref`s lazily, only where the importer reads through them, so schemas keep their
 * references (models stay JSON schema, and recursive schemas cannot loop the importer).
 */
export class Refs {
  constructor(
    private readonly document: unknown,
    private readonly problems: Problems,
  ) {}

  /**
   * Like resolve, for a value that must be an object: one that is not is an error (`what` names it
   * in the message) and gives undefined.
   */
  resolveObject(
    value: unknown,
    pointer: string,
    what: string,
  ): { value: JsonObject; pointer: string } | undefined {
    const located = this.resolve(value, pointer);
    if (!located) return undefined;
    if (!isObject(located.value)) {
      this.problems.error(located.pointer, `${what} must be an object, not ${describe(located.value)}`);
      return undefined;
    }
    return { value: located.value, pointer: located.pointer };
  }

  /** The object `value` (written at `pointer`) stands for, after its `$ref` chain; undefined when broken. */
  resolve(value: unknown, pointer: string): Located | undefined {
    const visited = new Set<string>();
    let current: Located = { value, pointer };
    while (isObject(current.value) && '$ref' in current.value) {
      const at = pointerTo(current.pointer, '$ref');
      const ref = current.value.$ref;
      if (typeof ref !== 'string') {
        this.problems.error(at, `'$ref' must be a string`);
        return undefined;
      }
      if (visited.has(ref)) {
        this.problems.error(at, `circular $ref '${ref}'`);
        return undefined;
      }
      visited.add(ref);
      const target = this.lookup(ref, at);
      if (!target) return undefined;
      current = target;
    }
    return current;
  }

  /** Whether a local `$ref` string points at something in the document (reported at `at` if not). */
  lookup(ref: string, at: string): Located | undefined {
    if (!ref.startsWith('#')) {
      this.problems.error(
        at,
        `$ref '${ref}' points outside this document; only local references ('#/...') are supported`,
      );
      return undefined;
    }
    let pointer: string;
    try {
      pointer = decodeURIComponent(ref.slice(1));
    } catch {
      this.problems.error(at, `$ref '${ref}' is not a valid URI fragment`);
      return undefined;
    }
    if (pointer !== '' && !pointer.startsWith('/')) {
      this.problems.error(at, `$ref '${ref}' is not a JSON pointer (expected '#/...')`);
      return undefined;
    }
    let value: unknown = this.document;
    for (const token of pointerTokens(pointer)) {
      const next = Array.isArray(value)
        ? /^\d+$/.test(token)
          ? value[Number(token)]
          : undefined
        : isObject(value) && Object.hasOwn(value, token)
          ? value[token]
          : undefined;
      if (next === undefined) {
        this.problems.error(at, `$ref '${ref}' points to nothing in this document`);
        return undefined;
      }
      value = next;
    }
    return { value, pointer };
  }
}

/** The model a schema names by `$ref` (`#/definitions/Input` → `Input`), if it is such a reference. */
export function modelNameOf(schema: unknown, format: keyof typeof MODEL_ROOTS): string | undefined {
  if (!isObject(schema) || typeof schema.$ref !== 'string') return undefined;
  const root = MODEL_ROOTS[format];
  if (!schema.$ref.startsWith(root)) return undefined;
  const tokens = pointerTokens('/' + decodeSafely(schema.$ref.slice(root.length)));
  return tokens.length === 1 ? tokens[0] : undefined;
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
