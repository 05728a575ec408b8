import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseFunctions } from '../../gateway/backends/lambda';
import type { Logger } from '../../gateway/log';
import { startGateway, type RunningGateway } from '../../gateway/serve';
import { recordingLogger, tempDir, type TempDir } from '../helpers/api-doc';
import { REPO } from '../helpers/cli';
import { LAMBDA_KEYS } from '../helpers/lambda-invoke';

// Lambda TOKEN and REQUEST authorizers
// (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html)
// run on the embedded Lambda, with the functions of test/fixtures/authorizers. Every authorizer
// call is appended to a log file (the functions' CALL_LOG), which tells whether a request reached
// the function or was answered from the identity checks or the cache.

const ENV = {
  AWS_ACCESS_KEY_ID: LAMBDA_KEYS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LAMBDA_KEYS.secretAccessKey,
};
const FIXTURES = 'test/fixtures/authorizers';
const fnUri = (name: string) =>
  `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${name}/invocations`;

/** A custom (Lambda) authorizer's security scheme, as API Gateway exports it (OpenAPI 2.0). */
function scheme(headerName: string, authorizer: Record<string, unknown>) {
  return {
    type: 'apiKey',
    name: headerName,
    in: 'header',
    'x-amazon-apigateway-authtype': 'custom',
    'x-amazon-apigateway-authorizer': authorizer,
  };
}

const SECURITY_DEFINITIONS = {
  tokenAuth: scheme('Authorization', {
    type: 'token',
    authorizerUri: fnUri('TokenAuth'),
    identityValidationExpression: '^Bearer [a-z]+$',
    authorizerResultTtlInSeconds: 0,
  }),
  cachedTokenAuth: scheme('Authorization', {
    type: 'token',
    authorizerUri: fnUri('TokenAuth'),
    authorizerResultTtlInSeconds: 300,
  }),
  // No authorizerResultTtlInSeconds: API Gateway's default, 300 seconds.
  defaultTtlAuth: scheme('Authorization', { type: 'token', authorizerUri: fnUri('TokenAuth') }),
  // The token comes from the header the scheme names.
  schemeHeaderAuth: scheme('X-Token', {
    type: 'token',
    authorizerUri: fnUri('TokenAuth'),
    authorizerResultTtlInSeconds: 0,
  }),
  // ... unless identitySource names another one.
  sourceHeaderAuth: scheme('Unused', {
    type: 'token',
    authorizerUri: fnUri('TokenAuth'),
    identitySource: 'method.request.header.X-Alt-Token',
    authorizerResultTtlInSeconds: 0,
  }),
  callbackAuth: scheme('Authorization', {
    type: 'token',
    authorizerUri: fnUri('TokenCallback'),
    authorizerResultTtlInSeconds: 0,
  }),
  requestAuth: scheme('Unused', {
    type: 'request',
    authorizerUri: fnUri('RequestAuth'),
    identitySource: 'method.request.header.X-User, method.request.querystring.tenant',
    authorizerResultTtlInSeconds: 300,
  }),
  contextAuth: scheme('Unused', {
    type: 'request',
    authorizerUri: fnUri('RequestAuth'),
    identitySource: 'method.request.header.X-User, stageVariables.authStage, context.httpMethod',
    authorizerResultTtlInSeconds: 300,
  }),
  absentStageAuth: scheme('Unused', {
    type: 'request',
    authorizerUri: fnUri('RequestAuth'),
    identitySource: 'method.request.header.X-User, stageVariables.absent',
    authorizerResultTtlInSeconds: 300,
  }),
};

/** What a MOCK integration renders of `$context.authorizer` (the TOKEN fixture's context keys). */
const AUTHORIZER_TEMPLATE = `{${[
  'principalId',
  'k',
  'n',
  'b',
  'f',
  'type',
  'token',
  'methodArn',
  'eventKeys',
  'invocationId',
]
  .map((key) => `"${key}":"$context.authorizer.${key}"`)
  .join(',')}}`;

type Parameter = { name: string; in: string; required?: boolean; type: string };

