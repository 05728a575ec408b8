import { evaluatePolicy, matches, parsePolicyDocument } from '../../gateway/auth/policy';

const ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/1';

function policy(...statements: unknown[]) {
  const parsed = parsePolicyDocument({ Version: '2012-10-17', Statement: statements });
  if (typeof parsed === 'string') throw new Error(parsed);
  return parsed;
}

describe('IAM wildcards', () => {
  test.each([
    ['arn:aws:execute-api:*:*:*/*/GET/*', true],
    ['arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/1', true],
    ['arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/?', true],
    ['arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets', false],
    ['arn:aws:execute-api:us-east-1:123456789012:abc123/dev/POST/*', false],
    ['*', true],
    // Regex characters in a pattern are literal.
    ['arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/1.', false],
    ['arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/pets/(1)', false],
  ])('%s matches the method ARN: %s', (pattern, expected) => {
    expect(matches(pattern, ARN)).toBe(expected);
  });
});

describe('policy evaluation', () => {
  test('a matching Allow allows; nothing matching denies implicitly', () => {
    expect(
      evaluatePolicy(policy({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: ARN }), ARN),
    ).toBe('allow');
    expect(
      evaluatePolicy(
        policy({
          Effect: 'Allow',
          Action: 'execute-api:Invoke',
          Resource: 'arn:aws:execute-api:*:*:*/*/POST/*',
        }),
        ARN,
      ),
    ).toBe('implicit-deny');
  });

  test('an explicit Deny wins over any Allow, in whatever order', () => {
    const allow = { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: '*' };
    const deny = { Effect: 'Deny', Action: ['execute-api:Invoke'], Resource: [ARN] };
    expect(evaluatePolicy(policy(allow, deny), ARN)).toBe('explicit-deny');
    expect(evaluatePolicy(policy(deny, allow), ARN)).toBe('explicit-deny');
  });

  test('only execute-api:Invoke statements count (wildcard actions included)', () => {
    expect(evaluatePolicy(policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }), ARN)).toBe(
      'implicit-deny',
    );
    expect(evaluatePolicy(policy({ Effect: 'Allow', Action: 'execute-api:*', Resource: '*' }), ARN)).toBe(
      'allow',
    );
    expect(evaluatePolicy(policy({ Effect: 'Deny', Action: '*', Resource: '*' }), ARN)).toBe('explicit-deny');
  });

  test('a single Statement object is accepted as well as a list', () => {
    const parsed = parsePolicyDocument({
      Version: '2012-10-17',
      Statement: { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: ARN },
    });
    expect(typeof parsed === 'string' ? parsed : evaluatePolicy(parsed, ARN)).toBe('allow');
  });

  test.each([
    [undefined, 'policyDocument is not an object'],
    [{ Version: '2012-10-17' }, 'policyDocument has no Statement'],
    [{ Statement: [] }, 'policyDocument has no Statement'],
    [{ Statement: [{ Effect: 'Maybe', Action: 'execute-api:Invoke', Resource: '*' }] }, 'Effect is "Maybe"'],
    [{ Statement: [{ Effect: 'Allow', Resource: '*' }] }, 'Action is not a string'],
    [
      { Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: [1] }] },
      'Resource is not a string',
    ],
  ])('refuses %j', (document, why) => {
    expect(parsePolicyDocument(document)).toEqual(expect.stringContaining(why));
  });
});
