#!/usr/bin/env node
/**
 * A mapping template over a ~10 MB JSON body with a million keys, the worst case for a template
 * engine (every key becomes a map entry): how long it takes, how long the gateway's event loop is
 * held (the longest time a tiny request sent meanwhile waits), and the gateway's peak RSS (VmHWM).
 *
 *   npm run build && node bench/large-template.js [--runs N]
 *
 * The gateway runs as `apigw serve` in its own process, so the client's own memory is not counted.
 * Each run starts a fresh gateway per template (templates interleaved run by run) and first sends
 * the tiny requests alone for as long (CONTROL_MS): the slowest of those is what the shared machine
 * costs with no large render, the number to read the other against. With several runs the summary
 * gives the minimum and the median of each measure.
 */
'use strict';
/* global fetch, setTimeout */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const CONTROL_MS = 2000;
const runsFlag = process.argv.indexOf('--runs');
const RUNS = runsFlag > 0 ? Number(process.argv[runsFlag + 1]) : 1;
const TEMPLATES = {
  '$input.json': "$input.json('$')",
  '$input.path size': "#set($b = $input.path('$'))$b.size()",
};

async function main() {
  const origin = http.createServer((req, res) => {
    let n = 0;
    req.on('data', (c) => (n += c.length));
    req.on('end', () => res.end(JSON.stringify({ received: n })));
  });
  await new Promise((r) => origin.listen(0, '127.0.0.1', r));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'apigw-large-template-'));
  const body = `{${Array.from({ length: 1_000_000 }, (_, i) => `"a${i.toString(36)}":1`).join(',')}}`;
  console.log(`body: ${(body.length / 1e6).toFixed(1)} MB, 1,000,000 keys`);
  const results = Object.fromEntries(Object.keys(TEMPLATES).map((name) => [name, []]));
  for (let run = 0; run < RUNS; run++) {
    for (const [name, template] of Object.entries(TEMPLATES)) {
      const r = await measure(origin, dir, body, template);
      results[name].push(r);
      console.log(
        `${name}: ${r.status} in ${(r.ms / 1000).toFixed(1)} s; slowest small request meanwhile ${r.worstSmall.toFixed(0)} ms (alone before: ${r.worstControl.toFixed(0)} ms); gateway peak RSS ${r.peak.toFixed(0)} MB (idle ${r.idle.toFixed(0)} MB)`,
      );
    }
  }
  if (RUNS > 1) {
    const stat = (values, digits = 0) => {
      const sorted = [...values].sort((a, b) => a - b);
      return `${sorted[0].toFixed(digits)} / ${sorted[Math.floor((sorted.length - 1) / 2)].toFixed(digits)}`;
    };
    console.log(`\nmin / median of ${RUNS} runs:`);
    for (const [name, rs] of Object.entries(results)) {
      console.log(
        `${name}: answers ${[...new Set(rs.map((r) => r.status))].join(',')}; render ${stat(
          rs.map((r) => r.ms / 1000),
          1,
        )} s; slowest small request ${stat(rs.map((r) => r.worstSmall))} ms (alone: ${stat(
          rs.map((r) => r.worstControl),
        )} ms); peak RSS ${stat(rs.map((r) => r.peak))} MB (idle ${stat(rs.map((r) => r.idle))} MB)`,
      );
    }
  }
  origin.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

async function measure(origin, dir, body, template) {
  const api = {
    swagger: '2.0',
    info: { title: 'large template', version: '1' },
    basePath: '/t',
    paths: {
      '/y': {
        post: {
          responses: { 200: { description: 'ok' } },
          'x-amazon-apigateway-integration': {
            type: 'http',
            httpMethod: 'POST',
            uri: `http://127.0.0.1:${origin.address().port}/`,
            requestTemplates: { 'application/json': template },
            responses: { default: { statusCode: '200' } },
          },
        },
      },
    },
  };
  fs.writeFileSync(path.join(dir, 'api.json'), JSON.stringify(api));
  const child = spawn(
    process.execPath,
    [
      path.join(ROOT, 'bin/apigw.js'),
      'serve',
      path.join(dir, 'api.json'),
      '--port',
      '0',
      '--data-dir',
      dir,
      '--log-level',
      'warn',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const url = await new Promise((resolve) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /Base URL: (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
  });
  const hwm = () =>
    Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'))[1]) / 1024;
  const startHwm = hwm();
  let stop = false;
  let worstSmall = 0;
  const ping = async () => {
    while (!stop) {
      const t = process.hrtime.bigint();
      await fetch(`${url}/y`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
      }).then((r) => r.text());
      worstSmall = Math.max(worstSmall, Number(process.hrtime.bigint() - t) / 1e6);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  // The route warmed up (connection, first compilations), then the tiny requests alone: the
  // machine's own noise.
  for (let i = 0; i < 50; i++) {
    await fetch(`${url}/y`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    }).then((r) => r.text());
  }
  let pinger = ping();
  await new Promise((r) => setTimeout(r, CONTROL_MS));
  stop = true;
  await pinger;
  const worstControl = worstSmall;
  stop = false;
  worstSmall = 0;
  pinger = ping();
  const t = process.hrtime.bigint();
  const res = await fetch(`${url}/y`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  await res.text();
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  stop = true;
  await pinger;
  const peak = hwm();
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return { status: res.status, ms, worstSmall, worstControl, peak, idle: startHwm };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
