#!/usr/bin/env node
'use strict';
// apigw side by side with a bare Node proxy and nginx, in one run, measured with wrk.
// Run after `npm run build` (needs wrk; nginx optional):
//   node bench/compare.js [--duration 8] [--connections 32] [--only name,name] [--soak-seconds 60]
//                         [--large 1GiB] [--warmup 2] [--write]
// Everything is started here on 127.0.0.1 (free ports), as child processes, and stopped at the
// end (also on errors and Ctrl-C). The markdown table goes to stdout, progress to stderr;
// --write appends the table to bench/results.md under a dated heading with the machine.
// See bench/README.md for what each row is.
const { spawn, spawnSync } = require('node:child_process');
const {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
  appendFileSync,
} = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: setTimer, clearTimeout: clearTimer } = require('node:timers');
const { setTimeout: sleep } = require('node:timers/promises');
const { HttpRequest } = require('@smithy/protocol-http');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Hash } = require('@smithy/hash-node');
const { URL } = require('node:url');
const { request } = require('undici');

const repo = path.resolve(__dirname, '..');
const KEYS = { accessKeyId: 'AKIABENCHMARK0000001', secretAccessKey: 'bench/secret+key' };
const NAMES = ['origin', 'bare', 'nginx', 'http-proxy', 'mock', 'tutorial', 'soak', 'large'];
const ONE_SECOND_US = 1_000_000;

// ---------------------------------------------------------------------------------------------
// Options

function parseOptions(argv) {
  const o = {
    duration: 8,
    connections: 32,
    warmup: 2,
    only: undefined,
    soakSeconds: 60,
    soakConnections: 200,
    large: '1GiB',
    write: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    const number = () => {
      const v = Number(value());
      if (!Number.isFinite(v) || v < 0) throw new Error(`${arg}: not a number`);
      return v;
    };
    if (arg === '--duration') o.duration = number();
    else if (arg === '--connections') o.connections = number();
    else if (arg === '--warmup') o.warmup = number();
    else if (arg === '--soak-seconds') o.soakSeconds = number();
    else if (arg === '--soak-connections') o.soakConnections = number();
    else if (arg === '--large') o.large = value();
    else if (arg === '--write') o.write = true;
    else if (arg === '--only') {
      o.only = new Set(value().split(',').filter(Boolean));
      for (const n of o.only)
        if (!NAMES.includes(n)) throw new Error(`--only ${n}: one of ${NAMES.join(', ')}`);
    } else if (arg === '--help' || arg === '-h') {
      console.log(
        readFileSync(path.join(__dirname, 'compare.js'), 'utf8')
          .split('\n')
          .slice(2, 10)
          .join('\n')
          .replace(/^\/\/ ?/gm, ''),
      );
      process.exit(0);
    } else throw new Error(`unknown option ${arg} (see --help)`);
  }
  if (o.large !== '0' && !/^\d+(KiB|MiB|GiB)$/.test(o.large))
    throw new Error('--large: e.g. 64MiB, 1GiB, or 0');
  if (o.duration < 1 || o.connections < 1) throw new Error('--duration and --connections must be ≥ 1');
  return o;
}

// ---------------------------------------------------------------------------------------------
// Child processes: every one is tracked, in its own process group, and killed on the way out.

const children = new Set();
let tmp;

function track(child) {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
  }
}

function killAllSync() {
  for (const child of children) killGroup(child, 'SIGKILL');
  children.clear();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
}

process.on('exit', killAllSync);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    process.stderr.write(`\n${signal}: stopping everything\n`);
    killAllSync();
    process.exit(130);
  });
}

/** Stops a child (and its process group): SIGTERM, then SIGKILL after 5 s. */
async function stop(proc) {
  const child = proc.child ?? proc;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  killGroup(child, 'SIGTERM');
  const timer = setTimer(() => killGroup(child, 'SIGKILL'), 5000);
  await exited;
  clearTimer(timer);
}

/**
 * Spawns `node <args>` and resolves once stdout matches `ready` (its first group is the URL);
 * startupMs is spawn → that line. stderr is kept (the last 64 KiB) to report what the process
 * said under load.
 */
