import {
  asText,
  base64Decoded,
  base64Of,
  call,
  GZIP,
  INTERNAL_SERVER_ERROR,
  PAYLOADS,
  PNG,
  startBinaryGateway,
  type BinaryGateway,
} from '../helpers/binary';

// The request and response conversion tables of
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html, every cell, through
// real HTTP with real bytes: requests are checked by the bytes the embedded S3 stored (read back with the SDK, not through the gateway), responses by the bytes the client got.
// BMT is [image/png], as in AWS's own S3 binary tests.

type Handling = 'CONVERT_TO_TEXT' | 'CONVERT_TO_BINARY' | undefined;
const HANDLINGS: Array<[string, Handling]> = [
  ['unset', undefined],
  ['to-text', 'CONVERT_TO_TEXT'],
  ['to-binary', 'CONVERT_TO_BINARY'],
];
const BUCKET = 'matrix';
const REQUEST_TEMPLATE = 'data=$input.body';
const RESPONSE_TEMPLATE = '{"data": "$input.body"}';

const pathParameters = ['bucket', 'key'].map((name) => ({
  name,
  in: 'path',
  required: true,
  schema: { type: 'string' },
}));

function putMethod(handling: Handling, template: boolean): Record<string, unknown> {
  return {
    parameters: pathParameters,
    responses: { '200': { description: 'stored' } },
    'x-amazon-apigateway-integration': {
      type: 'aws',
      httpMethod: 'PUT',
      uri: 'arn:aws:apigateway:us-east-1:s3:path/{bucket}/{key}',
      requestParameters: {
        'integration.request.path.bucket': 'method.request.path.bucket',
        'integration.request.path.key': 'method.request.path.key',
      },
      passthroughBehavior: 'when_no_match',
      ...(handling ? { contentHandling: handling } : {}),
      ...(template
        ? { requestTemplates: { 'text/plain': REQUEST_TEMPLATE, 'image/png': REQUEST_TEMPLATE } }
        : {}),
      responses: { default: { statusCode: '200' } },
    },
  };
}

function getMethod(handling: Handling, template: boolean): Record<string, unknown> {
  return {
    parameters: pathParameters,
    responses: { '200': { description: 'the object' } },
    'x-amazon-apigateway-integration': {
      type: 'aws',
      httpMethod: 'GET',
      uri: 'arn:aws:apigateway:us-east-1:s3:path/{bucket}/{key}',
      requestParameters: {
        'integration.request.path.bucket': 'method.request.path.bucket',
        'integration.request.path.key': 'method.request.path.key',
      },
      passthroughBehavior: 'when_no_match',
      responses: {
        default: {
          statusCode: '200',
          ...(handling ? { contentHandling: handling } : {}),
          ...(template ? { responseTemplates: { 'application/json': RESPONSE_TEMPLATE } } : {}),
        },
      },
    },
  };
}

/** /{put|get}/{handling}[-template]/{bucket}/{key}: one method per cell of the configuration. */
function matrixApi(binaryMediaTypes: string[] | undefined): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (const [name, handling] of HANDLINGS) {
    for (const template of [false, true]) {
      const suffix = template ? '-template' : '';
      paths[`/put/${name}${suffix}/{bucket}/{key}`] = { put: putMethod(handling, template) };
      paths[`/get/${name}${suffix}/{bucket}/{key}`] = { get: getMethod(handling, template) };
    }
  }
  return {
    openapi: '3.0.1',
    info: { title: 'binary matrix', version: '1' },
    paths,
    ...(binaryMediaTypes ? { 'x-amazon-apigateway-binary-media-types': binaryMediaTypes } : {}),
  };
}

/** What content handling does to a payload; 'base64-decode' fails (500) on text that is not base64. */
type Conversion = 'utf8' | 'none' | 'base64-encode' | 'base64-decode';

/** The converted bytes and whether they are binary (a template refuses binary with 500), or 500. */
function convert(body: Buffer, conversion: Conversion): { bytes: Buffer; binary: boolean } | 500 {
  switch (conversion) {
    case 'utf8':
      return { bytes: asText(body), binary: false };
    case 'none':
      return { bytes: body, binary: true };
    case 'base64-encode':
      return { bytes: base64Of(body), binary: false };
    case 'base64-decode': {
      const decoded = base64Decoded(body);
      return decoded ? { bytes: decoded, binary: true } : 500;
    }
  }
}

