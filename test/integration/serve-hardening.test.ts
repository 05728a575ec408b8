import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { apiDocument, recordingLogger, tempDir, type TempDir } from '../helpers/api-doc';
import { startCaptureServer, type CaptureServer } from '../helpers/capture-server';
import { LambdaServer, type LambdaRuntime } from '../../gateway/backends/lambda';
import { startGateway, type RunningGateway } from '../../gateway/serve';

// Issue 20, items 15, 16 and 21: bodies that stall, headers that never finish, clients that abort.
let backend: CaptureServer;
let dir: TempDir;
let gw: RunningGateway;
const logged = recordingLogger();
/** A backend that never answers, and notes when the gateway closes the connection of a request. */
let hanging: Server;
let hangingCalls: { arrived: number; closed?: number }[] = [];

beforeAll(async () => {
  backend = await startCaptureServer();
  hanging = createServer((req) => {
    const call: { arrived: number; closed?: number } = { arrived: Date.now() };
    hangingCalls.push(call);
    req.socket.once('close', () => (call.closed = Date.now()));
  });
  await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
  const hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  dir = tempDir('apigw-hardening-');
  const doc = apiDocument('hardening', {
    '/proxy/{proxy+}': {
      'x-amazon-apigateway-any-method': {
        type: 'http_proxy',
        httpMethod: 'ANY',
        uri: `${backend.url}/upstream/{proxy}`,
        requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
      },
    },
    '/slow': {
      get: {
        type: 'http_proxy',
        httpMethod: 'GET',
        uri: `${hangingUrl}/slow`,
        timeoutInMillis: 29000,
      },
    },
    '/render': {
      post: {
        type: 'http',
        httpMethod: 'POST',
        uri: `${backend.url}/render`,
        responses: { default: { statusCode: '200' } },
      },
    },
  });
  // A template: the body is read whole before the backend is called.
  const render = (doc.paths as Record<string, Record<string, Record<string, Record<string, unknown>>>>)[
    '/render'
  ];
  render.post['x-amazon-apigateway-integration'].requestTemplates = {
    'application/json': '{"got":$input.json(\'$\')}',
  };
  gw = await startGateway(
    {
      api: dir.write('api.json', doc),
      port: 0,
      host: '127.0.0.1',
      dataDir: dir.dir,
      bodyIdleTimeout: 0.3,
      headersTimeout: 0.3,
    },
    logged.log,
    {},
  );
});
afterAll(async () => {
  await gw.close();
  await backend.close();
  hanging.closeAllConnections();
  await new Promise((resolve) => hanging.close(resolve));
  dir.remove();
});
beforeEach(() => {
  backend.reset();
  logged.lines.length = 0;
});

