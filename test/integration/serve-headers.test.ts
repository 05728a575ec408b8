/**
 * Header rules of `apigw serve` for non-proxy `aws` integrations
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html),
 * over real HTTP: the gateway runs in-process and its S3 endpoint is a capture server that records
 * what reaches the backend and answers as each test tells it.
 */
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { callerIdentity } from '../../gateway/auth/identity';
import { principal } from '../../gateway/auth/credentials';
import { verifyRequest } from '../../gateway/backends/s3/auth';
import { startGateway, type RunningGateway } from '../../gateway/serve';
import { apiDocument, recordingLogger, tempDir, type PathsSpec, type TempDir } from '../helpers/api-doc';
import { startCaptureServer, type CaptureServer, type CapturedRequest } from '../helpers/capture-server';
import { callSigned, type Keys } from '../helpers/execute-api';

/** The key apigw signs its backend calls with (its environment). */
const OUTBOUND: Keys = { accessKeyId: 'AKIAHEADERSOUTBOUND1', secretAccessKey: 'headers/outbound+secret' };
/** A caller of the AWS_IAM methods (a credentials-file profile), distinct from the outbound key. */
const CALLER: Keys = { accessKeyId: 'AKIAHEADERSCALLER001', secretAccessKey: 'headers/caller+secret' };
const ENV = { AWS_ACCESS_KEY_ID: OUTBOUND.accessKeyId, AWS_SECRET_ACCESS_KEY: OUTBOUND.secretAccessKey };
/** The integrations' region, deliberately not the gateway's (us-east-1). */
const REGION = 'eu-west-3';
const s3 = (path: string) => `arn:aws:apigateway:${REGION}:s3:path/${path}`;
const KEY_PATH = { 'integration.request.path.key': 'method.request.path.key' };

const FORBIDDEN = [
  'Content-Length',
  'Transfer-Encoding',
  'Authorization',
  'Connection',
  'Expect',
  'TE',
  'Proxy-Authenticate',
  'content-length',
];

