import path from 'node:path';
import { recordingLogger, tempDir, type TempDir } from '../helpers/api-doc';
import { startCaptureServer, type CaptureServer } from '../helpers/capture-server';
import { REPO } from '../helpers/cli';
import { loadConfigFile } from '../../gateway/config';
import { createLogger } from '../../gateway/log';
import { startGateway, type RunningGateway } from '../../gateway/serve';

const KEYS = { accessKeyId: 'AKIAMOCKOVERRIDES001', secretAccessKey: 'mock-overrides-secret' };
const ENV = { AWS_ACCESS_KEY_ID: KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: KEYS.secretAccessKey };

/** An integration response; its key in `responses` is the selectionPattern (`default`: none). */
interface IntegrationResponseSpec {
  statusCode: string;
  responseParameters?: Record<string, string>;
  responseTemplates?: Record<string, string>;
}

/** A method whose integration is given in full; every status it can answer is declared. */
function method(
  integration: Record<string, unknown> & { responses: Record<string, IntegrationResponseSpec> },
  parameters: Array<{ name: string; in: string }> = [],
) {
  const responses: Record<string, { description: string; headers?: Record<string, unknown> }> = {};
  for (const r of Object.values(integration.responses)) {
    const declared = (responses[r.statusCode] ??= { description: `status ${r.statusCode}` });
    for (const destination of Object.keys(r.responseParameters ?? {})) {
      (declared.headers ??= {})[destination.replace('method.response.header.', '')] = {
        schema: { type: 'string' },
      };
    }
  }
  return {
    parameters: parameters.map((p) => ({ ...p, required: p.in === 'path', schema: { type: 'string' } })),
    responses,
    'x-amazon-apigateway-integration': integration,
  };
}

/** A mock integration: request templates by content type (none: no template) and its responses. */
function mock(
  requestTemplates: Record<string, string> | undefined,
  responses: Record<string, IntegrationResponseSpec>,
  parameters: Array<{ name: string; in: string }> = [],
) {
  return method(
    {
      type: 'mock',
      passthroughBehavior: 'when_no_match',
      ...(requestTemplates ? { requestTemplates } : {}),
      responses,
    },
    parameters,
  );
}

const json = (template: string) => ({ 'application/json': template });

let backend: CaptureServer;
let dir: TempDir;
let gw: RunningGateway;
const logged = recordingLogger();

