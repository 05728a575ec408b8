'use strict';
// Embedded S3 throughput, and the server's memory during a large multipart upload.
//
//   npm run build && node bench/s3.js [--s3rver PATH|npx] [--rounds R] [--small N] [--large N] [--multipart-gib G]
//   (--small 0 --large 0: only the multipart memory measurement)
//
// Measures PUT and GET of 1 KiB objects (ops/s, 8 requests in flight) and of 64 MiB objects
// (MB/s, one at a time) against `apigw s3`, and against s3rver (npm) when it can be started:
// `--s3rver /path/to/node_modules/.bin/s3rver`, or `--s3rver npx` for `npx --yes s3rver@3.7.1`.
// Both servers run as child processes on loopback with fresh data directories in the OS temp
// directory. Requests are signed with UNSIGNED-PAYLOAD so that client-side hashing does not
// dominate the large transfers. Then, for apigw only, a multipart upload of --multipart-gib GiB
// (16 MiB parts, 4 in flight) while the server's RSS is sampled every 50 ms from /proc.
const { spawn } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { setInterval, clearInterval } = require('node:timers');
const { URL } = require('node:url');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Hash } = require('@smithy/hash-node');

const MiB = 1024 * 1024;
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i < 0 ? fallback : args[i + 1];
};
const SMALL_OPS = Number(option('small', 2000));
const LARGE_OPS = Number(option('large', 4));
const MULTIPART_GIB = Number(option('multipart-gib', 1));
const ROUNDS = Number(option('rounds', 3));
const S3RVER = option('s3rver', undefined);
const CONCURRENCY = 8;

/** A free TCP port on loopback (s3rver needs one up front). */
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

/** Spawns a server and resolves once `ready` matches its output. */
function startProcess(command, commandArgs, ready) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (d) => {
      output += d.toString();
      const m = output.match(ready);
      if (m) resolve({ child, match: m });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) =>
      reject(new Error(`${command} exited (${code}) before it was ready:\n${output}`)),
    );
  });
}

async function startApigw(dir) {
  const credentials = path.join(dir, 'credentials');
  writeFileSync(
    credentials,
    '[bench]\naws_access_key_id = AKIABENCH00000000000\naws_secret_access_key = bench-secret\n',
  );
  const bin = path.join(__dirname, '..', 'bin', 'apigw.js');
  const { child, match } = await startProcess(
    process.execPath,
    [bin, 's3', '--port', '0', '--data-dir', path.join(dir, 'data'), '--credentials', credentials],
    /S3 endpoint: (http:\/\/\S+)/,
  );
  return {
    name: 'apigw s3',
    child,
    url: match[1],
    accessKeyId: 'AKIABENCH00000000000',
    secretAccessKey: 'bench-secret',
  };
}

async function startS3rver(dir) {
  const port = await freePort();
  const serverArgs = [
    '-d',
    path.join(dir, 'data'),
    '-a',
    '127.0.0.1',
    '-p',
    String(port),
    '--no-vhost-buckets',
  ];
  const [command, commandArgs] =
    S3RVER === 'npx'
      ? ['npx', ['--yes', 's3rver@3.7.1', ...serverArgs]]
      : [process.execPath, [S3RVER, ...serverArgs]];
  const { child } = await startProcess(command, commandArgs, /listening/i);
  return {
    name: 's3rver 3.7.1',
    child,
    url: `http://127.0.0.1:${port}`,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
  };
}

const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 });

