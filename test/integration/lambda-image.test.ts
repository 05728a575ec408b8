import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseFunctions } from '../../gateway/backends/lambda';
import { loadConfigFile } from '../../gateway/config';
import { createLogger } from '../../gateway/log';
import { startGateway, type RunningGateway } from '../../gateway/serve';
import { tempDir, type TempDir } from '../helpers/api-doc';
import { REPO } from '../helpers/cli';
import { FIXTURES, HAVE_FIXTURES } from '../helpers/execute-api';
import { LAMBDA_KEYS } from '../helpers/lambda-invoke';

const run = promisify(execFile);
const EXAMPLE = path.join(REPO, 'examples', 'lambda-image');
const ENV = {
  AWS_ACCESS_KEY_ID: LAMBDA_KEYS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LAMBDA_KEYS.secretAccessKey,
};
// Bytes that are not UTF-8: any text conversion on the way would show.
const IMAGE = Buffer.from([
  0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x80, 0xfe, 0x0d, 0x0a, 0x1a,
]);

if (!HAVE_FIXTURES)
  console.warn(
    `skipping the seed 003 fixture tests: ${FIXTURES} is absent (it is beside the checkout in CI)`,
  );
const withFixtures = HAVE_FIXTURES ? describe.each : describe.skip.each;

withFixtures(['aws-lambda-binary-image.swagger2.json', 'aws-lambda-binary-image.openapi3.json'])(
  'the seed 003 API (%s, unchanged) behaves as on AWS',
  (fixture) => {
    let dir: TempDir;
    let gw: RunningGateway;
    beforeAll(async () => {
      dir = tempDir('apigw-seed003-');
      gw = await startGateway(
        {
          api: path.join(FIXTURES, fixture),
          port: 0,
          host: '127.0.0.1',
          dataDir: dir.dir,
          functions: parseFunctions(
            { image: { handler: 'image.js', environment: { IMAGE_DIR: path.join(dir.dir, 'images') } } },
            EXAMPLE,
            'test',
          ),
        },
        createLogger('error'),
        ENV,
      );
    });
    afterAll(async () => {
      await gw?.close();
      dir?.remove();
    });

    // Its integration responses map `default` to 500 and `2\d{2}` to 200. A successful non-proxy
    // Lambda call selects with the empty string, which `2\d{2}` does not match: every call that
    // works answers 500, the body being whatever the default response passes through.
    test('PUT base64 text (Content-Type: application/json): stored, yet 500 with the result', async () => {
      const res = await fetch(`${gw.url}/lambda?key=image.jpg`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: 'W3JhdyBieXRlc10=',
      });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ imageKey: 'image.jpg', bytes: 11 });
      expect(readFileSync(path.join(dir.dir, 'images', 'image.jpg'), 'utf8')).toBe('[raw bytes]');
    });

    test('GET with Accept: application/json: 500, the base64 string passed through', async () => {
      const res = await fetch(`${gw.url}/lambda?key=image.jpg`, {
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      });
      expect(res.status).toBe(500);
      expect(await res.text()).toBe('"W3JhdyBieXRlc10="');
    });

    test('GET with Accept: application/octet-stream: 500', async () => {
      const res = await fetch(`${gw.url}/lambda?key=image.jpg`, {
        headers: { 'Content-Type': 'application/json', Accept: 'application/octet-stream' },
      });
      expect(res.status).toBe(500);
    });

    test('PUT raw bytes: CONVERT_TO_TEXT gives base64, no template for octet-stream → passthrough of non-JSON, which Lambda refuses: 500', async () => {
      const res = await fetch(`${gw.url}/lambda?key=raw.jpg`, {
        method: 'PUT',
        headers: { 'Content-Type': 'application/octet-stream', Accept: 'application/json' },
        body: IMAGE,
      });
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ message: 'Internal server error' });
    });
  },
);

