import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { PassThrough, Readable } from 'node:stream';
import {
  IntegrationNetworkError,
  registerEmbeddedOrigin,
  sendBackendRequest,
  type BackendBody,
  type BackendRequest,
} from '../../gateway/integrations/transport';
import type { IntegrationResult } from '../../gateway/invocation';

/** What the backend saw of one request. */
interface Seen {
  method: string;
  url: string;
  rawHeaders: string[];
  body: Buffer;
}

let server: Server;
let base: URL;
let handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;
let onRequest: ((req: IncomingMessage, res: ServerResponse) => boolean) | undefined;
const seen: Seen[] = [];
let connections = 0;
const sockets = new Set<Socket>();

beforeAll(async () => {
  server = createServer((req, res) => {
    if (onRequest?.(req, res)) return;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      seen.push({ method: req.method!, url: req.url!, rawHeaders: req.rawHeaders, body });
      handler(req, res, body);
    });
  });
  server.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
  onRequest = undefined;
  handler = (_req, res) => res.end('ok');
});

function send(over: Partial<BackendRequest> = {}): Promise<IntegrationResult> {
  return sendBackendRequest({
    url: base,
    target: '/path?q=1',
    method: 'GET',
    headers: { Host: base.host },
    body: Buffer.alloc(0),
    timeoutMs: 2000,
    ...over,
  });
}

async function text(result: IntegrationResult): Promise<string> {
  if (result.body.kind !== 'stream') throw new Error('expected a stream');
  const chunks: Buffer[] = [];
  for await (const c of result.body.stream) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString();
}

