import { TRACED_STAGES } from '../helpers/lifecycle-stages';
import { apiDocument, recordingLogger, tempDir, type TempDir } from '../helpers/api-doc';
import { loadConfigFile } from '../../gateway/config';
import { startGateway, type RunningGateway } from '../../gateway/serve';
import type { TraceRecord } from '../../gateway/observe/trace';

const ENV = { AWS_ACCESS_KEY_ID: 'AKIATRACETESTS000001', AWS_SECRET_ACCESS_KEY: 'trace-tests-secret' };
const s3 = (path: string) => `arn:aws:apigateway:us-east-1:s3:path/${path}`;
const fn = (name: string) =>
  `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:${name}/invocations`;

let dir: TempDir;
let gw: RunningGateway;
const logged = recordingLogger();

beforeAll(async () => {
  dir = tempDir('apigw-trace-');
  dir.write(
    'hello.js',
    "exports.handler = async (event) => ({ statusCode: 201, headers: { 'Content-Type': 'text/plain' }, body: 'hello ' + event.body });\n",
  );
  const doc = apiDocument('trace', {
    '/{bucket}': {
      put: {
        uri: s3('{bucket}'),
        httpMethod: 'PUT',
        requestParameters: { 'integration.request.path.bucket': 'method.request.path.bucket' },
      },
    },
    '/{bucket}/{key}': {
      put: {
        uri: s3('{bucket}/{key}'),
        httpMethod: 'PUT',
        requestParameters: {
          'integration.request.path.bucket': 'method.request.path.bucket',
          'integration.request.path.key': 'method.request.path.key',
        },
        responses: { default: { statusCode: '200' }, '4\\d{2}': { statusCode: '400' } },
      },
      get: {
        uri: s3('{bucket}/{key}'),
        requestParameters: {
          'integration.request.path.bucket': 'method.request.path.bucket',
          'integration.request.path.key': 'method.request.path.key',
        },
      },
    },
    '/hello': { post: { type: 'aws_proxy', httpMethod: 'POST', uri: fn('hello') } },
    '/down': { get: { type: 'http_proxy', uri: 'http://127.0.0.1:9/unreachable' } },
  }) as {
    paths: Record<string, Record<string, { 'x-amazon-apigateway-integration': Record<string, unknown> }>>;
  };
  // The templated aws integration: the object stored is the template's rendering of the body.
  doc.paths['/{bucket}/{key}'].put['x-amazon-apigateway-integration'].requestTemplates = {
    'application/json': '{"wrapped": $input.json(\'$\'), "caller": "$input.params(\'Authorization\')"}',
  };
  const config = loadConfigFile(
    dir.write('apigw.yaml', 'functions:\n  hello:\n    handler: hello.js#handler\n'),
  );
  gw = await startGateway(
    { ...config, api: dir.write('api.json', doc), port: 0, host: '127.0.0.1', dataDir: dir.dir, trace: true },
    logged.log,
    ENV,
  );
});

afterAll(async () => {
  await gw.close();
  dir.remove();
});

/** The trace the response carries (X-Apigw-Trace: base64 JSON). */
function traceOf(res: Response): TraceRecord {
  const header = res.headers.get('x-apigw-trace');
  if (!header) throw new Error('no X-Apigw-Trace header');
  return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as TraceRecord;
}

/** The `trace {...}` log line of a request, once written (after the response is complete). */
async function loggedTrace(requestId: string): Promise<TraceRecord> {
  for (let i = 0; i < 1000; i++) {
    const line = logged.lines.find(
      (l) => l.includes(' INFO trace ') && l.includes(`"requestId":"${requestId}"`),
    );
    if (line) return JSON.parse(line.slice(line.indexOf(' INFO trace ') + 12)) as TraceRecord;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`no trace line for ${requestId}`);
}

const STAGES = TRACED_STAGES;