beforeAll(async () => {
  backend = await startCaptureServer();
  dir = tempDir('apigw-mock-');
  const selectionResponses = {
    default: { statusCode: '200', responseTemplates: json('{"chosen":"default"}') },
    '201': { statusCode: '201', responseTemplates: json('{"chosen":"201"}') },
    '4\\d{2}': { statusCode: '400', responseTemplates: json('{"chosen":"4xx"}') },
    '5\\d{2}': { statusCode: '503', responseTemplates: json('{"chosen":"5xx"}') },
  };
  const doc = {
    openapi: '3.0.1',
    info: { title: 'mock and overrides', version: '1' },
    paths: {
      '/select': {
        get: mock(json('{"statusCode": $input.params(\'code\')}'), selectionResponses),
      },
      '/lenient/cdk': { get: mock(json('{statusCode: 201}'), selectionResponses) },
      '/lenient/quoted': { get: mock(json("{ 'statusCode' : '404', other: [1, 2] }"), selectionResponses) },
      '/lenient/string': { get: mock(json('{"statusCode": "503"}'), selectionResponses) },
      '/nested': {
        get: mock(json('{"inner": {"statusCode": 500}, "statusCode": 201}'), selectionResponses),
      },
      '/scope': {
        // The AWS developer guide's example, verbatim: whitespace and all, it is JSON once rendered.
        get: mock(
          json(
            '{\n  #if( $input.params(\'scope\') == "internal" )\n    "statusCode": 200\n  #else\n    "statusCode": 500\n  #end\n}',
          ),
          {
            default: {
              statusCode: '200',
              responseTemplates: json('{\n    "statusCode": 200,\n    "message": "Go ahead without me."\n}'),
            },
            '5\\d{2}': {
              statusCode: '500',
              responseTemplates: json(
                '{\n    "statusCode": 500,\n    "message": "The invoked method is not supported on the API resource."\n}',
              ),
            },
          },
        ),
      },
      '/no-template': {
        // Would "200" be assumed, the 2xx pattern would win; AWS takes the default response.
        get: mock(undefined, {
          default: { statusCode: '200', responseTemplates: json('{"chosen":"default"}') },
          '2\\d{2}': { statusCode: '202' },
        }),
      },
      '/passthrough': {
        post: mock({ 'application/xml': '{"statusCode": 201}' }, selectionResponses),
      },
      '/no-status': { get: mock(json('{"message": "no status here"}'), selectionResponses) },
      '/no-default': {
        get: mock(json('{"statusCode": 418}'), {
          '2\\d{2}': { statusCode: '200' },
        }),
      },
      '/empty': { post: mock(json('{"statusCode": 200}'), { default: { statusCode: '200' } }) },
      '/render': {
        post: mock(json('{"statusCode": 200}'), {
          default: {
            statusCode: '200',
            responseTemplates: json(
              '{"integrationBody":"$util.escapeJavaScript($input.body)","method":"$context.httpMethod","stage":"$stageVariables.color","path":"$input.path(\'$.name\')"}',
            ),
          },
        }),
      },
      '/override-in-request': {
        get: mock(
          json(
            '#set($context.responseOverride.status = 444)\n#set($context.responseOverride.header.foo = "bar")\n{"statusCode": 200}',
          ),
          { default: { statusCode: '200' } },
        ),
      },
      '/carry/{id}': {
        get: mock(
          json(
            [
              '#set($context.requestOverride.path.carried = "id-$input.params(\'id\')")',
              '#set($name = "q")',
              '#set($context.requestOverride.querystring[$name] = "set-with-map-syntax")',
              "$context.requestOverride.header.put('X-Put', 'by-put')",
              '#set($context.responseOverride.custom = "kept")',
              '{"statusCode": 200}',
            ].join('\n'),
          ),
          {
            default: {
              statusCode: '200',
              responseTemplates: json(
                '{"carried":"$context.requestOverride.path.carried","q":"$context.requestOverride.querystring[\'q\']","put":"$context.requestOverride.header.X-Put","custom":"$context.responseOverride.custom"}',
              ),
            },
          },
          [{ name: 'id', in: 'path' }],
        ),
      },
      '/teapot': {
        get: mock(json('{"statusCode": 200}'), {
          default: {
            statusCode: '200',
            responseTemplates: json(
              '#set($context.responseOverride.status = 418)#set($context.responseOverride.header.Content-Type = "text/plain")short and stout',
            ),
          },
        }),
      },
      '/cors': {
        options: mock(json('{statusCode: 200}'), {
          default: {
            statusCode: '200',
            responseParameters: {
              'method.response.header.Access-Control-Allow-Origin': "'*'",
              'method.response.header.Access-Control-Allow-Methods': "'GET,OPTIONS'",
              'method.response.header.Access-Control-Allow-Headers': "'Content-Type,X-Api-Token'",
            },
          },
        }),
      },
      '/http/{id}': {
        post: method(
          {
            type: 'http',
            httpMethod: 'POST',
            uri: `${backend.url}/items/{id}`,
            passthroughBehavior: 'when_no_match',
            requestParameters: {
              'integration.request.path.id': 'method.request.path.id',
              'integration.request.header.X-Mapped': "'mapped'",
              'integration.request.header.X-Kept': "'kept'",
              'integration.request.querystring.fixed': "'mapped'",
              'integration.request.querystring.other': "'kept'",
            },
            requestTemplates: json(
              [
                '#set($context.requestOverride.path.id = "over-$input.params(\'id\')")',
                '#set($context.requestOverride.header.x-mapped = "overridden")',
                '#set($context.requestOverride.header.X-Multi = ["one", "two"])',
                '#set($context.requestOverride.querystring.fixed = "overridden")',
                '#set($context.requestOverride.querystring.tags = ["a", "b c"])',
                '#set($context.responseOverride.header.X-From-Request = "yes")',
                '{"sent":$input.json(\'$\')}',
              ].join('\n'),
            ),
            responses: {
              default: {
                statusCode: '200',
                responseParameters: { 'method.response.header.X-Mapped-Back': "'mapped'" },
                responseTemplates: json(
                  [
                    '#set($context.responseOverride.status = 202)',
                    "#set($context.responseOverride.header.X-Backend-Said = $input.path('$.said'))",
                    '#set($context.responseOverride.header.X-Mapped-Back = "overridden")',
                    '{"echo":$input.json(\'$\')}',
                  ].join('\n'),
                ),
              },
            },
          },
          [{ name: 'id', in: 'path' }],
        ),
      },
      '/aws/{key}': {
        get: method(
          {
            type: 'aws',
            httpMethod: 'GET',
            uri: 'arn:aws:apigateway:us-east-1:s3:path/bucket/{key}',
            passthroughBehavior: 'when_no_match',
            requestParameters: { 'integration.request.path.key': 'method.request.path.key' },
            requestTemplates: json(
              '#set($context.requestOverride.header.X-Multi = ["one", "two"])#set($context.requestOverride.path.key = "over.txt")',
            ),
            responses: {
              default: {
                statusCode: '200',
                responseTemplates: json(
                  '#set($context.responseOverride.status = 203)#set($context.responseOverride.header.Content-Type = "text/plain")$input.body',
                ),
              },
            },
          },
          [{ name: 'key', in: 'path' }],
        ),
      },
    },
  };
  gw = await startGateway(
    {
      api: dir.write('api.json', doc),
      port: 0,
      host: '127.0.0.1',
      dataDir: dir.dir,
      stageVariables: { color: 'blue' },
      endpoints: { s3: backend.url },
    },
    logged.log,
    ENV,
  );
});
afterAll(async () => {
  await gw.close();
  await backend.close();
  dir.remove();
});
beforeEach(() => backend.reset());