const PATHS: PathsSpec = {
  '/plain/{key}': {
    get: { uri: s3('bucket/{key}'), requestParameters: KEY_PATH },
    put: { uri: s3('bucket/{key}'), httpMethod: 'PUT', requestParameters: KEY_PATH },
    post: { uri: s3('bucket/{key}'), httpMethod: 'POST', requestParameters: KEY_PATH },
  },
  '/mapped': {
    get: {
      uri: s3('bucket/mapped'),
      query: ['q', 'm'],
      headers: ['X-Mapped', 'X-Absent', 'Content-MD5'],
      requestParameters: {
        'integration.request.header.x-literal': "'literal value'",
        'integration.request.header.x-query': 'method.request.querystring.q',
        'integration.request.header.x-multi': 'method.request.multivaluequerystring.m',
        'integration.request.header.x-request-id': 'context.requestId',
        'integration.request.header.x-stage': 'stageVariables.color',
        'integration.request.header.x-client': 'method.request.header.X-Mapped',
        'integration.request.header.x-absent': 'method.request.header.X-Absent',
        // Content-MD5 is dropped before anything sees it
        // (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html).
        'integration.request.header.x-md5': 'method.request.header.Content-MD5',
        'integration.request.header.x-no-stage': 'stageVariables.nope',
        'integration.request.header.Accept': "'application/xml'",
        'integration.request.querystring.q2': 'method.request.querystring.q',
        'integration.request.querystring.m': 'method.request.multivaluequerystring.m',
      },
    },
  },
  '/iam': {
    get: {
      uri: s3('bucket/iam'),
      auth: 'AWS_IAM',
      requestParameters: {
        'integration.request.header.x-user-arn': 'context.identity.userArn',
        'integration.request.header.x-access-key': 'context.identity.accessKey',
      },
    },
  },
  '/any/{proxy+}': {
    'x-amazon-apigateway-any-method': {
      uri: s3('bucket/{proxy}'),
      httpMethod: 'ANY',
      requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
    },
  },
  '/fixed': { post: { uri: s3('bucket/fixed'), httpMethod: 'PUT' } },
  '/root': { get: { uri: s3('/') } },
  '/stage-bucket/{key}': {
    get: { uri: s3('${stageVariables.bucket}/{key}'), requestParameters: KEY_PATH },
  },
  ...Object.fromEntries(
    FORBIDDEN.map((header, i) => [
      `/forbidden/${i}`,
      {
        get: {
          uri: s3('bucket/forbidden'),
          requestParameters: { [`integration.request.header.${header}`]: "'x'" },
        },
        // Another method of the same resource, without the mapping.
        put: { uri: s3('bucket/allowed'), httpMethod: 'PUT' },
      },
    ]),
  ),
  '/resp/headers': {
    get: {
      uri: s3('bucket/resp'),
      responses: {
        default: {
          statusCode: '200',
          responseParameters: {
            'method.response.header.Date': 'integration.response.header.Date',
            'method.response.header.Content-Length': 'integration.response.header.Content-Length',
            'method.response.header.Server': 'integration.response.header.Server',
            'method.response.header.Connection': 'integration.response.header.Connection',
            'method.response.header.ETag': 'integration.response.header.ETag',
            'method.response.header.X-Custom-Out': 'integration.response.header.X-Backend-Custom',
            'method.response.header.X-Literal': "'fixed'",
            'method.response.header.X-Not-Sent': 'integration.response.header.X-Nowhere',
          },
        },
      },
    },
  },
  '/resp/content-type': {
    get: {
      uri: s3('bucket/resp'),
      responses: {
        default: {
          statusCode: '200',
          responseParameters: {
            'method.response.header.Content-Type': 'integration.response.header.Content-Type',
          },
        },
      },
    },
  },
  '/resp/select': {
    get: {
      uri: s3('bucket/select'),
      responses: {
        '4\\d{2}': { statusCode: '400' },
        '40': { statusCode: '418' },
        '5\\d{2}': { statusCode: '502' },
        default: { statusCode: '200' },
      },
    },
  },
  '/resp/no-default': {
    get: {
      uri: s3('bucket/no-default'),
      responses: { '2\\d{2}': { statusCode: '200' }, '40': { statusCode: '418' } },
    },
  },
  '/resp/body': {
    get: {
      uri: s3('bucket/body'),
      responses: {
        default: {
          statusCode: '200',
          responseParameters: {
            'method.response.header.X-Whole': 'integration.response.body',
            'method.response.header.X-Deep': 'integration.response.body.a.b',
            'method.response.header.X-Num': 'integration.response.body.n',
            'method.response.header.X-Missing': 'integration.response.body.nope',
          },
        },
      },
    },
  },
};

let backend: CaptureServer;
let gw: RunningGateway;
let tmp: TempDir;
const logged = recordingLogger();

beforeAll(async () => {
  backend = await startCaptureServer();
  tmp = tempDir('apigw-headers-');
  const credentials = tmp.write(
    'credentials',
    `[caller]\naws_access_key_id = ${CALLER.accessKeyId}\naws_secret_access_key = ${CALLER.secretAccessKey}\n`,
  );
  gw = await startGateway(
    {
      api: tmp.write('api.yaml', apiDocument('Header rules', PATHS)),
      port: 0,
      host: '127.0.0.1',
      dataDir: tmp.dir,
      credentials,
      endpoints: { s3: backend.url },
      stageVariables: { color: 'blue', bucket: 'stage-bucket' },
    },
    logged.log,
    ENV,
  );
});

beforeEach(() => backend.reset());

afterAll(async () => {
  await gw?.close();
  await backend?.close();
  tmp?.remove();
});

const call = (path: string, init: RequestInit = {}) => fetch(gw.url + path, init);

/** The only request the backend received. */
function received(): CapturedRequest {
  expect(backend.requests).toHaveLength(1);
  return backend.requests[0];
}

