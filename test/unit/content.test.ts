import {
  applyResponseConversion,
  asUtf8Text,
  ContentConversionError,
  convertRequestPayload,
  decodeBase64Strict,
  isBinaryMediaType,
  isBinaryRequest,
  mediaTypeOfHeader,
  responseConversion,
  utf8Normaliser,
  Utf8LengthCounter,
} from '../../mappings/content';
import { parseSize, validateLayer } from '../../gateway/config';

// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html
describe('binary media types', () => {
  test('the first media type of a header, without parameters', () => {
    expect(mediaTypeOfHeader('image/webp,image/png,*/*;q=0.8')).toBe('image/webp');
    expect(mediaTypeOfHeader('Application/JSON; charset=UTF-8')).toBe('application/json');
    expect(mediaTypeOfHeader(undefined)).toBeUndefined();
    expect(mediaTypeOfHeader('')).toBeUndefined();
  });

  test('exact, type/* and */* entries; wildcards in the value are not expanded', () => {
    expect(isBinaryMediaType('image/png', ['image/png'])).toBe(true);
    expect(isBinaryMediaType('image/jpeg', ['image/png'])).toBe(false);
    expect(isBinaryMediaType('application/whatever', ['application/*'])).toBe(true);
    expect(isBinaryMediaType('text/plain', ['*/*'])).toBe(true);
    expect(isBinaryMediaType('image/*', ['image/png'])).toBe(false);
    expect(isBinaryMediaType('*/*', ['image/png'])).toBe(false);
    expect(isBinaryMediaType('image/png', ['*/png'])).toBe(false);
    expect(isBinaryMediaType(undefined, ['*/*'])).toBe(false);
    expect(isBinaryMediaType('image/png', [])).toBe(false);
  });

  test('a left-side wildcard entry matches nothing; a value without a slash is no type/* match', () => {
    expect(isBinaryMediaType('application/test', ['*/test'])).toBe(false);
    expect(isBinaryMediaType('*/test', ['*/test'])).toBe(false);
    expect(isBinaryMediaType('test', ['*/test'])).toBe(false);
    expect(isBinaryMediaType('application', ['application/*'])).toBe(false);
    expect(isBinaryRequest('application', ['application/*'])).toBe(false);
    expect(isBinaryMediaType('application/x', ['application/*'])).toBe(true);
  });
});

describe('binary media types: every case of matching', () => {
  const bmt = ['image/png', 'application/*', 'Text/CSV'];
  test.each([
    ['image/png', true, 'exact entry'],
    ['IMAGE/PNG', true, 'case-insensitive'],
    ['image/jpeg', false, 'another subtype of an exact entry'],
    ['application/octet-stream', true, 'type/* entry'],
    ['application/json', true, 'type/* covers JSON too'],
    ['applications/json', false, 'type/* is a whole type, not a prefix'],
    ['text/csv', true, 'entries are compared case-insensitively'],
    ['text/plain', false, 'no entry'],
    ['image/*', false, 'a wildcard in the value is not expanded'],
    ['*/*', false, '*/* in the value is not expanded either'],
  ])('%s → %s (%s)', (mediaType, binary) => {
    expect(isBinaryMediaType(mediaType, bmt)).toBe(binary);
  });

  test('a request without Content-Type is judged as application/json (the */* trap)', () => {
    expect(isBinaryRequest(undefined, ['*/*'])).toBe(true);
    expect(isBinaryRequest(undefined, ['application/json'])).toBe(true);
    expect(isBinaryRequest(undefined, ['image/png'])).toBe(false);
    expect(isBinaryRequest('image/png; x=y', ['image/png'])).toBe(true);
  });

  test('*/* makes everything binary; */subtype is not supported', () => {
    expect(isBinaryMediaType('application/json', ['*/*'])).toBe(true);
    expect(isBinaryMediaType('image/png', ['*/png'])).toBe(false);
    expect(isBinaryMediaType('image/png', [' image/png '])).toBe(true);
  });

  test('what is compared: the first media type of the header, without parameters', () => {
    const judge = (header: string | undefined) => isBinaryMediaType(mediaTypeOfHeader(header), ['image/png']);
    expect(judge('image/webp,image/png,*/*;q=0.8')).toBe(false);
    expect(judge('image/png;q=0.8, text/html')).toBe(true);
    expect(judge(' image/png ; charset=binary')).toBe(true);
    expect(judge(undefined)).toBe(false);
  });
});

