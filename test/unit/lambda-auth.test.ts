import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { verifyLambdaRequest } from '../../gateway/backends/lambda/auth';
import { LambdaServiceError } from '../../gateway/backends/lambda/errors';

const KEY = { accessKeyId: 'AKIAINVOKER000000001', secretAccessKey: 'invoker-secret' };
const lookup = (id: string) => (id === KEY.accessKeyId ? KEY : undefined);
const NOW = new Date('2026-03-01T12:00:00Z');

async function signed(
  functionName: string,
  body: string,
  options: { service?: string; keys?: typeof KEY; date?: Date; region?: string } = {},
) {
  const request = new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4569,
    path: `/2015-03-31/functions/${encodeURIComponent(functionName)}/invocations`,
    headers: {
      host: '127.0.0.1:4569',
      'content-type': 'application/json',
      'x-amz-invocation-type': 'RequestResponse',
    },
    body,
  });
  const out = await new SignatureV4({
    service: options.service ?? 'lambda',
    region: options.region ?? 'eu-west-3',
    credentials: options.keys ?? KEY,
    sha256: Sha256,
  }).sign(request, { signingDate: options.date ?? NOW });
  const headers = Object.fromEntries(Object.entries(out.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return { method: 'POST', rawUrl: out.path, headers, body: Buffer.from(body) };
}

function failure(fn: () => unknown): { status: number; code: string; message: string } {
  try {
    fn();
  } catch (e) {
    if (e instanceof LambdaServiceError) return { status: e.status, code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a LambdaServiceError');
}

describe('SigV4 verification of Invoke calls (service lambda)', () => {
  test('a name, and an ARN whose colons are signed double-encoded, as the SDKs sign them', async () => {
    expect(verifyLambdaRequest(await signed('Calc', '{"a":1}'), lookup, NOW)).toEqual({
      accessKeyId: KEY.accessKeyId,
      region: 'eu-west-3',
    });
    const arn = await signed('arn:aws:lambda:us-west-2:123456789012:function:Calc:prod', '{}');
    expect(arn.rawUrl).toContain('arn%3Aaws%3Alambda');
    expect(verifyLambdaRequest(arn, lookup, NOW).accessKeyId).toBe(KEY.accessKeyId);
  });

  test('a path with `.`, `..` and empty segments is signed normalised, as for every service but S3', async () => {
    const request = await signed('Calc', '{}');
    // The SDK signs the path it is given normalised; the same path sent with the dot segments in
    // it must verify the same, and any other normalised path must not.
    const dotted = { ...request, rawUrl: '/2015-03-31/functions/x/../Calc/./invocations' };
    expect(verifyLambdaRequest(dotted, lookup, NOW).accessKeyId).toBe(KEY.accessKeyId);
    const doubled = { ...request, rawUrl: '/2015-03-31//functions/Calc/invocations' };
    expect(verifyLambdaRequest(doubled, lookup, NOW).accessKeyId).toBe(KEY.accessKeyId);
    const other = { ...request, rawUrl: '/2015-03-31/functions/Calc/../invocations' };
    expect(failure(() => verifyLambdaRequest(other, lookup, NOW)).code).toBe('InvalidSignatureException');
  });

  test('no Authorization → 403 MissingAuthenticationTokenException', async () => {
    const req = await signed('Calc', '{}');
    delete req.headers.authorization;
    expect(failure(() => verifyLambdaRequest(req, lookup, NOW))).toEqual({
      status: 403,
      code: 'MissingAuthenticationTokenException',
      message: 'Missing Authentication Token',
    });
  });

  test('an unknown key → 403 UnrecognizedClientException', async () => {
    const req = await signed('Calc', '{}', {
      keys: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: 'x' },
    });
    expect(failure(() => verifyLambdaRequest(req, lookup, NOW))).toEqual({
      status: 403,
      code: 'UnrecognizedClientException',
      message: 'The security token included in the request is invalid.',
    });
  });

  test('a wrong secret, or a body changed after signing → 403 InvalidSignatureException', async () => {
    const wrong = await signed('Calc', '{}', { keys: { ...KEY, secretAccessKey: 'not-it' } });
    expect(failure(() => verifyLambdaRequest(wrong, lookup, NOW))).toMatchObject({
      status: 403,
      code: 'InvalidSignatureException',
      message: expect.stringMatching(/^The request signature we calculated does not match/),
    });
    const tampered = { ...(await signed('Calc', '{"a":1}')), body: Buffer.from('{"a":2}') };
    expect(failure(() => verifyLambdaRequest(tampered, lookup, NOW)).code).toBe('InvalidSignatureException');
  });

  test('signed for another service, or too long ago → 403 InvalidSignatureException', async () => {
    const s3 = await signed('Calc', '{}', { service: 's3' });
    expect(failure(() => verifyLambdaRequest(s3, lookup, NOW)).message).toBe(
      "Credential should be scoped to correct service: 'lambda'. ",
    );
    const old = await signed('Calc', '{}', { date: new Date('2026-03-01T11:50:00Z') });
    expect(failure(() => verifyLambdaRequest(old, lookup, NOW)).message).toBe(
      'Signature expired: 20260301T115000Z is now earlier than 20260301T115500Z (20260301T120000Z - 5 min.)',
    );
  });

  test('an Authorization header that is not SigV4 → IncompleteSignatureException', async () => {
    const req = await signed('Calc', '{}');
    req.headers.authorization = 'Bearer abc';
    const error = failure(() => verifyLambdaRequest(req, lookup, NOW));
    expect(error.code).toBe('IncompleteSignatureException');
    expect(error.message).toMatch(/^'abc' not a valid key=value pair/);
  });
});
