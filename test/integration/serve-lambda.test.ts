import { apiDocument, tempDir, type TempDir } from '../helpers/api-doc';
import { startLambdaStandIn, type LambdaStandIn } from '../helpers/lambda-standin';
import { createLogger } from '../../gateway/log';
import { startGateway, type RunningGateway } from '../../gateway/serve';

const KEYS = { accessKeyId: 'AKIALAMBDATESTS00001', secretAccessKey: 'lambda-tests-secret' };
const ENV = { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey };
const fnUri = (name: string, region = 'eu-west-1') =>
  `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/arn:aws:lambda:${region}:123456789012:function:${name}/invocations`;

/** Headers an aws_proxy method cannot map: AWS fails every call of such a method with 500. */
const FORBIDDEN_PROXY_HEADERS = [
  'Content-Length',
  'Transfer-Encoding',
  'Authorization',
  'Connection',
  'Expect',
  'Proxy-Authenticate',
  'TE',
];

const CUSTOM_ERROR = {
  errorType: 'InternalServerError',
  httpStatus: 500,
  requestId: 'e5849002-39a0-11e7-a419-5bb5807c9fb2',
  trace: { function: 'abc()', line: 123, file: 'abc.js' },
};

let lambda: LambdaStandIn;
let dir: TempDir;
let gw: RunningGateway;
/** What the `proxy` function returns next (a function of the event). */
let proxyReply: (event: Record<string, unknown>) => unknown = () => ({ statusCode: 200, body: 'ok' });

beforeAll(async () => {
  lambda = await startLambdaStandIn(
    {
      proxy: (event) => proxyReply(event as Record<string, unknown>),
      echo: (event) => ({ got: event }),
      image: () => Buffer.from('[raw bytes]').toString('base64'),
      custom: () => {
        // AWS's "custom Lambda error" example: the errorMessage is an object as JSON text.
        throw new Error(JSON.stringify(CUSTOM_ERROR));
      },
      fail: (event) => {
        throw new Error(`Invalid input: ${JSON.stringify(event)}`);
      },
    },
    KEYS,
  );
  dir = tempDir('apigw-lambda-');
  const doc = apiDocument('lambda integrations', {
    '/p/{proxy+}': {
      'x-amazon-apigateway-any-method': { type: 'aws_proxy', httpMethod: 'POST', uri: fnUri('proxy') },
    },
    '/bad-method': { get: { type: 'aws_proxy', httpMethod: 'GET', uri: fnUri('proxy') } },
    ...Object.fromEntries(
      FORBIDDEN_PROXY_HEADERS.map((name) => [
        `/forbidden/${name}`,
        {
          get: {
            type: 'aws_proxy',
            httpMethod: 'POST',
            uri: fnUri('proxy'),
            requestParameters: { [`integration.request.header.${name}`]: "'x'" },
          },
        },
      ]),
    ),
    '/missing': { get: { type: 'aws_proxy', httpMethod: 'POST', uri: fnUri('nobody') } },
    '/echo': {
      post: {
        type: 'aws',
        httpMethod: 'POST',
        uri: fnUri('echo', 'us-east-2'),
        responses: { default: { statusCode: '200' }, 'Invalid.*': { statusCode: '400' } },
      },
    },
    '/image': {
      get: {
        type: 'aws',
        httpMethod: 'POST',
        uri: fnUri('image'),
        responses: { default: { statusCode: '200' } },
      },
    },
    '/pattern/{fn}': {
      post: {
        type: 'aws',
        httpMethod: 'POST',
        uri: fnUri('${stageVariables.fn}'),
        responses: {
          default: { statusCode: '200' },
          '.*Invalid.*': { statusCode: '405' },
          '.+': { statusCode: '502' },
          '200': { statusCode: '504' },
        },
      },
    },
    '/fail': {
      post: {
        type: 'aws',
        httpMethod: 'POST',
        uri: fnUri('fail'),
        responses: { default: { statusCode: '200' }, 'Invalid.*': { statusCode: '400' } },
      },
    },
    '/custom-error': {
      post: {
        type: 'aws',
        httpMethod: 'POST',
        uri: fnUri('custom'),
        responses: {
          default: { statusCode: '200' },
          '.*"httpStatus":500.*': {
            statusCode: '500',
            responseParameters: {
              'method.response.header.Error-Type': 'integration.response.body.errorMessage.errorType',
              'method.response.header.Http-Status': 'integration.response.body.errorMessage.httpStatus',
              'method.response.header.Trace': 'integration.response.body.errorMessage.trace',
              'method.response.header.Trace-Function':
                'integration.response.body.errorMessage.trace.function',
              'method.response.header.Trace-Line': 'integration.response.body.errorMessage.trace.line',
              'method.response.header.Missing': 'integration.response.body.errorMessage.nope',
            },
          },
        },
      },
    },
    '/custom-error-template': {
      post: {
        type: 'aws',
        httpMethod: 'POST',
        uri: fnUri('custom'),
        responses: {
          default: { statusCode: '200' },
          '.*"httpStatus":500.*': {
            statusCode: '500',
            responseParameters: {
              'method.response.header.Error-Type': 'integration.response.body.errorMessage.errorType',
            },
            responseTemplates: { 'application/json': "$input.body|$input.path('$.errorMessage')" },
          },
        },
      },
    },
    '/fail-unmatched': {
      post: {
        type: 'aws',
        httpMethod: 'POST',
        uri: fnUri('fail'),
        responses: { default: { statusCode: '200' }, 'Invalid*': { statusCode: '400' } },
      },
    },
  });
  const doc2 = doc as { 'x-amazon-apigateway-binary-media-types'?: string[] };
  doc2['x-amazon-apigateway-binary-media-types'] = ['image/png'];
  gw = await startGateway(
    {
      api: dir.write('api.json', doc),
      port: 0,
      host: '127.0.0.1',
      dataDir: dir.dir,
      stageVariables: { color: 'blue', fn: 'echo' },
      endpoints: { lambda: lambda.url },
    },
    createLogger('error'),
    ENV,
  );
});
afterAll(async () => {
  await gw.close();
  await lambda.close();
  dir.remove();
});
beforeEach(() => {
  lambda.calls.length = 0;
  proxyReply = () => ({ statusCode: 200, body: 'ok' });
});

