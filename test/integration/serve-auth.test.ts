import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { REPO } from '../helpers/cli';
import { callSigned, type Keys } from '../helpers/execute-api';
import { createLogger, type Logger } from '../../gateway/log';
import { startGateway, type RunningGateway } from '../../gateway/serve';

const run = promisify(execFile);
const API = path.join(REPO, 'examples', 's3-proxy', 's3-proxy.yaml');
const KEYS: Keys = { accessKeyId: 'AKIACALLERTESTS00001', secretAccessKey: 'caller/secret+key' };
const ENV = { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey };

/** A logger that keeps warnings, to check what --sigv4-compat logs. */
function recordingLogger(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const base = createLogger('error');
  return { ...base, warn: (m: string) => warnings.push(m), warnings };
}

async function start(
  extra: { region?: string; sigv4Compat?: boolean } = {},
  log: Logger = createLogger('error'),
) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'apigw-auth-'));
  const gw = await startGateway({ api: API, port: 0, host: '127.0.0.1', dataDir, ...extra }, log, ENV);
  return {
    gw,
    async stop() {
      await gw.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function curl(
  url: string,
  keys: Keys,
  region = 'us-east-1',
): Promise<{ status: number; body: string }> {
  const { stdout } = await run('curl', [
    '-s',
    '--aws-sigv4',
    `aws:amz:${region}:execute-api`,
    '--user',
    `${keys.accessKeyId}:${keys.secretAccessKey}`,
    '-w',
    '\n%{http_code}',
    url,
  ]);
  const cut = stdout.lastIndexOf('\n');
  return { status: Number(stdout.slice(cut + 1)), body: stdout.slice(0, cut) };
}

describe('AWS_IAM callers (any region accepted)', () => {
  let gw: RunningGateway;
  let stop: () => Promise<void>;
  beforeAll(async () => ({ gw, stop } = await start()));
  afterAll(() => stop());

  test('a request signed by the AWS SDK signer passes, in any region', async () => {
    for (const region of ['us-east-1', 'eu-west-3']) {
      const res = await callSigned(gw.url, '/', KEYS, { region });
      expect([region, res.status]).toEqual([region, 200]);
    }
  });

  test('unsigned → 403 Missing Authentication Token', async () => {
    const res = await fetch(`${gw.url}/`);
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await res.json()).toEqual({ message: 'Missing Authentication Token' });
  });

  test('a wrong secret → 403 InvalidSignatureException with the canonical request to compare', async () => {
    const res = await callSigned(gw.url, '/', { ...KEYS, secretAccessKey: 'wrong' });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    const { message } = (await res.json()) as { message: string };
    expect(message).toMatch(
      /^The request signature we calculated does not match the signature you provided\./,
    );
    expect(message).toContain('The Canonical String for this request should have been');
  });

  test('a signature older than 5 minutes → 403 Signature expired', async () => {
    const res = await callSigned(gw.url, '/', KEYS, { signingDate: new Date(Date.now() - 10 * 60_000) });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    expect(((await res.json()) as { message: string }).message).toMatch(
      /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/,
    );
  });

  test('an unknown access key → 403 The security token included in the request is invalid.', async () => {
    const res = await callSigned(gw.url, '/', { accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'x' });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
    expect(await res.json()).toEqual({ message: 'The security token included in the request is invalid.' });
  });

  test('a malformed Authorization header → 403 IncompleteSignatureException', async () => {
    const res = await fetch(`${gw.url}/`, { headers: { Authorization: 'Bearer abc' } });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('IncompleteSignatureException');
    expect(await res.json()).toEqual({
      message: "'abc' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer abc'.",
    });
  });

  test('presigned (query-string) signatures pass', async () => {
    const url = new URL(`${gw.url}/`);
    const signer = new SignatureV4({
      service: 'execute-api',
      region: 'us-east-1',
      credentials: KEYS,
      sha256: Sha256,
    });
    const presigned = await signer.presign(
      new HttpRequest({
        method: 'GET',
        protocol: 'http:',
        hostname: url.hostname,
        port: Number(url.port),
        path: url.pathname,
        headers: { host: url.host },
      }),
      { expiresIn: 60 },
    );
    const query = new URLSearchParams(presigned.query as Record<string, string>).toString();
    const res = await fetch(`${url.origin}${url.pathname}?${query}`);
    expect(res.status).toBe(200);
  });

  test('the SigV4 Authorization of the caller is not forwarded: S3 sees apigw’s own signature', async () => {
    // If the caller's signature reached S3 it would be refused there (wrong service and host).
    const res = await callSigned(gw.url, '/', KEYS);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<ListAllMyBucketsResult');
  });

  test('curl --aws-sigv4 (an independent signer) passes for plain paths', async () => {
    const res = await curl(`${gw.url}/`, KEYS);
    expect(res.status).toBe(200);
    expect(res.body).toContain('<ListAllMyBucketsResult');
  });

  test('curl’s single-encoded %2F path is refused without --sigv4-compat', async () => {
    const res = await curl(`${gw.url}/some-bucket/test%2Ftest.txt`, KEYS);
    expect(res.status).toBe(403);
    expect(res.body).toContain('The request signature we calculated does not match');
  });
});

describe('--region pins the callers’ region', () => {
  let gw: RunningGateway;
  let stop: () => Promise<void>;
  beforeAll(async () => ({ gw, stop } = await start({ region: 'us-west-2' })));
  afterAll(() => stop());

  test('the configured region passes; another one is refused', async () => {
    expect((await callSigned(gw.url, '/', KEYS, { region: 'us-west-2' })).status).toBe(200);
    const res = await callSigned(gw.url, '/', KEYS, { region: 'eu-west-1' });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
    expect(((await res.json()) as { message: string }).message).toContain(
      "Credential should be scoped to a valid region, not 'eu-west-1'.",
    );
  });
});

describe('--sigv4-compat', () => {
  const log = recordingLogger();
  let gw: RunningGateway;
  let stop: () => Promise<void>;
  beforeAll(async () => ({ gw, stop } = await start({ sigv4Compat: true }, log)));
  afterAll(() => stop());

  test('accepts curl’s single-encoded paths, and logs that it did', async () => {
    const res = await curl(`${gw.url}/compat-bucket/test%2Ftest.txt`, KEYS);
    // Authenticated: the request reached S3, whose NoSuchBucket maps to 400.
    expect(res.status).toBe(400);
    expect(res.body).toContain('NoSuchBucket');
    expect(log.warnings.some((w) => w.includes('--sigv4-compat'))).toBe(true);
  });
});
