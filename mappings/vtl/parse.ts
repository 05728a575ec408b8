/**
 * Parsing with velocityjs' grammar, then normalizing its AST into ours (ast.ts): typed, with
 * string interpolations pre-parsed, macros collected, and Velocity 1.7's whitespace rules applied.
 * velocityjs does not report unbalanced `#end`s (it silently truncates or duplicates), so balance is
 * checked here: Velocity rejects such templates, and so must we, at load.
 */
import { Helper, parse as velocityParse } from 'velocityjs';
import type { Branch, Expression, Macro, Node, Position, Program, Reference, Step } from './ast';
import { TemplateSyntaxError } from './errors';
import type { BinaryOperator } from './ops';
import { JavaDouble } from './values';

/** velocityjs' AST, as loosely as it comes: nodes, strings and nested blocks. */
interface RawNode {
  type: string;
  id?: unknown;
  value?: unknown;
  pos?: { first_line: number; first_column: number };
  [key: string]: unknown;
}
type Raw = string | number | RawNode | Raw[];

interface JisonError {
  hash?: { text?: string; loc?: { first_line: number; first_column: number } };
}

const EOF_SENTINEL = '__vtlEndOfTemplate__';

/** Parses a template; throws TemplateSyntaxError with the location of the first problem. */
export function parseProgram(source: string): Program {
  const raw = rawParse(source, { line: 1, column: 1 });
  checkBalanced(source);
  const macros = new Map<string, Macro>();
  return { body: new Converter(macros).block(raw, 'start'), macros };
}

function rawParse(source: string, at: Position): Raw[] {
  try {
    return velocityParse(source, undefined, false) as unknown as Raw[];
  } catch (e) {
    const hash = (e as JisonError).hash;
    if (!hash?.loc)
      throw new TemplateSyntaxError(`Cannot parse the template: ${(e as Error).message}`, at.line, at.column);
    const token = hash.text ? `'${hash.text}'` : 'end of template';
    const line = at.line + hash.loc.first_line - 1;
    const column = (hash.loc.first_line === 1 ? at.column : 1) + hash.loc.first_column;
    throw new TemplateSyntaxError(`Unexpected ${token}`, line, column);
  }
}

type Balance = { kind: 'balanced' } | { kind: 'unclosed'; header: RawNode } | { kind: 'stray-end' };

/** A sentinel appended to the source must come out once, last, at top level; otherwise blocks are unbalanced. */
function balance(source: string): Balance {
  let raw: Raw[];
  try {
    raw = velocityParse(`${source}\n\${${EOF_SENTINEL}}`, undefined, false) as unknown as Raw[];
  } catch {
    // The sentinel itself upset the grammar (source ending mid-construct): nothing to learn.
    return { kind: 'balanced' };
  }
  if (countSentinels(raw) === 1 && isSentinel(raw[raw.length - 1])) return { kind: 'balanced' };
  const open = raw.find((item) => Array.isArray(item) && countSentinels(item) > 0);
  return Array.isArray(open) ? { kind: 'unclosed', header: open[0] as RawNode } : { kind: 'stray-end' };
}

function checkBalanced(source: string): void {
  const result = balance(source);
  if (result.kind === 'unclosed') {
    const pos = position(result.header);
    throw new TemplateSyntaxError(`#${result.header.type} has no matching #end`, pos.line, pos.column);
  }
  if (result.kind === 'stray-end') {
    const pos = strayEnd(source);
    throw new TemplateSyntaxError(
      '#end without an open #if, #foreach, #macro or #define',
      pos.line,
      pos.column,
    );
  }
}

function isSentinel(item: Raw | undefined): boolean {
  return (
    typeof item === 'object' && !Array.isArray(item) && item.type === 'references' && item.id === EOF_SENTINEL
  );
}

function countSentinels(items: Raw[]): number {
  let n = 0;
  for (const item of items) n += Array.isArray(item) ? countSentinels(item) : isSentinel(item) ? 1 : 0;
  return n;
}

// The first `#end` whose prefix of the template is already unbalanced (an error path: cost is fine).
function strayEnd(source: string): Position {
  for (const match of source.matchAll(/#\{?end\}?/g)) {
    const end = match.index + match[0].length;
    if (balance(source.slice(0, end)).kind === 'stray-end') return positionAt(source, match.index);
  }
  return positionAt(source, source.length);
}

function positionAt(source: string, offset: number): Position {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - (before.lastIndexOf('\n') + 1) + 1 };
}

function position(node: RawNode | undefined, fallback: Position = { line: 1, column: 1 }): Position {
  return node?.pos ? { line: node.pos.first_line, column: node.pos.first_column + 1 } : fallback;
}

/**
 * What precedes a text node, for Velocity 1.7's whitespace rules: `)` of a directive, `#else` and
 * `#end` swallow the rest of their line when it is blank; a `##` comment swallows its newline.
 */
