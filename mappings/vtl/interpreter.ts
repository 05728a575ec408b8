/**
 * Renders a compiled template with Velocity 1.7 semantics as API Gateway runs it: null renders as
 * nothing, a null `#set` value leaves the variable unchanged, `#foreach` stops after 1000 items,
 * `#break` leaves the innermost loop (or macro, or the template).
 */
import type { Expression, Node, Program, Reference } from './ast';
import { TemplateRuntimeError } from './errors';
import { invokeMethod, JavaException, readProperty } from './methods';
import { applyBinary, isTruthy, negate } from './ops';
import { parseProgram } from './parse';
import { JavaRegexError } from './regex';
import { javaToString } from './text';
import { asNumber, HostObject, isList, isMap, isNull, mapGet, mapPut, mapValues, NO_METHOD } from './values';

/**
 * API Gateway stops `#foreach` loops after this many iterations
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html).
 */
export const FOREACH_LIMIT = 1000;
// Velocity's `velocimacro.max.depth` default.
const MACRO_DEPTH_LIMIT = 20;
// A range is materialized as a list; bigger ones would only exhaust memory.
const RANGE_LIMIT = 100_000;

const BREAK = Symbol('#break');
const STOP = Symbol('#stop');
const ABSENT = Symbol('absent');

/** `$foreach`: index, count, hasNext, first, last, parent (Velocity 1.7's ForeachScope). */
class ForeachScope extends HostObject {
  index = 0;
  constructor(
    private readonly size: number,
    private readonly parent: unknown,
  ) {
    super();
  }
  toJavaString(): string {
    return '$foreach';
  }
  property(name: string): unknown {
    switch (name) {
      case 'index':
        return this.index;
      case 'count':
        return this.index + 1;
      case 'hasNext':
        return this.index + 1 < this.size;
      case 'first':
        return this.index === 0;
      case 'last':
        return this.index + 1 >= this.size;
      case 'parent':
        return this.parent;
      default:
        return undefined;
    }
  }
  invoke(name: string, args: readonly unknown[]): unknown {
    if (args.length > 0) return NO_METHOD;
    if (name === 'hasNext') return this.property('hasNext');
    const bean = /^(?:get|is)([A-Z]\w*)$/.exec(name);
    if (!bean) return NO_METHOD;
    const value = this.property(bean[1][0].toLowerCase() + bean[1].slice(1));
    return value === undefined ? NO_METHOD : value;
  }
}

/** The value of `#define($name) … #end`: renders its body where it is printed. */
class DefinedBlock extends HostObject {
  constructor(private readonly render: () => string) {
    super();
  }
  toJavaString(): string {
    return this.render();
  }
  property(): unknown {
    return undefined;
  }
  invoke(name: string, args: readonly unknown[]): unknown {
    return name === 'toString' && args.length === 0 ? this.render() : NO_METHOD;
  }
}

const evaluated = new Map<string, Program>();

/** One render: variables, output, and the program's macros. */
export class Interpreter {
  private out = '';
  private macroDepth = 0;

  constructor(
    private readonly program: Program,
    private readonly vars: Map<string, unknown>,
  ) {}

  /** Renders the whole program; `#stop` and a top-level `#break` end it early. */
  render(): string {
    try {
      this.run(this.program.body);
    } catch (e) {
      if (e !== STOP && e !== BREAK) throw e;
    }
    return this.out;
  }

  private run(nodes: readonly Node[]): void {
    for (const node of nodes) {
      switch (node.kind) {
        case 'text':
          this.out += node.text;
          break;
        case 'ref': {
          const value = this.reference(node.ref);
          if (!isNull(value)) this.out += javaToString(value);
          break;
        }
        case 'set':
          this.assign(node.target, this.evaluate(node.value));
          break;
        case 'if':
          for (const branch of node.branches) {
            if (branch.condition === undefined || isTruthy(this.evaluate(branch.condition))) {
              this.run(branch.body);
              break;
            }
          }
          break;
        case 'foreach':
          this.foreach(node.variable, this.evaluate(node.items), node.body);
          break;
        case 'break':
          throw BREAK;
        case 'stop':
          throw STOP;
        case 'define': {
          const body = node.body;
          this.vars.set(node.name, new DefinedBlock(() => this.capture(body)));
          break;
        }
        case 'call':
          this.call(node.name, node.args, node.source);
          break;
      }
    }
  }

