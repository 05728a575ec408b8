import path from 'node:path';
import { tempDir, type TempDir } from '../helpers/api-doc';
import { spawnApigw, type ApigwProcess } from '../helpers/cli';

// `apigw serve --cors [ORIGIN]` from the command line and the config file: what start-up says,
// how a preflight is answered, and AWS's behaviour when the switch is off.

const ENV = { AWS_ACCESS_KEY_ID: 'AKIACORSCLI000000001', AWS_SECRET_ACCESS_KEY: 'cors-cli-secret' };
const NO_CORS = 'test/fixtures/cors/no-cors.yaml';
const PREFLIGHT = {
  Origin: 'http://localhost:3000',
  'Access-Control-Request-Method': 'PUT',
  'Access-Control-Request-Headers': 'content-type,x-custom',
};

let dir: TempDir;
let proc: ApigwProcess | undefined;

beforeEach(() => {
  dir = tempDir('apigw-cors-cli-');
});

afterEach(async () => {
  if (proc && proc.child.exitCode === null) {
    proc.child.kill('SIGTERM');
    await proc.exited;
  }
  proc = undefined;
  dir.remove();
});

async function serve(...args: string[]): Promise<string> {
  proc = spawnApigw(['serve', ...args, '--port', '0', '--data-dir', path.join(dir.dir, 'data')], ENV);
  const [, url] = await proc.waitFor(/Base URL: (http:\/\/\S+\/dev)\n/);
  return url;
}

test('without --cors an OPTIONS the API has no method for is AWS 403 Missing Authentication Token', async () => {
  const url = await serve(NO_CORS);
  const res = await fetch(`${url}/items/1`, { method: 'OPTIONS', headers: PREFLIGHT });
  expect(res.status).toBe(403);
  expect(res.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
  expect(res.headers.get('access-control-allow-origin')).toBeNull();
  expect(await res.text()).toBe('{"message":"Missing Authentication Token"}');
  expect(proc!.stdout()).not.toContain('--cors');
});

test('--cors (any origin): start-up says so; preflights answered 204, errors carry CORS headers', async () => {
  const url = await serve(NO_CORS, '--cors');
  expect(proc!.stdout()).toContain(
    'CORS (--cors, beyond AWS): preflights answered and CORS headers added to every response for any origin',
  );
  const preflight = await fetch(`${url}/items/1`, { method: 'OPTIONS', headers: PREFLIGHT });
  expect(preflight.status).toBe(204);
  expect(Object.fromEntries([...preflight.headers].filter(([n]) => n.startsWith('access-control-')))).toEqual(
    {
      'access-control-allow-origin': 'http://localhost:3000',
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT',
      'access-control-allow-headers': 'content-type,x-custom',
      'access-control-max-age': '600',
    },
  );
  const error = await fetch(`${url}/nothing`, { headers: { Origin: 'http://localhost:3000' } });
  expect(error.status).toBe(403);
  expect(error.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
  expect(error.headers.get('access-control-expose-headers')).toContain('x-amzn-errortype');
  expect(error.headers.get('vary')).toBe('Origin');
  // A request without Origin (curl, a server) is answered exactly as without --cors.
  const plain = await fetch(`${url}/nothing`);
  expect(plain.headers.get('access-control-allow-origin')).toBeNull();
});

test('--cors ORIGIN before the API file, and cors: in the config file', async () => {
  const url = await serve('--cors', 'http://localhost:3000', NO_CORS);
  expect(proc!.stdout()).toContain('for http://localhost:3000');
  const other = await fetch(`${url}/items/1`, {
    method: 'OPTIONS',
    headers: { ...PREFLIGHT, Origin: 'http://evil.example' },
  });
  // Not an allowed origin: the request goes to the API, which has no OPTIONS method.
  expect(other.status).toBe(403);
  proc!.child.kill('SIGTERM');
  await proc!.exited;

  const config = dir.write('apigw.yaml', { api: path.resolve(NO_CORS), cors: true });
  const fromFile = await serve('--config', config);
  expect(proc!.stdout()).toContain('for any origin');
  const put = await fetch(`${fromFile}/items/7`, {
    method: 'PUT',
    headers: { Origin: 'http://localhost:5173', 'Content-Type': 'application/json' },
    body: '{}',
  });
  expect(put.status).toBe(200);
  expect(put.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
});

test('a cors value that is no origin: one line, exit 1', async () => {
  proc = spawnApigw(['serve', NO_CORS, '--cors=localhost:3000', '--port', '0'], ENV);
  expect(await proc.exited).toBe(1);
  expect(proc.stderr()).toBe(
    'apigw: command line: cors: \'localhost:3000\' is not an origin (scheme://host[:port], e.g. http://localhost:3000), nor *, got "localhost:3000"\n',
  );
});

test('--cors followed by something that is no origin: the one-line error says what --cors takes', async () => {
  proc = spawnApigw(['serve', NO_CORS, '--cors', 'localhost:3000', '--port', '0'], ENV);
  expect(await proc.exited).not.toBe(0);
  expect(proc.stderr()).toBe(
    "apigw: unexpected argument 'localhost:3000' (--cors takes an origin: scheme://host[:port], e.g. http://localhost:3000, or *)\n",
  );
});