/** A method behind `authorizer` (none: open) with a MOCK integration rendering the authorizer's context. */
function mockMethod(authorizer: string | undefined, parameters: Parameter[] = [], extra = {}) {
  return {
    ...(authorizer ? { security: [{ [authorizer]: [] }] } : {}),
    produces: ['application/json'],
    ...(parameters.length ? { parameters } : {}),
    responses: { '200': { description: 'the authorizer context' } },
    'x-amazon-apigateway-integration': {
      type: 'mock',
      passthroughBehavior: 'when_no_match',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      responses: {
        default: { statusCode: '200', responseTemplates: { 'application/json': AUTHORIZER_TEMPLATE } },
      },
    },
    ...extra,
  };
}

/** A method behind `authorizer` with the Lambda proxy target that reports its event. */
function proxyMethod(authorizer: string, parameters: Parameter[] = []) {
  return {
    security: [{ [authorizer]: [] }],
    ...(parameters.length ? { parameters } : {}),
    responses: { '200': { description: 'what the target saw' } },
    'x-amazon-apigateway-integration': {
      type: 'aws_proxy',
      httpMethod: 'POST',
      uri: fnUri('Target'),
      passthroughBehavior: 'when_no_match',
    },
  };
}

const pathParam = (name: string): Parameter => ({ name, in: 'path', required: true, type: 'string' });

function apiDocument(extra: Record<string, unknown> = {}) {
  return {
    swagger: '2.0',
    info: { title: 'lambda authorizers', version: '1' },
    basePath: '/test',
    securityDefinitions: SECURITY_DEFINITIONS,
    'x-amazon-apigateway-request-validators': {
      params: { validateRequestParameters: true, validateRequestBody: false },
    },
    paths: {
      '/mock/items/{id}': {
        get: mockMethod('tokenAuth', [pathParam('id')]),
        post: mockMethod('tokenAuth', [pathParam('id')]),
      },
      '/proxy/{proxy+}': { get: proxyMethod('tokenAuth', [pathParam('proxy')]) },
      '/validated': {
        get: mockMethod('tokenAuth', [{ name: 'q', in: 'query', required: true, type: 'string' }], {
          'x-amazon-apigateway-request-validator': 'params',
        }),
      },
      '/cached/{x}': { get: mockMethod('cachedTokenAuth', [pathParam('x')]) },
      '/default-ttl': { get: mockMethod('defaultTtlAuth') },
      '/scheme-header': { get: mockMethod('schemeHeaderAuth') },
      '/source-header': { get: mockMethod('sourceHeaderAuth') },
      '/callback': { get: mockMethod('callbackAuth') },
      '/req/items/{id}': { get: proxyMethod('requestAuth', [pathParam('id')]) },
      '/ctx': { get: proxyMethod('contextAuth'), post: proxyMethod('contextAuth') },
      '/absent-stage': { get: proxyMethod('absentStageAuth') },
    },
    ...extra,
  };
}

/** Starts a gateway on the document with the fixture functions; their calls go to `callLog`. */
function startWithFunctions(
  dir: TempDir,
  document: unknown,
  callLog: string,
  log: Logger,
): Promise<RunningGateway> {
  const environment = { CALL_LOG: callLog };
  return startGateway(
    {
      api: dir.write('api.json', document),
      port: 0,
      host: '127.0.0.1',
      dataDir: dir.dir,
      stageVariables: { authStage: 'blue' },
      functions: parseFunctions(
        {
          TokenAuth: { handler: `${FIXTURES}/token.js#handler`, environment },
          TokenCallback: { handler: `${FIXTURES}/token.js#viaCallback`, environment },
          RequestAuth: { handler: `${FIXTURES}/request.js#handler`, environment },
          Target: `${FIXTURES}/target.js#handler`,
        },
        REPO,
        'test',
      ),
    },
    log,
    ENV,
  );
}

interface Reply {
  status: number;
  errorType: string | null;
  contentType: string | null;
  headers: Headers;
  text: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

async function call(base: string, pathAndQuery: string, init: RequestInit = {}): Promise<Reply> {
  const res = await fetch(`${base}${pathAndQuery}`, init);
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return {
    status: res.status,
    errorType: res.headers.get('x-amzn-errortype'),
    contentType: res.headers.get('content-type'),
    headers: res.headers,
    text,
    json,
  };
}

/** The calls an authorizer function logged: `auth` is token, callback or request. */
interface AuthorizerCall {
  auth: string;
  identity: string;
}

function readCalls(file: string): AuthorizerCall[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuthorizerCall);
}

