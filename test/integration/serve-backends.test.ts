/**
 * Where `apigw serve` sends `aws` integrations (endpoints.<service> / --s3-endpoint), which
 * credentials it signs with, and how unreachable or slow backends are answered. Everything runs on
 * 127.0.0.1: nothing here contacts AWS.
 */
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { principal } from '../../gateway/auth/credentials';
import { ConfigError, resolveConfig } from '../../gateway/config';
import { startGateway, type RunningGateway } from '../../gateway/serve';
import { apiDocument, recordingLogger, tempDir, type PathsSpec, type TempDir } from '../helpers/api-doc';
import { closedPort, startCaptureServer, type CaptureServer } from '../helpers/capture-server';
import { startTestS3, type TestS3 } from '../helpers/s3';

const OUTBOUND = { accessKeyId: 'AKIABACKENDSOUTBOUND', secretAccessKey: 'backends/outbound+secret/key' };
const ENV = { AWS_ACCESS_KEY_ID: OUTBOUND.accessKeyId, AWS_SECRET_ACCESS_KEY: OUTBOUND.secretAccessKey };
const OTHER_ENV = { AWS_ACCESS_KEY_ID: 'AKIABACKENDSUNKNOWN1', AWS_SECRET_ACCESS_KEY: 'unknown/secret' };
const s3 = (path: string) => `arn:aws:apigateway:us-west-2:s3:path/${path}`;

/** A small S3 proxy (unauthenticated methods): S3's 4xx → 400, 5xx → 500, else 200. */
const S3_RESPONSES = {
  '4\\d{2}': { statusCode: '400' },
  '5\\d{2}': { statusCode: '500' },
  default: {
    statusCode: '200',
    responseParameters: {
      'method.response.header.Content-Type': 'integration.response.header.Content-Type',
      'method.response.header.ETag': 'integration.response.header.ETag',
    },
  },
};
const S3_PROXY: PathsSpec = {
  '/': { get: { uri: s3('/'), responses: S3_RESPONSES } },
  '/{bucket}': {
    get: {
      uri: s3('{bucket}'),
      requestParameters: { 'integration.request.path.bucket': 'method.request.path.bucket' },
      responses: S3_RESPONSES,
    },
    put: {
      uri: s3('{bucket}'),
      httpMethod: 'PUT',
      requestParameters: { 'integration.request.path.bucket': 'method.request.path.bucket' },
      responses: S3_RESPONSES,
    },
  },
  '/{bucket}/{key}': {
    'x-amazon-apigateway-any-method': {
      uri: s3('{bucket}/{key}'),
      httpMethod: 'ANY',
      headers: ['Content-Type'],
      requestParameters: {
        'integration.request.path.bucket': 'method.request.path.bucket',
        'integration.request.path.key': 'method.request.path.key',
      },
      responses: S3_RESPONSES,
    },
  },
};

const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A temporary folder removed after the file's tests. */
function scratch(): TempDir {
  const tmp = tempDir('apigw-backends-');
  cleanups.push(() => tmp.remove());
  return tmp;
}

/** Starts a gateway for `paths` with extra config; closed after the file's tests. */
async function gateway(
  paths: PathsSpec,
  config: { endpoints?: Record<string, string> } = {},
  env: NodeJS.ProcessEnv = ENV,
): Promise<{ gw: RunningGateway; lines: string[] }> {
  const tmp = scratch();
  const { lines, log } = recordingLogger();
  const gw = await startGateway(
    {
      api: tmp.write('api.yaml', apiDocument('Backends', paths)),
      port: 0,
      host: '127.0.0.1',
      dataDir: tmp.dir,
      ...config,
    },
    log,
    env,
  );
  cleanups.push(() => gw.close());
  return { gw, lines };
}

