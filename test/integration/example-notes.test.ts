import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { tempDir, type TempDir } from '../helpers/api-doc';
import { BIN, REPO, spawnApigw, type ApigwProcess } from '../helpers/cli';

// The commands of examples/notes/README.md: serve the example, make tokens with apigw token, call.

const run = promisify(execFile);
let dir: TempDir;
let proc: ApigwProcess;
let url: string;

beforeAll(async () => {
  dir = tempDir('apigw-notes-');
  proc = spawnApigw(['serve', 'examples/notes', '--port', '0', '--data-dir', path.join(dir.dir, 'data')], {
    AWS_ACCESS_KEY_ID: 'AKIANOTESEXAMPLE0001',
    AWS_SECRET_ACCESS_KEY: 'notes-example-secret',
  });
  [, url] = await proc.waitFor(/Base URL: (http:\/\/\S+\/dev)\n/);
});

afterAll(async () => {
  proc.child.kill('SIGTERM');
  await proc.exited;
  dir.remove();
});

async function token(...args: string[]): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    [BIN, 'token', 'examples/notes', '--data-dir', path.join(dir.dir, 'data'), ...args],
    { cwd: REPO },
  );
  return stdout.trim();
}

test('GET /notes with an ID token from apigw token', async () => {
  const id = await token('--sub', 'alice', '--claim', 'email=alice@example.com');
  const res = await fetch(`${url}/notes`, { headers: { Authorization: id } });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({
    owner: 'alice',
    email: 'alice@example.com',
    notes: ['buy milk', 'call mum'],
  });
});

test('without a token: 401 with the CORS header of DEFAULT_4XX', async () => {
  const res = await fetch(`${url}/notes`);
  expect(res.status).toBe(401);
  expect(res.headers.get('access-control-allow-origin')).toBe('*');
  expect(await res.text()).toBe('{"message":"Unauthorized"}');
});

test('POST /notes takes an access token with notes/write, not an ID token', async () => {
  const access = await token('--sub', 'alice', '--scope', 'notes/write');
  const res = await fetch(`${url}/notes`, { method: 'POST', headers: { Authorization: `Bearer ${access}` } });
  expect(res.status).toBe(201);
  expect(await res.json()).toEqual({ created: true, by: 'alice', scope: 'notes/write' });
  const id = await token('--sub', 'alice');
  expect((await fetch(`${url}/notes`, { method: 'POST', headers: { Authorization: id } })).status).toBe(401);
});