// The request conversion table (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html), row by
// row: [request kind, contentHandling, what the integration receives].
const REQUEST_CELLS: Array<['text' | 'binary', string, Conversion]> = [
  ['text', 'unset', 'utf8'],
  ['text', 'to-text', 'utf8'],
  ['text', 'to-binary', 'base64-decode'],
  ['binary', 'unset', 'none'],
  ['binary', 'to-text', 'base64-encode'],
  ['binary', 'to-binary', 'none'],
];

// The response conversion table (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html):
// [payload (IR Content-Type), first Accept type, contentHandling, conversion].
const RESPONSE_CELLS: Array<['text' | 'binary', 'text' | 'binary', string, Conversion]> = [
  ['text', 'text', 'unset', 'utf8'],
  ['text', 'text', 'to-text', 'utf8'],
  ['text', 'text', 'to-binary', 'base64-decode'],
  ['text', 'binary', 'unset', 'base64-decode'],
  ['text', 'binary', 'to-text', 'utf8'],
  ['text', 'binary', 'to-binary', 'base64-decode'],
  ['binary', 'text', 'unset', 'base64-encode'],
  ['binary', 'text', 'to-text', 'base64-encode'],
  ['binary', 'text', 'to-binary', 'none'],
  ['binary', 'binary', 'unset', 'none'],
  ['binary', 'binary', 'to-text', 'base64-encode'],
  ['binary', 'binary', 'to-binary', 'none'],
];

const CONTENT_TYPE = { text: 'text/plain', binary: 'image/png' } as const;
const ACCEPT = { text: 'application/json', binary: 'image/png' } as const;

let t: BinaryGateway;
beforeAll(async () => {
  t = await startBinaryGateway(matrixApi(['image/png']));
  await t.bucket(BUCKET);
});
afterAll(() => t?.close());

let serial = 0;
const freshKey = () => `object-${++serial}`;

describe('request conversion: what reaches S3', () => {
  const rows = REQUEST_CELLS.flatMap(([kind, handling, conversion]) =>
    [false, true].flatMap((template) =>
      PAYLOADS.map(([payload, body]) => [kind, handling, template, payload, body, conversion] as const),
    ),
  );
  test.each(rows)(
    '%s request, contentHandling %s, template %s: %s',
    async (kind, handling, template, _payload, body, conversion) => {
      const key = freshKey();
      const res = await call(t.gw.url, `/put/${handling}${template ? '-template' : ''}/${BUCKET}/${key}`, {
        method: 'PUT',
        headers: { 'Content-Type': CONTENT_TYPE[kind] },
        body,
      });
      const converted = convert(body, conversion);
      // A binary body reaching a template is a 500, like a failed base64 decode.
      const expected =
        converted === 500 || (template && converted.binary)
          ? 500
          : template
            ? Buffer.concat([Buffer.from('data='), converted.bytes])
            : converted.bytes;
      if (expected === 500) {
        expect([res.status, res.body]).toEqual([500, INTERNAL_SERVER_ERROR]);
        expect(await t.stored(BUCKET, key)).toBeUndefined();
      } else {
        expect([res.status, res.body.toString()]).toEqual([200, '']);
        expect(await t.stored(BUCKET, key)).toEqual(expected);
      }
    },
  );

  test('the surprising cells, spelled out (AWS S3 binary tests)', async () => {
    const put = async (route: string, contentType: string, body: Buffer) => {
      const key = freshKey();
      const res = await call(t.gw.url, `/put/${route}/${BUCKET}/${key}`, {
        method: 'PUT',
        headers: { 'Content-Type': contentType },
        body,
      });
      return { status: res.status, stored: await t.stored(BUCKET, key) };
    };
    // Invalid UTF-8 sent as text: every bad byte becomes U+FFFD (EF BF BD), the object grows.
    const text = await put('unset', 'text/plain', GZIP);
    expect(text.status).toBe(200);
    expect(text.stored!.length).toBeGreaterThan(GZIP.length);
    expect(text.stored!.includes(Buffer.from([0xef, 0xbf, 0xbd]))).toBe(true);
    expect(text.stored!.includes(Buffer.from([0x1f, 0x8b]))).toBe(false);
    // base64 text + CONVERT_TO_BINARY: the original bytes; a sentence: 500, nothing stored.
    expect(await put('to-binary', 'text/plain', base64Of(GZIP))).toEqual({ status: 200, stored: GZIP });
    expect(await put('to-binary', 'text/plain', Buffer.from('Not base64, sorry.'))).toEqual({
      status: 500,
      stored: undefined,
    });
    // Binary + CONVERT_TO_TEXT: base64 of the bytes; base64 text is encoded once more.
    expect(await put('to-text', 'image/png', PNG)).toEqual({ status: 200, stored: base64Of(PNG) });
    expect(await put('to-text', 'image/png', base64Of(GZIP))).toEqual({
      status: 200,
      stored: base64Of(base64Of(GZIP)),
    });
    // CONVERT_TO_BINARY with a matching template: the decoded bytes reach the template → 500.
    expect(await put('to-binary-template', 'text/plain', base64Of(GZIP))).toEqual({
      status: 500,
      stored: undefined,
    });
    // CONVERT_TO_TEXT: the template sees the base64 text.
    expect(await put('to-text-template', 'image/png', PNG)).toEqual({
      status: 200,
      stored: Buffer.from(`data=${PNG.toString('base64')}`),
    });
  });

  test('a Content-Type with parameters is matched on its media type only', async () => {
    const key = freshKey();
    const res = await call(t.gw.url, `/put/unset/${BUCKET}/${key}`, {
      method: 'PUT',
      headers: { 'Content-Type': 'Image/PNG; charset=binary' },
      body: GZIP,
    });
    expect(res.status).toBe(200);
    expect(await t.stored(BUCKET, key)).toEqual(GZIP);
  });
});

