import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { SignatureV4 } from '@smithy/signature-v4';
import { S3Error } from '../../gateway/backends/s3/errors';
import type { S3User, UserLookup } from '../../gateway/backends/s3/identity';
import {
  payloadHashCheck,
  verifyRequest,
  type AuthResult,
  type SignedRequest,
} from '../../gateway/backends/s3/auth';
import {
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  sha256Hex,
  sign,
  signingKey,
  stringToSign,
} from '../../sigv4';

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const AWS_KEY = 'AKIAIOSFODNN7EXAMPLE';
const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const VECTOR_DATE = new Date('2013-05-24T00:00:00Z');
const VECTOR_HOST = 'examplebucket.s3.amazonaws.com';

const users: S3User[] = [
  {
    accessKeyId: AWS_KEY,
    secretAccessKey: AWS_SECRET,
    owner: { id: 'a'.repeat(64), displayName: 'example' },
  },
  {
    accessKeyId: 'OTHERKEY',
    secretAccessKey: 'other-secret',
    owner: { id: 'b'.repeat(64), displayName: 'other' },
  },
];
const lookup: UserLookup = (id) => users.find((u) => u.accessKeyId === id);

/** Runs verifyRequest and returns the S3Error it throws (fails the test when it does not throw one). */
function rejection(req: SignedRequest, now: Date): S3Error {
  try {
    verifyRequest(req, { lookup, now });
  } catch (err) {
    if (err instanceof S3Error) return err;
    throw err;
  }
  throw new Error('expected verifyRequest to throw');
}

function expectSigned(result: AuthResult): Extract<AuthResult, { kind: 'signed' }> {
  if (result.kind !== 'signed') throw new Error(`expected a signed result, got ${result.kind}`);
  return result;
}

function vectorAuth(signedHeaders: string, signature: string): string {
  return `AWS4-HMAC-SHA256 Credential=${AWS_KEY}/20130524/us-east-1/s3/aws4_request,SignedHeaders=${signedHeaders},Signature=${signature}`;
}

// ---------------------------------------------------------------------------------------------
// 1. AWS's published examples
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html)
// ---------------------------------------------------------------------------------------------