describe('aws_proxy', () => {
  test('the v1.0 event carries every field; the Invoke call is SigV4-signed for lambda in the uri region', async () => {
    const res = await fetch(`${gw.url}/p/a/b%2Bc/?category=electronics&category=books&price=10`, {
      headers: { 'tEsT-HEADeR': 'aValUE', 'User-Agent': 'test-agent' },
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok');
    const [call] = lambda.calls;
    expect(call.signatureValid).toBe(true);
    expect(call.region).toBe('eu-west-1');
    const event = call.event as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(event.resource).toBe('/p/{proxy+}');
    expect(event.path).toBe('/p/a/b%2Bc/');
    expect(event.httpMethod).toBe('GET');
    expect(event.headers['tEsT-HEADeR']).toBe('aValUE');
    expect(event.multiValueHeaders['tEsT-HEADeR']).toEqual(['aValUE']);
    expect(event.headers['X-Forwarded-For']).toBe('127.0.0.1');
    expect(event.headers['X-Amzn-Trace-Id']).toMatch(/^Root=1-/);
    // The client's own casing is kept (fetch sends `host`).
    expect(event.headers.host).toBe(new URL(gw.url).host);
    expect(event.queryStringParameters).toEqual({ category: 'books', price: '10' });
    expect(event.multiValueQueryStringParameters).toEqual({
      category: ['electronics', 'books'],
      price: ['10'],
    });
    expect(event.pathParameters).toEqual({ proxy: 'a/b%2Bc' });
    expect(event.stageVariables).toEqual({ color: 'blue', fn: 'echo' });
    expect(event.body).toBeNull();
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext).toMatchObject({
      apiId: gw.apiId,
      httpMethod: 'GET',
      path: '/dev/p/a/b%2Bc/',
      protocol: 'HTTP/1.1',
      resourcePath: '/p/{proxy+}',
      stage: 'dev',
      identity: { sourceIp: '127.0.0.1', userAgent: 'test-agent', accessKey: null },
    });
    // No API key on this method: AWS leaves the two key fields out of the event (not null).
    expect(Object.keys(event.requestContext.identity)).not.toContain('apiKey');
    expect(Object.keys(event.requestContext.identity)).not.toContain('apiKeyId');
    expect(event.requestContext.requestId).toBe(res.headers.get('x-amzn-requestid'));
    expect(event.requestContext.requestTime).toMatch(
      /^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/,
    );
  });

  test('bodies: text as is, binary media types as base64 with isBase64Encoded', async () => {
    await fetch(`${gw.url}/p/x`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"a":1}',
    });
    await fetch(`${gw.url}/p/x`, {
      method: 'POST',
      headers: { 'Content-Type': 'image/png' },
      body: Buffer.from([0, 255, 1]),
    });
    const [text, binary] = lambda.calls.map((c) => c.event as Record<string, unknown>);
    expect([text.body, text.isBase64Encoded]).toEqual(['{"a":1}', false]);
    expect([binary.body, binary.isBase64Encoded]).toEqual([
      Buffer.from([0, 255, 1]).toString('base64'),
      true,
    ]);
  });

  test('results: status, headers merged (multi first), default Content-Type, reserved headers remapped', async () => {
    proxyReply = () => ({
      statusCode: '201',
      headers: { 'test-multi': 'value-solo', 'header-bool': true, Date: 'yesterday' },
      multiValueHeaders: { 'tesT-Multi': ['value-multi'] },
      body: 'made',
    });
    const res = await fetch(`${gw.url}/p/x`);
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('made');
    expect(res.headers.get('test-multi')).toBe('value-multi, value-solo');
    expect(res.headers.get('header-bool')).toBe('true');
    expect(res.headers.get('x-amzn-remapped-date')).toBe('yesterday');
    expect(res.headers.get('content-type')).toBe('application/json');
  });

  test('isBase64Encoded bodies are bytes only when the first Accept type is binary', async () => {
    proxyReply = () => ({
      body: Buffer.from('test-data').toString('base64'),
      isBase64Encoded: true,
      headers: { 'Content-Type': 'image/png' },
    });
    const asText = await fetch(`${gw.url}/p/x`, { headers: { Accept: 'image/webp,image/png' } });
    expect(await asText.text()).toBe('dGVzdC1kYXRh');
    const asBytes = await fetch(`${gw.url}/p/x`, { headers: { Accept: 'image/png' } });
    expect(await asBytes.text()).toBe('test-data');
  });

  test('a Transfer-Encoding header in the result does not break framing: the body goes with Content-Length', async () => {
    proxyReply = () => ({ body: 'framed', headers: { 'Transfer-Encoding': 'chunked', 'X-Other': 'kept' } });
    const res = await fetch(`${gw.url}/p/x`);
    expect(res.status).toBe(200);
    expect(res.headers.get('transfer-encoding')).toBeNull();
    expect(res.headers.get('content-length')).toBe('6');
    expect(res.headers.get('x-other')).toBe('kept');
    expect(await res.text()).toBe('framed');
  });

  test('isBase64Encoded with a body that is not valid base64 → 500 when it must be decoded', async () => {
    for (const body of ['not base64!', 'dGVzdC1kYXRh=', 'dGVzd', 'dGVz dC1k-YXRh']) {
      proxyReply = () => ({ body, isBase64Encoded: true, headers: { 'Content-Type': 'image/png' } });
      const res = await fetch(`${gw.url}/p/x`, { headers: { Accept: 'image/png' } });
      expect(res.status).toBe(500);
      expect(res.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException');
      expect(await res.json()).toEqual({ message: 'Internal server error' });
    }
    // Standard base64 with padding is accepted; a text Accept gets the text as it came.
    proxyReply = () => ({
      body: 'dGVzdA==',
      isBase64Encoded: true,
      headers: { 'Content-Type': 'image/png' },
    });
    const ok = await fetch(`${gw.url}/p/x`, { headers: { Accept: 'image/png' } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('test');
    proxyReply = () => ({ body: 'not base64!', isBase64Encoded: true });
    const text = await fetch(`${gw.url}/p/x`, { headers: { Accept: 'text/plain' } });
    expect(text.status).toBe(200);
    expect(await text.text()).toBe('not base64!');
  });

  test.each(FORBIDDEN_PROXY_HEADERS)(
    'mapping integration.request.header.%s fails every call with 500, the function not invoked',
    async (name) => {
      const res = await fetch(`${gw.url}/forbidden/${name}`);
      expect(res.status).toBe(500);
      expect(res.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException');
      expect(await res.json()).toEqual({ message: 'Internal server error' });
      expect(lambda.calls).toHaveLength(0);
    },
  );

  test.each([
    ['an unknown key', { statusCode: 200, wrongValue: 'value' }],
    ['a non-numeric statusCode', { statusCode: 'test' }],
    ['a string result', 'justAString'],
    ['multiValueHeaders not lists', { multiValueHeaders: { x: 'value1' } }],
  ])('a malformed result (%s) → 502 Internal server error', async (_name, reply) => {
    proxyReply = () => reply;
    const res = await fetch(`${gw.url}/p/x`);
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ message: 'Internal server error' });
  });

  test('accepted edge results: {}, headers null, string statusCode', async () => {
    for (const reply of [{}, { statusCode: 200, headers: null }, { statusCode: '204' }]) {
      proxyReply = () => reply;
      const res = await fetch(`${gw.url}/p/x`);
      expect(res.status).toBe(reply && 'statusCode' in reply && reply.statusCode === '204' ? 204 : 200);
      expect(await res.text()).toBe('');
    }
  });

  test('a function error → 502; a missing function → 502; a non-POST integration method → 500', async () => {
    proxyReply = () => {
      throw new Error('boom');
    };
    expect((await fetch(`${gw.url}/p/x`)).status).toBe(502);
    expect((await fetch(`${gw.url}/missing`)).status).toBe(502);
    const bad = await fetch(`${gw.url}/bad-method`);
    expect(bad.status).toBe(500);
    expect(await bad.json()).toEqual({ message: 'Internal server error' });
  });
});

describe('aws (non-proxy) Lambda', () => {
  test('a base64 string result is served as bytes to a binary Accept (the JSON string is decoded), as text otherwise', async () => {
    const bytes = await fetch(`${gw.url}/image`, { headers: { Accept: 'image/png' } });
    expect(bytes.status).toBe(200);
    expect(Buffer.from(await bytes.arrayBuffer()).toString()).toBe('[raw bytes]');
    const text = await fetch(`${gw.url}/image`, { headers: { Accept: 'application/json' } });
    expect(await text.text()).toBe(JSON.stringify(Buffer.from('[raw bytes]').toString('base64')));
  });

  test('the body is the event; a success selects the default response', async () => {
    const res = await fetch(`${gw.url}/echo`, { method: 'POST', body: '{"a":1,"b":2}' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ got: { a: 1, b: 2 } });
    expect(lambda.calls[0].signatureValid).toBe(true);
    expect(lambda.calls[0].region).toBe('us-east-2');
  });

  test('a function error selects by errorMessage (whole-string Java regex)', async () => {
    const res = await fetch(`${gw.url}/fail`, { method: 'POST', body: '{"x":1}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errorMessage: 'Invalid input: {"x":1}', errorType: 'Error' });
  });

  test('selection as AWS records it: a success is the empty string (`.+` and `200` do not match it), errors by message', async () => {
    // The function is chosen through a stage variable in the uri.
    const ok = await fetch(`${gw.url}/pattern/x`, { method: 'POST', body: '{}' });
    expect(ok.status).toBe(200);
    expect(lambda.calls.at(-1)?.functionName).toBe('echo');
  });

  test('a custom error whose errorMessage is JSON text: header mappings read into it; the body is unchanged', async () => {
    const errorBody = {
      errorType: 'Error',
      errorMessage: JSON.stringify(CUSTOM_ERROR),
      trace: [],
    };
    const res = await fetch(`${gw.url}/custom-error`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(500);
    expect(res.headers.get('error-type')).toBe('InternalServerError');
    expect(res.headers.get('http-status')).toBe('500');
    expect(res.headers.get('trace')).toBe('{"function":"abc()","line":123,"file":"abc.js"}');
    expect(res.headers.get('trace-function')).toBe('abc()');
    expect(res.headers.get('trace-line')).toBe('123');
    expect(res.headers.has('missing')).toBe(false);
    expect(await res.json()).toEqual(errorBody);

    const templated = await fetch(`${gw.url}/custom-error-template`, { method: 'POST', body: '{}' });
    expect(templated.status).toBe(500);
    expect(templated.headers.get('error-type')).toBe('InternalServerError');
    expect(await templated.text()).toBe(`${JSON.stringify(errorBody)}|${JSON.stringify(CUSTOM_ERROR)}`);
  });

  test('`Invalid*` does not match "Invalid input…": the error comes back with the default status', async () => {
    const res = await fetch(`${gw.url}/fail-unmatched`, { method: 'POST', body: '{}' });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { errorMessage: string }).errorMessage).toBe('Invalid input: {}');
  });
});
