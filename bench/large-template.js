#!/usr/bin/env node
/**
 * A mapping template over a ~10 MB JSON body with a million keys, the worst case for a template
 * engine (every key becomes a map entry): how long it takes, how long the gateway's event loop is
 * held (the longest time a tiny request sent meanwhile waits), and the gateway's peak RSS (VmHWM).
 *
 *   npm run build && node bench/large-template.js
 *
 * The gateway runs as `apigw serve` in its own process, so the client's own memory is not counted.
 */
'use strict';
/* global fetch, setTimeout */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
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
  for (const [name, template] of Object.entries(TEMPLATES)) {
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
    const pinger = (async () => {
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
    })();
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
    console.log(
      `${name}: ${res.status} in ${(ms / 1000).toFixed(1)} s; slowest small request meanwhile ${worstSmall.toFixed(0)} ms; gateway peak RSS ${hwm().toFixed(0)} MB (idle ${startHwm.toFixed(0)} MB)`,
    );
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  origin.close();
  fs.rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
