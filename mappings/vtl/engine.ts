/** Compiling (once, cached by source) and rendering templates. */
import type { Program } from './ast';
import { TemplateRuntimeError } from './errors';
import { InputObject, type InputParams } from './input';
import { Interpreter } from './interpreter';
import { prepareOverrides } from './overrides';
import { parseProgram } from './parse';
import { UtilObject } from './util';

/** What a template sees: `$input`, `$context`, `$stageVariables` (`$util` is built in). */
export interface TemplateVariables {
  /** The payload as text (a Buffer is decoded as UTF-8 with replacement characters). */
  body: Buffer | string;
  /** Single values, as `$input.params()` returns them. */
  params: InputParams;
  /**
   * `$context`, nested (`identity`, `authorizer`, `error`…). Mutated: the override maps are created
   * here if missing and templates write into them; read them back with `overridesOf`.
   */
  context: Record<string, unknown>;
  stageVariables: Record<string, string>;
  /** The payload is binary (BMT match, no CONVERT_TO_TEXT): rendering fails with kind `binary-body`. */
  binaryBody?: boolean;
}

/** A template parsed once, rendered per message. */
export interface CompiledTemplate {
  /** The template's text output; throws TemplateRuntimeError. */
  render(vars: TemplateVariables): string;
}

const UTIL = new UtilObject();

class Template implements CompiledTemplate {
  constructor(private readonly program: Program) {}

  render(vars: TemplateVariables): string {
    if (vars.binaryBody) {
      throw new TemplateRuntimeError(
        'binary-body',
        'A mapping template cannot be applied to a binary payload',
      );
    }
    prepareOverrides(vars.context);
    const scope = new Map<string, unknown>([
      ['input', new InputObject(vars.body, vars.params)],
      ['util', UTIL],
      ['context', vars.context],
      // A copy: `#set($stageVariables.x = …)` must not change the stage for the next request.
      ['stageVariables', { ...vars.stageVariables }],
    ]);
    try {
      return new Interpreter(this.program, scope).render();
    } catch (e) {
      if (e instanceof TemplateRuntimeError) throw e;
      // A stack overflow (deep recursion in data) or any other failure is still the template's 500.
      throw new TemplateRuntimeError('error', `Template failed: ${(e as Error).message ?? String(e)}`);
    }
  }
}

const cache = new Map<string, CompiledTemplate>();
// The gateway compiles its templates at load; the bound only guards against callers compiling per request.
const CACHE_LIMIT = 1000;

/** Parses a template once (cached by its source); throws TemplateSyntaxError with line and column. */
export function compileTemplate(source: string): CompiledTemplate {
  let template = cache.get(source);
  if (!template) {
    template = new Template(parseProgram(source));
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(source, template);
  }
  return template;
}
