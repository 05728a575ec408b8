/**
 * Payloads that would hurt a gateway rendering templates on its event loop: JSON nested 100,000
 * levels deep, and a 10 MB document with a million keys (issue: fidelity and hardening, item 19).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { tempDir, recordingLogger, type TempDir } from '../helpers/api-doc';
import { startCaptureServer, type CaptureServer } from '../helpers/capture-server';
import { startGateway, type RunningGateway } from '../../gateway/serve';
import * as templatePool from '../../gateway/template-pool';

let backend: CaptureServer;
let dir: TempDir;
let gw: RunningGateway;
const { lines, log } = recordingLogger();

function method(url: string, template: string, responseTemplate?: string): Record<string, unknown> {
  return {
    responses: { '200': { description: 'ok' } },
    'x-amazon-apigateway-integration': {
      type: 'http',
      httpMethod: 'POST',
      uri: url,
      requestTemplates: { 'application/json': template },
      responses: {
        default: {
          statusCode: '200',
          ...(responseTemplate ? { responseTemplates: { 'application/json': responseTemplate } } : {}),
        },
      },
    },
  };
}

beforeAll(async () => {
  backend = await startCaptureServer();
  dir = tempDir('apigw-template-limits-');
  const document = {
    swagger: '2.0',
    info: { title: 'template limits', version: '1' },
    basePath: '/t',
    paths: {
      '/json': { post: method(`${backend.url}/json`, "$input.json('$')") },
      '/path': {
        post: method(
          `${backend.url}/path`,
          '#set($b = $input.path(\'$\'))#set($context.requestOverride.header.X-Keys = "$b.size()")$b.size()',
          "#set($context.responseOverride.header.X-Echo = $input.path('$.n'))$input.json('$.n')",
        ),
      },
      '/response': { post: method(`${backend.url}/response`, '{}', "$input.json('$.a')") },
    },
  };
  gw = await startGateway(
    { api: dir.write('api.json', document), port: 0, host: '127.0.0.1', dataDir: dir.dir },
    log,
    {},
  );
});
afterAll(async () => {
  await gw.close();
  await backend.close();
  dir.remove();
});
beforeEach(() => {
  backend.reset();
  lines.length = 0;
});

const post = (path: string, body: string) =>
  fetch(`${gw.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });

const DEEP = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);

test('100,000 levels through $input.json or $input.path: a clean 500 with a log line, nothing sent', async () => {
  for (const path of ['/json', '/path']) {
    const res = await post(path, DEEP);
    expect([path, res.status]).toEqual([path, 500]);
    expect(await res.json()).toEqual({ message: 'Internal server error' });
  }
  expect(backend.requests).toHaveLength(0);
  const failures = lines.filter((l) => l.includes('request template'));
  expect(failures).toHaveLength(2);
  for (const line of failures) {
    expect(line).toContain('The body is JSON nested deeper than 1000 levels');
    expect(line).not.toContain('Maximum call stack');
  }
  // The gateway is fine afterwards.
  expect((await post('/json', '{"a":1}')).status).toBe(200);
  expect(backend.requests.at(-1)!.body.toString()).toBe('{"a":1}');
});

test('a backend answering 100,000 levels through a response template: 500 and a log line', async () => {
  backend.respond({ headers: { 'Content-Type': 'application/json' }, body: DEEP });
  const res = await post('/response', '{}');
  expect(res.status).toBe(500);
  expect(await res.json()).toEqual({ message: 'Internal server error' });
  expect(lines.some((l) => l.includes('response template') && l.includes('nested deeper than 1000'))).toBe(
    true,
  );
});

test('a large payload renders on the template thread, and what the template writes to $context comes back', async () => {
  const keys = 20_000;
  const body = `{${Array.from({ length: keys }, (_, i) => `"k${i}":${i}`).join(',')}}`;
  expect(body.length).toBeGreaterThan(templatePool.OFF_THREAD_BYTES);
  const offThread = jest.spyOn(templatePool, 'renderOffThread');
  try {
    backend.respond({
      headers: { 'Content-Type': 'application/json' },
      body: `{"n":1.0,"pad":"${'x'.repeat(70_000)}"}`,
    });
    const res = await post('/path', body);
    expect(res.status).toBe(200);
    // The response template's $input.json and its responseOverride, rendered off the loop too.
    expect(await res.text()).toBe('1.0');
    expect(res.headers.get('x-echo')).toBe('1.0');
    expect(backend.requests[0].body.toString()).toBe(String(keys));
    expect(backend.requests[0].header('X-Keys')).toBe(String(keys));
    expect(offThread).toHaveBeenCalledTimes(2);
  } finally {
    offThread.mockRestore();
  }
});

test('a 10 MB body with a million keys renders without holding the event loop', async () => {
  // Keys that are not array indexes keep their order in a JS object, as in the document.
  const body = `{${Array.from({ length: 1_000_000 }, (_, i) => `"a${i.toString(36)}":1`).join(',')}}`;
  expect(body.length).toBeLessThan(10_485_760);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const res = await post('/json', body);
  delay.disable();
  expect(res.status).toBe(200);
  expect(backend.requests[0].body.equals(Buffer.from(body))).toBe(true);
  // Rendered on the event loop this document holds it for seconds (2.5–18 s measured here); off
  // the loop the longest stall is the copies of the body, tens of milliseconds. A second is the
  // margin for a loaded machine, not a performance target.
  expect(delay.max / 1e6).toBeLessThan(1000);
}, 120_000);
