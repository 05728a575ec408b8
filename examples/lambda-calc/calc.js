'use strict';
// The Calc function behind AWS's LambdaCalc example API (fixture aws-lambda-proxy.swagger2.json):
// event {a, b, op} → {a, b, op, c}. Errors are thrown as "400 …" messages, which the API's
// integration responses can select with a selectionPattern such as `400.*`.

const OPERATIONS = {
  '+': (a, b) => a + b,
  add: (a, b) => a + b,
  '-': (a, b) => a - b,
  sub: (a, b) => a - b,
  '*': (a, b) => a * b,
  mul: (a, b) => a * b,
  '/': (a, b) => (b === 0 ? NaN : a / b),
  div: (a, b) => (b === 0 ? NaN : a / b),
};

exports.handler = async (event) => {
  if (
    event === null ||
    typeof event !== 'object' ||
    event.a === undefined ||
    event.b === undefined ||
    event.op === undefined
  ) {
    throw new Error('400 Invalid Input');
  }
  const a = Number(event.a);
  const b = Number(event.b);
  if (Number.isNaN(a) || Number.isNaN(b) || event.a === '' || event.b === '')
    throw new Error('400 Invalid Operand');
  const operation = OPERATIONS[event.op];
  if (!operation) throw new Error('400 Invalid Operator');
  return { a, b, op: event.op, c: operation(a, b) };
};
