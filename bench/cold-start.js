#!/usr/bin/env node
'use strict';
// Cold start of `apigw serve examples/s3-proxy`: time from spawning the process until the port is
// open and the base URL printed (API loaded, embedded S3 ready). Run after `npm run build`:
//   node bench/cold-start.js [runs]
const { spawn } = require('node:child_process');
const { mkdtempSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

const runs = Number(process.argv[2] ?? 10);
const repo = path.resolve(__dirname, '..');

function once() {
  return new Promise((resolve, reject) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'apigw-bench-'));
    const started = process.hrtime.bigint();
    const child = spawn(
      process.execPath,
      [
        'bin/apigw.js',
        'serve',
        'examples/s3-proxy',
        '--port',
        '0',
        '--data-dir',
        dataDir,
        '--log-level',
        'error',
      ],
      {
        cwd: repo,
        env: {
          PATH: process.env.PATH,
          AWS_ACCESS_KEY_ID: 'AKIABENCHMARK0000001',
          AWS_SECRET_ACCESS_KEY: 'bench',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('Base URL:')) {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        child.kill('SIGTERM');
        child.on('exit', () => {
          rmSync(dataDir, { recursive: true, force: true });
          resolve(ms);
        });
      }
    });
    child.on('error', reject);
  });
}

(async () => {
  const times = [];
  for (let i = 0; i < runs; i++) times.push(await once());
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  console.log(
    `cold start over ${runs} runs: min ${times[0].toFixed(0)} ms, median ${median.toFixed(0)} ms, max ${times[times.length - 1].toFixed(0)} ms`,
  );
})();