/** A raw connection to the gateway: what it received, and when it closed. */
function rawClient(port: number): { socket: Socket; received: () => string; closed: Promise<number> } {
  const socket = connect(port, '127.0.0.1');
  socket.setNoDelay(true);
  let data = '';
  socket.on('data', (d: Buffer) => (data += d.toString('latin1')));
  socket.on('error', () => undefined);
  const opened = Date.now();
  const closed = new Promise<number>((resolve) => socket.on('close', () => resolve(Date.now() - opened)));
  return { socket, received: () => data, closed };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function head(path: string, length: number, type = 'application/octet-stream'): string {
  return `POST /${gw.stage}${path} HTTP/1.1\r\nHost: x\r\nContent-Type: ${type}\r\nContent-Length: ${length}\r\n\r\n`;
}

describe('a request body that stops arriving (item 15)', () => {
  test.each([
    ['streamed to an http_proxy backend', '/proxy/up', 'application/octet-stream', '0123456789'],
    ['read whole for a template', '/render', 'application/json', '{"a": 1, '],
  ])(
    '%s: 408 and the connection closed after the idle timeout; the backend gets no complete request',
    async (_what, path, type, part) => {
      const client = rawClient(gw.port);
      client.socket.write(head(path, 100, type) + part);
      const elapsed = await client.closed;
      expect(client.received()).toMatch(/^HTTP\/1\.1 408 /);
      expect(client.received()).toContain('{"message":"Request Timeout"}');
      expect(elapsed).toBeGreaterThanOrEqual(250);
      expect(elapsed).toBeLessThan(3000);
      await sleep(100);
      expect(backend.requests).toHaveLength(0);
      expect(logged.lines.join('')).toContain('request body stalled');
      expect(logged.lines.join('')).not.toContain('ERROR');
    },
  );

  test('a slow upload that keeps moving is never cut, however long it takes', async () => {
    const chunks = 12;
    const client = rawClient(gw.port);
    client.socket.write(head('/proxy/slow', chunks * 10));
    for (let i = 0; i < chunks; i++) {
      await sleep(150); // every gap is under the idle timeout; the whole is six times over it
      client.socket.write('0123456789');
    }
    while (!/\r\n\r\n/.test(client.received())) await sleep(20);
    expect(client.received()).toMatch(/^HTTP\/1\.1 200 /);
    expect(backend.requests).toHaveLength(1);
    expect(backend.requests[0].body.toString()).toBe('0123456789'.repeat(chunks));
    client.socket.destroy();
  });
});

test('headers that never finish (slowloris) are cut after headersTimeout, not Node’s 60–90 s (item 16)', async () => {
  const client = rawClient(gw.port);
  client.socket.write(`GET /${gw.stage}/proxy/x HTTP/1.1\r\nHost: x\r\nX-Slow: `);
  const elapsed = await client.closed;
  expect(elapsed).toBeLessThan(3000);
  expect(backend.requests).toHaveLength(0);
});

test('the Lambda server cuts headers that never finish too (item 16)', async () => {
  const server = new LambdaServer({ runtime: {} as LambdaRuntime, users: [], headersTimeoutMs: 300 });
  const { port } = await server.listen(0, '127.0.0.1');
  try {
    const client = rawClient(port);
    client.socket.write('POST /2015-03-31/functions/f/invocations HTTP/1.1\r\nHost: x\r\n');
    expect(await client.closed).toBeLessThan(3000);
  } finally {
    await server.close();
  }
});

test('a client that aborts mid-body: one info line "client aborted", no ERROR, not counted as a 5xx (item 21)', async () => {
  for (const [path, type] of [
    ['/proxy/abort', 'application/octet-stream'],
    ['/render', 'application/json'],
  ]) {
    logged.lines.length = 0;
    const client = rawClient(gw.port);
    client.socket.write(head(path, 1000, type) + '{"a": ');
    await sleep(100);
    client.socket.destroy();
    await client.closed;
    let waited = 0;
    while (!logged.lines.some((l) => l.includes(`POST /${gw.stage}${path}`)) && waited < 3000) {
      await sleep(20);
      waited += 20;
    }
    const text = logged.lines.join('');
    expect(text).toMatch(/INFO \S+ client aborted/);
    expect(text).not.toContain('ERROR');
    expect(text).not.toMatch(/→ 5\d\d/);
    expect(text).toMatch(new RegExp(`POST /${gw.stage}${path} → client aborted`));
  }
  expect(backend.requests).toHaveLength(0);
});

test('a client that leaves while the backend is still working: the backend call is cut, one info line, no ERROR', async () => {
  hangingCalls = [];
  const client = rawClient(gw.port);
  client.socket.write(`GET /${gw.stage}/slow HTTP/1.1\r\nHost: x\r\n\r\n`);
  while (hangingCalls.length === 0) await sleep(10);
  client.socket.destroy();
  // Without the cut the call would hold its backend connection for the whole 29 s timeout.
  let waited = 0;
  while (hangingCalls[0].closed === undefined && waited < 5000) {
    await sleep(20);
    waited += 20;
  }
  expect(hangingCalls[0].closed).toBeDefined();
  while (!logged.lines.some((l) => l.includes(`GET /${gw.stage}/slow`)) && waited < 5000) {
    await sleep(20);
    waited += 20;
  }
  const text = logged.lines.join('');
  expect(text).toMatch(/INFO \S+ client went away before the answer/);
  expect(text).toMatch(new RegExp(`GET /${gw.stage}/slow → client gone`));
  expect(text).not.toContain('ERROR');
  expect(hangingCalls).toHaveLength(1);
});
