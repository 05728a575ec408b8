import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump } from 'js-yaml';
import { formatProblem, loadApi, type LoadResult, type Problem } from '../../openapi';

const dir = mkdtempSync(path.join(tmpdir(), 'apigw-openapi-errors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

function importText(text: string, extension = 'json'): LoadResult & { file: string } {
  const file = path.join(dir, `api-${++counter}.${extension}`);
  writeFileSync(file, text);
  return { ...loadApi(file), file };
}

function importDoc(doc: unknown, format: 'json' | 'yaml' = 'json'): LoadResult & { file: string } {
  return importText(format === 'json' ? JSON.stringify(doc, null, 2) : dump(doc), format);
}

const mock = (extra: Record<string, unknown> = {}) => ({
  type: 'mock',
  requestTemplates: { 'application/json': '{"statusCode": 200}' },
  responses: { default: { statusCode: '200' } },
  ...extra,
});

const op = (integration: unknown = mock(), extra: Record<string, unknown> = {}) => ({
  responses: { '200': { description: 'ok' } },
  'x-amazon-apigateway-integration': integration,
  ...extra,
});

const swagger = (paths: Record<string, unknown>, root: Record<string, unknown> = {}) => ({
  swagger: '2.0',
  info: { title: 'T', version: '1' },
  paths,
  ...root,
});

const errors = (r: LoadResult) =>
  r.problems.filter((p) => p.severity === 'error').map((p) => [p.pointer, p.message] as [string, string]);
const warnings = (r: LoadResult) =>
  r.problems.filter((p) => p.severity === 'warning').map((p) => [p.pointer, p.message] as [string, string]);

/** The single error of a result, which must have failed. */
function onlyError(r: LoadResult): [string, string] {
  expect(r.api).toBeUndefined();
  const list = errors(r);
  expect(list).toHaveLength(1);
  return list[0];
}

const INTEGRATION = '/paths/~1pets/get/x-amazon-apigateway-integration';

describe('problems', () => {
  test('formatProblem prints file#pointer: severity: message', () => {
    const p: Problem = { severity: 'error', file: 'api.yaml', pointer: '/paths/~1a/get', message: 'boom' };
    expect(formatProblem(p)).toBe('api.yaml#/paths/~1a/get: error: boom');
    expect(formatProblem({ ...p, severity: 'warning', pointer: '' })).toBe('api.yaml#: warning: boom');
  });

  test('problems name the file as given', () => {
    const r = importText('[]');
    expect(r.problems[0].file).toBe(r.file);
  });
});

describe('documents that cannot be read', () => {
  test('a missing file', () => {
    const r = loadApi(path.join(dir, 'nope.yaml'));
    const [pointer, message] = onlyError(r);
    expect(pointer).toBe('');
    expect(message).toMatch(/^cannot read the file: ENOENT/);
  });

  test('an empty file', () => {
    expect(onlyError(importText('  \n'))).toEqual(['', expect.stringMatching(/^the file is empty/)]);
  });

  test('invalid JSON reports line and column', () => {
    const [, message] = onlyError(importText('{\n  "swagger": "2.0",\n  "paths": {,}\n}'));
    // The reason is V8's wording, which changes between Node versions; the location is ours.
    expect(message).toMatch(/^invalid JSON at line 3, column 13: \S/);
  });

  test('an unexpected JSON token is located too', () => {
    const [, message] = onlyError(importText('{\n  "swagger": "2.0",\n  "info": nope,\n  "paths": {}\n}'));
    // `n` starts a valid `null`; the `o` after it is the unexpected token.
    expect(message).toBe("invalid JSON at line 3, column 12: unexpected token 'o'");
  });

  test('invalid YAML reports line and column', () => {
    const [, message] = onlyError(importText('swagger: "2.0"\npaths:\n  /a: [1,\n  b: c: d\n', 'yaml'));
    expect(message).toMatch(/^invalid YAML at line 4, column \d+: /);
  });

  test('duplicate YAML keys are an error', () => {
    const [, message] = onlyError(importText('swagger: "2.0"\nswagger: "2.0"\npaths: {}\n', 'yaml'));
    expect(message).toMatch(/^invalid YAML at line 2, column 1: duplicated mapping key/);
  });

  test('content decides the parser, not the extension', () => {
    const yamlInJson = importText('swagger: "2.0"\ninfo: {title: T, version: "1"}\npaths: {}\n', 'json');
    expect(errors(yamlInJson)).toEqual([]);
    expect(yamlInJson.api?.format).toBe('swagger');
  });
});

describe('document format', () => {
  test('a document that is not OpenAPI', () => {
    expect(onlyError(importDoc({ info: {}, paths: {} }))).toEqual([
      '',
      expect.stringMatching(/^not an OpenAPI document/),
    ]);
  });

  test('a top level that is not an object', () => {
    expect(onlyError(importText('- a\n- b\n', 'yaml'))).toEqual([
      '',
      'an OpenAPI document must be an object at the top level, not a list',
    ]);
  });

  test.each([
    [{ swagger: '3.0' }, '/swagger', 'unsupported swagger version the string "3.0": only "2.0" exists'],
    [{ openapi: '2.0' }, '/openapi', expect.stringMatching(/^unsupported OpenAPI version the string "2.0"/)],
    [
      { openapi: '3.2.0' },
      '/openapi',
      expect.stringMatching(/^unsupported OpenAPI version the string "3.2.0"/),
    ],
  ])('version %j', (root, pointer, message) => {
    expect(onlyError(importDoc({ ...root, paths: {} }))).toEqual([pointer, message]);
  });

  test.each(['3.0.0', '3.0.3', '3.1.0', '3.1'])('openapi %s is accepted', (version) => {
    const r = importDoc({
      openapi: version,
      info: { title: 'T', version: '1' },
      paths: { '/pets': { get: op() } },
    });
    expect(errors(r)).toEqual([]);
    expect(r.api?.formatVersion).toBe(version);
  });

  test('unquoted YAML versions read as numbers are accepted', () => {
    const r = importText('openapi: 3.0\ninfo: {title: T, version: "1"}\npaths: {}\n', 'yaml');
    expect(errors(r)).toEqual([]);
    expect(r.api?.formatVersion).toBe('3.0');
  });
});

describe('operations and integrations', () => {
  test('an operation without x-amazon-apigateway-integration', () => {
    const r = importDoc(swagger({ '/pets': { get: { responses: {} } } }));
    expect(onlyError(r)).toEqual([
      '/paths/~1pets/get',
      'GET /pets has no x-amazon-apigateway-integration: API Gateway needs one on every method',
    ]);
  });

  test('an unknown integration type', () => {
    const r = importDoc(swagger({ '/pets': { get: op(mock({ type: 'lambda' })) } }));
    expect(onlyError(r)).toEqual([
      `${INTEGRATION}/type`,
      "unknown integration type 'lambda' (expected AWS, AWS_PROXY, HTTP, HTTP_PROXY, MOCK)",
    ]);
  });

  test('an integration without a type', () => {
    const r = importDoc(swagger({ '/pets': { get: op({ uri: 'https://example.com' }) } }));
    expect(onlyError(r)).toEqual([INTEGRATION, expect.stringMatching(/needs a 'type'/)]);
  });

  test.each([
    [
      { type: 'http', httpMethod: 'GET', uri: 'example.com/pets' },
      '/uri',
      "Invalid HTTP endpoint specified for URI: 'example.com/pets' is not an absolute http:// or https:// URL",
    ],
    [
      { type: 'aws', httpMethod: 'GET', uri: 'arn:aws:apigateway:us-east-1:s3:bucket/key' },
      '/uri',
      "AWS ARN for integration must contain path or action: 'arn:aws:apigateway:us-east-1:s3:bucket/key'",
    ],
    [
      { type: 'aws_proxy', httpMethod: 'POST', uri: 'arn:aws:apigateway:us-east-1:s3:path/b/k' },
      '/uri',
      "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.",
    ],
    [{ type: 'aws', httpMethod: 'GET' }, '', "an integration of type AWS needs a 'uri'"],
    [
      { type: 'http_proxy', uri: 'https://example.com/{id}' },
      '',
      "an integration of type HTTP_PROXY needs an 'httpMethod': the method used to call the backend (ANY for the client's)",
    ],
  ])('integration %j', (integration, where, message) => {
    const r = importDoc(swagger({ '/pets': { get: op(integration) } }));
    expect(onlyError(r)).toEqual([INTEGRATION + where, message]);
  });

  test('field values out of range', () => {
    const r = importDoc(
      swagger({
        '/pets': {
          get: op(
            mock({ passthroughBehavior: 'sometimes', timeoutInMillis: 10, contentHandling: 'CONVERT' }),
          ),
        },
      }),
    );
    expect(errors(r)).toEqual([
      [
        `${INTEGRATION}/passthroughBehavior`,
        expect.stringMatching(/^'sometimes' is not a passthroughBehavior/),
      ],
      [`${INTEGRATION}/contentHandling`, expect.stringMatching(/^'CONVERT' is not a contentHandling/)],
      [
        `${INTEGRATION}/timeoutInMillis`,
        expect.stringMatching(/^timeoutInMillis must be between 50 and 300000/),
      ],
    ]);
  });

  test('an integration response without a usable statusCode', () => {
    const r = importDoc(
      swagger({
        '/pets': { get: op(mock({ responses: { default: {}, '4\\d{2}': { statusCode: 'abc' } } })) },
      }),
    );
    expect(errors(r)).toEqual([
      [`${INTEGRATION}/responses/default`, "integration response 'default' needs a 'statusCode'"],
      [
        `${INTEGRATION}/responses/4\\d{2}/statusCode`,
        `integration response '4\\d{2}': statusCode must be an HTTP status from 100 to 599, not the string "abc"`,
      ],
    ]);
  });
});

describe('mapping expressions', () => {
  test('request parameter keys and values', () => {
    const r = importDoc(
      swagger({
        '/pets/{id}': {
          get: op(
            mock({
              requestParameters: {
                'integration.request.path.id': 'method.request.path',
                'integration.request.body.x': "'x'",
                'integration.request.header.X-Id': "'unbalanced",
                'integration.request.header.X-Ok': 'integration.response.header.X',
              },
            }),
          ),
        },
      }),
    );
    const at = '/paths/~1pets~1{id}/get/x-amazon-apigateway-integration/requestParameters';
    expect(errors(r)).toEqual([
      [
        `${at}/integration.request.path.id`,
        "invalid mapping source: 'method.request.path' needs a parameter name, e.g. method.request.path.<name>",
      ],
      [
        `${at}/integration.request.body.x`,
        expect.stringMatching(
          /^invalid mapping destination: 'integration.request.body.x': 'body' is not a parameter location/,
        ),
      ],
      [
        `${at}/integration.request.header.X-Id`,
        expect.stringMatching(/^invalid mapping source: unbalanced quote/),
      ],
      [
        `${at}/integration.request.header.X-Ok`,
        expect.stringMatching(
          /^invalid mapping source: 'integration.response.header.X': integration.response.\* cannot be used in an integration request/,
        ),
      ],
    ]);
  });

  test('response parameter keys and values', () => {
    const r = importDoc(
      swagger({
        '/pets': {
          get: op(
            mock({
              responses: {
                default: {
                  statusCode: 200,
                  responseParameters: {
                    'method.response.body': "'x'",
                    'method.response.header.X-A': 'method.request.header.X-A',
                  },
                },
              },
            }),
          ),
        },
      }),
    );
    const at = `${INTEGRATION}/responses/default/responseParameters`;
    expect(errors(r)).toEqual([
      [
        `${at}/method.response.body`,
        expect.stringMatching(/^invalid mapping destination: 'method.response.body'/),
      ],
      [
        `${at}/method.response.header.X-A`,
        expect.stringMatching(
          /^invalid mapping source: 'method.request.header.X-A': method.request.\* cannot be used in an integration response/,
        ),
      ],
    ]);
  });

  test('gateway response parameters', () => {
    const r = importDoc(
      swagger(
        { '/pets': { get: op() } },
        {
          'x-amazon-apigateway-gateway-responses': {
            DEFAULT_4XX: {
              statusCode: 'four hundred',
              responseParameters: {
                'gatewayresponse.header.Access-Control-Allow-Origin': '*',
                'method.response.header.X': "'x'",
              },
            },
          },
        },
      ),
    );
    const at = '/x-amazon-apigateway-gateway-responses/DEFAULT_4XX';
    expect(errors(r)).toEqual([
      [
        `${at}/responseParameters/gatewayresponse.header.Access-Control-Allow-Origin`,
        expect.stringMatching(
          /^invalid mapping source: '\*' is not a mapping expression: .*\(string values need single quotes\)$/,
        ),
      ],
      [
        `${at}/responseParameters/method.response.header.X`,
        expect.stringMatching(
          /^invalid mapping destination: 'method.response.header.X' is not a destination of a gateway response/,
        ),
      ],
      [
        `${at}/statusCode`,
        'statusCode must be an HTTP status from 100 to 599, not the string "four hundred"',
      ],
    ]);
  });
});

describe('resource paths', () => {
  test.each([
    [
      '/pets/{id}.json',
      "resource path '/pets/{id}.json': segment '{id}.json' mixes text and a parameter; a path parameter must be a whole segment, {name} or {name+}",
    ],
    [
      '/{proxy+}/child',
      "Cannot create a child of a resource with a greedy path variable: {proxy+} (in '/{proxy+}/child')",
    ],
    [
      '/pets and cats',
      "resource path '/pets and cats': segment 'pets and cats' may only contain letters, digits and _ - . , : (or be a {parameter})",
    ],
    ['/pets//toys', "resource path '/pets//toys' has an empty segment (no '//' and no trailing '/')"],
    ['/pets/', "resource path '/pets/' has an empty segment (no '//' and no trailing '/')"],
    ['pets', "resource path 'pets' must start with '/'"],
    ['/{id}/{id}', "resource path '/{id}/{id}' declares the path parameter 'id' twice"],
  ])('%s', (resourcePath, message) => {
    const r = importDoc(swagger({ [resourcePath]: { get: op() } }));
    const [pointer, got] = onlyError(r);
    expect(pointer).toBe('/paths/' + resourcePath.replace(/~/g, '~0').replace(/\//g, '~1'));
    expect(got).toBe(message);
  });

  test('allowed characters and a last greedy segment are fine', () => {
    const r = importDoc(swagger({ '/a_b-c.d,e:f/{id}/{proxy+}': { get: op() }, '/': { get: op() } }));
    expect(r.problems).toEqual([]);
  });

  test('two variable children of one resource', () => {
    const r = importDoc(swagger({ '/pets/{id}': { get: op() }, '/pets/{petId}/toys': { get: op() } }));
    expect(onlyError(r)).toEqual([
      '/paths/~1pets~1{petId}~1toys',
      "A sibling ({id}) of this resource already has a variable path part -- only one is allowed: '/pets/{petId}/toys' uses {petId} where '/pets/{id}' uses {id}",
    ]);
  });
});

describe('request validators', () => {
  test('unknown names at the root and on an operation', () => {
    const r = importDoc(
      swagger(
        { '/pets': { get: op(mock(), { 'x-amazon-apigateway-request-validator': 'nope' }) } },
        {
          'x-amazon-apigateway-request-validators': { all: { validateRequestBody: true } },
          'x-amazon-apigateway-request-validator': 'missing',
        },
      ),
    );
    expect(errors(r)).toEqual([
      ['/x-amazon-apigateway-request-validator', "unknown request validator 'missing' (declared: 'all')"],
      [
        '/paths/~1pets/get/x-amazon-apigateway-request-validator',
        "unknown request validator 'nope' (declared: 'all')",
      ],
    ]);
  });
});

describe('$ref', () => {
  test('broken, circular and external references', () => {
    const r = importDoc(
      swagger(
        {
          '/pets': {
            get: op(mock(), {
              parameters: [
                { $ref: '#/parameters/missing' },
                { $ref: '#/parameters/loop' },
                { $ref: 'other.yaml#/p' },
              ],
            }),
          },
        },
        { parameters: { loop: { $ref: '#/parameters/loop' } } },
      ),
    );
    const at = '/paths/~1pets/get/parameters';
    expect(errors(r)).toEqual([
      [`${at}/0/$ref`, "$ref '#/parameters/missing' points to nothing in this document"],
      ['/parameters/loop/$ref', "circular $ref '#/parameters/loop'"],
      [
        `${at}/2/$ref`,
        "$ref 'other.yaml#/p' points outside this document; only local references ('#/...') are supported",
      ],
    ]);
  });

  test('models that loop without reaching a schema are refused; recursion through properties is not', () => {
    const r = importDoc(
      swagger(
        { '/pets': { get: op() } },
        {
          definitions: {
            A: { $ref: '#/definitions/B' },
            B: { allOf: [{ type: 'object' }, { $ref: '#/definitions/A' }] },
            Self: { anyOf: [{ not: { $ref: '#/definitions/Self' } }] },
            Tree: {
              type: 'object',
              properties: { children: { type: 'array', items: { $ref: '#/definitions/Tree' } } },
            },
          },
        },
      ),
    );
    expect(errors(r)).toEqual([
      [
        '/definitions/B/allOf/1/$ref',
        "circular $ref '#/definitions/A': the models A → B → A never reach a schema",
      ],
      [
        '/definitions/Self/anyOf/0/not/$ref',
        "circular $ref '#/definitions/Self': the models Self → Self never reach a schema",
      ],
    ]);
  });

  test('a model loop in an OpenAPI 3 document is reported under components/schemas', () => {
    const r = importDoc({
      openapi: '3.0.1',
      info: { title: 'T', version: '1' },
      paths: { '/pets': { get: op() } },
      components: { schemas: { A: { $ref: '#/components/schemas/A' } } },
    });
    expect(onlyError(r)).toEqual([
      '/components/schemas/A/$ref',
      "circular $ref '#/components/schemas/A': the models A → A never reach a schema",
    ]);
  });

  test('a broken reference inside a model', () => {
    const r = importDoc(
      swagger(
        { '/pets': { get: op() } },
        { definitions: { Pet: { properties: { toy: { $ref: '#/definitions/Toy' } } } } },
      ),
    );
    expect(onlyError(r)).toEqual([
      '/definitions/Pet/properties/toy/$ref',
      "$ref '#/definitions/Toy' points to nothing in this document",
    ]);
  });
});

describe('security', () => {
  test('an undeclared security scheme', () => {
    const r = importDoc(swagger({ '/pets': { get: op(mock(), { security: [{ sigv4: [] }] }) } }));
    expect(onlyError(r)).toEqual([
      '/paths/~1pets/get/security/0/sigv4',
      "security scheme 'sigv4' is not declared in securityDefinitions",
    ]);
  });

  test('a bad x-amazon-apigateway-auth type', () => {
    const r = importDoc(
      swagger({ '/pets': { get: op(mock(), { 'x-amazon-apigateway-auth': { type: 'COGNITO' } }) } }),
    );
    expect(onlyError(r)).toEqual([
      '/paths/~1pets/get/x-amazon-apigateway-auth/type',
      "x-amazon-apigateway-auth type must be AWS_IAM or NONE, not 'COGNITO'",
    ]);
  });
});

describe('all errors are collected', () => {
  test('one document, many independent errors', () => {
    const r = importDoc(
      swagger(
        {
          '/a': { get: { responses: {} } },
          '/b/{x}y': { get: op() },
          '/c': { post: op(mock({ type: 'soap' })) },
          '/d': { put: op({ type: 'http', httpMethod: 'PUT', uri: 'ftp://example.com' }) },
        },
        {
          'x-amazon-apigateway-api-key-source': 'COOKIE',
          'x-amazon-apigateway-minimum-compression-size': -1,
        },
      ),
    );
    expect(r.api).toBeUndefined();
    expect(errors(r).map(([pointer]) => pointer)).toEqual([
      '/x-amazon-apigateway-api-key-source',
      '/x-amazon-apigateway-minimum-compression-size',
      '/paths/~1a/get',
      '/paths/~1b~1{x}y',
      '/paths/~1c/post/x-amazon-apigateway-integration/type',
      '/paths/~1d/put/x-amazon-apigateway-integration/uri',
    ]);
  });

  test('YAML documents report the same problems', () => {
    const doc = swagger({ '/a': { get: { responses: {} } }, '/c': { post: op(mock({ type: 'soap' })) } });
    expect(errors(importDoc(doc, 'yaml'))).toEqual(errors(importDoc(doc, 'json')));
  });
});

describe('warnings (served anyway)', () => {
  test('integration responses to undeclared statuses and headers', () => {
    const r = importDoc(
      swagger({
        '/pets': {
          get: op(
            {
              type: 'http',
              httpMethod: 'GET',
              uri: 'https://example.com/pets',
              responses: {
                '4\\d{2}': { statusCode: '404' },
                default: {
                  statusCode: '200',
                  responseParameters: {
                    'method.response.header.X-Declared': "'a'",
                    'method.response.header.X-Undeclared': "'b'",
                  },
                },
              },
            },
            {
              responses: {
                '200': { description: 'ok', headers: { 'X-Declared': { type: 'string' } } },
              },
            },
          ),
        },
      }),
    );
    expect(errors(r)).toEqual([]);
    expect(r.api).toBeDefined();
    expect(warnings(r)).toEqual([
      [
        `${INTEGRATION}/responses/4\\d{2}/statusCode`,
        "integration response '4\\d{2}' maps to status 404, which GET /pets declares no response for",
      ],
      [
        `${INTEGRATION}/responses/default/responseParameters/method.response.header.X-Undeclared`,
        "integration response 'default' maps header 'X-Undeclared', which method response 200 does not declare",
      ],
    ]);
  });

  test('undeclared request parameters, forbidden headers and a Lambda called with GET', () => {
    const r = importDoc(
      swagger({
        '/pets': {
          get: op({
            type: 'aws',
            httpMethod: 'GET',
            uri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:1:function:F/invocations',
            requestParameters: {
              'integration.request.querystring.q': 'method.request.querystring.q',
              'integration.request.header.Content-Length': "'0'",
            },
            responses: { default: { statusCode: 200 } },
          }),
        },
      }),
    );
    expect(r.api).toBeDefined();
    expect(warnings(r).map(([, m]) => m)).toEqual([
      'Lambda is invoked with POST; with httpMethod GET every call fails with 500 Internal server error, as on AWS',
      'maps method.request.querystring.q, which the method does not declare as a querystring parameter (AWS rejects this on import)',
      'mapping integration.request.header.Content-Length makes every call fail with 500 Internal server error, as on AWS',
    ]);
  });

  test('unknown fields, extensions and gateway response types', () => {
    const r = importDoc(
      swagger(
        { '/pets': { get: op(mock({ passthroughBehaviour: 'never' })), trace: op() } },
        {
          'x-amazon-apigateway-binary-media-type': ['image/png'],
          'x-amazon-apigateway-cors': {},
          'x-amazon-apigateway-gateway-responses': { NOT_A_TYPE: {} },
        },
      ),
    );
    expect(r.api).toBeDefined();
    expect(warnings(r).map(([pointer]) => pointer)).toEqual([
      '/x-amazon-apigateway-binary-media-type',
      '/x-amazon-apigateway-cors',
      '/x-amazon-apigateway-gateway-responses/NOT_A_TYPE',
      `${INTEGRATION}/passthroughBehaviour`,
      '/paths/~1pets/trace',
    ]);
  });
});
