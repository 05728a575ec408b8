import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import yaml from 'js-yaml';
import {
  API_KEY_SCHEME,
  mockMethod,
  startAccessGateway,
  testClock,
  type AccessGateway,
} from '../helpers/access';
import { parseFunctions } from '../../gateway/backends/lambda';
import { tempDir, type TempDir } from '../helpers/api-doc';
import { callSigned } from '../helpers/execute-api';
import { LAMBDA_KEYS } from '../helpers/lambda-invoke';
import { REPO, spawnApigw, type ApigwProcess } from '../helpers/cli';
import { freePort, redisAvailable, startRedis, type TestRedis } from '../helpers/redis';

// The Redis engine of the state store, against a real redis-server this test starts: gateways
// that point at it share throttle buckets, quotas and the stage cache; Redis going away fails
// open and recovers when it returns.

const KEY = 'shared-key-0123456789abcdef';
const FRESH = '{"servedBy":"$context.requestId"}';

const DOCUMENT = {
  openapi: '3.0.1',
  info: { title: 'shared state', version: '1' },
  paths: {
    '/keyed': { get: mockMethod({ security: [{ api_key: [] }] }) },
    '/limited': { get: mockMethod({ security: [{ api_key: [] }] }) },
    '/cached': { get: mockMethod({}, FRESH) },
    '/open': { get: mockMethod({}, FRESH) },
    '/authorized': {
      get: mockMethod(
        { security: [{ tokenAuth: [] }] },
        '{"invocationId":"$context.authorizer.invocationId"}',
      ),
    },
  },
  components: {
    securitySchemes: {
      api_key: API_KEY_SCHEME,
      tokenAuth: {
        type: 'apiKey',
        name: 'Authorization',
        in: 'header',
        'x-amazon-apigateway-authtype': 'custom',
        'x-amazon-apigateway-authorizer': {
          type: 'token',
          authorizerUri:
            'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:TokenAuth/invocations',
          authorizerResultTtlInSeconds: 300,
        },
      },
    },
  },
};

/** `rate`: the per-method limit's refill; processes on the real clock use one too slow to matter. */
function settings(redis: string, rate = 1) {
  return {
    redis,
    apiKeys: [{ id: 'sharedkey1', value: KEY, enabled: true }],
    usagePlans: [
      {
        id: 'shared',
        apiStages: [{ stage: 'dev', throttle: { '/limited/GET': { rateLimit: rate, burstLimit: 4 } } }],
        quota: { limit: 6, period: 'DAY' },
        apiKeys: ['sharedkey1'],
      },
    ],
    cacheClusterEnabled: true,
    methodSettings: { '/cached/GET': { cachingEnabled: true }, '/open/GET': { cachingEnabled: false } },
  };
}

const run = redisAvailable() ? describe : describe.skip;
const servedBy = (body: string) => (JSON.parse(body) as { servedBy: string }).servedBy;