type Before = 'start' | 'text' | 'line-directive' | 'line-comment' | 'other';

const BINARY = new Set(['+', '-', '*', '/', '%', '<', '>', '<=', '>=', '==', '!=']);
const BLANK_LINE_REST = /^[ \t]*(\r\n|\n|\r)/;
const NEWLINE = /^(\r\n|\n|\r)/;

class Converter {
  constructor(private readonly macros: Map<string, Macro>) {}

  /** Converts a list of raw items (a template or a block body). */
  block(raw: Raw[], before: Before, pos: Position = { line: 1, column: 1 }): Node[] {
    const items = mergeStrings(raw);
    const out: Node[] = [];
    let previous: Before = before;
    for (let i = 0; i < items.length; i++) {
      const item = items[i];
      if (typeof item === 'string') {
        const text = this.text(item, previous, items[i + 1]);
        if (text) pushText(out, text);
        previous = 'text';
      } else if (Array.isArray(item)) {
        out.push(...this.blockDirective(item));
        previous = 'line-directive';
      } else if (typeof item === 'object') {
        previous = this.node(item, out, pos);
      }
    }
    return out;
  }

  private text(text: string, previous: Before, next: Raw | undefined): string {
    let t = text;
    if (previous === 'line-directive') t = t.replace(BLANK_LINE_REST, '');
    else if (previous === 'line-comment') t = t.replace(NEWLINE, '');
    // `#set` also swallows the blanks before it, when they start a new token (Velocity's SET_DIRECTIVE).
    const nextIsSet = typeof next === 'object' && !Array.isArray(next) && next.type === 'set';
    if (nextIsSet && previous !== 'text' && /^[ \t]*$/.test(t)) return '';
    return t;
  }

  private node(item: RawNode, out: Node[], outer: Position): Before {
    const pos = position(item, outer);
    switch (item.type) {
      case 'references': {
        const ref = this.reference(item, pos);
        out.push({ kind: 'ref', ref });
        if (item.args !== undefined) {
          // `$foo(...)` is not a Velocity reference: `$foo` followed by text.
          pushText(out, Helper.getRefText(item as never).slice(ref.source.length));
        }
        return 'other';
      }
      case 'set': {
        const [target, value] = item.equal as [RawNode, Raw];
        out.push({
          kind: 'set',
          target: this.reference(target, pos),
          value: this.expression(value, pos),
          pos,
        });
        return 'line-directive';
      }
      case 'comment':
        return String(item.value).startsWith('##') ? 'line-comment' : 'other';
      case 'raw':
        pushText(out, String(item.value));
        return 'other';
      case 'break':
        out.push({ kind: 'break' });
        return 'other';
      case 'macro_call': {
        const name = String(item.id);
        if (name === 'stop') out.push({ kind: 'stop' });
        else if (name === 'break') out.push({ kind: 'break' });
        else {
          const args = ((item.args as Raw[] | undefined) ?? []).map((a) => this.expression(a, pos));
          out.push({ kind: 'call', name, args, source: Helper.getRefText(item as never), pos });
        }
        return 'line-directive';
      }
      case 'else':
      case 'elseif':
        throw new TemplateSyntaxError(`#${item.type} without #if`, pos.line, pos.column);
      default:
        throw new TemplateSyntaxError(`Unsupported directive ${item.type}`, pos.line, pos.column);
    }
  }

  private blockDirective(items: Raw[]): Node[] {
    const header = items[0] as RawNode;
    const pos = position(header);
    const body = items.slice(1);
    switch (header.type) {
      case 'if':
        return [{ kind: 'if', branches: this.branches(header, body, pos) }];
      case 'foreach':
        return [
          {
            kind: 'foreach',
            variable: String(header.to),
            items: this.expression(header.from as Raw, pos),
            body: this.block(body, 'line-directive', pos),
            pos,
          },
        ];
      case 'macro': {
        const params = ((header.args as RawNode[] | undefined) ?? []).map((a) => String(a.id));
        this.macros.set(String(header.id), { params, body: this.block(body, 'line-directive', pos) });
        return [];
      }
      case 'define':
        return [{ kind: 'define', name: String(header.id), body: this.block(body, 'line-directive', pos) }];
      case 'noescape':
        return this.block(body, 'line-directive', pos);
      default: {
        const name = header.type === 'macro_body' ? `@${String(header.id)}` : header.type;
        throw new TemplateSyntaxError(`Unsupported block directive #${name}`, pos.line, pos.column);
      }
    }
  }

