import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { importJWK, SignJWT } from 'jose';
import { principal } from '../../gateway/auth/credentials';
import { developmentKey } from '../../gateway/auth/user-pools';
import { parseFunctions } from '../../gateway/backends/lambda';
import { callerIdentity } from '../../gateway/auth/identity';
import { startGateway, type RunningGateway } from '../../gateway/serve';
import { recordingLogger, tempDir, type TempDir } from '../helpers/api-doc';
import { REPO } from '../helpers/cli';
import { callSigned } from '../helpers/execute-api';
import { LAMBDA_KEYS } from '../helpers/lambda-invoke';

// Resource policies (x-amazon-apigateway-policy) evaluated per request: source IPs, an explicit
// Deny over an Allow, principals for SigV4 callers, AWS's 403 bodies. Requests come from
// 127.0.0.1.

const ALICE = { accessKeyId: 'AKIAPOLICYALICE00001', secretAccessKey: 'alice-secret' };
const BOB = { accessKeyId: 'AKIAPOLICYBOB0000001', secretAccessKey: 'bob-secret' };
const alice = callerIdentity(principal('alice', ALICE.accessKeyId, ALICE.secretAccessKey));
const bob = callerIdentity(principal('bob', BOB.accessKeyId, BOB.secretAccessKey));

const mock = (auth: 'NONE' | 'AWS_IAM' = 'NONE') => ({
  'x-amazon-apigateway-auth': { type: auth },
  responses: { '200': { description: 'ok' } },
  'x-amazon-apigateway-integration': {
    type: 'mock',
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    responses: { default: { statusCode: '200', responseTemplates: { 'application/json': '{"ok": true}' } } },
  },
});

function document(policy: unknown, gatewayResponses?: unknown) {
  return {
    swagger: '2.0',
    info: { title: 'Policy API', version: '1' },
    basePath: '/prod',
    paths: {
      '/office': { get: mock() },
      '/lab': { get: mock() },
      '/items/{id}': { get: mock(), delete: mock() },
      '/iam': { get: mock('AWS_IAM') },
      '/iam/admin': { get: mock('AWS_IAM') },
    },
    'x-amazon-apigateway-policy': policy,
    ...(gatewayResponses ? { 'x-amazon-apigateway-gateway-responses': gatewayResponses } : {}),
  };
}

const POLICY = {
  Version: '2012-10-17',
  Statement: [
    // Everyone may call everything...
    { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' },
    // ... /office only from loopback, /lab only from a network the tests are not on...
    {
      Effect: 'Deny',
      Principal: '*',
      Action: 'execute-api:Invoke',
      Resource: 'execute-api:/prod/GET/office',
      Condition: { NotIpAddress: { 'aws:SourceIp': ['127.0.0.0/8', '::1'] } },
    },
    {
      Effect: 'Deny',
      Principal: '*',
      Action: 'execute-api:Invoke',
      Resource: 'execute-api:/prod/GET/lab',
      Condition: { NotIpAddress: { 'aws:SourceIp': '192.0.2.0/24' } },
    },
    // ... nobody deletes item 13 (an explicit Deny beats the Allow above, wildcards in the ARN)...
    { Effect: 'Deny', Principal: '*', Action: 'execute-api:*', Resource: 'execute-api:/*/DELETE/items/1?' },
    // ... and only bob is refused /iam/admin.
    {
      Effect: 'Deny',
      Principal: { AWS: bob.userArn },
      Action: 'execute-api:Invoke',
      Resource: 'execute-api:/prod/*/iam/admin',
    },
  ],
};

let dir: TempDir;
const gateways: RunningGateway[] = [];

beforeEach(() => {
  dir = tempDir('apigw-policy-');
});

afterEach(async () => {
  for (const g of gateways.splice(0)) await g.close();
  dir.remove();
});

async function serve(policy: unknown, gatewayResponses?: unknown): Promise<RunningGateway> {
  const credentials = dir.write(
    'credentials',
    `[alice]\naws_access_key_id = ${ALICE.accessKeyId}\naws_secret_access_key = ${ALICE.secretAccessKey}\n` +
      `[bob]\naws_access_key_id = ${BOB.accessKeyId}\naws_secret_access_key = ${BOB.secretAccessKey}\n`,
  );
  const gateway = await startGateway(
    {
      api: dir.write('api.json', document(policy, gatewayResponses)),
      port: 0,
      host: '127.0.0.1',
      dataDir: dir.dir,
      credentials,
    },
    recordingLogger().log,
    {},
  );
  gateways.push(gateway);
  return gateway;
}

async function reply(res: Response) {
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), body: await res.text() };
}

