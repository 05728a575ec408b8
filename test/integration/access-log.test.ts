import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { apiDocument, recordingLogger, tempDir, type TempDir } from '../helpers/api-doc';
import { startCaptureServer, type CaptureServer } from '../helpers/capture-server';
import { requestTime } from '../../gateway/context-variables';
import { middleware } from '../../gateway/middleware';
import { startGateway, type RunningGateway } from '../../gateway/serve';
import type { AccessLogSetting } from '../../gateway/observe/access-log';

const ENV = { AWS_ACCESS_KEY_ID: 'AKIAACCESSLOGTEST001', AWS_SECRET_ACCESS_KEY: 'access-log-secret' };

let backend: CaptureServer;
let dir: TempDir;
let api: string;

beforeAll(async () => {
  backend = await startCaptureServer();
  backend.respond({ status: 201, headers: { 'Content-Type': 'application/json' }, body: '{"ok":true}' });
  dir = tempDir('apigw-access-log-');
  api = dir.write(
    'api.json',
    apiDocument('access log', {
      '/items/{id}': {
        get: {
          type: 'http_proxy',
          uri: `${backend.url}/items/{id}`,
          requestParameters: { 'integration.request.path.id': 'method.request.path.id' },
        },
      },
    }),
  );
});

afterAll(async () => {
  await backend.close();
  dir.remove();
});

/** Starts a gateway writing its access log to a file; returns it with the log file. */
async function gatewayWith(format: string): Promise<{ gw: RunningGateway; file: string }> {
  const file = path.join(dir.dir, `${format.slice(0, 8).replace(/\W/g, '_')}-${Date.now()}.log`);
  const accessLog: AccessLogSetting = { format, destination: file };
  const gw = await startGateway(
    { api, port: 0, host: '127.0.0.1', dataDir: dir.dir, accessLog },
    recordingLogger().log,
    ENV,
  );
  return { gw, file };
}

/** The file's lines once it has `count` (lines are written as each response completes). */
async function lines(file: string, count: number): Promise<string[]> {
  for (let i = 0; i < 2000; i++) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    const all = text.split('\n').filter((l) => l !== '');
    if (all.length >= count) return all;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`${file} never had ${count} lines`);
}

/** The requestTime candidates between two instants (second resolution). */
function timesBetween(from: number, to: number): string[] {
  const out: string[] = [];
  for (let t = Math.floor(from / 1000) * 1000; t <= to; t += 1000) out.push(requestTime(t));
  return out;
}

test('CLF preset: one line per request, gateway errors included, as API Gateway writes them', async () => {
  const { gw, file } = await gatewayWith('CLF');
  try {
    const before = Date.now();
    const ok = await fetch(`${gw.url}/items/42`);
    await ok.text();
    const missing = await fetch(`${gw.url}/nothing/here`, { method: 'POST' });
    const missingBody = await missing.text();
    const after = Date.now();
    const [first, second] = await lines(file, 2);
    const time = /\[([^\]]+)\]/.exec(first)![1];
    expect(timesBetween(before, after)).toContain(time);
    expect(first).toBe(
      `127.0.0.1 - - [${time}] "GET /items/{id} HTTP/1.1" 201 11 ${ok.headers.get('x-amzn-requestid')} ${ok.headers.get('x-amz-apigw-id')}`,
    );
    const time2 = /\[([^\]]+)\]/.exec(second)![1];
    expect(timesBetween(before, after)).toContain(time2);
    expect(missing.status).toBe(403);
    expect(second).toBe(
      `127.0.0.1 - - [${time2}] "POST - HTTP/1.1" 403 ${Buffer.byteLength(missingBody)} ${missing.headers.get('x-amzn-requestid')} ${missing.headers.get('x-amz-apigw-id')}`,
    );
  } finally {
    await gw.close();
  }
});

test('JSON preset', async () => {
  const { gw, file } = await gatewayWith('JSON');
  try {
    const before = Date.now();
    const ok = await fetch(`${gw.url}/items/7`, { headers: { 'X-Apigw-Trace': '1' } });
    await ok.text();
    // Tracing is off: the header asks for nothing.
    expect(ok.headers.get('x-apigw-trace')).toBeNull();
    const after = Date.now();
    const [line] = await lines(file, 1);
    const time = (JSON.parse(line) as { requestTime: string }).requestTime;
    expect(timesBetween(before, after)).toContain(time);
    expect(line).toBe(
      `{ "requestId":"${ok.headers.get('x-amzn-requestid')}", "extendedRequestId":"${ok.headers.get('x-amz-apigw-id')}", "ip": "127.0.0.1", "caller":"-", "user":"-", "requestTime":"${time}", "httpMethod":"GET", "resourcePath":"/items/{id}", "status":"201", "protocol":"HTTP/1.1", "responseLength":"11" }`,
    );
  } finally {
    await gw.close();
  }
});

test('integration and error variables: latencies, backend status, error type', async () => {
  const format =
    '$context.requestId status=$context.status integration.status=$context.integration.status integrationStatus=$context.integrationStatus latency=$context.integration.latency integrationLatency=$context.integrationLatency responseLatency=$context.responseLatency error=$context.error.responseType message=$context.error.messageString';
  const { gw, file } = await gatewayWith(format);
  try {
    const ok = await fetch(`${gw.url}/items/1`);
    await ok.text();
    backend.respond('hang');
    const failed = await fetch(`${gw.url.replace(/\/dev$/, '/prod')}/items/1`);
    await failed.text();
    const [first, second] = await lines(file, 2);
    const m =
      /^(\S+) status=201 integration\.status=201 integrationStatus=201 latency=(\d+) integrationLatency=(\d+) responseLatency=(\d+) error=- message=-$/.exec(
        first,
      );
    expect(m).not.toBeNull();
    expect(m![1]).toBe(ok.headers.get('x-amzn-requestid'));
    expect(Number(m![2])).toBe(Number(m![3]));
    expect(Number(m![4])).toBeGreaterThanOrEqual(Number(m![2]));
    // A request to another stage: no integration ran, the gateway answered.
    expect(second).toBe(
      `${failed.headers.get('x-amzn-requestid')} status=403 integration.status=- integrationStatus=- latency=- integrationLatency=- responseLatency=${/responseLatency=(\d+)/.exec(second)![1]} error=ACCESS_DENIED message="Forbidden"`,
    );
  } finally {
    backend.respond({ status: 201, headers: { 'Content-Type': 'application/json' }, body: '{"ok":true}' });
    await gw.close();
  }
});

test('apigw.middleware() writes the same access log lines', async () => {
  const file = path.join(dir.dir, `middleware-${Date.now()}.log`);
  const mw = middleware({
    api,
    dataDir: dir.dir,
    accessLog: { format: 'CLF', destination: file },
    log: recordingLogger().log,
    env: ENV,
  });
  const server = createServer(mw);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    await mw.ready;
    const before = Date.now();
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/dev/items/9`);
    await res.text();
    const after = Date.now();
    const [line] = await lines(file, 1);
    const time = /\[([^\]]+)\]/.exec(line)![1];
    expect(timesBetween(before, after)).toContain(time);
    expect(line).toBe(
      `127.0.0.1 - - [${time}] "GET /items/{id} HTTP/1.1" 201 11 ${res.headers.get('x-amzn-requestid')} ${res.headers.get('x-amz-apigw-id')}`,
    );
  } finally {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await mw.close();
  }
});