async function get(pathAndQuery: string, init: RequestInit = {}) {
  const res = await fetch(`${gw.url}${pathAndQuery}`, init);
  return { status: res.status, headers: res.headers, text: await res.text() };
}

describe('mock integrations: status selection', () => {
  test.each([
    ['201', 201, '201'],
    ['404', 400, '4xx'],
    ['500', 503, '5xx'],
    ['200', 200, 'default'],
    ['302', 200, 'default'],
  ])('statusCode %s from the request template → %i (%s response)', async (code, status, chosen) => {
    const res = await get(`/select?code=${code}`);
    expect(res.status).toBe(status);
    expect(JSON.parse(res.text)).toEqual({ chosen });
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-amz-apigw-id')).toBeTruthy();
    // API Gateway adds no trace id for a mock
    // (https://github.com/localstack/localstack/tree/main/tests/aws/services/apigateway).
    expect(res.headers.get('x-amzn-trace-id')).toBeNull();
  });

  test.each([
    ['/lenient/cdk', 201, '201', '{statusCode: 201} (what CDK writes for CORS)'],
    ['/lenient/quoted', 400, '4xx', 'single quotes, a quoted number, other keys'],
    ['/lenient/string', 503, '5xx', 'a numeric string in JSON'],
    ['/nested', 201, '201', 'a nested statusCode does not count'],
  ])('%s → %i: %s', async (p, status, chosen) => {
    const res = await get(p);
    expect(res.status).toBe(status);
    expect(JSON.parse(res.text)).toEqual({ chosen });
  });

  test("the developer guide's scope template selects 200 or 500", async () => {
    const internal = await get('/scope?scope=internal');
    expect(internal.status).toBe(200);
    expect(JSON.parse(internal.text)).toEqual({ statusCode: 200, message: 'Go ahead without me.' });
    const other = await get('/scope?scope=public');
    expect(other.status).toBe(500);
    expect(JSON.parse(other.text)).toEqual({
      statusCode: 500,
      message: 'The invoked method is not supported on the API resource.',
    });
  });

  test('no request template → the default response, even when a pattern would match "200"', async () => {
    const res = await get('/no-template');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ chosen: 'default' });
  });

  test('a passed-through request (no template for its type) takes the default response; a matching one selects', async () => {
    const passed = await get('/passthrough', {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: '{"statusCode": 404}',
    });
    expect(passed.status).toBe(200);
    expect(JSON.parse(passed.text)).toEqual({ chosen: 'default' });
    const templated = await get('/passthrough', {
      method: 'POST',
      headers: { 'Content-Type': 'application/xml' },
      body: '<x/>',
    });
    expect(templated.status).toBe(201);
  });

  test("a template without a statusCode → 500 and AWS's log line", async () => {
    const res = await get('/no-status');
    expect(res.status).toBe(500);
    expect(JSON.parse(res.text)).toEqual({ message: 'Internal server error' });
    expect(res.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException');
    expect(logged.lines.some((l) => l.includes('Unable to parse statusCode'))).toBe(true);
  });

  test('no response for the status and no default → 500 Internal server error', async () => {
    const res = await get('/no-default');
    expect(res.status).toBe(500);
    expect(JSON.parse(res.text)).toEqual({ message: 'Internal server error' });
  });
});