const denied = (gateway: RunningGateway, who: string, verbAndPath: string, explicit: boolean) => ({
  status: 403,
  errorType: 'AccessDeniedException',
  body: JSON.stringify({
    Message: `User: ${who} is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:${gateway.apiId}/prod/${verbAndPath}${explicit ? ' with an explicit deny' : ''}`,
  }),
});

test('aws:SourceIp: an allowed source passes, another is refused with an explicit deny', async () => {
  const gateway = await serve(POLICY);
  expect((await fetch(`${gateway.url}/office`)).status).toBe(200);
  expect(await reply(await fetch(`${gateway.url}/lab`))).toEqual(
    denied(gateway, 'anonymous', 'GET/lab', true),
  );
});

test('an explicit Deny beats the Allow; the ARN is the actual path', async () => {
  const gateway = await serve(POLICY);
  expect((await fetch(`${gateway.url}/items/13`)).status).toBe(200);
  expect((await fetch(`${gateway.url}/items/7`, { method: 'DELETE' })).status).toBe(200);
  expect(await reply(await fetch(`${gateway.url}/items/13`, { method: 'DELETE' }))).toEqual(
    denied(gateway, 'anonymous', 'DELETE/items/13', true),
  );
});

test('a method without authorization needs an explicit Allow (implicit deny)', async () => {
  const gateway = await serve({
    Statement: [
      {
        Effect: 'Allow',
        Principal: '*',
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/prod/GET/office',
      },
    ],
  });
  expect((await fetch(`${gateway.url}/office`)).status).toBe(200);
  expect(await reply(await fetch(`${gateway.url}/items/1`))).toEqual(
    denied(gateway, 'anonymous', 'GET/items/1', false),
  );
  // Routing comes first: an unknown path is still 403 Missing Authentication Token.
  expect((await reply(await fetch(`${gateway.url}/nowhere`))).errorType).toBe(
    'MissingAuthenticationTokenException',
  );
});

test('AWS_IAM: the signature first, then the policy; a Deny for one principal refuses only that caller', async () => {
  const gateway = await serve(POLICY);
  expect((await reply(await fetch(`${gateway.url}/iam/admin`))).errorType).toBe(
    'MissingAuthenticationTokenException',
  );
  expect((await callSigned(gateway.url, '/iam/admin', ALICE)).status).toBe(200);
  expect(await reply(await callSigned(gateway.url, '/iam/admin', BOB))).toEqual(
    denied(gateway, bob.userArn, 'GET/iam/admin', true),
  );
  expect((await callSigned(gateway.url, '/iam', BOB)).status).toBe(200);
});

