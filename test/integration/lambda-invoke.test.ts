import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseFunctions, startLambdaServer, type RunningLambda } from '../../gateway/backends/lambda';
import { tempDir, type TempDir } from '../helpers/api-doc';
import { spawnApigw } from '../helpers/cli';
import { invokeFunction, LAMBDA_KEYS, recordingLogger } from '../helpers/lambda-invoke';

const run = promisify(execFile);
// Debian's awscli (installed by .ci/run), as the S3 tests use it.
const AWS = '/usr/bin/aws';
const withAwsCli = existsSync(AWS) ? test : test.skip;
if (!existsSync(AWS))
  console.warn(`skipping the AWS CLI Lambda tests: ${AWS} is missing (apt-get install awscli)`);

let dir: TempDir;
let lambda: RunningLambda;
const log = recordingLogger();

beforeAll(async () => {
  dir = tempDir('apigw-lambda-invoke-');
  dir.write(
    'fn.js',
    [
      'exports.echo = async (event, context) => ({ event, arn: context.invokedFunctionArn, clientContext: context.clientContext });',
      "exports.fails = async () => { throw new Error('Not Found: nothing here'); };",
      "exports.noisy = async () => { console.log('line for the tail'); return 1; };",
      "exports.big = async () => 'x'.repeat(7 * 1024 * 1024);",
      "exports.event = async (event) => { console.log('event ran', event.n); return null; };",
    ].join('\n'),
  );
  lambda = await startLambdaServer({
    functions: parseFunctions(
      {
        Echo: 'fn.js#echo',
        Fails: 'fn.js#fails',
        Noisy: 'fn.js#noisy',
        Big: 'fn.js#big',
        Event: 'fn.js#event',
      },
      dir.dir,
      'test',
    ),
    port: 0,
    host: '127.0.0.1',
    region: 'us-east-1',
    users: [LAMBDA_KEYS],
    cacheDir: path.join(dir.dir, '.cache'),
    log,
  });
});

afterAll(async () => {
  await lambda?.close();
  dir?.remove();
});

const json = (body: string) => JSON.parse(body) as unknown;

