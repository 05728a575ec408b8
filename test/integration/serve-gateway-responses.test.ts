import { recordingLogger, tempDir, type TempDir } from '../helpers/api-doc';
import { closedPort, startCaptureServer, type CaptureServer } from '../helpers/capture-server';
import { callSigned } from '../helpers/execute-api';
import { startLambdaStandIn, type LambdaStandIn } from '../helpers/lambda-standin';
import { startGateway, type RunningGateway } from '../../gateway/serve';
import { DEFAULT_MAX_PAYLOAD } from '../../gateway/stages/method-request';

const KEYS = { accessKeyId: 'AKIAGATEWAYRESPONSE1', secretAccessKey: 'gateway-responses-secret' };
const ENV = { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey };
const LAMBDA_URI =
  'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:broken/invocations';

const mockIntegration = (extra: Record<string, unknown> = {}) => ({
  type: 'mock',
  passthroughBehavior: 'when_no_match',
  requestTemplates: { 'application/json': '{"statusCode": 200}' },
  responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '{"ok":true}' } } },
  ...extra,
});

/**
 * Customisations exercising every rule of
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html.
 */
const CUSTOM_RESPONSES = {
  DEFAULT_4XX: {
    responseParameters: {
      'gatewayresponse.header.Access-Control-Allow-Origin': "'*'",
      'gatewayresponse.header.X-Request-Id': 'context.requestId',
    },
    responseTemplates: {
      'application/json':
        '{"error":$context.error.messageString,"type":"$context.error.responseType","stage":"$stageVariables.color"}',
    },
  },
  DEFAULT_5XX: {
    statusCode: '599',
    responseParameters: { 'gatewayresponse.header.X-Fault': "'yes'" },
    responseTemplates: {
      'application/json': '{"fault":"$context.error.message","type":"$context.error.responseType"}',
    },
  },
  MISSING_AUTHENTICATION_TOKEN: {
    statusCode: '404',
    responseParameters: {
      'gatewayresponse.header.X-Literal': "'lit'",
      'gatewayresponse.header.X-Echo': 'method.request.header.X-Echo',
      'gatewayresponse.header.X-Query': 'method.request.querystring.q',
      'gatewayresponse.header.X-Stage': 'stageVariables.color',
      'gatewayresponse.header.X-Path': 'context.path',
    },
    responseTemplates: {
      'application/json':
        '{"nothing at":"$context.path","not vtl":"#if(true)x#end $input.body ${context.httpMethod}"}',
      'text/html': '<p>$context.error.message</p>',
    },
  },
  BAD_REQUEST_PARAMETERS: {
    responseParameters: { 'gatewayresponse.header.X-Id': 'method.request.path.id' },
    responseTemplates: { 'application/json': '{"bad":$context.error.messageString}' },
  },
  ACCESS_DENIED: { responseParameters: { 'gatewayresponse.header.X-Denied': "'yes'" } },
  INTEGRATION_FAILURE: { responseParameters: { 'gatewayresponse.header.X-Failure': "'yes'" } },
  INTEGRATION_TIMEOUT: {
    responseParameters: { 'gatewayresponse.header.Content-Type': "'text/plain'" },
    responseTemplates: { 'text/plain': 'timed out: $context.error.message' },
  },
  REQUEST_TOO_LARGE: { statusCode: '400', responseTemplates: { 'application/json': 'customised' } },
};