run('two gateways sharing one Redis (injected clock)', () => {
  let redis: TestRedis;
  let dir: TempDir;
  let a: AccessGateway;
  let b: AccessGateway;
  let callLog: string;
  const clock = testClock(Date.UTC(2026, 2, 10, 23, 0));
  beforeAll(async () => {
    redis = await startRedis();
    dir = tempDir('apigw-redis-');
    callLog = path.join(dir.dir, 'calls.log');
    writeFileSync(callLog, '');
    const functions = parseFunctions(
      {
        TokenAuth: {
          handler: 'test/fixtures/authorizers/token.js#handler',
          environment: { CALL_LOG: callLog },
        },
      },
      REPO,
      'test',
    );
    const env = {
      AWS_ACCESS_KEY_ID: LAMBDA_KEYS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LAMBDA_KEYS.secretAccessKey,
    };
    // The same API file in two folders, as on two machines: one API id, hence one stage cache and
    // one set of buckets and quotas.
    a = await startAccessGateway(DOCUMENT, settings(redis.url), { clock, dir, functions, env });
    b = await startAccessGateway(DOCUMENT, settings(redis.url), { clock, functions, env });
    expect(b.running.apiId).toBe(a.running.apiId);
    expect(b.dir.dir).not.toBe(a.dir.dir);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await redis?.stop();
    dir?.remove();
  });

  test('one per-method token bucket: burst 4 across both, then 1 a second', async () => {
    const seen: number[] = [];
    for (let i = 0; i < 8; i++)
      seen.push((await (i % 2 ? b : a).get('/limited', { 'x-api-key': KEY })).status);
    expect(seen).toEqual([200, 200, 200, 200, 429, 429, 429, 429]);
    clock.advance(1000);
    expect((await b.get('/limited', { 'x-api-key': KEY })).status).toBe(200);
    expect((await a.get('/limited', { 'x-api-key': KEY })).status).toBe(429);
  });

  test('one quota: the 5 allowed requests so far count for both; it resets at 00:00 UTC', async () => {
    // 5 requests passed above; the quota is 6.
    expect((await a.get('/keyed', { 'x-api-key': KEY })).status).toBe(200);
    const over = await b.get('/keyed', { 'x-api-key': KEY });
    expect(over.status).toBe(429);
    expect(JSON.parse(over.body)).toEqual({ message: 'Limit Exceeded' });
    clock.set(Date.UTC(2026, 2, 11, 0, 0, 1));
    expect((await b.get('/keyed', { 'x-api-key': KEY })).status).toBe(200);
  });

  test('one stage cache: filled by one gateway, served by the other', async () => {
    const filled = await a.get('/cached');
    const served = await b.get('/cached');
    expect(servedBy(served.body)).toBe(servedBy(filled.body));
    expect(served.headers.get('x-amzn-requestid')).not.toBe(filled.headers.get('x-amzn-requestid'));
  });

  test('a Redis that stops answering (connection open) fails open, and is used again once it answers', async () => {
    redis.pause();
    try {
      // Commands time out (1 s): the request is served from this process's memory instead.
      expect((await a.get('/cached')).status).toBe(200);
      expect(a.lines.filter((l) => /Redis at \S+ is unavailable \(Command timed out\)/.test(l))).toHaveLength(
        1,
      );
      expect((await a.get('/cached')).status).toBe(200);
    } finally {
      redis.resume();
    }
    // Redis is tried again once a second: requests keep being served until it is used again.
    const deadline = Date.now() + 10_000;
    while (!a.lines.some((l) => /Redis at \S+ is back/.test(l)) && Date.now() < deadline) {
      expect((await a.get('/cached')).status).toBe(200);
    }
    expect(a.lines.filter((l) => /Redis at \S+ is back/.test(l))).toHaveLength(1);
    // Shared again: emptied, filled by one gateway, served by the other.
    const flush = await callSigned(
      `http://127.0.0.1:${a.running.port}`,
      `/_apigw/restapis/${a.running.apiId}/stages/dev/cache/data`,
      a.running.principals[0],
      { method: 'DELETE' },
    );
    expect(flush.status).toBe(202);
    const filled = await a.get('/cached');
    expect(servedBy((await b.get('/cached')).body)).toBe(servedBy(filled.body));
  });

  test('one Lambda authorizer cache: a result one gateway got is used by the other, until it is flushed', async () => {
    const token = { Authorization: 'Bearer wildcard shared' };
    const invocationId = (body: string) => (JSON.parse(body) as { invocationId: string }).invocationId;
    const first = invocationId((await a.get('/authorized', token)).body);
    expect(invocationId((await b.get('/authorized', token)).body)).toBe(first);
    expect(readFileSync(callLog, 'utf8').trim().split('\n')).toHaveLength(1);
    const keys = b.running.principals[0];
    const flush = await callSigned(
      `http://127.0.0.1:${b.running.port}`,
      `/_apigw/restapis/${b.running.apiId}/stages/dev/cache/authorizers`,
      keys,
      { method: 'DELETE' },
    );
    expect(flush.status).toBe(202);
    expect(invocationId((await a.get('/authorized', token)).body)).not.toBe(first);
    expect(readFileSync(callLog, 'utf8').trim().split('\n')).toHaveLength(2);
  });
});

/** Waits until the process's stderr (its log) matches, without sleeping. */
function stderrMatch(p: ApigwProcess, pattern: RegExp): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (pattern.test(p.stderr())) {
        p.child.stderr!.off('data', check);
        resolve();
      }
    };
    p.child.stderr!.on('data', check);
    void p.exited.then((code) => reject(new Error(`apigw exited (${code}) before logging ${pattern}`)));
    check();
  });
}