async function expectInternalServerError(res: Response): Promise<void> {
  expect(res.status).toBe(500);
  expect(await res.json()).toEqual({ message: 'Internal server error' });
  expect(res.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException');
  expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
}

describe('an external S3 (endpoints.s3 / --s3-endpoint)', () => {
  let external: TestS3;
  beforeAll(async () => {
    // The gateway's outbound key is an account of that S3, as the role's account is on AWS.
    external = await startTestS3({
      users: [principal('gateway', OUTBOUND.accessKeyId, OUTBOUND.secretAccessKey)],
    });
    cleanups.push(() => external.stop());
  });

  test('endpoints.s3: URL is used end to end and no embedded S3 is started', async () => {
    const { gw, lines } = await gateway(S3_PROXY, { endpoints: { s3: external.url } });
    expect(gw.s3).toBeUndefined();
    expect(lines.join('')).toContain(`s3 → ${external.url}/`);
    expect(lines.join('')).not.toContain('embedded S3');

    const bucket = 'external-bucket';
    expect((await fetch(`${gw.url}/${bucket}`, { method: 'PUT' })).status).toBe(200);
    const put = await fetch(`${gw.url}/${bucket}/test%2Ftest.txt`, {
      method: 'PUT',
      headers: { 'Content-Type': 'text/plain' },
      body: 'nested object',
    });
    expect(put.status).toBe(200);
    expect(put.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);

    const got = await fetch(`${gw.url}/${bucket}/test%2Ftest.txt`);
    expect(got.status).toBe(200);
    expect(await got.text()).toBe('nested object');

    // The object is in that S3, under the decoded key.
    const client = external.client(principal('gateway', OUTBOUND.accessKeyId, OUTBOUND.secretAccessKey));
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket }));
    expect(listed.Contents?.map((o) => o.Key)).toEqual(['test/test.txt']);
    const direct = await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'test/test.txt' }));
    expect(await direct.Body!.transformToString()).toBe('nested object');

    const missing = await fetch(`${gw.url}/${bucket}/nope.txt`);
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('<Code>NoSuchKey</Code>');
  });

  test('--s3-endpoint (s3Endpoint) becomes endpoints.s3', async () => {
    const tmp = scratch();
    const config = resolveConfig(
      { api: tmp.write('api.yaml', apiDocument('Flag', S3_PROXY)), s3Endpoint: external.url, port: 0 },
      { port: 8080, host: '127.0.0.1', dataDir: tmp.dir },
    );
    expect(config.endpoints).toEqual({ s3: external.url });
    const gw = await startGateway({ ...config, api: config.api! }, recordingLogger().log, ENV);
    cleanups.push(() => gw.close());
    expect(gw.s3).toBeUndefined();
    const res = await fetch(`${gw.url}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<ListAllMyBucketsResult');
  });

  test('the gateway signs with its own outbound key: a key that S3 does not know is refused by S3', async () => {
    const { gw } = await gateway(S3_PROXY, { endpoints: { s3: external.url } }, OTHER_ENV);
    const res = await fetch(`${gw.url}/`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>InvalidAccessKeyId</Code>');
  });
});

describe('the embedded S3', () => {
  test('without a setting the gateway starts its own S3, which accepts the outbound key', async () => {
    const { gw, lines } = await gateway(S3_PROXY);
    expect(gw.s3).toBeDefined();
    expect(lines.join('')).toContain(`embedded S3 at ${gw.s3!.url}`);
    expect((await fetch(`${gw.url}/embedded-bucket`, { method: 'PUT' })).status).toBe(200);
    expect((await fetch(`${gw.url}/embedded-bucket/a.txt`, { method: 'PUT', body: 'A' })).status).toBe(200);
    const got = await fetch(`${gw.url}/embedded-bucket/a.txt`);
    expect(await got.text()).toBe('A');
    const listing = await (await fetch(`${gw.url}/`)).text();
    expect(listing).toContain('<Name>embedded-bucket</Name>');
  });

  test('endpoints.s3: embedded is the same; an API that calls no S3 starts none', async () => {
    const { gw } = await gateway(S3_PROXY, { endpoints: { s3: 'embedded' } });
    expect(gw.s3).toBeDefined();
    const { gw: noS3 } = await gateway({
      '/q': { post: { uri: 'arn:aws:apigateway:us-east-1:sqs:path/123456789012/q', httpMethod: 'POST' } },
    });
    expect(noS3.s3).toBeUndefined();
  });

  test('endpoints.s3: aws starts no embedded S3 (nothing is called here)', async () => {
    const { gw, lines } = await gateway(S3_PROXY, { endpoints: { s3: 'aws' } });
    expect(gw.s3).toBeUndefined();
    expect(lines.join('')).toContain('s3 → real AWS');
  });
});

describe('invalid endpoint settings stop start-up', () => {
  test.each([
    ['s3', 'ftp://x'],
    ['s3', 'nonsense'],
    ['s3', ''],
    ['sqs', 'embedded'],
  ])('endpoints.%s: %j', async (service, value) => {
    const tmp = scratch();
    const start = startGateway(
      {
        api: tmp.write('api.yaml', apiDocument('Invalid', S3_PROXY)),
        port: 0,
        host: '127.0.0.1',
        dataDir: tmp.dir,
        endpoints: { [service]: value },
      },
      recordingLogger().log,
      ENV,
    );
    await expect(start).rejects.toThrow(ConfigError);
    await expect(start).rejects.toThrow(new RegExp(`^endpoints\\.${service}: `));
  });
});

describe('a service without an endpoint', () => {
  const SQS: PathsSpec = {
    '/send': {
      post: {
        uri: 'arn:aws:apigateway:eu-central-1:sqs:path/123456789012/my-queue',
        httpMethod: 'POST',
      },
    },
  };

  test('warns at start-up and answers 500', async () => {
    const { gw, lines } = await gateway(SQS);
    expect(lines.join('')).toContain(
      "WARN service 'sqs' has no endpoint: set endpoints.sqs to a URL or 'aws' (calls answer 500)",
    );
    await expectInternalServerError(await fetch(`${gw.url}/send`, { method: 'POST', body: 'x' }));
  });

  test('with endpoints.sqs set, calls are signed for that service and the uri’s region', async () => {
    const backend = await startCaptureServer();
    cleanups.push(() => backend.close());
    const { gw } = await gateway(SQS, { endpoints: { sqs: backend.url } });
    const res = await fetch(`${gw.url}/send`, { method: 'POST', body: 'Action=SendMessage' });
    expect(res.status).toBe(200);
    expect(backend.requests).toHaveLength(1);
    const req = backend.requests[0];
    expect([req.method, req.path]).toEqual(['POST', '/123456789012/my-queue']);
    expect(req.body.toString()).toBe('Action=SendMessage');
    expect(req.header('Authorization')).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=${OUTBOUND.accessKeyId}/\\d{8}/eu-central-1/sqs/aws4_request, `,
      ),
    );
  });
});