test('AWS_IAM callers of another account need the policy to allow them; an AWS-principal Allow shuts out anonymous callers', async () => {
  const gateway = await serve({
    Statement: [
      {
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${alice.accountId}:root` },
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*',
      },
    ],
  });
  expect((await callSigned(gateway.url, '/iam', ALICE)).status).toBe(200);
  expect(await reply(await callSigned(gateway.url, '/iam', BOB))).toEqual(
    denied(gateway, bob.userArn, 'GET/iam', false),
  );
  // Not AWS_IAM: the caller is anonymous, whom an AWS principal never matches.
  expect(await reply(await fetch(`${gateway.url}/office`))).toEqual(
    denied(gateway, 'anonymous', 'GET/office', false),
  );
});

test('a customised ACCESS_DENIED gateway response renders policy denials too', async () => {
  const gateway = await serve(POLICY, {
    ACCESS_DENIED: {
      statusCode: '401',
      responseTemplates: {
        'application/json': '{"denied": $context.error.messageString, "type": "$context.error.responseType"}',
      },
    },
  });
  const res = await fetch(`${gateway.url}/lab`);
  expect(res.status).toBe(401);
  expect(await res.json()).toEqual({
    denied: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:123456789012:${gateway.apiId}/prod/GET/lab with an explicit deny`,
    type: 'ACCESS_DENIED',
  });
});

describe('with Lambda and Cognito authorizers', () => {
  const POOL = 'us-east-1_Policy1';
  const fnUri =
    'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:TokenAuth/invocations';
  const secured = (scheme: string) => ({
    ...mock(),
    'x-amazon-apigateway-auth': undefined,
    security: [{ [scheme]: [] }],
  });
  // Deny statements only: a method whose authorizer allows passes where the policy is silent.
  const DENY_ONLY = {
    Statement: [
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 'execute-api:Invoke',
        Resource: 'execute-api:/*/GET/*/blocked',
      },
    ],
  };

  async function serveAuthorized(callLog: string): Promise<RunningGateway> {
    const doc = {
      swagger: '2.0',
      info: { title: 'Policy and authorizers', version: '1' },
      basePath: '/prod',
      paths: {
        '/lambda/open': { get: secured('lambdaAuth') },
        '/lambda/blocked': { get: secured('lambdaAuth') },
        '/cognito/open': { get: secured('pool') },
        '/cognito/blocked': { get: secured('pool') },
      },
      securityDefinitions: {
        lambdaAuth: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          'x-amazon-apigateway-authtype': 'custom',
          'x-amazon-apigateway-authorizer': {
            type: 'token',
            authorizerUri: fnUri,
            authorizerResultTtlInSeconds: 0,
          },
        },
        pool: {
          type: 'apiKey',
          name: 'Authorization',
          in: 'header',
          'x-amazon-apigateway-authtype': 'cognito_user_pools',
          'x-amazon-apigateway-authorizer': {
            type: 'cognito_user_pools',
            providerARNs: [`arn:aws:cognito-idp:us-east-1:123456789012:userpool/${POOL}`],
          },
        },
      },
      'x-amazon-apigateway-policy': DENY_ONLY,
    };
    const gateway = await startGateway(
      {
        api: dir.write('api.json', doc),
        port: 0,
        host: '127.0.0.1',
        dataDir: dir.dir,
        functions: parseFunctions(
          {
            TokenAuth: {
              handler: 'test/fixtures/authorizers/token.js#handler',
              environment: { CALL_LOG: callLog },
            },
          },
          REPO,
          'test',
        ),
      },
      recordingLogger().log,
      { AWS_ACCESS_KEY_ID: LAMBDA_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: LAMBDA_KEYS.secretAccessKey },
    );
    gateways.push(gateway);
    return gateway;
  }

  const calls = (file: string) =>
    existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').length : 0;

  test('a Lambda authorizer method: an explicit Deny refuses before the function runs', async () => {
    const callLog = path.join(dir.dir, 'calls.log');
    const gateway = await serveAuthorized(callLog);
    const headers = { Authorization: 'Bearer allow one' };
    expect(await reply(await fetch(`${gateway.url}/lambda/blocked`, { headers }))).toEqual(
      denied(gateway, 'anonymous', 'GET/lambda/blocked', true),
    );
    expect(calls(callLog)).toBe(0);
    expect((await fetch(`${gateway.url}/lambda/open`, { headers })).status).toBe(200);
    expect(calls(callLog)).toBe(1);
  });

  test('a Cognito method: the token first (401), then an explicit Deny (403); a silent policy lets it pass', async () => {
    const gateway = await serveAuthorized(path.join(dir.dir, 'calls.log'));
    const key = developmentKey(dir.dir, POOL).privateJwk;
    const token = await new SignJWT({ sub: 'alice', token_use: 'id', aud: 'client' })
      .setProtectedHeader({ alg: 'RS256', kid: key.kid })
      .setIssuer(`https://cognito-idp.us-east-1.amazonaws.com/${POOL}`)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(await importJWK(key, 'RS256'));
    expect((await fetch(`${gateway.url}/cognito/blocked`)).status).toBe(401);
    expect(
      await reply(await fetch(`${gateway.url}/cognito/blocked`, { headers: { Authorization: token } })),
    ).toEqual(denied(gateway, 'anonymous', 'GET/cognito/blocked', true));
    expect((await fetch(`${gateway.url}/cognito/open`, { headers: { Authorization: token } })).status).toBe(
      200,
    );
  });
});