  /** Renders nodes into a string of their own (string interpolation, #define). */
  private capture(nodes: readonly Node[]): string {
    const saved = this.out;
    this.out = '';
    try {
      this.run(nodes);
      return this.out;
    } finally {
      this.out = saved;
    }
  }

  private foreach(variable: string, source: unknown, body: readonly Node[]): void {
    let items: unknown[];
    if (isList(source)) items = source.slice(0, FOREACH_LIMIT);
    else if (isMap(source)) items = mapValues(source, FOREACH_LIMIT);
    else return;
    const saved = ['foreach', 'velocityCount', 'velocityHasNext', variable].map(
      (name) => [name, this.vars.has(name) ? this.vars.get(name) : ABSENT] as const,
    );
    const outer = this.vars.get('foreach');
    const scope = new ForeachScope(items.length, outer instanceof ForeachScope ? outer : undefined);
    try {
      for (let i = 0; i < items.length; i++) {
        scope.index = i;
        this.vars.set('foreach', scope);
        this.vars.set('velocityCount', i + 1);
        this.vars.set('velocityHasNext', i + 1 < items.length);
        if (isNull(items[i])) this.vars.delete(variable);
        else this.vars.set(variable, items[i]);
        try {
          this.run(body);
        } catch (e) {
          if (e === BREAK) break;
          throw e;
        }
      }
    } finally {
      // Velocity restores the loop variable to what it was before the loop.
      for (const [name, value] of saved) {
        if (value === ABSENT) this.vars.delete(name);
        else this.vars.set(name, value);
      }
    }
  }

  private call(name: string, argExpressions: readonly Expression[], source: string): void {
    const macro = this.program.macros.get(name);
    if (macro) {
      if (this.macroDepth >= MACRO_DEPTH_LIMIT) {
        throw new TemplateRuntimeError(
          'error',
          `#${name}: macros nested more than ${MACRO_DEPTH_LIMIT} deep`,
        );
      }
      const args = argExpressions.map((a) => this.evaluate(a));
      const saved = macro.params.map((p) => [p, this.vars.has(p) ? this.vars.get(p) : ABSENT] as const);
      macro.params.forEach((p, i) => (isNull(args[i]) ? this.vars.delete(p) : this.vars.set(p, args[i])));
      this.macroDepth++;
      try {
        this.run(macro.body);
      } catch (e) {
        if (e !== BREAK) throw e;
      } finally {
        this.macroDepth--;
        for (const [p, value] of saved) {
          if (value === ABSENT) this.vars.delete(p);
          else this.vars.set(p, value);
        }
      }
      return;
    }
    if (name === 'evaluate') {
      this.evaluateDirective(argExpressions);
      return;
    }
    if (name === 'parse' || name === 'include') {
      throw new TemplateRuntimeError(
        'error',
        `#${name} cannot load resources in an API Gateway mapping template`,
      );
    }
    // Not a directive nor a macro: Velocity prints it as text.
    this.out += source;
  }

  private evaluateDirective(argExpressions: readonly Expression[]): void {
    const code = argExpressions.length === 1 ? this.evaluate(argExpressions[0]) : undefined;
    if (isNull(code)) return;
    const text = javaToString(code);
    let program = evaluated.get(text);
    if (!program) {
      try {
        program = parseProgram(text);
      } catch (e) {
        throw new TemplateRuntimeError('error', `#evaluate: ${(e as Error).message}`);
      }
      if (evaluated.size >= 100) evaluated.clear();
      evaluated.set(text, program);
    }
    this.run(program.body);
  }