function startNode(label, args, ready, env = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = track(
      spawn(process.execPath, args, {
        cwd: repo,
        env: { PATH: process.env.PATH, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      }),
    );
    const proc = { label, child, url: undefined, startupMs: undefined, stderr: '', stderrLines: 0 };
    let out = '';
    child.stdout.on('data', (d) => {
      if (proc.url) return;
      out += d;
      const m = ready.exec(out);
      if (m) {
        proc.url = m[1];
        proc.startupMs = Number(process.hrtime.bigint() - started) / 1e6;
        resolve(proc);
      }
    });
    child.stderr.on('data', (d) => {
      proc.stderr = (proc.stderr + d).slice(-65536);
      proc.stderrLines += String(d).split('\n').length - 1;
    });
    child.once('exit', (code, signal) => {
      if (!proc.url)
        reject(new Error(`${label} exited (${code ?? signal}) before listening: ${out}${proc.stderr}`));
    });
    child.once('error', reject);
  });
}

/** A free TCP port on 127.0.0.1 (for nginx, which cannot report the port it picked). */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitForPort(port, child, ms = 5000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before listening`);
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(25);
  }
  throw new Error(`port ${port} not open after ${ms} ms`);
}

// ---------------------------------------------------------------------------------------------
// Memory: VmHWM (peak resident set) of a process and its descendants (apigw --workers).

function descendants(pid) {
  const out = [];
  let tasks = [];
  try {
    tasks = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tasks) {
    let kids = '';
    try {
      kids = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8');
    } catch {
      continue;
    }
    for (const kid of kids.split(/\s+/).filter(Boolean).map(Number)) out.push(kid, ...descendants(kid));
  }
  return out;
}

function vmHwmMiB(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Peak RSS of a process tree: the sum of each process's VmHWM (an upper bound of the tree's peak), and how many processes. */
function treeHwm(pid) {
  const pids = [pid, ...descendants(pid)];
  const values = pids.map(vmHwmMiB).filter((v) => v !== undefined);
  return { sumMiB: values.reduce((a, b) => a + b, 0), maxMiB: Math.max(...values), processes: values.length };
}

// ---------------------------------------------------------------------------------------------
// wrk: a Lua done() hook prints the summary as JSON (latencies in µs).

const WRK_LUA = `
done = function(summary, latency, requests)
  -- Requests over 1 s: walk wrk's latency histogram down from its top (latency(i) is the i-th
  -- distinct value and its count). wrk 4 adds coordinated-omission correction samples to that
  -- histogram, so this is an upper bound of real requests over 1 s; 0 is exact when max <= 1 s.
  local over, exact = 0, "true"
  if latency.max > ${ONE_SECOND_US} then
    local n = #latency
    local i = n
    while i >= 1 do
      if n - i >= 500 then exact = "false" break end
      local v, c = latency(i)
      if v <= ${ONE_SECOND_US} then break end
      over = over + c
      i = i - 1
    end
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests":%d,"duration_us":%d,"bytes":%d,"connect":%d,"read":%d,"write":%d,' ..
    '"status":%d,"timeout":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d,"over1s":%d,"over1s_exact":%s}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, over, exact))