describe('response conversion: what the client gets', () => {
  const rows = RESPONSE_CELLS.flatMap(([payloadKind, acceptKind, handling, conversion]) =>
    [false, true].flatMap((template) =>
      PAYLOADS.map(
        ([payload, body]) =>
          [payloadKind, acceptKind, handling, template, payload, body, conversion] as const,
      ),
    ),
  );
  const objects = new Map<string, string>();
  beforeAll(async () => {
    for (const [name, body] of PAYLOADS) {
      for (const kind of ['text', 'binary'] as const) {
        const key = `${kind}/${name.replace(/ /g, '-')}`;
        await t.put(BUCKET, key, body, CONTENT_TYPE[kind]);
        objects.set(`${kind} ${name}`, key.replace('/', '%2F'));
      }
    }
  });

  test.each(rows)(
    '%s payload, %s Accept, contentHandling %s, template %s: %s',
    async (payloadKind, acceptKind, handling, template, payload, body, conversion) => {
      const key = objects.get(`${payloadKind} ${payload}`)!;
      const res = await call(t.gw.url, `/get/${handling}${template ? '-template' : ''}/${BUCKET}/${key}`, {
        headers: { Accept: ACCEPT[acceptKind] },
      });
      const converted = convert(body, conversion);
      const expected =
        converted === 500 || (template && converted.binary)
          ? 500
          : template
            ? Buffer.from(`{"data": "${converted.bytes.toString('utf8')}"}`)
            : converted.bytes;
      if (expected === 500) {
        expect([res.status, res.body]).toEqual([500, INTERNAL_SERVER_ERROR]);
      } else {
        expect(res.status).toBe(200);
        expect(res.body).toEqual(expected);
        // Non-proxy: the backend's Content-Type is not passed on unless mapped.
        expect(res.headers.get('content-type')).toBe('application/json');
      }
    },
  );

  test('the surprising cells, spelled out (AWS S3 binary tests)', async () => {
    const get = async (route: string, key: string, accept: string) => {
      const res = await call(t.gw.url, `/get/${route}/${BUCKET}/${key}`, { headers: { Accept: accept } });
      return { status: res.status, body: res.body };
    };
    // A text payload with a binary Accept is base64-decoded: base64 text comes back as the bytes...
    expect(await get('unset', 'text%2Fbase64-text', 'image/png')).toEqual({ status: 200, body: GZIP });
    // ...while raw bytes and a plain sentence are not base64: 500.
    expect((await get('unset', 'text%2Fgzip-blob', 'image/png')).status).toBe(500);
    expect((await get('unset', 'text%2Fplain-text', 'image/png')).status).toBe(500);
    // Invalid UTF-8 in a text payload: U+FFFD, streamed (no template, no conversion).
    const text = await get('unset', 'text%2Fgzip-blob', 'application/json');
    expect(text.body).toEqual(asText(GZIP));
    expect(text.body.includes(Buffer.from([0xef, 0xbf, 0xbd]))).toBe(true);
    // Only the first Accept type counts: image/png second is text.
    expect(await get('unset', 'binary%2FPNG', 'text/html, image/png')).toEqual({
      status: 200,
      body: base64Of(PNG),
    });
    // Wildcards in Accept are not expanded.
    expect(await get('unset', 'binary%2FPNG', 'image/*')).toEqual({ status: 200, body: base64Of(PNG) });
    expect(await get('unset', 'binary%2FPNG', 'image/png;q=0.9')).toEqual({ status: 200, body: PNG });
    // The template is chosen by Accept with first-template fallback, even for a binary Accept → 500.
    expect((await get('unset-template', 'binary%2FPNG', 'image/png')).status).toBe(500);
    expect(await get('to-text-template', 'binary%2FPNG', 'image/png')).toEqual({
      status: 200,
      body: Buffer.from(`{"data": "${PNG.toString('base64')}"}`),
    });
  });

  test('bytes passed through unchanged keep their length (Content-Length, not chunked)', async () => {
    const res = await fetch(`${t.gw.url}/get/unset/${BUCKET}/binary%2FPNG`, {
      headers: { Accept: 'image/png' },
    });
    expect(res.headers.get('content-length')).toBe(String(PNG.length));
    expect(Buffer.from(await res.arrayBuffer())).toEqual(PNG);
  });
});