test('templated aws integration (S3): the rendered request, the endpoint response, the selection, secrets masked', async () => {
  expect((await fetch(`${gw.url}/traced-bucket`, { method: 'PUT' })).status).toBe(200);
  const res = await fetch(`${gw.url}/traced-bucket/note.json?x=1`, {
    method: 'PUT',
    headers: {
      'Content-Type': 'application/json',
      Authorization: 'Bearer top-secret-token',
      'X-Apigw-Trace': '1',
    },
    body: '{"a": 1}',
  });
  expect(res.status).toBe(200);
  await res.text();
  const trace = traceOf(res);
  expect(trace.requestId).toBe(res.headers.get('x-amzn-requestid'));
  expect(trace.stages.map((s) => s.name)).toEqual(STAGES);
  const stage = (name: string) => trace.stages.find((s) => s.name === name)!.detail!;
  expect(stage('method request')).toMatchObject({
    httpMethod: 'PUT',
    resourcePath: '/{bucket}/{key}',
    pathParameters: { bucket: 'traced-bucket', key: 'note.json' },
    querystring: { x: ['1'] },
    headers: { Authorization: ['Bearer ****'], 'Content-Type': ['application/json'] },
  });
  const integrationRequest = stage('integration request');
  expect(integrationRequest).toMatchObject({ service: 's3', region: 'us-east-1', method: 'PUT' });
  expect(integrationRequest.uri).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/traced-bucket\/note\.json$/);
  // The template ran: the body is its rendering, with the copied Authorization value masked.
  expect(JSON.parse(integrationRequest.body as string)).toEqual({ wrapped: { a: 1 }, caller: '****' });
  expect(JSON.stringify(trace)).not.toContain('top-secret-token');
  const endpoint = stage('integration');
  expect(endpoint.status).toBe(200);
  expect(Object.keys(endpoint.headers as object).map((h) => h.toLowerCase())).toContain('etag');
  expect(stage('integration response')).toMatchObject({
    selection: '200',
    selected: { statusCode: '200', selectionPattern: 'default' },
    reason: '"200" matched no selectionPattern: the default response',
  });
  expect(stage('method response')).toMatchObject({ status: 200 });
  for (const s of trace.stages) expect(s.durationMs).toBeGreaterThanOrEqual(0);

  // The same request's log line, complete.
  const line = await loggedTrace(trace.requestId);
  expect(line.status).toBe(200);
  expect(line.stages.map((s) => s.name)).toEqual(STAGES);
  expect(line.latencyMs).toBeGreaterThan(0);

  // A streamed endpoint response: its start is kept once it has gone through.
  const get = await fetch(`${gw.url}/traced-bucket/note.json`);
  expect(await get.text()).toBe('{"wrapped": {"a":1}, "caller": "Bearer top-secret-token"}');
  expect(get.headers.get('x-apigw-trace')).toBeNull();
  const getTrace = await loggedTrace(get.headers.get('x-amzn-requestid')!);
  const got = getTrace.stages.find((s) => s.name === 'integration')!.detail!;
  // What S3 stored is data of its own: it is shown as it is.
  expect(JSON.parse(got.body as string)).toEqual({ wrapped: { a: 1 }, caller: 'Bearer top-secret-token' });
  const selected = getTrace.stages.find((s) => s.name === 'integration response')!.detail!;
  expect(selected.reason).toBe('"200" matched no selectionPattern: the default response');
});

test('Lambda proxy: the event sent to Invoke, the function result, the proxy passing it on', async () => {
  const res = await fetch(`${gw.url}/hello`, {
    method: 'POST',
    headers: {
      'X-Apigw-Trace': '1',
      Authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAX/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=' +
        'ab'.repeat(32),
    },
    body: 'world',
  });
  expect(res.status).toBe(201);
  expect(await res.text()).toBe('hello world');
  const trace = traceOf(res);
  const stage = (name: string) => trace.stages.find((s) => s.name === name)!.detail!;
  expect(stage('method request').headers).toMatchObject({
    Authorization: [
      'AWS4-HMAC-SHA256 Credential=AKIAX/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=****',
    ],
  });
  const request = stage('integration request');
  expect(request).toMatchObject({ service: 'lambda', method: 'POST' });
  expect(request.uri).toMatch(
    /\/2015-03-31\/functions\/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Ahello\/invocations$|\/2015-03-31\/functions\/.*hello\/invocations$/,
  );
  const event = JSON.parse(request.body as string) as {
    body: string;
    httpMethod: string;
    headers: Record<string, string>;
  };
  expect(event).toMatchObject({ body: 'world', httpMethod: 'POST', resource: '/hello' });
  expect(event.headers.Authorization).toBe(
    'AWS4-HMAC-SHA256 Credential=AKIAX/20260101/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=****',
  );
  const endpoint = stage('integration');
  expect(endpoint.status).toBe(200);
  expect(JSON.parse(endpoint.body as string)).toEqual({
    statusCode: 201,
    headers: { 'Content-Type': 'text/plain' },
    body: 'hello world',
  });
  expect(stage('integration response').reason).toBe(
    "Lambda proxy: the function's statusCode, headers and body make the method response",
  );
  expect(stage('method response')).toMatchObject({ status: 201, body: 'hello world' });
  expect(JSON.stringify(trace)).not.toContain('abab');
});

test('gateway errors: the stage that failed, the gateway response, in the header and the log', async () => {
  const missing = await fetch(`${gw.url}/no/such/route`, { headers: { 'X-Apigw-Trace': '1' } });
  expect(missing.status).toBe(403);
  const trace = traceOf(missing);
  expect(trace.stages).toHaveLength(1);
  expect(trace.stages[0]).toMatchObject({
    name: 'method request',
    error: {
      responseType: 'MISSING_AUTHENTICATION_TOKEN',
      status: 403,
      message: 'Missing Authentication Token',
    },
  });
  expect(trace.error).toEqual({
    responseType: 'MISSING_AUTHENTICATION_TOKEN',
    status: 403,
    message: 'Missing Authentication Token',
  });

  const down = await fetch(`${gw.url}/down`, { headers: { 'X-Apigw-Trace': '1' } });
  expect(down.status).toBe(500);
  const downTrace = traceOf(down);
  expect(downTrace.stages.map((s) => s.name)).toEqual(STAGES.slice(0, STAGES.indexOf('integration') + 1));
  const failed = (name: string) => downTrace.stages.find((s) => s.name === name)!;
  expect(failed('integration').error).toMatchObject({ responseType: 'IntegrationNetworkError', status: 500 });
  expect(downTrace.error).toEqual({
    responseType: 'INTEGRATION_FAILURE',
    status: 500,
    message: 'Internal server error',
  });
  expect(failed('integration request').detail).toMatchObject({
    method: 'GET',
    uri: 'http://127.0.0.1:9/unreachable',
  });
  const line = await loggedTrace(downTrace.requestId);
  expect(line).toMatchObject({ status: 500, error: { responseType: 'INTEGRATION_FAILURE' } });
});
