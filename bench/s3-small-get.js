'use strict';
/* global fetch */
// Signed GET of one object (1 KiB unless --size), straight at `apigw s3`, with wrk: req/s.
//
//   node bench/s3-small-get.js [--size BYTES] [--seconds S] [--rounds R] ROOT [ROOT...]
//
// ROOT is a checkout whose bin/apigw.js runs a build (e.g. this repository, and a copy of it
// built at another commit). Rounds alternate between the roots so that a noisy machine hurts
// them alike. Each round starts a fresh server with a fresh data directory, puts one object,
// signs one GET for it (UNSIGNED-PAYLOAD, valid 15 minutes) and runs `wrk -t1 -c32`. (Not HEAD:
// wrk reads a HEAD response's Content-Length as a body to wait for.)
const { spawn, execFileSync } = require('node:child_process');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { URL } = require('node:url');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Hash } = require('@smithy/hash-node');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const [, value] = args.splice(i, 2);
  return value;
};
const SIZE = Number(option('size', 1024));
const SECONDS = Number(option('seconds', 8));
const ROUNDS = Number(option('rounds', 3));
const roots = args.length ? args : [path.join(__dirname, '..')];
const KEY_ID = 'AKIABENCH00000000000';
const SECRET = 'bench-secret';

function start(root, dir) {
  const credentials = path.join(dir, 'credentials');
  writeFileSync(credentials, `[bench]\naws_access_key_id = ${KEY_ID}\naws_secret_access_key = ${SECRET}\n`);
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(root, 'bin', 'apigw.js'),
        's3',
        '--port',
        '0',
        '--data-dir',
        path.join(dir, 'data'),
        '--credentials',
        credentials,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const onData = (d) => {
      output += d.toString();
      const m = output.match(/S3 endpoint: (http:\/\/\S+)/);
      if (m) resolve({ child, url: m[1] });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`exited (${code}):\n${output}`)));
  });
}

async function sign(server, method, pathname) {
  const url = new URL(pathname, server.url);
  const signer = new SignatureV4({
    service: 's3',
    region: 'us-east-1',
    credentials: { accessKeyId: KEY_ID, secretAccessKey: SECRET },
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: false,
  });
  const signed = await signer.sign({
    method,
    protocol: 'http:',
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query: {},
    headers: { host: url.host, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
  });
  return { url: url.href, headers: signed.headers };
}

async function send(server, method, pathname, body) {
  const { url, headers } = await sign(server, method, pathname);
  const res = await fetch(url, { method, headers, body });
  if (res.status >= 300) throw new Error(`${method} ${pathname}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
}

async function round(root) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'apigw-bench-'));
  const server = await start(root, dir);
  try {
    await send(server, 'PUT', '/bench');
    await send(server, 'PUT', '/bench/small', Buffer.alloc(SIZE, 'x'));
    const { url, headers } = await sign(server, 'GET', '/bench/small');
    const wrkArgs = ['-t1', '-c32', `-d${SECONDS}s`, url];
    for (const [k, v] of Object.entries(headers)) if (k !== 'host') wrkArgs.push('-H', `${k}: ${v}`);
    const out = execFileSync('wrk', wrkArgs, { encoding: 'utf8' });
    const rps = Number(out.match(/Requests\/sec:\s+([\d.]+)/)[1]);
    const errors = out.match(/Non-2xx or 3xx responses: (\d+)/);
    if (errors) throw new Error(`wrk saw ${errors[1]} failed responses:\n${out}`);
    return rps;
  } finally {
    server.child.kill('SIGINT');
    await new Promise((r) => server.child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

(async () => {
  const results = new Map(roots.map((r) => [r, []]));
  for (let i = 0; i < ROUNDS; i++) {
    for (const root of roots) {
      const rps = await round(root);
      results.get(root).push(rps);
      console.log(`round ${i + 1} ${root}: ${rps.toFixed(0)} req/s`);
    }
  }
  for (const [root, list] of results) {
    const sorted = [...list].sort((a, b) => a - b);
    console.log(
      `${root}: median ${sorted[Math.floor(sorted.length / 2)].toFixed(0)} req/s (${list.map((x) => x.toFixed(0)).join(', ')})`,
    );
  }
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
