import {
  API_KEY_SCHEME,
  mockMethod,
  startAccessGateway,
  testClock,
  type AccessGateway,
} from '../helpers/access';
import { callSigned } from '../helpers/execute-api';

// Throttling and quotas through real HTTP, on an injected clock: every assertion is a count of 200
// and 429 over a known schedule, never a wall-clock measurement.

const ALICE = 'alice-key-0123456789abcdef';
const BOB = 'bob-key-0123456789abcdef0';
const CAROL = 'carol-key-0123456789abcdef';

function document(extra: Record<string, unknown> = {}) {
  const keyed = () => mockMethod({ security: [{ api_key: [] }] });
  return {
    openapi: '3.0.1',
    info: { title: 'throttling', version: '1' },
    paths: {
      '/keyed': { get: keyed() },
      '/limited': { get: keyed() },
      '/quota': { get: keyed() },
      '/open': { get: mockMethod() },
      '/other': { get: mockMethod() },
    },
    components: { securitySchemes: { api_key: API_KEY_SCHEME } },
    ...extra,
  };
}

const SETTINGS = {
  apiKeys: [
    { id: 'alicekey01', value: ALICE, enabled: true },
    { id: 'bobkey0001', value: BOB, enabled: true },
    { id: 'carolkey01', value: CAROL, enabled: true },
  ],
  usagePlans: [
    {
      id: 'burst3',
      apiStages: [{ stage: 'dev', throttle: { '/limited/GET': { rateLimit: 0.5, burstLimit: 1 } } }],
      throttle: { rateLimit: 1, burstLimit: 3 },
      apiKeys: ['alicekey01', 'bobkey0001'],
    },
    {
      id: 'quota5',
      apiStages: [{ stage: 'dev' }],
      quota: { limit: 5, period: 'DAY' },
      apiKeys: ['carolkey01'],
    },
  ],
  methodSettings: {
    '*/*': { throttlingRateLimit: 2, throttlingBurstLimit: 1 },
    '/other/GET': { throttlingBurstLimit: 4, throttlingRateLimit: 1000 },
    // Generous for the key-required methods, so the plan's buckets decide there.
    '/keyed/GET': { throttlingRateLimit: 1000, throttlingBurstLimit: 1000 },
    '/limited/GET': { throttlingRateLimit: 1000, throttlingBurstLimit: 1000 },
    '/quota/GET': { throttlingRateLimit: 1000, throttlingBurstLimit: 1000 },
  },
};

/** Sends `n` requests one after another; the statuses in order. */
async function statuses(gw: AccessGateway, n: number, path: string, headers: Record<string, string> = {}) {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((await gw.get(path, headers)).status);
  return out;
}

const count = (list: number[], status: number) => list.filter((s) => s === status).length;

