/** The compiled form of a template: velocityjs' loosely typed AST, normalized once at load. */
import type { BinaryOperator } from './ops';

/** 1-based position in the template source, for error messages. */
export interface Position {
  line: number;
  column: number;
}

export type Node =
  | { kind: 'text'; text: string }
  | { kind: 'ref'; ref: Reference }
  | { kind: 'set'; target: Reference; value: Expression; pos: Position }
  | { kind: 'if'; branches: Branch[] }
  | { kind: 'foreach'; variable: string; items: Expression; body: Node[]; pos: Position }
  | { kind: 'break' }
  | { kind: 'stop' }
  | { kind: 'define'; name: string; body: Node[] }
  | { kind: 'call'; name: string; args: Expression[]; source: string; pos: Position };

/** `#if`/`#elseif` (with a condition) or `#else` (without). */
export interface Branch {
  condition: Expression | undefined;
  body: Node[];
}

/** `#macro(name $a $b) body #end`, collected at compile time. */
export interface Macro {
  params: string[];
  body: Node[];
}

/** `$name.step.step(...)[...]`, as a value or as a `#set` target. */
export interface Reference {
  name: string;
  steps: Step[];
  /** The reference as written, for error messages. */
  source: string;
  pos: Position;
}

export type Step =
  | { kind: 'property'; name: string }
  | { kind: 'index'; key: Expression }
  | { kind: 'method'; name: string; args: Expression[] };

export type UnaryOperator = 'not' | 'minus';
export type LogicalOperator = '&&' | '||';

export type Expression =
  | { kind: 'literal'; value: unknown }
  | { kind: 'interpolated'; parts: Node[] }
  | { kind: 'list'; items: Expression[] }
  | { kind: 'range'; from: Expression; to: Expression }
  | { kind: 'map'; entries: [string, Expression][] }
  | { kind: 'ref'; ref: Reference }
  | { kind: 'unary'; op: UnaryOperator; operand: Expression }
  | { kind: 'logical'; op: LogicalOperator; left: Expression; right: Expression }
  | { kind: 'binary'; op: BinaryOperator; left: Expression; right: Expression };

/** A whole template. */
export interface Program {
  body: Node[];
  macros: Map<string, Macro>;
}
