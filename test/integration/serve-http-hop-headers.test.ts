/**
 * Hop-by-hop and framing headers in http / http_proxy integrations, over real HTTP: what mapped
 * static values reach the backend (issue 20 item 2), and how non-proxy responses are framed
 * (item 3).
 */
import { rawRequest } from '../helpers/s3';
import { apiDocument, tempDir, type TempDir } from '../helpers/api-doc';
import { startCaptureServer, type CaptureServer } from '../helpers/capture-server';
import { createLogger } from '../../gateway/log';
import { startGateway, type RunningGateway } from '../../gateway/serve';

let backend: CaptureServer;
let dir: TempDir;
let gw: RunningGateway;

/** Mapped as static values: API Gateway drops them for http integrations (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-known-issues.html). */
const HOP_BY_HOP = {
  'integration.request.header.Proxy-Authenticate': '\'Basic realm="x"\'',
  'integration.request.header.TE': "'trailers'",
  'integration.request.header.Expect': "'100-continue'",
  'integration.request.header.Connection': "'close'",
  'integration.request.header.X-Kept': "'kept'",
};
const TRAILER = { 'integration.request.header.Trailer': "'X-Checksum'" };

beforeAll(async () => {
  backend = await startCaptureServer();
  dir = tempDir('apigw-hop-');
  const http = (verb: string, requestParameters: Record<string, string>) => ({
    type: 'http',
    httpMethod: verb,
    uri: `${backend.url}/backend`,
    requestParameters,
  });
  const proxy = (verb: string, requestParameters: Record<string, string>) => ({
    type: 'http_proxy',
    httpMethod: verb,
    uri: `${backend.url}/backend`,
    requestParameters,
  });
  const mapsTransferEncoding = (responseTemplates?: Record<string, string>) => ({
    type: 'http',
    httpMethod: 'GET',
    uri: `${backend.url}/backend`,
    responses: {
      default: {
        statusCode: '200',
        responseParameters: {
          'method.response.header.Transfer-Encoding': "'chunked'",
          'method.response.header.X-Other': "'other'",
        },
        ...(responseTemplates ? { responseTemplates } : {}),
      },
    },
  });
  const doc = apiDocument('hop-by-hop headers', {
    '/http/hop': { get: http('GET', HOP_BY_HOP), post: http('POST', HOP_BY_HOP) },
    '/proxy/hop': { get: proxy('GET', HOP_BY_HOP), post: proxy('POST', HOP_BY_HOP) },
    '/http/trailer': { get: http('GET', TRAILER), post: http('POST', TRAILER) },
    '/proxy/trailer': { get: proxy('GET', TRAILER), post: proxy('POST', TRAILER) },
    '/http/te-template': { get: mapsTransferEncoding({ 'application/json': '{"got":$input.json(\'$\')}' }) },
    '/http/te-passthrough': { get: mapsTransferEncoding() },
    '/http/text': { get: { type: 'http', httpMethod: 'GET', uri: `${backend.url}/backend` } },
    '/http/plain': { get: http('GET', {}) },
    '/proxy/plain': { get: proxy('GET', {}) },
    '/http/to-post': { get: http('POST', {}) },
    '/proxy/to-post': { get: proxy('POST', {}) },
    '/http/trailer-to-post': { get: http('POST', TRAILER) },
    '/proxy/trailer-to-post': { get: proxy('POST', TRAILER) },
  });
  gw = await startGateway(
    { api: dir.write('api.json', doc), port: 0, host: '127.0.0.1', dataDir: dir.dir },
    createLogger('error'),
    {},
  );
});
afterAll(async () => {
  await gw.close();
  await backend.close();
  dir.remove();
});
beforeEach(() => backend.reset());

describe('mapped hop-by-hop request headers (http, http_proxy)', () => {
  test.each([
    ['http', 'GET', ''],
    ['http', 'POST', '{"a":1}'],
    ['proxy', 'GET', ''],
    ['proxy', 'POST', '{"a":1}'],
  ])(
    '%s %s: Proxy-Authenticate, TE, Expect and Connection are dropped, others forwarded',
    async (kind, method, body) => {
      const res = await fetch(`${gw.url}/${kind}/hop`, { method, body: body === '' ? undefined : body });
      expect(res.status).toBe(200);
      const [seen] = backend.requests;
      expect(seen.header('x-kept')).toBe('kept');
      expect(seen.header('proxy-authenticate')).toBeUndefined();
      expect(seen.header('te')).toBeUndefined();
      expect(seen.header('expect')).toBeUndefined();
      expect(seen.header('connection')).not.toBe('close');
      expect(seen.body.toString()).toBe(body);
    },
  );

  test.each([
    ['http', 'GET', ''],
    ['http', 'POST', '{"a":1}'],
    ['proxy', 'GET', ''],
    ['proxy', 'POST', '{"a":1}'],
  ])(
    '%s %s: a mapped Trailer is forwarded; the body goes with Content-Length, not chunked',
    async (kind, method, body) => {
      const res = await fetch(`${gw.url}/${kind}/trailer`, { method, body: body === '' ? undefined : body });
      expect(res.status).toBe(200);
      const [seen] = backend.requests;
      expect(seen.header('trailer')).toBe('X-Checksum');
      expect(seen.header('transfer-encoding')).toBeUndefined();
      // A GET without a body goes without Content-Length, as API Gateway's do (see below).
      expect(seen.header('content-length')).toBe(
        method === 'GET' ? undefined : String(Buffer.byteLength(body)),
      );
      expect(seen.body.toString()).toBe(body);
    },
  );
});

