import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO } from '../helpers/cli';
import { callSigned, FIXTURES, HAVE_FIXTURES, type Keys } from '../helpers/execute-api';
import { createLogger } from '../../gateway/log';
import { startGateway, type RunningGateway } from '../../gateway/serve';

const KEYS: Keys = { accessKeyId: 'AKIAWALKTHROUGH00001', secretAccessKey: 'walkthrough/secret+key' };
const ENV = { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey };

if (!HAVE_FIXTURES)
  console.warn(`skipping the fixture walk-through: ${FIXTURES} is absent (it is beside the checkout in CI)`);

const APIS: Array<[string, string, boolean]> = [
  ['examples/s3-proxy (OpenAPI 3.0, YAML)', path.join(REPO, 'examples', 's3-proxy', 's3-proxy.yaml'), true],
  [
    'the AWS fixture, imported unchanged (Swagger 2.0)',
    path.join(FIXTURES, 'aws-s3-proxy-tutorial.swagger2.json'),
    HAVE_FIXTURES,
  ],
];

describe.each(APIS)('the S3-proxy tutorial walk-through: %s', (_name, file, available) => {
  const maybe = available ? test : test.skip;
  let gw: RunningGateway;
  let dataDir: string;
  beforeAll(async () => {
    if (!available) return;
    dataDir = mkdtempSync(path.join(tmpdir(), 'apigw-walk-'));
    gw = await startGateway({ api: file, port: 0, host: '127.0.0.1', dataDir }, createLogger('error'), ENV);
  });
  afterAll(async () => {
    if (!available) return;
    await gw.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const call = (p: string, options = {}) => callSigned(gw.url, p, KEYS, options);

  maybe('the stage is the document’s base path', () => {
    expect(gw.stage).toBe('S3');
    expect(gw.url).toMatch(/\/S3$/);
  });

  maybe(
    'create bucket, put, get, list, list buckets, head, slash keys, delete, get after delete',
    async () => {
      const bucket = 'apig-demo-5';
      const created = await call(`/${bucket}`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/xml' },
        body: '<CreateBucketConfiguration>\n  <LocationConstraint>us-west-2</LocationConstraint>\n</CreateBucketConfiguration>',
      });
      expect(created.status).toBe(200);
      expect(await created.text()).toBe('');
      expect(created.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
      expect(created.headers.get('x-amzn-trace-id')).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);

      const put = await call(`/${bucket}/Readme.txt`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/xml' },
        body: 'Hello, World!',
      });
      expect(put.status).toBe(200);

      const got = await call(`/${bucket}/Readme.txt`, { headers: { 'Content-Type': 'application/xml' } });
      expect(got.status).toBe(200);
      expect(await got.text()).toBe('Hello, World!');
      expect(got.headers.get('content-type')).toBe('application/xml');

      const listed = await call(`/${bucket}`);
      expect(listed.status).toBe(200);
      expect(listed.headers.get('content-type')).toBe('application/xml');
      const listing = await listed.text();
      expect(listing).toContain(`<Name>${bucket}</Name>`);
      expect(listing).toContain('<Key>Readme.txt</Key>');
      expect(listing).toContain('<Size>13</Size>');
      expect(listing).toMatch(/<ETag>(&quot;|")65a8e27d8879283831b664bd8b7f0ad4(&quot;|")<\/ETag>/);

      const buckets = await call('/');
      expect(buckets.status).toBe(200);
      expect(buckets.headers.get('timestamp')).toMatch(/GMT$/);
      expect(await buckets.text()).toContain(`<Name>${bucket}</Name>`);

      const head = await call(`/${bucket}/Readme.txt`, { method: 'HEAD' });
      expect(head.status).toBe(200);
      expect(head.headers.get('x-amzn-remapped-content-length')).toBe('13');

      const slash = await call(`/${bucket}/test%2Ftest.txt`, { method: 'PUT', body: 'nested' });
      expect(slash.status).toBe(200);
      const relisted = await (await call(`/${bucket}`)).text();
      expect(relisted).toContain('<Key>test/test.txt</Key>');
      const nested = await call(`/${bucket}/test%2Ftest.txt`);
      expect(await nested.text()).toBe('nested');

      const notEmpty = await call(`/${bucket}`, { method: 'DELETE' });
      expect(notEmpty.status).toBe(400);
      expect(await notEmpty.text()).toContain('<Code>BucketNotEmpty</Code>');

      for (const key of ['Readme.txt', 'test%2Ftest.txt']) {
        const deleted = await call(`/${bucket}/${key}`, { method: 'DELETE' });
        expect(deleted.status).toBe(200);
      }
      const gone = await call(`/${bucket}/Readme.txt`);
      expect(gone.status).toBe(400);
      expect(gone.headers.get('content-type')).toBe('application/json');
      expect(await gone.text()).toContain('<Code>NoSuchKey</Code>');

      const dropped = await call(`/${bucket}`, { method: 'DELETE' });
      expect(dropped.status).toBe(200);
      expect((await call(`/${bucket}`)).status).toBe(400);
    },
  );

  maybe('unknown routes and methods are 403 Missing Authentication Token', async () => {
    for (const [method, p] of [
      ['GET', '/a/b/c'],
      ['POST', '/bucket'],
      ['PATCH', '/bucket/key'],
    ]) {
      const res = await call(p, { method });
      expect([method, p, res.status]).toEqual([method, p, 403]);
      expect(await res.json()).toEqual({ message: 'Missing Authentication Token' });
      expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
      expect(res.headers.get('x-amzn-requestid')).toBeTruthy();
    }
  });

  maybe('a wrong stage is 403 Forbidden', async () => {
    const res = await fetch(gw.url.replace(/\/S3$/, '/prod/bucket'));
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ message: 'Forbidden' });
  });
});
