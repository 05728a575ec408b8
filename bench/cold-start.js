#!/usr/bin/env node
'use strict';
// Cold start of `apigw serve`: time from spawning the process until the "Base URL" line (API
// loaded and checked, embedded S3 ready, the port open; with --workers, every worker listening).
// Run after `npm run build`:
//   node bench/cold-start.js [runs]                      examples/s3-proxy, one process
//   node bench/cold-start.js 20 --workers 1,2            one process and --workers 2, interleaved
//   node bench/cold-start.js 20 --repo /tmp/before --node /path/to/node24
// Every variant (each --repo × each --node × each --workers) runs once per round, rounds repeat:
// on a shared machine only variants measured side by side compare. --repo is a checkout (or a
// copy of bin/, dist/, examples/, package.json with node_modules) to compare this one with.
const { spawn } = require('node:child_process');
const { execFileSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { values, positionals } = parseArgs({
  options: {
    repo: { type: 'string', multiple: true },
    node: { type: 'string', multiple: true },
    workers: { type: 'string', default: '1' },
    api: { type: 'string', default: 'examples/s3-proxy' },
  },
  allowPositionals: true,
});
const runs = Number(positionals[0] ?? 10);
const here = path.resolve(__dirname, '..');
const repos = (values.repo ?? [here]).map((r) => path.resolve(r));
const nodes = values.node ?? [process.execPath];
const workerCounts = values.workers.split(',').map(Number);

function once(node, repo, workers) {
  return new Promise((resolve, reject) => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'apigw-bench-'));
    const args = ['bin/apigw.js', 'serve', values.api, '--port', '0', '--data-dir', dataDir];
    if (workers > 1) args.push('--workers', String(workers));
    const started = process.hrtime.bigint();
    const child = spawn(node, [...args, '--log-level', 'error'], {
      cwd: repo,
      // As bench/compare.js: a minimal environment (no NODE_OPTIONS, no NODE_EXTRA_CA_CERTS).
      env: {
        PATH: process.env.PATH,
        AWS_ACCESS_KEY_ID: 'AKIABENCHMARK0000001',
        AWS_SECRET_ACCESS_KEY: 'bench',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    let ms;
    child.stdout.on('data', (d) => {
      out += d;
      if (ms === undefined && out.includes('Base URL:')) {
        ms = Number(process.hrtime.bigint() - started) / 1e6;
        child.kill('SIGTERM');
      }
    });
    child.on('exit', (code) => {
      rmSync(dataDir, { recursive: true, force: true });
      if (ms === undefined) reject(new Error(`apigw exited (${code}) before listening: ${out}`));
      else resolve(ms);
    });
    child.on('error', reject);
  });
}

function machine() {
  let osName = `${os.type()} ${os.release()}`;
  try {
    osName = /^PRETTY_NAME="?([^"\n]+)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? osName;
  } catch {
    // not Linux
  }
  return `${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? 'unknown CPU'}), ${osName}`;
}

(async () => {
  const variants = [];
  for (const workers of workerCounts)
    for (const node of nodes)
      for (const repo of repos) {
        const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim();
        variants.push({ workers, node, version, repo, times: [] });
      }
  const loads = [];
  for (let round = 0; round < runs; round++) {
    loads.push(os.loadavg()[0]);
    for (const v of variants) v.times.push(await once(v.node, v.repo, v.workers));
  }
  const fmt = (ms) => `${ms.toFixed(0)} ms`;
  console.log(
    `${new Date().toISOString().slice(0, 10)}, ${machine()}; ${runs} interleaved runs of ` +
      `\`apigw serve ${values.api}\`, spawn → "Base URL" line; load average during the runs ` +
      `${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}\n`,
  );
  console.log('| workers | node | repo | min | median | max |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const v of variants) {
    const t = [...v.times].sort((a, b) => a - b);
    const median = t.length % 2 ? t[(t.length - 1) / 2] : (t[t.length / 2 - 1] + t[t.length / 2]) / 2;
    const repo = v.repo === here ? 'this checkout' : v.repo;
    console.log(
      `| ${v.workers} | ${v.version} | ${repo} | ${fmt(t[0])} | ${fmt(median)} | ${fmt(t[t.length - 1])} |`,
    );
  }
})().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
