import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LambdaRuntime, parseFunctions } from '../../gateway/backends/lambda';
import { tempDir, type TempDir } from '../helpers/api-doc';
import { cpuShareOver, recordingLogger } from '../helpers/lambda-invoke';

const HANDLERS = `
'use strict';
const fs = require('node:fs');
exports.context = async (event, context) => ({
  event,
  awsRequestId: context.awsRequestId,
  functionName: context.functionName,
  functionVersion: context.functionVersion,
  invokedFunctionArn: context.invokedFunctionArn,
  memoryLimitInMB: context.memoryLimitInMB,
  remaining: context.getRemainingTimeInMillis(),
  waits: context.callbackWaitsForEmptyEventLoop,
  logGroupName: context.logGroupName,
  env: {
    name: process.env.AWS_LAMBDA_FUNCTION_NAME,
    version: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    region: process.env.AWS_REGION,
    handler: process.env._HANDLER,
    table: process.env.TABLE,
    leaked: process.env.APIGW_TEST_PARENT_SECRET,
  },
});
exports.logs = async (event) => {
  console.log('hello %s', event.who);
  console.error(new Error('to stderr'));
  console.warn({ careful: true });
  process.stdout.write('raw line\\n');
  return 'logged';
};
exports.callbackWaits = (event, context, callback) => {
  setTimeout(() => console.log('timer fired'), 150);
  callback(null, { waited: true });
};
exports.callbackNoWait = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  setTimeout(() => console.log('late timer fired'), 150);
  callback(null, { waited: false });
};
exports.callbackError = (event, context, callback) => callback(new RangeError('out of range'));
exports.succeed = (event, context) => { context.succeed('via succeed'); context.fail(new Error('ignored')); };
exports.nothing = () => {};
exports.neverSettles = async () => new Promise(() => {});
exports.throws = async () => { throw new TypeError('bad thing'); };
exports.throwsSync = () => { throw new Error('sync boom'); };
exports.throwsString = async () => { throw 'just a string'; };
exports.rejects = () => Promise.reject(new Error('rejected'));
exports.unhandled = async () => { Promise.reject(new Error('nobody waits for me')); await new Promise((r) => setTimeout(r, 1000)); return 'unreachable'; };
exports.circular = async () => { const a = {}; a.a = a; return a; };
exports.loop = async () => { for (;;) {} };
exports.exits = async () => { process.exit(3); };
exports.exitsZero = async () => { process.exit(0); };
exports.allocates = async () => { const keep = []; for (;;) keep.push(new Array(100000).fill(Math.random())); };
exports.ok = async (event) => ({ ok: true, event });
exports.slow = async (event) => { await new Promise((r) => setTimeout(r, 200)); return require('node:worker_threads').threadId; };
exports.notAFunction = 42;
`;

let dir: TempDir;
let runtime: LambdaRuntime;
const log = recordingLogger();

/** One invocation with a fresh request id. */
async function call(name: string, event: unknown = {}) {
  const requestId = randomUUID();
  const result = await runtime.invoke(name, {
    requestId,
    event: JSON.stringify(event),
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
  });
  const payload =
    result.outcome.kind === 'result' ? (JSON.parse(result.outcome.payload) as unknown) : undefined;
  const error = result.outcome.kind === 'error' ? result.outcome.error : undefined;
  return { requestId, payload, error, log: result.log };
}