function document(backendUrl: string, refusedPort: number, custom: boolean): Record<string, unknown> {
  return {
    openapi: '3.0.1',
    info: { title: custom ? 'custom gateway responses' : 'default gateway responses', version: '1' },
    'x-amazon-apigateway-request-validators': {
      params: { validateRequestParameters: true, validateRequestBody: false },
      body: { validateRequestParameters: false, validateRequestBody: true },
    },
    ...(custom ? { 'x-amazon-apigateway-gateway-responses': CUSTOM_RESPONSES } : {}),
    paths: {
      '/iam': {
        get: {
          responses: { '200': { description: 'ok' } },
          'x-amazon-apigateway-auth': { type: 'AWS_IAM' },
          'x-amazon-apigateway-integration': mockIntegration(),
        },
      },
      '/items/{id}': {
        get: {
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string' } },
            { name: 'q', in: 'query', required: true, schema: { type: 'string' } },
          ],
          responses: { '200': { description: 'ok' } },
          'x-amazon-apigateway-request-validator': 'params',
          'x-amazon-apigateway-integration': mockIntegration(),
        },
      },
      '/body': {
        post: {
          requestBody: {
            content: {
              'application/json': {
                schema: { type: 'object', required: ['a'], properties: { a: { type: 'number' } } },
              },
            },
          },
          responses: { '200': { description: 'ok' } },
          'x-amazon-apigateway-request-validator': 'body',
          'x-amazon-apigateway-integration': mockIntegration(),
        },
      },
      '/never': {
        post: {
          responses: { '200': { description: 'ok' } },
          'x-amazon-apigateway-integration': mockIntegration({
            passthroughBehavior: 'never',
            requestTemplates: { 'application/xml': '{"statusCode": 200}' },
          }),
        },
      },
      '/no-default': {
        get: {
          responses: { '200': { description: 'ok' } },
          'x-amazon-apigateway-integration': mockIntegration({
            requestTemplates: { 'application/json': '{"statusCode": 418}' },
            responses: { '2\\d{2}': { statusCode: '200' } },
          }),
        },
      },
      '/down': {
        get: {
          responses: { '200': { description: 'ok' } },
          'x-amazon-apigateway-integration': {
            type: 'http',
            httpMethod: 'GET',
            uri: `http://127.0.0.1:${refusedPort}/x`,
            responses: { default: { statusCode: '200' } },
          },
        },
      },
      '/slow': {
        get: {
          responses: { '200': { description: 'ok' } },
          'x-amazon-apigateway-integration': {
            type: 'http',
            httpMethod: 'GET',
            uri: `${backendUrl}/slow`,
            timeoutInMillis: 50,
            responses: { default: { statusCode: '200' } },
          },
        },
      },
      '/lambda': {
        get: {
          responses: { '200': { description: 'ok' } },
          'x-amazon-apigateway-integration': { type: 'aws_proxy', httpMethod: 'POST', uri: LAMBDA_URI },
        },
      },
    },
  };
}

let backend: CaptureServer;
let lambda: LambdaStandIn;
let dir: TempDir;
let plain: RunningGateway;
let custom: RunningGateway;

beforeAll(async () => {
  backend = await startCaptureServer();
  backend.respond('hang');
  // A Lambda proxy result that is not an object: API Gateway answers 502.
  lambda = await startLambdaStandIn({ broken: () => 'justAString' }, KEYS);
  const refused = await closedPort();
  dir = tempDir('apigw-gateway-responses-');
  const start = (name: string, isCustom: boolean) =>
    startGateway(
      {
        api: dir.write(name, document(backend.url, refused, isCustom)),
        port: 0,
        host: '127.0.0.1',
        dataDir: dir.dir,
        stageVariables: { color: 'blue' },
        endpoints: { lambda: lambda.url },
      },
      // Integration failures are logged as errors; keep them out of the test output.
      recordingLogger().log,
      ENV,
    );
  plain = await start('plain.json', false);
  custom = await start('custom.json', true);
});
afterAll(async () => {
  await plain.close();
  await custom.close();
  await lambda.close();
  await backend.close();
  dir.remove();
});

type Call = (gw: RunningGateway) => Promise<Response>;
const get =
  (p: string, init: RequestInit = {}): Call =>
  (gw) =>
    fetch(`${gw.url}${p}`, init);
/** The same path on a stage that is not served. */
const otherStage: Call = (gw) => fetch(`${gw.url.replace(/\/dev$/, '/prod')}/iam`);

const incomplete =
  "'abc' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer abc'.";

