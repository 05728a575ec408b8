import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { formatProblem, loadApi, type ApiDefinition, type Method } from '../../openapi';

// CI checks the shared fixtures out beside the repository; a lone clone has none to import.
const FIXTURES = path.resolve(__dirname, '../../../shared/fixtures');
const present = existsSync(FIXTURES);
if (!present)
  console.warn(`openapi fixture tests skipped: ${FIXTURES} is absent (../shared is not checked out)`);
const describeFixtures = present ? describe : describe.skip;

function load(name: string): ApiDefinition {
  const { api, problems } = loadApi(path.join(FIXTURES, name));
  expect(problems.map(formatProblem)).toEqual([]);
  if (!api) throw new Error(`${name} did not import`);
  return api;
}

function method(api: ApiDefinition, resourcePath: string, httpMethod: Method['httpMethod']): Method {
  const resource = api.resources.find((r) => r.path === resourcePath);
  const found = resource?.methods[httpMethod];
  if (!found) throw new Error(`no ${httpMethod} ${resourcePath}`);
  return found;
}

describeFixtures('shared fixtures', () => {
  const files = present ? readdirSync(FIXTURES).filter((f) => /\.(json|ya?ml)$/.test(f)) : [];

  test('there are fixtures to import', () => {
    expect(files.length).toBeGreaterThanOrEqual(6);
  });

  test.each(files)('%s imports without errors or warnings', (file) => {
    const { api, problems } = loadApi(path.join(FIXTURES, file));
    expect(problems.map(formatProblem)).toEqual([]);
    expect(api).toBeDefined();
  });

  describe('S3 proxy tutorial (OpenAPI 2.0)', () => {
    const api = () => load('aws-s3-proxy-tutorial.swagger2.json');

    test('API-wide settings', () => {
      const a = api();
      expect(a).toMatchObject({
        title: 'MyS3',
        format: 'swagger',
        formatVersion: '2.0',
        basePath: '/S3',
        binaryMediaTypes: [],
        apiKeySource: 'HEADER',
        minimumCompressionSize: undefined,
        defaultRequestValidator: undefined,
        authorizers: {},
      });
      expect(a.source).toBe(path.join(FIXTURES, 'aws-s3-proxy-tutorial.swagger2.json'));
      expect(a.models.Empty).toEqual({ type: 'object', title: 'Empty Schema' });
    });

    test('resources and methods in document order', () => {
      const a = api();
      expect(a.resources.map((r) => r.path)).toEqual(['/', '/{folder}', '/{folder}/{item}']);
      expect(a.resources.map((r) => Object.keys(r.methods))).toEqual([
        ['GET'],
        ['GET', 'PUT', 'DELETE'],
        ['GET', 'HEAD', 'PUT', 'DELETE'],
      ]);
      expect(a.resources[2].pointer).toBe('/paths/~1{folder}~1{item}');
      expect(method(a, '/{folder}/{item}', 'HEAD').pointer).toBe('/paths/~1{folder}~1{item}/head');
    });

    test('every method is AWS_IAM through the sigv4 scheme', () => {
      for (const resource of api().resources) {
        for (const m of Object.values(resource.methods)) {
          expect(m).toMatchObject({
            authorizationType: 'AWS_IAM',
            authorizerName: undefined,
            apiKeyRequired: false,
          });
        }
      }
    });

    test('GET / lists buckets: path// is the service root', () => {
      const get = method(api(), '/', 'GET');
      expect(get.integration).toMatchObject({
        type: 'AWS',
        uri: 'arn:aws:apigateway:us-west-2:s3:path//',
        httpMethod: 'GET',
        credentials: 'arn:aws:iam::123456789012:role/apigAwsProxyRole',
        passthroughBehavior: 'WHEN_NO_MATCH',
        timeoutInMillis: 29000,
        contentHandling: undefined,
      });
      expect(get.integration.target).toEqual({
        kind: 'aws-path',
        region: 'us-west-2',
        service: 's3',
        subdomain: undefined,
        path: '/',
      });
      expect(get.integration.raw.passthroughBehavior).toBe('when_no_match');
    });

    test('integration responses keep declaration order', () => {
      const responses = method(api(), '/', 'GET').integration.integrationResponses;
      expect(responses.map((r) => [r.selectionPattern, r.statusCode])).toEqual([
        ['4\\d{2}', '400'],
        [undefined, '200'],
        ['5\\d{2}', '500'],
      ]);
      expect(responses[1].responseParameters).toEqual({
        'method.response.header.Content-Type': 'integration.response.header.Content-Type',
        'method.response.header.Content-Length': 'integration.response.header.Content-Length',
        'method.response.header.Timestamp': 'integration.response.header.Date',
      });
      expect(responses[1].pointer).toBe('/paths/~1/get/x-amazon-apigateway-integration/responses/default');
    });

    test('method request and responses of GET /{folder}/{item}', () => {
      const get = method(api(), '/{folder}/{item}', 'GET');
      expect(get.requestParameters).toEqual({
        'method.request.path.item': true,
        'method.request.path.folder': true,
      });
      expect(Object.keys(get.methodResponses)).toEqual(['200', '400', '500']);
      expect(get.methodResponses['200']).toEqual({
        statusCode: '200',
        responseParameters: {
          'method.response.header.content-type': false,
          'method.response.header.Content-Type': false,
        },
        responseModels: { 'application/json': 'Empty' },
      });
      expect(get.integration.target).toMatchObject({ kind: 'aws-path', path: '/{bucket}/{object}' });
      expect(get.integration.requestParameters).toEqual({
        'integration.request.path.object': 'method.request.path.item',
        'integration.request.path.bucket': 'method.request.path.folder',
      });
    });

    test('PUT /{folder} declares its optional Content-Type header', () => {
      const put = method(api(), '/{folder}', 'PUT');
      expect(put.requestParameters).toEqual({
        'method.request.header.Content-Type': false,
        'method.request.path.folder': true,
      });
      expect(put.integration.httpMethod).toBe('PUT');
    });
  });

  describe('LambdaCalc (OpenAPI 2.0, non-proxy Lambda)', () => {
    const api = () => load('aws-lambda-proxy.swagger2.json');

    test('request validators, root and per method', () => {
      const a = api();
      expect(a.requestValidators).toEqual({
        'Validate body': { validateRequestParameters: false, validateRequestBody: true },
        'Validate query string parameters and headers': {
          validateRequestParameters: true,
          validateRequestBody: false,
        },
      });
      expect(a.defaultRequestValidator).toBeUndefined();
      expect(method(a, '/calc', 'GET').requestValidator).toBe('Validate query string parameters and headers');
      expect(method(a, '/calc', 'POST').requestValidator).toBe('Validate body');
      expect(method(a, '/calc/{operand1}/{operand2}/{operator}', 'GET').requestValidator).toBeUndefined();
    });

    test('GET /calc: required query parameters, request template, body.JSONPath header mappings', () => {
      const get = method(api(), '/calc', 'GET');
      expect(get.authorizationType).toBe('NONE');
      expect(get.requestParameters).toEqual({
        'method.request.querystring.operand2': true,
        'method.request.querystring.operator': true,
        'method.request.querystring.operand1': true,
      });
      expect(get.integration.requestTemplates['application/json']).toContain(
        `"a":  "$input.params('operand1')"`,
      );
      expect(get.integration.target).toEqual({
        kind: 'aws-path',
        region: 'us-west-2',
        service: 'lambda',
        subdomain: undefined,
        path: '/2015-03-31/functions/arn:aws:lambda:us-west-2:123456789012:function:Calc/invocations',
      });
      const [response] = get.integration.integrationResponses;
      expect(response.selectionPattern).toBeUndefined();
      expect(response.responseParameters).toEqual({
        'method.response.header.operator': 'integration.response.body.op',
        'method.response.header.operand_2': 'integration.response.body.b',
        'method.response.header.operand_1': 'integration.response.body.a',
      });
      expect(response.responseTemplates['application/json']).toMatch(
        /^#set\(\$res = \$input\.path\('\$'\)\)/,
      );
      expect(get.methodResponses['200'].responseModels).toEqual({ 'application/json': 'Result' });
    });

    test('POST /calc: body model and passthrough', () => {
      const a = api();
      const post = method(a, '/calc', 'POST');
      expect(post.requestModels).toEqual({ 'application/json': 'Input' });
      expect(post.integration.passthroughBehavior).toBe('WHEN_NO_TEMPLATES');
      expect(post.integration.requestTemplates).toEqual({});
      expect(a.models.Result).toEqual({
        type: 'object',
        properties: { input: { $ref: '#/definitions/Input' }, output: { $ref: '#/definitions/Output' } },
        title: 'Result',
      });
    });

    test('GET with path parameters converts to text', () => {
      const get = method(api(), '/calc/{operand1}/{operand2}/{operator}', 'GET');
      expect(get.integration.contentHandling).toBe('CONVERT_TO_TEXT');
      expect(Object.keys(get.requestParameters).sort()).toEqual([
        'method.request.path.operand1',
        'method.request.path.operand2',
        'method.request.path.operator',
      ]);
    });
  });

  describe('binary images over S3 (OpenAPI 3.0)', () => {
    const api = () => load('aws-s3-binary-image.openapi3.json');

    test('API-wide settings from servers and extensions', () => {
      const a = api();
      expect(a).toMatchObject({
        format: 'openapi',
        formatVersion: '3.0.0',
        basePath: '/v1',
        binaryMediaTypes: ['application/octet-stream', 'image/jpeg'],
      });
      expect(Object.keys(a.models)).toEqual(['Empty']);
    });

    test('methods: optional query parameter, response models by media type, CONVERT_TO_BINARY', () => {
      const a = api();
      const get = method(a, '/s3', 'GET');
      const put = method(a, '/s3', 'PUT');
      expect(get.requestParameters).toEqual({ 'method.request.querystring.key': false });
      expect(get.integration.target).toMatchObject({ kind: 'aws-path', service: 's3', path: '/{key}' });
      expect(put.methodResponses['200'].responseModels).toEqual({
        'application/json': 'Empty',
        'application/octet-stream': 'Empty',
      });
      expect(put.integration.contentHandling).toBe('CONVERT_TO_BINARY');
      expect(put.integration.integrationResponses.map((r) => [r.selectionPattern, r.statusCode])).toEqual([
        [undefined, '500'],
        ['2\\d{2}', '200'],
      ]);
    });

    test('the 2.0 and 3.0 forms of one API import to the same methods', () => {
      const v2 = load('aws-s3-binary-image.swagger2.json');
      const v3 = api();
      expect(v3.resources).toEqual(v2.resources);
    });
  });
});