end
`;

/** Runs wrk; resolves with req/s, latencies in ms, errors (non-2xx/3xx + socket errors). */
function wrk(url, { connections, seconds, headers = {} }) {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '--timeout', '10s'];
  args.push('-s', path.join(tmp, 'report.lua'));
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  args.push(url);
  return new Promise((resolve, reject) => {
    const child = track(spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      const m = /WRKJSON (\{.*\})/.exec(out);
      if (code !== 0 || !m) return reject(new Error(`wrk ${url} failed (${code}): ${out}`));
      const r = JSON.parse(m[1]);
      const socketErrors = r.connect + r.read + r.write + r.timeout;
      resolve({
        rps: r.requests / (r.duration_us / 1e6),
        requests: r.requests,
        p50: r.p50 / 1000,
        p90: r.p90 / 1000,
        p99: r.p99 / 1000,
        max: r.max / 1000,
        over1s: r.over1s,
        over1sExact: r.over1s_exact,
        errors: r.status + socketErrors,
        timeouts: r.timeout,
        errorDetail: `non-2xx/3xx ${r.status}, connect ${r.connect}, read ${r.read}, write ${r.write}, timeout ${r.timeout}`,
      });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// SigV4 for examples/s3-proxy (AWS_IAM, service execute-api).

async function signedHeaders(url, method = 'GET', body = Buffer.alloc(0)) {
  const u = new URL(url);
  const signer = new SignatureV4({
    service: 'execute-api',
    region: 'us-east-1',
    credentials: KEYS,
    sha256: Hash.bind(null, 'sha256'),
  });
  const headers = { host: u.host };
  if (body.length > 0) {
    headers['content-type'] = 'text/plain';
    headers['content-length'] = String(body.length);
  }
  const signed = await signer.sign(
    new HttpRequest({
      method,
      protocol: 'http:',
      hostname: u.hostname,
      port: Number(u.port),
      path: u.pathname,
      headers,
      body: body.length > 0 ? body : undefined,
    }),
  );
  return signed.headers;
}

async function signedCall(url, method, body) {
  const headers = await signedHeaders(url, method, body);
  delete headers.host;
  const res = await request(url, { method, headers, body: body.length > 0 ? body : undefined });
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`${method} ${url}: HTTP ${res.statusCode} ${text}`);
}

// ---------------------------------------------------------------------------------------------
// The targets

const apigwEnv = { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey };
let dataDirs = 0;

function startApigw(label, api, extra = []) {
  const dataDir = path.join(tmp, `data-${++dataDirs}`);
  return startNode(
    label,
    ['bin/apigw.js', 'serve', api, '--port', '0', '--log-level', 'error', '--data-dir', dataDir, ...extra],
    /Base URL: (http:\/\/\S+)/,
    apigwEnv,
  );
}

/** The tutorial GET /S3/{folder}/{item}: examples/s3-proxy with a 1 KiB object PUT first. */
async function startTutorial(label, extra) {
  const proc = await startApigw(label, 'examples/s3-proxy', extra);
  await signedCall(`${proc.url}/bench`, 'PUT', Buffer.alloc(0));
  await signedCall(`${proc.url}/bench/one-kib`, 'PUT', Buffer.alloc(1024, 'a'));
  proc.target = `${proc.url}/bench/one-kib`;
  // Signed once per wrk run, just before it (valid for 15 minutes of clock skew).
  proc.headers = async () => {
    const h = await signedHeaders(proc.target);
    return { Host: h.host, ...Object.fromEntries(Object.entries(h).filter(([k]) => k !== 'host')) };
  };
  return proc;
}

async function startNginx(origin) {
  const dir = path.join(tmp, 'nginx');
  mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const port = await freePort();
  const originPort = new URL(origin.url).port;
  const conf = `user root;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  upstream origin {
    server 127.0.0.1:${originPort};
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    keepalive_requests 1000000;
    location / {
      proxy_pass http://origin;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
  writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const started = process.hrtime.bigint();
  const child = track(
    spawn(
      'nginx',
      [
        '-p',
        dir,
        '-c',
        path.join(dir, 'nginx.conf'),
        '-e',
        path.join(dir, 'logs/error.log'),
        '-g',
        'daemon off;',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'], detached: true },
    ),
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  try {
    await waitForPort(port, child);
  } catch (e) {
    await stop(child);
    throw new Error(`nginx: ${e.message}: ${stderr}`);
  }
  return {
    label: 'nginx',
    child,
    url: `http://127.0.0.1:${port}`,
    startupMs: Number(process.hrtime.bigint() - started) / 1e6,
    stderr: '',
    stderrLines: 0,
  };
}

function commandExists(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function workersSupported() {
  const r = spawnSync(process.execPath, ['bin/apigw.js', 'serve', '--help'], { cwd: repo, encoding: 'utf8' });
  return /--workers\b/.test(`${r.stdout}${r.stderr}`);
}

// ---------------------------------------------------------------------------------------------
// Large bodies: bench/gateway-throughput.js, run as it is, its table parsed.

function largeBodies(size) {
  return new Promise((resolve, reject) => {
    const child = track(
      spawn(process.execPath, [path.join(__dirname, 'gateway-throughput.js'), size], {
        cwd: repo,
        stdio: ['ignore', 'pipe', 'inherit'],
        detached: true,
      }),
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`gateway-throughput.js ${size} exited with ${code}: ${out}`));
      const rows = [];
      for (const line of out.split('\n')) {
        const cells = line.split('|').map((c) => c.trim());
        if (cells.length < 8 || cells[1] !== size) continue;
        rows.push({
          size: cells[1],
          method: cells[2],
          route: cells[3],
          transfers: Number(cells[4]),
          mbps: Number(cells[5]),
          gatewayHwm: cells[6],
          s3Hwm: cells[7],
        });
      }
      resolve({ rows, idle: (/^idle after start-up: .*$/m.exec(out) ?? [''])[0] });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Formatting

const fmt = {
  int: (v) => Math.round(v).toLocaleString('en-US'),
  ms: (v) => (v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)),
  mib: (v) => (v === undefined ? '—' : `${v.toFixed(0)} MiB`),
};

function markdownTable(header, rows) {
  const lines = [
    `| ${header.join(' | ')} |`,
    `| ${header.map((h) => '-'.repeat(Math.max(3, h.length))).join(' | ')} |`,
  ];
  for (const row of rows) lines.push(`| ${row.join(' | ')} |`);
  return lines.join('\n');
}

function machine() {
  let osName = `${os.type()} ${os.release()}`;
  try {
    const m = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    if (m) osName = m[1];
  } catch {
    // not Linux
  }
  const cpus = os.cpus();
  return `${cpus.length} cores (${cpus[0]?.model.trim() ?? 'unknown CPU'}), Node ${process.version}, ${osName}`;
}

const check = (ok) => (ok === undefined ? '—' : ok ? '✅' : '❌');

// ---------------------------------------------------------------------------------------------

async function main() {
  const o = parseOptions(process.argv.slice(2));
  const wants = (name) => !o.only || o.only.has(name);
  if (!commandExists('wrk')) throw new Error('wrk is not installed (apt-get install wrk)');
  if (!existsSync(path.join(repo, 'dist', 'gateway', 'cli.js'))) throw new Error('run `npm run build` first');
  tmp = mkdtempSync(path.join(os.tmpdir(), 'apigw-compare-'));
  writeFileSync(path.join(tmp, 'report.lua'), WRK_LUA);
  const log = (s) => process.stderr.write(`${s}\n`);
  const notes = [];
  const rows = [];
  const startups = [];
  const apigwStderr = [];

  const hasNginx = commandExists('nginx');
  if (wants('nginx') && !hasNginx) notes.push('nginx: skipped, not installed (apt-get install nginx).');
  const workers = workersSupported();
  if (!workers) notes.push('apigw --workers 2: skipped, `apigw serve --help` lists no --workers option.');

  const origin = await startNode('origin', ['bench/origin.js'], /listening on (http:\/\/\S+)/);
  const originPort = new URL(origin.url).port;

  /** Starts one target, warms it up, measures it, records its peak RSS, stops it. */
  async function measure(name, description, starter, pathSuffix = '/') {
    const proc = await starter();
    try {
      const url = proc.target ?? `${proc.url}${pathSuffix}`;
      const headers = proc.headers ? await proc.headers() : {};
      log(`${description}: ${url}`);
      if (o.warmup > 0) await wrk(url, { connections: o.connections, seconds: o.warmup, headers });
      const r = await wrk(url, { connections: o.connections, seconds: o.duration, headers });
      const mem = proc === origin ? undefined : treeHwm(proc.child.pid);
      rows.push({ name, description, ...r, startupMs: proc.startupMs, mem });
      if (name.startsWith('apigw')) {
        startups.push({ name, ms: proc.startupMs });
        if (proc.stderrLines > 0) apigwStderr.push({ name, lines: proc.stderrLines, tail: proc.stderr });
      }
      log(
        `  ${fmt.int(r.rps)} req/s, p50 ${fmt.ms(r.p50)} ms, p99 ${fmt.ms(r.p99)} ms, errors ${r.errors}` +
          (r.errors ? ` (${r.errorDetail})` : ''),
      );
    } finally {
      if (proc !== origin) await stop(proc);
    }
  }

  try {
    if (wants('origin')) await measure('origin', 'origin (node:http, 1 KiB)', async () => origin);
    if (wants('bare'))
      await measure('bare', 'bare proxy (node:http + undici Pool)', () =>
        startNode('bare proxy', ['bench/bare-proxy.js', origin.url], /listening on (http:\/\/\S+)/),
      );
    if (wants('nginx') && hasNginx) {
      try {
        await measure('nginx', 'nginx proxy_pass, 1 worker, keepalive 64', () => startNginx(origin));
      } catch (e) {
        notes.push(`nginx: skipped, it failed: ${e.message.split('\n')[0]}`);
        log(`nginx failed: ${e.message}`);
      }
    }
    const variants = [{ suffix: '', extra: [], label: '' }];
    if (workers) variants.push({ suffix: '-w2', extra: ['--workers', '2'], label: ', --workers 2' });
    for (const v of variants) {
      if (wants('http-proxy'))
        await measure(
          `apigw http-proxy${v.suffix}`,
          `apigw http_proxy ANY /{proxy+}${v.label}`,
          () =>
            startApigw('apigw http-proxy', 'bench/apis/http-proxy.json', [
              '--stage-variable',
              `originPort=${originPort}`,
              ...v.extra,
            ]),
          '/some/path?q=1',
        );
      if (wants('mock'))
        await measure(
          `apigw mock${v.suffix}`,
          `apigw mock, request + response templates${v.label}`,
          () => startApigw('apigw mock', 'bench/apis/mock.json', v.extra),
          '/items/42?verbose=true',
        );
      if (wants('tutorial'))
        await measure(
          `apigw tutorial${v.suffix}`,
          `apigw tutorial GET /S3/{folder}/{item}, AWS_IAM${v.label}`,
          () => startTutorial('apigw tutorial', v.extra),
        );
    }
  } finally {
    await stop(origin);
  }

  // Soak: the tutorial GET at soakConnections for soakSeconds, on a fresh process.
  const soaks = [];
  if (wants('soak') && o.soakSeconds > 0) {
    for (const v of workers
      ? [
          { name: '', extra: [] },
          { name: ' --workers 2', extra: ['--workers', '2'] },
        ]
      : [{ name: '', extra: [] }]) {
      const proc = await startTutorial('apigw tutorial (soak)', v.extra);
      try {
        startups.push({ name: `apigw tutorial soak${v.name}`, ms: proc.startupMs });
        const before = treeHwm(proc.child.pid);
        log(`soak${v.name}: ${o.soakConnections} connections for ${o.soakSeconds} s: ${proc.target}`);
        const r = await wrk(proc.target, {
          connections: o.soakConnections,
          seconds: o.soakSeconds,
          headers: await proc.headers(),
        });
        const after = treeHwm(proc.child.pid);
        soaks.push({ name: `tutorial GET${v.name}`, ...r, before, after });
        if (proc.stderrLines > 0)
          apigwStderr.push({ name: `soak${v.name}`, lines: proc.stderrLines, tail: proc.stderr });
        log(
          `  ${fmt.int(r.rps)} req/s, errors ${r.errors} (${r.errorDetail}), max ${fmt.ms(r.max)} ms, ` +
            `peak RSS ${fmt.mib(after.sumMiB)}`,
        );
      } finally {
        await stop(proc);
      }
    }
  }

  let large;
  if (wants('large') && o.large !== '0') {
    log(`large bodies: node bench/gateway-throughput.js ${o.large}`);
    large = await largeBodies(o.large);
  }

  // ---- report
  const bare = rows.find((r) => r.name === 'bare');
  const ratio = (r) => (bare ? r.rps / bare.rps : undefined);
  const out = [];
  out.push(
    `wrk -t1 -c${o.connections} -d${o.duration}s --latency per row after a ${o.warmup} s warm-up; ` +
      `each server started fresh for its row; ${machine()}.`,
    '',
  );
  out.push(
    markdownTable(
      ['row', 'req/s', '× bare', 'p50 ms', 'p99 ms', 'max ms', 'errors', 'start-up', 'peak RSS'],
      rows.map((r) => [
        r.description,
        fmt.int(r.rps),
        ratio(r) === undefined ? '—' : `${ratio(r).toFixed(2)}×`,
        fmt.ms(r.p50),
        fmt.ms(r.p99),
        fmt.ms(r.max),
        String(r.errors),
        r.startupMs === undefined ? '—' : `${fmt.int(r.startupMs)} ms`,
        r.mem ? `${fmt.mib(r.mem.sumMiB)}${r.mem.processes > 1 ? ` (${r.mem.processes} procs)` : ''}` : '—',
      ]),
    ),
  );
  if (soaks.length) {
    out.push(
      '',
      `Soak: wrk -t1 -c${o.soakConnections} -d${o.soakSeconds}s (no warm-up, fresh process). Errors are ` +
        'non-2xx/3xx plus socket errors; "> 1 s" counts wrk latency-histogram entries over 1 s (an upper ' +
        'bound: wrk adds coordinated-omission samples; 0 is exact when max ≤ 1 s); peak RSS is the sum of ' +
        'VmHWM of the apigw process and its children.',
      '',
      markdownTable(
        [
          'soak',
          'req/s',
          'requests',
          'errors',
          'p50 ms',
          'p99 ms',
          'max ms',
          '> 1 s',
          'RSS after start',
          'peak RSS',
        ],
        soaks.map((s) => [
          s.name,
          fmt.int(s.rps),
          fmt.int(s.requests),
          s.errors ? `${s.errors} (${s.errorDetail})` : '0',
          fmt.ms(s.p50),
          fmt.ms(s.p99),
          fmt.ms(s.max),
          `${s.over1s}${s.over1sExact ? '' : '+'}`,
          fmt.mib(s.before.sumMiB),
          fmt.mib(s.after.sumMiB),
        ]),
      ),
    );
  }
  if (large) {
    out.push(
      '',
      `Large bodies (bench/gateway-throughput.js ${o.large}; ${large.idle}):`,
      '',
      markdownTable(
        ['op', 'path', 'transfers', 'MB/s', '× direct', 'gateway VmHWM', 'S3 VmHWM'],
        large.rows.map((r) => {
          const direct = large.rows.find((d) => d.method === r.method && d.route === 'direct');
          return [
            `${r.method} ${r.size}`,
            r.route,
            String(r.transfers),
            fmt.int(r.mbps),
            direct ? `${(r.mbps / direct.mbps).toFixed(2)}×` : '—',
            r.gatewayHwm,
            r.s3Hwm,
          ];
        }),
      ),
    );
  }

  // ---- targets
  const target = (name) => rows.find((r) => r.name === name);
  const lines = [];
  const ratioLine = (name, label, min) => {
    const r = target(name);
    if (!r) return;
    const x = ratio(r);
    lines.push(
      `${check(x === undefined ? undefined : x >= min)} ${label} ≥ ${min.toFixed(min < 1 ? 2 : 1)}× bare: ${x === undefined ? 'no bare row' : `${x.toFixed(2)}×`}`,
    );
  };
  ratioLine('apigw http-proxy', 'http_proxy', 0.7);
  ratioLine('apigw mock', 'mock', 1.0);
  ratioLine('apigw tutorial', 'tutorial GET', 0.35);
  const tut = target('apigw tutorial');
  if (tut) lines.push(`${check(tut.p50 <= 5)} tutorial GET p50 ≤ 5 ms: ${fmt.ms(tut.p50)} ms`);
  for (const s of soaks) {
    const peakMB = (s.after.sumMiB * 1024 * 1024) / 1e6;
    lines.push(
      `${check(s.errors === 0)} soak ${s.name}: 0 errors: ${s.errors}`,
      `${check(s.max <= 1000 && s.timeouts === 0)} soak ${s.name}: no request > 1 s: max ${fmt.ms(s.max)} ms`,
      `${check(peakMB <= 200)} soak ${s.name}: peak RSS ≤ 200 MB: ${peakMB.toFixed(0)} MB (${fmt.mib(s.after.sumMiB)})`,
    );
  }
  if (large) {
    const get = (route) => large.rows.find((r) => r.method === 'GET' && r.route === route);
    const d = get('direct');
    const g = get('gateway');
    if (d && g)
      lines.push(
        `${check(g.mbps >= 0.8 * d.mbps)} ${o.large} GET through the gateway ≥ 0.8× direct: ${(g.mbps / d.mbps).toFixed(2)}×` +
          (o.large === '1GiB' ? '' : ` (target is for 1GiB; measured ${o.large})`),
      );
  }
  if (startups.length) {
    const worst = startups.reduce((a, b) => (b.ms > a.ms ? b : a));
    lines.push(
      `${check(worst.ms <= 500)} start-up to listening ≤ 0.5 s (spawn → "Base URL" line, ${startups.length} apigw processes): ` +
        `max ${fmt.int(worst.ms)} ms (${worst.name}), median ${fmt.int(median(startups.map((s) => s.ms)))} ms`,
    );
  }
  if (lines.length) out.push('', 'Targets:', '', ...lines.map((l) => `- ${l}`));
  if (notes.length) out.push('', ...notes.map((n) => `Note: ${n}`));
  for (const e of apigwStderr) {
    out.push(
      '',
      `Note: ${e.name} wrote ${e.lines} line(s) to stderr; the last:`,
      '',
      '```',
      e.tail.trim().split('\n').slice(-5).join('\n'),
      '```',
    );
  }
  const text = out.join('\n');
  console.log(text);

  if (o.write) {
    const date = new Date().toISOString().slice(0, 10);
    const args = process.argv
      .slice(2)
      .filter((a) => a !== '--write')
      .join(' ');
    appendFileSync(
      path.join(__dirname, 'results.md'),
      `\n## Side by side — \`node bench/compare.js${args ? ` ${args}` : ''}\`\n\n${date} — ${machine()}.\n\n${text}\n`,
    );
    log('appended to bench/results.md');
  }
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

main()
  .catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const child of [...children]) await stop(child);
    killAllSync();
  });