describe('base64 as API Gateway decodes it', () => {
  test('strict: padding and alphabet checked, whitespace ignored', () => {
    expect(decodeBase64Strict('W3JhdyBieXRlc10=')).toEqual(Buffer.from('[raw bytes]'));
    expect(decodeBase64Strict('W3Jh\r\ndyBi eXRlc10=')).toEqual(Buffer.from('[raw bytes]'));
    expect(decodeBase64Strict('')).toEqual(Buffer.alloc(0));
    for (const bad of ['W3JhdyBieXRlc10', 'Hello, World!', 'W3Jh-_==', 'W3J=hdyB', '====']) {
      expect(() => decodeBase64Strict(bad)).toThrow(ContentConversionError);
    }
  });
});

// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html
describe('request conversion', () => {
  const gzip = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x41, 0x42]);
  test.each([
    [false, undefined, gzip, { body: asUtf8Text(gzip), binary: false }],
    [false, 'CONVERT_TO_TEXT', gzip, { body: asUtf8Text(gzip), binary: false }],
    [false, 'CONVERT_TO_BINARY', Buffer.from(gzip.toString('base64')), { body: gzip, binary: true }],
    [true, undefined, gzip, { body: gzip, binary: true }],
    [true, 'CONVERT_TO_TEXT', gzip, { body: Buffer.from(gzip.toString('base64')), binary: false }],
    [true, 'CONVERT_TO_BINARY', gzip, { body: gzip, binary: true }],
  ] as const)('binary %s, %s', (binary, handling, body, expected) => {
    expect(convertRequestPayload(body, binary, handling)).toEqual(expected);
  });

  test('text + CONVERT_TO_BINARY of something that is not base64 fails', () => {
    expect(() => convertRequestPayload(Buffer.from('plain text.'), false, 'CONVERT_TO_BINARY')).toThrow(
      ContentConversionError,
    );
  });

  test('invalid UTF-8 becomes U+FFFD', () => {
    expect(asUtf8Text(Buffer.from([0x61, 0xff, 0x62]))).toEqual(Buffer.from('a\uFFFDb'));
    expect(asUtf8Text(gzip).toString('hex')).toBe('1fefbfbd0800' + '4142');
  });
});

describe('response conversion', () => {
  test.each([
    [false, false, undefined, 'utf8'],
    [false, false, 'CONVERT_TO_TEXT', 'utf8'],
    [false, false, 'CONVERT_TO_BINARY', 'base64-decode'],
    [false, true, undefined, 'base64-decode'],
    [false, true, 'CONVERT_TO_TEXT', 'utf8'],
    [false, true, 'CONVERT_TO_BINARY', 'base64-decode'],
    [true, false, undefined, 'base64-encode'],
    [true, false, 'CONVERT_TO_TEXT', 'base64-encode'],
    [true, false, 'CONVERT_TO_BINARY', 'none'],
    [true, true, undefined, 'none'],
    [true, true, 'CONVERT_TO_TEXT', 'base64-encode'],
    [true, true, 'CONVERT_TO_BINARY', 'none'],
  ] as const)('payload binary %s, Accept binary %s, %s → %s', (payload, accept, handling, conversion) => {
    expect(responseConversion(payload, accept, handling)).toBe(conversion);
  });

  test('each conversion, and whether a template may still see the result', () => {
    const bytes = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
    expect(applyResponseConversion(bytes, 'none')).toEqual({ body: bytes, binary: true });
    expect(applyResponseConversion(bytes, 'utf8')).toEqual({ body: asUtf8Text(bytes), binary: false });
    expect(applyResponseConversion(bytes, 'base64-encode')).toEqual({
      body: Buffer.from('iVBORw=='),
      binary: false,
    });
    expect(applyResponseConversion(Buffer.from('iVBORw=='), 'base64-decode')).toEqual({
      body: bytes,
      binary: true,
    });
    expect(() => applyResponseConversion(bytes, 'base64-decode')).toThrow(ContentConversionError);
  });
});

