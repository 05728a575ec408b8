import { createHash, randomBytes } from 'node:crypto';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { DEFAULT_MAX_PAYLOAD } from '../../gateway/stages/method-request';
import { asText, call, OUTBOUND, startBinaryGateway, type BinaryGateway } from '../helpers/binary';
import { startCaptureServer, type CaptureServer } from '../helpers/capture-server';
import { REPO, spawnApigw } from '../helpers/cli';
import { callSigned } from '../helpers/execute-api';

// API Gateway's quotas (https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html)
// and issue 6: the 10 MB payload limit both ways, --max-payload, and bodies that stream (or spool) instead of being
// held whole. Memory itself is measured by bench/gateway-throughput.js.

const EXAMPLE = path.join(REPO, 'examples', 'binary-s3', 'binary-s3.yaml');
const ELEVEN_MB = 11 * 1000 * 1000;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const sameBytes = (a: Buffer | undefined, b: Buffer) => a !== undefined && a.equals(b);

/** A PUT whose body goes out in chunks (Transfer-Encoding: chunked, no Content-Length). */
function putChunked(
  url: string,
  body: Buffer,
  headers: Record<string, string>,
): Promise<{ status: number; body: string; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString(), headers: res.headers }),
      );
    });
    req.on('error', reject);
    for (let i = 0; i < body.length; i += 64 * 1024) req.write(body.subarray(i, i + 64 * 1024));
    req.end();
  });
}

describe('the payload limit, as AWS (10 MB = 10,485,760 bytes)', () => {
  let t: BinaryGateway;
  beforeAll(async () => {
    t = await startBinaryGateway(EXAMPLE);
    await t.bucket('images');
  });
  afterAll(() => t?.close());

  test('the default is 10,485,760 bytes', () => {
    expect(DEFAULT_MAX_PAYLOAD).toBe(10_485_760);
  });

  test('an 11 MB body is refused with 413 REQUEST_TOO_LARGE and nothing is stored', async () => {
    const res = await call(t.gw.url, '/s3?key=images/big.bin', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: randomBytes(ELEVEN_MB),
    });
    expect(res.status).toBe(413);
    expect(JSON.parse(res.body.toString())).toEqual({ message: 'Request Too Long' });
    expect(res.headers.get('x-amzn-errortype')).toBe('RequestTooLargeException');
    expect(await t.stored('images', 'big.bin')).toBeUndefined();
  });

  test('so is a chunked 11 MB body (no Content-Length), as soon as it passes the limit', async () => {
    const res = await putChunked(`${t.gw.url}/s3?key=images/chunked.bin`, randomBytes(ELEVEN_MB), {
      'Content-Type': 'application/octet-stream',
    });
    expect([res.status, res.body]).toEqual([413, '{"message":"Request Too Long"}']);
    expect(await t.stored('images', 'chunked.bin')).toBeUndefined();
  });

  test('exactly 10,485,760 bytes pass', async () => {
    const body = randomBytes(DEFAULT_MAX_PAYLOAD);
    const res = await call(t.gw.url, '/s3?key=images/limit.bin', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body,
    });
    expect(res.status).toBe(200);
    expect(sameBytes(await t.stored('images', 'limit.bin'), body)).toBe(true);
  });

  test('an 11 MB object cannot be downloaded: 500 Internal server error (streamed or templated)', async () => {
    await t.put('images', 'huge.bin', randomBytes(ELEVEN_MB), 'application/octet-stream');
    for (const route of ['/s3', '/s3/json']) {
      const res = await call(t.gw.url, `${route}?key=images/huge.bin`, {
        headers: { Accept: route === '/s3' ? 'application/octet-stream' : 'application/json' },
      });
      expect([route, res.status, res.body.toString()]).toEqual([
        route,
        500,
        '{"message":"Internal server error"}',
      ]);
    }
  });

  test('a 10 MB object can', async () => {
    const body = randomBytes(DEFAULT_MAX_PAYLOAD);
    await t.put('images', 'ten.bin', body, 'application/octet-stream');
    const res = await call(t.gw.url, '/s3?key=images/ten.bin', {
      headers: { Accept: 'application/octet-stream' },
    });
    expect(res.status).toBe(200);
    expect(sha(res.body)).toBe(sha(body));
  });
});