run('two apigw processes against one redis-server, which is killed and restarted', () => {
  let redis: TestRedis;
  let dir: TempDir;
  const procs: ApigwProcess[] = [];
  const urls: string[] = [];
  beforeAll(async () => {
    redis = await startRedis();
    dir = tempDir('apigw-redis-cli-');
    dir.write('api.json', DOCUMENT);
    const config = { api: 'api.json', ...settings(redis.url, 0.001) };
    writeFileSync(path.join(dir.dir, 'apigw.yaml'), yaml.dump(config));
    for (let i = 0; i < 2; i++) {
      const p = spawnApigw(['serve', dir.dir, '--port', '0', '--data-dir', path.join(dir.dir, `data${i}`)]);
      procs.push(p);
      urls.push((await p.waitFor(/Base URL: (\S+)/))[1]);
    }
  });
  afterAll(async () => {
    for (const p of procs) {
      p.child.kill('SIGTERM');
      await p.exited;
    }
    await redis?.stop();
    dir?.remove();
  });

  const get = async (i: number, p: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${urls[i]}${p}`, { headers });
    return { status: res.status, body: await res.text() };
  };

  test('a shared quota and throttle, and a cache filled by one process and served by the other', async () => {
    const limited: number[] = [];
    // Burst 4, and a refill too slow to add a token during the test: 4 pass over both processes.
    for (let i = 0; i < 6; i++) limited.push((await get(i % 2, '/limited', { 'x-api-key': KEY })).status);
    expect(limited).toEqual([200, 200, 200, 200, 429, 429]);
    // The quota (6 a day) counted those 4 across both processes: 2 more pass.
    const keyed: number[] = [];
    for (let i = 0; i < 4; i++) keyed.push((await get(i % 2, '/keyed', { 'x-api-key': KEY })).status);
    expect(keyed).toEqual([200, 200, 429, 429]);

    const filled = await get(0, '/cached');
    expect(servedBy((await get(1, '/cached')).body)).toBe(servedBy(filled.body));
  });

  test("apigw usage reads the day's usage per key from Redis (GetUsage shape)", async () => {
    const usage = spawnApigw(['usage', dir.dir, '--plan', 'shared']);
    expect(await usage.exited).toBe(0);
    const today = new Date().toISOString().slice(0, 10);
    // Six requests passed the quota of six, over both processes.
    expect(JSON.parse(usage.stdout())).toEqual({
      usagePlanId: 'shared',
      startDate: today,
      endDate: today,
      values: { sharedkey1: [[6, 0]] },
    });
    const unknown = spawnApigw(['usage', dir.dir, '--plan', 'nope']);
    expect(await unknown.exited).toBe(1);
    expect(unknown.stderr()).toBe('apigw: Invalid Usage Plan ID specified: nope\n');
  });

  test('Redis killed: requests are still served, the outage is logged once; back: shared again', async () => {
    await redis.kill();
    for (let i = 0; i < 4; i++) {
      expect((await get(i % 2, '/open')).status).toBe(200);
      expect((await get(i % 2, '/cached')).status).toBe(200);
    }
    for (const p of procs) {
      await stderrMatch(p, /Redis at redis:\/\/127\.0\.0\.1:\d+\/? is unavailable/);
      expect(p.stderr().match(/is unavailable/g)).toHaveLength(1);
    }
    await redis.restart();
    for (const p of procs) await stderrMatch(p, /Redis at \S+ is back/);
    // The restarted Redis is empty: a cache entry one process fills is served by the other again.
    const filled = await get(1, '/cached');
    expect(servedBy((await get(0, '/cached')).body)).toBe(servedBy(filled.body));
    // And the quota is counted in Redis again, for both.
    const keyed: number[] = [];
    for (let i = 0; i < 8; i++) keyed.push((await get(i % 2, '/keyed', { 'x-api-key': KEY })).status);
    expect(keyed.filter((s) => s === 200).length).toBe(6);
  });
});

/** A GET on a new connection each time, so that a cluster spreads them over its workers. */
function getOnNewConnection(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, headers }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', reject);
  });
}

run('apigw serve --workers 2 --redis: the workers share one quota', () => {
  let redis: TestRedis;
  let dir: TempDir;
  let p: ApigwProcess;
  let url: string;
  beforeAll(async () => {
    redis = await startRedis();
    dir = tempDir('apigw-redis-workers-');
    dir.write('api.json', DOCUMENT);
    writeFileSync(path.join(dir.dir, 'apigw.yaml'), yaml.dump({ api: 'api.json', ...settings(redis.url) }));
    p = spawnApigw([
      'serve',
      dir.dir,
      '--port',
      '0',
      '--workers',
      '2',
      '--data-dir',
      path.join(dir.dir, 'data'),
    ]);
    url = (await p.waitFor(/Base URL: (\S+)/))[1];
    await p.waitFor(/Workers: 2/);
  });
  afterAll(async () => {
    p?.child.kill('SIGTERM');
    await p?.exited;
    await redis?.stop();
    dir?.remove();
  });

  test('12 requests over new connections: exactly the quota (6) passes', async () => {
    const seen: number[] = [];
    for (let i = 0; i < 12; i++) seen.push(await getOnNewConnection(`${url}/keyed`, { 'x-api-key': KEY }));
    expect(seen.filter((s) => s === 200)).toHaveLength(6);
    expect(seen.filter((s) => s === 429)).toHaveLength(6);
  });
});

describe('a Redis that cannot be reached at start-up', () => {
  test('apigw serve stops with one line and exit code 1', async () => {
    const dir = tempDir('apigw-redis-down-');
    try {
      dir.write('api.json', DOCUMENT);
      const port = await freePort();
      const p = spawnApigw([
        'serve',
        path.join(dir.dir, 'api.json'),
        '--port',
        '0',
        '--data-dir',
        dir.dir,
        '--redis',
        `redis://127.0.0.1:${port}`,
      ]);
      expect(await p.exited).toBe(1);
      const lines = p.stderr().trim().split('\n');
      expect(lines.at(-1)).toMatch(
        new RegExp(`^apigw: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}/?: .*ECONNREFUSED`),
      );
      expect(p.stderr()).not.toMatch(/\n\s+at /);
    } finally {
      dir.remove();
    }
  });
});