describe('slow and unreachable backends', () => {
  let backend: CaptureServer;
  let gw: RunningGateway;
  beforeAll(async () => {
    backend = await startCaptureServer();
    cleanups.push(() => backend.close());
    ({ gw } = await gateway(
      {
        '/slow': { get: { uri: s3('bucket/slow'), timeoutInMillis: 50 } },
        '/patient': { get: { uri: s3('bucket/patient'), timeoutInMillis: 10000 } },
      },
      { endpoints: { s3: backend.url } },
    ));
  });

  test('a backend that does not answer within timeoutInMillis → 504 Endpoint request timed out', async () => {
    backend.respond('hang');
    const started = Date.now();
    const res = await fetch(`${gw.url}/slow`);
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({ message: 'Endpoint request timed out' });
    expect(res.headers.get('x-amzn-errortype')).toBeTruthy();
    expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(Date.now() - started).toBeLessThan(5000);

    // The gateway goes on serving.
    backend.respond({ body: 'late but fine' });
    const next = await fetch(`${gw.url}/patient`);
    expect(next.status).toBe(200);
    expect(await next.text()).toBe('late but fine');
  });

  test('an endpoint nobody listens on → 500 Internal server error', async () => {
    const port = await closedPort();
    const { gw: unreachable } = await gateway(
      { '/x': { get: { uri: s3('bucket/x') } } },
      { endpoints: { s3: `http://127.0.0.1:${port}` } },
    );
    await expectInternalServerError(await fetch(`${unreachable.url}/x`));
  });
});