describe('usage plan and stage throttling', () => {
  const clock = testClock();
  let gw: AccessGateway;
  beforeAll(async () => {
    gw = await startAccessGateway(document(), SETTINGS, { clock });
  });
  afterAll(() => gw.close());

  test('the plan bucket: a burst of 3, then 1 a second; 429 Too Many Requests', async () => {
    const key = { 'x-api-key': ALICE };
    expect(await statuses(gw, 5, '/keyed', key)).toEqual([200, 200, 200, 429, 429]);
    const res = await gw.get('/keyed', key);
    expect(res.status).toBe(429);
    expect(JSON.parse(res.body)).toEqual({ message: 'Too Many Requests' });
    expect(res.headers.get('x-amzn-errortype')).toBe('TooManyRequestsException');
    clock.advance(1000);
    expect(await statuses(gw, 2, '/keyed', key)).toEqual([200, 429]);
    // A long pause refills the bucket up to its burst only.
    clock.advance(60_000);
    expect(await statuses(gw, 4, '/keyed', key)).toEqual([200, 200, 200, 429]);
  });

  test('buckets are per key: bob is not throttled by alice', async () => {
    clock.advance(60_000);
    await statuses(gw, 4, '/keyed', { 'x-api-key': ALICE });
    expect(await statuses(gw, 3, '/keyed', { 'x-api-key': BOB })).toEqual([200, 200, 200]);
  });

  test('a per-method plan limit applies besides the per-key one', async () => {
    clock.advance(60_000);
    const key = { 'x-api-key': BOB };
    // /limited/GET: burst 1, one token every 2 s; the key's own bucket (burst 3) is not the limit here.
    expect(await statuses(gw, 3, '/limited', key)).toEqual([200, 429, 429]);
    clock.advance(1000);
    expect(await statuses(gw, 1, '/limited', key)).toEqual([429]);
    clock.advance(1000);
    expect(await statuses(gw, 1, '/limited', key)).toEqual([200]);
    // The plan-wide bucket counted the two that passed (refused ones stopped at the method's bucket):
    // full (3) after the pause, minus the last one: 2 left.
    expect(await statuses(gw, 3, '/keyed', key)).toEqual([200, 200, 429]);
  });

  test('a steady rate: */* at 2 requests a second, burst 1, over 10 s in 250 ms steps', async () => {
    clock.advance(60_000);
    const seen: number[] = [];
    for (let i = 0; i < 40; i++) {
      seen.push((await gw.get('/open')).status);
      clock.advance(250);
    }
    // One token every 500 ms: every other request gets through.
    expect(count(seen, 200)).toBe(20);
    expect(count(seen, 429)).toBe(20);
    expect(seen.slice(0, 4)).toEqual([200, 429, 200, 429]);
  });

  test('a /path/VERB method setting overrides */* for its method', async () => {
    clock.advance(60_000);
    expect(await statuses(gw, 6, '/other')).toEqual([200, 200, 200, 200, 429, 429]);
  });

  test('the quota: 5 a day, then 429 Limit Exceeded until the next UTC day', async () => {
    clock.set(Date.UTC(2026, 0, 20, 23, 59, 0));
    const key = { 'x-api-key': CAROL };
    expect(await statuses(gw, 5, '/quota', key)).toEqual([200, 200, 200, 200, 200]);
    const res = await gw.get('/quota', key);
    expect(res.status).toBe(429);
    expect(JSON.parse(res.body)).toEqual({ message: 'Limit Exceeded' });
    expect(res.headers.get('x-amzn-errortype')).toBe('LimitExceededException');
    clock.set(Date.UTC(2026, 0, 20, 23, 59, 59, 999));
    expect(await statuses(gw, 1, '/quota', key)).toEqual([429]);
    // 00:00 UTC: a new period, not 24 hours after the first request.
    clock.set(Date.UTC(2026, 0, 21, 0, 0, 0));
    expect(await statuses(gw, 6, '/quota', key)).toEqual([200, 200, 200, 200, 200, 429]);
  });

  test('GetUsage: used and remaining per key and UTC day, from the admin endpoint (SigV4-signed)', async () => {
    const base = `http://127.0.0.1:${gw.running.port}`;
    const keys = gw.running.principals[0];
    const res = await callSigned(
      base,
      '/_apigw/usageplans/quota5/usage?startDate=2026-01-19&endDate=2026-01-21',
      keys,
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      usagePlanId: 'quota5',
      startDate: '2026-01-19',
      endDate: '2026-01-21',
      // Refused requests are not counted.
      values: {
        carolkey01: [
          [0, 5],
          [5, 0],
          [5, 0],
        ],
      },
    });
    const unsigned = await fetch(
      `${base}/_apigw/usageplans/quota5/usage?startDate=2026-01-19&endDate=2026-01-21`,
    );
    expect(unsigned.status).toBe(403);
    const unknown = await callSigned(
      base,
      '/_apigw/usageplans/nope/usage?startDate=2026-01-19&endDate=2026-01-21',
      keys,
    );
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ message: 'Invalid Usage Plan ID specified' });
  });
});

