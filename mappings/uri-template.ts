/**
 * Integration uri templates, compiled once: `${stageVariables.x}` is filled when the API loads
 * (stage variables do not change while it runs; missing → empty), `{name}` per request from the
 * integration.request.path.* values (spliced as given, still encoded; missing → empty).
 */

const STAGE_VARIABLE = /\$\{stageVariables\.([A-Za-z0-9_]+)\}/g;

/** Fills every `${stageVariables.x}` of a uri (missing → empty). */
export function fillStageVariables(template: string, stageVariables: Record<string, string>): string {
  return template.replace(STAGE_VARIABLE, (_m, name: string) => stageVariables[name] ?? '');
}

/**
 * Which braces are placeholders: `path` (aws `path/` uris) takes `{name}` only; `url` (http uris)
 * also reads `{name+}` as `name`, the form API Gateway's console writes for greedy paths.
 */
export type PlaceholderStyle = 'path' | 'url';

const PLACEHOLDER: Record<PlaceholderStyle, RegExp> = {
  path: /\{([^}/]+)\}/g,
  url: /\{([^}/]+?)\+?\}/g,
};

/** A compiled template: the text between placeholders, and the placeholders' names. */
export interface UriTemplate {
  /** `literals.length === names.length + 1`. */
  readonly literals: readonly string[];
  readonly names: readonly string[];
  render(values: Record<string, string>): string;
}

export function compileUriTemplate(
  template: string,
  stageVariables: Record<string, string>,
  style: PlaceholderStyle,
): UriTemplate {
  const filled = fillStageVariables(template, stageVariables);
  const literals: string[] = [];
  const names: string[] = [];
  let last = 0;
  for (const m of filled.matchAll(PLACEHOLDER[style])) {
    literals.push(filled.slice(last, m.index));
    names.push(m[1]);
    last = m.index! + m[0].length;
  }
  literals.push(filled.slice(last));
  return {
    literals,
    names,
    render(values) {
      let out = literals[0];
      for (let i = 0; i < names.length; i++) out += (values[names[i]] ?? '') + literals[i + 1];
      return out;
    },
  };
}
