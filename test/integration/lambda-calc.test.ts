import path from 'node:path';
import { parseFunctions } from '../../gateway/backends/lambda';
import { createLogger } from '../../gateway/log';
import { startGateway, type RunningGateway } from '../../gateway/serve';
import { tempDir, type TempDir } from '../helpers/api-doc';
import { REPO, spawnApigw } from '../helpers/cli';
import { FIXTURES, HAVE_FIXTURES } from '../helpers/execute-api';
import { LAMBDA_KEYS } from '../helpers/lambda-invoke';

if (!HAVE_FIXTURES)
  console.warn(
    `skipping the LambdaCalc fixture tests: ${FIXTURES} is absent (it is beside the checkout in CI)`,
  );
const withFixtures = HAVE_FIXTURES ? describe : describe.skip;

withFixtures(
  'the LambdaCalc API (AWS fixture, unchanged) on the embedded Lambda running examples/lambda-calc',
  () => {
    let dir: TempDir;
    let gw: RunningGateway;
    beforeAll(async () => {
      dir = tempDir('apigw-calc-embedded-');
      gw = await startGateway(
        {
          api: path.join(FIXTURES, 'aws-lambda-proxy.swagger2.json'),
          port: 0,
          host: '127.0.0.1',
          dataDir: dir.dir,
          functions: parseFunctions({ Calc: 'examples/lambda-calc/calc.js#handler' }, REPO, 'test'),
        },
        createLogger('error'),
        { AWS_ACCESS_KEY_ID: LAMBDA_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: LAMBDA_KEYS.secretAccessKey },
      );
    });
    afterAll(async () => {
      await gw?.close();
      dir?.remove();
    });

    test('the embedded Lambda runs because functions are configured (endpoints.lambda unset)', () => {
      expect(gw.lambda).toBeDefined();
      expect(gw.lambda!.runtime.functionNames()).toEqual(['Calc']);
    });

    test('GET /calc?…: the request template is the event; response template and body.* header mappings', async () => {
      const res = await fetch(`${gw.url}/calc?operand1=2&operand2=3&operator=add`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(
        '{\n    "result": "2, 3, add => 5",\n  "a" : "2",\n  "b" : "3",\n  "op" : "add",\n  "c" : "5"\n}',
      );
      expect(res.headers.get('operand_1')).toBe('2');
      expect(res.headers.get('operand_2')).toBe('3');
      expect(res.headers.get('operator')).toBe('add');
    });

    test('POST /calc: validated body passed through; an invalid body never reaches the function', async () => {
      const res = await fetch(`${gw.url}/calc`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"a": 6, "b": 3, "op": "div"}',
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('{\n  "a" : 6,\n  "b" : 3,\n  "op" : div,\n  "c" : 2\n}');
      const invalid = await fetch(`${gw.url}/calc`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"a": "six", "b": 3}',
      });
      expect(invalid.status).toBe(400);
      expect(await invalid.json()).toEqual({ message: 'Invalid request body' });
    });

    test('GET /calc/{a}/{b}/{op}: %2F is division', async () => {
      const res = await fetch(`${gw.url}/calc/1/2/%2F`);
      expect(res.status).toBe(200);
      expect(JSON.parse(await res.text())).toEqual({ input: { a: 1, b: 2, op: '/' }, output: { c: 0.5 } });
    });

    test("a function error (calc.js throws '400 Invalid Operator') comes back through the default response", async () => {
      const res = await fetch(`${gw.url}/calc/1/2/pow`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(
        '{\n  "input" : {\n    "a" : ,\n    "b" : ,\n    "op" : ""\n  },\n  "output" : {\n    "c" : \n  }\n}',
      );
    });

    test('missing parameters → 400 from the validator', async () => {
      const res = await fetch(`${gw.url}/calc?operand1=2`);
      expect(res.status).toBe(400);
    });
  },
);

describe('examples/lambda-calc: apigw serve with its own API file and the embedded Lambda', () => {
  test('every route, and Calc errors selected by 400.* into 400s', async () => {
    const data = tempDir('apigw-calc-example-');
    const apigw = spawnApigw(['serve', 'examples/lambda-calc', '--port', '0', '--data-dir', data.dir]);
    try {
      const [, base] = await apigw.waitFor(/Base URL: (http:\/\/\S+)/);
      expect(base).toMatch(/\/test$/);

      const query = await fetch(`${base}/calc?operand1=2&operand2=3&operator=add`);
      expect(query.status).toBe(200);
      expect(query.headers.get('operand_1')).toBe('2');
      expect(await query.json()).toEqual({ result: '2, 3, add => 5', a: 2, b: 3, op: 'add', c: 5 });

      const body = await fetch(`${base}/calc`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"a": 6, "b": 3, "op": "div"}',
      });
      expect(await body.json()).toEqual({ input: { a: 6, b: 3, op: 'div' }, output: { c: 2 } });

      const divide = await fetch(`${base}/calc/7/2/%2F`);
      expect(await divide.json()).toEqual({ input: { a: 7, b: 2, op: '/' }, output: { c: 3.5 } });

      const badOperator = await fetch(`${base}/calc/1/2/pow`);
      expect(badOperator.status).toBe(400);
      expect(await badOperator.json()).toEqual({ message: '400 Invalid Operator' });
      const badOperand = await fetch(`${base}/calc?operand1=2&operand2=x&operator=add`);
      expect(badOperand.status).toBe(400);
      expect(await badOperand.json()).toEqual({ message: '400 Invalid Operand' });
      const invalid = await fetch(`${base}/calc`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"a": "x", "b": 3, "op": "add"}',
      });
      expect(invalid.status).toBe(400);
      expect(await invalid.json()).toEqual({ message: 'Invalid request body' });
    } finally {
      apigw.child.kill('SIGTERM');
      expect(await apigw.exited).toBe(0);
      data.remove();
    }
    expect(apigw.stderr()).toContain('embedded Lambda at http://127.0.0.1:');
  });
});
