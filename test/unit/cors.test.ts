import {
  addCorsHeaders,
  corsPolicyOf,
  normaliseCorsFlag,
  preflightHeaders,
  type CorsPolicy,
} from '../../gateway/cors';

const ANY = corsPolicyOf('*') as CorsPolicy;

test('--cors takes an optional origin', () => {
  expect(normaliseCorsFlag(['serve', 'api.yaml', '--cors'])).toEqual(['serve', 'api.yaml', '--cors=*']);
  expect(normaliseCorsFlag(['serve', '--cors', 'api.yaml'])).toEqual(['serve', '--cors=*', 'api.yaml']);
  expect(normaliseCorsFlag(['serve', '--cors', '--port', '1'])).toEqual(['serve', '--cors=*', '--port', '1']);
  expect(normaliseCorsFlag(['--cors', 'https://a.example', 'x'])).toEqual(['--cors=https://a.example', 'x']);
  expect(normaliseCorsFlag(['--cors=http://b:1'])).toEqual(['--cors=http://b:1']);
});

test('cors settings: *, origins, and what is neither', () => {
  expect(ANY.origins).toBeUndefined();
  const listed = corsPolicyOf('http://localhost:3000, https://app.example.com') as CorsPolicy;
  expect([...listed.origins!]).toEqual(['http://localhost:3000', 'https://app.example.com']);
  expect(corsPolicyOf('http://localhost:3000/')).toMatch(/is not an origin/);
  expect(corsPolicyOf('')).toMatch(/must be/);
});

test('a preflight needs OPTIONS, Origin and Access-Control-Request-Method', () => {
  const headers = { origin: 'http://a', 'access-control-request-method': 'PUT' };
  expect(preflightHeaders(ANY, 'GET', headers)).toBeUndefined();
  expect(preflightHeaders(ANY, 'OPTIONS', { origin: 'http://a' })).toBeUndefined();
  expect(preflightHeaders(ANY, 'OPTIONS', { 'access-control-request-method': 'PUT' })).toBeUndefined();
  expect(preflightHeaders(ANY, 'OPTIONS', headers)).toMatchObject({
    'Access-Control-Allow-Origin': 'http://a',
    'Access-Control-Allow-Methods': 'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT',
  });
  expect(preflightHeaders(ANY, 'OPTIONS', headers)).not.toHaveProperty('Access-Control-Allow-Headers');
  const only = corsPolicyOf('http://b') as CorsPolicy;
  expect(preflightHeaders(only, 'OPTIONS', headers)).toBeUndefined();
});

test('response headers are added only where the API set none', () => {
  const own: Record<string, string> = {
    'access-control-allow-origin': '*',
    Vary: 'Accept',
    'x-amzn-RequestId': 'r',
  };
  addCorsHeaders(ANY, { origin: 'http://a' }, own);
  expect(own).toEqual({
    'access-control-allow-origin': '*',
    Vary: 'Accept, Origin',
    'x-amzn-RequestId': 'r',
    'Access-Control-Expose-Headers': 'x-amzn-requestid',
  });
  const none: Record<string, string> = { 'Content-Type': 'application/json' };
  addCorsHeaders(ANY, {}, none);
  expect(none).toEqual({ 'Content-Type': 'application/json' });
});