beforeAll(() => {
  dir = tempDir('apigw-lambda-runtime-');
  dir.write('handlers.js', HANDLERS);
  dir.write('esm.mjs', 'export const handler = async (event) => ({ esm: true, event });\n');
  mkdirSync(path.join(dir.dir, 'module-pkg'));
  dir.write('module-pkg/package.json', '{"type": "module"}');
  dir.write('module-pkg/index.js', 'export async function handler() { return "esm .js"; }\n');
  dir.write(
    'typed.ts',
    [
      "import { greet } from './greeting';",
      'interface Event { who: string }',
      'export const handler = async (event: Event): Promise<string> => greet(event.who);',
      'export function broken(): never { throw new Error("from typescript"); }',
    ].join('\n'),
  );
  dir.write('greeting.ts', 'export const greet = (who: string): string => `hello, ${who}`;\n');
  dir.write('syntax.js', 'exports.handler = async () => {\n');
  dir.write('throws-at-load.js', 'throw new Error("cannot start");\n');
  dir.write('reload.js', 'const dep = require("./dep.js");\nexports.handler = async () => "v1 " + dep;\n');
  dir.write('dep.js', 'module.exports = "dep1";\n');
  process.env.APIGW_TEST_PARENT_SECRET = 'must not leak';
  const handler = (name: string) => `handlers.js#${name}`;
  const functions = parseFunctions(
    {
      Context: { handler: handler('context'), timeout: 5, memory: 192, environment: { TABLE: 'calc' } },
      ...Object.fromEntries(
        [
          'logs',
          'callbackWaits',
          'callbackNoWait',
          'callbackError',
          'succeed',
          'nothing',
          'neverSettles',
          'throws',
          'throwsSync',
          'throwsString',
          'rejects',
          'unhandled',
          'circular',
          'exits',
          'exitsZero',
          'ok',
          'slow',
          'notAFunction',
        ].map((name) => [name, { handler: handler(name) }]),
      ),
      loop: { handler: handler('loop'), timeout: 1 },
      allocates: { handler: handler('allocates'), memory: 128, timeout: 30 },
      Esm: 'esm.mjs',
      EsmJs: 'module-pkg/index.js',
      Typed: 'typed.ts',
      TypedBroken: 'typed.ts#broken',
      Syntax: 'syntax.js',
      ThrowsAtLoad: 'throws-at-load.js',
      Missing: 'missing.js',
      Reload: 'reload.js',
    },
    dir.dir,
    'test',
  );
  runtime = new LambdaRuntime({
    functions,
    region: 'eu-west-1',
    cacheDir: path.join(dir.dir, '.cache'),
    log,
  });
});

afterAll(async () => {
  await runtime?.close();
  delete process.env.APIGW_TEST_PARENT_SECRET;
  dir?.remove();
});