describe('without binary media types every payload is text', () => {
  let plain: BinaryGateway;
  beforeAll(async () => {
    plain = await startBinaryGateway(matrixApi(undefined));
    await plain.bucket(BUCKET);
    await plain.put(BUCKET, 'png', PNG, 'image/png');
  });
  afterAll(() => plain?.close());

  test('a PNG upload is UTF-8 decoded; base64 + CONVERT_TO_BINARY is the only way to keep bytes', async () => {
    await call(plain.gw.url, `/put/unset/${BUCKET}/raw`, {
      method: 'PUT',
      headers: { 'Content-Type': 'image/png' },
      body: PNG,
    });
    expect(await plain.stored(BUCKET, 'raw')).toEqual(asText(PNG));
    await call(plain.gw.url, `/put/to-binary/${BUCKET}/decoded`, {
      method: 'PUT',
      headers: { 'Content-Type': 'image/png' },
      body: base64Of(PNG),
    });
    expect(await plain.stored(BUCKET, 'decoded')).toEqual(PNG);
  });

  test('a PNG download is text whatever the Accept: CONVERT_TO_BINARY then tries base64 (500)', async () => {
    const raw = await call(plain.gw.url, `/get/unset/${BUCKET}/png`, { headers: { Accept: 'image/png' } });
    expect(raw.body).toEqual(asText(PNG));
    const encoded = await call(plain.gw.url, `/get/to-binary/${BUCKET}/png`, {
      headers: { Accept: 'image/png' },
    });
    expect(encoded.status).toBe(500);
  });
});

describe('the */* trap: every request is binary, so a request template cannot run', () => {
  let trap: BinaryGateway;
  const mock = (contentHandling?: string) => ({
    responses: { '200': { description: 'CORS' } },
    'x-amazon-apigateway-integration': {
      type: 'mock',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      ...(contentHandling ? { contentHandling } : {}),
      responses: { default: { statusCode: '200' } },
    },
  });
  beforeAll(async () => {
    trap = await startBinaryGateway({
      openapi: '3.0.1',
      info: { title: 'star star', version: '1' },
      'x-amazon-apigateway-binary-media-types': ['*/*'],
      paths: { '/plain': { options: mock() }, '/fixed': { options: mock('CONVERT_TO_TEXT') } },
    });
  });
  afterAll(() => trap?.close());

  test('a CORS preflight (no Content-Type, no body) to a mock fails with 500; CONVERT_TO_TEXT fixes it', async () => {
    const preflight = { method: 'OPTIONS', headers: { Origin: 'https://example.com' } };
    expect((await call(trap.gw.url, '/plain', preflight)).status).toBe(500);
    expect((await call(trap.gw.url, '/fixed', preflight)).status).toBe(200);
  });
});
