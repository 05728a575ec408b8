import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseFunctions } from '../../gateway/backends/lambda';
import { createLogger } from '../../gateway/log';
import { startGateway, type RunningGateway } from '../../gateway/serve';
import { apiDocument, tempDir, type TempDir, type OperationSpec } from '../helpers/api-doc';
import { LAMBDA_KEYS, settledCpuShare } from '../helpers/lambda-invoke';

const HANDLERS = `
exports.ok = async (event) => ({ ok: true, event });
exports.loop = async () => { for (;;) {} };
exports.throws = async () => { throw new Error('boom'); };
exports.rejects = () => Promise.reject(new Error('rejected'));
exports.exits = async () => { process.exit(7); };
exports.allocates = async () => { const keep = []; for (;;) keep.push(new Array(100000).fill(Math.random())); };
`;

const uri = (name: string) =>
  `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${name}/invocations`;

/** A non-proxy method whose integration responses tell the failures apart by errorMessage. */
const nonProxy = (name: string): Record<string, OperationSpec> => ({
  post: {
    type: 'aws',
    httpMethod: 'POST',
    uri: uri(name),
    responses: {
      default: { statusCode: '200' },
      '.*Task timed out after.*': { statusCode: '504' },
      'RequestId: .*': { statusCode: '503' },
      'boom|rejected': { statusCode: '500' },
    },
  },
});

let dir: TempDir;
let gw: RunningGateway;

beforeAll(async () => {
  dir = tempDir('apigw-lambda-failures-');
  dir.write('handlers.js', HANDLERS);
  dir.write('reload.js', 'exports.handler = async () => "v1";\n');
  const names = ['ok', 'loop', 'throws', 'rejects', 'exits', 'allocates'];
  const api = apiDocument('failures', {
    ...Object.fromEntries(names.map((name) => [`/${name}`, nonProxy(name)])),
    '/reload': nonProxy('reload'),
    '/proxy-throws': { post: { type: 'aws_proxy', httpMethod: 'POST', uri: uri('throws') } },
    '/proxy-loop': { post: { type: 'aws_proxy', httpMethod: 'POST', uri: uri('loop') } },
  });
  gw = await startGateway(
    {
      api: dir.write('api.json', api),
      port: 0,
      host: '127.0.0.1',
      dataDir: dir.dir,
      functions: parseFunctions(
        {
          ...Object.fromEntries(names.map((name) => [name, `handlers.js#${name}`])),
          loop: { handler: 'handlers.js#loop', timeout: 1 },
          allocates: { handler: 'handlers.js#allocates', memory: 128 },
          reload: 'reload.js',
        },
        dir.dir,
        'test',
      ),
    },
    createLogger('error'),
    { AWS_ACCESS_KEY_ID: LAMBDA_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: LAMBDA_KEYS.secretAccessKey },
  );
});

afterAll(async () => {
  await gw?.close();
  dir?.remove();
});

const post = (route: string, body = '{}') =>
  fetch(`${gw.url}${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });

/** After a failure: its environment is gone, nothing spins, and the gateway and a function still answer. */
async function expectRecovered(name: string): Promise<void> {
  await gw.lambda!.runtime.stopped(name);
  expect(gw.lambda!.runtime.state(name)).toMatchObject({ busy: 0, stopping: 0 });
  expect(await settledCpuShare(250)).toBeLessThan(0.5);
  const next = await post('/ok', '{"n":1}');
  expect(next.status).toBe(200);
  expect(await next.json()).toEqual({ ok: true, event: { n: 1 } });
}

describe('failing handlers behind the gateway: the right error, CPU idle, the gateway up, the next call fine', () => {
  test('a loop is stopped at the timeout: errorMessage "… Task timed out after 1.00 seconds" selects 504', async () => {
    const res = await post('/loop');
    expect(res.status).toBe(504);
    const body = (await res.json()) as { errorMessage: string };
    expect(body.errorMessage).toMatch(
      /^\d{4}-\d\d-\d\dT[\d:.]+Z [0-9a-f-]{36} Task timed out after 1\.00 seconds$/,
    );
    expect(gw.lambda!.runtime.state('loop')).toMatchObject({ idle: 0 });
    await expectRecovered('loop');
    expect(gw.lambda!.runtime.state('loop')).toMatchObject({ environments: 0, threadIds: [] });
  });

  test('a thrown error and a rejected promise: the error document, the environment kept warm', async () => {
    const thrown = await post('/throws');
    expect(thrown.status).toBe(500);
    expect(await thrown.json()).toMatchObject({
      errorType: 'Error',
      errorMessage: 'boom',
      trace: expect.arrayContaining(['Error: boom']),
    });
    const rejected = await post('/rejects');
    expect(rejected.status).toBe(500);
    expect(await rejected.json()).toMatchObject({ errorType: 'Error', errorMessage: 'rejected' });
    expect(gw.lambda!.runtime.state('throws')).toMatchObject({ environments: 1, idle: 1 });
    await expectRecovered('throws');
  });

  test('process.exit: Runtime.ExitError, the environment replaced', async () => {
    const res = await post('/exits');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      errorType: 'Runtime.ExitError',
      errorMessage: expect.stringMatching(/^RequestId: \S+ Error: Runtime exited with error: exit status 7$/),
    });
    await expectRecovered('exits');
    expect(gw.lambda!.runtime.state('exits')).toMatchObject({ environments: 0 });
  });

  test('unbounded allocation: Runtime.OutOfMemory at the 128 MB heap limit', async () => {
    const res = await post('/allocates');
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({
      errorType: 'Runtime.OutOfMemory',
      errorMessage: expect.stringMatching(
        /^RequestId: \S+ Error: Runtime exited with error: signal: killed$/,
      ),
    });
    await expectRecovered('allocates');
  });

  test('through aws_proxy, a function error or a timeout is 502 Internal server error', async () => {
    const thrown = await post('/proxy-throws');
    expect(thrown.status).toBe(502);
    expect(await thrown.json()).toEqual({ message: 'Internal server error' });
    const loop = await post('/proxy-loop');
    expect(loop.status).toBe(502);
    await expectRecovered('loop');
  });
});

test('editing a handler file: the next call runs the new code', async () => {
  const first = await post('/reload');
  expect(await first.json()).toBe('v1');
  writeFileSync(path.join(dir.dir, 'reload.js'), 'exports.handler = async () => "version two";\n');
  const second = await post('/reload');
  expect(await second.json()).toBe('version two');
});
