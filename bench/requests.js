#!/usr/bin/env node
'use strict';
// Requests per second and latency of the gateway itself: GET of a 1 KiB object through the
// S3-proxy example (gateway + embedded S3) vs the same GET straight from the embedded S3, and a
// mock method (the gateway alone). Run after `npm run build`:
//   node bench/requests.js [seconds=5] [concurrency=32]
const http = require('node:http');
const { mkdtempSync, rmSync, writeFileSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');
const { S3Client, CreateBucketCommand, PutObjectCommand } = require('@aws-sdk/client-s3');
const { startGateway } = require('../dist/gateway/serve');
const { createLogger } = require('../dist/gateway/log');

const seconds = Number(process.argv[2] ?? 5);
const concurrency = Number(process.argv[3] ?? 32);
const keys = { accessKeyId: 'AKIABENCHMARK0000001', secretAccessKey: 'bench-secret' };

/** Fires GETs from `concurrency` keep-alive loops for `seconds`; returns req/s and latency percentiles. */
async function load(url, headers = {}) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  let errors = 0;
  const deadline = Date.now() + seconds * 1000;
  const one = () =>
    new Promise((resolve) => {
      const started = process.hrtime.bigint();
      const req = http.get(url, { agent, headers }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode !== 200) errors++;
          latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
          resolve();
        });
      });
      req.on('error', () => {
        errors++;
        resolve();
      });
    });
  const loop = async () => {
    while (Date.now() < deadline) await one();
  };
  const t0 = Date.now();
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsed = (Date.now() - t0) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(2);
  return { rps: Math.round(latencies.length / elapsed), p50: pct(0.5), p99: pct(0.99), errors };
}

(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'apigw-bench-rps-'));
  // The S3-proxy example, with its GET method made unauthenticated so that the load generator
  // need not sign (signing cost is the client's, not the gateway's).
  const api = path.join(dir, 'api.yaml');
  const mock = path.join(dir, 'mock.yaml');
  writeFileSync(
    api,
    require('node:fs')
      .readFileSync(path.join(__dirname, '..', 'examples', 's3-proxy', 's3-proxy.yaml'), 'utf8')
      .replace(/security: \[\{ sigv4: \[\] \}\]/g, 'security: []'),
  );
  writeFileSync(
    mock,
    [
      'openapi: 3.0.1',
      'info: { title: bench-mock, version: "1" }',
      'paths:',
      '  /ping:',
      '    get:',
      '      responses: { "200": { description: ok } }',
      '      x-amazon-apigateway-integration:',
      '        type: mock',
      '        requestTemplates: { application/json: "{\\"statusCode\\": 200}" }',
      '        responses: { default: { statusCode: "200", responseTemplates: { application/json: "{\\"pong\\": \\"$context.requestId\\"}" } } }',
      '',
    ].join('\n'),
  );
  const env = { AWS_ACCESS_KEY_ID: keys.accessKeyId, AWS_SECRET_ACCESS_KEY: keys.secretAccessKey };
  const log = createLogger('error');
  const gw = await startGateway(
    { api, port: 0, host: '127.0.0.1', dataDir: path.join(dir, 'data') },
    log,
    env,
  );
  const gwMock = await startGateway(
    { api: mock, port: 0, host: '127.0.0.1', dataDir: path.join(dir, 'data2') },
    log,
    env,
  );
  const s3 = new S3Client({
    endpoint: gw.s3.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: keys,
  });
  await s3.send(new CreateBucketCommand({ Bucket: 'bench' }));
  await s3.send(new PutObjectCommand({ Bucket: 'bench', Key: 'one-kib', Body: Buffer.alloc(1024, 97) }));
  s3.destroy();

  const results = {
    'mock method (gateway only)': await load(`${gwMock.url}/ping`),
    'GET 1 KiB through the gateway → embedded S3': await load(`${gw.url}/bench/one-kib`),
  };
  // A presigned-free direct GET needs a signature: sign once per request with the SDK's presigner.
  const { getSignedUrl } = require('@aws-sdk/s3-request-presigner');
  const { GetObjectCommand } = require('@aws-sdk/client-s3');
  const signer = new S3Client({
    endpoint: gw.s3.url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: keys,
  });
  const presigned = await getSignedUrl(signer, new GetObjectCommand({ Bucket: 'bench', Key: 'one-kib' }), {
    expiresIn: 3600,
  });
  results['GET 1 KiB directly from the embedded S3 (presigned)'] = await load(presigned);
  signer.destroy();
  await gw.close();
  await gwMock.close();
  rmSync(dir, { recursive: true, force: true });
  console.log(`${seconds} s per case, ${concurrency} concurrent keep-alive clients, one process`);
  for (const [name, r] of Object.entries(results)) {
    console.log(`${name}: ${r.rps} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, errors ${r.errors}`);
  }
})();
