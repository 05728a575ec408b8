import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { promisify } from 'node:util';
import { importJWK, SignJWT, type JWK } from 'jose';
import { parseFunctions } from '../../gateway/backends/lambda';
import { developmentKey } from '../../gateway/auth/user-pools';
import { startGateway, type RunningGateway } from '../../gateway/serve';
import { recordingLogger, tempDir, type TempDir } from '../helpers/api-doc';
import { BIN, REPO } from '../helpers/cli';
import { LAMBDA_KEYS } from '../helpers/lambda-invoke';

// COGNITO_USER_POOLS authorizers: tokens made by `apigw token` (the pool's development key) and by
// hand with jose (wrong key, expired, wrong issuer), against ID-token and scope-protected methods;
// the claims reach a mapping template and a Lambda proxy function.

const ENV = {
  AWS_ACCESS_KEY_ID: LAMBDA_KEYS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LAMBDA_KEYS.secretAccessKey,
};
const POOL = 'eu-west-1_Dev0Pool1';
const POOL_ARN = `arn:aws:cognito-idp:eu-west-1:123456789012:userpool/${POOL}`;
const ISSUER = `https://cognito-idp.eu-west-1.amazonaws.com/${POOL}`;
const SCOPE = 'https://api.example.com/cats.read';
const run = promisify(execFile);

const mockMethod = (security: unknown, template: string) => ({
  security,
  responses: { '200': { description: 'ok' } },
  'x-amazon-apigateway-integration': {
    type: 'mock',
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    responses: { default: { statusCode: '200', responseTemplates: { 'application/json': template } } },
  },
});

/** An API as API Gateway exports a user-pool-protected one (OpenAPI 3). */
const DOCUMENT = {
  openapi: '3.0.1',
  info: { title: 'Cognito protected', version: '1' },
  paths: {
    '/profile': {
      get: mockMethod(
        [{ UserPool: [] }],
        '{"sub": "$context.authorizer.claims.sub", "user": "$context.authorizer.claims[\'cognito:username\']", "email": "$context.authorizer.claims.email", "groups": "$context.authorizer.claims[\'cognito:groups\']", "exp": "$context.authorizer.claims.exp"}',
      ),
    },
    '/cats': {
      get: mockMethod(
        [{ UserPool: [SCOPE, 'openid'] }],
        '{"cats": ["tom"], "client": "$context.authorizer.claims.client_id"}',
      ),
    },
    '/lambda': {
      get: {
        security: [{ UserPool: [] }],
        responses: { '200': { description: 'ok' } },
        'x-amazon-apigateway-integration': {
          type: 'aws_proxy',
          httpMethod: 'POST',
          uri: 'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:123456789012:function:Target/invocations',
        },
      },
    },
  },
  components: {
    securitySchemes: {
      UserPool: {
        type: 'apiKey',
        name: 'Authorization',
        in: 'header',
        'x-amazon-apigateway-authtype': 'cognito_user_pools',
        'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs: [POOL_ARN] },
      },
    },
  },
};

let dir: TempDir;
let gateway: RunningGateway;
let apiFile: string;

beforeAll(async () => {
  dir = tempDir('apigw-cognito-');
  apiFile = dir.write('api.json', DOCUMENT);
  gateway = await startGateway(
    {
      api: apiFile,
      port: 0,
      host: '127.0.0.1',
      dataDir: dir.dir,
      functions: parseFunctions({ Target: 'test/fixtures/authorizers/target.js#handler' }, REPO, 'test'),
    },
    recordingLogger().log,
    ENV,
  );
});

afterAll(async () => {
  await gateway?.close();
  dir?.remove();
});

/** `apigw token` on the API file, with the same data directory as the gateway. */
async function cliToken(...args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, [BIN, 'token', apiFile, '--data-dir', dir.dir, ...args], {
    cwd: REPO,
  });
  return stdout.trim();
}

/** A token signed by hand: the pool's development key unless another is given. */
async function handToken(claims: Record<string, unknown>, key?: JWK): Promise<string> {
  const signing = key ?? developmentKey(dir.dir, POOL).privateJwk;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sub: 'alice', token_use: 'id', aud: 'client1', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: signing.kid })
    .setIssuer((claims.iss as string) ?? ISSUER)
    .setIssuedAt(now)
    .setExpirationTime((claims.exp as number) ?? now + 600)
    .sign(await importJWK(signing, 'RS256'));
}

async function get(pathname: string, token?: string, header = 'Authorization') {
  const res = await fetch(
    `${gateway.url}${pathname}`,
    token === undefined ? {} : { headers: { [header]: token } },
  );
  return { status: res.status, text: await res.text(), errorType: res.headers.get('x-amzn-errortype') };
}

const UNAUTHORIZED = { status: 401, text: '{"message":"Unauthorized"}', errorType: 'UnauthorizedException' };