describe('mock integrations: bodies and response templates', () => {
  test('the integration response body is empty: no template → empty body, Content-Type application/json', async () => {
    const res = await get('/empty', { method: 'POST', body: '{"ignored":true}' });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(res.headers.get('content-length')).toBe('0');
  });

  test('the response template renders over the empty body ($input.body is "{}")', async () => {
    const res = await get('/render', { method: 'POST', body: '{"name":"Ann"}' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ integrationBody: '{}', method: 'POST', stage: 'blue', path: '' });
  });

  test('a response template overrides status and Content-Type', async () => {
    const res = await get('/teapot');
    expect(res.status).toBe(418);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.text).toBe('short and stout');
  });

  test('a CORS-style OPTIONS method: the lenient statusCode and literal headers, no body', async () => {
    const res = await get('/cors', { method: 'OPTIONS', headers: { Origin: 'https://app.example' } });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,OPTIONS');
    expect(res.headers.get('access-control-allow-headers')).toBe('Content-Type,X-Api-Token');
  });
});

describe('overrides crossing from the request template to the response', () => {
  test('#set($context.responseOverride.status = 444) in a request template, no response template → 444 with its header', async () => {
    const res = await get('/override-in-request');
    expect(res.status).toBe(444);
    expect(res.headers.get('foo')).toBe('bar');
    expect(res.text).toBe('');
  });

  test('requestOverride values (map syntax and put() included) and custom responseOverride keys are readable in the response template', async () => {
    const res = await get('/carry/7');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({
      carried: 'id-7',
      q: 'set-with-map-syntax',
      put: 'by-put',
      custom: 'kept',
    });
    // Custom keys are data for templates, not headers.
    expect(res.headers.get('custom')).toBeNull();
  });
});