describe('quota offset, weekly and monthly periods, account throttle', () => {
  const clock = testClock(Date.UTC(2026, 0, 15, 12)); // a Thursday
  let gw: AccessGateway;
  beforeAll(async () => {
    gw = await startAccessGateway(
      document(),
      {
        apiKeys: SETTINGS.apiKeys,
        usagePlans: [
          {
            id: 'weekly',
            apiStages: [{ stage: 'dev' }],
            quota: { limit: 4, period: 'WEEK', offset: 2 },
            apiKeys: ['alicekey01'],
          },
          {
            id: 'monthly',
            apiStages: [{ stage: 'dev' }],
            quota: { limit: 2, period: 'MONTH' },
            apiKeys: ['bobkey0001'],
          },
        ],
        accountThrottle: { rateLimit: 1, burstLimit: 3 },
      },
      { clock },
    );
  });
  afterAll(() => gw.close());

  test('the account bucket limits every method together', async () => {
    expect([...(await statuses(gw, 2, '/open')), ...(await statuses(gw, 2, '/other'))]).toEqual([
      200, 200, 200, 429,
    ]);
  });

  test('offset is taken off the first period only; a WEEK starts on Sunday 00:00 UTC', async () => {
    clock.advance(3_600_000);
    const key = { 'x-api-key': ALICE };
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      seen.push((await gw.get('/quota', key)).status);
      clock.advance(1000);
    }
    expect(seen).toEqual([200, 200, 429]);
    clock.set(Date.UTC(2026, 0, 17, 23, 59, 59)); // Saturday
    expect((await gw.get('/quota', key)).status).toBe(429);
    clock.set(Date.UTC(2026, 0, 18, 0, 0, 1)); // Sunday
    const week2: number[] = [];
    for (let i = 0; i < 5; i++) {
      week2.push((await gw.get('/quota', key)).status);
      clock.advance(1000);
    }
    expect(week2).toEqual([200, 200, 200, 200, 429]);
  });

  test('a MONTH resets on the 1st, 00:00 UTC', async () => {
    clock.set(Date.UTC(2026, 0, 31, 10));
    const key = { 'x-api-key': BOB };
    const seen: number[] = [];
    for (let i = 0; i < 3; i++) {
      seen.push((await gw.get('/quota', key)).status);
      clock.advance(1000);
    }
    expect(seen).toEqual([200, 200, 429]);
    clock.set(Date.UTC(2026, 1, 1, 0, 0, 1));
    expect((await gw.get('/quota', key)).status).toBe(200);
  });
});

describe('THROTTLED and QUOTA_EXCEEDED are customisable', () => {
  const clock = testClock();
  let gw: AccessGateway;
  beforeAll(async () => {
    gw = await startAccessGateway(
      document({
        'x-amazon-apigateway-gateway-responses': {
          THROTTLED: {
            responseParameters: { 'gatewayresponse.header.Retry-After': "'1'" },
            responseTemplates: { 'application/json': '{"slowDown":"$context.error.message"}' },
          },
          QUOTA_EXCEEDED: {
            statusCode: 402,
            responseTemplates: { 'application/json': '{"upgrade":"$context.error.responseType"}' },
          },
        },
      }),
      SETTINGS,
      { clock },
    );
  });
  afterAll(() => gw.close());

  test('THROTTLED', async () => {
    await statuses(gw, 1, '/open');
    const res = await gw.get('/open');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(JSON.parse(res.body)).toEqual({ slowDown: 'Too Many Requests' });
  });

  test('QUOTA_EXCEEDED', async () => {
    await statuses(gw, 5, '/quota', { 'x-api-key': CAROL });
    const res = await gw.get('/quota', { 'x-api-key': CAROL });
    expect(res.status).toBe(402);
    expect(JSON.parse(res.body)).toEqual({ upgrade: 'QUOTA_EXCEEDED' });
  });
});