test('an ID token from apigw token opens an ID-token method; claims reach the template as strings', async () => {
  const token = await cliToken(
    '--pool',
    'UserPool',
    '--sub',
    'alice',
    '--claim',
    'email=alice@example.com',
    '--claim',
    'cognito:groups=["admin","dev"]',
  );
  const reply = await get('/profile', token);
  expect(reply.status).toBe(200);
  const body = JSON.parse(reply.text);
  expect(body).toMatchObject({
    sub: 'alice',
    user: 'alice',
    email: 'alice@example.com',
    groups: 'admin,dev',
  });
  // exp as Java's Date.toString(), as API Gateway renders it.
  expect(body.exp).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d UTC \d{4}$/);
  // `Bearer ` in front is accepted too.
  expect((await get('/profile', `Bearer ${token}`)).status).toBe(200);
});

test('an access token with one of the method scopes opens a scope method; an ID token does not', async () => {
  const access = await cliToken('--pool', POOL, '--sub', 'bob', '--scope', SCOPE);
  const reply = await get('/cats', access);
  expect(reply.status).toBe(200);
  expect(JSON.parse(reply.text).client).toMatch(/^[a-z0-9]{26}$/);
  const id = await cliToken('--sub', 'bob');
  expect(await get('/cats', id)).toEqual(UNAUTHORIZED);
});

test('wrong token_use: an access token on a method without scopes', async () => {
  const access = await cliToken('--sub', 'carol', '--scope', SCOPE);
  expect(await get('/profile', access)).toEqual(UNAUTHORIZED);
});

test('missing scope: an access token granting other scopes', async () => {
  const access = await cliToken(
    '--sub',
    'dave',
    '--scope',
    'https://api.example.com/dogs.read',
    '--scope',
    'profile',
  );
  expect(await get('/cats', access)).toEqual(UNAUTHORIZED);
});