describe('examples/lambda-image: raw bytes and base64, up and down, as seed 003 describes', () => {
  let dir: TempDir;
  let gw: RunningGateway;
  let base: string;
  beforeAll(async () => {
    dir = tempDir('apigw-lambda-image-');
    const config = loadConfigFile(path.join(EXAMPLE, 'apigw.yaml'));
    config.functions!.image.environment.IMAGE_DIR = path.join(dir.dir, 'images');
    gw = await startGateway(
      { ...config, api: config.api!, port: 0, host: '127.0.0.1', dataDir: dir.dir },
      createLogger('error'),
      ENV,
    );
    base = `${gw.url}/lambda`;
  });
  afterAll(async () => {
    await gw?.close();
    dir?.remove();
  });

  /** curl as the README shows it; the body is returned as bytes. */
  async function curl(args: string[]): Promise<{ status: number; body: Buffer }> {
    const out = path.join(dir.dir, `curl-${Date.now()}-${Math.random()}`);
    const { stdout } = await run('curl', ['-sS', '-o', out, '-w', '%{http_code}', ...args]);
    return { status: Number(stdout), body: readFileSync(out) };
  }

  test('upload raw bytes (Content-Type: application/octet-stream), download them raw and as base64 JSON', async () => {
    const file = path.join(dir.dir, 'photo.jpg');
    writeFileSync(file, IMAGE);
    const put = await curl([
      '-X',
      'PUT',
      `${base}?key=image.jpg`,
      '-H',
      'Content-Type: application/octet-stream',
      '-H',
      'Accept: application/json',
      '--data-binary',
      `@${file}`,
    ]);
    expect(put.status).toBe(200);
    expect(JSON.parse(put.body.toString())).toEqual({ imageKey: 'image.jpg', bytes: IMAGE.length });

    const raw = await curl([
      `${base}?key=image.jpg`,
      '-H',
      'Content-Type: application/json',
      '-H',
      'Accept: application/octet-stream',
    ]);
    expect(raw.status).toBe(200);
    expect(raw.body.equals(IMAGE)).toBe(true);

    const asJson = await curl([
      `${base}?key=image.jpg`,
      '-H',
      'Content-Type: application/json',
      '-H',
      'Accept: application/json',
    ]);
    expect(asJson.status).toBe(200);
    expect(JSON.parse(asJson.body.toString())).toEqual({ image: IMAGE.toString('base64') });
  });

  test('upload base64 text (Content-Type: application/json): W3JhdyBieXRlc10= is stored as "[raw bytes]"', async () => {
    const put = await curl([
      '-X',
      'PUT',
      `${base}?key=text.jpg`,
      '-H',
      'Content-Type: application/json',
      '-H',
      'Accept: application/json',
      '--data-binary',
      'W3JhdyBieXRlc10=',
    ]);
    expect(put.status).toBe(200);
    const raw = await curl([`${base}?key=text.jpg`, '-H', 'Accept: application/octet-stream']);
    expect(raw.body.toString()).toBe('[raw bytes]');
    const asJson = await curl([`${base}?key=text.jpg`, '-H', 'Accept: application/json']);
    expect(JSON.parse(asJson.body.toString())).toEqual({ image: 'W3JhdyBieXRlc10=' });
  });

  test('image/jpeg uploads and downloads as bytes too', async () => {
    const put = await fetch(`${base}?key=cat.jpg`, {
      method: 'PUT',
      headers: { 'Content-Type': 'image/jpeg' },
      body: IMAGE,
    });
    expect(put.status).toBe(200);
    const get = await fetch(`${base}?key=cat.jpg`, { headers: { Accept: 'image/jpeg' } });
    expect(get.headers.get('content-type')).toBe('image/jpeg');
    expect(Buffer.from(await get.arrayBuffer()).equals(IMAGE)).toBe(true);
  });

  test('errors: unknown key 404, not base64 400, bad key 400, another content type 415', async () => {
    const missing = await fetch(`${base}?key=none.jpg`, { headers: { Accept: 'application/json' } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: "Not Found: no image named 'none.jpg'" });

    const notBase64 = await fetch(`${base}?key=x.jpg`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: 'not "base64"!',
    });
    expect(notBase64.status).toBe(400);
    expect(await notBase64.json()).toEqual({ message: 'Bad Request: the image is not base64' });

    const badKey = await fetch(`${base}?key=../escape`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: IMAGE,
    });
    expect(badKey.status).toBe(400);

    const text = await fetch(`${base}?key=x.jpg`, {
      method: 'PUT',
      headers: { 'Content-Type': 'text/plain' },
      body: 'x',
    });
    expect(text.status).toBe(415);
  });
});