/** Every error the gateway makes, with what it looks like without customisation. */
interface Case {
  name: string;
  call: Call;
  status: number;
  errorType: string;
  message: string | RegExp;
}
const CASES: Case[] = (
  [
    [
      'unknown route',
      get('/nope'),
      403,
      'MissingAuthenticationTokenException',
      'Missing Authentication Token',
    ],
    [
      'undeclared method',
      get('/iam', { method: 'DELETE' }),
      403,
      'MissingAuthenticationTokenException',
      'Missing Authentication Token',
    ],
    [
      'unsigned AWS_IAM call',
      get('/iam'),
      403,
      'MissingAuthenticationTokenException',
      'Missing Authentication Token',
    ],
    ['unknown stage', otherStage, 403, 'ForbiddenException', 'Forbidden'],
    [
      'wrong secret',
      (gw) => callSigned(gw.url, '/iam', { ...KEYS, secretAccessKey: 'wrong' }),
      403,
      'InvalidSignatureException',
      /^The request signature we calculated does not match the signature you provided/,
    ],
    [
      'Authorization: Bearer',
      get('/iam', { headers: { Authorization: 'Bearer abc' } }),
      403,
      'IncompleteSignatureException',
      incomplete,
    ],
    [
      'expired signature',
      (gw) => callSigned(gw.url, '/iam', KEYS, { signingDate: new Date(Date.now() - 3600_000) }),
      403,
      'InvalidSignatureException',
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z/,
    ],
    [
      'unknown access key',
      (gw) => callSigned(gw.url, '/iam', { ...KEYS, accessKeyId: 'AKIAUNKNOWNKEY000001' }),
      403,
      'AccessDeniedException',
      'The security token included in the request is invalid.',
    ],
    [
      'missing required parameter',
      get('/items/7'),
      400,
      'BadRequestException',
      'Missing required request parameters: [q]',
    ],
    [
      'invalid body',
      get('/body', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"a":"x"}' }),
      400,
      'BadRequestException',
      'Invalid request body',
    ],
    [
      'no template and passthrough never',
      get('/never', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }),
      415,
      'BadRequestException',
      'Unsupported Media Type',
    ],
    [
      'payload over 10 MB',
      get('/body', { method: 'POST', body: Buffer.alloc(DEFAULT_MAX_PAYLOAD + 1, 0x61) }),
      413,
      'RequestTooLargeException',
      'Request Too Long',
    ],
    [
      'no integration response for the status',
      get('/no-default'),
      500,
      'InternalServerErrorException',
      'Internal server error',
    ],
    [
      'backend refuses the connection',
      get('/down'),
      500,
      'InternalServerErrorException',
      'Internal server error',
    ],
    [
      'malformed Lambda proxy result',
      get('/lambda'),
      502,
      'InternalServerErrorException',
      'Internal server error',
    ],
    ['backend too slow', get('/slow'), 504, 'InternalServerErrorException', 'Endpoint request timed out'],
  ] as Array<[string, Call, number, string, string | RegExp]>
).map(([name, call, status, errorType, message]) => ({ name, call, status, errorType, message }));

function expectGatewayHeaders(res: Response, errorType: string): void {
  expect(res.headers.get('x-amzn-errortype')).toBe(errorType);
  expect(res.headers.get('x-amzn-requestid')).toMatch(
    /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  );
  expect(res.headers.get('x-amz-apigw-id')).toMatch(/^[A-Za-z0-9=]{16}$/);
  // API Gateway adds no trace id to its own errors
  // (https://github.com/localstack/localstack/tree/main/tests/aws/services/apigateway).
  expect(res.headers.get('x-amzn-trace-id')).toBeNull();
}

describe('default gateway responses (no customisation)', () => {
  test.each(CASES)('$name → $status $errorType', async ({ call, status, errorType, message }) => {
    const res = await call(plain);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json');
    expectGatewayHeaders(res, errorType);
    const text = await res.text();
    expect(res.headers.get('content-length')).toBe(String(Buffer.byteLength(text)));
    const body = JSON.parse(text) as { message: string };
    expect(Object.keys(body)).toEqual(['message']);
    expect(body.message).toEqual(typeof message === 'string' ? message : expect.stringMatching(message));
  });

  test('HEAD gets the status and headers, no body', async () => {
    const res = await fetch(`${plain.url}/nope`, { method: 'HEAD' });
    expect(res.status).toBe(403);
    expectGatewayHeaders(res, 'MissingAuthenticationTokenException');
    expect(await res.text()).toBe('');
  });
});