describe('UTF-8 normalisation while streaming', () => {
  /** Deterministic pseudo-random bytes, biased towards multi-byte sequences and broken ones. */
  function sample(seed: number, length: number): Buffer {
    const out = Buffer.alloc(length);
    let x = seed;
    const alphabet = [
      0x41, 0x7a, 0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0x98, 0x80, 0xff, 0x80, 0xed, 0xa0,
    ];
    for (let i = 0; i < length; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      out[i] = alphabet[x % alphabet.length];
    }
    return out;
  }

  async function normalised(body: Buffer, cuts: number[]): Promise<{ streamed: Buffer; counted: number }> {
    const normaliser = utf8Normaliser();
    const counter = new Utf8LengthCounter();
    const out: Buffer[] = [];
    normaliser.on('data', (c: Buffer) => out.push(c));
    const done = new Promise((resolve) => normaliser.on('end', resolve));
    let from = 0;
    for (const cut of [...cuts, body.length]) {
      normaliser.write(body.subarray(from, cut));
      counter.update(body.subarray(from, cut));
      from = cut;
    }
    normaliser.end();
    await done;
    return { streamed: Buffer.concat(out), counted: counter.total() };
  }

  test('whatever the chunking, the result is the whole payload decoded at once', async () => {
    for (let seed = 1; seed <= 200; seed++) {
      const body = sample(seed, 64 + (seed % 37));
      const cuts = [seed % 7, (seed * 3) % 29, (seed * 5) % 61].sort((a, b) => a - b);
      const { streamed, counted } = await normalised(body, cuts);
      expect(streamed).toEqual(asUtf8Text(body));
      expect(counted).toBe(asUtf8Text(body).length);
    }
  });

  test('a sequence split across chunks is completed, not replaced; a truncated end is', async () => {
    const euro = Buffer.from('€');
    expect((await normalised(euro, [1, 2])).streamed).toEqual(euro);
    expect((await normalised(euro.subarray(0, 2), [1])).streamed).toEqual(Buffer.from('\uFFFD'));
  });
});

describe('payload sizes (--max-payload, config maxPayload)', () => {
  test.each([
    [10485760, 10485760],
    ['10485760', 10485760],
    ['10MB', 10485760],
    ['10 mb', 10485760],
    ['10MiB', 10485760],
    ['1GiB', 1073741824],
    ['1gb', 1073741824],
    ['1.5KB', 1536],
    ['512B', 512],
    ['2TB', 2 * 1024 ** 4],
    ['0', 0],
    ['none', Infinity],
    ['NONE', Infinity],
  ])('%p → %p bytes', (value, bytes) => {
    expect(parseSize(value)).toBe(bytes);
  });

  test.each([['lots'], ['-1'], [-1], [1.5], ['10 M'], ['1e6'], [''], [true], [null]])(
    '%p is not a size',
    (value) => {
      expect(parseSize(value)).toBeUndefined();
    },
  );

  test('a config file or flag with a bad size is refused with a clear message', () => {
    expect(() => validateLayer({ maxPayload: 'big' }, 'apigw.yaml', '/')).toThrow(
      'apigw.yaml: maxPayload must be a number of bytes, a size such as 10MB or 1GiB, or none, got "big"',
    );
    expect(validateLayer({ maxPayload: '100MB' }, 'command line', '/')).toEqual({ maxPayload: 104857600 });
  });
});
