import { tempDir, type TempDir } from '../helpers/api-doc';
import { startCaptureServer, type CaptureServer } from '../helpers/capture-server';
import { createLogger } from '../../gateway/log';
import { startGateway, type RunningGateway } from '../../gateway/serve';

let backend: CaptureServer;
let dir: TempDir;
let gw: RunningGateway;

/** A Swagger 2.0 document with request validators, like AWS's LambdaCalc export. */
function document(url: string): Record<string, unknown> {
  const integration = { type: 'http_proxy', httpMethod: 'ANY', uri: `${url}/calc` };
  return {
    swagger: '2.0',
    info: { title: 'validators', version: '1' },
    basePath: '/test',
    'x-amazon-apigateway-request-validators': {
      params: { validateRequestParameters: true, validateRequestBody: false },
      body: { validateRequestParameters: false, validateRequestBody: true },
      all: { validateRequestParameters: true, validateRequestBody: true },
    },
    paths: {
      '/tree': {
        post: {
          parameters: [{ name: 'Tree', in: 'body', required: true, schema: { $ref: '#/definitions/Tree' } }],
          responses: { '200': { description: 'ok' } },
          'x-amazon-apigateway-request-validator': 'body',
          'x-amazon-apigateway-integration': integration,
        },
      },
      '/calc': {
        get: {
          parameters: [
            { name: 'operand1', in: 'query', required: true, type: 'string' },
            { name: 'operand2', in: 'query', required: true, type: 'string' },
            { name: 'x-header-param', in: 'header', required: true, type: 'string' },
            { name: 'optional', in: 'query', required: false, type: 'string' },
          ],
          responses: { '200': { description: 'ok' } },
          'x-amazon-apigateway-request-validator': 'params',
          'x-amazon-apigateway-integration': integration,
        },
        post: {
          consumes: ['application/json'],
          parameters: [
            { name: 'Input', in: 'body', required: true, schema: { $ref: '#/definitions/Input' } },
          ],
          responses: { '200': { description: 'ok' } },
          'x-amazon-apigateway-request-validator': 'body',
          'x-amazon-apigateway-integration': integration,
        },
        put: {
          parameters: [
            { name: 'Input', in: 'body', required: true, schema: { $ref: '#/definitions/Input' } },
          ],
          responses: { '200': { description: 'ok' } },
          'x-amazon-apigateway-integration': integration,
        },
      },
    },
    definitions: {
      Tree: {
        type: 'object',
        properties: {
          child: { $ref: '#/definitions/Tree' },
          list: { type: 'array', items: { $ref: '#/definitions/Tree' } },
        },
      },
      Input: {
        type: 'object',
        required: ['a', 'b', 'op'],
        properties: {
          a: { type: 'number' },
          b: { type: 'number' },
          op: { type: 'string' },
          nested: { $ref: '#/definitions/Nested' },
        },
      },
      Nested: { type: 'object', properties: { n: { type: 'integer' } } },
    },
    'x-amazon-apigateway-gateway-responses': {
      BAD_REQUEST_BODY: {
        responseTemplates: {
          'application/json':
            '{"message":$context.error.messageString,"detail":"$context.error.validationErrorString"}',
        },
      },
    },
  };
}

beforeAll(async () => {
  backend = await startCaptureServer();
  dir = tempDir('apigw-validate-');
  gw = await startGateway(
    { api: dir.write('api.json', document(backend.url)), port: 0, host: '127.0.0.1', dataDir: dir.dir },
    createLogger('error'),
    {},
  );
});
afterAll(async () => {
  await gw.close();
  await backend.close();
  dir.remove();
});
beforeEach(() => backend.reset());

test('required parameters: all missing ones listed (header, path, querystring order), blanks count as missing', async () => {
  const res = await fetch(`${gw.url}/calc?operand1=&optional=1`);
  expect(res.status).toBe(400);
  expect(res.headers.get('x-amzn-errortype')).toBe('BadRequestException');
  expect(await res.json()).toEqual({
    message: 'Missing required request parameters: [x-header-param, operand1, operand2]',
  });
  expect(backend.requests).toHaveLength(0);
  const ok = await fetch(`${gw.url}/calc?operand1=1&operand2=2`, { headers: { 'X-Header-Param': 'v' } });
  expect(ok.status).toBe(200);
  expect(backend.requests).toHaveLength(1);
});

test('the body is checked against the model (draft 4, $refs between models)', async () => {
  const ok = await fetch(`${gw.url}/calc`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"a":1,"b":2,"op":"+"}',
  });
  expect(ok.status).toBe(200);
  for (const body of [
    '{"a":1}',
    '{"a":"x","b":2,"op":"+"}',
    '{"a":1,"b":2,"op":"+","nested":{"n":1.5}}',
    'not json',
  ]) {
    const res = await fetch(`${gw.url}/calc`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body,
    });
    expect([body, res.status]).toEqual([body, 400]);
    const json = (await res.json()) as { message: string; detail: string };
    expect(json.message).toBe('Invalid request body');
    expect(json.detail).toMatch(/^\[.+\]$/);
  }
  const missing = await fetch(`${gw.url}/calc`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: '{"a":1}',
  });
  expect(((await missing.json()) as { detail: string }).detail).toBe(
    '[object has missing required properties (["b","op"])]',
  );
  expect(backend.requests).toHaveLength(1);
});

test('a recursive model: nested bodies validate; one too deep to validate is 400 Invalid request body, never 500', async () => {
  const post = (body: string) =>
    fetch(`${gw.url}/tree`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
  const ok = await post('{"child":{"child":{"list":[{},{"child":{}}]}}}');
  expect(ok.status).toBe(200);
  const bad = await post('{"child":{"child":{"list":[1]}}}');
  expect(bad.status).toBe(400);
  const depth = 100_000;
  for (const body of [
    '{"child":'.repeat(depth) + '{}' + '}'.repeat(depth),
    '{"list":['.repeat(depth) + ']}'.repeat(depth),
  ]) {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    expect(await res.json()).toEqual({
      message: 'Invalid request body',
      detail: '[the request body is nested too deeply to validate]',
    });
  }
  expect(backend.requests).toHaveLength(1);
});

test('without a validator nothing is checked', async () => {
  const res = await fetch(`${gw.url}/calc`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/json' },
    body: 'whatever',
  });
  expect(res.status).toBe(200);
});
