import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { recordingLogger, tempDir, type TempDir } from '../helpers/api-doc';
import { resolveConfig } from '../../gateway/config';
import { startLiveGateway, type LiveRunningGateway } from '../../gateway/live/start';

const ENV = { AWS_ACCESS_KEY_ID: 'AKIAHOTRELOADTEST001', AWS_SECRET_ACCESS_KEY: 'hot-reload-secret' };

/** A mock method answering `text` (a template, so $stageVariables work). */
function mock(text: string) {
  return {
    responses: { '200': { description: 'ok' } },
    'x-amazon-apigateway-integration': {
      type: 'mock',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      responses: { default: { statusCode: '200', responseTemplates: { 'application/json': text } } },
    },
  };
}

function api(paths: Record<string, unknown>): string {
  return JSON.stringify({ openapi: '3.0.1', info: { title: 'hot reload', version: '1' }, paths }, null, 2);
}

/** A backend that holds each request until released: a request in flight across a reload. */
const held: ServerResponse[] = [];
let backend: Server;
let backendUrl: string;
let dir: TempDir;
let gw: LiveRunningGateway;
let stopClient: () => Promise<void> = async () => {};
const logged = recordingLogger();

async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 3000; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`never: ${what}\n${logged.lines.join('')}`);
}

beforeAll(async () => {
  backend = createServer((_req, res) => void held.push(res));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  dir = tempDir('apigw-reload-');
});

afterAll(async () => {
  await stopClient();
  await gw?.close(1000);
  for (const res of held) res.destroy();
  backend.closeAllConnections();
  await new Promise((r) => backend.close(r));
  dir.remove();
});

test('add a route, change a template, break the file, fix it, change the config: no request fails meanwhile', async () => {
  const slow = {
    responses: { '200': { description: 'ok' } },
    'x-amazon-apigateway-integration': { type: 'http_proxy', httpMethod: 'GET', uri: `${backendUrl}/slow` },
  };
  const apiFile = dir.write(
    'api.json',
    api({ '/a': { get: mock('v1 $stageVariables.color') }, '/slow': { get: slow } }),
  );
  const configFile = dir.write('apigw.yaml', `api: api.json\nstageVariables:\n  color: blue\n`);
  const flags = { config: configFile, port: 0, dataDir: dir.dir };
  const resolve = () => {
    const config = resolveConfig(flags, { port: 0, host: '127.0.0.1', dataDir: dir.dir });
    return { ...config, api: config.api! };
  };
  gw = await startLiveGateway(resolve(), logged.log, { resolve, configFile, console: false }, ENV);
  const url = gw.url;

  // A client that keeps sending requests through every reload; each must succeed.
  let running = true;
  const failures: string[] = [];
  let sent = 0;
  const bodies = new Set<string>();
  const client = (async () => {
    while (running) {
      sent++;
      try {
        const res = await fetch(`${url}/a`);
        const body = await res.text();
        if (res.status !== 200) failures.push(`${res.status} ${body}`);
        else bodies.add(body);
      } catch (e) {
        failures.push(String(e));
      }
    }
  })();
  stopClient = async () => {
    running = false;
    await client;
  };
  const get = async (path: string) => {
    const res = await fetch(`${url}${path}`);
    return { status: res.status, body: await res.text() };
  };

  // A request in flight while the API changes finishes on the API it started with.
  const inFlight = fetch(`${url}/slow`);
  await until('the slow request reaches its backend', async () => (held.length > 0 ? true : undefined));

  // 1. Add a route.
  expect((await get('/b')).status).toBe(403);
  writeFileSync(
    apiFile,
    api({
      '/a': { get: mock('v1 $stageVariables.color') },
      '/b': { get: mock('b') },
      '/slow': { get: slow },
    }),
  );
  await until('/b is served', async () => ((await get('/b')).status === 200 ? true : undefined));
  expect(await get('/b')).toEqual({ status: 200, body: 'b' });

  held.shift()!.end('slow answer');
  const slowRes = await inFlight;
  expect(slowRes.status).toBe(200);
  expect(await slowRes.text()).toBe('slow answer');

  // 2. Change a template.
  writeFileSync(
    apiFile,
    api({
      '/a': { get: mock('v2 $stageVariables.color') },
      '/b': { get: mock('b') },
      '/slow': { get: slow },
    }),
  );
  await until('/a answers v2', async () => ((await get('/a')).body === 'v2 blue' ? true : undefined));

  // 3. Break the file: reported as start-up reports it, the last good API keeps serving.
  const errorsBefore = logged.lines.filter((l) => l.includes('ERROR hot reload')).length;
  writeFileSync(apiFile, '{"openapi": "3.0.1", "paths": {');
  const reported = await until(
    'the broken file is reported',
    async () => logged.lines.filter((l) => l.includes('ERROR hot reload')).slice(errorsBefore)[0],
  );
  expect(reported).toContain(
    `ERROR hot reload: ${apiFile} cannot be served:\n${apiFile}#: error: invalid JSON`,
  );
  expect(reported).toContain('still serving the last good API');
  expect(await get('/a')).toEqual({ status: 200, body: 'v2 blue' });
  expect(await get('/b')).toEqual({ status: 200, body: 'b' });

  // 4. Fix it (and drop /b).
  writeFileSync(apiFile, api({ '/a': { get: mock('v3 $stageVariables.color') }, '/slow': { get: slow } }));
  await until('/a answers v3', async () => ((await get('/a')).body === 'v3 blue' ? true : undefined));
  expect((await get('/b')).status).toBe(403);

  // 5. Change the config file: stage variables apply, a headersTimeout change waits for a restart.
  writeFileSync(configFile, `api: api.json\nheadersTimeout: 30\nstageVariables:\n  color: green\n`);
  await until('/a answers v3 green', async () => ((await get('/a')).body === 'v3 green' ? true : undefined));
  expect(logged.lines.join('')).toContain(
    'WARN hot reload: headersTimeout changed; it applies when apigw is restarted',
  );

  await stopClient();
  expect(failures).toEqual([]);
  expect(sent).toBeGreaterThan(10);
  // The client saw every version, each one whole.
  expect([...bodies].sort()).toEqual(expect.arrayContaining(['v1 blue', 'v2 blue', 'v3 blue', 'v3 green']));
  expect([...bodies].every((b) => /^v[123] (blue|green)$/.test(b))).toBe(true);
});
