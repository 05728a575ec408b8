import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { call, startBinaryGateway, type BinaryGateway } from '../helpers/binary';
import { REPO } from '../helpers/cli';
import { FIXTURES, HAVE_FIXTURES } from '../helpers/execute-api';

// Seed 001, "Access binary files in Amazon S3 through an API Gateway API": both AWS fixture files
// imported unchanged, and examples/binary-s3. Their methods are authorization NONE; `key` is
// bucket/object (the uri is path/{key}).

if (!HAVE_FIXTURES) console.warn(`skipping the seed 001 fixtures: ${FIXTURES} is absent`);

const TEMPLATE = '{\n   "image": "$input.body"\n}';

/** The fixture with the seed's response template added to GET's 2\d{2} response, as the seed shows. */
function withResponseTemplate(file: string, dir: string): string {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as {
    paths: { '/s3': { get: { 'x-amazon-apigateway-integration': { responses: Record<string, object> } } } };
  };
  const responses = doc.paths['/s3'].get['x-amazon-apigateway-integration'].responses;
  responses['2\\d{2}'] = { ...responses['2\\d{2}'], responseTemplates: { 'application/json': TEMPLATE } };
  const out = path.join(dir, path.basename(file));
  writeFileSync(out, JSON.stringify(doc));
  return out;
}

interface SeedApi {
  name: string;
  available: boolean;
  file: () => string;
  /** Where the GET with the response template is: the same API modified, or another route. */
  templated: (dir: string) => { file?: string; route: string };
}

const fixture = (name: string): SeedApi => ({
  name: `${name} (AWS fixture, unchanged)`,
  available: HAVE_FIXTURES,
  file: () => path.join(FIXTURES, name),
  templated: (dir) => ({ file: withResponseTemplate(path.join(FIXTURES, name), dir), route: '/s3' }),
});

const APIS: SeedApi[] = [
  fixture('aws-s3-binary-image.swagger2.json'),
  fixture('aws-s3-binary-image.openapi3.json'),
  {
    name: 'examples/binary-s3/binary-s3.yaml',
    available: true,
    file: () => path.join(REPO, 'examples', 'binary-s3', 'binary-s3.yaml'),
    templated: () => ({ route: '/s3/json' }),
  },
];

const md5 = (body: Buffer) => createHash('md5').update(body).digest('hex');
// Jest's toEqual walks a Buffer element by element: seconds for an image. Same bytes, quickly.
const sameBytes = (a: Buffer | undefined, b: Buffer) => a !== undefined && a.equals(b);
// A JPEG-ish image: SOI marker, then bytes that are nowhere near UTF-8.
const IMAGE = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), randomBytes(300_000)]);

describe.each(APIS)('seed 001 flows: $name', (api) => {
  const maybe = api.available ? test : test.skip;
  let t: BinaryGateway;
  let dir: string;
  beforeAll(async () => {
    if (!api.available) return;
    dir = mkdtempSync(path.join(tmpdir(), 'apigw-seed1-'));
    t = await startBinaryGateway(api.file());
    // The API itself creates the bucket: PUT /s3?key=images is CreateBucket (empty body).
    const created = await call(t.gw.url, '/s3?key=images', { method: 'PUT' });
    expect(created.status).toBe(200);
  });
  afterAll(async () => {
    if (!api.available) return;
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  maybe('the stage is the base path v1', () => {
    expect(t.gw.url).toMatch(/\/v1$/);
  });

  maybe('PUT raw bytes as application/octet-stream stores exactly those bytes (MD5 = ETag)', async () => {
    const res = await call(t.gw.url, '/s3?key=images/image.jpg', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream', Accept: 'application/json' },
      body: IMAGE,
    });
    expect([res.status, res.body.toString()]).toEqual([200, '']);
    expect(sameBytes(await t.stored('images', 'image.jpg'), IMAGE)).toBe(true);
    expect(await t.etag('images', 'image.jpg')).toBe(md5(IMAGE));
  });

  maybe('PUT a base64 string as application/json stores the decoded bytes', async () => {
    const seed = await call(t.gw.url, '/s3?key=images/seed.jpg', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: Buffer.from('W3JhdyBieXRlc10='),
    });
    expect(seed.status).toBe(200);
    expect(await t.stored('images', 'seed.jpg')).toEqual(Buffer.from('[raw bytes]'));
    const res = await call(t.gw.url, '/s3?key=images/decoded.jpg', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.from(IMAGE.toString('base64')),
    });
    expect(res.status).toBe(200);
    expect(sameBytes(await t.stored('images', 'decoded.jpg'), IMAGE)).toBe(true);
    expect(await t.etag('images', 'decoded.jpg')).toBe(md5(IMAGE));
  });

  maybe('a PUT body that is neither binary nor base64 is a 500, and nothing is stored', async () => {
    const res = await call(t.gw.url, '/s3?key=images/oops.jpg', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: Buffer.from('{"not": "base64"}'),
    });
    expect([res.status, res.body.toString()]).toEqual([500, '{"message":"Internal server error"}']);
    expect(await t.stored('images', 'oops.jpg')).toBeUndefined();
  });

  maybe('GET with Accept application/octet-stream returns the raw bytes', async () => {
    const res = await call(t.gw.url, '/s3?key=images/image.jpg', {
      headers: { 'Content-Type': 'application/json', Accept: 'application/octet-stream' },
    });
    expect(res.status).toBe(200);
    expect(md5(res.body)).toBe(md5(IMAGE));
  });

  maybe('GET with Accept application/json and no template returns the bytes as base64 text', async () => {
    const res = await call(t.gw.url, '/s3?key=images/image.jpg', { headers: { Accept: 'application/json' } });
    expect(res.status).toBe(200);
    expect(res.body.toString()).toBe(IMAGE.toString('base64'));
  });

  maybe(
    'with the {"image": "$input.body"} response template and Accept application/json: base64 in JSON',
    async () => {
      const { file, route } = api.templated(dir);
      const templated = file ? await startBinaryGateway(file) : t;
      try {
        if (file) await call(templated.gw.url, '/s3?key=images', { method: 'PUT' });
        // Stored as binary (an upload as application/json would make the object text: see below).
        await templated.put('images', 'image.jpg', IMAGE, 'application/octet-stream');
        await templated.put('images', 'seed.jpg', Buffer.from('[raw bytes]'), 'application/octet-stream');
        const seed = await call(templated.gw.url, `${route}?key=images/seed.jpg`, {
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        });
        expect([seed.status, seed.body.toString()]).toEqual([200, '{\n   "image": "W3JhdyBieXRlc10="\n}']);
        const res = await call(templated.gw.url, `${route}?key=images/image.jpg`, {
          headers: { Accept: 'application/json' },
        });
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body.toString())).toEqual({ image: IMAGE.toString('base64') });
        // A binary Accept falls back to the only template, which cannot take binary: 500.
        const binary = await call(templated.gw.url, `${route}?key=images/image.jpg`, {
          headers: { Accept: 'application/octet-stream' },
        });
        expect(binary.status).toBe(500);
      } finally {
        if (file) await templated.close();
      }
    },
  );

  maybe('an object uploaded as JSON is stored as application/json: a binary Accept then fails', async () => {
    // AWS passes the client's Content-Type on to S3, so the object is text to the response side; a
    // binary Accept asks for base64 decoding of its raw bytes
    // (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html):
    // 500.
    const res = await call(t.gw.url, '/s3?key=images/decoded.jpg', {
      headers: { Accept: 'application/octet-stream' },
    });
    expect(res.status).toBe(500);
  });
});
