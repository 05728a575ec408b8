import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { canonicalQuery, canonicalRequest, sign, signingKey, stringToSign } from '../../sigv4';
import type { S3User } from '../../gateway/backends/s3/identity';
import { accountIdFor } from '../../lib/accounts';
import { callerIdentity, principalIdFor } from '../../gateway/auth/identity';
import {
  executeApiCanonicalUri,
  verifyCaller,
  type CallerRequest,
  type VerifyCallerOptions,
} from '../../gateway/auth/sigv4';
import { GatewayError } from '../../gateway/gateway-error';

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

const AK = 'AKIDEXAMPLE';
const SK = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const HOST = 'abc123.execute-api.localhost:4567';
const NOW = new Date('2024-05-22T12:10:19Z');
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const MISMATCH_PREFIX = 'The request signature we calculated does not match the signature you provided.';

const ALICE: S3User = {
  accessKeyId: AK,
  secretAccessKey: SK,
  owner: { id: createHash('sha256').update('apigw:alice').digest('hex'), displayName: 'alice' },
};
const lookup = (id: string): S3User | undefined => (id === AK ? ALICE : undefined);

function options(extra: Partial<VerifyCallerOptions> = {}): VerifyCallerOptions {
  return { lookup, now: NOW, ...extra };
}

/** Runs verifyCaller and returns the GatewayError it throws (fails the test when it does not). */
function rejection(req: CallerRequest, opts: VerifyCallerOptions = options()): GatewayError {
  try {
    verifyCaller(req, opts);
  } catch (err) {
    if (err instanceof GatewayError) return err;
    throw err;
  }
  throw new Error(`expected verifyCaller to reject ${req.method} ${req.rawUrl}`);
}

function expectMismatch(req: CallerRequest, opts?: VerifyCallerOptions): void {
  const err = rejection(req, opts);
  expect([err.type, err.status, err.errorType]).toEqual([
    'INVALID_SIGNATURE',
    403,
    'InvalidSignatureException',
  ]);
  expect(err.message.startsWith(MISMATCH_PREFIX)).toBe(true);
}

function expectIncomplete(req: CallerRequest, message: string): void {
  const err = rejection(req);
  expect([err.type, err.status, err.errorType]).toEqual([
    'INVALID_SIGNATURE',
    403,
    'IncompleteSignatureException',
  ]);
  expect(err.message).toBe(message);
}

function expectInvalid(req: CallerRequest, message: string, opts?: VerifyCallerOptions): void {
  const err = rejection(req, opts);
  expect([err.type, err.status, err.errorType]).toEqual([
    'INVALID_SIGNATURE',
    403,
    'InvalidSignatureException',
  ]);
  expect(err.message).toBe(message);
}

// ---------------------------------------------------------------------------------------------
// Signing with @smithy/signature-v4 (what the AWS SDKs and most tools do for execute-api)
// ---------------------------------------------------------------------------------------------

/** RFC 3986 encoding, as SigV4 clients put a decoded value on the wire. */
function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

interface Spec {
  method?: string;
  /** The path exactly as sent on the wire (already percent-encoded). */
  path?: string;
  /** Decoded query parameters, in wire order (repeats allowed). */
  query?: Array<[string, string]>;
  headers?: Record<string, string>;
  body?: string;
}

interface SignOptions {
  signingDate?: Date;
  region?: string;
  service?: string;
  applyChecksum?: boolean;
  sessionToken?: string;
  unsignableHeaders?: Set<string>;
}

function signer(o: SignOptions): SignatureV4 {
  return new SignatureV4({
    service: o.service ?? 'execute-api',
    region: o.region ?? 'us-east-1',
    credentials: { accessKeyId: AK, secretAccessKey: SK, sessionToken: o.sessionToken },
    sha256: Sha256,
    // The default (true) is the double encoding that non-S3 services expect.
    uriEscapePath: true,
    applyChecksum: o.applyChecksum ?? false,
  });
}

function smithyQuery(pairs: Array<[string, string]>): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of pairs) {
    const prior = query[name];
    query[name] = prior === undefined ? value : [...(Array.isArray(prior) ? prior : [prior]), value];
  }
  return query;
}

function wireQuery(pairs: Array<[string, string]>): string {
  return pairs.map(([name, value]) => `${rfc3986(name)}=${rfc3986(value)}`).join('&');
}

