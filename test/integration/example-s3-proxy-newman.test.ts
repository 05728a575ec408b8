import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  EXAMPLE_KEYS,
  S3_PROXY_EXAMPLE,
  startS3ProxyExample,
  type RunningExample,
} from '../helpers/s3-proxy-example';

// newman ships no type declarations; this is the part of its programmatic API the test uses.
interface NewmanSummary {
  run: {
    stats: Record<
      'requests' | 'assertions' | 'testScripts' | 'prerequestScripts',
      { total: number; failed: number }
    >;
    failures: Array<{ error: { name: string; message: string; test?: string }; source?: { name?: string } }>;
    executions: Array<{ item: { name: string }; response?: { code: number } }>;
  };
}
interface NewmanRunOptions {
  collection: unknown;
  environment: unknown;
  envVar: Array<{ key: string; value: string }>;
  reporters: string[];
}
const newman = require('newman') as {
  run(options: NewmanRunOptions, callback: (err: Error | null, summary: NewmanSummary) => void): unknown;
};

const POSTMAN = path.join(S3_PROXY_EXAMPLE, 'postman');
const collection = JSON.parse(readFileSync(path.join(POSTMAN, 's3-proxy.postman_collection.json'), 'utf8'));
const environment = JSON.parse(
  readFileSync(path.join(POSTMAN, 'apigw-local.postman_environment.json'), 'utf8'),
);

interface Script {
  listen: string;
  script: { exec: string[] };
}
const testsIn = (events: Script[] = []) =>
  events
    .filter((e) => e.listen === 'test')
    .reduce((n, e) => n + (e.script.exec.join('\n').match(/\bpm\.test\(/g) ?? []).length, 0);

/** The collection's requests, in order, and the status each one expects (from its first pm.test). */
const items = (collection.item as Array<{ name: string; event: Script[] }>).map((item) => ({
  name: item.name,
  assertions: testsIn(item.event),
  status: Number(
    /to\.have\.status\((\d{3})\)/.exec(item.event.map((e) => e.script.exec.join('\n')).join())![1],
  ),
}));
/** Every pm.test runs unconditionally: the request's own, plus the collection-level ones after each request. */
const expectedAssertions =
  items.reduce((n, item) => n + item.assertions, 0) + items.length * testsIn(collection.event);

function runNewman(
  baseUrl: string,
  keys: { accessKeyId: string; secretAccessKey: string },
): Promise<NewmanSummary> {
  return new Promise((resolve, reject) =>
    newman.run(
      {
        collection,
        environment,
        // What a user does with `--env-var`: point the environment at this gateway and its keys.
        envVar: [
          { key: 'baseUrl', value: baseUrl },
          { key: 'accessKey', value: keys.accessKeyId },
          { key: 'secretKey', value: keys.secretAccessKey },
        ],
        reporters: [],
      },
      (err, summary) => (err ? reject(err) : resolve(summary)),
    ),
  );
}

const describeFailures = (summary: NewmanSummary) =>
  summary.run.failures.map(
    (f) => `${f.source?.name ?? '?'}: ${f.error.test ?? f.error.name}: ${f.error.message}`,
  );

let gateway: RunningExample;
beforeAll(async () => {
  gateway = await startS3ProxyExample();
}, 60_000);
afterAll(async () => {
  if (gateway) expect(await gateway.stop()).toBe(0);
});

test('the collection is the tutorial walk-through, signed by awsv4 at collection level', () => {
  expect(collection.info.schema).toBe('https://schema.getpostman.com/json/collection/v2.1.0/collection.json');
  expect(collection.auth.type).toBe('awsv4');
  expect(
    Object.fromEntries(collection.auth.awsv4.map((p: { key: string; value: string }) => [p.key, p.value])),
  ).toEqual({
    accessKey: '{{accessKey}}',
    secretKey: '{{secretKey}}',
    region: '{{region}}',
    service: 'execute-api',
  });
  expect(JSON.stringify(collection)).not.toMatch(/AWS4-HMAC-SHA256|"Authorization"/i);
  expect(items.map((i) => i.status)).toEqual([
    200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 400, 200, 200, 400, 403,
  ]);
  expect(items.every((i) => i.assertions > 0)).toBe(true);
  expect(expectedAssertions).toBe(49);
});

test('newman runs the Postman collection against `apigw serve examples/s3-proxy` without a failure', async () => {
  const summary = await runNewman(gateway.baseUrl, EXAMPLE_KEYS);
  expect(describeFailures(summary)).toEqual([]);
  expect(summary.run.stats.requests).toMatchObject({ total: items.length, failed: 0 });
  expect(summary.run.stats.assertions).toMatchObject({ total: expectedAssertions, failed: 0 });
  expect(summary.run.executions.map((e) => [e.item.name, e.response?.code])).toEqual(
    items.map((i) => [i.name, i.status]),
  );
}, 60_000);

test('with a wrong secret key every request is refused with 403 and the run reports it', async () => {
  const summary = await runNewman(gateway.baseUrl, { ...EXAMPLE_KEYS, secretAccessKey: 'not-the-secret' });
  expect(summary.run.executions.map((e) => e.response?.code)).toEqual(items.map(() => 403));
  // Only the last request (sent without a signature on purpose) expects the 403 it gets.
  const failed = new Set(summary.run.failures.map((f) => f.source?.name));
  expect([...failed]).toEqual(items.slice(0, -1).map((i) => i.name));
}, 60_000);