describe('--max-payload none (config maxPayload: Infinity) lifts the limit, beyond AWS', () => {
  let t: BinaryGateway;
  beforeAll(async () => {
    t = await startBinaryGateway(EXAMPLE, { maxPayload: Infinity });
    await t.bucket('images');
  });
  afterAll(() => t?.close());

  test('the same 11 MB body is accepted and stored exactly; it downloads again', async () => {
    const body = randomBytes(ELEVEN_MB);
    const res = await call(t.gw.url, '/s3?key=images/big.bin', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body,
    });
    expect(res.status).toBe(200);
    expect(sameBytes(await t.stored('images', 'big.bin'), body)).toBe(true);
    const got = await call(t.gw.url, '/s3?key=images/big.bin', {
      headers: { Accept: 'application/octet-stream' },
    });
    expect(got.status).toBe(200);
    expect(got.headers.get('content-length')).toBe(String(ELEVEN_MB));
    expect(sha(got.body)).toBe(sha(body));
  });

  test('a chunked one too', async () => {
    const body = randomBytes(ELEVEN_MB);
    const res = await putChunked(`${t.gw.url}/s3?key=images/chunked.bin`, body, {
      'Content-Type': 'application/octet-stream',
    });
    expect(res.status).toBe(200);
    expect(sameBytes(await t.stored('images', 'chunked.bin'), body)).toBe(true);
  });
});

describe('`apigw serve --max-payload`', () => {
  test('none: an 11 MB upload through the example is accepted; 1MB: 413', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    for (const [flag, expected] of [
      ['none', 200],
      ['1MB', 413],
    ] as const) {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'apigw-max-payload-'));
      const proc = spawnApigw(
        [
          'serve',
          path.join(REPO, 'examples', 'binary-s3'),
          '--port',
          '0',
          '--data-dir',
          dataDir,
          '--max-payload',
          flag,
        ],
        { AWS_ACCESS_KEY_ID: OUTBOUND.accessKeyId, AWS_SECRET_ACCESS_KEY: OUTBOUND.secretAccessKey },
      );
      try {
        const [, baseUrl] = await proc.waitFor(/^Base URL: (http:\/\/\S+)\r?\n/m);
        expect((await call(baseUrl, '/s3?key=images', { method: 'PUT' })).status).toBe(200);
        const res = await call(baseUrl, '/s3?key=images/big.bin', {
          method: 'PUT',
          headers: { 'Content-Type': 'application/octet-stream' },
          body: randomBytes(flag === 'none' ? ELEVEN_MB : 1024 * 1024 + 1),
        });
        expect([flag, res.status]).toEqual([flag, expected]);
      } finally {
        proc.child.kill('SIGTERM');
        await proc.exited;
        rmSync(dataDir, { recursive: true, force: true });
      }
    }
  });

  test('a size that is not one is refused at start-up', async () => {
    const proc = spawnApigw(['serve', EXAMPLE, '--port', '0', '--max-payload', 'lots']);
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toContain(
      'maxPayload must be a number of bytes, a size such as 10MB or 1GiB, or none',
    );
  });
});