describe('overrides on http and aws integrations', () => {
  test('requestOverride path, headers (a list repeats the header) and query string replace the mapped ones; responseOverride status and headers win over the selected response', async () => {
    backend.respond({
      status: 200,
      headers: { 'Content-Type': 'application/json' },
      body: '{"said":"hello"}',
    });
    const res = await get('/http/7', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"n":1}',
    });
    expect(backend.requests).toHaveLength(1);
    const [seen] = backend.requests;
    expect(seen.path).toBe('/items/over-7');
    expect(seen.query.getAll('fixed')).toEqual(['overridden']);
    expect(seen.query.getAll('other')).toEqual(['kept']);
    expect(seen.query.getAll('tags')).toEqual(['a', 'b c']);
    // The override replaces the mapped header whatever the case of its name.
    expect(seen.nodeHeaders['x-mapped']).toBe('overridden');
    expect(Object.keys(seen.headers).filter((h) => h.toLowerCase() === 'x-mapped')).toHaveLength(1);
    expect(seen.header('x-kept')).toBe('kept');
    expect(seen.headers['X-Multi']).toEqual(['one', 'two']);
    expect(JSON.parse(seen.body.toString())).toEqual({ sent: { n: 1 } });

    expect(res.status).toBe(202);
    expect(JSON.parse(res.text)).toEqual({ echo: { said: 'hello' } });
    expect(res.headers.get('x-from-request')).toBe('yes');
    expect(res.headers.get('x-backend-said')).toBe('hello');
    expect(res.headers.get('x-mapped-back')).toBe('overridden');
  });

  test('on an aws (S3) integration: the path override reaches the signed request, a list header is sent joined, status and Content-Type are overridden', async () => {
    backend.respond({ status: 200, headers: { 'Content-Type': 'binary/octet-stream' }, body: 'object body' });
    const res = await get('/aws/original.txt');
    expect(backend.requests).toHaveLength(1);
    const [seen] = backend.requests;
    expect(seen.path).toBe('/bucket/over.txt');
    // SigV4 signs a repeated header as its values joined with ','; the backend sees that one value.
    expect(seen.header('x-multi')).toBe('one,two');
    expect(seen.header('authorization')).toMatch(/SignedHeaders=[^,]*x-multi/);
    expect(res.status).toBe(203);
    expect(res.headers.get('content-type')).toBe('text/plain');
    expect(res.text).toBe('object body');
  });
});

describe('examples/mock, as its README shows', () => {
  const EXAMPLE = path.join(REPO, 'examples', 'mock');
  let example: RunningGateway;
  let exampleDir: TempDir;
  beforeAll(async () => {
    exampleDir = tempDir('apigw-mock-example-');
    const config = loadConfigFile(path.join(EXAMPLE, 'apigw.yaml'));
    example = await startGateway(
      { ...config, api: config.api!, port: 0, host: '127.0.0.1', dataDir: exampleDir.dir },
      createLogger('error'),
      {},
    );
  });
  afterAll(async () => {
    await example.close();
    exampleDir.remove();
  });

  test('CORS preflight, a pet by id (200 and 404), a created pet with Location, the custom 403', async () => {
    const preflight = await fetch(`${example.url}/pets`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(200);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,POST,OPTIONS');

    const pet = await fetch(`${example.url}/pets/2`);
    expect(pet.status).toBe(200);
    expect(await pet.json()).toEqual({ id: 2, type: 'cat', price: 124.99 });

    const missing = await fetch(`${example.url}/pets/99`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ message: 'no pet with id 99' });

    const created = await fetch(`${example.url}/pets`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"type":"fish","price":5}',
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe('/pets/4');
    expect(await created.json()).toEqual({ id: 4, type: 'fish', price: 5 });

    const denied = await fetch(`${example.url}/admin?debug=1`, { headers: { 'X-Caller': 'me' } });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(denied.headers.get('access-control-allow-origin')).toBe('*');
    expect(denied.headers.get('x-docs')).toBe('https://example.com/docs/errors');
    expect(denied.headers.get('x-caller')).toBe('me');
    expect(await denied.json()).toEqual({
      error: 'Missing Authentication Token',
      hint: 'GET /demo/admin needs a SigV4 signature or does not exist; see https://example.com/docs/errors',
      requestId: denied.headers.get('x-amzn-requestid'),
    });

    const unknown = await fetch(`${example.url}/nope`);
    expect(unknown.status).toBe(403);
    expect(unknown.headers.get('x-docs')).toBe('https://example.com/docs/errors');
  });
});