describe('customised gateway responses', () => {
  const byName = Object.fromEntries(CASES.map((c) => [c.name, c]));

  test('an explicitly configured type: its status, headers from literals, method.request.*, stageVariables.*, context.*, and its template by plain substitution', async () => {
    const res = await fetch(`${custom.url}/nope?q=query`, { headers: { 'X-Echo': 'echoed' } });
    expect(res.status).toBe(404);
    expectGatewayHeaders(res, 'MissingAuthenticationTokenException');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-literal')).toBe('lit');
    expect(res.headers.get('x-echo')).toBe('echoed');
    expect(res.headers.get('x-query')).toBe('query');
    expect(res.headers.get('x-stage')).toBe('blue');
    expect(res.headers.get('x-path')).toBe('/dev/nope');
    // Configured on its own, it inherits nothing from DEFAULT_4XX.
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(JSON.parse(await res.text())).toEqual({
      'nothing at': '/dev/nope',
      'not vtl': '#if(true)x#end $input.body GET',
    });
  });

  test('the template for the Accept type, with its media type as Content-Type', async () => {
    const res = await fetch(`${custom.url}/iam`, { headers: { Accept: 'text/html' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('text/html');
    expect(await res.text()).toBe('<p>Missing Authentication Token</p>');
  });

  test('HEAD gets the customised status and headers, no body', async () => {
    const res = await fetch(`${custom.url}/nope`, { method: 'HEAD' });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-literal')).toBe('lit');
    expect(await res.text()).toBe('');
  });

  test.each([
    'wrong secret',
    'Authorization: Bearer',
    'expired signature',
    'invalid body',
    'no template and passthrough never',
  ])(
    "%s: not configured, so DEFAULT_4XX (its headers, template, and the type's own status)",
    async (name) => {
      const { call, status, errorType } = byName[name];
      const res = await call(custom);
      expect(res.status).toBe(status);
      expectGatewayHeaders(res, errorType);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('x-request-id')).toBe(res.headers.get('x-amzn-requestid'));
      const body = JSON.parse(await res.text()) as Record<string, string>;
      expect(Object.keys(body)).toEqual(['error', 'type', 'stage']);
      expect(body.stage).toBe('blue');
      expect(body.type).toBe(
        {
          'wrong secret': 'INVALID_SIGNATURE',
          'Authorization: Bearer': 'INVALID_SIGNATURE',
          'expired signature': 'INVALID_SIGNATURE',
          'invalid body': 'BAD_REQUEST_BODY',
          'no template and passthrough never': 'UNSUPPORTED_MEDIA_TYPE',
        }[name],
      );
      if (name === 'Authorization: Bearer') expect(body.error).toBe(incomplete);
    },
  );

  test('a type configured with headers only keeps its default status and body (unknown key → ACCESS_DENIED)', async () => {
    const res = await byName['unknown access key'].call(custom);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-denied')).toBe('yes');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    expect(await res.json()).toEqual({ message: 'The security token included in the request is invalid.' });
  });

  test('BAD_REQUEST_PARAMETERS: a header from method.request.path, its own template', async () => {
    const res = await fetch(`${custom.url}/items/42`);
    expect(res.status).toBe(400);
    expect(res.headers.get('x-id')).toBe('42');
    expect(await res.json()).toEqual({ bad: 'Missing required request parameters: [q]' });
  });

  test('not configured 5XX types take DEFAULT_5XX, status included (API_CONFIGURATION_ERROR → 599)', async () => {
    const res = await fetch(`${custom.url}/no-default`);
    expect(res.status).toBe(599);
    expectGatewayHeaders(res, 'InternalServerErrorException');
    expect(res.headers.get('x-fault')).toBe('yes');
    expect(await res.json()).toEqual({ fault: 'Internal server error', type: 'API_CONFIGURATION_ERROR' });
  });

  test.each([
    ['backend refuses the connection', 500],
    ['malformed Lambda proxy result', 502],
  ])(
    'INTEGRATION_FAILURE, configured with a header only: %s keeps %i and the default body, nothing of DEFAULT_5XX',
    async (name, status) => {
      const res = await byName[name].call(custom);
      expect(res.status).toBe(status);
      expect(res.headers.get('x-failure')).toBe('yes');
      expect(res.headers.get('x-fault')).toBeNull();
      expect(await res.json()).toEqual({ message: 'Internal server error' });
    },
  );

  test('INTEGRATION_TIMEOUT with a text/plain template and a Content-Type header', async () => {
    const res = await byName['backend too slow'].call(custom);
    expect(res.status).toBe(504);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expectGatewayHeaders(res, 'InternalServerErrorException');
    expect(await res.text()).toBe('timed out: Endpoint request timed out');
  });

  test.each(['payload over 10 MB', 'unknown stage'])(
    '%s: never customised (neither its own entry nor DEFAULT_4XX)',
    async (name) => {
      const { call, status, errorType } = byName[name];
      const res = await call(custom);
      expect(res.status).toBe(status);
      expectGatewayHeaders(res, errorType);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(Object.keys((await res.json()) as object)).toEqual(['message']);
    },
  );
});
