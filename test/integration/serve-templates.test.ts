import { recordingLogger, tempDir, type TempDir } from '../helpers/api-doc';
import { startCaptureServer, type CaptureServer } from '../helpers/capture-server';
import { startGateway, type RunningGateway } from '../../gateway/serve';

let backend: CaptureServer;
let dir: TempDir;
let gw: RunningGateway;
const logged = recordingLogger();

const XML_TEMPLATE = '<wrapped>$input.body</wrapped>';

/** An `http` method whose request templates and passthrough behaviour are given. */
function method(
  url: string,
  passthroughBehavior: string,
  requestTemplates?: Record<string, string>,
  extra: Record<string, unknown> = {},
) {
  return {
    responses: { '200': { description: 'ok' } },
    'x-amazon-apigateway-integration': {
      type: 'http',
      httpMethod: 'POST',
      uri: url,
      passthroughBehavior,
      ...(requestTemplates ? { requestTemplates } : {}),
      responses: { default: { statusCode: '200' } },
      ...extra,
    },
  };
}

beforeAll(async () => {
  backend = await startCaptureServer();
  dir = tempDir('apigw-templates-');
  const url = `${backend.url}/echo`;
  const doc = {
    openapi: '3.0.1',
    info: { title: 'templates', version: '1' },
    servers: [{ url: 'https://example.com/{basePath}', variables: { basePath: { default: 'v1' } } }],
    paths: {
      '/match/with-templates': { post: method(url, 'when_no_match', { 'application/xml': XML_TEMPLATE }) },
      '/templates/with-templates': {
        post: method(url, 'when_no_templates', { 'application/xml': XML_TEMPLATE }),
      },
      '/never/with-templates': { post: method(url, 'never', { 'application/xml': XML_TEMPLATE }) },
      '/match/without': { post: method(url, 'when_no_match') },
      '/templates/without': { post: method(url, 'when_no_templates') },
      '/never/without': { post: method(url, 'never') },
      '/json': {
        post: method(url, 'when_no_match', {
          'application/json':
            '{"name":$input.json(\'$.name\'),"stage":"$stageVariables.color","id":"$context.requestId"}',
        }),
      },
      '/stage/{id}': {
        get: {
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'ok', headers: { 'X-Color': { schema: { type: 'string' } } } } },
          'x-amazon-apigateway-integration': {
            type: 'http',
            httpMethod: 'GET',
            uri: `${backend.url}/\${stageVariables.color}/{id}`,
            requestParameters: {
              'integration.request.path.id': 'method.request.path.id',
              'integration.request.header.X-Color': 'stageVariables.color',
            },
            responses: {
              default: {
                statusCode: '200',
                responseParameters: { 'method.response.header.X-Color': 'stageVariables.color' },
                responseTemplates: {
                  'application/xml': '<color>$stageVariables.color</color>',
                  'application/json': '{"color":"$stageVariables.color","missing":"$stageVariables.nothing"}',
                  'text/plain': '',
                },
              },
            },
          },
        },
      },
      '/fallback': {
        get: {
          responses: { '200': { description: 'ok' } },
          'x-amazon-apigateway-integration': {
            type: 'http',
            httpMethod: 'GET',
            uri: url,
            responses: {
              default: {
                statusCode: '200',
                responseTemplates: { 'application/xml': "<first>$input.path('$.v')</first>" },
              },
            },
          },
        },
      },
      '/bodymap': {
        post: method(url, 'when_no_match', undefined, {
          requestParameters: {
            'integration.request.header.X-Name': 'method.request.body.pet.name',
            'integration.request.querystring.whole': 'method.request.body',
          },
        }),
      },
      '/broken': {
        post: method(url, 'when_no_match', { 'application/json': "#set($s = 'abc')$s.substring(5)" }),
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
    },
    logged.log,
    {},
  );
});
afterAll(async () => {
  await gw.close();
  await backend.close();
  dir.remove();
});
beforeEach(() => backend.reset());

async function post(path: string, body: string, contentType?: string): Promise<Response> {
  return fetch(`${gw.url}${path}`, {
    method: 'POST',
    body,
    headers: contentType ? { 'Content-Type': contentType } : {},
  });
}

