import { mockMethod, startAccessGateway, testClock, type AccessGateway } from '../helpers/access';
import { startCaptureServer, type CaptureServer } from '../helpers/capture-server';
import { callSigned } from '../helpers/execute-api';

// The stage cache through real HTTP. A mock integration answers with its own request id, so a body
// that repeats an earlier request's id came from the cache; the injected clock expires entries.

const FRESH = '{"servedBy":"$context.requestId"}';

function param(name: string, where: 'path' | 'query' | 'header') {
  return { name, in: where, ...(where === 'path' ? { required: true } : {}), schema: { type: 'string' } };
}

function cached(keyParameters: string[], parameters: unknown[], integration: Record<string, unknown> = {}) {
  const method = mockMethod({ parameters }, FRESH);
  const own = method['x-amazon-apigateway-integration'] as Record<string, unknown>;
  method['x-amazon-apigateway-integration'] = { ...own, cacheKeyParameters: keyParameters, ...integration };
  return method;
}

function document(backendUrl: string) {
  return {
    openapi: '3.0.1',
    info: { title: 'stage cache', version: '1' },
    paths: {
      '/items/{id}': {
        get: cached(
          ['method.request.querystring.type'],
          [param('id', 'path'), param('type', 'query'), param('department', 'query')],
        ),
        post: cached([], [param('id', 'path')]),
        put: cached([], [param('id', 'path')]),
      },
      '/users/{id}': { get: cached(['method.request.path.id'], [param('id', 'path')]) },
      '/lang': {
        get: cached(['method.request.header.Accept-Language'], [param('Accept-Language', 'header')]),
      },
      '/mapped': {
        get: cached(['integration.request.header.tenant'], [param('X-Tenant', 'header')], {
          requestParameters: { 'integration.request.header.tenant': 'method.request.header.X-Tenant' },
        }),
      },
      '/shared-a': { get: cached([], [], { cacheNamespace: 'shared' }) },
      '/shared-b': { get: cached([], [], { cacheNamespace: 'shared' }) },
      '/short': { get: cached([], []) },
      '/uncached': { get: cached([], []) },
      '/big/{size}': {
        get: {
          parameters: [param('size', 'path')],
          responses: { '200': { description: 'ok' } },
          'x-amazon-apigateway-integration': {
            type: 'http_proxy',
            httpMethod: 'GET',
            uri: `${backendUrl}/big/{size}`,
            requestParameters: { 'integration.request.path.size': 'method.request.path.size' },
            cacheKeyParameters: ['method.request.path.size'],
          },
        },
      },
      '/signed': {
        get: { ...cached([], []), 'x-amazon-apigateway-auth': { type: 'AWS_IAM' } },
      },
    },
  };
}

const servedBy = (res: { body: string }) => (JSON.parse(res.body) as { servedBy: string }).servedBy;