describe('the Node.js programming model', () => {
  test('async handler: the event, the context, and the environment Lambda gives a function', async () => {
    const { requestId, payload } = await call('Context', { a: [1, 'two'] });
    expect(payload).toEqual({
      event: { a: [1, 'two'] },
      awsRequestId: requestId,
      functionName: 'Context',
      functionVersion: '$LATEST',
      invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:Context',
      memoryLimitInMB: '192',
      remaining: expect.any(Number),
      waits: true,
      logGroupName: '/aws/lambda/Context',
      env: {
        name: 'Context',
        version: '$LATEST',
        memory: '192',
        region: 'eu-west-1',
        handler: 'handlers.context',
        table: 'calc',
      },
    });
    expect((payload as { remaining: number }).remaining).toBeGreaterThan(3000);
    expect((payload as { remaining: number }).remaining).toBeLessThanOrEqual(5000);
  });

  test('console output is captured per invocation with the request id, into the log', async () => {
    const { requestId, payload, log: lines } = await call('logs', { who: 'world' });
    expect(payload).toBe('logged');
    expect(lines[0]).toBe(`START RequestId: ${requestId} Version: $LATEST`);
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`^\\S+Z\\t${requestId}\\tINFO\\thello world$`)),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`\\t${requestId}\\tERROR\\tError: to stderr\\n`)),
    );
    expect(lines).toContainEqual(
      expect.stringMatching(new RegExp(`\\t${requestId}\\tWARN\\t\\{ careful: true \\}$`)),
    );
    expect(lines.at(-2)).toBe(`END RequestId: ${requestId}`);
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `^REPORT RequestId: ${requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB`,
      ),
    );
    expect(log.lines).toContain(`INFO lambda logs ${requestId} INFO hello world`);
    // A raw process.stdout.write arrives through the worker's stdout stream, possibly after the result.
  });

  test('callback handler: the result waits for the event loop to empty, unless told not to', async () => {
    const waits = await call('callbackWaits');
    expect(waits.payload).toEqual({ waited: true });
    expect(waits.log.some((l) => l.endsWith('\tINFO\ttimer fired'))).toBe(true);

    const noWait = await call('callbackNoWait');
    expect(noWait.payload).toEqual({ waited: false });
    expect(noWait.log.some((l) => l.includes('late timer fired'))).toBe(false);
  });

  test('callback(error), context.succeed (first completion wins), and a handler that returns nothing', async () => {
    expect((await call('callbackError')).error).toMatchObject({
      errorType: 'RangeError',
      errorMessage: 'out of range',
    });
    expect((await call('succeed')).payload).toBe('via succeed');
    expect((await call('nothing')).payload).toBeNull();
  });

  test('an async handler that never settles fails when its event loop empties (Runtime.NodeJsExit)', async () => {
    expect((await call('neverSettles')).error).toMatchObject({ errorType: 'Runtime.NodeJsExit' });
    expect((await call('neverSettles')).error).toMatchObject({ errorType: 'Runtime.NodeJsExit' });
  });

  test('thrown errors and rejections: the Node.js runtime error document {errorType, errorMessage, trace}', async () => {
    const thrown = (await call('throws')).error!;
    expect(thrown.errorType).toBe('TypeError');
    expect(thrown.errorMessage).toBe('bad thing');
    expect(thrown.trace![0]).toBe('TypeError: bad thing');
    expect(thrown.trace![1]).toContain('handlers.js');
    expect((await call('throwsSync')).error).toMatchObject({ errorType: 'Error', errorMessage: 'sync boom' });
    expect((await call('throwsString')).error).toEqual({
      errorType: 'string',
      errorMessage: 'just a string',
      trace: [],
    });
    expect((await call('rejects')).error).toMatchObject({ errorType: 'Error', errorMessage: 'rejected' });
    expect((await call('circular')).error).toMatchObject({
      errorType: 'Runtime.JSONStringifyError',
      errorMessage: 'Unable to stringify response body',
    });
    // The environment survives a thrown error: the next call runs warm in the same thread.
    expect(runtime.state('throws')).toMatchObject({ environments: 1, idle: 1 });
  });

  test('an unhandled rejection ends the runtime with Runtime.UnhandledPromiseRejection; the next call works', async () => {
    expect((await call('unhandled')).error).toMatchObject({
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: 'Error: nobody waits for me',
    });
    await runtime.stopped('unhandled');
    expect(runtime.state('unhandled')).toMatchObject({ environments: 0 });
    expect((await call('ok')).payload).toEqual({ ok: true, event: {} });
  });
});

describe('module kinds', () => {
  test('.mjs, a .js ES module ("type": "module"), and .ts with relative imports', async () => {
    expect((await call('Esm', { x: 1 })).payload).toEqual({ esm: true, event: { x: 1 } });
    expect((await call('EsmJs')).payload).toBe('esm .js');
    expect((await call('Typed', { who: 'ts' })).payload).toBe('hello, ts');
    const broken = (await call('TypedBroken')).error!;
    expect(broken.errorMessage).toBe('from typescript');
    // Stack traces point into the TypeScript source.
    expect(broken.trace!.join('\n')).toMatch(/typed\.ts:4:/);
  });

  test('init errors: as Lambda names them, and the next call tries again', async () => {
    expect((await call('notAFunction')).error).toMatchObject({
      errorType: 'Runtime.HandlerNotFound',
      errorMessage: 'handlers.notAFunction is undefined or not exported',
    });
    expect((await call('Syntax')).error).toMatchObject({
      errorType: 'Runtime.UserCodeSyntaxError',
      errorMessage: expect.stringMatching(/^SyntaxError: /),
    });
    expect((await call('Missing')).error).toMatchObject({
      errorType: 'Runtime.ImportModuleError',
      errorMessage: expect.stringContaining('missing.js'),
    });
    expect((await call('ThrowsAtLoad')).error).toMatchObject({
      errorType: 'Error',
      errorMessage: 'cannot start',
    });
    await runtime.stopped('ThrowsAtLoad');
    expect(runtime.state('ThrowsAtLoad')).toMatchObject({ environments: 0 });
  });
});

