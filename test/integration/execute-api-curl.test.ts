import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { S3User } from '../../gateway/backends/s3/identity';
import { verifyCaller, type VerifyCallerOptions } from '../../gateway/auth/sigv4';
import { GatewayError } from '../../gateway/gateway-error';

// Real `curl --aws-sigv4` against a bare node server that runs verifyCaller: proves what the
// standard mode accepts and what only compat mode accepts (curl 7.88 signs the path as typed).

const run = promisify(execFile);

const USER: S3User = {
  accessKeyId: 'AKIACURLTESTKEY00001',
  secretAccessKey: 'curl+test+secret+key+0123456789abcdefghij',
  owner: { id: 'c'.repeat(64), displayName: 'curl' },
};
const MISMATCH_PREFIX = 'The request signature we calculated does not match the signature you provided.';

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .some((dir) => dir !== '' && existsSync(path.join(dir, binary)));
}

const describeWithCurl = onPath('curl') ? describe : describe.skip;
if (!onPath('curl')) console.warn('skipping the curl --aws-sigv4 tests: curl is not on the PATH');

/** How the server verifies; each test sets what it needs. */
let verifyOptions: VerifyCallerOptions;
let compatReports: string[];

function respond(res: ServerResponse, status: number, payload: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(payload));
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    try {
      const identity = verifyCaller(
        {
          method: req.method ?? 'GET',
          rawUrl: req.url ?? '/',
          headers: req.headers,
          body: Buffer.concat(chunks),
        },
        verifyOptions,
      );
      respond(res, 200, identity);
    } catch (err) {
      if (!(err instanceof GatewayError)) throw err;
      respond(res, err.status, { message: err.message, type: err.errorType });
    }
  });
}

let server: Server;
let base: string;
let curlVersion: [number, number];

async function curl(
  ...args: string[]
): Promise<{ status: number; body: { message?: string; type?: string } }> {
  const { stdout } = await run('curl', [
    '-s',
    '--aws-sigv4',
    'aws:amz:us-east-1:execute-api',
    '--user',
    `${USER.accessKeyId}:${USER.secretAccessKey}`,
    '-w',
    '\n%{http_code}',
    ...args,
  ]);
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: JSON.parse(stdout.slice(0, cut)) };
}

function standard(): void {
  compatReports = [];
  verifyOptions = { lookup: (id) => (id === USER.accessKeyId ? USER : undefined), region: 'us-east-1' };
}

function compat(): void {
  standard();
  verifyOptions = { ...verifyOptions, compat: true, onCompat: (detail) => compatReports.push(detail) };
}

describeWithCurl('curl --aws-sigv4 against verifyCaller', () => {
  beforeAll(async () => {
    const { stdout } = await run('curl', ['--version']);
    const m = /^curl (\d+)\.(\d+)/.exec(stdout) as RegExpExecArray;
    curlVersion = [Number(m[1]), Number(m[2])];
    server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(standard);

  test('a plain GET passes in standard mode', async () => {
    const res = await curl(`${base}/dev/pets`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ accessKey: USER.accessKeyId });
  });

  test('a POST with a body, a signed custom header and a sorted query passes in standard mode', async () => {
    const res = await curl(
      '-H',
      'Content-Type: application/json',
      '-H',
      'x-amz-security-token: FwoGZXIvYXdzEXAMPLE',
      '-d',
      '{"name":"rex"}',
      `${base}/dev/pets?a=1&b=2`,
    );
    expect(res.status).toBe(200);
    expect(compatReports).toEqual([]);
  });

  test('a path with %2F fails in standard mode and passes with compat, which reports it', async () => {
    const url = `${base}/S3/folder/test%2Ftest.txt`;
    const strict = await curl(url);
    expect(strict.status).toBe(403);
    expect(strict.body.type).toBe('InvalidSignatureException');
    expect(strict.body.message?.startsWith(MISMATCH_PREFIX)).toBe(true);
    expect(strict.body.message).toContain('\n/S3/folder/test%252Ftest.txt\n');

    compat();
    const lenient = await curl(url);
    expect(lenient.status).toBe(200);
    expect(compatReports).toEqual([
      'signature matched only with the path signed as sent, without the second encoding (curl --aws-sigv4)',
    ]);
  });

  test('an unsorted query passes with compat (and in standard mode from curl 8.3 on)', async () => {
    const url = `${base}/dev/pets?z=1&a=2`;
    const strict = await curl(url);
    const quirky = curlVersion[0] < 8 || (curlVersion[0] === 8 && curlVersion[1] < 3);
    expect(strict.status).toBe(quirky ? 403 : 200);
    compat();
    expect((await curl(url)).status).toBe(200);
    expect(compatReports).toHaveLength(quirky ? 1 : 0);
  });

  test('an upload with -T passes with compat (curl signs the empty-body hash)', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'apigw-curl-')), 'upload.txt');
    writeFileSync(file, 'uploaded with curl -T');
    const strict = await curl('-T', file, `${base}/dev/upload`);
    expect(strict.status).toBe(403);
    compat();
    expect((await curl('-T', file, `${base}/dev/upload`)).status).toBe(200);
    expect(compatReports[0]).toContain('empty-body payload hash');
  });

  test('a wrong secret fails in both modes', async () => {
    verifyOptions = { ...verifyOptions, lookup: () => ({ ...USER, secretAccessKey: 'wrong' }) };
    const res = await curl(`${base}/dev/pets`);
    expect(res.status).toBe(403);
    expect(res.body.message?.startsWith(MISMATCH_PREFIX)).toBe(true);
  });
});
