import path from 'node:path';
import { FIXTURES, HAVE_FIXTURES } from '../helpers/execute-api';
import { tempDir, type TempDir } from '../helpers/api-doc';
import { startLambdaStandIn, type LambdaStandIn } from '../helpers/lambda-standin';
import { REPO } from '../helpers/cli';
import { createLogger } from '../../gateway/log';
import { startGateway, type RunningGateway } from '../../gateway/serve';

const KEYS = { accessKeyId: 'AKIALAMBDACALC000001', secretAccessKey: 'lambda-calc-secret' };
const calc = require(path.join(REPO, 'examples', 'lambda-calc', 'calc.js')) as {
  handler: (event: unknown) => Promise<unknown>;
};

if (!HAVE_FIXTURES)
  console.warn(
    `skipping the LambdaCalc fixture tests: ${FIXTURES} is absent (it is beside the checkout in CI)`,
  );
const suite = HAVE_FIXTURES ? describe : describe.skip;

suite(
  'the LambdaCalc API (AWS fixture, unchanged) against a stand-in Lambda running examples/lambda-calc',
  () => {
    let lambda: LambdaStandIn;
    let dir: TempDir;
    let gw: RunningGateway;
    beforeAll(async () => {
      lambda = await startLambdaStandIn({ Calc: (event) => calc.handler(event) }, KEYS);
      dir = tempDir('apigw-calc-');
      gw = await startGateway(
        {
          api: path.join(FIXTURES, 'aws-lambda-proxy.swagger2.json'),
          port: 0,
          host: '127.0.0.1',
          dataDir: dir.dir,
          endpoints: { lambda: lambda.url },
        },
        createLogger('error'),
        { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey },
      );
    });
    afterAll(async () => {
      await gw?.close();
      await lambda?.close();
      dir?.remove();
    });
    beforeEach(() => {
      lambda.calls.length = 0;
    });

    test('GET /calc?operand1&operand2&operator: request template → event, response template and body.* header mappings', async () => {
      expect(gw.stage).toBe('test');
      const res = await fetch(`${gw.url}/calc?operand1=2&operand2=3&operator=add`);
      expect(res.status).toBe(200);
      expect(await res.text()).toBe(
        '{\n    "result": "2, 3, add => 5",\n  "a" : "2",\n  "b" : "3",\n  "op" : "add",\n  "c" : "5"\n}',
      );
      expect(res.headers.get('operand_1')).toBe('2');
      expect(res.headers.get('operand_2')).toBe('3');
      expect(res.headers.get('operator')).toBe('add');
      const [call] = lambda.calls;
      expect(call.event).toEqual({ a: '2', b: '3', op: 'add' });
      expect(call.signatureValid).toBe(true);
      expect(call.region).toBe('us-west-2');
    });

    test('GET /calc without its required query parameters → 400 from the validator, Lambda not called', async () => {
      const res = await fetch(`${gw.url}/calc?operand1=2`);
      expect(res.status).toBe(400);
      const { message } = (await res.json()) as { message: string };
      expect(message).toMatch(/^Missing required request parameters: \[.*\]$/);
      expect(message).toContain('operand2');
      expect(message).toContain('operator');
      expect(message).not.toContain('operand1');
      expect(lambda.calls).toHaveLength(0);
    });

    test('POST /calc: the body is validated against the Input model and passed through (WHEN_NO_TEMPLATES)', async () => {
      const res = await fetch(`${gw.url}/calc`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"a": 6, "b": 3, "op": "div"}',
      });
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('{\n  "a" : 6,\n  "b" : 3,\n  "op" : div,\n  "c" : 2\n}');
      expect(lambda.calls[0].event).toEqual({ a: 6, b: 3, op: 'div' });

      const invalid = await fetch(`${gw.url}/calc`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"a": "six", "b": 3}',
      });
      expect(invalid.status).toBe(400);
      expect(await invalid.json()).toEqual({ message: 'Invalid request body' });
      expect(lambda.calls).toHaveLength(1);
    });

    test('GET /calc/{operand1}/{operand2}/{operator}: %2F becomes "/" in the template', async () => {
      const res = await fetch(`${gw.url}/calc/1/2/%2F`);
      expect(res.status).toBe(200);
      expect(JSON.parse(await res.text())).toEqual({ input: { a: 1, b: 2, op: '/' }, output: { c: 0.5 } });
      expect(lambda.calls[0].event).toEqual({ a: '1', b: '2', op: '/' });
    });

    test('a function error with no matching selectionPattern comes back through the default response', async () => {
      const res = await fetch(`${gw.url}/calc/1/2/pow`);
      expect(res.status).toBe(200);
      // The default response template reads a, b, op, c from the error document: all absent, and
      // absent references render as nothing (so the output is not even JSON, exactly as on AWS).
      expect(await res.text()).toBe(
        '{\n  "input" : {\n    "a" : ,\n    "b" : ,\n    "op" : ""\n  },\n  "output" : {\n    "c" : \n  }\n}',
      );
      expect(lambda.calls[0].event).toEqual({ a: '1', b: '2', op: 'pow' });
    });

    test('undeclared routes and methods → 403 Missing Authentication Token', async () => {
      expect((await fetch(`${gw.url}/calc`, { method: 'DELETE' })).status).toBe(403);
      expect((await fetch(`${gw.url}/nope`)).status).toBe(403);
    });
  },
);
