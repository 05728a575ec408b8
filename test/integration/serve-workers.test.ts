import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnApigw, type ApigwProcess } from '../helpers/cli';
import { callSigned } from '../helpers/execute-api';
import { EXAMPLE_KEYS, startS3ProxyExample, type RunningExample } from '../helpers/s3-proxy-example';
import { CrashLoopDetector } from '../../gateway/cluster';
import { resolveConfig } from '../../gateway/config';

jest.setTimeout(60_000);

function dir(): string {
  return mkdtempSync(path.join(tmpdir(), 'apigw-workers-'));
}

/** Resolves with the first match of `pattern` in what `proc` wrote to stderr (waits for output). */
function waitForStderr(proc: ApigwProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const m = proc.stderr().match(pattern);
      if (!m) return false;
      proc.child.stderr!.off('data', check);
      resolve(m);
      return true;
    };
    if (check()) return;
    proc.child.stderr!.on('data', check);
    void proc.exited.then((code) => {
      if (!check())
        reject(
          new Error(`apigw exited (${code}) before logging ${pattern}:\n${proc.stdout()}\n${proc.stderr()}`),
        );
    });
  });
}

/** The pids of the workers printed in the start-up report. */
async function workerPids(proc: ApigwProcess): Promise<number[]> {
  const [, count, pids] = await proc.waitFor(/^Workers: (\d+) \(pids ([\d, ]+)\)$/m);
  const list = pids.split(', ').map(Number);
  expect(list).toHaveLength(Number(count));
  return list;
}

