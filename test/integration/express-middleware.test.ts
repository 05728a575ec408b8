import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { ConfigError } from '../../gateway/config';
import { createLogger, silentLogger } from '../../gateway/log';
import { middleware, type GatewayMiddleware } from '../../gateway/middleware';
import { ApiLoadError } from '../../gateway/serve';
import { callSigned } from '../helpers/execute-api';

const REPO = path.resolve(__dirname, '..', '..');
const KEYS = { accessKeyId: 'AKIAEXPRESSEMBEDDED1', secretAccessKey: 'express+embedded+secret/0123456789' };
const ENV = { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey };
const log = createLogger('error');

let server: Server;
let base: string;
let dataDir: string;
let mock: GatewayMiddleware;
let tutorial: GatewayMiddleware;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'apigw-express-'));
  const app = express();
  // The host app's own routes and middleware live beside the gateway.
  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });
  mock = middleware({ api: path.join(REPO, 'examples', 'mock'), log, env: {} });
  tutorial = middleware({ api: path.join(REPO, 'examples', 's3-proxy'), dataDir, log, env: ENV });
  app.use('/mock', mock);
  app.use('/tutorial', tutorial);
  // A body parser after the gateway does not touch the gateway's requests.
  app.use(express.json());
  app.post('/echo', (req, res) => {
    res.json(req.body);
  });
  await Promise.all([mock.ready, tutorial.ready]);
  server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await mock.close();
  await tutorial.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('apigw.middleware() inside an Express app', () => {
  test('serves the API under the mount path and its stage, with templates, overrides and validation', async () => {
    expect(mock.stage).toBe('demo');
    const pets = await fetch(`${base}/mock/demo/pets`);
    expect(pets.status).toBe(200);
    expect(pets.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect((await pets.json()) as unknown[]).toHaveLength(3);

    const created = await fetch(`${base}/mock/demo/pets`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'bird', price: 12.5 }),
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/pets/4');
    expect(await created.json()).toEqual({ id: 4, type: 'bird', price: 12.5 });

    const invalid = await fetch(`${base}/mock/demo/pets`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"price": "free"}',
    });
    expect(invalid.status).toBe(400);
  });

  test('inside the mount path the gateway answers as API Gateway; outside it the app does', async () => {
    const unknown = await fetch(`${base}/mock/demo/nowhere`);
    expect(unknown.status).toBe(403);
    // The example customises this gateway response; the customisation applies here too.
    expect(await unknown.json()).toMatchObject({
      error: 'Missing Authentication Token',
      hint: 'GET /demo/nowhere needs a SigV4 signature or does not exist; see https://example.com/docs/errors',
    });
    const wrongStage = await fetch(`${base}/mock/prod/pets`);
    expect(wrongStage.status).toBe(403);
    expect(await (await fetch(`${base}/health`)).json()).toEqual({ ok: true });
    const echo = await fetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"a":1}',
    });
    expect(await echo.json()).toEqual({ a: 1 });
  });

  test('AWS_IAM methods verify the signature over the path the client signed, mount prefix included', async () => {
    const url = `${base}/tutorial/${tutorial.stage}`;
    expect((await callSigned(url, '/embedded-bucket', KEYS, { method: 'PUT' })).status).toBe(200);
    const put = await callSigned(url, '/embedded-bucket/note.txt', KEYS, {
      method: 'PUT',
      headers: { 'Content-Type': 'text/plain' },
      body: 'written through express',
    });
    expect(put.status).toBe(200);
    const get = await callSigned(url, '/embedded-bucket/note.txt', KEYS);
    expect(get.status).toBe(200);
    expect(await get.text()).toBe('written through express');

    const unsigned = await fetch(`${url}/embedded-bucket/note.txt`);
    expect(unsigned.status).toBe(403);
    const wrongKey = await callSigned(url, '/embedded-bucket/note.txt', {
      ...KEYS,
      secretAccessKey: 'wrong',
    });
    expect(wrongKey.status).toBe(403);
    expect(wrongKey.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
  });

  test('a body parser mounted before the gateway is reported, not served with an empty body', async () => {
    const app = express();
    app.use(express.json());
    const late = middleware({ api: path.join(REPO, 'examples', 'mock'), log: silentLogger, env: {} });
    app.use('/api', late);
    const s = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => s.once('listening', resolve));
    try {
      const res = await fetch(`http://127.0.0.1:${(s.address() as AddressInfo).port}/api/demo/pets`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{"type":"cat","price":1}',
      });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ message: 'Internal server error' });
    } finally {
      await new Promise((resolve) => s.close(resolve));
      await late.close();
    }
  });

  test('bodyIdleTimeout, when given, answers a stalled body 408 as apigw serve does', async () => {
    const app = express();
    const timed = middleware({
      api: path.join(REPO, 'examples', 'mock'),
      log: silentLogger,
      env: {},
      bodyIdleTimeout: 0.3,
    });
    app.use('/api', timed);
    const s = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => s.once('listening', resolve));
    try {
      const socket = connect((s.address() as AddressInfo).port, '127.0.0.1');
      let received = '';
      socket.on('data', (d: Buffer) => (received += d.toString('latin1')));
      socket.on('error', () => undefined);
      const closed = new Promise((resolve) => socket.on('close', resolve));
      socket.write(
        'POST /api/demo/pets HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"type": ',
      );
      await closed;
      expect(received).toMatch(/^HTTP\/1\.1 408 /);
    } finally {
      await new Promise((resolve) => s.close(resolve));
      await timed.close();
    }
  });

  test('an API that cannot be served, and settings of a listening server, throw at once', () => {
    expect(() => middleware({ api: path.join(REPO, 'package.json'), log, env: {} })).toThrow(ApiLoadError);
    expect(() =>
      middleware({ api: path.join(REPO, 'examples', 'mock'), log, env: {}, ...{ port: 8080 } }),
    ).toThrow(ConfigError);
    expect(() => middleware({ api: path.join(REPO, 'test'), log, env: {} })).toThrow(/without an apigw.yaml/);
  });
});