// https://docs.aws.amazon.com/apigateway/latest/developerguide/integration-passthrough-behaviors.html
describe('template selection and passthrough, case by case', () => {
  // [behaviour path, Content-Type, expected outcome]
  const cases: Array<[string, string | undefined, 'template' | 'passthrough' | 415]> = [
    ['/match/with-templates', 'application/xml', 'template'],
    ['/match/with-templates', 'application/xml; charset=UTF-8', 'template'],
    ['/match/with-templates', 'application/json', 'passthrough'],
    ['/match/with-templates', undefined, 'passthrough'],
    ['/templates/with-templates', 'application/xml', 'template'],
    ['/templates/with-templates', 'application/json', 415],
    ['/templates/with-templates', undefined, 415],
    ['/never/with-templates', 'application/xml', 'template'],
    ['/never/with-templates', 'text/plain', 415],
    ['/match/without', 'text/plain', 'passthrough'],
    ['/templates/without', 'text/plain', 'passthrough'],
    ['/never/without', 'text/plain', 415],
    ['/never/without', undefined, 415],
  ];
  test.each(cases)('%s with Content-Type %s → %s', async (path, contentType, outcome) => {
    const res = await post(path, 'payload', contentType);
    if (outcome === 415) {
      expect(res.status).toBe(415);
      expect(res.headers.get('x-amzn-errortype')).toBe('BadRequestException');
      expect(await res.json()).toEqual({ message: 'Unsupported Media Type' });
      expect(backend.requests).toHaveLength(0);
      return;
    }
    expect(res.status).toBe(200);
    expect(backend.requests[0].body.toString()).toBe(
      outcome === 'template' ? '<wrapped>payload</wrapped>' : 'payload',
    );
  });
});

describe('templates in the lifecycle', () => {
  test('a JSON request template with $input.json, $stageVariables and $context', async () => {
    const res = await post('/json', '{"name":"Ann","age":3}', 'application/json');
    expect(res.status).toBe(200);
    const sent = JSON.parse(backend.requests[0].body.toString()) as Record<string, string>;
    expect(sent).toEqual({ name: 'Ann', stage: 'blue', id: res.headers.get('x-amzn-requestid') });
  });

  test('requestParameters from method.request.body and its JSONPaths', async () => {
    const res = await post('/bodymap', '{"pet":{"name":"Rex"}}', 'application/json');
    expect(res.status).toBe(200);
    expect(backend.requests[0].header('x-name')).toBe('Rex');
    expect(backend.requests[0].query.get('whole')).toBe('{"pet":{"name":"Rex"}}');
  });

  test('a body that starts like JSON but does not parse → 400 Invalid JSON in request body', async () => {
    const res = await post('/json', '{"name": ', 'application/json');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ message: 'Invalid JSON in request body' });
    expect(backend.requests).toHaveLength(0);
  });

  test('stage variables in the uri, a header mapping, a response mapping and the response template; missing ones render empty', async () => {
    const res = await fetch(`${gw.url}/stage/7`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ color: 'blue', missing: '' });
    expect(res.headers.get('x-color')).toBe('blue');
    expect(backend.requests[0].path).toBe('/blue/7');
    expect(backend.requests[0].header('x-color')).toBe('blue');
  });

  test('the response template is chosen by the first Accept type; an empty template passes the body through', async () => {
    backend.respond({ body: 'raw backend body' });
    const xml = await fetch(`${gw.url}/stage/1`, {
      headers: { Accept: 'application/xml, application/json' },
    });
    expect(await xml.text()).toBe('<color>blue</color>');
    const text = await fetch(`${gw.url}/stage/1`, { headers: { Accept: 'text/plain' } });
    expect(await text.text()).toBe('raw backend body');
    // The template's media type does not change the Content-Type: application/json unless mapped.
    expect(xml.headers.get('content-type')).toBe('application/json');
  });

  test('no template for the Accept type (or no Accept and no application/json template): the first template', async () => {
    backend.respond({ body: '{"v":42}' });
    expect(await (await fetch(`${gw.url}/fallback`, { headers: { Accept: 'image/png' } })).text()).toBe(
      '<first>42</first>',
    );
    expect(await (await fetch(`${gw.url}/fallback`)).text()).toBe('<first>42</first>');
  });

  test('a template failing at run time → 500 and a log line naming the method, the template and the error', async () => {
    const res = await post('/broken', '{}', 'application/json');
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: 'Internal server error' });
    const line = logged.lines.find((l) => l.includes('POST /broken') && l.includes('request template'));
    expect(line).toBeDefined();
    expect(line).toContain('requestTemplates/application~1json');
    expect(backend.requests).toHaveLength(0);
  });
});