describe('stage cache', () => {
  const clock = testClock();
  let gw: AccessGateway;
  let backend: CaptureServer;
  beforeAll(async () => {
    backend = await startCaptureServer();
    backend.respond((req) => ({
      headers: { 'Content-Type': 'text/plain', 'X-Call': String(backend.requests.length) },
      body: 'x'.repeat(Number(req.path.split('/').pop())),
    }));
    gw = await startAccessGateway(
      document(backend.url),
      {
        cacheClusterEnabled: true,
        methodSettings: {
          '*/*': { cachingEnabled: true },
          '/items/{id}/PUT': { cachingEnabled: true },
          '/short/GET': { cacheTtlInSeconds: 10 },
          '/uncached/GET': { cachingEnabled: false },
        },
      },
      { clock },
    );
  });
  afterAll(async () => {
    await gw.close();
    await backend.close();
  });

  test('a hit answers the stored response with a new request id', async () => {
    const first = await gw.get('/items/1?type=admin');
    const second = await gw.get('/items/1?type=admin');
    expect(second.status).toBe(200);
    expect(servedBy(second)).toBe(servedBy(first));
    expect(servedBy(first)).toBe(first.headers.get('x-amzn-requestid'));
    expect(second.headers.get('x-amzn-requestid')).not.toBe(first.headers.get('x-amzn-requestid'));
    expect(second.headers.get('content-type')).toBe('application/json');
  });

  test('only the key parameters make the key: another type misses, another path or department hits', async () => {
    const admin = servedBy(await gw.get('/items/1?type=admin'));
    expect(servedBy(await gw.get('/items/1?type=user'))).not.toBe(admin);
    // AWS's own example: the department is not a key parameter, nor is the path parameter.
    expect(servedBy(await gw.get('/items/2?type=admin&department=B'))).toBe(admin);
  });

  test('a path parameter in cacheKeyParameters separates entries', async () => {
    const one = servedBy(await gw.get('/users/1'));
    expect(servedBy(await gw.get('/users/1'))).toBe(one);
    expect(servedBy(await gw.get('/users/2'))).not.toBe(one);
  });

  test('a header key parameter, and an integration parameter mapped from a header', async () => {
    const fr = servedBy(await gw.get('/lang', { 'Accept-Language': 'fr' }));
    expect(servedBy(await gw.get('/lang', { 'accept-language': 'fr' }))).toBe(fr);
    expect(servedBy(await gw.get('/lang', { 'Accept-Language': 'de' }))).not.toBe(fr);
    const a = servedBy(await gw.get('/mapped', { 'X-Tenant': 'a' }));
    expect(servedBy(await gw.get('/mapped', { 'X-Tenant': 'a' }))).toBe(a);
    expect(servedBy(await gw.get('/mapped', { 'X-Tenant': 'b' }))).not.toBe(a);
  });

  test('resources with one cacheNamespace share entries', async () => {
    const a = servedBy(await gw.get('/shared-a'));
    expect(servedBy(await gw.get('/shared-b'))).toBe(a);
  });

  test('*/* caches GET only; another verb needs its own method setting', async () => {
    const post = servedBy(await gw.request('POST', '/items/9'));
    expect(servedBy(await gw.request('POST', '/items/9'))).not.toBe(post);
    const put = servedBy(await gw.request('PUT', '/items/9'));
    expect(servedBy(await gw.request('PUT', '/items/9'))).toBe(put);
    const off = servedBy(await gw.get('/uncached'));
    expect(servedBy(await gw.get('/uncached'))).not.toBe(off);
  });

  test('entries live for cacheTtlInSeconds (default 300)', async () => {
    const short = servedBy(await gw.get('/short'));
    const long = servedBy(await gw.get('/users/77'));
    clock.advance(9_999);
    expect(servedBy(await gw.get('/short'))).toBe(short);
    clock.advance(1);
    expect(servedBy(await gw.get('/short'))).not.toBe(short);
    clock.advance(290_000 - 1);
    expect(servedBy(await gw.get('/users/77'))).toBe(long);
    clock.advance(1);
    expect(servedBy(await gw.get('/users/77'))).not.toBe(long);
  });

  test('a backend response up to 1 MB is cached (streamed from http_proxy); a larger one is not', async () => {
    backend.reset();
    backend.respond((req) => ({
      headers: { 'Content-Type': 'text/plain' },
      body: 'x'.repeat(Number(req.path.split('/').pop())),
    }));
    const small = 1024 * 1024;
    for (let i = 0; i < 2; i++) {
      const res = await gw.get(`/big/${small}`);
      expect(res.body.length).toBe(small);
    }
    expect(backend.requests.length).toBe(1);
    for (let i = 0; i < 2; i++) {
      const res = await gw.get(`/big/${small + 1}`);
      expect(res.body.length).toBe(small + 1);
    }
    expect(backend.requests.length).toBe(3);
  });

  test('Cache-Control: max-age=0 from an unauthorized caller is ignored, with a Warning header (the default)', async () => {
    const cachedId = servedBy(await gw.get('/users/5'));
    const res = await gw.get('/users/5', { 'Cache-Control': 'max-age=0' });
    expect(servedBy(res)).toBe(cachedId);
    expect(res.headers.get('warning')).toBe(
      '199 Cache-control headers were ignored because the caller was unauthorized.',
    );
    expect((await gw.get('/users/5')).headers.get('warning')).toBeNull();
  });

  test('a SigV4-verified caller invalidates its entry with Cache-Control: max-age=0', async () => {
    const keys = gw.running.principals[0];
    const first = await callSigned(gw.running.url, '/signed', keys);
    const firstId = ((await first.json()) as { servedBy: string }).servedBy;
    const again = await callSigned(gw.running.url, '/signed', keys);
    expect(((await again.json()) as { servedBy: string }).servedBy).toBe(firstId);
    const fresh = await callSigned(gw.running.url, '/signed', keys, {
      headers: { 'Cache-Control': 'max-age=0' },
    });
    const freshId = ((await fresh.json()) as { servedBy: string }).servedBy;
    expect(freshId).not.toBe(firstId);
    // The entry was replaced.
    const after = await callSigned(gw.running.url, '/signed', keys);
    expect(((await after.json()) as { servedBy: string }).servedBy).toBe(freshId);
  });

  test('FlushStageCache through the signed admin endpoint empties the stage cache', async () => {
    const before = servedBy(await gw.get('/users/9'));
    const base = `http://127.0.0.1:${gw.running.port}`;
    const keys = gw.running.principals[0];
    const flush = await callSigned(base, `/_apigw/restapis/${gw.running.apiId}/stages/dev/cache/data`, keys, {
      method: 'DELETE',
    });
    expect(flush.status).toBe(202);
    expect(servedBy(await gw.get('/users/9'))).not.toBe(before);
    const wrongStage = await callSigned(
      base,
      `/_apigw/restapis/${gw.running.apiId}/stages/prod/cache/data`,
      keys,
      {
        method: 'DELETE',
      },
    );
    expect(wrongStage.status).toBe(404);
  });
});