const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });
const UNAUTHORIZED = { status: 401, errorType: 'UnauthorizedException', json: { message: 'Unauthorized' } };
const EXPLICIT_DENY = {
  status: 403,
  errorType: 'AccessDeniedException',
  json: { message: 'User is not authorized to access this resource with an explicit deny' },
};
const IMPLICIT_DENY = {
  status: 403,
  errorType: 'AccessDeniedException',
  json: { message: 'User is not authorized to access this resource' },
};
const CONFIGURATION_ERROR = {
  status: 500,
  errorType: 'AuthorizerConfigurationException',
  json: { message: null },
};
const outcome = (r: Reply) => ({ status: r.status, errorType: r.errorType, json: r.json });

let dir: TempDir;
let gw: RunningGateway;
let base: string;
let callLog: string;
// Authorizer failures are logged as errors: kept here (and checked), out of the test output.
const logged = recordingLogger();
/** The authorizer calls logged since the last `newCalls()` (or the test's start). */
let seen = 0;
function newCalls(): AuthorizerCall[] {
  const all = readCalls(callLog);
  const fresh = all.slice(seen);
  seen = all.length;
  return fresh;
}

beforeAll(async () => {
  dir = tempDir('apigw-lambda-authorizer-');
  callLog = path.join(dir.dir, 'calls.log');
  writeFileSync(callLog, '');
  gw = await startWithFunctions(dir, apiDocument(), callLog, logged.log);
  base = gw.url;
});
afterAll(async () => {
  await gw?.close();
  dir?.remove();
});
beforeEach(() => {
  newCalls();
});