/**
 * How API Gateway frames an empty integration request body, as recorded from AWS:
 * - a POST backend call gets `Content-Length: 0`, for http and http_proxy, with a mapped Trailer or
 *   without (client GET, integration verb POST: LocalStack's AWS-validated snapshots of
 *   TestApiGatewayHeaderRemapping in
 *   https://github.com/localstack/localstack/blob/master/tests/aws/services/apigateway/test_apigateway_integrations.snapshot.json,
 *   recorded 2024-12-11);
 * - a GET backend call gets no Content-Length, for http and http_proxy (an echo backend's capture,
 *   https://zenn.dev/hiroga/articles/just-watching-api-gateway-request-header).
 */
describe('an empty integration request body (client GET without a body)', () => {
  /** The Content-Length values the backend received, whatever the case of the name. */
  const lengths = (seen: (typeof backend.requests)[number]) =>
    Object.entries(seen.headers)
      .filter(([name]) => name.toLowerCase() === 'content-length')
      .flatMap(([, values]) => values);

  test.each([
    ['http', 'plain', 'GET', 'none'],
    ['proxy', 'plain', 'GET', 'none'],
    ['http', 'trailer', 'GET', 'none'],
    ['proxy', 'trailer', 'GET', 'none'],
    ['http', 'to-post', 'POST', '0'],
    ['proxy', 'to-post', 'POST', '0'],
    ['http', 'trailer-to-post', 'POST', '0'],
    ['proxy', 'trailer-to-post', 'POST', '0'],
  ])('%s /%s: the %s backend call has Content-Length: %s', async (kind, route, verb, length) => {
    const res = await fetch(`${gw.url}/${kind}/${route}`);
    expect(res.status).toBe(200);
    const [seen] = backend.requests;
    expect(seen.method).toBe(verb);
    // Exactly one Content-Length or none, and never chunked.
    expect(lengths(seen)).toEqual(length === 'none' ? [] : [length]);
    expect(seen.header('transfer-encoding')).toBeUndefined();
    if (route.startsWith('trailer')) expect(seen.header('trailer')).toBe('X-Checksum');
    expect(seen.body.length).toBe(0);
  });

  test.each([
    ['plain', 'none'],
    ['to-post', '0'],
  ])('http_proxy /%s: a client `Content-Length: 0` is not what decides (%s)', async (route, length) => {
    // API Gateway drops the client's Content-Length and frames the backend call itself.
    const res = await rawRequest(new URL(`${gw.url}/proxy/${route}`), 'GET', { 'Content-Length': '0' });
    expect(res.status).toBe(200);
    expect(lengths(backend.requests[0])).toEqual(length === 'none' ? [] : [length]);
  });
});

/** A GET through node:http, which shows the response's framing headers as sent. */
const rawGet = (path: string) => rawRequest(new URL(`${gw.url}${path}`), 'GET', {});

describe('framing of non-proxy responses', () => {
  test('a mapped Transfer-Encoding is dropped: a templated response goes with Content-Length', async () => {
    backend.respond({ headers: { 'Content-Type': 'application/json' }, body: '{"a":1}' });
    const res = await rawGet('/http/te-template');
    expect(res.status).toBe(200);
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength('{"got":{"a":1}}')));
    expect(res.headers['x-other']).toBe('other');
    expect(res.body).toBe('{"got":{"a":1}}');
  });

  test('a mapped Transfer-Encoding is dropped: a passthrough response goes with Content-Length', async () => {
    backend.respond({ headers: { 'Content-Type': 'text/plain' }, body: 'plain text' });
    const res = await rawGet('/http/te-passthrough');
    expect(res.status).toBe(200);
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect(res.headers['content-length']).toBe('10');
    expect(res.body).toBe('plain text');
  });

  test('a small text passthrough carries Content-Length, not chunked (invalid UTF-8 replaced first)', async () => {
    backend.respond({ headers: { 'Content-Type': 'text/plain' }, body: Buffer.from([0x61, 0xff, 0x62]) });
    const res = await rawGet('/http/text');
    expect(res.status).toBe(200);
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect(res.headers['content-length']).toBe(String(Buffer.byteLength('a\uFFFDb')));
    expect(res.body).toBe('a\uFFFDb');
  });
});