describe('bodies stream (or spool) instead of being held whole', () => {
  let s3: CaptureServer;
  let t: BinaryGateway;
  const doc = (httpUrl: string) => ({
    openapi: '3.0.1',
    info: { title: 'streaming', version: '1' },
    'x-amazon-apigateway-binary-media-types': ['application/octet-stream'],
    paths: {
      '/s3/{key}': {
        put: method('NONE', 'aws', 'arn:aws:apigateway:us-east-1:s3:path/bucket/{key}'),
      },
      '/iam/{key}': {
        put: method('AWS_IAM', 'aws', 'arn:aws:apigateway:us-east-1:s3:path/bucket/{key}'),
      },
      '/http/{key}': { put: method('NONE', 'http', `${httpUrl}/upload/{key}`) },
      '/proxy/{key}': { put: method('NONE', 'http_proxy', `${httpUrl}/proxied/{key}`) },
    },
  });
  const method = (auth: string, type: string, uri: string) => ({
    parameters: [{ name: 'key', in: 'path', required: true, schema: { type: 'string' } }],
    responses: { '200': { description: 'ok' } },
    'x-amazon-apigateway-auth': { type: auth },
    'x-amazon-apigateway-integration': {
      type,
      httpMethod: 'PUT',
      uri,
      requestParameters: { 'integration.request.path.key': 'method.request.path.key' },
      passthroughBehavior: 'when_no_match',
      responses: { default: { statusCode: '200' } },
    },
  });
  beforeAll(async () => {
    s3 = await startCaptureServer();
    t = await startBinaryGateway(doc(s3.url), { endpoints: { s3: s3.url } });
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });
  beforeEach(() => s3.reset());

  const TWO_MIB = 2 * 1024 * 1024;

  test('a large binary body goes to S3 as it came, UNSIGNED-PAYLOAD with its Content-Length', async () => {
    const body = randomBytes(TWO_MIB);
    const res = await call(t.gw.url, '/s3/blob', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body,
    });
    expect(res.status).toBe(200);
    const [got] = s3.requests;
    expect(got.header('x-amz-content-sha256')).toBe('UNSIGNED-PAYLOAD');
    expect(got.header('content-length')).toBe(String(TWO_MIB));
    expect(got.header('transfer-encoding')).toBeUndefined();
    expect(got.header('authorization')).toMatch(/SignedHeaders=[^,]*content-length[^,]*x-amz-content-sha256/);
    expect(sameBytes(got.body, body)).toBe(true);
  });

  test('a small body is buffered and its SHA-256 signed', async () => {
    const body = randomBytes(1000);
    await call(t.gw.url, '/s3/small', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body,
    });
    expect(s3.requests[0].header('x-amz-content-sha256')).toBe(sha(body));
  });

  test('a large text body with invalid UTF-8 reaches S3 cleaned (U+FFFD), with the cleaned length', async () => {
    const body = Buffer.concat([
      Buffer.alloc(TWO_MIB, 'a'),
      Buffer.from([0xff, 0xfe, 0x80]),
      Buffer.from('é'),
    ]);
    const res = await call(t.gw.url, '/s3/text', {
      method: 'PUT',
      headers: { 'Content-Type': 'text/plain' },
      body,
    });
    expect(res.status).toBe(200);
    const [got] = s3.requests;
    const expected = asText(body);
    expect(expected.length).toBe(body.length + 6);
    expect(got.header('content-length')).toBe(String(expected.length));
    expect(got.header('x-amz-content-sha256')).toBe('UNSIGNED-PAYLOAD');
    expect(sameBytes(got.body, expected)).toBe(true);
  });

  test('to an HTTP backend a large text body streams chunked, cleaned on the way', async () => {
    const body = Buffer.concat([Buffer.alloc(TWO_MIB, 'b'), Buffer.from([0xc3]), Buffer.alloc(10, 'c')]);
    const res = await call(t.gw.url, '/http/text', {
      method: 'PUT',
      headers: { 'Content-Type': 'text/plain' },
      body,
    });
    expect(res.status).toBe(200);
    const [got] = s3.requests;
    expect(got.path).toBe('/upload/text');
    expect(got.header('transfer-encoding')).toBe('chunked');
    expect(sameBytes(got.body, asText(body))).toBe(true);
  });

  test('http_proxy forwards a large body as it came, with its Content-Length', async () => {
    const body = randomBytes(TWO_MIB);
    const res = await call(t.gw.url, '/proxy/blob', {
      method: 'PUT',
      headers: { 'Content-Type': 'text/plain' },
      body,
    });
    expect(res.status).toBe(200);
    const [got] = s3.requests;
    expect(got.path).toBe('/proxied/blob');
    expect(got.header('content-length')).toBe(String(TWO_MIB));
    expect(sameBytes(got.body, body)).toBe(true);
  });

  test('AWS_IAM: a large signed body is checked against its signature before S3 sees a byte', async () => {
    const body = randomBytes(3 * 1024 * 1024);
    const ok = await callSigned(t.gw.url, '/iam/signed', OUTBOUND, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body,
    });
    expect(ok.status).toBe(200);
    expect(sameBytes(s3.requests[0].body, body)).toBe(true);
    expect(s3.requests[0].header('x-amz-content-sha256')).toBe('UNSIGNED-PAYLOAD');

    // Signed for one body, sent with another of the same length: 403, and nothing reached S3.
    s3.reset();
    const url = new URL(`${t.gw.url}/iam/forged`);
    const signed = await new SignatureV4({
      service: 'execute-api',
      region: 'us-east-1',
      credentials: OUTBOUND,
      sha256: Sha256,
    }).sign(
      new HttpRequest({
        method: 'PUT',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        headers: { host: url.host, 'content-type': 'application/octet-stream' },
        body,
      }),
    );
    const forged = Buffer.from(body);
    forged[forged.length - 1] ^= 0xff;
    const headers = { ...signed.headers };
    delete headers.host;
    delete headers['x-amz-content-sha256'];
    const res = await fetch(url, { method: 'PUT', headers, body: forged });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { message: string }).message).toMatch(
      /signature we calculated does not match/,
    );
    expect(s3.requests).toEqual([]);
  });

  test('AWS_IAM: a chunked body is spooled, measured and hashed too', async () => {
    // callSigned cannot send chunked; sign by hand and send with node's http client.
    const body = randomBytes(1536 * 1024);
    const url = new URL(`${t.gw.url}/iam/chunked`);
    const signed = await new SignatureV4({
      service: 'execute-api',
      region: 'us-east-1',
      credentials: OUTBOUND,
      sha256: Sha256,
    }).sign(
      new HttpRequest({
        method: 'PUT',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        headers: { host: url.host, 'content-type': 'application/octet-stream' },
        body,
      }),
    );
    const res = await putChunked(url.href, body, signed.headers);
    expect(res.status).toBe(200);
    expect(s3.requests[0].header('content-length')).toBe(String(body.length));
    expect(sameBytes(s3.requests[0].body, body)).toBe(true);
  });
});