/** One signed request (UNSIGNED-PAYLOAD); resolves with the status, headers and the body's length or text. */
async function send(server, method, pathAndQuery, body, keepText = false) {
  const url = new URL(pathAndQuery, server.url);
  const signer = new SignatureV4({
    service: 's3',
    region: 'us-east-1',
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false,
  });
  const query = {};
  url.searchParams.forEach((v, k) => (query[k] = v));
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query,
    headers: {
      host: url.host,
      'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      'content-length': String(body ? body.length : 0),
    },
  });
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers: signed.headers, agent }, (res) => {
      let length = 0;
      const chunks = [];
      res.on('data', (c) => {
        length += c.length;
        if (keepText) chunks.push(c);
      });
      res.on('end', () => {
        if (res.statusCode >= 300) reject(new Error(`${method} ${pathAndQuery}: ${res.statusCode}`));
        else
          resolve({
            status: res.statusCode,
            headers: res.headers,
            length,
            text: Buffer.concat(chunks).toString(),
          });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `count` operations with `concurrency` in flight; returns the elapsed seconds. */
async function timed(count, concurrency, operation) {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await operation(next++);
    }),
  );
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function throughput(server) {
  const bucket = `bench-${Date.now()}`;
  await send(server, 'PUT', `/${bucket}`);
  const small = Buffer.alloc(1024, 'x');
  const large = Buffer.alloc(64 * MiB);
  for (let i = 0; i < large.length; i += 4) large.writeUInt32LE((i * 2654435761) >>> 0, i);
  const putSmall = await timed(SMALL_OPS, CONCURRENCY, (i) =>
    send(server, 'PUT', `/${bucket}/small/${i}`, small),
  );
  const getSmall = await timed(SMALL_OPS, CONCURRENCY, (i) => send(server, 'GET', `/${bucket}/small/${i}`));
  const putLarge = await timed(LARGE_OPS, 1, (i) => send(server, 'PUT', `/${bucket}/large/${i}`, large));
  const getLarge = await timed(LARGE_OPS, 1, async (i) => {
    const res = await send(server, 'GET', `/${bucket}/large/${i}`);
    if (res.length !== large.length) throw new Error(`GET returned ${res.length} bytes`);
  });
  const mb = (LARGE_OPS * large.length) / 1e6;
  return {
    putSmall: SMALL_OPS / putSmall,
    getSmall: SMALL_OPS / getSmall,
    putLarge: mb / putLarge,
    getLarge: mb / getLarge,
  };
}

/** The resident set size of a process in MiB (Linux). */
function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function multipartMemory(server) {
  const bucket = `mp-${Date.now()}`;
  await send(server, 'PUT', `/${bucket}`);
  const partSize = 16 * MiB;
  const parts = Math.ceil((MULTIPART_GIB * 1024 * MiB) / partSize);
  const body = Buffer.alloc(partSize, 'm');
  const baseline = rssMiB(server.child.pid);
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(server.child.pid))), 50);
  const created = await send(server, 'POST', `/${bucket}/big?uploads`, undefined, true);
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(created.text)[1];
  const etags = [];
  const uploadSeconds = await timed(parts, 4, async (i) => {
    const res = await send(server, 'PUT', `/${bucket}/big?partNumber=${i + 1}&uploadId=${uploadId}`, body);
    etags[i] = res.headers.etag;
  });
  const peakParts = peak;
  const xml = `<CompleteMultipartUpload>${etags
    .map((etag, i) => `<Part><PartNumber>${i + 1}</PartNumber><ETag>${etag}</ETag></Part>`)
    .join('')}</CompleteMultipartUpload>`;
  const completeSeconds = await timed(1, 1, () =>
    send(server, 'POST', `/${bucket}/big?uploadId=${uploadId}`, Buffer.from(xml)),
  );
  clearInterval(sampler);
  return { size: parts * partSize, parts, baseline, peakParts, peak, uploadSeconds, completeSeconds };
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function main() {
  const started = [];
  const dirs = [];
  for (const start of S3RVER ? [startApigw, startS3rver] : [startApigw]) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'apigw-bench-s3-'));
    dirs.push(dir);
    try {
      started.push(await start(dir));
    } catch (error) {
      console.error(`skipping ${start.name}: ${error.message}`);
    }
  }
  const runs = new Map(started.map((server) => [server, []]));
  let memory;
  try {
    // Rounds alternate between the servers, and the median is reported, so that a burst of
    // load elsewhere on the machine does not favour whichever server happened to run then.
    for (let round = 0; round < ROUNDS && SMALL_OPS > 0 && LARGE_OPS > 0; round++) {
      for (const server of started) runs.get(server).push(await throughput(server));
    }
    const apigw = started.find((server) => server.name === 'apigw s3');
    if (apigw && MULTIPART_GIB > 0) memory = await multipartMemory(apigw);
  } finally {
    for (const server of started) server.child.kill('SIGTERM');
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
    agent.destroy();
  }
  const f = (n) => n.toFixed(0);
  const cpu = os.cpus();
  console.log(
    `\n${cpu.length} CPUs (${cpu[0].model}), Node ${process.version}, ${os.platform()} ${os.release()}`,
  );
  if (runs.size > 0 && [...runs.values()][0].length > 0) {
    console.log(`median of ${ROUNDS} rounds; ${SMALL_OPS} small and ${LARGE_OPS} large objects per round\n`);
    console.log('| server | PUT 1 KiB ops/s | GET 1 KiB ops/s | PUT 64 MiB MB/s | GET 64 MiB MB/s |');
    console.log('|---|---|---|---|---|');
  }
  for (const [server, results] of runs) {
    if (results.length === 0) continue;
    const m = (key) => f(median(results.map((r) => r[key])));
    console.log(
      `| ${server.name} | ${m('putSmall')} | ${m('getSmall')} | ${m('putLarge')} | ${m('getLarge')} |`,
    );
  }
  if (memory) {
    console.log(
      `\nMultipart upload of ${(memory.size / 1024 / MiB).toFixed(2)} GiB (${memory.parts} × 16 MiB parts, 4 in flight): ` +
        `server RSS ${f(memory.baseline)} MiB before, peak ${f(memory.peakParts)} MiB while parts streamed in, ` +
        `peak ${f(memory.peak)} MiB including CompleteMultipartUpload; parts ${memory.uploadSeconds.toFixed(1)} s, ` +
        `complete ${memory.completeSeconds.toFixed(1)} s.`,
    );
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