function lowerCaseHeaders(headers: Record<string, string>): IncomingHttpHeaders {
  const out: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

/** Signs a request with smithy and returns what the gateway would receive. */
async function signed(spec: Spec = {}, o: SignOptions = {}): Promise<CallerRequest> {
  const path = spec.path ?? '/dev/pets';
  const pairs = spec.query ?? [];
  const result = (await signer(o).sign(
    {
      method: spec.method ?? 'GET',
      protocol: 'http:',
      hostname: 'abc123.execute-api.localhost',
      port: 4567,
      path,
      query: smithyQuery(pairs),
      headers: { host: HOST, ...spec.headers },
      body: spec.body,
    },
    { signingDate: o.signingDate ?? NOW, unsignableHeaders: o.unsignableHeaders },
  )) as unknown as { headers: Record<string, string> };
  const query = wireQuery(pairs);
  return {
    method: spec.method ?? 'GET',
    rawUrl: query === '' ? path : `${path}?${query}`,
    headers: lowerCaseHeaders(result.headers),
    body: Buffer.from(spec.body ?? ''),
  };
}

/** Presigns a GET with smithy (which always adds X-Amz-Expires). */
async function presigned(expiresIn: number, path = '/dev/pets'): Promise<CallerRequest> {
  const result = (await signer({}).presign(
    {
      method: 'GET',
      protocol: 'http:',
      hostname: 'abc123.execute-api.localhost',
      port: 4567,
      path,
      query: { page: '2' },
      headers: { host: HOST },
    },
    { signingDate: NOW, expiresIn },
  )) as unknown as { query: Record<string, string> };
  const query = Object.entries(result.query)
    .map(([name, value]) => `${rfc3986(name)}=${rfc3986(value)}`)
    .join('&');
  return { method: 'GET', rawUrl: `${path}?${query}`, headers: { host: HOST }, body: Buffer.alloc(0) };
}

function withHeader(req: CallerRequest, name: string, value: string | undefined): CallerRequest {
  const headers = { ...req.headers, [name]: value };
  if (value === undefined) delete headers[name];
  return { ...req, headers };
}

function mapAuthorization(req: CallerRequest, change: (auth: string) => string): CallerRequest {
  return withHeader(req, 'authorization', change(req.headers.authorization as string));
}

/** The one-character change used by the mutation tests (never a mere change of case). */
function mutateAt(value: string, index: number): string {
  return value.slice(0, index) + (value[index] === 'q' ? 'r' : 'q') + value.slice(index + 1);
}

function minutes(n: number): Date {
  return new Date(NOW.getTime() + n * 60_000);
}

// ---------------------------------------------------------------------------------------------
// Hand-built signatures, for the client behaviours smithy does not reproduce
// ---------------------------------------------------------------------------------------------

interface ManualSpec {
  method?: string;
  rawUrl: string;
  headers: IncomingHttpHeaders;
  body?: string;
  signedHeaders: string[];
  /** The canonical URI and query the client used. */
  uri: string;
  query: string;
  payloadHash?: string;
  amzDate?: string;
}

/** The signature a client computes over its own (possibly non-standard) canonical request. */
function manualSignature(spec: ManualSpec): string {
  const amzDate = spec.amzDate ?? '20240522T121019Z';
  const canonical = canonicalRequest({
    method: spec.method ?? 'GET',
    uri: spec.uri,
    query: spec.query,
    headers: spec.headers,
    signedHeaders: spec.signedHeaders,
    payloadHash:
      spec.payloadHash ??
      createHash('sha256')
        .update(spec.body ?? '')
        .digest('hex'),
  });
  const scope = `${amzDate.slice(0, 8)}/us-east-1/execute-api/aws4_request`;
  return sign(
    signingKey(SK, amzDate.slice(0, 8), 'us-east-1', 'execute-api'),
    stringToSign(amzDate, scope, canonical),
  );
}

/** A request signed the way curl 7.88 does it: path and query as typed, empty hash for -T. */
function curlStyle(rawUrl: string, body = '', payloadHash?: string): CallerRequest {
  const headers: IncomingHttpHeaders = { host: HOST, 'x-amz-date': '20240522T121019Z' };
  const [path, query = ''] = rawUrl.split('?');
  const signature = manualSignature({
    rawUrl,
    headers,
    body,
    signedHeaders: ['host', 'x-amz-date'],
    uri: path,
    query,
    payloadHash,
    method: body === '' ? 'GET' : 'PUT',
  });
  headers.authorization =
    `AWS4-HMAC-SHA256 Credential=${AK}/20240522/us-east-1/execute-api/aws4_request, ` +
    `SignedHeaders=host;x-amz-date, Signature=${signature}`;
  return { method: body === '' ? 'GET' : 'PUT', rawUrl, headers, body: Buffer.from(body) };
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

describe('requests signed by @smithy/signature-v4 pass', () => {
  it('returns the caller identity for a plain GET', async () => {
    const req = await signed();
    expect(verifyCaller(req, options())).toEqual(callerIdentity(ALICE));
  });

  it.each([
    ['an encoded slash', '/dev/S3/folder/test%2Ftest.txt'],
    ['an encoded space', '/dev/my%20file.txt'],
    ['unicode', '/dev/caf%C3%A9/%E2%9C%93'],
    ['reserved characters', "/dev/a:b@c/(d)*!'$,;="],
    ['a trailing slash', '/dev/pets/'],
    ['the root', '/'],
    ['a tilde and an encoded percent', '/dev/~user/100%25'],
  ])('with a path containing %s', async (_label, path) => {
    expect(verifyCaller(await signed({ path }), options()).accessKey).toBe(AK);
  });

  it('with repeated, unsorted and encoded query parameters', async () => {
    const query: Array<[string, string]> = [
      ['z', '1'],
      ['b', '2'],
      ['a', 'x y+z'],
      ['b', '1'],
      ['empty', ''],
      ['ü', '✓/&='],
    ];
    const req = await signed({ query });
    expect(req.rawUrl).toBe('/dev/pets?z=1&b=2&a=x%20y%2Bz&b=1&empty=&%C3%BC=%E2%9C%93%2F%26%3D');
    expect(verifyCaller(req, options()).accessKey).toBe(AK);
  });

  it('with a query whose spaces are sent as + (form encoding)', async () => {
    const req = await signed({ query: [['q', 'a b']] });
    expect(verifyCaller({ ...req, rawUrl: '/dev/pets?q=a+b' }, options()).accessKey).toBe(AK);
  });

  it('with a JSON body and a signed Content-Type', async () => {
    const req = await signed({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"rex"}',
    });
    expect(req.headers.authorization).toContain('SignedHeaders=content-type;host;x-amz-date');
    expect(verifyCaller(req, options()).accessKey).toBe(AK);
  });

  it('with a signed x-amz-content-sha256 header, as Postman sends', async () => {
    const req = await signed({ method: 'PUT', body: 'payload' }, { applyChecksum: true });
    expect(req.headers.authorization).toContain('x-amz-content-sha256');
    expect(verifyCaller(req, options()).accessKey).toBe(AK);
  });

  it('with session credentials (X-Amz-Security-Token signed, not checked)', async () => {
    const req = await signed({}, { sessionToken: 'FwoGZXIvYXdzEXAMPLE+token/==' });
    expect(req.headers['x-amz-security-token']).toBe('FwoGZXIvYXdzEXAMPLE+token/==');
    expect(verifyCaller(req, options()).accessKey).toBe(AK);
  });

  it('with an absolute-form request target', async () => {
    const req = await signed({ query: [['a', '1']] });
    expect(verifyCaller({ ...req, rawUrl: `http://${HOST}${req.rawUrl}` }, options()).accessKey).toBe(AK);
  });

  it('with an unsigned header added after signing', async () => {
    const req = withHeader(await signed(), 'user-agent', 'PostmanRuntime/7.39.1');
    expect(verifyCaller(req, options()).accessKey).toBe(AK);
  });

  it('with a Date header instead of X-Amz-Date', () => {
    const headers: IncomingHttpHeaders = { host: HOST, date: 'Wed, 22 May 2024 12:10:19 GMT' };
    const signature = manualSignature({
      rawUrl: '/dev/pets',
      headers,
      signedHeaders: ['date', 'host'],
      uri: '/dev/pets',
      query: '',
    });
    headers.authorization = `AWS4-HMAC-SHA256 Credential=${AK}/20240522/us-east-1/execute-api/aws4_request, SignedHeaders=date;host, Signature=${signature}`;
    const req: CallerRequest = { method: 'GET', rawUrl: '/dev/pets', headers, body: Buffer.alloc(0) };
    expect(verifyCaller(req, options()).accessKey).toBe(AK);
  });
});

describe('the canonical request', () => {
  it('normalises the path and encodes it a second time', () => {
    expect(executeApiCanonicalUri('/dev/S3/folder/test%2Ftest.txt')).toBe('/dev/S3/folder/test%252Ftest.txt');
    expect(executeApiCanonicalUri('/dev/a%20b c')).toBe('/dev/a%2520b%20c');
    expect(executeApiCanonicalUri('//dev/./x/../y//z/')).toBe('/dev/y/z/');
    expect(executeApiCanonicalUri('/')).toBe('/');
  });

  it('is quoted with the string to sign in the mismatch message, as AWS does', async () => {
    const req = mapAuthorization(
      await signed({
        path: '/dev/a%2Fb',
        query: [
          ['b', '2'],
          ['a', '1'],
        ],
      }),
      (auth) => auth.replace(/Signature=\w+/, `Signature=${'0'.repeat(64)}`),
    );
    const canonical = [
      'GET',
      '/dev/a%252Fb',
      'a=1&b=2',
      `host:${HOST}`,
      'x-amz-date:20240522T121019Z',
      '',
      'host;x-amz-date',
      EMPTY_SHA256,
    ].join('\n');
    const toSign = [
      'AWS4-HMAC-SHA256',
      '20240522T121019Z',
      '20240522/us-east-1/execute-api/aws4_request',
      createHash('sha256').update(canonical).digest('hex'),
    ].join('\n');
    expectInvalid(
      req,
      'The request signature we calculated does not match the signature you provided. Check your AWS ' +
        'Secret Access Key and signing method. Consult the service documentation for details.\n\n' +
        `The Canonical String for this request should have been\n'${canonical}'\n\n` +
        `The String-to-Sign should have been\n'${toSign}'\n`,
    );
  });

  it('hashes the body even when x-amz-content-sha256 claims another hash', async () => {
    const req = await signed({ method: 'PUT', body: 'payload' }, { applyChecksum: true });
    // The header is signed, so a client that lies in it (UNSIGNED-PAYLOAD) signs a different line.
    const lying = await signed(
      { method: 'PUT', body: 'payload', headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
      { applyChecksum: true },
    );
    expect(verifyCaller(req, options()).accessKey).toBe(AK);
    expectMismatch(lying);
  });
});

describe('every one-byte mutation fails', () => {
  const spec: Spec = {
    method: 'POST',
    path: '/dev/S3/fold%20er/te%2Fst.txt',
    query: [
      ['b', '2'],
      ['a', 'x y'],
    ],
    headers: { 'content-type': 'text/plain', 'x-custom': 'hello world' },
    body: 'the body',
  };

  it('of the method', async () => {
    const req = await signed(spec);
    verifyCaller(req, options());
    expectMismatch({ ...req, method: 'PUT' });
    expectMismatch({ ...req, method: 'post' });
  });

  it('of the path or query, at every position', async () => {
    const req = await signed(spec);
    for (let i = 0; i < req.rawUrl.length; i++) expectMismatch({ ...req, rawUrl: mutateAt(req.rawUrl, i) });
  });

  it('of a signed header, at every position', async () => {
    const req = await signed(spec);
    for (const name of ['host', 'content-type', 'x-custom']) {
      const value = req.headers[name] as string;
      for (let i = 0; i < value.length; i++) expectMismatch(withHeader(req, name, mutateAt(value, i)));
    }
  });

  it('of the body, at every position, and its truncation', async () => {
    const req = await signed(spec);
    for (let i = 0; i < req.body.length; i++) {
      const body = Buffer.from(req.body);
      body[i] ^= 0x01;
      expectMismatch({ ...req, body });
    }
    expectMismatch({ ...req, body: req.body.subarray(1) });
  });

  it('of the signature', async () => {
    const req = await signed(spec);
    expectMismatch(mapAuthorization(req, (auth) => mutateAt(auth, auth.length - 1)));
  });

  it('of the date (same day)', async () => {
    const req = await signed(spec);
    expectMismatch(withHeader(req, 'x-amz-date', '20240522T121018Z'));
  });

  it('of the scope region (signature mismatch when any region is accepted)', async () => {
    const req = mapAuthorization(await signed(spec), (auth) => auth.replace('/us-east-1/', '/us-east-2/'));
    expectMismatch(req);
    expectInvalid(
      req,
      "Credential should be scoped to a valid region, not 'us-east-2'. ",
      options({ region: 'us-east-1' }),
    );
  });

  it('of the scope date', async () => {
    const req = mapAuthorization(await signed(spec), (auth) => auth.replace('/20240522/', '/20240523/'));
    expectInvalid(
      req,
      "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20240523' != '20240522', from '20240522T121019Z'. ",
    );
  });

  it('of the scope service', async () => {
    const req = mapAuthorization(await signed(spec), (auth) =>
      auth.replace('/execute-api/', '/execute-apj/'),
    );
    expectInvalid(req, "Credential should be scoped to correct service: 'execute-api'. ");
  });

  it('of the scope terminator, reported together with the other scope problems', async () => {
    const req = mapAuthorization(await signed(spec), (auth) =>
      auth.replace('/us-east-1/execute-api/aws4_request', '/eu-west-1/s3/aws5_request'),
    );
    expectInvalid(
      req,
      "Credential should be scoped to a valid region, not 'eu-west-1'. " +
        "Credential should be scoped to correct service: 'execute-api'. " +
        "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. ",
      options({ region: 'us-east-1' }),
    );
  });

  it('of the signed header list', async () => {
    const req = await signed(spec);
    expect(req.headers.authorization).toContain('SignedHeaders=content-type;host;x-amz-date;x-custom,');
    expectMismatch(mapAuthorization(req, (auth) => auth.replace(';x-custom', '')));
  });

  it('of the access key (unknown key)', async () => {
    const req = mapAuthorization(await signed(spec), (auth) =>
      auth.replace(`Credential=${AK}`, 'Credential=AKIDEXAMPLF'),
    );
    const err = rejection(req);
    expect([err.type, err.status, err.errorType, err.message]).toEqual([
      'ACCESS_DENIED',
      403,
      'AccessDeniedException',
      'The security token included in the request is invalid.',
    ]);
  });

  it('of the secret (wrong key pair)', async () => {
    const req = await signed(spec);
    const other = { ...ALICE, secretAccessKey: `${SK}x` };
    expectMismatch(req, options({ lookup: () => other }));
  });
});

describe('requests that are not signed, or signed with something else', () => {
  it('no Authorization header and no X-Amz-Algorithm → Missing Authentication Token', () => {
    const err = rejection({
      method: 'GET',
      rawUrl: '/dev/pets?a=1',
      headers: { host: HOST },
      body: Buffer.alloc(0),
    });
    expect([err.type, err.status, err.errorType, err.message]).toEqual([
      'MISSING_AUTHENTICATION_TOKEN',
      403,
      'MissingAuthenticationTokenException',
      'Missing Authentication Token',
    ]);
  });

  const bare = (authorization: string, headers: IncomingHttpHeaders = { 'x-amz-date': '20240522T121019Z' }) =>
    ({
      method: 'GET',
      rawUrl: '/dev/pets',
      headers: { host: HOST, authorization, ...headers },
      body: Buffer.alloc(0),
    }) as CallerRequest;

  it('Bearer x → IncompleteSignatureException (missing equal-sign)', () => {
    expectIncomplete(
      bare('Bearer x'),
      "'x' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer x'.",
    );
  });

  it('a bare token → every missing parameter, and the date when there is none', () => {
    expectIncomplete(
      bare('eyJhbGciOiJIUzI1NiJ9.e30.abc', {}),
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of " +
        "either a 'X-Amz-Date' or a 'Date' header. Authorization=eyJhbGciOiJIUzI1NiJ9.e30.abc",
    );
    expectIncomplete(
      bare(''),
      "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
        "Authorization header requires 'SignedHeaders' parameter. Authorization=",
    );
  });

  it('only the missing parameters are listed', () => {
    const auth = `AWS4-HMAC-SHA256 Credential=${AK}/20240522/us-east-1/execute-api/aws4_request`;
    expectIncomplete(
      bare(auth),
      "Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. " +
        `Authorization=${auth}`,
    );
  });

  it('a space inside the credential (pasted key) → missing equal-sign', () => {
    const auth = `AWS4-HMAC-SHA256 Credential=${AK} /20240522/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`;
    expectIncomplete(
      bare(auth),
      `'/20240522/us-east-1/execute-api/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: '${auth}'.`,
    );
  });

  it('another algorithm with complete parameters', () => {
    expectIncomplete(
      bare('AWS4-HMAC-SHA512 Credential=a/b/c/d/e, SignedHeaders=host, Signature=abc'),
      "Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'.",
    );
  });

  it('a malformed credential or date', async () => {
    const req = await signed();
    expectIncomplete(
      mapAuthorization(req, (auth) =>
        auth.replace(/Credential=[^,]+/, `Credential=${AK}/20240522/us-east-1`),
      ),
      `Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '${AK}/20240522/us-east-1'`,
    );
    expectIncomplete(
      withHeader(req, 'x-amz-date', '2024-05-22T12:10:19Z'),
      "Date must be in ISO-8601 'basic format'. Got '2024-05-22T12:10:19Z'. See http://en.wikipedia.org/wiki/ISO_8601",
    );
  });

  it('host must be signed', async () => {
    const req = await signed({}, { unsignableHeaders: new Set(['host']) });
    expect(req.headers.authorization).toContain('SignedHeaders=x-amz-date,');
    expectInvalid(req, "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
  });
});

describe('clock skew: 5 minutes either way', () => {
  it('passes within 4 minutes and at exactly 5', async () => {
    for (const offset of [-5, -4, 4, 5]) {
      expect(verifyCaller(await signed({}, { signingDate: minutes(offset) }), options()).accessKey).toBe(AK);
    }
  });

  it('a request 6 minutes old has expired', async () => {
    expectInvalid(
      await signed({}, { signingDate: minutes(-6) }),
      'Signature expired: 20240522T120419Z is now earlier than 20240522T120519Z (20240522T121019Z - 5 min.)',
    );
  });

  it('reproduces AWS own example', async () => {
    expectInvalid(
      await signed({}, { signingDate: new Date('2024-05-22T11:51:59Z') }),
      'Signature expired: 20240522T115159Z is now earlier than 20240522T120519Z (20240522T121019Z - 5 min.)',
    );
  });

  it('a request 6 minutes ahead is not yet current', async () => {
    expectInvalid(
      await signed({}, { signingDate: minutes(6) }),
      'Signature not yet current: 20240522T121619Z is still later than 20240522T121519Z (20240522T121019Z + 5 min.)',
    );
  });

  it('the time is checked before the key and the signature', async () => {
    const req = mapAuthorization(await signed({}, { signingDate: minutes(-6) }), (auth) =>
      auth.replace(`Credential=${AK}`, 'Credential=UNKNOWN'),
    );
    expect(rejection(req).message).toMatch(/^Signature expired: /);
  });
});

describe('the scope region', () => {
  it('must equal options.region when it is set', async () => {
    const req = await signed({}, { region: 'eu-west-1' });
    expectInvalid(
      req,
      "Credential should be scoped to a valid region, not 'eu-west-1'. ",
      options({ region: 'us-east-1' }),
    );
    expect(verifyCaller(req, options({ region: 'eu-west-1' })).accessKey).toBe(AK);
  });

  it('may be any region when options.region is undefined', async () => {
    for (const region of ['eu-west-1', 'ap-southeast-2', 'local']) {
      expect(verifyCaller(await signed({}, { region }), options()).accessKey).toBe(AK);
    }
  });
});

describe('presigned URLs (query-string auth)', () => {
  it('passes while valid and expires after X-Amz-Expires seconds', async () => {
    const req = await presigned(60);
    expect(req.rawUrl).toContain('X-Amz-Expires=60');
    expect(verifyCaller(req, options()).accessKey).toBe(AK);
    expect(verifyCaller(req, options({ now: new Date(NOW.getTime() + 60_000) })).accessKey).toBe(AK);
    expectInvalid(
      req,
      'Signature expired: 20240522T121019Z is now earlier than 20240522T121020Z (20240522T121120Z - 1 min.)',
      options({ now: new Date(NOW.getTime() + 61_000) }),
    );
    expectInvalid(
      await presigned(90),
      'Signature expired: 20240522T121019Z is now earlier than 20240522T121020Z (20240522T121150Z - 90 sec.)',
      options({ now: new Date(NOW.getTime() + 91_000) }),
    );
  });

  it('fails when a query parameter is changed', async () => {
    const req = await presigned(60);
    expectMismatch({ ...req, rawUrl: req.rawUrl.replace('page=2', 'page=3') });
    expectMismatch({ ...req, rawUrl: req.rawUrl.replace('X-Amz-Expires=60', 'X-Amz-Expires=600') });
  });

  it('without X-Amz-Expires (newman/aws4) is held to the 5-minute window', () => {
    const params: Array<[string, string]> = [
      ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
      ['X-Amz-Credential', `${AK}/20240522/us-east-1/execute-api/aws4_request`],
      ['X-Amz-Date', '20240522T121019Z'],
      ['X-Amz-SignedHeaders', 'host'],
    ];
    const query = wireQuery(params);
    const signature = manualSignature({
      rawUrl: '/dev/pets',
      headers: { host: HOST },
      signedHeaders: ['host'],
      uri: '/dev/pets',
      query: canonicalQuery(query, { excludeSignature: true })!,
    });
    const req: CallerRequest = {
      method: 'GET',
      rawUrl: `/dev/pets?${query}&X-Amz-Signature=${signature}`,
      headers: { host: HOST },
      body: Buffer.alloc(0),
    };
    expect(verifyCaller(req, options()).accessKey).toBe(AK);
    expect(verifyCaller(req, options({ now: minutes(5) })).accessKey).toBe(AK);
    expectInvalid(
      req,
      'Signature expired: 20240522T121019Z is now earlier than 20240522T121119Z (20240522T121619Z - 5 min.)',
      options({ now: minutes(6) }),
    );
  });

  /** A presigned GET as botocore (AWS CLI) builds it: X-Amz-Expires, and UNSIGNED-PAYLOAD as the payload line. */
  function botocorePresigned(payloadHash: string, body = ''): CallerRequest {
    const params: Array<[string, string]> = [
      ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
      ['X-Amz-Credential', `${AK}/20240522/us-east-1/execute-api/aws4_request`],
      ['X-Amz-Date', '20240522T121019Z'],
      ['X-Amz-Expires', '3600'],
      ['X-Amz-SignedHeaders', 'host'],
      ['page', '2'],
    ];
    const query = wireQuery(params);
    const signature = manualSignature({
      method: body === '' ? 'GET' : 'POST',
      rawUrl: '/dev/pets',
      headers: { host: HOST },
      signedHeaders: ['host'],
      uri: '/dev/pets',
      query: canonicalQuery(query, { excludeSignature: true })!,
      payloadHash,
    });
    return {
      method: body === '' ? 'GET' : 'POST',
      rawUrl: `/dev/pets?${query}&X-Amz-Signature=${signature}`,
      headers: { host: HOST },
      body: Buffer.from(body),
    };
  }

  it('accepts both payload conventions: the empty body hash (JS SDK) and UNSIGNED-PAYLOAD (botocore)', async () => {
    expect(verifyCaller(await presigned(60), options()).accessKey).toBe(AK);
    expect(verifyCaller(botocorePresigned(EMPTY_SHA256), options()).accessKey).toBe(AK);
    expect(verifyCaller(botocorePresigned('UNSIGNED-PAYLOAD'), options()).accessKey).toBe(AK);
    expect(verifyCaller(botocorePresigned('UNSIGNED-PAYLOAD', 'a body'), options()).accessKey).toBe(AK);
    // Anything else still fails, and the mismatch shows AWS's own form (the body's hash).
    const err = rejection(botocorePresigned('STREAMING-UNSIGNED-PAYLOAD'));
    expect(err.message.startsWith(MISMATCH_PREFIX)).toBe(true);
    expect(err.message).toContain(`${EMPTY_SHA256}'`);
  });

  it('accepts URLs presigned by botocore itself, with either payload line', () => {
    // Recorded from botocore 1.43 over GET http://abc123.execute-api.localhost:4567/dev/pets?page=2,
    // expires=3600: SigV4QueryAuth signs the empty body's hash; S3SigV4QueryAuth (how the CLI
    // presigns) signs UNSIGNED-PAYLOAD.
    const recorded = [
      [
        '2026-12-07T15:22:00Z',
        '/dev/pets?page=2&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261207%2Fus-east-1%2Fexecute-api%2Faws4_request&X-Amz-Date=20261207T152155Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=a3a24b5a6a865b690e6a829adf55e3ef13811f52b45c173738630df44e7c247a',
      ],
      [
        '2026-12-07T15:22:20Z',
        '/dev/pets?page=2&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20261207%2Fus-east-1%2Fexecute-api%2Faws4_request&X-Amz-Date=20261207T152214Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=e8c5deae30fd9505bee5ca7ac52f9508eb7693810348d16abdced52c95cac97c',
      ],
    ];
    for (const [now, rawUrl] of recorded) {
      const req: CallerRequest = { method: 'GET', rawUrl, headers: { host: HOST }, body: Buffer.alloc(0) };
      expect(verifyCaller(req, options({ now: new Date(now) })).accessKey).toBe(AK);
    }
  });

  it('UNSIGNED-PAYLOAD is not accepted in the Authorization header form', () => {
    const headers: IncomingHttpHeaders = { host: HOST, 'x-amz-date': '20240522T121019Z' };
    const signature = manualSignature({
      rawUrl: '/dev/pets',
      headers,
      signedHeaders: ['host', 'x-amz-date'],
      uri: '/dev/pets',
      query: '',
      payloadHash: 'UNSIGNED-PAYLOAD',
    });
    headers.authorization =
      `AWS4-HMAC-SHA256 Credential=${AK}/20240522/us-east-1/execute-api/aws4_request, ` +
      `SignedHeaders=host;x-amz-date, Signature=${signature}`;
    expectMismatch({ method: 'GET', rawUrl: '/dev/pets', headers, body: Buffer.alloc(0) });
  });

  it('lists the missing X-Amz-* parameters', () => {
    const req: CallerRequest = {
      method: 'GET',
      rawUrl: '/dev/pets?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=20240522T121019Z',
      headers: { host: HOST },
      body: Buffer.alloc(0),
    };
    expectIncomplete(
      req,
      "AWS query-string parameters must include 'X-Amz-Credential'. AWS query-string parameters must include " +
        "'X-Amz-Signature'. AWS query-string parameters must include 'X-Amz-SignedHeaders'. Re-examine the " +
        'query-string parameters.',
    );
  });

  it('with another algorithm counts as unsigned', () => {
    const err = rejection({
      method: 'GET',
      rawUrl: '/dev/pets?X-Amz-Algorithm=AWS2',
      headers: { host: HOST },
      body: Buffer.alloc(0),
    });
    expect(err.type).toBe('MISSING_AUTHENTICATION_TOKEN');
  });

  it('rejects an X-Amz-Expires that is not a number of seconds up to a week', async () => {
    const req = await presigned(60);
    expectIncomplete(
      { ...req, rawUrl: req.rawUrl.replace('X-Amz-Expires=60', 'X-Amz-Expires=604801') },
      "X-Amz-Expires must be a whole number of seconds from 0 to 604800, got '604801'.",
    );
  });
});

describe('compat: client quirks accepted only on request', () => {
  it('curl 7.88: a path signed as typed fails, then passes with compat and is reported', () => {
    const req = curlStyle('/dev/S3/folder/test%2Ftest.txt');
    expectMismatch(req);
    const notes: string[] = [];
    expect(verifyCaller(req, options({ compat: true, onCompat: (d) => notes.push(d) })).accessKey).toBe(AK);
    expect(notes).toEqual([
      'signature matched only with the path signed as sent, without the second encoding (curl --aws-sigv4)',
    ]);
  });

  it('curl < 8.3: an unsorted query signed verbatim', () => {
    const req = curlStyle('/dev/pets?z=1&a=2');
    expectMismatch(req);
    const notes: string[] = [];
    verifyCaller(req, options({ compat: true, onCompat: (d) => notes.push(d) }));
    expect(notes).toEqual([
      'signature matched only with the query signed verbatim, neither sorted nor re-encoded (curl < 8.3)',
    ]);
  });

  it('curl -T / Postman form-data: a body signed with the empty-payload hash', () => {
    const req = curlStyle('/dev/upload', 'file contents', EMPTY_SHA256);
    expectMismatch(req);
    const notes: string[] = [];
    verifyCaller(req, options({ compat: true, onCompat: (d) => notes.push(d) }));
    expect(notes[0]).toContain('empty-body payload hash');
  });

  it('plain curl requests pass without compat and without a report', () => {
    const notes: string[] = [];
    const req = curlStyle('/dev/pets?a=1&b=2');
    expect(verifyCaller(req, options({ onCompat: (d) => notes.push(d) })).accessKey).toBe(AK);
    expect(verifyCaller(req, options({ compat: true, onCompat: (d) => notes.push(d) })).accessKey).toBe(AK);
    expect(notes).toEqual([]);
  });

  it('still rejects a wrong signature, quoting the standard canonical request', () => {
    const req = mapAuthorization(curlStyle('/dev/a%2Fb'), (auth) => mutateAt(auth, auth.length - 1));
    const err = rejection(req, options({ compat: true }));
    expect(err.message).toContain("\n'GET\n/dev/a%252Fb\n");
  });
});

describe('caller identity', () => {
  it('is an IAM user of a 12-digit account derived from the owner', () => {
    const identity = callerIdentity(ALICE);
    expect(identity.accessKey).toBe(AK);
    expect(identity.accountId).toMatch(/^\d{12}$/);
    expect(identity.caller).toMatch(/^AIDA[A-Z2-7]{17}$/);
    expect(identity.user).toBe(identity.caller);
    expect(identity.userArn).toBe(`arn:aws:iam::${identity.accountId}:user/alice`);
    expect(identity.principalOrgId).toBeUndefined();
  });

  it('is stable and differs between owners', () => {
    expect(accountIdFor(ALICE.owner.id)).toBe(accountIdFor(ALICE.owner.id));
    expect(accountIdFor('a'.repeat(64))).not.toBe(accountIdFor('b'.repeat(64)));
    expect(principalIdFor('x')).not.toBe(principalIdFor('y'));
    expect(accountIdFor('not hex at all')).toMatch(/^\d{12}$/);
  });

  it('turns a free-text display name into a valid IAM user name', () => {
    const identity = callerIdentity({
      ...ALICE,
      owner: { id: ALICE.owner.id, displayName: 'Bob Smith/ops' },
    });
    expect(identity.userArn).toMatch(/:user\/Bob-Smith-ops$/);
  });
});
