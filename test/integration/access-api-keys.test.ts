import { parseFunctions } from '../../gateway/backends/lambda';
import { API_KEY_SCHEME, mockMethod, startAccessGateway, type AccessGateway } from '../helpers/access';
import { REPO } from '../helpers/cli';
import { LAMBDA_KEYS } from '../helpers/lambda-invoke';

// API keys (HEADER and AUTHORIZER sources) through real HTTP: every failure is AWS's 403
// {"message":"Forbidden"} (INVALID_API_KEY), checked after the authorizer.

const ALICE = 'alice-key-0123456789abcdef';
const BOB = 'bob-key-0123456789abcdef0';
const DISABLED = 'disabled-key-0123456789abcdef';
const STRANGER = 'stranger-key-0123456789abcdef';

const KEYS = [
  { id: 'alicekey01', name: 'alice', value: ALICE, enabled: true },
  { id: 'bobkey0001', name: 'bob', value: BOB, enabled: true },
  { id: 'disabled01', name: 'disabled', value: DISABLED },
  // Enabled, but in a plan of another stage only.
  { id: 'stranger01', name: 'stranger', value: STRANGER, enabled: true },
];

const PLANS = [
  { id: 'plan1', name: 'Basic', apiStages: [{ stage: 'dev' }], apiKeys: ['alicekey01', 'bob', 'disabled01'] },
  { id: 'plan2', name: 'Elsewhere', apiStages: [{ stage: 'prod' }], apiKeys: ['stranger01'] },
];

function document(extra: Record<string, unknown> = {}) {
  return {
    openapi: '3.0.1',
    info: { title: 'api keys', version: '1' },
    paths: {
      '/open': { get: mockMethod() },
      '/keyed': { get: mockMethod({ security: [{ api_key: [] }] }) },
      '/both': { get: mockMethod({ security: [{ tokenAuth: [] }, { api_key: [] }] }) },
    },
    components: {
      securitySchemes: {
        api_key: API_KEY_SCHEME,
        tokenAuth: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          'x-amazon-apigateway-authtype': 'custom',
          'x-amazon-apigateway-authorizer': {
            type: 'token',
            authorizerUri:
              'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Auth/invocations',
            authorizerResultTtlInSeconds: 0,
          },
        },
      },
    },
    ...extra,
  };
}

const functions = parseFunctions({ Auth: `test/fixtures/usage-plans/authorizer.js#handler` }, REPO, 'test');
const ENV = {
  AWS_ACCESS_KEY_ID: LAMBDA_KEYS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LAMBDA_KEYS.secretAccessKey,
};

function expectForbidden(res: { status: number; body: string; headers: Headers }) {
  expect(res.status).toBe(403);
  expect(JSON.parse(res.body)).toEqual({ message: 'Forbidden' });
  expect(res.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
}

describe('API key source HEADER', () => {
  let gw: AccessGateway;
  beforeAll(async () => {
    gw = await startAccessGateway(document(), { apiKeys: KEYS, usagePlans: PLANS }, { functions, env: ENV });
  });
  afterAll(() => gw.close());

  test('a valid key passes, and $context.identity.apiKey / apiKeyId are set', async () => {
    const res = await gw.get('/keyed', { 'x-api-key': ALICE });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ apiKey: ALICE, apiKeyId: 'alicekey01' });
    // The header name is case-insensitive; a plan key referenced by name works as by id.
    const bob = await gw.get('/keyed', { 'X-API-Key': BOB });
    expect(JSON.parse(bob.body)).toMatchObject({ apiKey: BOB, apiKeyId: 'bobkey0001' });
  });

  test('a missing key is 403 Forbidden', async () => {
    expectForbidden(await gw.get('/keyed'));
    expectForbidden(await gw.get('/keyed', { 'x-api-key': '' }));
  });

  test('an unknown key is 403 Forbidden', async () => {
    expectForbidden(await gw.get('/keyed', { 'x-api-key': 'not-a-key-0123456789abcdef' }));
    // Values are compared exactly.
    expectForbidden(await gw.get('/keyed', { 'x-api-key': ALICE.toUpperCase() }));
  });

  test('a disabled key is 403 Forbidden (enabled defaults to false, as CreateApiKey)', async () => {
    expectForbidden(await gw.get('/keyed', { 'x-api-key': DISABLED }));
    expect(gw.lines.some((l) => l.includes("API key 'disabled' is disabled"))).toBe(true);
  });

  test('a key in no usage plan of this stage is 403 Forbidden', async () => {
    expectForbidden(await gw.get('/keyed', { 'x-api-key': STRANGER }));
  });

  test('a method that requires no key ignores one, and exposes none', async () => {
    const res = await gw.get('/open', { 'x-api-key': 'whatever-it-is' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ apiKey: '', apiKeyId: '' });
  });

  test('the key is checked after the authorizer: no token is 401, a token without key 403', async () => {
    const unauthorized = await gw.get('/both', { 'x-api-key': ALICE });
    expect(unauthorized.status).toBe(401);
    expect(JSON.parse(unauthorized.body)).toEqual({ message: 'Unauthorized' });
    expectForbidden(await gw.get('/both', { Authorization: 'Bearer alice' }));
    const ok = await gw.get('/both', { Authorization: 'Bearer alice', 'x-api-key': ALICE });
    expect(ok.status).toBe(200);
  });
});

describe('API key source AUTHORIZER', () => {
  let gw: AccessGateway;
  beforeAll(async () => {
    gw = await startAccessGateway(
      document({ 'x-amazon-apigateway-api-key-source': 'AUTHORIZER' }),
      { apiKeys: KEYS, usagePlans: PLANS },
      { functions, env: ENV },
    );
  });
  afterAll(() => gw.close());

  test("the authorizer's usageIdentifierKey is the key; the X-API-Key header is ignored", async () => {
    const res = await gw.get('/both', { Authorization: 'Bearer alice', 'x-api-key': BOB });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ apiKey: ALICE, apiKeyId: 'alicekey01' });
  });

  test('no usageIdentifierKey, a disabled or an out-of-plan one: 403 Forbidden', async () => {
    expectForbidden(await gw.get('/both', { Authorization: 'Bearer nokey', 'x-api-key': ALICE }));
    expectForbidden(await gw.get('/both', { Authorization: 'Bearer disabled' }));
    expectForbidden(await gw.get('/both', { Authorization: 'Bearer stranger' }));
  });

  test('a key-required method without an authorizer has no key: 403', async () => {
    expectForbidden(await gw.get('/keyed', { 'x-api-key': ALICE }));
  });
});

describe('INVALID_API_KEY is customisable', () => {
  let gw: AccessGateway;
  beforeAll(async () => {
    gw = await startAccessGateway(
      document({
        'x-amazon-apigateway-gateway-responses': {
          INVALID_API_KEY: {
            statusCode: 401,
            responseParameters: { 'gatewayresponse.header.X-Why': "'key'" },
            responseTemplates: { 'application/json': '{"error":"$context.error.responseType"}' },
          },
        },
      }),
      { apiKeys: KEYS, usagePlans: PLANS },
      { functions, env: ENV },
    );
  });
  afterAll(() => gw.close());

  test('status, headers and body come from the gateway response', async () => {
    const res = await gw.get('/keyed');
    expect(res.status).toBe(401);
    expect(res.headers.get('x-why')).toBe('key');
    expect(JSON.parse(res.body)).toEqual({ error: 'INVALID_API_KEY' });
  });
});
