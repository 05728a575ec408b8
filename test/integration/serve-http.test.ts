import { apiDocument, tempDir, type TempDir } from '../helpers/api-doc';
import { closedPort, startCaptureServer, type CaptureServer } from '../helpers/capture-server';
import { createLogger } from '../../gateway/log';
import { startGateway, type RunningGateway } from '../../gateway/serve';

let backend: CaptureServer;
let dir: TempDir;
let gw: RunningGateway;
let refusedPort: number;

beforeAll(async () => {
  backend = await startCaptureServer();
  refusedPort = await closedPort();
  dir = tempDir('apigw-http-');
  const doc = apiDocument('http integrations', {
    '/items/{id}': {
      get: {
        type: 'http',
        httpMethod: 'GET',
        uri: `${backend.url}/base/{id}?fixed=1`,
        query: ['q'],
        requestParameters: {
          'integration.request.path.id': 'method.request.path.id',
          'integration.request.querystring.search': 'method.request.querystring.q',
          'integration.request.header.X-From': "'apigw'",
        },
        responses: {
          '4\\d{2}': { statusCode: '400' },
          default: {
            statusCode: '200',
            responseParameters: {
              'method.response.header.X-Backend': 'integration.response.header.X-Backend',
            },
          },
        },
      },
    },
    '/proxy/{proxy+}': {
      'x-amazon-apigateway-any-method': {
        type: 'http_proxy',
        httpMethod: 'ANY',
        uri: `${backend.url}/upstream/{proxy}`,
        requestParameters: {
          'integration.request.path.proxy': 'method.request.path.proxy',
          'integration.request.header.X-Mapped': "'yes'",
        },
      },
    },
    '/slow': {
      get: { type: 'http_proxy', httpMethod: 'GET', uri: `${backend.url}/slow`, timeoutInMillis: 50 },
    },
    '/stalls': {
      get: {
        type: 'http',
        httpMethod: 'GET',
        uri: `${backend.url}/stalls`,
        timeoutInMillis: 100,
        responses: {
          default: { statusCode: '200', responseTemplates: { 'application/json': '{"got":"$input.body"}' } },
        },
      },
    },
    '/stalls-proxy': {
      get: { type: 'http_proxy', httpMethod: 'GET', uri: `${backend.url}/stalls`, timeoutInMillis: 100 },
    },
    '/down': { get: { type: 'http', httpMethod: 'GET', uri: `http://127.0.0.1:${refusedPort}/x` } },
  });
  gw = await startGateway(
    { api: dir.write('api.json', doc), port: 0, host: '127.0.0.1', dataDir: dir.dir },
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

describe('http (non-proxy)', () => {
  test('the backend receives the mapped request: path still encoded, uri query kept, mapped query and headers, defaults only', async () => {
    backend.respond({ status: 200, headers: { 'X-Backend': 'b1', 'X-Secret': 'no' }, body: '{"ok":true}' });
    const res = await fetch(`${gw.url}/items/a%2Fb?q=x%20y&ignored=1`, {
      headers: { 'X-Custom': 'client', Accept: 'text/html' },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"ok":true}');
    expect(res.headers.get('x-backend')).toBe('b1');
    expect(res.headers.get('x-secret')).toBeNull();
    expect(res.headers.get('content-type')).toBe('application/json');

    const [seen] = backend.requests;
    expect(seen.method).toBe('GET');
    expect(seen.path).toBe('/base/a%2Fb');
    expect(seen.rawQuery).toBe('fixed=1&search=x%20y');
    expect(seen.header('x-from')).toBe('apigw');
    expect(seen.header('accept')).toBe('application/json');
    expect(seen.header('user-agent')).toBe(`AmazonAPIGateway_${gw.apiId}`);
    expect(seen.header('x-amzn-apigateway-api-id')).toBe(gw.apiId);
    expect(seen.header('x-amzn-trace-id')).toMatch(/^Root=1-/);
    expect(seen.header('x-custom')).toBeUndefined();
    expect(seen.header('host')).toBe(new URL(backend.url).host);
  });

  test('the backend status goes through selectionPattern: 404 → 400, body passed on', async () => {
    backend.respond({ status: 404, body: 'not here' });
    const res = await fetch(`${gw.url}/items/7`);
    expect(res.status).toBe(400);
    expect(await res.text()).toBe('not here');
  });

  test('connection refused → 500 Internal server error', async () => {
    const res = await fetch(`${gw.url}/down`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: 'Internal server error' });
  });
});

describe('http_proxy', () => {
  test('the client request is forwarded with the mappings on top; the response passes with reserved headers remapped', async () => {
    backend.respond({
      status: 201,
      headers: { 'X-Backend': 'p', Server: 'upstream/1.0', 'Set-Cookie': ['a=1', 'b=2'] },
      body: 'created',
    });
    const res = await fetch(`${gw.url}/proxy/deep/path%20x?x=1&y=two`, {
      method: 'POST',
      headers: { 'X-Custom': 'client', 'Content-Type': 'text/plain', Via: '1.1 somewhere' },
      body: 'payload',
    });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('created');
    expect(res.headers.get('x-backend')).toBe('p');
    expect(res.headers.get('x-amzn-remapped-server')).toBe('upstream/1.0');
    expect(res.headers.get('x-amzn-remapped-date')).toMatch(/GMT$/);
    expect(res.headers.get('set-cookie')).toBe('a=1, b=2');
    expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
    // API Gateway frames the response itself with a Content-Length, the backend's one remapped.
    expect(res.headers.get('content-length')).toBe('7');
    expect(res.headers.get('x-amzn-remapped-content-length')).toBe('7');
    expect(res.headers.get('transfer-encoding')).toBeNull();

    const [seen] = backend.requests;
    expect(seen.method).toBe('POST');
    expect(seen.path).toBe('/upstream/deep/path%20x');
    expect(seen.rawQuery).toBe('x=1&y=two');
    expect(seen.body.toString()).toBe('payload');
    expect(seen.header('x-custom')).toBe('client');
    expect(seen.header('content-type')).toBe('text/plain');
    expect(seen.header('x-mapped')).toBe('yes');
    expect(seen.header('via')).toBeUndefined();
    expect(seen.header('x-amzn-apigateway-api-id')).toBe(gw.apiId);
    expect(seen.header('host')).toBe(new URL(backend.url).host);
  });

  test('backend error statuses pass through unchanged', async () => {
    backend.respond({ status: 418, body: 'teapot' });
    const res = await fetch(`${gw.url}/proxy/x`, { method: 'DELETE' });
    expect([res.status, await res.text()]).toEqual([418, 'teapot']);
    expect(backend.requests[0].method).toBe('DELETE');
  });

  test('timeoutInMillis → 504 Endpoint request timed out', async () => {
    backend.respond('hang');
    const res = await fetch(`${gw.url}/slow`);
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({ message: 'Endpoint request timed out' });
  });

  test('a backend that stops mid-body times out too: 504 when the body was read whole for a template', async () => {
    backend.respond({ status: 200, body: 'part of it', stall: true });
    const res = await fetch(`${gw.url}/stalls`);
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({ message: 'Endpoint request timed out' });
  });

  test('a backend that stops mid-body while streaming to the client: the connection is cut, not left hanging', async () => {
    backend.respond({ status: 200, body: 'part of it', stall: true });
    const res = await fetch(`${gw.url}/stalls-proxy`);
    // The status line was already on its way; all the gateway can do is end the response short.
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
  });
});