/** `arn:aws:execute-api:{region}:{account}:{apiId}/test/{verb}/{path}`, the path without its leading slash. */
const methodArn = (verb: string, resourcePath: string) =>
  new RegExp(
    `^arn:aws:execute-api:us-east-1:\\d{12}:${gw.apiId}/test/${verb}/${resourcePath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
  );

describe('TOKEN authorizer', () => {
  test('Allow: the request goes on; $context.authorizer has principalId and the context, stringified; the event is type, token and methodArn', async () => {
    const r = await call(base, '/mock/items/42', { headers: bearer('allow') });
    expect(r.status).toBe(200);
    expect(r.errorType).toBeNull();
    expect(r.json).toEqual({
      principalId: 'user-allow',
      k: 'v',
      n: '1',
      b: 'true',
      f: '1.5',
      type: 'TOKEN',
      token: 'Bearer allow',
      methodArn: expect.stringMatching(methodArn('GET', 'mock/items/42')),
      eventKeys: 'authorizationToken,methodArn,type',
      invocationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
    });
    expect(newCalls()).toEqual([{ auth: 'token', identity: 'Bearer allow' }]);
  });

  test('Allow into a Lambda proxy: requestContext.authorizer has principalId, the context as strings and integrationLatency; the token header is passed on', async () => {
    const r = await call(base, '/proxy/a/b?x=1', { headers: bearer('allow') });
    expect(r.status).toBe(200);
    expect(r.json.resource).toBe('/proxy/{proxy+}');
    expect(r.json.path).toBe('/proxy/a/b');
    const authorizer = r.json.authorizer;
    expect(authorizer).toMatchObject({
      principalId: 'user-allow',
      k: 'v',
      n: '1',
      b: 'true',
      f: '1.5',
      type: 'TOKEN',
      token: 'Bearer allow',
    });
    expect(authorizer.methodArn).toMatch(methodArn('GET', 'proxy/a/b'));
    expect(typeof authorizer.integrationLatency).toBe('number');
    // fetch keeps the header name as given.
    expect(r.json.headers.Authorization).toBe('Bearer allow');
    expect(newCalls()).toHaveLength(1);
  });

  test.each<[string, Record<string, string>]>([
    ['no Authorization header', {}],
    ['an empty Authorization header', { Authorization: '' }],
    ['another scheme', { Authorization: 'Basic YWxpY2U6c2VjcmV0' }],
    ['an upper-case letter', { Authorization: 'Bearer Allow' }],
    ['a second word', { Authorization: 'Bearer allow more' }],
    ['text before the match', { Authorization: 'xBearer allow' }],
    ['the token in another header', { 'X-Token': 'Bearer allow' }],
  ])('%s → 401 Unauthorized, and the function is not called', async (_name, headers) => {
    const r = await call(base, '/mock/items/1', { headers });
    expect(outcome(r)).toEqual(UNAUTHORIZED);
    expect(r.contentType).toMatch(/^application\/json/);
    expect(newCalls()).toEqual([]);
  });

  test('explicit Deny → 403 "... with an explicit deny"; a Deny beside an Allow * wins', async () => {
    expect(outcome(await call(base, '/mock/items/1', { headers: bearer('deny') }))).toEqual(EXPLICIT_DENY);
    expect(outcome(await call(base, '/mock/items/1', { headers: bearer('mixed') }))).toEqual(EXPLICIT_DENY);
    expect(newCalls()).toHaveLength(2);
  });

  test('an Allow for another method and path only → 403 "User is not authorized to access this resource"', async () => {
    expect(outcome(await call(base, '/mock/items/1', { headers: bearer('elsewhere') }))).toEqual(
      IMPLICIT_DENY,
    );
    expect(newCalls()).toHaveLength(1);
  });

  test('wildcard resources: .../*/GET/* allows GET, not POST of the same path; execute-api:* with a Resource list allows', async () => {
    const get = await call(base, '/mock/items/7', { headers: bearer('wildcard') });
    expect(get.status).toBe(200);
    expect(get.json.principalId).toBe('user-wildcard');
    const post = await call(base, '/mock/items/7', {
      method: 'POST',
      headers: { ...bearer('wildcard'), 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(outcome(post)).toEqual(IMPLICIT_DENY);
    const star = await call(base, '/mock/items/7', {
      method: 'POST',
      headers: { ...bearer('star'), 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(star.status).toBe(200);
    expect(star.json.principalId).toBe('user-star');
    expect(star.json.methodArn).toMatch(methodArn('POST', 'mock/items/7'));
    expect(newCalls()).toHaveLength(3);
  });

  test('the function fails with "Unauthorized" → 401 (the function was called)', async () => {
    expect(outcome(await call(base, '/mock/items/1', { headers: bearer('unauthorized') }))).toEqual(
      UNAUTHORIZED,
    );
    expect(newCalls()).toEqual([{ auth: 'token', identity: 'Bearer unauthorized' }]);
  });

  test.each([
    ['fails with "unauthorized" (not exactly Unauthorized)', 'lowercase'],
    ['fails with another error', 'crash'],
    ['returns no policyDocument', 'nopolicy'],
    ['returns an object in its context', 'nested'],
    ['returns null', 'null'],
  ])('the function %s → 500 {"message":null}, AuthorizerConfigurationException', async (_name, token) => {
    const r = await call(base, '/mock/items/1', { headers: bearer(token) });
    expect(outcome(r)).toEqual(CONFIGURATION_ERROR);
    expect(r.text.replace(/\s/g, '')).toBe('{"message":null}');
    expect(newCalls()).toHaveLength(1);
    // The client learns nothing; the gateway's log says what went wrong, for this request.
    const requestId = r.headers.get('x-amzn-requestid');
    expect(requestId).toBeTruthy();
    expect(logged.lines.some((line) => / ERROR /.test(line) && line.includes(requestId!))).toBe(true);
  });

  test("callback handlers: callback('Unauthorized') → 401; callback(null, policy) → 200; callback(error) → 500", async () => {
    expect(outcome(await call(base, '/callback', { headers: bearer('unauthorized') }))).toEqual(UNAUTHORIZED);
    const allowed = await call(base, '/callback', { headers: bearer('allow') });
    expect(allowed.status).toBe(200);
    expect(allowed.json).toMatchObject({
      principalId: 'callback-allow',
      type: 'TOKEN',
      token: 'Bearer allow',
    });
    expect(outcome(await call(base, '/callback', { headers: bearer('crash') }))).toEqual(CONFIGURATION_ERROR);
    expect(newCalls().map((c) => c.auth)).toEqual(['callback', 'callback', 'callback']);
  });

  test('the token comes from the header the security scheme names (X-Token); Authorization is not read', async () => {
    expect(outcome(await call(base, '/scheme-header', { headers: bearer('allow') }))).toEqual(UNAUTHORIZED);
    expect(newCalls()).toEqual([]);
    const r = await call(base, '/scheme-header', { headers: { 'X-Token': 'Bearer allow' } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ principalId: 'user-allow', token: 'Bearer allow' });
    expect(r.json.methodArn).toMatch(methodArn('GET', 'scheme-header'));
    expect(newCalls()).toEqual([{ auth: 'token', identity: 'Bearer allow' }]);
  });

  test('identitySource method.request.header.X-Alt-Token wins over the scheme name', async () => {
    expect(outcome(await call(base, '/source-header', { headers: { Unused: 'Bearer allow' } }))).toEqual(
      UNAUTHORIZED,
    );
    expect(newCalls()).toEqual([]);
    const r = await call(base, '/source-header', { headers: { 'X-Alt-Token': 'Bearer allow' } });
    expect(r.status).toBe(200);
    expect(r.json.token).toBe('Bearer allow');
    expect(newCalls()).toHaveLength(1);
  });

  test('authorization comes before request validation; routing before authorization', async () => {
    expect(outcome(await call(base, '/validated'))).toEqual(UNAUTHORIZED);
    const invalid = await call(base, '/validated', { headers: bearer('allow') });
    expect(invalid.status).toBe(400);
    expect(invalid.json).toEqual({ message: 'Missing required request parameters: [q]' });
    expect((await call(base, '/validated?q=1', { headers: bearer('allow') })).status).toBe(200);
    expect(newCalls()).toHaveLength(2);

    const unknown = await call(base, '/nowhere', { headers: bearer('allow') });
    expect(unknown.status).toBe(403);
    expect(unknown.errorType).toBe('MissingAuthenticationTokenException');
    expect(newCalls()).toEqual([]);
  });
});

describe('authorizer result cache', () => {
  test('TTL 0: every request calls the function', async () => {
    const first = await call(base, '/mock/items/1', { headers: bearer('allow') });
    const second = await call(base, '/mock/items/1', { headers: bearer('allow') });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.json.invocationId).not.toBe(first.json.invocationId);
    expect(newCalls()).toHaveLength(2);
  });

  test('TTL 300: the same token is answered from the cache (same result, no call); another token calls again', async () => {
    const first = await call(base, '/cached/a', { headers: bearer('wildcard one') });
    expect(first.status).toBe(200);
    expect(newCalls()).toEqual([{ auth: 'token', identity: 'Bearer wildcard one' }]);

    const again = await call(base, '/cached/a', { headers: bearer('wildcard one') });
    expect(again.status).toBe(200);
    expect(again.json).toEqual(first.json);
    expect(newCalls()).toEqual([]);

    // Another path of the same authorizer: the cached policy allows it too (GET on anything).
    const elsewhere = await call(base, '/cached/b', { headers: bearer('wildcard one') });
    expect(elsewhere.status).toBe(200);
    expect(elsewhere.json.invocationId).toBe(first.json.invocationId);
    // The context is the cached one: the function saw the first request's method ARN.
    expect(elsewhere.json.methodArn).toMatch(methodArn('GET', 'cached/a'));
    expect(newCalls()).toEqual([]);

    const other = await call(base, '/cached/a', { headers: bearer('wildcard two') });
    expect(other.status).toBe(200);
    expect(other.json.invocationId).not.toBe(first.json.invocationId);
    expect(newCalls()).toEqual([{ auth: 'token', identity: 'Bearer wildcard two' }]);
  });

  test("the cached policy is evaluated against each request's own method ARN", async () => {
    // `allow` allows exactly the method ARN the function was called for: GET cached/a.
    const first = await call(base, '/cached/a', { headers: bearer('allow three') });
    expect(first.status).toBe(200);
    expect(newCalls()).toHaveLength(1);
    // Called again, the function would allow cached/b; the cached policy does not.
    expect(outcome(await call(base, '/cached/b', { headers: bearer('allow three') }))).toEqual(IMPLICIT_DENY);
    expect(newCalls()).toEqual([]);
    const back = await call(base, '/cached/a', { headers: bearer('allow three') });
    expect(back.status).toBe(200);
    expect(back.json.invocationId).toBe(first.json.invocationId);
    expect(newCalls()).toEqual([]);
  });

  test('a cached Deny keeps denying without calling the function', async () => {
    expect(outcome(await call(base, '/cached/a', { headers: bearer('deny four') }))).toEqual(EXPLICIT_DENY);
    expect(outcome(await call(base, '/cached/a', { headers: bearer('deny four') }))).toEqual(EXPLICIT_DENY);
    expect(newCalls()).toHaveLength(1);
  });

  test('without authorizerResultTtlInSeconds results are cached (default 300 s)', async () => {
    const first = await call(base, '/default-ttl', { headers: bearer('allow five') });
    const second = await call(base, '/default-ttl', { headers: bearer('allow five') });
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(second.json.invocationId).toBe(first.json.invocationId);
    expect(newCalls()).toHaveLength(1);
  });

  test('results are cached per authorizer: the same token on another authorizer calls the function', async () => {
    const cached = await call(base, '/cached/a', { headers: bearer('allow six') });
    const byDefault = await call(base, '/default-ttl', { headers: bearer('allow six') });
    expect([cached.status, byDefault.status]).toEqual([200, 200]);
    expect(byDefault.json.invocationId).not.toBe(cached.json.invocationId);
    expect(byDefault.json.methodArn).toMatch(methodArn('GET', 'default-ttl'));
    expect(newCalls()).toHaveLength(2);
  });
});

describe('REQUEST authorizer', () => {
  const request = (user: string | undefined, query: string, pathname = '/req/items/42') =>
    call(base, `${pathname}${query}`, {
      headers: { ...(user === undefined ? {} : { 'X-User': user }), 'X-Extra': 'extra' },
    });

  test('the event: type, methodArn, resource, path, httpMethod, headers, query, path parameters, stage variables, requestContext; no body', async () => {
    const r = await request('carol', '?tenant=acme&page=2&page=3');
    expect(r.status).toBe(200);
    expect(r.json.authorizer).toMatchObject({ principalId: 'request-carol', user: 'carol' });
    expect(typeof r.json.authorizer.integrationLatency).toBe('number');
    const event = JSON.parse(r.json.authorizer.event);
    expect(event.type).toBe('REQUEST');
    expect(event.methodArn).toMatch(methodArn('GET', 'req/items/42'));
    expect(event.resource).toBe('/req/items/{id}');
    expect(event.path).toBe('/req/items/42');
    expect(event.httpMethod).toBe('GET');
    expect(event.headers['X-User']).toBe('carol');
    expect(event.headers['X-Extra']).toBe('extra');
    expect(event.multiValueHeaders['X-User']).toEqual(['carol']);
    expect(event.queryStringParameters).toEqual({ tenant: 'acme', page: '3' });
    expect(event.multiValueQueryStringParameters).toEqual({ tenant: ['acme'], page: ['2', '3'] });
    expect(event.pathParameters).toEqual({ id: '42' });
    expect(event.stageVariables).toEqual({ authStage: 'blue' });
    expect(event.requestContext).toMatchObject({
      apiId: gw.apiId,
      stage: 'test',
      httpMethod: 'GET',
      resourcePath: '/req/items/{id}',
      path: '/test/req/items/42',
    });
    expect(event).not.toHaveProperty('body');
    expect(event).not.toHaveProperty('authorizationToken');
    expect(newCalls()).toEqual([{ auth: 'request', identity: 'carol|GET|/req/items/42' }]);
  });

  test.each<[string, string | undefined, string]>([
    ['no X-User header', undefined, '?tenant=acme'],
    ['an empty X-User header', '', '?tenant=acme'],
    ['no tenant parameter', 'dan', ''],
    ['an empty tenant parameter', 'dan', '?tenant='],
    ['a tenant parameter by another name', 'dan', '?Tenant=acme'],
  ])('%s → 401 Unauthorized, and the function is not called', async (_name, user, query) => {
    expect(outcome(await request(user, query))).toEqual(UNAUTHORIZED);
    expect(newCalls()).toEqual([]);
  });

  test('explicit Deny → 403', async () => {
    expect(outcome(await request('denied', '?tenant=acme'))).toEqual(EXPLICIT_DENY);
    expect(newCalls()).toHaveLength(1);
  });

  test('cached by the identity sources only: other parameters reuse the result; another header or query value calls again', async () => {
    const first = await request('erin', '?tenant=acme');
    expect(first.status).toBe(200);
    expect(newCalls()).toHaveLength(1);

    const samePlusOther = await request('erin', '?tenant=acme&page=9');
    expect(samePlusOther.status).toBe(200);
    expect(samePlusOther.json.authorizer.invocationId).toBe(first.json.authorizer.invocationId);
    expect(newCalls()).toEqual([]);

    const otherTenant = await request('erin', '?tenant=globex');
    expect(otherTenant.status).toBe(200);
    expect(otherTenant.json.authorizer.invocationId).not.toBe(first.json.authorizer.invocationId);
    expect(newCalls()).toHaveLength(1);

    const otherUser = await request('frank', '?tenant=acme');
    expect(otherUser.status).toBe(200);
    expect(otherUser.json.authorizer.principalId).toBe('request-frank');
    expect(newCalls()).toHaveLength(1);

    // The cached Allow names GET req/items/42 only: another item is refused, from the cache.
    expect(outcome(await request('erin', '?tenant=acme', '/req/items/43'))).toEqual(IMPLICIT_DENY);
    expect(newCalls()).toEqual([]);
  });

  test('stageVariables and context identity sources: the values take part in the cache key', async () => {
    const get = await call(base, '/ctx', { headers: { 'X-User': 'gina' } });
    expect(get.status).toBe(200);
    const event = JSON.parse(get.json.authorizer.event);
    expect(event.methodArn).toMatch(methodArn('GET', 'ctx'));
    expect(newCalls()).toHaveLength(1);

    const again = await call(base, '/ctx', { headers: { 'X-User': 'gina' } });
    expect(again.json.authorizer.invocationId).toBe(get.json.authorizer.invocationId);
    expect(newCalls()).toEqual([]);

    // context.httpMethod differs: not the cached result (which would not allow POST anyway).
    const post = await call(base, '/ctx', { method: 'POST', headers: { 'X-User': 'gina' } });
    expect(post.status).toBe(200);
    expect(JSON.parse(post.json.authorizer.event).methodArn).toMatch(methodArn('POST', 'ctx'));
    expect(newCalls()).toEqual([{ auth: 'request', identity: 'gina|POST|/ctx' }]);
  });

  test('a stage variable the stage does not have → 401 without calling the function', async () => {
    expect(outcome(await call(base, '/absent-stage', { headers: { 'X-User': 'hal' } }))).toEqual(
      UNAUTHORIZED,
    );
    expect(newCalls()).toEqual([]);
  });
});

describe('gateway responses of the API apply to authorizer errors', () => {
  let customDir: TempDir;
  let custom: RunningGateway;
  let customLog: string;
  beforeAll(async () => {
    customDir = tempDir('apigw-lambda-authorizer-gr-');
    customLog = path.join(customDir.dir, 'calls.log');
    const template = '{"type":"$context.error.responseType","message":$context.error.messageString}';
    custom = await startWithFunctions(
      customDir,
      apiDocument({
        'x-amazon-apigateway-gateway-responses': {
          UNAUTHORIZED: {
            statusCode: '401',
            responseParameters: { 'gatewayresponse.header.WWW-Authenticate': '\'Bearer realm="apigw"\'' },
            responseTemplates: { 'application/json': template },
          },
          ACCESS_DENIED: { statusCode: '404', responseTemplates: { 'application/json': template } },
          DEFAULT_5XX: { statusCode: '503', responseTemplates: { 'application/json': template } },
        },
      }),
      customLog,
      recordingLogger().log,
    );
  });
  afterAll(async () => {
    await custom?.close();
    customDir?.remove();
  });

  test('UNAUTHORIZED with a header and template, ACCESS_DENIED with a status, DEFAULT_5XX for AUTHORIZER_CONFIGURATION_ERROR', async () => {
    const missing = await call(custom.url, '/mock/items/1');
    expect(outcome(missing)).toEqual({
      status: 401,
      errorType: 'UnauthorizedException',
      json: { type: 'UNAUTHORIZED', message: 'Unauthorized' },
    });
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="apigw"');

    const thrown = await call(custom.url, '/mock/items/1', { headers: bearer('unauthorized') });
    expect(outcome(thrown)).toEqual(outcome(missing));

    expect(outcome(await call(custom.url, '/mock/items/1', { headers: bearer('deny') }))).toEqual({
      status: 404,
      errorType: 'AccessDeniedException',
      json: {
        type: 'ACCESS_DENIED',
        message: 'User is not authorized to access this resource with an explicit deny',
      },
    });
    expect(outcome(await call(custom.url, '/mock/items/1', { headers: bearer('crash') }))).toEqual({
      status: 503,
      errorType: 'AuthorizerConfigurationException',
      json: { type: 'AUTHORIZER_CONFIGURATION_ERROR', message: null },
    });
    expect((await call(custom.url, '/mock/items/1', { headers: bearer('allow') })).status).toBe(200);
    expect(readCalls(customLog).map((c) => c.identity)).toEqual([
      'Bearer unauthorized',
      'Bearer deny',
      'Bearer crash',
      'Bearer allow',
    ]);
  });
});
