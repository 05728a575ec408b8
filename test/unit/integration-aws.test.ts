import { normaliseS3Path, renderUriPath } from '../../gateway/integrations/aws';

describe('renderUriPath', () => {
  // https://docs.aws.amazon.com/apigateway/latest/developerguide/integrating-api-with-aws-services-s3.html
  test('path values are spliced in still percent-encoded', () => {
    expect(renderUriPath('/bucket/{key}', { key: 'test%2Ftest.txt' }, {})).toBe('/bucket/test%2Ftest.txt');
    expect(renderUriPath('/{bucket}/{key}', { bucket: 'b', key: 'a%20b' }, {})).toBe('/b/a%20b');
  });

  test('a greedy value keeps its slashes', () => {
    expect(renderUriPath('/bucket/{proxy}', { proxy: 'dir/sub/file.txt' }, {})).toBe(
      '/bucket/dir/sub/file.txt',
    );
  });

  test('stage variables are substituted; missing values and variables become empty', () => {
    expect(renderUriPath('/${stageVariables.bucket}/{key}', { key: 'k' }, { bucket: 'dev-bucket' })).toBe(
      '/dev-bucket/k',
    );
    expect(renderUriPath('/${stageVariables.nope}/{key}', { key: 'k' }, {})).toBe('//k');
    expect(renderUriPath('/bucket/{key}', {}, {})).toBe('/bucket/');
  });

  test('values are inserted literally: no second substitution, no $-patterns', () => {
    expect(renderUriPath('/{a}/{b}', { a: '{b}', b: 'x' }, {})).toBe('/{b}/x');
    expect(renderUriPath('/{a}', { a: "$&$1$'" }, {})).toBe("/$&$1$'");
    expect(renderUriPath('/{a}', { a: '${stageVariables.s}' }, { s: 'secret' })).toBe('/${stageVariables.s}');
  });

  test('the service root and paths without placeholders are unchanged', () => {
    expect(renderUriPath('/', {}, {})).toBe('/');
    expect(renderUriPath('/2015-03-31/functions', {}, {})).toBe('/2015-03-31/functions');
  });
});

describe('normaliseS3Path', () => {
  test.each([
    ['/', '/'],
    ['/bucket/key.txt', '/bucket/key.txt'],
    // An encoded slash stays inside its segment: S3 decodes it into the key.
    ['/bucket/test%2Ftest.txt', '/bucket/test%2Ftest.txt'],
    ['/bucket/test%2ftest.txt', '/bucket/test%2Ftest.txt'],
    ['/bucket/dir/sub/file.txt', '/bucket/dir/sub/file.txt'],
    // Whatever the client typed, the result is SigV4's encoding (upper-case hex, RFC 3986).
    ['/bucket/a b', '/bucket/a%20b'],
    ['/bucket/a%20b', '/bucket/a%20b'],
    ['/bucket/a+b', '/bucket/a%2Bb'],
    ['/bucket/caf%c3%a9', '/bucket/caf%C3%A9'],
    ['/bucket/café', '/bucket/caf%C3%A9'],
    ["/bucket/~-_.!*'()", '/bucket/~-_.%21%2A%27%28%29'],
    ['/bucket/%7E', '/bucket/~'],
    // Empty segments are kept: S3 keys may contain '//'.
    ['/bucket//double', '/bucket//double'],
    ['/bucket/trailing/', '/bucket/trailing/'],
  ])('%s → %s', (input, output) => {
    expect(normaliseS3Path(input)).toBe(output);
  });

  test('a segment with a broken escape is left as it is', () => {
    expect(normaliseS3Path('/bucket/100%/x%zz')).toBe('/bucket/100%/x%zz');
  });

  test('is idempotent', () => {
    for (const p of ['/bucket/a b+c%2Fd', '/b/caf%C3%A9/~x', "/b/!*'()"]) {
      expect(normaliseS3Path(normaliseS3Path(p))).toBe(normaliseS3Path(p));
    }
  });
});