/**
 * API Gateway's own ids are on every response, errors included
 * (https://github.com/localstack/localstack/tree/main/tests/aws/services/apigateway).
 */
function expectGatewayIds(res: Response): void {
  expect(res.headers.get('x-amzn-requestid')).toMatch(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  );
  expect(res.headers.get('x-amz-apigw-id')).toMatch(/^[A-Za-z0-9=]{16}$/);
}

async function expectInternalServerError(res: Response): Promise<void> {
  expect(res.status).toBe(500);
  expect(await res.json()).toEqual({ message: 'Internal server error' });
  expect(res.headers.get('content-type')).toBe('application/json');
  expect(res.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException');
  expectGatewayIds(res);
}

const SIGNATURE = new RegExp(
  `^AWS4-HMAC-SHA256 Credential=${OUTBOUND.accessKeyId}/\\d{8}/${REGION}/s3/aws4_request, ` +
    'SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$',
);

/**
 * The request the backend got is exactly the one apigw signed (S3 rules: path as sent, query
 * sorted, body hash), checked by the embedded S3's own verifier; returns the signed header names.
 */
function expectValidS3Signature(req: CapturedRequest): string[] {
  const outbound = principal('outbound', OUTBOUND.accessKeyId, OUTBOUND.secretAccessKey);
  const result = verifyRequest(
    { method: req.method, rawUrl: req.url, headers: req.nodeHeaders },
    { lookup: (id) => (id === outbound.accessKeyId ? outbound : undefined) },
  );
  expect(result).toMatchObject({
    kind: 'signed',
    payload: { kind: 'sha256', hex: createHash('sha256').update(req.body).digest('hex') },
  });
  return /SignedHeaders=([^,]+)/.exec(req.header('Authorization') ?? '')![1].split(';');
}

describe('integration request headers (non-proxy aws)', () => {
  test('only API Gateway defaults reach the backend: client headers are not passed on', async () => {
    const res = await call('/plain/file.txt', {
      headers: {
        Accept: 'text/html',
        'User-Agent': 'my-client/1.0',
        'X-Custom': 'must-not-arrive',
        Referer: 'http://example.com/',
        Cookie: 'a=b',
        Authorization: 'Bearer client-token',
        'X-Amz-Date': '20000101T000000Z',
      },
    });
    expect(res.status).toBe(200);
    expectGatewayIds(res);
    const req = received();
    expect(req.method).toBe('GET');
    expect(req.path).toBe('/bucket/file.txt');
    expect(
      Object.keys(req.headers)
        .map((h) => h.toLowerCase())
        .sort(),
    ).toEqual([
      'accept',
      'authorization',
      'connection',
      'host',
      'user-agent',
      'x-amz-content-sha256',
      'x-amz-date',
      'x-amzn-trace-id',
    ]);
    expect(req.header('Accept')).toBe('application/json');
    expect(req.header('User-Agent')).toBe(`AmazonAPIGateway_${gw.apiId}`);
    expect(req.header('X-Amzn-Trace-Id')).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
    expect(req.header('Host')).toBe(`127.0.0.1:${backend.port}`);
    expect(req.header('X-Amz-Date')).not.toBe('20000101T000000Z');
    // The backend sees apigw's own signature: service s3, the uri's region, the outbound key.
    expect(req.header('Authorization')).toMatch(SIGNATURE);
    expect(expectValidS3Signature(req)).toEqual(expect.arrayContaining(['host', 'x-amz-date']));
    for (const values of Object.values(req.headers)) {
      expect(values.join()).not.toContain('client-token');
      expect(values.join()).not.toContain('must-not-arrive');
    }
  });

  test('the client Content-Type is passed with a body, not without one', async () => {
    const put = await call('/plain/upload.txt', {
      method: 'PUT',
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'X-Custom': 'no' },
      body: 'hello body',
    });
    expect(put.status).toBe(200);
    const withBody = received();
    expect(withBody.method).toBe('PUT');
    expect(withBody.header('Content-Type')).toBe('text/plain; charset=utf-8');
    expect(withBody.header('Content-Length')).toBe('10');
    expect(withBody.body.toString()).toBe('hello body');
    expect(withBody.header('X-Custom')).toBeUndefined();
    expect(expectValidS3Signature(withBody)).toEqual(
      expect.arrayContaining(['content-type', 'content-length']),
    );
    expect(
      Object.keys(withBody.headers)
        .map((h) => h.toLowerCase())
        .sort(),
    ).toEqual([
      'accept',
      'authorization',
      'connection',
      'content-length',
      'content-type',
      'host',
      'user-agent',
      'x-amz-content-sha256',
      'x-amz-date',
      'x-amzn-trace-id',
    ]);

    backend.reset();
    const post = await call('/plain/empty.txt', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(post.status).toBe(200);
    const empty = received();
    expect(empty.method).toBe('POST');
    expect(empty.header('Content-Type')).toBeUndefined();
    expect(empty.body.length).toBe(0);
  });

  test('a chunked client body reaches the backend with a Content-Length and no Transfer-Encoding', async () => {
    const url = new URL(`${gw.url}/plain/chunked.txt`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        {
          method: 'PUT',
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          headers: { 'Content-Type': 'text/plain' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.write('hello ');
      req.end('world');
    });
    expect(status).toBe(200);
    const got = received();
    expect(got.header('Transfer-Encoding')).toBeUndefined();
    expect(got.header('Content-Length')).toBe('11');
    expect(got.body.toString()).toBe('hello world');
    expectValidS3Signature(got);
  });

  test('mapped headers and query parameters arrive: literals, query, multi-value query, context, stage variables', async () => {
    const res = await call('/mapped?q=a+b%2Fc&m=1&m=two%20words&other=x', {
      headers: { 'X-Mapped': 'from-client', 'X-Custom': 'unmapped', 'Content-MD5': 'bWQ1' },
    });
    expect(res.status).toBe(200);
    const req = received();
    expect(req.header('x-literal')).toBe('literal value');
    expect(req.header('x-query')).toBe('a b/c');
    expect(req.header('x-multi')).toBe('1,two words');
    expect(req.header('x-request-id')).toBe(res.headers.get('x-amzn-requestid'));
    expect(req.header('x-stage')).toBe('blue');
    expect(req.header('x-client')).toBe('from-client');
    expect(req.header('X-Custom')).toBeUndefined();
    // A missing source sets nothing: no empty header.
    expect(req.header('x-absent')).toBeUndefined();
    expect(req.header('x-no-stage')).toBeUndefined();
    expect(req.header('x-md5')).toBeUndefined();
    expect(req.header('Content-MD5')).toBeUndefined();
    // A mapped Accept replaces the default.
    expect(req.headers[Object.keys(req.headers).find((h) => h.toLowerCase() === 'accept')!]).toEqual([
      'application/xml',
    ]);
    // Query values are decoded on the way in and encoded again on the way out; unmapped ones are dropped.
    expect([...req.query.keys()].sort()).toEqual(['m', 'm', 'q2']);
    expect(req.query.get('q2')).toBe('a b/c');
    expect(req.query.getAll('m')).toEqual(['1', 'two words']);
    expect(req.rawQuery.split('&')).toEqual(expect.arrayContaining(['q2=a%20b%2Fc', 'm=1', 'm=two%20words']));
    expect(expectValidS3Signature(req)).toEqual(expect.arrayContaining(['x-literal', 'x-query', 'x-multi']));
  });

  test('an AWS_IAM method maps the caller identity, and the caller’s Authorization never reaches the backend', async () => {
    const res = await callSigned(gw.url, '/iam', CALLER, { headers: { 'X-Custom': 'no' } });
    expect(res.status).toBe(200);
    const req = received();
    const identity = callerIdentity(principal('caller', CALLER.accessKeyId, CALLER.secretAccessKey));
    expect(req.header('x-user-arn')).toBe(identity.userArn);
    expect(req.header('x-user-arn')).toMatch(/^arn:aws:iam::\d{12}:user\/caller$/);
    expect(req.header('x-access-key')).toBe(CALLER.accessKeyId);
    expect(req.header('Authorization')).toMatch(SIGNATURE);
    expect(req.header('Authorization')).not.toContain(CALLER.accessKeyId);
    expect(req.header('X-Custom')).toBeUndefined();

    backend.reset();
    const unsigned = await call('/iam');
    expect(unsigned.status).toBe(403);
    expect(backend.requests).toHaveLength(0);
  });

  test('path placeholders are spliced still encoded: %2F stays inside the key', async () => {
    for (const [clientPath, backendPath] of [
      ['/plain/test%2Ftest.txt', '/bucket/test%2Ftest.txt'],
      ['/plain/a%20b.txt', '/bucket/a%20b.txt'],
      ['/plain/caf%C3%A9', '/bucket/caf%C3%A9'],
      ['/stage-bucket/k%2Fv', '/stage-bucket/k%2Fv'],
    ]) {
      backend.reset();
      const res = await call(clientPath);
      expect([clientPath, res.status]).toEqual([clientPath, 200]);
      expect([clientPath, received().path]).toEqual([clientPath, backendPath]);
      expectValidS3Signature(received());
    }
  });

  test('ANY as integration httpMethod uses the client’s method; a fixed one replaces it', async () => {
    for (const method of ['GET', 'PUT', 'DELETE', 'POST', 'PATCH']) {
      backend.reset();
      const res = await call('/any/dir/sub/file.txt', {
        method,
        ...(['PUT', 'POST', 'PATCH'].includes(method) ? { body: `by ${method}` } : {}),
      });
      expect([method, res.status]).toEqual([method, 200]);
      const req = received();
      expect([method, req.method, req.path]).toEqual([method, method, '/bucket/dir/sub/file.txt']);
    }
    backend.reset();
    const fixed = await call('/fixed', { method: 'POST', body: 'x' });
    expect(fixed.status).toBe(200);
    expect(received().method).toBe('PUT');
  });

  test('a `path//` uri calls the service root', async () => {
    const res = await call('/root');
    expect(res.status).toBe(200);
    expect(received().url).toBe('/');
  });
});

describe('forbidden integration request header mappings', () => {
  test.each(FORBIDDEN.map((h, i) => [h, i]))(
    'mapping integration.request.header.%s fails every call with 500 and never calls the backend',
    async (_header, i) => {
      for (let n = 0; n < 3; n++) {
        await expectInternalServerError(await call(`/forbidden/${i}`));
      }
      expect(backend.requests).toHaveLength(0);
      // The resource's other method is unaffected.
      const other = await call(`/forbidden/${i}`, { method: 'PUT', body: 'fine' });
      expect(other.status).toBe(200);
      expect(received().path).toBe('/bucket/allowed');
    },
  );

  test('start-up warns about each of them', () => {
    for (const header of FORBIDDEN) {
      expect(logged.lines.join('\n')).toContain(
        `integration.request.header.${header} cannot be mapped; API Gateway fails every call of this method with 500`,
      );
    }
  });
});

describe('integration response headers (non-proxy aws)', () => {
  const BACKEND_DATE = 'Wed, 21 Oct 2015 07:28:00 GMT';

  test('only mapped backend headers reach the client; Date, Content-Length, Server, Connection are remapped', async () => {
    backend.respond({
      status: 200,
      headers: {
        Date: BACKEND_DATE,
        Server: 'capture/1.0',
        ETag: '"abc123"',
        'X-Backend-Custom': 'custom-value',
        'X-Unmapped': 'secret',
        'x-amzn-RequestId': 'backend-request-id',
        'Content-Type': 'application/xml',
      },
      body: '<ok/>',
    });
    const res = await call('/resp/headers');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('<ok/>');
    expect(res.headers.get('x-amzn-remapped-date')).toBe(BACKEND_DATE);
    expect(res.headers.get('x-amzn-remapped-content-length')).toBe('5');
    expect(res.headers.get('x-amzn-remapped-server')).toBe('capture/1.0');
    expect(res.headers.get('x-amzn-remapped-connection')).toBe('keep-alive');
    expect(res.headers.get('etag')).toBe('"abc123"');
    expect(res.headers.get('x-custom-out')).toBe('custom-value');
    expect(res.headers.get('x-literal')).toBe('fixed');
    expect(res.headers.get('x-not-sent')).toBeNull();
    // Unmapped backend headers are dropped; the gateway's own win.
    expect(res.headers.get('x-unmapped')).toBeNull();
    expect(res.headers.get('x-backend-custom')).toBeNull();
    expect(res.headers.get('server')).toBeNull();
    expect(res.headers.get('date')).not.toBe(BACKEND_DATE);
    expect(res.headers.get('content-type')).toBe('application/json');
    expectGatewayIds(res);
    expect(res.headers.get('x-amzn-requestid')).not.toBe('backend-request-id');
  });

  test('Content-Type is application/json unless mapped', async () => {
    backend.respond({ headers: { 'Content-Type': 'application/xml' }, body: '<a/>' });
    const mapped = await call('/resp/content-type');
    expect(mapped.headers.get('content-type')).toBe('application/xml');
    expect(await mapped.text()).toBe('<a/>');
    const unmapped = await call('/resp/headers');
    expect(unmapped.headers.get('content-type')).toBe('application/json');
    expect(await unmapped.text()).toBe('<a/>');
  });

  test.each([
    [200, 200],
    [204, 200],
    [404, 400],
    [400, 400],
    [503, 502],
  ])('selectionPattern matches the whole status: backend %i → %i', async (backendStatus, clientStatus) => {
    backend.respond({
      status: backendStatus,
      body: backendStatus === 204 ? '' : `{"from":"backend ${backendStatus}"}`,
    });
    const res = await call('/resp/select');
    expect(res.status).toBe(clientStatus);
    expect(await res.text()).toBe(backendStatus === 204 ? '' : `{"from":"backend ${backendStatus}"}`);
    expect(res.headers.get('content-type')).toBe('application/json');
    expectGatewayIds(res);
  });

  test('without a match and without a default the client gets 500 Internal server error', async () => {
    backend.respond({ status: 404, body: '<Error/>' });
    // `40` must match all of "404" to select 418: it does not.
    await expectInternalServerError(await call('/resp/no-default'));
    expect(backend.requests).toHaveLength(1);
    backend.respond({ status: 201, body: 'made' });
    const ok = await call('/resp/no-default');
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('made');
  });

  test('integration.response.body and body.<path> map JSON backend bodies', async () => {
    const json = '{"a":{"b":"deep"},"n":5}';
    backend.respond({ headers: { 'Content-Type': 'application/json' }, body: json });
    const res = await call('/resp/body');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-whole')).toBe(json);
    expect(res.headers.get('x-deep')).toBe('deep');
    expect(res.headers.get('x-num')).toBe('5');
    expect(res.headers.get('x-missing')).toBeNull();
    expect(await res.text()).toBe(json);
  });

  test('a body that is not JSON has no fields; one that looks like JSON but is not fails with 500', async () => {
    backend.respond({ body: '<xml>text</xml>' });
    const xml = await call('/resp/body');
    expect(xml.status).toBe(200);
    expect(xml.headers.get('x-whole')).toBe('<xml>text</xml>');
    expect(xml.headers.get('x-deep')).toBeNull();
    expect(await xml.text()).toBe('<xml>text</xml>');

    backend.respond({ body: '{"a":' });
    await expectInternalServerError(await call('/resp/body'));
  });

  test('gateway errors carry the ids too', async () => {
    const res = await call('/nowhere');
    expect(res.status).toBe(403);
    expectGatewayIds(res);
    expect(backend.requests).toHaveLength(0);
  });
});