describe('isolation: one worker thread per warm environment', () => {
  test('warm environments are reused; concurrent calls get their own, up to a small pool', async () => {
    const first = (await call('slow')).payload;
    expect((await call('slow')).payload).toBe(first);
    const ids = await Promise.all(Array.from({ length: 6 }, () => call('slow')));
    const threads = new Set(ids.map((r) => r.payload));
    expect(threads.size).toBeGreaterThan(1);
    expect(threads.size).toBeLessThanOrEqual(4);
    expect(runtime.state('slow')).toMatchObject({ busy: 0, queued: 0 });
  });

  test('a handler stuck in a loop: timed out, its thread terminated, CPU idle, the next call fine', async () => {
    const before = runtime.state('loop')!;
    const { requestId, error } = await call('loop');
    expect(error).toEqual({
      errorMessage: expect.stringMatching(
        new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z ${requestId} Task timed out after 1\\.00 seconds$`),
      ),
    });
    await runtime.stopped('loop');
    const after = runtime.state('loop')!;
    expect(after).toMatchObject({ environments: 0, busy: 0, stopping: 0 });
    expect(before.threadIds).toEqual([]);
    expect(await cpuShareOver(300)).toBeLessThan(0.5);
    // The same function runs again in a fresh environment (and is stopped again).
    expect((await call('loop')).error?.errorMessage).toMatch(/Task timed out after 1\.00 seconds$/);
  });

  test('process.exit is contained: Runtime.ExitError, and the next call gets a new environment', async () => {
    const { requestId, error } = await call('exits');
    expect(error).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status 3`,
    });
    expect((await call('exitsZero')).error?.errorMessage).toMatch(
      /Error: Runtime exited without providing a reason$/,
    );
    await runtime.stopped('exits');
    expect(runtime.state('exits')).toMatchObject({ environments: 0 });
    expect((await call('ok', { after: 'exit' })).payload).toEqual({ ok: true, event: { after: 'exit' } });
  });

  test('unbounded allocation hits the memory limit: Runtime.OutOfMemory, CPU idle, the next call fine', async () => {
    const { requestId, error } = await call('allocates');
    expect(error).toEqual({
      errorType: 'Runtime.OutOfMemory',
      errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`,
    });
    await runtime.stopped('allocates');
    expect(runtime.state('allocates')).toMatchObject({ environments: 0 });
    expect(await cpuShareOver(300)).toBeLessThan(0.5);
    expect((await call('ok')).payload).toEqual({ ok: true, event: {} });
  });
});

describe('reload', () => {
  test('editing the handler or a file it requires loads the new code on the next call', async () => {
    expect((await call('Reload')).payload).toBe('v1 dep1');
    const warm = runtime.state('Reload')!.threadIds;
    writeFileSync(
      path.join(dir.dir, 'reload.js'),
      'const dep = require("./dep.js");\nexports.handler = async () => "version 2 " + dep;\n',
    );
    expect((await call('Reload')).payload).toBe('version 2 dep1');
    writeFileSync(path.join(dir.dir, 'dep.js'), 'module.exports = "dependency 2";\n');
    expect((await call('Reload')).payload).toBe('version 2 dependency 2');
    await runtime.stopped('Reload');
    expect(runtime.state('Reload')!.threadIds).not.toContain(warm[0]);
  });
});