describe('Cache-Control strategies and settings', () => {
  const start = (methodSettings: Record<string, unknown>, cacheClusterEnabled = true) =>
    startAccessGateway(document('http://127.0.0.1:9'), { cacheClusterEnabled, methodSettings });

  test('FAIL_WITH_403 refuses an unauthorized max-age=0', async () => {
    const gw = await start({
      '*/*': { cachingEnabled: true, unauthorizedCacheControlHeaderStrategy: 'FAIL_WITH_403' },
    });
    try {
      await gw.get('/users/1');
      const res = await gw.get('/users/1', { 'Cache-Control': 'max-age=0' });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body)).toEqual({ message: 'Forbidden' });
    } finally {
      await gw.close();
    }
  });

  test('SUCCEED_WITHOUT_RESPONSE_HEADER serves the entry without a Warning', async () => {
    const gw = await start({
      '*/*': {
        cachingEnabled: true,
        unauthorizedCacheControlHeaderStrategy: 'SUCCEED_WITHOUT_RESPONSE_HEADER',
      },
    });
    try {
      const id = servedBy(await gw.get('/users/1'));
      const res = await gw.get('/users/1', { 'Cache-Control': 'max-age=0' });
      expect(servedBy(res)).toBe(id);
      expect(res.headers.get('warning')).toBeNull();
    } finally {
      await gw.close();
    }
  });

  test('requireAuthorizationForCacheControl: false lets any caller invalidate', async () => {
    const gw = await start({ '*/*': { cachingEnabled: true, requireAuthorizationForCacheControl: false } });
    try {
      const id = servedBy(await gw.get('/users/1'));
      const fresh = servedBy(await gw.get('/users/1', { 'Cache-Control': 'no-cache, max-age=0' }));
      expect(fresh).not.toBe(id);
      expect(servedBy(await gw.get('/users/1'))).toBe(fresh);
    } finally {
      await gw.close();
    }
  });

  test('without cacheClusterEnabled nothing is cached (and start-up says so)', async () => {
    const gw = await start({ '*/*': { cachingEnabled: true } }, false);
    try {
      const id = servedBy(await gw.get('/users/1'));
      expect(servedBy(await gw.get('/users/1'))).not.toBe(id);
      expect(gw.lines.some((l) => l.includes('cacheClusterEnabled is not true'))).toBe(true);
    } finally {
      await gw.close();
    }
  });
});