  private branches(header: RawNode, items: Raw[], pos: Position): Branch[] {
    const branches: Branch[] = [];
    let condition: Expression | undefined = this.expression(header.condition as Raw, pos);
    let start = 0;
    const close = (end: number): void => {
      branches.push({ condition, body: this.block(items.slice(start, end), 'line-directive', pos) });
    };
    items.forEach((item, i) => {
      if (typeof item !== 'object' || Array.isArray(item) || (item.type !== 'else' && item.type !== 'elseif'))
        return;
      close(i);
      const at = position(item, pos);
      if (condition === undefined)
        throw new TemplateSyntaxError(`#${item.type} after #else`, at.line, at.column);
      condition = item.type === 'elseif' ? this.expression(item.condition as Raw, at) : undefined;
      start = i + 1;
    });
    close(items.length);
    return branches;
  }

  private reference(raw: RawNode, pos: Position): Reference {
    const steps: Step[] = ((raw.path as RawNode[] | undefined) ?? []).map((step) => {
      if (step.type === 'property') return { kind: 'property', name: String(step.id) };
      if (step.type === 'index') return { kind: 'index', key: this.expression(step.id as Raw, pos) };
      const args = Array.isArray(step.args) ? (step.args as Raw[]) : [];
      return { kind: 'method', name: String(step.id), args: args.map((a) => this.expression(a, pos)) };
    });
    const source = Helper.getRefText({ ...raw, args: undefined } as never);
    return { name: String(raw.id), steps, source, pos: position(raw, pos) };
  }

  private expression(raw: Raw, pos: Position): Expression {
    if (typeof raw === 'string') return { kind: 'literal', value: Number.parseInt(raw, 10) };
    if (typeof raw === 'number') return { kind: 'literal', value: raw };
    if (Array.isArray(raw))
      throw new TemplateSyntaxError('Unexpected block in an expression', pos.line, pos.column);
    switch (raw.type) {
      case 'references':
        return { kind: 'ref', ref: this.reference(raw, pos) };
      case 'string':
        return this.string(String(raw.value), raw.isEval === true, pos);
      case 'integer':
        return { kind: 'literal', value: Number.parseInt(String(raw.value), 10) };
      case 'decimal':
        return { kind: 'literal', value: new JavaDouble(Number.parseFloat(String(raw.value))) };
      case 'bool':
        return {
          kind: 'literal',
          value: raw.value === 'true' ? true : raw.value === 'false' ? false : undefined,
        };
      case 'array': {
        const items = ((raw.value as Raw[] | undefined) ?? []).map((v) => this.expression(v, pos));
        return raw.isRange === true
          ? { kind: 'range', from: items[0], to: items[1] }
          : { kind: 'list', items };
      }
      case 'map': {
        const entries = Object.entries((raw.value as Record<string, Raw> | undefined) ?? {});
        return { kind: 'map', entries: entries.map(([k, v]) => [k, this.expression(v, pos)]) };
      }
      case 'math':
        return this.math(raw, pos);
      default:
        throw new TemplateSyntaxError(`Unexpected ${raw.type} in an expression`, pos.line, pos.column);
    }
  }

  private math(raw: RawNode, pos: Position): Expression {
    const operands = (raw.expression as Raw[]).map((e) => this.expression(e, pos));
    const op = String(raw.operator);
    if (op === 'parenthesis') return operands[0];
    if (op === 'not' || op === 'minus') return { kind: 'unary', op, operand: operands[0] };
    if (op === '&&' || op === '||') return { kind: 'logical', op, left: operands[0], right: operands[1] };
    if (BINARY.has(op))
      return { kind: 'binary', op: op as BinaryOperator, left: operands[0], right: operands[1] };
    throw new TemplateSyntaxError(`Unknown operator ${op}`, pos.line, pos.column);
  }

  /** A double-quoted string with `$` or `#` is a small template of its own (Velocity interpolation). */
  private string(value: string, interpolate: boolean, pos: Position): Expression {
    if (!interpolate || !/[$#]/.test(value)) return { kind: 'literal', value };
    const raw = rawParse(value, pos);
    try {
      checkBalanced(value);
    } catch (e) {
      // Positions inside a string literal are relative to it; report the directive holding it.
      if (e instanceof TemplateSyntaxError)
        throw new TemplateSyntaxError(`${e.reason} in a string`, pos.line, pos.column);
      throw e;
    }
    return { kind: 'interpolated', parts: this.block(raw, 'start', pos) };
  }
}

// velocityjs splits some text runs (blanks after a reference, a lone `$`); Velocity sees one run.
function mergeStrings(items: Raw[]): Raw[] {
  const out: Raw[] = [];
  for (const item of items) {
    const last = out[out.length - 1];
    if (typeof item === 'string' && typeof last === 'string') out[out.length - 1] = last + item;
    else out.push(item);
  }
  return out;
}

function pushText(out: Node[], text: string): void {
  if (!text) return;
  const last = out[out.length - 1];
  if (last?.kind === 'text') last.text += text;
  else out.push({ kind: 'text', text });
}
