import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadApi, type LoadResult } from '../../openapi';

// The importer's side of Cognito authorizers and resource policies.

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'apigw-access-import-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
function importDoc(doc: unknown): LoadResult {
  const file = path.join(dir, `api-${++counter}.json`);
  writeFileSync(file, JSON.stringify(doc));
  return loadApi(file);
}

const ARN = 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Pool1';
const op = (security?: unknown) => ({
  ...(security === undefined ? {} : { security }),
  responses: { '200': { description: 'ok' } },
  'x-amazon-apigateway-integration': {
    type: 'mock',
    requestTemplates: { 'application/json': '{"statusCode": 200}' },
    responses: { default: { statusCode: '200' } },
  },
});
const poolScheme = (authorizer: Record<string, unknown>, name = 'Authorization') => ({
  type: 'apiKey',
  name,
  in: 'header',
  'x-amazon-apigateway-authtype': 'cognito_user_pools',
  'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', ...authorizer },
});
const swagger = (paths: Record<string, unknown>, root: Record<string, unknown> = {}) => ({
  swagger: '2.0',
  info: { title: 'T', version: '1' },
  paths,
  ...root,
});
const errors = (r: LoadResult) =>
  r.problems.filter((p) => p.severity === 'error').map((p) => [p.pointer, p.message]);

describe('cognito_user_pools authorizers', () => {
  test('providerARNs, identitySource from the scheme header, scopes from the requirement', () => {
    const result = importDoc(
      swagger(
        {
          '/id': { get: op([{ pool: [] }]) },
          '/scoped': { get: op([{ pool: ['https://api.example.com/read', 'openid'] }]) },
          '/root': { get: op() },
        },
        {
          securityDefinitions: { pool: poolScheme({ providerARNs: [ARN] }, 'X-Id-Token') },
          security: [{ pool: ['root.scope'] }],
        },
      ),
    );
    expect(errors(result)).toEqual([]);
    const api = result.api!;
    expect(api.authorizers.pool).toMatchObject({
      providerARNs: [ARN],
      identitySource: 'method.request.header.X-Id-Token',
    });
    const method = (p: string) => api.resources.find((r) => r.path === p)!.methods.GET!;
    expect(method('/id')).toMatchObject({ authorizationType: 'COGNITO_USER_POOLS', authorizerName: 'pool' });
    expect(method('/id').authorizationScopes).toBeUndefined();
    expect(method('/scoped').authorizationScopes).toEqual(['https://api.example.com/read', 'openid']);
    // Root security with scopes applies to operations without their own.
    expect(method('/root').authorizationScopes).toEqual(['root.scope']);
  });

  test('missing or malformed providerARNs are errors with their pointer', () => {
    const missing = importDoc(
      swagger({ '/a': { get: op([{ pool: [] }]) } }, { securityDefinitions: { pool: poolScheme({}) } }),
    );
    expect(errors(missing)).toEqual([
      [
        '/securityDefinitions/pool/x-amazon-apigateway-authorizer/providerARNs',
        "authorizer 'pool' (cognito_user_pools) needs providerARNs: the ARNs of its user pools",
      ],
    ]);
    const malformed = importDoc(
      swagger(
        { '/a': { get: op([{ pool: [] }]) } },
        { securityDefinitions: { pool: poolScheme({ providerARNs: ['arn:aws:cognito-idp:x'] }) } },
      ),
    );
    expect(errors(malformed)).toEqual([
      [
        '/securityDefinitions/pool/x-amazon-apigateway-authorizer/providerARNs/0',
        "'arn:aws:cognito-idp:x' is not a user pool ARN (arn:aws:cognito-idp:{region}:{account}:userpool/{poolId})",
      ],
    ]);
  });
});
