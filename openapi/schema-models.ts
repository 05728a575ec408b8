import type { BodySchema } from './media';
import { Problems, pointerTo } from './problems';
import { MODEL_ROOTS, Refs, modelNameOf } from './refs';
import { isObject } from './values';

/**
 * The API's models: the document's schemas by name plus one per inline request/response schema.
 * Their `$ref`s are rewritten to `#/definitions/<Name>` whatever the OpenAPI version, so a validator
 * resolves them against `{ definitions: models }`.
 */
export class Models {
  readonly byName: Record<string, unknown> = {};
  private readonly inlineNames = new Map<object, string>();

  constructor(
    private readonly format: keyof typeof MODEL_ROOTS,
    private readonly refs: Refs,
    private readonly problems: Problems,
  ) {}

  /** Registers the document's own schemas (`definitions` / `components.schemas`), written at `pointer`. */
  addDeclared(schemas: Record<string, unknown>, pointer: string): void {
    for (const [name, schema] of Object.entries(schemas)) {
      const at = pointerTo(pointer, name);
      if (!/^[A-Za-z0-9]+$/.test(name)) {
        this.problems.warning(at, `model name '${name}' is not alphanumeric; API Gateway would reject it`);
      }
      this.byName[name] = this.rewrite(schema, at);
    }
    this.reportLoops(Object.keys(schemas), pointer);
  }

  /**
   * Models that reach themselves without descending into the instance (`A` is `$ref: B`, `B` is
   * `allOf: [$ref: A]`) describe no schema at all: a validator would recurse forever. They are
   * refused at import, like looping path items; recursion through a property or items is fine.
   */
  private reportLoops(names: readonly string[], pointer: string): void {
    const declared = new Set(names);
    const state = new Map<string, 'visiting' | 'done'>();
    const trail: string[] = [];
    const visit = (name: string): void => {
      state.set(name, 'visiting');
      trail.push(name);
      for (const edge of sameInstanceRefs(this.byName[name], pointerTo(pointer, name))) {
        if (!declared.has(edge.model)) continue;
        const seen = state.get(edge.model);
        if (seen === 'visiting') {
          const loop = [...trail.slice(trail.indexOf(edge.model)), edge.model].join(' → ');
          this.problems.error(
            edge.pointer,
            `circular $ref '${MODEL_ROOTS[this.format]}${edge.model}': the models ${loop} never reach a schema`,
          );
        } else if (seen === undefined) {
          visit(edge.model);
        }
      }
      trail.pop();
      state.set(name, 'done');
    };
    for (const name of names) if (!state.has(name)) visit(name);
  }

  /**
   * The model name for a request/response schema: the name a `$ref` gives, or a new model named after
   * `suggestion` for an inline schema. Undefined (reported) when the reference is broken.
   */
  nameFor(schema: unknown, pointer: string, suggestion: string): string | undefined {
    const named = modelNameOf(schema, this.format);
    if (named !== undefined && Object.hasOwn(this.byName, named)) return named;
    const resolved = this.refs.resolve(schema, pointer);
    if (!resolved) return undefined;
    if (!isObject(resolved.value)) {
      this.problems.error(pointer, 'a schema must be an object');
      return undefined;
    }
    // The same schema object reached twice (a shared $ref, two media types) stays one model.
    const known = this.inlineNames.get(resolved.value);
    if (known) return known;
    let name = suggestion;
    for (let n = 2; Object.hasOwn(this.byName, name); n++) name = `${suggestion}${n}`;
    this.byName[name] = this.rewrite(resolved.value, resolved.pointer);
    this.inlineNames.set(resolved.value, name);
    return name;
  }

  /** Media type → model name of each body schema; a schema without a name (reported) is left out. */
  namesFor(schemas: BodySchema[], suggestion: string): Record<string, string> {
    const names: Record<string, string> = {};
    for (const { mediaType, schema, pointer } of schemas) {
      const name = this.nameFor(schema, pointer, suggestion);
      if (name !== undefined) names[mediaType] = name;
    }
    return names;
  }

  /** A deep copy of a schema with its model references in `#/definitions/<Name>` form; broken ones reported. */
  private rewrite(schema: unknown, pointer: string): unknown {
    if (Array.isArray(schema)) return schema.map((item, i) => this.rewrite(item, pointerTo(pointer, i)));
    if (!isObject(schema)) return schema;
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string') {
        this.refs.lookup(value, pointerTo(pointer, key));
        const root = MODEL_ROOTS[this.format];
        copy[key] = value.startsWith(root) ? MODEL_ROOTS.swagger + value.slice(root.length) : value;
      } else {
        copy[key] = this.rewrite(value, pointerTo(pointer, key));
      }
    }
    return copy;
  }
}

/** The models a schema refers to for the same instance: its own `$ref`, and those of allOf/anyOf/oneOf/not. */
function sameInstanceRefs(schema: unknown, pointer: string): { model: string; pointer: string }[] {
  if (!isObject(schema)) return [];
  const found: { model: string; pointer: string }[] = [];
  const model = modelNameOf(schema, 'swagger');
  if (model !== undefined) found.push({ model, pointer: pointerTo(pointer, '$ref') });
  for (const keyword of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = schema[keyword];
    if (Array.isArray(list)) {
      list.forEach((item, i) => found.push(...sameInstanceRefs(item, pointerTo(pointer, keyword, i))));
    }
  }
  found.push(...sameInstanceRefs(schema.not, pointerTo(pointer, 'not')));
  return found;
}

/** A model name made of the words of its method, path and role: POST /pets/{id} → `PostPetsIdRequest`. */
export function suggestModelName(httpMethod: string, resourcePath: string, role: string): string {
  const words = [httpMethod, ...resourcePath.split(/[^A-Za-z0-9]+/), role].filter((w) => w !== '');
  return words.map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase()).join('');
}