test('no token, not a JWT, wrong key, wrong issuer: 401 Unauthorized', async () => {
  expect(await get('/profile')).toEqual(UNAUTHORIZED);
  expect(await get('/profile', 'not-a-jwt')).toEqual(UNAUTHORIZED);
  // Same kid, another key: the signature fails.
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const other = {
    ...(privateKey.export({ format: 'jwk' }) as JWK),
    kid: developmentKey(dir.dir, POOL).privateJwk.kid,
  };
  expect(await get('/profile', await handToken({}, other))).toEqual(UNAUTHORIZED);
  // The right key, but another pool's issuer.
  expect(
    await get(
      '/profile',
      await handToken({ iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' }),
    ),
  ).toEqual(UNAUTHORIZED);
  // The control: the same hand-made token with the right issuer passes.
  expect((await get('/profile', await handToken({}))).status).toBe(200);
});

test('an expired token: 401 "The incoming token has expired"', async () => {
  const expired = await handToken({ exp: Math.floor(Date.now() / 1000) - 60 });
  expect(await get('/profile', expired)).toEqual({
    status: 401,
    text: '{"message":"The incoming token has expired"}',
    errorType: 'UnauthorizedException',
  });
  // apigw token --expires-in with a negative lifetime makes one too.
  expect((await get('/profile', await cliToken('--sub', 'x', '--expires-in=-5'))).text).toBe(
    '{"message":"The incoming token has expired"}',
  );
});

test('a Lambda proxy function gets the claims in requestContext.authorizer.claims, as strings', async () => {
  const token = await cliToken('--sub', 'erin', '--claim', 'email_verified=true', '--claim', 'custom:tier=3');
  const reply = await get('/lambda', token);
  expect(reply.status).toBe(200);
  const { authorizer } = JSON.parse(reply.text);
  expect(Object.keys(authorizer)).toEqual(['claims']);
  expect(authorizer.claims).toMatchObject({
    sub: 'erin',
    'cognito:username': 'erin',
    token_use: 'id',
    iss: ISSUER,
    email_verified: 'true',
    'custom:tier': '3',
    auth_time: expect.stringMatching(/^\d+$/),
    iat: expect.stringMatching(/ UTC \d{4}$/),
  });
  for (const value of Object.values(authorizer.claims)) expect(typeof value).toBe('string');
});

test('the development key is published as a JWKS another verifier can use', async () => {
  const res = await fetch(`${gateway.url.replace(/\/dev$/, '')}/${POOL}/.well-known/jwks.json`);
  expect(res.status).toBe(200);
  const jwks = (await res.json()) as { keys: JWK[] };
  expect(jwks.keys).toHaveLength(1);
  expect(jwks.keys[0]).not.toHaveProperty('d');
  // A second gateway verifying with that URL accepts the first one's tokens.
  const second = tempDir('apigw-cognito-second-');
  const other = await startGateway(
    {
      api: apiFile,
      port: 0,
      host: '127.0.0.1',
      dataDir: second.dir,
      userPools: { [POOL]: { jwks: res.url } },
    },
    recordingLogger().log,
    ENV,
  );
  try {
    const token = await cliToken('--sub', 'frank');
    const reply = await fetch(`${other.url}/profile`, { headers: { Authorization: token } });
    expect(reply.status).toBe(200);
  } finally {
    await other.close();
    second.remove();
  }
});

test('userPools.<id>.clientIds: only tokens of those app clients pass', async () => {
  const restricted = await startGateway(
    {
      api: apiFile,
      port: 0,
      host: '127.0.0.1',
      // The same data directory: the same development key.
      dataDir: dir.dir,
      userPools: { [POOL]: { clientIds: ['web-client'] } },
    },
    recordingLogger().log,
    ENV,
  );
  try {
    const call = async (token: string, pathname = '/profile') =>
      (await fetch(`${restricted.url}${pathname}`, { headers: { Authorization: token } })).status;
    expect(await call(await cliToken('--sub', 'g', '--client-id', 'web-client'))).toBe(200);
    expect(await call(await cliToken('--sub', 'g', '--client-id', 'other-client'))).toBe(401);
    expect(
      await call(await cliToken('--sub', 'g', '--client-id', 'web-client', '--scope', SCOPE), '/cats'),
    ).toBe(200);
    expect(await call(await cliToken('--sub', 'g', '--client-id', 'other', '--scope', SCOPE), '/cats')).toBe(
      401,
    );
  } finally {
    await restricted.close();
  }
});

test('apigw token: what is missing or wrong is said in one line', async () => {
  const fail = async (...args: string[]) => {
    try {
      await run(process.execPath, [BIN, ...args], { cwd: REPO });
    } catch (e) {
      const { code, stderr, stdout } = e as { code: number; stderr: string; stdout: string };
      return { code, stderr, stdout };
    }
    throw new Error(`apigw ${args.join(' ')} succeeded`);
  };
  expect(await fail('token', apiFile, '--data-dir', dir.dir)).toEqual({
    code: 1,
    stdout: '',
    stderr: 'apigw: --sub is required: the user the token is for\n',
  });
  expect(
    (await fail('token', apiFile, '--pool', 'Nope', '--sub', 'a', '--data-dir', dir.dir)).stderr,
  ).toMatch(
    /^apigw: --pool Nope: no such user pool or authorizer in .*api\.json; give a pool id such as us-east-1_AbC123\n$/,
  );
  expect((await fail('serve', apiFile, '--sub', 'a')).stderr).toBe(
    'apigw: --sub is an option of apigw token\n',
  );
});

test('a pool whose JWKS URL cannot be fetched: 500 {"message":null}, the reason logged', async () => {
  const recorded = recordingLogger();
  const broken = await startGateway(
    {
      api: apiFile,
      port: 0,
      host: '127.0.0.1',
      dataDir: dir.dir,
      // Port 1 on loopback: nothing listens there.
      userPools: { [POOL]: { jwks: 'http://127.0.0.1:1/jwks.json' } },
    },
    recorded.log,
    ENV,
  );
  try {
    const res = await fetch(`${broken.url}/profile`, { headers: { Authorization: await handToken({}) } });
    expect(res.status).toBe(500);
    expect(await res.text()).toBe('{"message":null}');
    expect(recorded.lines.join('\n')).toContain('http://127.0.0.1:1/jwks.json');
  } finally {
    await broken.close();
  }
});

test('apigw token --jwks prints the public JWKS the gateway serves', async () => {
  const printed = JSON.parse(await cliToken('--jwks'));
  const served = await (
    await fetch(`${gateway.url.replace(/\/dev$/, '')}/${POOL}/.well-known/jwks.json`)
  ).json();
  expect(printed).toEqual(served);
  expect(printed.keys[0]).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig' });
  expect(printed.keys[0]).not.toHaveProperty('d');
});

test('userPools.<id>.developmentKey: tokens are verified with that key instead of the data directory one', async () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const own = { ...(privateKey.export({ format: 'jwk' }) as JWK), kid: 'team-key-1' };
  const keyFile = dir.write('team-key.json', own);
  const shared = await startGateway(
    {
      api: apiFile,
      port: 0,
      host: '127.0.0.1',
      dataDir: dir.dir,
      userPools: { [POOL]: { developmentKey: keyFile } },
    },
    recordingLogger().log,
    ENV,
  );
  try {
    const status = async (token: string) =>
      (await fetch(`${shared.url}/profile`, { headers: { Authorization: token } })).status;
    expect(await status(await handToken({}, own))).toBe(200);
    // The data directory's generated key is not this pool's key any more.
    expect(await status(await handToken({}))).toBe(401);
  } finally {
    await shared.close();
  }
});