describe('AWS published SigV4 examples', () => {
  const vectors: Array<{ name: string; req: SignedRequest; signature: string; now?: Date }> = [
    {
      name: 'GET object with range',
      signature: 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
      req: {
        method: 'GET',
        rawUrl: '/test.txt',
        headers: {
          host: VECTOR_HOST,
          range: 'bytes=0-9',
          'x-amz-content-sha256': EMPTY_SHA256,
          'x-amz-date': '20130524T000000Z',
          authorization: vectorAuth(
            'host;range;x-amz-content-sha256;x-amz-date',
            'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
          ),
        },
      },
    },
    {
      name: 'PUT object',
      signature: '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
      req: {
        method: 'PUT',
        rawUrl: '/test%24file.text',
        headers: {
          host: VECTOR_HOST,
          date: 'Fri, 24 May 2013 00:00:00 GMT',
          'x-amz-date': '20130524T000000Z',
          'x-amz-storage-class': 'REDUCED_REDUNDANCY',
          'x-amz-content-sha256': '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
          authorization: vectorAuth(
            'date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class',
            '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd',
          ),
        },
      },
    },
    {
      name: 'GET bucket lifecycle',
      signature: 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
      req: {
        method: 'GET',
        rawUrl: '/?lifecycle',
        headers: {
          host: VECTOR_HOST,
          'x-amz-content-sha256': EMPTY_SHA256,
          'x-amz-date': '20130524T000000Z',
          authorization: vectorAuth(
            'host;x-amz-content-sha256;x-amz-date',
            'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543',
          ),
        },
      },
    },
    {
      name: 'list objects',
      signature: '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
      req: {
        method: 'GET',
        rawUrl: '/?max-keys=2&prefix=J',
        headers: {
          host: VECTOR_HOST,
          'x-amz-content-sha256': EMPTY_SHA256,
          'x-amz-date': '20130524T000000Z',
          authorization: vectorAuth(
            'host;x-amz-content-sha256;x-amz-date',
            '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7',
          ),
        },
      },
    },
    {
      name: 'presigned GET',
      signature: 'aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
      now: new Date(VECTOR_DATE.getTime() + 5000),
      req: {
        method: 'GET',
        rawUrl:
          '/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
        headers: { host: VECTOR_HOST },
      },
    },
  ];

  it.each(vectors)('$name verifies', ({ req, signature, now }) => {
    const result = expectSigned(verifyRequest(req, { lookup, now: now ?? VECTOR_DATE }));
    expect(result.user.accessKeyId).toBe(AWS_KEY);
    expect(result.seedSignature).toBe(signature);
    expect(result.amzDate).toBe('20130524T000000Z');
    expect(result.scope).toBe('20130524/us-east-1/s3/aws4_request');
  });

  it('reports the payload mode of each example', () => {
    const [get, put, , , presigned] = vectors;
    expect(verifyRequest(get.req, { lookup, now: VECTOR_DATE }).payload).toEqual({
      kind: 'sha256',
      hex: EMPTY_SHA256,
    });
    expect(verifyRequest(put.req, { lookup, now: VECTOR_DATE }).payload).toEqual({
      kind: 'sha256',
      hex: '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072',
    });
    const result = expectSigned(verifyRequest(presigned.req, { lookup, now: VECTOR_DATE }));
    expect(result.presigned).toBe(true);
    expect(result.payload).toEqual({ kind: 'unsigned' });
  });

  it('accepts the PUT example with an unencoded $ on the wire (decode + re-encode)', () => {
    const put = vectors[1].req;
    expect(verifyRequest({ ...put, rawUrl: '/test$file.text' }, { lookup, now: VECTOR_DATE }).kind).toBe(
      'signed',
    );
  });

  it('reproduces the published signatures with the exported building blocks', () => {
    const key = signingKey(AWS_SECRET, '20130524', 'us-east-1', 's3');
    const canonical = canonicalRequest({
      method: 'GET',
      uri: canonicalUri('/test.txt', 's3')!,
      query: canonicalQuery('', { excludeSignature: false })!,
      headers: {
        host: VECTOR_HOST,
        range: 'bytes=0-9',
        'x-amz-content-sha256': EMPTY_SHA256,
        'x-amz-date': '20130524T000000Z',
      },
      signedHeaders: ['host', 'range', 'x-amz-content-sha256', 'x-amz-date'],
      payloadHash: EMPTY_SHA256,
    });
    expect(canonical).toBe(
      [
        'GET',
        '/test.txt',
        '',
        'host:examplebucket.s3.amazonaws.com',
        'range:bytes=0-9',
        `x-amz-content-sha256:${EMPTY_SHA256}`,
        'x-amz-date:20130524T000000Z',
        '',
        'host;range;x-amz-content-sha256;x-amz-date',
        EMPTY_SHA256,
      ].join('\n'),
    );
    const toSign = stringToSign('20130524T000000Z', '20130524/us-east-1/s3/aws4_request', canonical);
    expect(toSign.split('\n')[3]).toBe('7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972');
    expect(sign(key, toSign)).toBe('f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
  });

  describe('chunked upload (STREAMING-AWS4-HMAC-SHA256-PAYLOAD)', () => {
    const scope = '20130524/us-east-1/s3/aws4_request';
    const headers: IncomingHttpHeaders = {
      host: 's3.amazonaws.com',
      'content-encoding': 'aws-chunked',
      'content-length': '66824',
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'x-amz-date': '20130524T000000Z',
      'x-amz-decoded-content-length': '66560',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    };
    const signedHeaders = Object.keys(headers).sort();
    const seed = '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9';

    it('computes the seed signature with the helpers', () => {
      const canonical = canonicalRequest({
        method: 'PUT',
        uri: canonicalUri('/examplebucket/chunkObject.txt', 's3')!,
        query: canonicalQuery('', { excludeSignature: false })!,
        headers,
        signedHeaders,
        payloadHash: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      });
      const key = signingKey(AWS_SECRET, '20130524', 'us-east-1', 's3');
      expect(sign(key, stringToSign('20130524T000000Z', scope, canonical))).toBe(seed);
    });

    it('verifies the seed request and hands back what a chunk decoder needs', () => {
      const result = expectSigned(
        verifyRequest(
          {
            method: 'PUT',
            rawUrl: '/examplebucket/chunkObject.txt',
            headers: {
              ...headers,
              authorization: vectorAuth(signedHeaders.join(';'), seed),
            },
          },
          { lookup, now: VECTOR_DATE },
        ),
      );
      expect(result.payload).toEqual({ kind: 'streaming', value: 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' });
      expect(result.seedSignature).toBe(seed);
      // The first chunk signature chains from the seed with the returned key, date and scope.
      const chunkToSign = [
        'AWS4-HMAC-SHA256-PAYLOAD',
        result.amzDate,
        result.scope,
        result.seedSignature,
        EMPTY_SHA256,
        sha256Hex(Buffer.alloc(65536, 'a')),
      ].join('\n');
      expect(sign(result.signingKey, chunkToSign)).toBe(
        'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
      );
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Requests signed by the AWS SDK's signer
// ---------------------------------------------------------------------------------------------

const NOW = new Date('2026-01-15T12:00:00Z');
const HOST = 'localhost:9000';

interface SmithyRequest {
  method: string;
  protocol: string;
  hostname: string;
  port: number;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body?: string;
}

function signer(region = 'us-east-1'): SignatureV4 {
  return new SignatureV4({
    service: 's3',
    region,
    credentials: { accessKeyId: AWS_KEY, secretAccessKey: AWS_SECRET },
    sha256: Sha256,
    // As S3 clients configure it: the path passed in is already encoded and signed verbatim.
    uriEscapePath: false,
    applyChecksum: true,
  });
}

function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Encodes an object key the way SDK v3 puts it in the path (every byte but unreserved and `/`). */
function encodeKey(key: string): string {
  return key.split('/').map(rfc3986).join('/');
}

function smithyRequest(overrides: Partial<SmithyRequest> = {}): SmithyRequest {
  return {
    method: 'PUT',
    protocol: 'http:',
    hostname: 'localhost',
    port: 9000,
    path: '/bkt/key1',
    query: { 'x-id': 'PutObject', tagging: 'a b+c' },
    headers: { host: HOST, 'x-amz-meta-x': 'hello', 'content-type': 'text/plain' },
    body: 'hello world',
    ...overrides,
  };
}

/** What the server would see for a request the SDK signer produced. */
function toWire(signed: {
  method: string;
  path: string;
  query?: unknown;
  headers: Record<string, string>;
}): SignedRequest {
  const query = Object.entries((signed.query ?? {}) as Record<string, string>)
    .map(([name, value]) => `${rfc3986(name)}=${rfc3986(value)}`)
    .join('&');
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
  return { method: signed.method, rawUrl: query === '' ? signed.path : `${signed.path}?${query}`, headers };
}

async function signedWire(overrides: Partial<SmithyRequest> = {}, signingDate = NOW): Promise<SignedRequest> {
  const signed = await signer().sign(smithyRequest(overrides), { signingDate });
  return toWire(signed as unknown as SmithyRequest);
}

async function presignedWire(
  overrides: Partial<SmithyRequest> = {},
  expiresIn = 3600,
): Promise<SignedRequest> {
  // As @aws-sdk/s3-request-presigner does: the header is hoisted into the query and signed there.
  const request = smithyRequest({
    method: 'GET',
    query: { 'x-id': 'GetObject' },
    body: undefined,
    ...overrides,
    headers: { host: HOST, 'X-Amz-Content-Sha256': 'UNSIGNED-PAYLOAD', ...overrides.headers },
  });
  const signed = await signer().presign(request, { signingDate: NOW, expiresIn });
  return toWire(signed as unknown as SmithyRequest);
}

function withHeader(req: SignedRequest, name: string, value: string): SignedRequest {
  return { ...req, headers: { ...req.headers, [name]: value } };
}

function mapAuthorization(req: SignedRequest, change: (auth: string) => string): SignedRequest {
  return withHeader(req, 'authorization', change(req.headers.authorization as string));
}

/** Changes the last character of a string to a different one of the same kind. */
function bumpLast(value: string): string {
  const last = value[value.length - 1];
  const replacement = /[0-9]/.test(last) ? String((Number(last) + 1) % 10) : last === 'a' ? 'b' : 'a';
  return value.slice(0, -1) + replacement;
}

function bumpQueryParam(req: SignedRequest, name: string, value: string): SignedRequest {
  return { ...req, rawUrl: req.rawUrl.replace(`${name}=${value}`, `${name}=${bumpLast(value)}`) };
}

describe('requests signed by @smithy/signature-v4', () => {
  it('verifies a PUT with a query, a signed x-amz-meta header and a body hash', async () => {
    const req = await signedWire();
    expect(req.rawUrl).toBe('/bkt/key1?x-id=PutObject&tagging=a%20b%2Bc');
    expect(req.headers.authorization).toContain('x-amz-meta-x');
    const result = expectSigned(verifyRequest(req, { lookup, now: NOW }));
    expect(result.presigned).toBe(false);
    expect(result.payload).toEqual({ kind: 'sha256', hex: sha256Hex(Buffer.from('hello world')) });
    expect(result.scope).toBe('20260115/us-east-1/s3/aws4_request');
  });

  it('accepts any region in the scope (the region only feeds the key)', async () => {
    const signed = await signer('eu-west-3').sign(smithyRequest(), { signingDate: NOW });
    const result = expectSigned(
      verifyRequest(toWire(signed as unknown as SmithyRequest), { lookup, now: NOW }),
    );
    expect(result.scope).toBe('20260115/eu-west-3/s3/aws4_request');
  });

  it('ignores headers that were not signed', async () => {
    const req = withHeader(withHeader(await signedWire(), 'user-agent', 'curl/8'), 'x-custom', 'added later');
    expect(verifyRequest(req, { lookup, now: NOW }).kind).toBe('signed');
  });

  describe('a one-byte change breaks the signature', () => {
    const mutations: Array<[string, (req: SignedRequest) => SignedRequest, string]> = [
      ['method', (r) => ({ ...r, method: 'PUS' }), 'SignatureDoesNotMatch'],
      [
        'path',
        (r) => ({ ...r, rawUrl: r.rawUrl.replace('/bkt/key1', '/bkt/key2') }),
        'SignatureDoesNotMatch',
      ],
      ['query name', (r) => ({ ...r, rawUrl: r.rawUrl.replace('x-id=', 'x-ie=') }), 'SignatureDoesNotMatch'],
      ['query value', (r) => bumpQueryParam(r, 'x-id', 'PutObject'), 'SignatureDoesNotMatch'],
      ['signed header value', (r) => withHeader(r, 'x-amz-meta-x', 'hellp'), 'SignatureDoesNotMatch'],
      [
        'x-amz-content-sha256',
        (r) => withHeader(r, 'x-amz-content-sha256', bumpLast(r.headers['x-amz-content-sha256'] as string)),
        'SignatureDoesNotMatch',
      ],
      [
        'x-amz-date (within skew)',
        (r) => withHeader(r, 'x-amz-date', '20260115T120001Z'),
        'SignatureDoesNotMatch',
      ],
      [
        'scope region',
        (r) => mapAuthorization(r, (a) => a.replace('/us-east-1/', '/us-east-2/')),
        'SignatureDoesNotMatch',
      ],
      [
        'scope date',
        (r) => mapAuthorization(r, (a) => a.replace('/20260115/', '/20260116/')),
        'AuthorizationHeaderMalformed',
      ],
      [
        'access key',
        (r) => mapAuthorization(r, (a) => a.replace(AWS_KEY, 'AKIAIOSFODNN7EXAMPLF')),
        'InvalidAccessKeyId',
      ],
      ['signature', (r) => mapAuthorization(r, bumpLast), 'SignatureDoesNotMatch'],
    ];

    it.each(mutations)('%s', async (_name, mutate, code) => {
      const err = rejection(mutate(await signedWire()), NOW);
      expect(err.code).toBe(code);
    });
  });

  it('reports the canonical request and string to sign on a mismatch', async () => {
    const err = rejection(withHeader(await signedWire(), 'x-amz-meta-x', 'changed'), NOW);
    expect(err.status).toBe(403);
    expect(err.fields.AWSAccessKeyId).toBe(AWS_KEY);
    expect(err.fields.CanonicalRequest).toContain('x-amz-meta-x:changed');
    expect(err.fields.StringToSign).toMatch(
      /^AWS4-HMAC-SHA256\n20260115T120000Z\n20260115\/us-east-1\/s3\/aws4_request\n[0-9a-f]{64}$/,
    );
    expect(String(err.fields.SignatureProvided)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a signature from another known user', async () => {
    const req = mapAuthorization(await signedWire(), (a) => a.replace(AWS_KEY, 'OTHERKEY'));
    expect(rejection(req, NOW).code).toBe('SignatureDoesNotMatch');
  });

  describe('key encodings', () => {
    const keys = [
      'dir/a b.txt',
      'ünïcödé/日本語',
      'a+b',
      'tilde~key',
      'bang!',
      "quote'(paren)*star",
      'dir/a b+c~ü?#%.txt',
    ];

    it.each(keys)('%s', async (key) => {
      const req = await signedWire({ path: `/bkt/${encodeKey(key)}` });
      expect(verifyRequest(req, { lookup, now: NOW }).kind).toBe('signed');
    });

    it("accepts !'()* sent raw when the client signed them encoded", async () => {
      const req = await signedWire({ path: '/bkt/%21%27%28%29%2A' });
      expect(
        verifyRequest({ ...req, rawUrl: "/bkt/!'()*?x-id=PutObject&tagging=a%20b%2Bc" }, { lookup, now: NOW })
          .kind,
      ).toBe('signed');
    });

    it('accepts a path signed verbatim, as curl does', async () => {
      const req = await signedWire({ path: "/bkt/a!'b" });
      expect(req.rawUrl.startsWith("/bkt/a!'b?")).toBe(true);
      expect(verifyRequest(req, { lookup, now: NOW }).kind).toBe('signed');
    });

    it('does not normalise dot segments or double slashes', async () => {
      const req = await signedWire({ path: '/bkt/a/../b//c/./d' });
      expect(canonicalUri('/bkt/a/../b//c/./d', 's3')).toBe('/bkt/a/../b//c/./d');
      expect(verifyRequest(req, { lookup, now: NOW }).kind).toBe('signed');
    });

    it('rejects a malformed percent escape with InvalidURI', async () => {
      const req = await signedWire();
      expect(rejection({ ...req, rawUrl: '/bkt/a%zz' }, NOW).code).toBe('InvalidURI');
    });
  });
});

describe('canonical forms', () => {
  it('encodes the path once, upper-case hex, with a raw + as a plus', () => {
    expect(canonicalUri('/bkt/a%20b+c~%c3%bc', 's3')).toBe('/bkt/a%20b%2Bc~%C3%BC');
    expect(canonicalUri('', 's3')).toBe('/');
  });

  it('sorts the query by name then value and gives bare names an empty value', () => {
    expect(canonicalQuery('prefix=J&max-keys=2&uploads&b=2&b=1', { excludeSignature: false })).toBe(
      'b=1&b=2&max-keys=2&prefix=J&uploads=',
    );
  });

  it('re-encodes query values with the RFC 3986 rule and keeps a raw + a plus by default', () => {
    expect(canonicalQuery('prefix=dir/a+b%20c&d=%2f', { excludeSignature: false })).toBe(
      'd=%2F&prefix=dir%2Fa%2Bb%20c',
    );
    expect(canonicalQuery('prefix=a+b', { excludeSignature: false, plusAsSpace: true })).toBe('prefix=a%20b');
  });

  it('drops X-Amz-Signature only when asked', () => {
    expect(canonicalQuery('a=1&X-Amz-Signature=ff', { excludeSignature: true })).toBe('a=1');
    expect(canonicalQuery('a=1&X-Amz-Signature=ff', { excludeSignature: false })).toBe(
      'X-Amz-Signature=ff&a=1',
    );
  });

  it('trims header values, collapses inner whitespace and joins repeats with a comma', () => {
    const canonical = canonicalRequest({
      method: 'GET',
      uri: '/',
      query: '',
      headers: { host: 'h', 'x-amz-meta-a': '  a   b  ', 'x-amz-meta-b': ['1 ', ' 2'] },
      signedHeaders: ['host', 'x-amz-meta-a', 'x-amz-meta-b'],
      payloadHash: 'UNSIGNED-PAYLOAD',
    });
    expect(canonical).toBe(
      'GET\n/\n\nhost:h\nx-amz-meta-a:a b\nx-amz-meta-b:1,2\n\nhost;x-amz-meta-a;x-amz-meta-b\nUNSIGNED-PAYLOAD',
    );
  });
});

describe('a raw + in the query', () => {
  function curlStyle(query: string, canonicalQ: string): SignedRequest {
    const headers: IncomingHttpHeaders = {
      host: HOST,
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      'x-amz-date': '20260115T120000Z',
    };
    const signedHeaders = ['host', 'x-amz-content-sha256', 'x-amz-date'];
    const canonical = canonicalRequest({
      method: 'GET',
      uri: '/bkt',
      query: canonicalQ,
      headers,
      signedHeaders,
      payloadHash: 'UNSIGNED-PAYLOAD',
    });
    const scope = '20260115/us-east-1/s3/aws4_request';
    const signature = sign(
      signingKey(AWS_SECRET, '20260115', 'us-east-1', 's3'),
      stringToSign('20260115T120000Z', scope, canonical),
    );
    return {
      method: 'GET',
      rawUrl: `/bkt?${query}`,
      headers: {
        ...headers,
        authorization: `AWS4-HMAC-SHA256 Credential=${AWS_KEY}/${scope}, SignedHeaders=${signedHeaders.join(';')}, Signature=${signature}`,
      },
    };
  }

  it('verifies when the client signed it as a plus', () => {
    expect(verifyRequest(curlStyle('prefix=a+b', 'prefix=a%2Bb'), { lookup, now: NOW }).kind).toBe('signed');
  });

  it('verifies when the client signed it as a space (form encoding)', () => {
    expect(verifyRequest(curlStyle('prefix=a+b', 'prefix=a%20b'), { lookup, now: NOW }).kind).toBe('signed');
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Presigned URLs
// ---------------------------------------------------------------------------------------------

describe('presigned URLs', () => {
  const seconds = (s: number) => new Date(NOW.getTime() + s * 1000);

  it('verifies a URL from presign()', async () => {
    const req = await presignedWire();
    expect(req.rawUrl).toContain('X-Amz-Signature=');
    const result = expectSigned(verifyRequest(req, { lookup, now: seconds(10) }));
    expect(result.presigned).toBe(true);
    expect(result.payload).toEqual({ kind: 'unsigned' });
    expect(result.amzDate).toBe('20260115T120000Z');
  });

  it('verifies a URL from @aws-sdk/s3-request-presigner', async () => {
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: 'http://localhost:9000',
      forcePathStyle: true,
      credentials: { accessKeyId: AWS_KEY, secretAccessKey: AWS_SECRET },
    });
    const key = "dir/a b+c~ü?#%!'()*.txt";
    const url = new URL(
      await getSignedUrl(client, new GetObjectCommand({ Bucket: 'bkt', Key: key }), {
        expiresIn: 600,
        signingDate: NOW,
      }),
    );
    const req: SignedRequest = {
      method: 'GET',
      rawUrl: url.pathname + url.search,
      headers: { host: url.host },
    };
    const result = expectSigned(verifyRequest(req, { lookup, now: seconds(60) }));
    expect(result.presigned).toBe(true);
    expect(rejection({ ...req, rawUrl: req.rawUrl.replace('a%20b', 'a%20c') }, seconds(60)).code).toBe(
      'SignatureDoesNotMatch',
    );
  });

  it('is valid until date + expires, then AccessDenied "Request has expired"', async () => {
    const req = await presignedWire({}, 3600);
    expect(verifyRequest(req, { lookup, now: seconds(3600) }).kind).toBe('signed');
    const err = rejection(req, seconds(3601));
    expect([err.code, err.status, err.message]).toEqual(['AccessDenied', 403, 'Request has expired']);
    expect(err.fields).toEqual({
      'X-Amz-Expires': '3600',
      Expires: '2026-01-15T13:00:00Z',
      ServerTime: '2026-01-15T13:00:01Z',
    });
  });

  it('is not valid yet more than 15 minutes before its date', async () => {
    const req = await presignedWire();
    expect(verifyRequest(req, { lookup, now: seconds(-14 * 60) }).kind).toBe('signed');
    const err = rejection(req, seconds(-16 * 60));
    expect([err.code, err.message]).toEqual(['AccessDenied', 'Request is not valid yet']);
  });

  it.each(['0', '-1', '604801'])('refuses X-Amz-Expires=%s with 403', async (expires) => {
    const req = await presignedWire();
    const err = rejection(
      { ...req, rawUrl: req.rawUrl.replace('X-Amz-Expires=3600', `X-Amz-Expires=${expires}`) },
      NOW,
    );
    expect([err.code, err.status]).toEqual(['AccessDenied', 403]);
  });

  it('refuses a non-numeric X-Amz-Expires with AuthorizationQueryParametersError', async () => {
    const req = await presignedWire();
    const err = rejection(
      { ...req, rawUrl: req.rawUrl.replace('X-Amz-Expires=3600', 'X-Amz-Expires=soon') },
      NOW,
    );
    expect([err.code, err.status]).toEqual(['AuthorizationQueryParametersError', 400]);
  });

  it('requires every X-Amz-* parameter', async () => {
    const req = await presignedWire();
    const rawUrl = req.rawUrl.replace(/&?X-Amz-Signature=[0-9a-f]{64}/, '');
    expect(rawUrl).not.toContain('X-Amz-Signature');
    expect(rejection({ ...req, rawUrl }, NOW).code).toBe('AuthorizationQueryParametersError');
  });

  it('refuses another algorithm', async () => {
    const req = await presignedWire();
    const rawUrl = req.rawUrl.replace('X-Amz-Algorithm=AWS4-HMAC-SHA256', 'X-Amz-Algorithm=AWS4-HMAC-SHA1');
    expect(rejection({ ...req, rawUrl }, NOW).code).toBe('AuthorizationQueryParametersError');
  });

  it('refuses a changed query value with SignatureDoesNotMatch', async () => {
    const req = await presignedWire();
    expect(rejection(bumpQueryParam(req, 'x-id', 'GetObject'), NOW).code).toBe('SignatureDoesNotMatch');
  });

  it('refuses x-amz-* headers the URL did not sign', async () => {
    const err = rejection(withHeader(await presignedWire(), 'x-amz-acl', 'public-read'), NOW);
    expect([err.code, err.fields.HeadersNotSigned]).toEqual(['AccessDenied', 'x-amz-acl']);
  });

  it('binds x-amz-* headers hoisted into the query', async () => {
    const req = await presignedWire({ method: 'PUT', headers: { host: HOST, 'x-amz-acl': 'private' } });
    expect(req.rawUrl).toContain('x-amz-acl=private');
    expect(verifyRequest({ ...req, method: 'PUT' }, { lookup, now: NOW }).kind).toBe('signed');
    expect(
      rejection({ ...req, rawUrl: req.rawUrl.replace('x-amz-acl=private', 'x-amz-acl=privatf') }, NOW).code,
    ).toBe('SignatureDoesNotMatch');
  });

  it('refuses a URL that also carries an Authorization header', async () => {
    const err = rejection(withHeader(await presignedWire(), 'authorization', 'AWS4-HMAC-SHA256 x'), NOW);
    expect([err.code, err.status]).toEqual(['InvalidArgument', 400]);
    expect(err.message).toMatch(/^Only one auth mechanism allowed/);
  });
});

// ---------------------------------------------------------------------------------------------
// 4. Clock skew (header auth)
// ---------------------------------------------------------------------------------------------

describe('clock skew', () => {
  const minutes = (m: number) => new Date(NOW.getTime() + m * 60_000);

  it('accepts a request 14 minutes old or 14 minutes ahead', async () => {
    const req = await signedWire();
    expect(verifyRequest(req, { lookup, now: minutes(14) }).kind).toBe('signed');
    expect(verifyRequest(req, { lookup, now: minutes(-14) }).kind).toBe('signed');
  });

  it('refuses a request 16 minutes old or ahead with RequestTimeTooSkewed', async () => {
    const req = await signedWire();
    const err = rejection(req, minutes(16));
    expect([err.code, err.status]).toEqual(['RequestTimeTooSkewed', 403]);
    expect(err.fields.RequestTime).toBe('20260115T120000Z');
    expect(err.fields.ServerTime).toBe('2026-01-15T12:16:00Z');
    expect(rejection(req, minutes(-16)).code).toBe('RequestTimeTooSkewed');
  });
});

// ---------------------------------------------------------------------------------------------
// 5. Header auth requirements and the auth-less case
// ---------------------------------------------------------------------------------------------

describe('header auth requirements', () => {
  it('requires x-amz-content-sha256', async () => {
    const signed = await new SignatureV4({
      service: 's3',
      region: 'us-east-1',
      credentials: { accessKeyId: AWS_KEY, secretAccessKey: AWS_SECRET },
      sha256: Sha256,
      uriEscapePath: false,
      applyChecksum: false,
    }).sign(smithyRequest(), { signingDate: NOW });
    const req = toWire(signed as unknown as SmithyRequest);
    expect(req.headers['x-amz-content-sha256']).toBeUndefined();
    const err = rejection(req, NOW);
    expect([err.code, err.status, err.message]).toEqual([
      'InvalidRequest',
      400,
      'Missing required header for this request: x-amz-content-sha256',
    ]);
  });

  it('refuses an unknown x-amz-content-sha256 value with InvalidArgument', async () => {
    const req = await signedWire({ headers: { host: HOST, 'x-amz-content-sha256': 'bogus' } });
    const err = rejection(req, NOW);
    expect([err.code, err.status, err.fields.ArgumentName]).toEqual([
      'InvalidArgument',
      400,
      'x-amz-content-sha256',
    ]);
  });

  it.each(['UNSIGNED-PAYLOAD', 'STREAMING-UNSIGNED-PAYLOAD-TRAILER'])('accepts %s', async (value) => {
    const req = await signedWire({ headers: { host: HOST, 'x-amz-content-sha256': value } });
    const expected = value === 'UNSIGNED-PAYLOAD' ? { kind: 'unsigned' } : { kind: 'streaming', value };
    expect(verifyRequest(req, { lookup, now: NOW }).payload).toEqual(expected);
  });

  it('accepts an upper-case hex payload hash and reports it in lower case', async () => {
    const hex = sha256Hex(Buffer.from('hello world'));
    const req = await signedWire({ headers: { host: HOST, 'x-amz-content-sha256': hex.toUpperCase() } });
    expect(verifyRequest(req, { lookup, now: NOW }).payload).toEqual({ kind: 'sha256', hex });
  });

  it('treats a request without any auth as anonymous', () => {
    const result = verifyRequest(
      { method: 'GET', rawUrl: '/bkt/key?x-id=GetObject', headers: { host: HOST } },
      { lookup, now: NOW },
    );
    expect(result).toEqual({ kind: 'anonymous', payload: { kind: 'unsigned' } });
  });

  it('refuses SigV2 (header and query) with InvalidRequest', () => {
    const v2 = rejection(
      {
        method: 'GET',
        rawUrl: '/bkt/key',
        headers: { host: HOST, authorization: `AWS ${AWS_KEY}:frJIUN8DYpKDtOLCwo//yllqDzg=` },
      },
      NOW,
    );
    expect([v2.code, v2.status, v2.message]).toEqual([
      'InvalidRequest',
      400,
      'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.',
    ]);
    const v2Query = rejection(
      {
        method: 'GET',
        rawUrl: `/bkt/key?AWSAccessKeyId=${AWS_KEY}&Expires=1&Signature=abc`,
        headers: { host: HOST },
      },
      NOW,
    );
    expect(v2Query.code).toBe('InvalidRequest');
  });

  it.each([
    ['no components', 'AWS4-HMAC-SHA256'],
    [
      'missing Signature',
      `AWS4-HMAC-SHA256 Credential=${AWS_KEY}/20260115/us-east-1/s3/aws4_request, SignedHeaders=host`,
    ],
    [
      'short credential',
      `AWS4-HMAC-SHA256 Credential=${AWS_KEY}/20260115/us-east-1/s3, SignedHeaders=host, Signature=00`,
    ],
    [
      'wrong service',
      `AWS4-HMAC-SHA256 Credential=${AWS_KEY}/20260115/us-east-1/s4/aws4_request, SignedHeaders=host, Signature=00`,
    ],
    [
      'wrong terminator',
      `AWS4-HMAC-SHA256 Credential=${AWS_KEY}/20260115/us-east-1/s3/aws4, SignedHeaders=host, Signature=00`,
    ],
  ])('refuses a malformed Authorization header (%s)', (_name, authorization) => {
    const req: SignedRequest = {
      method: 'GET',
      rawUrl: '/bkt/key',
      headers: {
        host: HOST,
        authorization,
        'x-amz-content-sha256': EMPTY_SHA256,
        'x-amz-date': '20260115T120000Z',
      },
    };
    expect(rejection(req, NOW).code).toBe('AuthorizationHeaderMalformed');
  });

  it('refuses a SignedHeaders list without host', async () => {
    const req = mapAuthorization(await signedWire(), (a) =>
      a.replace('SignedHeaders=content-type;host;', 'SignedHeaders=content-type;'),
    );
    expect(rejection(req, NOW).code).toBe('AccessDenied');
  });

  it('requires a valid date', async () => {
    const req = await signedWire();
    const { 'x-amz-date': _date, ...withoutDate } = req.headers;
    for (const headers of [withoutDate, { ...req.headers, 'x-amz-date': '2026-01-15T12:00:00Z' }]) {
      const err = rejection({ ...req, headers }, NOW);
      expect([err.code, err.message]).toEqual([
        'AccessDenied',
        'AWS authentication requires a valid Date or x-amz-date header',
      ]);
    }
  });

  it('takes the date from the Date header when there is no x-amz-date', () => {
    const headers: IncomingHttpHeaders = {
      host: HOST,
      date: 'Thu, 15 Jan 2026 12:00:00 GMT',
      'x-amz-content-sha256': EMPTY_SHA256,
    };
    const signedHeaders = ['date', 'host', 'x-amz-content-sha256'];
    const scope = '20260115/us-east-1/s3/aws4_request';
    const canonical = canonicalRequest({
      method: 'GET',
      uri: '/bkt',
      query: '',
      headers,
      signedHeaders,
      payloadHash: EMPTY_SHA256,
    });
    const signature = sign(
      signingKey(AWS_SECRET, '20260115', 'us-east-1', 's3'),
      stringToSign('20260115T120000Z', scope, canonical),
    );
    const authorization = `AWS4-HMAC-SHA256 Credential=${AWS_KEY}/${scope},SignedHeaders=${signedHeaders.join(';')},Signature=${signature}`;
    const result = expectSigned(
      verifyRequest(
        { method: 'GET', rawUrl: '/bkt', headers: { ...headers, authorization } },
        { lookup, now: NOW },
      ),
    );
    expect(result.amzDate).toBe('20260115T120000Z');
  });
});

// ---------------------------------------------------------------------------------------------
// 6. Payload hash check
// ---------------------------------------------------------------------------------------------

async function runThrough(chunks: Buffer[], expectedHex: string): Promise<Buffer> {
  const out: Buffer[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      out.push(chunk);
      callback();
    },
  });
  await pipeline(Readable.from(chunks), payloadHashCheck(expectedHex), sink);
  return Buffer.concat(out);
}

describe('payloadHashCheck', () => {
  const chunks = [Buffer.from('Welcome to '), Buffer.from('Amazon S3.')];
  const digest = '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072';

  it('hashes like sha256Hex', () => {
    expect(sha256Hex(Buffer.concat(chunks))).toBe(digest);
  });

  it('passes a matching body through unchanged', async () => {
    expect((await runThrough(chunks, digest)).toString()).toBe('Welcome to Amazon S3.');
    expect((await runThrough(chunks, digest.toUpperCase())).toString()).toBe('Welcome to Amazon S3.');
    expect(await runThrough([], EMPTY_SHA256)).toEqual(Buffer.alloc(0));
  });

  it('errors with XAmzContentSHA256Mismatch when the body differs', async () => {
    const err = await runThrough([Buffer.from('Welcome to Amazon S3!')], digest).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(S3Error);
    const s3err = err as S3Error;
    expect([s3err.code, s3err.status]).toEqual(['XAmzContentSHA256Mismatch', 400]);
    expect(s3err.fields).toEqual({
      ClientComputedContentSHA256: digest,
      S3ComputedContentSHA256: sha256Hex(Buffer.from('Welcome to Amazon S3!')),
    });
  });
});