/** The values of a header as the backend received it, whatever the case of its name. */
function header(s: Seen, name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < s.rawHeaders.length; i += 2) {
    if (s.rawHeaders[i].toLowerCase() === name) out.push(s.rawHeaders[i + 1]);
  }
  return out;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sendBackendRequest on undici', () => {
  test('response header names arrive as sent: case kept, repeated ones in order', async () => {
    handler = (_req, res) => {
      res.writeHead(201, [
        ['X-Mixed-Case', 'a'],
        ['x-multi', '1'],
        ['X-Multi', '2'],
        ['x-multi', '3'],
        ['Set-Cookie', 'c=1'],
        ['Set-Cookie', 'd=2'],
      ]);
      res.end('body');
    };
    const result = await send();
    expect(result.status).toBe(201);
    expect(result.headers['X-Mixed-Case']).toEqual(['a']);
    expect(result.headers['x-multi']).toEqual(['1', '3']);
    expect(result.headers['X-Multi']).toEqual(['2']);
    expect(result.headers['Set-Cookie']).toEqual(['c=1', 'd=2']);
    expect(result.body.kind).toBe('stream');
    if (result.body.kind === 'stream') expect(result.body.stream).toBeInstanceOf(Readable);
    expect(await text(result)).toBe('body');
    expect(seen[0].url).toBe('/path?q=1');
  });

  test('sequential calls reuse one keep-alive connection', async () => {
    const before = connections;
    for (let i = 0; i < 20; i++) expect(await text(await send())).toBe('ok');
    expect(connections - before).toBeLessThanOrEqual(1);
  });

  test('exactly one Host (the last given, whatever its case) and one Content-Length go on the wire', async () => {
    await text(
      await send({
        method: 'POST',
        headers: { host: 'ignored.example', 'Content-Length': '5', Host: 'wanted.example', 'X-A': 'b' },
        body: Buffer.from('hello'),
      }),
    );
    expect(header(seen[0], 'host')).toEqual(['wanted.example']);
    expect(header(seen[0], 'content-length')).toEqual(['5']);
    expect(header(seen[0], 'x-a')).toEqual(['b']);
    expect(seen[0].body.toString()).toBe('hello');
  });

  test('a forwarded client request’s Transfer-Encoding, Expect, Keep-Alive and Upgrade are not passed on', async () => {
    await text(
      await send({
        method: 'PUT',
        headers: {
          Host: base.host,
          'Transfer-Encoding': 'chunked',
          Expect: '100-continue',
          'Keep-Alive': 'timeout=5',
          Connection: 'keep-alive',
          'X-Kept': ['1', '2'],
        },
        body: Buffer.from('abc'),
      }),
    );
    const s = seen[0];
    expect(header(s, 'expect')).toEqual([]);
    expect(header(s, 'keep-alive')).toEqual([]);
    expect(header(s, 'x-kept')).toEqual(['1', '2']);
    expect(header(s, 'content-length')).toEqual(['3']);
    expect(s.body.toString()).toBe('abc');
  });

  test('a stream of known length goes with Content-Length, of unknown length chunked', async () => {
    const known: BackendBody = { stream: Readable.from([Buffer.from('ab'), Buffer.from('cd')]), length: 4 };
    await text(await send({ method: 'PUT', headers: { Host: base.host }, body: known }));
    expect(header(seen[0], 'content-length')).toEqual(['4']);
    expect(header(seen[0], 'transfer-encoding')).toEqual([]);
    expect(seen[0].body.toString()).toBe('abcd');

    // Still coming when the call starts (undici sends a stream already ended with its length).
    const slow = new PassThrough();
    slow.write('ef');
    const unknown = send({
      method: 'PUT',
      headers: { Host: base.host },
      body: { stream: slow, length: undefined },
    });
    await sleep(20);
    slow.end('gh');
    await text(await unknown);
    expect(header(seen[1], 'content-length')).toEqual([]);
    expect(header(seen[1], 'transfer-encoding')).toEqual(['chunked']);
    expect(seen[1].body.toString()).toBe('efgh');
  });

  test('HEAD, 204 and 304 answers end without a body', async () => {
    handler = (req, res) => {
      if (req.url === '/204') res.writeHead(204).end();
      else if (req.url === '/304') res.writeHead(304, { ETag: '"x"' }).end();
      else res.writeHead(200, { 'Content-Length': '42' }).end();
    };
    const head = await send({ method: 'HEAD' });
    expect([head.status, head.headers['Content-Length'], await text(head)]).toEqual([200, ['42'], '']);
    const none = await send({ target: '/204' });
    expect([none.status, await text(none)]).toEqual([204, '']);
    const notModified = await send({ target: '/304' });
    expect([notModified.status, notModified.headers.ETag, await text(notModified)]).toEqual([
      304,
      ['"x"'],
      '',
    ]);
  });

  test('connection refused → failure naming the origin; a streamed source is drained, never destroyed', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const source = new PassThrough();
    source.write('some');
    const call = send({
      url: new URL(`http://127.0.0.1:${port}`),
      method: 'PUT',
      body: { stream: source, length: 100 },
    });
    await expect(call).rejects.toMatchObject({
      kind: 'failure',
      message: expect.stringContaining(`http://127.0.0.1:${port}: `),
    });
    expect(source.destroyed).toBe(false);
    // Drained: what the client still sends is read and dropped.
    source.end('more');
    await new Promise((resolve) => source.once('end', resolve));
  });

  test('the source failing (client gone) cuts the backend call: failure, the source is not destroyed by us', async () => {
    const source = new PassThrough();
    source.write('first');
    const call = send({ method: 'PUT', body: { stream: source, length: undefined } });
    await sleep(50);
    source.emit('error', new Error('client went away'));
    await expect(call).rejects.toEqual(
      new IntegrationNetworkError('failure', 'request body: client went away'),
    );
    expect(source.destroyed).toBe(false);
  });

  test('the timeout restarts with every chunk sent: a slow upload is not a timeout, a silent backend is', async () => {
    const source = new PassThrough();
    const call = send({ method: 'PUT', body: { stream: source, length: undefined }, timeoutMs: 200 });
    for (let i = 0; i < 6; i++) {
      source.write(`chunk${i}`);
      await sleep(100);
    }
    source.end();
    expect(await text(await call)).toBe('ok');

    handler = () => undefined;
    const started = Date.now();
    await expect(send({ timeoutMs: 100 })).rejects.toMatchObject({ kind: 'timeout' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('a response body that stalls fails with a timeout; a slow reader does not', async () => {
    const big = Buffer.alloc(1024 * 1024, 'x');
    handler = (req, res) => {
      if (req.url === '/stall') {
        res.writeHead(200, { 'Content-Length': '1000' });
        res.write('part');
        return;
      }
      res.end(big);
    };
    const stalled = await send({ target: '/stall', timeoutMs: 100 });
    if (stalled.body.kind !== 'stream') throw new Error('expected a stream');
    await expect(text(stalled)).rejects.toMatchObject({ kind: 'timeout' });

    // Reading nothing for 3 × the timeout, with the backend blocked on us: not a stall.
    const slow = await send({ timeoutMs: 100 });
    await sleep(300);
    expect((await text(slow)).length).toBe(big.length);
  });

  test('letting go of a response body mid-way cuts that connection only', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'Content-Length': String(1024 * 1024) });
      res.write(Buffer.alloc(64 * 1024));
    };
    const result = await send();
    if (result.body.kind !== 'stream') throw new Error('expected a stream');
    const closed = new Promise(
      (resolve) => result.body.kind === 'stream' && result.body.stream.once('close', resolve),
    );
    result.body.stream.destroy();
    await closed;
    handler = (_req, res) => res.end('next');
    expect(await text(await send())).toBe('next');
  });
});

describe('connections to an embedded emulator', () => {
  /** A backend that answers each request 20 ms after it arrives, noting the most it held at once. */
  async function slowBackend(): Promise<{ url: URL; peak: () => number; close: () => Promise<void> }> {
    let inFlight = 0;
    let peak = 0;
    const s = createServer((req, res) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      req.resume();
      setTimeout(() => {
        inFlight--;
        res.end('ok');
      }, 20);
    });
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    const url = new URL(`http://127.0.0.1:${(s.address() as AddressInfo).port}`);
    return {
      url,
      peak: () => peak,
      close: () => {
        s.closeAllConnections();
        return new Promise((resolve) => s.close(() => resolve()));
      },
    };
  }

  const burst = (url: URL, n: number) =>
    Promise.all(Array.from({ length: n }, () => send({ url, headers: { Host: url.host } }).then(text)));

  test('calls to a registered emulator share at most 32 connections; other origins are not bounded', async () => {
    const embedded = await slowBackend();
    const other = await slowBackend();
    try {
      registerEmbeddedOrigin(embedded.url);
      expect(new Set(await burst(embedded.url, 100))).toEqual(new Set(['ok']));
      expect(embedded.peak()).toBe(32);
      expect(new Set(await burst(other.url, 100))).toEqual(new Set(['ok']));
      expect(other.peak()).toBeGreaterThan(32);
    } finally {
      await embedded.close();
      await other.close();
    }
  });
});