/** Which worker served a request: each worker logs `[worker PID] GET /path → 200 (n ms) REQUEST-ID`. */
async function servedBy(proc: ApigwProcess, response: Response): Promise<number> {
  const requestId = response.headers.get('x-amzn-requestid');
  expect(requestId).toBeTruthy();
  const [, pid] = await waitForStderr(proc, new RegExp(`\\[worker (\\d+)\\] [^\\n]* ${requestId}\\n`));
  return Number(pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('apigw serve examples/s3-proxy --workers 2', () => {
  let example: RunningExample;
  let pids: number[];
  // A new connection for every request: the primary hands each connection to the next worker.
  const call = (
    p: string,
    options: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ) =>
    callSigned(example.baseUrl, p, EXAMPLE_KEYS, {
      ...options,
      headers: { connection: 'close', ...options.headers },
    });

  beforeAll(async () => {
    example = await startS3ProxyExample(['--workers', '2']);
    pids = await workerPids(example.proc);
  });
  afterAll(async () => {
    expect(await example.stop()).toBe(0);
  });

  test('the start-up report lists two live workers, and requests are served by both', async () => {
    expect(pids).toHaveLength(2);
    expect(new Set(pids).size).toBe(2);
    expect(pids).not.toContain(example.proc.child.pid);
    for (const pid of pids) expect(isAlive(pid)).toBe(true);
    // The primary runs the one embedded S3 (a single writer of the data directory).
    expect(example.proc.stderr().match(/embedded S3 at/g)).toHaveLength(1);

    const servers = new Set<number>();
    for (let i = 0; i < 6; i++) {
      const res = await call('/');
      expect(res.status).toBe(200);
      servers.add(await servedBy(example.proc, res));
    }
    expect([...servers].sort()).toEqual([...pids].sort());
  });

  test('an object PUT through one worker is read through another (one embedded S3)', async () => {
    const bucket = 'workers-bucket';
    expect((await call(`/${bucket}`, { method: 'PUT' })).status).toBe(200);
    const body = `written by one worker, read by another ${Date.now()}`;
    const put = await call(`/${bucket}/note.txt`, {
      method: 'PUT',
      body,
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(put.status).toBe(200);
    const writer = await servedBy(example.proc, put);
    // Connections go to the workers in turn: within two reads one is served by the other worker.
    const readers: number[] = [];
    for (let i = 0; i < 2; i++) {
      const get = await call(`/${bucket}/note.txt`);
      expect(get.status).toBe(200);
      expect(await get.text()).toBe(body);
      readers.push(await servedBy(example.proc, get));
    }
    expect(readers.some((pid) => pid !== writer)).toBe(true);
  });

  test('a killed worker is replaced, and requests keep being answered meanwhile', async () => {
    const [victim, survivor] = await workerPids(example.proc);
    const died = waitForStderr(
      example.proc,
      new RegExp(`worker ${victim} died \\(signal SIGKILL\\); starting a replacement`),
    );
    const replaced = waitForStderr(
      example.proc,
      new RegExp(`worker (\\d+) serves, replacing worker ${victim}`),
    );
    process.kill(victim, 'SIGKILL');
    // (A request the killed worker was running is lost, as with any crashed process.)
    await died;
    // From the moment the primary knows, the survivor answers while the replacement starts.
    let answered = 0;
    let replacement: number | undefined;
    void replaced.then(([, pid]) => (replacement = Number(pid)));
    while (replacement === undefined) {
      const res = await call('/');
      expect(res.status).toBe(200);
      answered++;
    }
    expect(answered).toBeGreaterThan(0);
    expect(replacement).not.toBe(victim);
    expect(isAlive(replacement)).toBe(true);
    expect(isAlive(survivor)).toBe(true);

    // And the replacement takes its turn.
    const servers = new Set<number>();
    for (let i = 0; i < 6; i++) {
      const res = await call('/');
      expect(res.status).toBe(200);
      servers.add(await servedBy(example.proc, res));
    }
    expect([...servers].sort()).toEqual([replacement, survivor].sort());
  });
});

/** A backend whose /slow requests wait until the test answers them. */
async function startSlowBackend() {
  const waiting: ServerResponse[] = [];
  const arrivals: Array<() => void> = [];
  const server = createServer((req, res) => {
    req.resume();
    waiting.push(res);
    arrivals.splice(0).forEach((a) => a());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    /** Resolves once a request is waiting. */
    arrived: () =>
      new Promise<void>((resolve) => {
        if (waiting.length > 0) resolve();
        else arrivals.push(resolve);
      }),
    answer(body: string) {
      for (const res of waiting.splice(0)) res.end(body);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A public API whose GET /slow is proxied to `backend`. */
function slowApi(d: string, backend: string): string {
  const file = path.join(d, 'slow.json');
  writeFileSync(
    file,
    JSON.stringify({
      swagger: '2.0',
      info: { title: 'slow', version: '1' },
      basePath: '/dev',
      paths: {
        '/slow': {
          get: {
            responses: { '200': { description: 'ok' } },
            'x-amazon-apigateway-integration': {
              type: 'http_proxy',
              httpMethod: 'GET',
              uri: `${backend}/slow`,
            },
          },
        },
      },
    }),
  );
  return file;
}

/** Resolves with the error code of connecting to port (undefined when it connects). */
function connectError(port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code));
  });
}

describe('stopping apigw serve --workers 2', () => {
  let backend: Awaited<ReturnType<typeof startSlowBackend>>;
  beforeAll(async () => {
    backend = await startSlowBackend();
  });
  afterAll(async () => {
    await backend.close();
  });

  test.each([['2'], ['1']])(
    '--workers %s, SIGTERM: new connections are refused, the request in flight completes, then exit 0',
    async (workers) => {
      const d = dir();
      const proc = spawnApigw([
        'serve',
        slowApi(d, backend.url),
        '--workers',
        workers,
        '--port',
        '0',
        '--data-dir',
        path.join(d, 'data'),
      ]);
      try {
        const [, url, port] = await proc.waitFor(/^Base URL: (http:\/\/127\.0\.0\.1:(\d+)\/dev)$/m);
        if (workers !== '1') await workerPids(proc);
        const inFlight = fetch(`${url}/slow`);
        await backend.arrived();

        const signalled = Date.now();
        proc.child.kill('SIGTERM');
        await waitForStderr(proc, /draining: no longer accepting connections; 1 request\(s\) in flight/);
        expect(await connectError(Number(port))).toBe('ECONNREFUSED');

        const body = 'the slow answer, '.repeat(10_000);
        backend.answer(body);
        const res = await inFlight;
        expect(res.status).toBe(200);
        expect(await res.text()).toBe(body);
        expect(await proc.exited).toBe(0);
        // Well within the 10 s drain bound: nothing waits for keep-alive connections to time out.
        expect(Date.now() - signalled).toBeLessThan(5000);
      } finally {
        proc.child.kill('SIGKILL');
        rmSync(d, { recursive: true, force: true });
      }
    },
  );

  test.each([['2'], ['1']])(
    '--workers %s: the drain is bounded: --drain-timeout 1 cuts a request that never ends, and exits 0',
    async (workers) => {
      const d = dir();
      const proc = spawnApigw([
        'serve',
        slowApi(d, backend.url),
        '--workers',
        workers,
        '--drain-timeout',
        '1',
        '--port',
        '0',
        '--data-dir',
        path.join(d, 'data'),
      ]);
      try {
        const [, url] = await proc.waitFor(/^Base URL: (http:\/\/\S+\/dev)$/m);
        const inFlight = fetch(`${url}/slow`).then(
          async (res) => `answered ${await res.text()}`,
          (e: Error) => `failed: ${e.message}`,
        );
        await backend.arrived();
        const signalled = Date.now();
        proc.child.kill('SIGTERM');
        expect(await proc.exited).toBe(0);
        const elapsed = Date.now() - signalled;
        expect(elapsed).toBeGreaterThanOrEqual(900);
        expect(elapsed).toBeLessThan(4000);
        expect(await inFlight).toMatch(/^failed/);
        expect(proc.stderr()).toMatch(/drain time-out: 1 request\(s\) still in flight were cut/);
      } finally {
        proc.child.kill('SIGKILL');
        backend.answer('');
        rmSync(d, { recursive: true, force: true });
      }
    },
  );

  test('workers that keep dying stop the primary with one clear line and exit 1', async () => {
    const d = dir();
    const api = slowApi(d, backend.url);
    const proc = spawnApigw([
      'serve',
      api,
      '--workers',
      '2',
      '--port',
      '0',
      '--data-dir',
      path.join(d, 'data'),
    ]);
    try {
      const [victim] = await workerPids(proc);
      // Replacements load the API again: without its file every one of them fails at start-up.
      renameSync(api, `${api}.gone`);
      process.kill(victim, 'SIGKILL');
      expect(await proc.exited).toBe(1);
      const err = proc.stderr();
      expect(err).toMatch(/cannot start: .*slow\.json cannot be served/);
      const last = err.trimEnd().split('\n').at(-1);
      expect(last).toMatch(
        /^apigw: workers keep dying \((6 in the last 10 s|5 replacements in a row failed to start), the last with exit code 1: .*slow\.json cannot be served: .*\); stopping$/,
      );
      expect(err).not.toMatch(/^\s+at /m);
    } finally {
      proc.child.kill('SIGKILL');
      rmSync(d, { recursive: true, force: true });
    }
  });
});

test('the crash-loop rule: more than 5 deaths within 10 s, or 5 replacements in a row that never served', () => {
  const deaths = new CrashLoopDetector();
  // Workers that served, dying now and then: never a loop.
  for (let t = 0; t < 60_000; t += 2001) expect(deaths.record(t, true)).toBeUndefined();
  const burst = new CrashLoopDetector();
  for (let i = 0; i < 5; i++) expect(burst.record(1000 * i, true)).toBeUndefined();
  expect(burst.record(9000, true)).toBe('6 in the last 10 s');
  const slow = new CrashLoopDetector();
  expect(slow.record(0, true)).toBeUndefined();
  for (let i = 1; i < 5; i++) expect(slow.record(5000 * i, false)).toBeUndefined();
  expect(slow.record(25_000, false)).toBe('5 replacements in a row failed to start');
});

describe('--workers values', () => {
  test.each([['0'], ['x'], ['65'], ['1.5']])('--workers %s: one clear line, exit 1', async (value) => {
    const proc = spawnApigw(['serve', 'examples/s3-proxy', '--workers', value, '--port', '0']);
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toBe(
      `apigw: command line: workers must be a whole number from 1 to 64, or auto, got ${JSON.stringify(value)}\n`,
    );
    expect(proc.stdout()).toBe('');
  });

  test('the config file key workers: auto, a number, or an error naming the file', () => {
    const d = dir();
    const file = (text: string) => {
      writeFileSync(path.join(d, 'apigw.yaml'), text);
      return path.join(d, 'apigw.yaml');
    };
    const defaults = { port: 0, host: '127.0.0.1', dataDir: d };
    expect(resolveConfig({ config: file('workers: auto\n') }, defaults).workers).toBe('auto');
    expect(resolveConfig({ config: file('workers: 4\ndrainTimeout: 2.5\n') }, defaults)).toMatchObject({
      workers: 4,
      drainTimeout: 2.5,
    });
    expect(() => resolveConfig({ config: file('workers: 0\n') }, defaults)).toThrow(
      `${path.join(d, 'apigw.yaml')}: workers must be a whole number from 1 to 64, or auto, got 0`,
    );
    expect(() => resolveConfig({ drainTimeout: '-1' }, defaults)).toThrow(
      /drainTimeout must be a number of seconds/,
    );
    rmSync(d, { recursive: true, force: true });
  });

  test('--workers is an option of apigw serve only', async () => {
    const proc = spawnApigw(['s3', '--workers', '2', '--port', '0']);
    expect(await proc.exited).toBe(1);
    expect(proc.stderr()).toBe('apigw: --workers is an option of apigw serve, not apigw s3\n');
  });

  test('a port in use: the workers cannot listen, one clear line, exit 1', async () => {
    const busy = createTcpServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const { port } = busy.address() as AddressInfo;
    const d = dir();
    try {
      const proc = spawnApigw([
        'serve',
        'examples/s3-proxy',
        '--workers',
        '2',
        '--port',
        String(port),
        '--data-dir',
        path.join(d, 'data'),
      ]);
      expect(await proc.exited).toBe(1);
      expect(proc.stderr().trimEnd().split('\n').at(-1)).toBe(
        `apigw: cannot listen on 127.0.0.1:${port} (EADDRINUSE)`,
      );
      expect(proc.stdout()).toBe('');
    } finally {
      await new Promise<void>((resolve) => busy.close(() => resolve()));
      rmSync(d, { recursive: true, force: true });
    }
  });
});

/** Pids of the live processes whose command line mentions `text` (Linux: /proc). */
function processesMentioning(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

// The primary forks its workers before it loads the API and starts the embedded S3: when either
// fails, it stops the workers it forked and reports as a single process does.
describe('--workers: the primary cannot start after forking its workers', () => {
  test('an API that cannot be served: the same report as without --workers, exit 1, no worker left', async () => {
    const d = dir();
    const api = path.join(d, 'broken.json');
    writeFileSync(
      api,
      JSON.stringify({
        swagger: '2.0',
        info: { title: 'broken', version: '1' },
        paths: {
          '/a': {
            get: {
              responses: { 200: { description: 'ok' } },
              'x-amazon-apigateway-integration': { type: 'BOGUS' },
            },
          },
        },
      }),
    );
    try {
      const args = ['serve', api, '--port', '0', '--data-dir', path.join(d, 'data')];
      const single = spawnApigw(args);
      const workers = spawnApigw([...args, '--workers', '2']);
      expect(await workers.exited).toBe(1);
      expect(await single.exited).toBe(1);
      expect(workers.stderr()).toMatch(
        /^apigw: .*broken\.json cannot be served:\n.*unknown integration type 'BOGUS'/,
      );
      expect(workers.stderr()).toBe(single.stderr());
      expect(workers.stdout()).toBe('');
      expect(processesMentioning(api)).toEqual([]);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });

  test('a data directory another apigw holds: one clear line, exit 1, no worker left', async () => {
    const d = dir();
    const dataDir = path.join(d, 'data');
    const holder = spawnApigw(['s3', '--port', '0', '--data-dir', dataDir]);
    try {
      await holder.waitFor(/S3 endpoint: /);
      const proc = spawnApigw([
        'serve',
        'examples/s3-proxy',
        '--workers',
        '2',
        '--port',
        '0',
        '--data-dir',
        dataDir,
      ]);
      expect(await proc.exited).toBe(1);
      expect(proc.stderr().trimEnd().split('\n').at(-1)).toBe(
        `apigw: the S3 data directory ${path.join(dataDir, 's3')} is in use by process ${holder.child.pid}: ` +
          'stop that server or choose another --data-dir (two servers on one directory would corrupt it)',
      );
      expect(proc.stdout()).toBe('');
      expect(processesMentioning(dataDir).filter((pid) => pid !== holder.child.pid)).toEqual([]);
    } finally {
      holder.child.kill('SIGKILL');
      await holder.exited;
      rmSync(d, { recursive: true, force: true });
    }
  });
});