  /** `#set`: a null value changes nothing (Velocity 1.7's default `directive.set.null.allowed=false`). */
  private assign(target: Reference, value: unknown): void {
    if (isNull(value)) return;
    if (target.steps.length === 0) {
      this.vars.set(target.name, value);
      return;
    }
    const owner = this.reference(target, target.steps.length - 1);
    const last = target.steps[target.steps.length - 1];
    if (last.kind === 'method' || isNull(owner)) return;
    const key = last.kind === 'property' ? last.name : this.evaluate(last.key);
    if (isMap(owner)) {
      mapPut(owner, javaToString(key), value);
    } else if (isList(owner)) {
      const n = asNumber(key);
      if (n && !n.double && n.value >= 0 && n.value < owner.length) owner[n.value] = value;
    }
  }

  /** The value of a reference, following its first `upTo` steps (all by default). */
  private reference(ref: Reference, upTo = ref.steps.length): unknown {
    let value: unknown = this.vars.get(ref.name);
    for (let i = 0; i < upTo; i++) {
      if (isNull(value)) return undefined;
      const step = ref.steps[i];
      try {
        if (step.kind === 'property') {
          value = readProperty(value, step.name);
        } else if (step.kind === 'index') {
          value = index(value, this.evaluate(step.key));
        } else {
          const args = step.args.map((a) => this.evaluate(a));
          const result = invokeMethod(value, step.name, args);
          value = result === NO_METHOD ? undefined : result;
        }
      } catch (e) {
        throw runtimeError(e, ref);
      }
    }
    return value;
  }

  private evaluate(expression: Expression): unknown {
    switch (expression.kind) {
      case 'literal':
        return expression.value;
      case 'interpolated':
        return this.capture(expression.parts);
      case 'ref':
        return this.reference(expression.ref);
      case 'list':
        return expression.items.map((item) => this.evaluate(item));
      case 'map': {
        const map = {};
        for (const [key, item] of expression.entries) mapPut(map, key, this.evaluate(item));
        return map;
      }
      case 'range':
        return range(this.evaluate(expression.from), this.evaluate(expression.to));
      case 'unary':
        return expression.op === 'not'
          ? !isTruthy(this.evaluate(expression.operand))
          : negate(this.evaluate(expression.operand));
      case 'logical': {
        const left = isTruthy(this.evaluate(expression.left));
        if (expression.op === '&&') return left && isTruthy(this.evaluate(expression.right));
        return left || isTruthy(this.evaluate(expression.right));
      }
      case 'binary':
        return applyBinary(expression.op, this.evaluate(expression.left), this.evaluate(expression.right));
    }
  }
}

/** `$list[i]` (negative counts from the end, as in Velocity 1.7) and `$map[key]`; null when absent. */
function index(target: unknown, key: unknown): unknown {
  if (isList(target)) {
    const n = asNumber(key);
    if (!n || n.double) return undefined;
    const i = n.value < 0 ? target.length + n.value : n.value;
    return i >= 0 && i < target.length ? target[i] : undefined;
  }
  if (isMap(target)) return mapGet(target, javaToString(key));
  if (target instanceof HostObject) return target.property(javaToString(key));
  return undefined;
}

/** `[a..b]`, ascending or descending, both ends included; null unless both ends are integers. */
function range(from: unknown, to: unknown): unknown {
  const a = asNumber(from);
  const b = asNumber(to);
  if (!a || !b || a.double || b.double) return undefined;
  if (Math.abs(b.value - a.value) >= RANGE_LIMIT) {
    throw new TemplateRuntimeError('error', `Range [${a.value}..${b.value}] is too large`);
  }
  const step = a.value <= b.value ? 1 : -1;
  const out: number[] = [];
  for (let i = a.value; step > 0 ? i <= b.value : i >= b.value; i += step) out.push(i);
  return out;
}

function runtimeError(e: unknown, ref: Reference): unknown {
  if (e instanceof TemplateRuntimeError) return e;
  if (e instanceof JavaException || e instanceof JavaRegexError) {
    const where = `line ${ref.pos.line}, column ${ref.pos.column}`;
    return new TemplateRuntimeError(
      'error',
      `${e.name}: ${e.message.replace(/^\w+: /, '')} in ${ref.source} at ${where}`,
    );
  }
  return e;
}
