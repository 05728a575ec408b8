import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { callSigned } from '../helpers/execute-api';
import { spawnApigw } from '../helpers/cli';

function dir(): string {
  return mkdtempSync(path.join(tmpdir(), 'apigw-serve-cli-'));
}

/** A port that is free now (the test then checks nobody opened it). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

test('apigw serve examples/s3-proxy (what npm start runs) prints the base URL and the keys for Postman', async () => {
  const keys = { accessKeyId: 'AKIASERVECLI00000001', secretAccessKey: 'serve-cli-secret' };
  const proc = spawnApigw(
    ['serve', 'examples/s3-proxy', '--port', '0', '--data-dir', path.join(dir(), 'data')],
    {
      AWS_ACCESS_KEY_ID: keys.accessKeyId,
      AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    },
  );
  try {
    const [, url] = await proc.waitFor(/Base URL: (http:\/\/\S+\/S3)/);
    await proc.waitFor(/AccessKey AKIASERVECLI00000001 {2}SecretKey serve-cli-secret/);
    expect(proc.stdout()).toContain('execute-api');
    expect((await callSigned(url, '/', keys)).status).toBe(200);
  } finally {
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  }
});

test('a file that cannot be served: every problem with file and JSON pointer, exit 1, port never opened', async () => {
  const d = dir();
  const file = path.join(d, 'broken.yaml');
  writeFileSync(
    file,
    [
      'swagger: "2.0"',
      'info: { title: broken, version: "1" }',
      'paths:',
      '  /items:',
      '    get:',
      '      responses: { "200": { description: ok } }',
      '  /items/{id}:',
      '    get:',
      '      responses: { "200": { description: ok } }',
      '      x-amazon-apigateway-integration:',
      '        type: aws',
      '        httpMethod: GET',
      '        uri: "arn:aws:apigateway:us-east-1:s3:nowhere/x"',
      '        responses: { default: { statusCode: "200" } }',
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const proc = spawnApigw(['serve', file, '--port', String(port), '--data-dir', path.join(d, 'data')]);
  expect(await proc.exited).toBe(1);
  const err = proc.stderr();
  expect(err).toContain(`${file} cannot be served`);
  expect(err).toContain(`${file}#/paths/~1items/get`);
  expect(err).toContain(`${file}#/paths/~1items~1{id}/get/x-amazon-apigateway-integration/uri`);
  expect(proc.stdout()).not.toContain('Base URL');
  // Nothing listens on the port: connecting is refused.
  await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();
});

test('an unparsable file is reported with its position', async () => {
  const d = dir();
  const file = path.join(d, 'bad.json');
  writeFileSync(file, '{ "swagger": "2.0", "paths": { ');
  const proc = spawnApigw(['serve', file, '--port', '0', '--data-dir', path.join(d, 'data')]);
  expect(await proc.exited).toBe(1);
  expect(proc.stderr()).toContain(`${file}`);
  expect(proc.stderr()).toMatch(/line \d+|position \d+|column \d+/i);
});

test('warnings (an integration response the method does not declare) are printed, and the API is served', async () => {
  const d = dir();
  const file = path.join(d, 'warn.yaml');
  writeFileSync(
    file,
    [
      'swagger: "2.0"',
      'info: { title: warn, version: "1" }',
      'basePath: /v1',
      'paths:',
      '  /:',
      '    get:',
      '      responses: { "200": { description: ok } }',
      '      x-amazon-apigateway-integration:',
      '        type: aws',
      '        httpMethod: GET',
      '        uri: "arn:aws:apigateway:us-east-1:s3:path//"',
      '        responses:',
      '          "4\\\\d{2}": { statusCode: "404" }',
      '          default: { statusCode: "200" }',
      '',
    ].join('\n'),
  );
  const proc = spawnApigw(['serve', file, '--port', '0', '--data-dir', path.join(d, 'data')]);
  try {
    await proc.waitFor(/Base URL: http:\/\/\S+\/v1/);
    expect(proc.stderr()).toMatch(
      /WARN .*warn\.yaml#\/paths\/~1\/get\/x-amazon-apigateway-integration\/responses.*404/,
    );
  } finally {
    proc.child.kill('SIGTERM');
    await proc.exited;
  }
});

test('serve refuses a bad --stage and a missing file clearly', async () => {
  const badStage = spawnApigw([
    'serve',
    'examples/s3-proxy',
    '--stage',
    'no/slash',
    '--port',
    '0',
    '--data-dir',
    path.join(dir(), 'd'),
  ]);
  expect(await badStage.exited).toBe(1);
  expect(badStage.stderr()).toContain('invalid stage name');
  const missing = spawnApigw(['serve', '/nonexistent/api.yaml', '--port', '0']);
  expect(await missing.exited).toBe(1);
  expect(missing.stderr()).toContain('/nonexistent/api.yaml');
});

test('a malformed mapping template stops start-up with its location', async () => {
  const d = dir();
  const file = path.join(d, 'template.yaml');
  writeFileSync(
    file,
    [
      'swagger: "2.0"',
      'info: { title: template, version: "1" }',
      'paths:',
      '  /m:',
      '    get:',
      '      responses: { "200": { description: ok } }',
      '      x-amazon-apigateway-integration:',
      '        type: mock',
      '        requestTemplates:',
      '          application/json: "#if($x == 1) {\\"statusCode\\": 200}"',
      '        responses: { default: { statusCode: "200" } }',
      '',
    ].join('\n'),
  );
  const proc = spawnApigw(['serve', file, '--port', '0', '--data-dir', path.join(d, 'data')]);
  expect(await proc.exited).toBe(1);
  expect(proc.stderr()).toContain(
    `#/paths/~1m/get/x-amazon-apigateway-integration/requestTemplates/application~1json`,
  );
  expect(proc.stderr()).toMatch(/mapping template: .*line 1/i);
});

test('the banner names the region callers must sign for: --region, else any (issue 20, item 9)', async () => {
  const d = dir();
  const keys = { AWS_ACCESS_KEY_ID: 'AKIASERVECLIREGION01', AWS_SECRET_ACCESS_KEY: 'region-secret' };
  const pinned = spawnApigw(
    ['serve', 'examples/mock', '--port', '0', '--region', 'eu-west-3', '--data-dir', path.join(d, 'a')],
    keys,
  );
  try {
    await pinned.waitFor(/Base URL: /);
    expect(pinned.stdout()).toContain('AWS Region eu-west-3 (required)');
    expect(pinned.stdout()).not.toContain('us-east-1');
  } finally {
    pinned.child.kill('SIGTERM');
    expect(await pinned.exited).toBe(0);
  }
  const any = spawnApigw(['serve', 'examples/mock', '--port', '0', '--data-dir', path.join(d, 'b')], keys);
  try {
    await any.waitFor(/Base URL: /);
    expect(any.stdout()).toContain('AWS Region us-east-1 (any)');
  } finally {
    any.child.kill('SIGTERM');
    expect(await any.exited).toBe(0);
  }
});