describe('the Invoke API (POST /2015-03-31/functions/{name}/invocations)', () => {
  test('RequestResponse: 200, the result, Lambda headers', async () => {
    const res = await invokeFunction(lambda.url, 'Echo', '{"a":1}');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-amz-executed-version')).toBe('$LATEST');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-amz-function-error')).toBeNull();
    expect(json(res.body)).toEqual({
      event: { a: 1 },
      arn: 'arn:aws:lambda:us-east-1:000000000000:function:Echo',
    });
  });

  test('by ARN, partial ARN, with a qualifier in the name or as ?Qualifier=', async () => {
    const arn = 'arn:aws:lambda:us-west-2:123456789012:function:Echo:live';
    const byArn = await invokeFunction(lambda.url, arn, '{}', { region: 'us-west-2' });
    expect(byArn.status).toBe(200);
    expect((json(byArn.body) as { arn: string }).arn).toBe(arn);
    expect((await invokeFunction(lambda.url, '123456789012:function:Echo', '{}')).status).toBe(200);
    expect((await invokeFunction(lambda.url, 'Echo:$LATEST', '{}')).status).toBe(200);
    const query = await invokeFunction(lambda.url, 'Echo', '{}', { query: { Qualifier: 'prod' } });
    expect((json(query.body) as { arn: string }).arn).toBe(
      'arn:aws:lambda:us-east-1:000000000000:function:Echo:prod',
    );
    const clash = await invokeFunction(lambda.url, 'Echo:one', '{}', { query: { Qualifier: 'two' } });
    expect(clash.status).toBe(400);
    expect(clash.headers.get('x-amzn-errortype')).toBe('InvalidParameterValueException');
  });

  test('an unknown function → 404 ResourceNotFoundException', async () => {
    const res = await invokeFunction(
      lambda.url,
      'arn:aws:lambda:eu-west-1:123456789012:function:Nope:prod',
      '{}',
    );
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(json(res.body)).toEqual({
      Type: 'User',
      Message: 'Function not found: arn:aws:lambda:eu-west-1:123456789012:function:Nope:prod',
    });
    const plain = await invokeFunction(lambda.url, 'Nope', '{}', { region: 'ap-south-1' });
    expect(json(plain.body)).toEqual({
      Type: 'User',
      Message: 'Function not found: arn:aws:lambda:ap-south-1:000000000000:function:Nope',
    });
  });

  test('a function error: 200 with X-Amz-Function-Error: Unhandled and the error document', async () => {
    const res = await invokeFunction(lambda.url, 'Fails', '{}');
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(json(res.body)).toMatchObject({
      errorType: 'Error',
      errorMessage: 'Not Found: nothing here',
      trace: expect.arrayContaining(['Error: Not Found: nothing here']),
    });
  });

  test('a result over 6 MB is a function error (Function.ResponseSizeTooLarge)', async () => {
    const res = await invokeFunction(lambda.url, 'Big', '{}');
    expect(res.headers.get('x-amz-function-error')).toBe('Unhandled');
    expect(json(res.body)).toEqual({
      errorType: 'Function.ResponseSizeTooLarge',
      errorMessage: 'Response payload size exceeded maximum allowed payload size (6291556 bytes).',
    });
  });

  test('Event → 202 at once and the function runs; DryRun → 204 without running it', async () => {
    const event = await invokeFunction(lambda.url, 'Event', '{"n":42}', {
      headers: { 'X-Amz-Invocation-Type': 'Event' },
    });
    expect(event.status).toBe(202);
    expect(event.body).toBe('');
    const requestId = event.headers.get('x-amzn-requestid')!;
    // The asynchronous run is observable only through its log: wait (bounded) for its REPORT line.
    const deadline = Date.now() + 10_000;
    while (!log.lines.some((l) => l.includes(`REPORT RequestId: ${requestId}`)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(log.lines).toContain(`INFO lambda Event ${requestId} INFO event ran 42`);

    const dry = await invokeFunction(lambda.url, 'Event', '{"n":7}', {
      headers: { 'X-Amz-Invocation-Type': 'DryRun' },
    });
    expect(dry.status).toBe(204);
    expect(log.lines.some((l) => l.includes('event ran 7'))).toBe(false);
  });

  test('LogType: Tail → X-Amz-Log-Result, the base64 end of the invocation log', async () => {
    const res = await invokeFunction(lambda.url, 'Noisy', '{}', { headers: { 'X-Amz-Log-Type': 'Tail' } });
    const tail = Buffer.from(res.headers.get('x-amz-log-result')!, 'base64').toString('utf8');
    const requestId = res.headers.get('x-amzn-requestid');
    expect(tail).toMatch(new RegExp(`^START RequestId: ${requestId} Version: \\$LATEST\\n`));
    expect(tail).toContain(`\t${requestId}\tINFO\tline for the tail\n`);
    expect(tail).toMatch(new RegExp(`END RequestId: ${requestId}\\nREPORT RequestId: ${requestId}\\t`));
  });

  test('payload checks: empty is {}, non-JSON is 400, over 6 MB is 413; bad invocation type is 400', async () => {
    expect(json((await invokeFunction(lambda.url, 'Echo', '')).body)).toMatchObject({ event: {} });
    const notJson = await invokeFunction(lambda.url, 'Echo', 'W3JhdyBieXRlc10=');
    expect(notJson.status).toBe(400);
    expect(notJson.headers.get('x-amzn-errortype')).toBe('InvalidRequestContentException');
    expect((json(notJson.body) as { Message: string }).Message).toMatch(
      /^Could not parse request body into json: Could not parse payload into json: /,
    );
    const huge = await invokeFunction(lambda.url, 'Echo', JSON.stringify('x'.repeat(6 * 1024 * 1024)));
    expect(huge.status).toBe(413);
    expect(json(huge.body)).toEqual({
      Type: 'User',
      Message: 'Request must be smaller than 6291456 bytes for the InvokeFunction operation',
    });
    const badType = await invokeFunction(lambda.url, 'Echo', '{}', {
      headers: { 'X-Amz-Invocation-Type': 'Later' },
    });
    expect(badType.status).toBe(400);
    expect(badType.headers.get('x-amzn-errortype')).toBe('ValidationException');
  });

  test('X-Amz-Client-Context reaches context.clientContext', async () => {
    const clientContext = Buffer.from(JSON.stringify({ custom: { app: 'tests' } })).toString('base64');
    const res = await invokeFunction(lambda.url, 'Echo', '{}', {
      headers: { 'X-Amz-Client-Context': clientContext },
    });
    expect((json(res.body) as { clientContext: unknown }).clientContext).toEqual({
      custom: { app: 'tests' },
    });
  });

  test('SigV4: unsigned → 403 MissingAuthenticationToken, unknown key → 403 UnrecognizedClientException', async () => {
    const unsigned = await invokeFunction(lambda.url, 'Echo', '{}', { unsigned: true });
    expect(unsigned.status).toBe(403);
    expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    const unknown = await invokeFunction(lambda.url, 'Echo', '{}', {
      keys: { accessKeyId: 'AKIANOBODY0000000000', secretAccessKey: 'x' },
    });
    expect(unknown.status).toBe(403);
    expect(unknown.headers.get('x-amzn-errortype')).toBe('UnrecognizedClientException');
    expect(json(unknown.body)).toEqual({ message: 'The security token included in the request is invalid.' });
    const wrong = await invokeFunction(lambda.url, 'Echo', '{}', {
      keys: { ...LAMBDA_KEYS, secretAccessKey: 'no' },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.headers.get('x-amzn-errortype')).toBe('InvalidSignatureException');
  });

  test('other operations → 404 UnknownOperationException', async () => {
    const res = await invokeFunction(lambda.url, '', '', {
      method: 'GET',
      path: '/2015-03-31/functions/Echo',
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  });
});

describe('real clients', () => {
  /** The AWS CLI against the embedded Lambda (asynchronously: the server runs in this process). */
  async function aws(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
    const home = mkdtempSync(path.join(tmpdir(), 'apigw-lambda-cli-'));
    try {
      const { stdout, stderr } = await run(AWS, ['--endpoint-url', lambda.url, '--output', 'json', ...args], {
        env: {
          PATH: process.env.PATH,
          HOME: home,
          AWS_ACCESS_KEY_ID: LAMBDA_KEYS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LAMBDA_KEYS.secretAccessKey,
          AWS_DEFAULT_REGION: 'us-east-1',
          AWS_CONFIG_FILE: path.join(home, 'none'),
          AWS_SHARED_CREDENTIALS_FILE: path.join(home, 'none'),
          AWS_MAX_ATTEMPTS: '1',
          AWS_PAGER: '',
        },
      });
      return { stdout, stderr, code: 0 };
    } catch (e) {
      const err = e as { stdout: string; stderr: string; code: number };
      return { stdout: err.stdout, stderr: err.stderr, code: err.code };
    }
  }

  withAwsCli(
    'aws lambda invoke, by name and by ARN; an unknown function is ResourceNotFoundException',
    async () => {
      const out = path.join(dir.dir, 'out.json');
      const byName = await aws([
        'lambda',
        'invoke',
        '--function-name',
        'Echo',
        '--cli-binary-format',
        'raw-in-base64-out',
        '--payload',
        '{"from":"cli"}',
        out,
      ]);
      expect(byName.code).toBe(0);
      expect(JSON.parse(byName.stdout)).toEqual({ StatusCode: 200, ExecutedVersion: '$LATEST' });
      expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ event: { from: 'cli' } });

      const arn = 'arn:aws:lambda:us-east-1:123456789012:function:Fails';
      const failed = await aws(['lambda', 'invoke', '--function-name', arn, out]);
      expect(JSON.parse(failed.stdout)).toEqual({
        StatusCode: 200,
        FunctionError: 'Unhandled',
        ExecutedVersion: '$LATEST',
      });

      const missing = await aws(['lambda', 'invoke', '--function-name', 'Nope', out]);
      expect(missing.code).not.toBe(0);
      expect(missing.stderr).toMatch(
        /An error occurred \(ResourceNotFoundException\) when calling the Invoke operation.*: Function not found: arn:aws:lambda:us-east-1:000000000000:function:Nope/,
      );
    },
  );

  test('apigw lambda examples/lambda-calc runs the embedded Lambda alone', async () => {
    const data = tempDir('apigw-lambda-cli-data-');
    const apigw = spawnApigw(['lambda', 'examples/lambda-calc', '--port', '0', '--data-dir', data.dir], {
      AWS_ACCESS_KEY_ID: LAMBDA_KEYS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LAMBDA_KEYS.secretAccessKey,
    });
    try {
      const [, url] = await apigw.waitFor(/Lambda endpoint: (http:\/\/\S+)/);
      expect(apigw.stdout()).toContain('Functions: Calc');
      const res = await invokeFunction(
        url,
        'arn:aws:lambda:us-west-2:123456789012:function:Calc',
        '{"a":6,"b":7,"op":"*"}',
      );
      expect(res.status).toBe(200);
      expect(json(res.body)).toEqual({ a: 6, b: 7, op: '*', c: 42 });
    } finally {
      apigw.child.kill('SIGTERM');
      expect(await apigw.exited).toBe(0);
      data.remove();
    }
  });
});
