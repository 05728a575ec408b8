/**
 * Velocity 1.7 operators over Java-like values: integer arithmetic stays integral (`7 / 2` is 3),
 * `+` concatenates when either side is a string, comparisons need numbers, and `==` compares
 * numbers by value, same-class objects with `equals()` and anything else by `toString()`.
 * A null operand makes arithmetic null (Velocity logs and yields null).
 */
import { javaToString } from './text';
import {
  asNumber,
  isList,
  isMap,
  isNull,
  JavaDouble,
  mapEntries,
  mapGet,
  mapHas,
  mapSize,
  type JavaNumber,
} from './values';

export type BinaryOperator = '+' | '-' | '*' | '/' | '%' | '<' | '>' | '<=' | '>=' | '==' | '!=';

/** Velocity `#if` truth: null and false are false, every other object (even "" and 0) is true. */
export function isTruthy(value: unknown): boolean {
  if (isNull(value)) return false;
  if (typeof value === 'boolean') return value;
  return true;
}

/** Applies a binary operator; `undefined` stands for Java null. */
export function applyBinary(op: BinaryOperator, left: unknown, right: unknown): unknown {
  switch (op) {
    case '==':
      return vtlEquals(left, right);
    case '!=':
      return !vtlEquals(left, right);
    case '<':
    case '>':
    case '<=':
    case '>=':
      return compare(op, left, right);
    case '+':
      if (typeof left === 'string' || typeof right === 'string') {
        return isNull(left) || isNull(right) ? undefined : javaToString(left) + javaToString(right);
      }
      return arithmetic(op, left, right);
    default:
      return arithmetic(op, left, right);
  }
}

/** Unary minus on a number; null otherwise. */
export function negate(value: unknown): unknown {
  const n = asNumber(value);
  if (!n) return undefined;
  return n.double ? new JavaDouble(-n.value) : -n.value;
}

function arithmetic(op: '+' | '-' | '*' | '/' | '%', left: unknown, right: unknown): unknown {
  const a = asNumber(left);
  const b = asNumber(right);
  if (!a || !b) return undefined;
  if (a.double || b.double) return new JavaDouble(doubleOp(op, a.value, b.value));
  return integerOp(op, a.value, b.value);
}

function doubleOp(op: '+' | '-' | '*' | '/' | '%', a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
    case '%':
      return a % b;
  }
}

function integerOp(op: '+' | '-' | '*' | '/' | '%', a: number, b: number): number | undefined {
  // Velocity: "Right side of division operation is zero" → null, not an exception.
  if ((op === '/' || op === '%') && b === 0) return undefined;
  return op === '/' ? Math.trunc(a / b) : doubleOp(op, a, b);
}

function compare(op: '<' | '>' | '<=' | '>=', left: unknown, right: unknown): boolean {
  const a = asNumber(left);
  const b = asNumber(right);
  // Velocity 1.7 only orders numbers; anything else logs an error and is false.
  if (!a || !b) return false;
  switch (op) {
    case '<':
      return a.value < b.value;
    case '>':
      return a.value > b.value;
    case '<=':
      return a.value <= b.value;
    case '>=':
      return a.value >= b.value;
  }
}

/**
 * Velocity `==`. One deviation from stock 1.7, observed on API Gateway
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html):
 * a null operand also equals the empty string, so a missing `$input.path` result is both `== $null`
 * and `== ""`.
 */
export function vtlEquals(left: unknown, right: unknown): boolean {
  if (isNull(left) || isNull(right)) {
    const other = isNull(left) ? right : left;
    return isNull(other) || other === '';
  }
  const a = asNumber(left);
  const b = asNumber(right);
  if (a && b) return a.value === b.value;
  if (sameKind(left, right)) return javaEquals(left, right);
  return javaToString(left) === javaToString(right);
}

function sameKind(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || typeof b !== 'object') return typeof a === typeof b;
  return (isList(a) && isList(b)) || (isMap(a) && isMap(b)) || a === b;
}

/** Java `a.equals(b)`: value equality for strings, numbers of the same kind, lists and maps. */
export function javaEquals(a: unknown, b: unknown): boolean {
  if (isNull(a) || isNull(b)) return isNull(a) && isNull(b);
  const x = asNumber(a);
  const y = asNumber(b);
  if (x || y) return !!x && !!y && sameNumber(x, y);
  if (isList(a)) return isList(b) && a.length === b.length && a.every((v, i) => javaEquals(v, b[i]));
  if (isMap(a)) {
    if (!isMap(b)) return false;
    if (mapSize(a) !== mapSize(b)) return false;
    for (const [k, v] of mapEntries(a)) if (!mapHas(b, k) || !javaEquals(v, mapGet(b, k))) return false;
    return true;
  }
  return a === b;
}

function sameNumber(x: JavaNumber, y: JavaNumber): boolean {
  return x.double === y.double && x.value === y.value;
}