describe('the response limit with a backend that does not say its length', () => {
  let backend: Server;
  let t: BinaryGateway;
  const SIZE = 3 * 1024 * 1024;
  beforeAll(async () => {
    // Chunked answers (no Content-Length) of SIZE bytes of JSON-safe text.
    backend = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      for (let i = 0; i < SIZE; i += 64 * 1024) res.write(Buffer.alloc(64 * 1024, 'x'));
      res.end();
    });
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
    const get = (template: boolean) => ({
      responses: { '200': { description: 'ok' } },
      'x-amazon-apigateway-integration': {
        type: 'http',
        httpMethod: 'GET',
        uri: `${url}/big`,
        passthroughBehavior: 'when_no_match',
        responses: {
          default: {
            statusCode: '200',
            ...(template ? { responseTemplates: { 'application/json': '{"n": $input.body.length()}' } } : {}),
          },
        },
      },
    });
    t = await startBinaryGateway(
      {
        openapi: '3.0.1',
        info: { title: 'response limit', version: '1' },
        paths: { '/streamed': { get: get(false) }, '/templated': { get: get(true) } },
      },
      { maxPayload: 2 * 1024 * 1024 },
    );
  });
  afterAll(async () => {
    await t?.close();
    backend.closeAllConnections();
    await new Promise((resolve) => backend.close(resolve));
  });

  test('buffered for a template: 500 Internal server error once past the limit', async () => {
    const res = await call(t.gw.url, '/templated');
    expect([res.status, res.body.toString()]).toEqual([500, '{"message":"Internal server error"}']);
  });

  test('streamed: the status is gone, so the connection is cut short of the limit', async () => {
    await expect(call(t.gw.url, '/streamed')).rejects.toThrow();
  });
});
