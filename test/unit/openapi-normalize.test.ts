import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  formatProblem,
  loadApi,
  loadApiDocument,
  loadApiText,
  type ApiDefinition,
  type Method,
} from '../../openapi';

const dir = mkdtempSync(path.join(tmpdir(), 'apigw-openapi-normalize-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Imports a document that must have no problems at all. */
function clean(result: {
  api: ApiDefinition | undefined;
  problems: Parameters<typeof formatProblem>[0][];
}): ApiDefinition {
  expect(result.problems.map(formatProblem)).toEqual([]);
  if (!result.api) throw new Error('not imported');
  return result.api;
}

function method(api: ApiDefinition, resourcePath: string, httpMethod: Method['httpMethod']): Method {
  const found = api.resources.find((r) => r.path === resourcePath)?.methods[httpMethod];
  if (!found) throw new Error(`no ${httpMethod} ${resourcePath}`);
  return found;
}

const mock = {
  type: 'MOCK',
  requestTemplates: { 'application/json': '{"statusCode": 200}' },
  responses: { default: { statusCode: 200 } },
};
const op = (extra: Record<string, unknown> = {}) => ({
  responses: { '200': { description: 'ok' } },
  'x-amazon-apigateway-integration': mock,
  ...extra,
});
const swagger = (paths: Record<string, unknown>, root: Record<string, unknown> = {}) => ({
  swagger: '2.0',
  info: { title: 'T', version: '1' },
  paths,
  ...root,
});
const openapi = (paths: Record<string, unknown>, root: Record<string, unknown> = {}) => ({
  openapi: '3.0.1',
  info: { title: 'T', version: '1' },
  paths,
  ...root,
});

describe('YAML input', () => {
  const yaml = `
swagger: "2.0"
info:
  title: Pets
  version: "1"
basePath: /prod
x-amazon-apigateway-binary-media-types:
  - image/png
  - "*/*"
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - name: id
          in: path
          required: true
          type: string
      responses:
        "200":
          description: ok
      x-amazon-apigateway-integration:
        type: http_proxy
        httpMethod: get
        uri: https://\${stageVariables.host}/pets/{id}
        requestParameters:
          integration.request.path.id: method.request.path.id
        passthroughBehavior: NEVER
        timeoutInMillis: "5000"
        tlsConfig:
          insecureSkipVerification: true
        requestTemplates:
          application/json:
`;

  test('a YAML file imports like JSON', () => {
    const file = path.join(dir, 'pets.yml');
    writeFileSync(file, yaml);
    const api = clean(loadApi(file));
    expect(api).toMatchObject({ title: 'Pets', basePath: '/prod', binaryMediaTypes: ['image/png', '*/*'] });
    const get = method(api, '/pets/{id}', 'GET');
    expect(get.operationName).toBe('getPet');
    expect(get.integration).toMatchObject({
      type: 'HTTP_PROXY',
      httpMethod: 'GET',
      target: { kind: 'http', url: 'https://${stageVariables.host}/pets/{id}' },
      passthroughBehavior: 'NEVER',
      timeoutInMillis: 5000,
      tlsConfig: { insecureSkipVerification: true },
      // An empty YAML value is an empty template, not a missing one.
      requestTemplates: { 'application/json': '' },
    });
  });

  test('loadApiText takes the text and a name for problems', () => {
    const api = clean(loadApiText(yaml, 'inline.yaml'));
    expect(api.source).toBe(path.resolve('inline.yaml'));
  });
});

describe('integration fields', () => {
  test('case-insensitive values, defaults, coercions and raw', () => {
    const integration = {
      type: 'Aws',
      httpMethod: 'post',
      uri: 'arn:aws:apigateway:us-east-1:sqs:action/SendMessage&QueueUrl=${stageVariables.queue}&MessageBody={body}',
      credentials: 'arn:aws:iam::123456789012:role/r',
      passthroughBehavior: 'When_No_Templates',
      contentHandling: 'convert_to_binary',
      cacheKeyParameters: ['method.request.path.id'],
      cacheNamespace: 'ns',
      connectionType: 'INTERNET',
      responses: {
        '2\\d{2}': { statusCode: 201, contentHandling: 'CONVERT_TO_TEXT' },
        default: { statusCode: '500', responseTemplates: { 'application/json': '{}' } },
      },
      'x-custom': 1,
    };
    const doc = swagger({
      '/q': {
        post: op({
          responses: { '201': { description: 'c' }, '500': { description: 'e' } },
          'x-amazon-apigateway-integration': integration,
        }),
      },
    });
    const post = method(clean(loadApiDocument(doc, 'doc.json')), '/q', 'POST');
    expect(post.integration).toMatchObject({
      type: 'AWS',
      httpMethod: 'POST',
      passthroughBehavior: 'WHEN_NO_TEMPLATES',
      contentHandling: 'CONVERT_TO_BINARY',
      timeoutInMillis: 29000,
      cacheKeyParameters: ['method.request.path.id'],
      cacheNamespace: 'ns',
      connectionType: 'INTERNET',
      connectionId: undefined,
      tlsConfig: undefined,
      pointer: '/paths/~1q/post/x-amazon-apigateway-integration',
    });
    expect(post.integration.raw).toEqual(integration);
    expect(post.integration.target).toEqual({
      kind: 'aws-action',
      region: 'us-east-1',
      service: 'sqs',
      subdomain: undefined,
      action: 'SendMessage',
      parameters: 'QueueUrl=${stageVariables.queue}&MessageBody={body}',
    });
    expect(post.integration.integrationResponses).toEqual([
      {
        selectionPattern: '2\\d{2}',
        statusCode: '201',
        responseParameters: {},
        responseTemplates: {},
        contentHandling: 'CONVERT_TO_TEXT',
        pointer: '/paths/~1q/post/x-amazon-apigateway-integration/responses/2\\d{2}',
      },
      {
        selectionPattern: undefined,
        statusCode: '500',
        responseParameters: {},
        responseTemplates: { 'application/json': '{}' },
        contentHandling: undefined,
        pointer: '/paths/~1q/post/x-amazon-apigateway-integration/responses/default',
      },
    ]);
  });

  test('MOCK needs no uri and targets nothing', () => {
    const get = method(clean(loadApiDocument(swagger({ '/': { get: op() } }), 'd.json')), '/', 'GET');
    expect(get.integration).toMatchObject({ type: 'MOCK', uri: undefined, target: { kind: 'none' } });
  });

  test('x-amazon-apigateway-any-method is ANY, beside explicit methods', () => {
    const api = clean(
      loadApiDocument(
        swagger({ '/{proxy+}': { 'x-amazon-apigateway-any-method': op(), options: op() } }),
        'd.json',
      ),
    );
    expect(Object.keys(api.resources[0].methods)).toEqual(['ANY', 'OPTIONS']);
    expect(method(api, '/{proxy+}', 'ANY').requestParameters).toEqual({ 'method.request.path.proxy': true });
  });
});

describe('$ref resolution', () => {
  test('OpenAPI 2.0: parameters, responses, body schemas and path-item parameters', () => {
    const doc = swagger(
      {
        '/pets/{id}': {
          parameters: [{ $ref: '#/parameters/Id' }, { name: 'X-Trace', in: 'header', type: 'string' }],
          put: op({
            consumes: ['application/json', 'application/xml'],
            parameters: [
              { name: 'X-Trace', in: 'header', required: true, type: 'string' },
              { $ref: '#/parameters/Limit' },
              { name: 'pet', in: 'body', schema: { $ref: '#/definitions/Pet' } },
            ],
            responses: { '200': { $ref: '#/responses/Ok' }, '404': { description: 'missing' } },
          }),
          post: op({
            parameters: [
              {
                name: 'pet',
                in: 'body',
                schema: { type: 'object', properties: { n: { $ref: '#/definitions/Pet' } } },
              },
            ],
          }),
        },
      },
      {
        parameters: {
          Id: { name: 'id', in: 'path', required: true, type: 'string' },
          Limit: { name: 'limit', in: 'query', type: 'integer' },
        },
        responses: {
          Ok: {
            description: 'ok',
            schema: { $ref: '#/definitions/Pet' },
            headers: { ETag: { type: 'string' } },
          },
        },
        definitions: { Pet: { type: 'object', properties: { name: { type: 'string' } } } },
      },
    );
    const api = clean(loadApiDocument(doc, 'd.json'));
    const put = method(api, '/pets/{id}', 'PUT');
    expect(put.requestParameters).toEqual({
      'method.request.path.id': true,
      // The operation's own X-Trace overrides the path item's.
      'method.request.header.X-Trace': true,
      'method.request.querystring.limit': false,
    });
    expect(put.requestModels).toEqual({ 'application/json': 'Pet', 'application/xml': 'Pet' });
    expect(put.methodResponses['200']).toEqual({
      statusCode: '200',
      responseParameters: { 'method.response.header.ETag': false },
      responseModels: { 'application/json': 'Pet' },
    });
    const post = method(api, '/pets/{id}', 'POST');
    expect(post.requestParameters).toEqual({
      'method.request.path.id': true,
      'method.request.header.X-Trace': false,
    });
    expect(post.requestModels).toEqual({ 'application/json': 'PostPetsIdRequest' });
    expect(api.models.PostPetsIdRequest).toEqual({
      type: 'object',
      properties: { n: { $ref: '#/definitions/Pet' } },
    });
  });

  test('OpenAPI 3: components, request bodies, headers; model references become #/definitions', () => {
    const doc = openapi(
      {
        '/pets': {
          post: op({
            'x-amazon-apigateway-integration': { ...mock, responses: { default: { statusCode: '201' } } },
            parameters: [{ $ref: '#/components/parameters/Q' }, { name: 'session', in: 'cookie' }],
            requestBody: { $ref: '#/components/requestBodies/NewPet' },
            responses: {
              '201': {
                description: 'created',
                headers: { Location: { $ref: '#/components/headers/Location' } },
                content: { 'application/json': { schema: { $ref: '#/components/schemas/Pet' } } },
              },
              default: { description: 'error' },
            },
          }),
        },
      },
      {
        servers: [{ url: 'https://api.example.com/base/v2/' }],
        components: {
          parameters: { Q: { name: 'q', in: 'query', required: true, schema: { type: 'string' } } },
          requestBodies: {
            NewPet: {
              content: {
                'application/json': { schema: { $ref: '#/components/schemas/Pet' } },
                'text/plain': { schema: { type: 'string' } },
              },
            },
          },
          headers: { Location: { required: true, schema: { type: 'string' } } },
          schemas: {
            Pet: { type: 'object', properties: { toy: { $ref: '#/components/schemas/Toy' } } },
            Toy: { type: 'string' },
          },
        },
      },
    );
    const result = loadApiDocument(doc, 'd.json');
    expect(result.problems.map((p) => [p.severity, p.pointer])).toEqual([
      ['warning', '/paths/~1pets/post/responses/default'],
    ]);
    const api = result.api as ApiDefinition;
    expect(api.basePath).toBe('/base/v2');
    const post = method(api, '/pets', 'POST');
    expect(post.requestParameters).toEqual({ 'method.request.querystring.q': true });
    expect(post.requestModels).toEqual({ 'application/json': 'Pet', 'text/plain': 'PostPetsRequest' });
    expect(post.methodResponses).toEqual({
      '201': {
        statusCode: '201',
        responseParameters: { 'method.response.header.Location': true },
        responseModels: { 'application/json': 'Pet' },
      },
    });
    expect(api.models).toEqual({
      Pet: { type: 'object', properties: { toy: { $ref: '#/definitions/Toy' } } },
      Toy: { type: 'string' },
      PostPetsRequest: { type: 'string' },
    });
  });

  test('recursive schemas are kept as references', () => {
    const tree = {
      type: 'object',
      properties: { kids: { type: 'array', items: { $ref: '#/definitions/Tree' } } },
    };
    const doc = swagger(
      {
        '/t': {
          post: op({ parameters: [{ name: 'b', in: 'body', schema: { $ref: '#/definitions/Tree' } }] }),
        },
      },
      { definitions: { Tree: tree } },
    );
    const api = clean(loadApiDocument(doc, 'd.json'));
    expect(api.models.Tree).toEqual(tree);
  });
});

describe('security', () => {
  const schemes = {
    sigv4: {
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      'x-amazon-apigateway-authtype': 'AWSSIGV4',
    },
    api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' },
    lambda: {
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      'x-amazon-apigateway-authtype': 'custom',
      'x-amazon-apigateway-authorizer': {
        type: 'TOKEN',
        authorizerUri:
          'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:auth/invocations',
        authorizerResultTtlInSeconds: 300,
      },
    },
    pool: {
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      'x-amazon-apigateway-authtype': 'cognito_user_pools',
      'x-amazon-apigateway-authorizer': {
        type: 'cognito_user_pools',
        providerARNs: ['arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_Pool1'],
      },
    },
  };
  const doc = swagger(
    {
      '/iam': { get: op({ security: [{ sigv4: [] }] }) },
      '/key': { get: op({ security: [{ api_key: [] }] }) },
      '/lambda-and-key': { get: op({ security: [{ lambda: [], api_key: [] }] }) },
      '/pool': { get: op({ security: [{ pool: [] }] }) },
      '/root': { get: op() },
      '/open': { get: op({ security: [] }) },
      '/forced-open': {
        get: op({ security: [{ sigv4: [] }], 'x-amazon-apigateway-auth': { type: 'none' } }),
      },
      '/forced-iam': {
        get: op({ security: [{ lambda: [] }], 'x-amazon-apigateway-auth': { type: 'aws_iam' } }),
      },
    },
    { securityDefinitions: schemes, security: [{ api_key: [] }] },
  );
  const api = () => clean(loadApiDocument(doc, 'd.json'));
  const auth = (p: string) => {
    const m = method(api(), p, 'GET');
    return [m.authorizationType, m.authorizerName, m.apiKeyRequired];
  };

  test.each([
    ['/iam', ['AWS_IAM', undefined, false]],
    ['/key', ['NONE', undefined, true]],
    ['/lambda-and-key', ['CUSTOM', 'lambda', true]],
    ['/pool', ['COGNITO_USER_POOLS', 'pool', false]],
    ['/root', ['NONE', undefined, true]],
    ['/open', ['NONE', undefined, false]],
    ['/forced-open', ['NONE', undefined, false]],
    ['/forced-iam', ['AWS_IAM', undefined, false]],
  ])('%s', (resourcePath, expected) => {
    expect(auth(resourcePath)).toEqual(expected);
  });

  test('authorizers by scheme name', () => {
    expect(api().authorizers).toEqual({
      lambda: {
        name: 'lambda',
        type: 'token',
        authorizerUri: schemes.lambda['x-amazon-apigateway-authorizer'].authorizerUri,
        authorizerCredentials: undefined,
        identitySource: 'method.request.header.Authorization',
        identityValidationExpression: undefined,
        authorizerResultTtlInSeconds: 300,
        raw: schemes.lambda['x-amazon-apigateway-authorizer'],
      },
      pool: expect.objectContaining({ name: 'pool', type: 'cognito_user_pools' }),
    });
  });

  test('OpenAPI 3 security schemes and root security', () => {
    const api3 = clean(
      loadApiDocument(
        openapi(
          { '/a': { get: op() } },
          { components: { securitySchemes: { sigv4: schemes.sigv4 } }, security: [{ sigv4: [] }] },
        ),
        'd.json',
      ),
    );
    expect(method(api3, '/a', 'GET').authorizationType).toBe('AWS_IAM');
  });
});

describe('API-wide extensions', () => {
  test('gateway responses, validators, key source, compression', () => {
    const doc = swagger(
      {
        '/a': { get: op() },
        '/b': { get: op({ 'x-amazon-apigateway-request-validator': 'body' }) },
      },
      {
        'x-amazon-apigateway-gateway-responses': {
          MISSING_AUTHENTICATION_TOKEN: { statusCode: 404 },
          DEFAULT_4XX: {
            responseParameters: {
              'gatewayresponse.header.Access-Control-Allow-Origin': "'*'",
              'gatewayresponse.header.X-Req': 'method.request.header.X-Req',
            },
            responseTemplates: { 'application/json': '{"message":$context.error.messageString}' },
          },
        },
        'x-amazon-apigateway-request-validators': {
          all: { validateRequestBody: true, validateRequestParameters: true },
          body: { validateRequestBody: true },
        },
        'x-amazon-apigateway-request-validator': 'all',
        'x-amazon-apigateway-api-key-source': 'authorizer',
        'x-amazon-apigateway-minimum-compression-size': 1024,
      },
    );
    const api = clean(loadApiDocument(doc, 'd.json'));
    expect(api.gatewayResponses).toEqual({
      MISSING_AUTHENTICATION_TOKEN: { statusCode: '404', responseParameters: {}, responseTemplates: {} },
      DEFAULT_4XX: {
        statusCode: undefined,
        responseParameters: {
          'gatewayresponse.header.Access-Control-Allow-Origin': "'*'",
          'gatewayresponse.header.X-Req': 'method.request.header.X-Req',
        },
        responseTemplates: { 'application/json': '{"message":$context.error.messageString}' },
      },
    });
    expect(api.requestValidators.body).toEqual({
      validateRequestBody: true,
      validateRequestParameters: false,
    });
    expect(api.defaultRequestValidator).toBe('all');
    expect(method(api, '/a', 'GET').requestValidator).toBe('all');
    expect(method(api, '/b', 'GET').requestValidator).toBe('body');
    expect(api.apiKeySource).toBe('AUTHORIZER');
    expect(api.minimumCompressionSize).toBe(1024);
  });

  test('OpenAPI 3 base path: the basePath variable wins over the url', () => {
    const api = clean(
      loadApiDocument(
        openapi(
          { '/a': { get: op() } },
          {
            servers: [
              {
                url: 'https://h/{stage}/x',
                variables: { basePath: { default: 'v1' }, stage: { default: 's' } },
              },
            ],
          },
        ),
        'd.json',
      ),
    );
    expect(api.basePath).toBe('/v1');
  });

  test('title falls back to the file name; resources without methods are left out', () => {
    const doc = { swagger: '2.0', paths: { '/empty': {}, '/a': { get: op() } } };
    const api = clean(loadApiDocument(doc, '/some/where/api.json'));
    expect(api.title).toBe('api.json');
    expect(api.resources.map((r) => r.path)).toEqual(['/a']);
    expect(api.basePath).toBeUndefined();
  });
});
