import { ResourcePolicy, type PolicyRequest } from '../../gateway/auth/resource-policy';
import type { CallerIdentity } from '../../gateway/auth/sigv4';
import { recordingLogger } from '../helpers/api-doc';
import type { ResourcePolicyStatement } from '../../openapi/model';

const ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/1';
const CALLER: CallerIdentity = {
  accessKey: 'AKIA',
  accountId: '111122223333',
  caller: 'AIDAX',
  user: 'AIDAX',
  userArn: 'arn:aws:iam::111122223333:user/carol',
};

function policy(...statements: Partial<ResourcePolicyStatement>[]): ResourcePolicy {
  const full = statements.map((s, i) => ({
    effect: 'Allow' as const,
    principals: '*' as const,
    actions: ['execute-api:Invoke'],
    resources: ['execute-api:/*'],
    conditions: {},
    pointer: `/s/${i}`,
    ...s,
  }));
  return new ResourcePolicy({ statements: full, pointer: '' }, 'abc123', 'us-east-1', recordingLogger().log);
}

const request = (keys: Record<string, string> = {}, caller?: CallerIdentity): PolicyRequest => ({
  methodArn: ARN,
  caller,
  keys: new Map(Object.entries({ 'aws:sourceip': '10.1.2.3', ...keys })),
});

test('short-form and foreign full ARNs name this API; actions match with wildcards', () => {
  expect(policy({ resources: ['execute-api:/dev/GET/pets/*'] }).evaluate(request())).toBe('allow');
  expect(policy({ resources: ['execute-api:/dev/POST/*'] }).evaluate(request())).toBe('implicit-deny');
  expect(
    policy({ resources: ['arn:aws:execute-api:eu-west-1:999999999999:zzz999/*/GET/*'] }).evaluate(request()),
  ).toBe('allow');
  expect(policy({ actions: ['execute-api:*'] }).evaluate(request())).toBe('allow');
  expect(policy({ actions: ['execute-api:ManageConnections'] }).evaluate(request())).toBe('implicit-deny');
  expect(
    policy({ actions: undefined, notActions: ['execute-api:ManageConnections'] }).evaluate(request()),
  ).toBe('allow');
});

test('IP conditions, negated operators on absent keys, IfExists, Null', () => {
  const ip = (op: string, values: string[]) => policy({ conditions: { [op]: { 'aws:SourceIp': values } } });
  expect(ip('IpAddress', ['10.0.0.0/8']).evaluate(request())).toBe('allow');
  expect(ip('IpAddress', ['192.0.2.0/24', '10.1.2.4']).evaluate(request())).toBe('implicit-deny');
  expect(ip('NotIpAddress', ['10.0.0.0/8']).evaluate(request())).toBe('implicit-deny');
  const referer = (op: string) =>
    policy({ conditions: { [op]: { 'aws:Referer': ['https://app.example.com/*'] } } });
  // No Referer header: a positive operator fails, a negated one holds, IfExists holds.
  expect(referer('StringLike').evaluate(request())).toBe('implicit-deny');
  expect(referer('StringNotLike').evaluate(request())).toBe('allow');
  expect(referer('StringLikeIfExists').evaluate(request())).toBe('allow');
  expect(referer('StringLike').evaluate(request({ 'aws:referer': 'https://app.example.com/page' }))).toBe(
    'allow',
  );
  expect(policy({ conditions: { Null: { 'aws:Referer': ['true'] } } }).evaluate(request())).toBe('allow');
  expect(
    policy({ conditions: { Bool: { 'aws:SecureTransport': ['true'] } } }).evaluate(
      request({ 'aws:securetransport': 'false' }),
    ),
  ).toBe('implicit-deny');
});

test('AWS principals match SigV4 callers only; NotPrincipal; Deny wins', () => {
  const byAccount = policy({ principals: ['111122223333'] });
  expect(byAccount.evaluate(request({}, CALLER))).toBe('allow');
  expect(byAccount.evaluate(request())).toBe('implicit-deny');
  expect(policy({ principals: ['arn:aws:iam::111122223333:root'] }).evaluate(request({}, CALLER))).toBe(
    'allow',
  );
  expect(policy({ principals: [CALLER.userArn] }).evaluate(request({}, CALLER))).toBe('allow');
  expect(
    policy({ principals: undefined, notPrincipals: [CALLER.userArn] }).evaluate(request({}, CALLER)),
  ).toBe('implicit-deny');
  expect(policy({}, { effect: 'Deny', resources: ['execute-api:/*/*/pets/?'] }).evaluate(request())).toBe(
    'explicit-deny',
  );
});
