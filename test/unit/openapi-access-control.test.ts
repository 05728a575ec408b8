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

describe('x-amazon-apigateway-policy', () => {
  const allow = { Effect: 'Allow', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' };

  test('statements are read with every list a list; a JSON string is read too', () => {
    const result = importDoc(
      swagger(
        { '/a': { get: op() } },
        {
          'x-amazon-apigateway-policy': JSON.stringify({
            Statement: [
              allow,
              {
                Effect: 'Deny',
                Principal: { AWS: ['111122223333'] },
                Action: ['execute-api:Invoke'],
                Resource: ['execute-api:/*/POST/*'],
                Condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.0.2.7'] } },
              },
            ],
          }),
        },
      ),
    );
    expect(errors(result)).toEqual([]);
    expect(result.api!.policy!.statements).toEqual([
      {
        effect: 'Allow',
        principals: '*',
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*'],
        conditions: {},
        pointer: '/x-amazon-apigateway-policy/Statement/0',
      },
      {
        effect: 'Deny',
        principals: ['111122223333'],
        actions: ['execute-api:Invoke'],
        resources: ['execute-api:/*/POST/*'],
        conditions: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '192.0.2.7'] } },
        pointer: '/x-amazon-apigateway-policy/Statement/1',
      },
    ]);
  });

  test('what apigw cannot evaluate is an error at its pointer, not a silent allow or deny', () => {
    const result = importDoc(
      swagger(
        { '/a': { get: op() } },
        {
          'x-amazon-apigateway-policy': {
            Statement: [
              { ...allow, Condition: { DateGreaterThan: { 'aws:CurrentTime': '2020-01-01T00:00:00Z' } } },
              { ...allow, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/33' } } },
              { Effect: 'Maybe', Principal: '*', Action: 'execute-api:Invoke', Resource: '*' },
              { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' },
            ],
          },
        },
      ),
    );
    expect(errors(result)).toEqual([
      [
        '/x-amazon-apigateway-policy/Statement/0/Condition/DateGreaterThan',
        'condition operator DateGreaterThan is not supported by apigw (supported: IpAddress, NotIpAddress, StringEquals, StringNotEquals, StringEqualsIgnoreCase, StringNotEqualsIgnoreCase, StringLike, StringNotLike, Bool, Null, and their IfExists forms)',
      ],
      [
        '/x-amazon-apigateway-policy/Statement/1/Condition/IpAddress/aws:SourceIp',
        '"10.0.0.0/33" is not an IP address or CIDR block (e.g. 192.0.2.0/24)',
      ],
      [
        '/x-amazon-apigateway-policy/Statement/2/Effect',
        'Effect must be Allow or Deny, not the string "Maybe"',
      ],
      [
        '/x-amazon-apigateway-policy/Statement/3',
        'a resource policy statement needs a Principal (e.g. "*") or a NotPrincipal',
      ],
    ]);
  });
});
