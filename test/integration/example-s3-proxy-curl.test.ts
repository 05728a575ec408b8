import { execFile } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import {
  EXAMPLE_KEYS,
  S3_PROXY_EXAMPLE,
  startS3ProxyExample,
  type RunningExample,
} from '../helpers/s3-proxy-example';

const SCRIPT = path.join(S3_PROXY_EXAMPLE, 'curl.sh');

interface ScriptRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs examples/s3-proxy/curl.sh as a user would, with only the variables it documents. */
function runScript(env: Record<string, string>): Promise<ScriptRun> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [SCRIPT],
      { env: { PATH: process.env.PATH, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err);
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
  });
}

const signedBy = (keys: typeof EXAMPLE_KEYS, baseUrl: string) => ({
  BASE_URL: baseUrl,
  AWS_ACCESS_KEY_ID: keys.accessKeyId,
  AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
});

describe('curl.sh against `apigw serve examples/s3-proxy --sigv4-compat`', () => {
  let gateway: RunningExample;
  beforeAll(async () => {
    gateway = await startS3ProxyExample(['--sigv4-compat']);
  }, 60_000);
  afterAll(async () => {
    if (gateway) expect(await gateway.stop()).toBe(0);
  });

  test('SIGV4_COMPAT=1 walks every step of the tutorial, test%2Ftest.txt included', async () => {
    const bucket = `apig-demo-curl-${process.pid}`;
    const run = await runScript({
      ...signedBy(EXAMPLE_KEYS, gateway.baseUrl),
      SIGV4_COMPAT: '1',
      BUCKET: bucket,
    });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = run.stdout.split('\n');
    const base = gateway.baseUrl;
    // Each request, in order, with the status it got.
    const requests = lines.flatMap((line, i) =>
      line.startsWith('==> ') ? [`${line.slice(4)} ${lines[i + 1].trim()}`] : [],
    );
    expect(requests).toEqual([
      `PUT ${base}/${bucket} HTTP 200`,
      `PUT ${base}/${bucket}/Readme.txt HTTP 200`,
      `GET ${base}/${bucket}/Readme.txt HTTP 200`,
      `GET ${base}/${bucket} HTTP 200`,
      `GET ${base}/ HTTP 200`,
      `HEAD ${base}/${bucket}/Readme.txt HTTP 200`,
      `PUT ${base}/${bucket}/test%2Ftest.txt HTTP 200`,
      `GET ${base}/${bucket}/test%2Ftest.txt HTTP 200`,
      `GET ${base}/${bucket} HTTP 200`,
      `DELETE ${base}/${bucket}/Readme.txt HTTP 200`,
      `GET ${base}/${bucket}/Readme.txt HTTP 400`,
      `DELETE ${base}/${bucket}/test%2Ftest.txt HTTP 200`,
      `DELETE ${base}/${bucket} HTTP 200`,
      `GET ${base}/${bucket} HTTP 400`,
      `GET ${base}/ (unsigned) HTTP 403`,
    ]);
    expect(lines).toContain(`Bucket: ${bucket}`);
    expect(lines).toContainEqual(expect.stringMatching(/^ {4}x-amzn-RequestId: \S+$/));
    expect(lines).toContain('    payload: Hello, World!');
    expect(lines).toContain('    Content-Type: text/plain');
    expect(lines).toContain('    keys: Readme.txt');
    expect(lines).toContain('    keys: Readme.txt test/test.txt');
    expect(lines).toContain('    x-amzn-Remapped-Content-Length: 13');
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {4}Timestamp: \w{3}, \d{2} \w{3} \d{4} [\d:]{8} GMT$/),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^ {4}Content-Type: application\/xml/));
    expect(lines).toContain('    error: NoSuchKey');
    expect(lines).toContain('    error: NoSuchBucket');
    expect(lines).toContain('    {"message":"Missing Authentication Token"}');
    expect(lines[lines.length - 2]).toBe('All 15 requests answered as expected.');
  }, 60_000);
});

describe('curl.sh against a strict `apigw serve examples/s3-proxy`', () => {
  let gateway: RunningExample;
  beforeAll(async () => {
    gateway = await startS3ProxyExample();
  }, 60_000);
  afterAll(async () => {
    if (gateway) expect(await gateway.stop()).toBe(0);
  });

  test('without SIGV4_COMPAT it leaves out the %2F steps and passes', async () => {
    const run = await runScript(signedBy(EXAMPLE_KEYS, gateway.baseUrl));
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).not.toMatch(/^==> .*%2F/m);
    expect(run.stdout).toContain('# Skipping the test%2Ftest.txt steps');
    expect(run.stdout).toMatch(/All 11 requests answered as expected\.\n$/);
  }, 60_000);

  test("SIGV4_COMPAT=1 stops at test%2Ftest.txt: a strict gateway refuses curl's single-encoded path", async () => {
    const run = await runScript({ ...signedBy(EXAMPLE_KEYS, gateway.baseUrl), SIGV4_COMPAT: '1' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^FAILED: PUT \/apig-demo-\S+\/test%2Ftest\.txt: expected HTTP 200, got HTTP 403$/m,
    );
    // The gateway's message shows the canonical path it expected: each segment encoded once more.
    expect(run.stderr).toContain('test%252Ftest.txt');
  }, 60_000);

  test('a wrong secret stops at the first step with a clear message', async () => {
    const run = await runScript(
      signedBy({ ...EXAMPLE_KEYS, secretAccessKey: 'not-the-secret' }, gateway.baseUrl),
    );
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^FAILED: PUT \/apig-demo-\S+: expected HTTP 200, got HTTP 403$/m);
    expect(run.stdout).not.toContain('Readme.txt');
  }, 60_000);
});

/** A loopback port nobody listens on (just released by the OS). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

test('curl.sh says which gateway it could not reach', async () => {
  const base = `http://127.0.0.1:${await closedPort()}/S3`;
  const run = await runScript(signedBy(EXAMPLE_KEYS, base));
  expect(run.code).toBe(1);
  expect(run.stderr).toContain(`FAILED: curl could not complete PUT ${base}/apig-demo-`);
  expect(run.stderr).toContain(`is \`apigw serve examples/s3-proxy\` running at ${base}?`);
});
