import { claimStrings, javaDateString } from '../../gateway/auth/cognito';
import { parseUserPools, userPoolOf } from '../../gateway/auth/user-pools';

test('exp and iat render as Java Date.toString() in UTC', () => {
  expect(javaDateString(1469818373)).toBe('Fri Jul 29 18:52:53 UTC 2016');
  expect(javaDateString(0)).toBe('Thu Jan 01 00:00:00 UTC 1970');
});

test('every claim becomes a string', () => {
  expect(
    claimStrings({
      sub: 'a',
      exp: 1469818373,
      auth_time: 1469814773,
      email_verified: true,
      'cognito:groups': ['admin', 'dev'],
      address: { formatted: 'x' },
    }),
  ).toEqual({
    sub: 'a',
    exp: 'Fri Jul 29 18:52:53 UTC 2016',
    auth_time: '1469814773',
    email_verified: 'true',
    'cognito:groups': 'admin,dev',
    address: '{"formatted":"x"}',
  });
});

test('the issuer comes from the providerARN, as API Gateway derives it', () => {
  expect(userPoolOf('arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_ABC123')).toEqual({
    arn: 'arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_ABC123',
    region: 'us-east-1',
    account: '123456789012',
    poolId: 'us-east-1_ABC123',
    issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_ABC123',
  });
  expect(userPoolOf('arn:aws:cognito-idp:us-east-1:123:userpool/x')).toBeUndefined();
});

test('userPools settings are checked', () => {
  expect(parseUserPools({ 'us-east-1_A1': { jwks: 'keys.json', clientIds: 'c1' } }, '/cfg')).toEqual({
    'us-east-1_A1': { jwks: '/cfg/keys.json', clientIds: ['c1'] },
  });
  expect(parseUserPools({ 'us-east-1_A1': { jwks: 'aws' } }, '/cfg')).toEqual({
    'us-east-1_A1': { jwks: 'aws' },
  });
  expect(parseUserPools({ pool: {} }, '/')).toMatch(/not a user pool id/);
  expect(parseUserPools({ 'us-east-1_A1': { jwk: 'x' } }, '/')).toMatch(/unknown setting 'jwk'/);
  expect(parseUserPools([], '/')).toMatch(/must be a mapping/);
});
