import path from 'node:path';
import { loadConfigFile } from '../../gateway/config';
import { createLogger } from '../../gateway/log';
import { startGateway, type RunningGateway } from '../../gateway/serve';
import { tempDir, type TempDir } from '../helpers/api-doc';
import { REPO } from '../helpers/cli';
import { LAMBDA_KEYS } from '../helpers/lambda-invoke';

const EXAMPLE = path.join(REPO, 'examples', 'lambda-authorizer');

let dir: TempDir;
let gw: RunningGateway;
let base: string;
beforeAll(async () => {
  dir = tempDir('apigw-authorizer-example-');
  const config = loadConfigFile(path.join(EXAMPLE, 'apigw.yaml'));
  gw = await startGateway(
    { ...config, api: config.api!, port: 0, host: '127.0.0.1', dataDir: dir.dir },
    createLogger('error'),
    { AWS_ACCESS_KEY_ID: LAMBDA_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: LAMBDA_KEYS.secretAccessKey },
  );
  base = `${gw.url}`;
});
afterAll(async () => {
  await gw?.close();
  dir?.remove();
});

async function call(pathAndQuery: string, init: RequestInit = {}) {
  const res = await fetch(`${base}${pathAndQuery}`, init);
  return { status: res.status, errorType: res.headers.get('x-amzn-errortype'), body: await res.text() };
}

describe('examples/lambda-authorizer answers as its README says', () => {
  test('TOKEN: no token, a token the validation expression refuses, an unknown user: 401 each', async () => {
    const unauthorized = {
      status: 401,
      errorType: 'UnauthorizedException',
      body: '{"message":"Unauthorized"}',
    };
    expect(await call('/notes')).toEqual(unauthorized);
    expect(await call('/notes', { headers: { Authorization: 'Basic xyz' } })).toEqual(unauthorized);
    expect(await call('/notes', { headers: { Authorization: 'Bearer mallory' } })).toEqual(unauthorized);
  });

  test('TOKEN: $context.authorizer in the template; the policy decides per method, cached or not', async () => {
    const bob = { Authorization: 'Bearer bob' };
    expect(await call('/notes', { headers: bob })).toEqual({
      status: 200,
      errorType: null,
      body: '{"user": "bob", "role": "reader"}',
    });
    // bob's cached policy allows GET only: evaluated against DELETE's own method ARN.
    expect(await call('/notes', { method: 'DELETE', headers: bob })).toEqual({
      status: 403,
      errorType: 'AccessDeniedException',
      body: '{"message":"User is not authorized to access this resource"}',
    });
    expect(
      (await call('/notes', { method: 'DELETE', headers: { Authorization: 'Bearer alice' } })).status,
    ).toBe(204);
  });

  test('REQUEST: identity from a header and a query parameter, passed on to a proxy function', async () => {
    const ok = await call('/tenant?version=2', { headers: { 'X-Tenant': 'acme' } });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({
      authorizer: {
        principalId: 'tenant-acme',
        tenant: 'acme',
        apiVersion: '2',
        integrationLatency: expect.any(Number),
      },
    });
    expect(await call('/tenant?version=2', { headers: { 'X-Tenant': 'blocked' } })).toEqual({
      status: 403,
      errorType: 'AccessDeniedException',
      body: '{"message":"User is not authorized to access this resource with an explicit deny"}',
    });
    // Either identity source missing: 401 without calling the function.
    expect((await call('/tenant', { headers: { 'X-Tenant': 'acme' } })).status).toBe(401);
    expect((await call('/tenant?version=2')).status).toBe(401);
  });
});
