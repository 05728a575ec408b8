import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadTemplate, loadTemplateDocument, type TemplateLoadResult } from '../../openapi/cloudformation';
import { formatProblem } from '../../openapi';
import { tempDir, type TempDir } from '../helpers/api-doc';

let dir: TempDir;
beforeAll(() => {
  dir = tempDir('apigw-cfn-unit-');
  mkdirSync(path.join(dir.dir, 'src'));
  writeFileSync(path.join(dir.dir, 'src', 'app.js'), 'exports.handler = async () => ({ statusCode: 200 });');
  writeFileSync(path.join(dir.dir, 'src', 'auth.mjs'), 'export const check = async () => ({});');
});
afterAll(() => dir.remove());

const load = (document: Record<string, unknown>, options = {}) =>
  loadTemplateDocument(document, path.join(dir.dir, 'template.yaml'), options);

const errors = (r: TemplateLoadResult) => r.problems.filter((p) => p.severity === 'error').map(formatProblem);
const warnings = (r: TemplateLoadResult) =>
  r.problems.filter((p) => p.severity === 'warning').map((p) => p.message);

const fn = (props: Record<string, unknown> = {}) => ({
  Type: 'AWS::Serverless::Function',
  Properties: { Runtime: 'nodejs20.x', CodeUri: 'src/', Handler: 'app.handler', ...props },
});
const apiEvent = (Path: string, Method: string, extra: Record<string, unknown> = {}) => ({
  Type: 'Api',
  Properties: { Path, Method, ...extra },
});
const SAM = 'AWS::Serverless-2016-10-31';

describe('SAM APIs in the model', () => {
  test('implicit API: Lambda proxy integration to the function, origin, stable id equal to its Ref', () => {
    const r = load({
      Transform: SAM,
      Resources: {
        Hello: fn({
          Events: {
            Get: apiEvent('/hello', 'get', {
              RequestParameters: [
                'method.request.header.X-Trace',
                { 'method.request.querystring.q': { Required: true } },
              ],
            }),
            Any: apiEvent('/p/{proxy+}', 'any'),
          },
        }),
      },
    });
    expect(errors(r)).toEqual([]);
    const [api] = r.apis;
    expect(api.logicalId).toBe('ServerlessRestApi');
    expect(api.stages.map((s) => s.name)).toEqual(['Prod']);
    expect(api.api.title).toBe(
      path
        .basename(dir.dir)
        .replace(/[^A-Za-z0-9-]/g, '-')
        .replace(/^[^A-Za-z]+/, ''),
    );
    expect(api.api.apiId).toMatch(/^[a-z0-9]{10}$/);
    const hello = api.api.resources.find((res) => res.path === '/hello')!.methods.GET!;
    expect(hello.origin).toBe('Hello');
    expect(hello.requestParameters).toEqual({
      'method.request.header.X-Trace': false,
      'method.request.querystring.q': true,
    });
    expect(hello.integration.type).toBe('AWS_PROXY');
    expect(hello.integration.uri).toBe(
      'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Hello/invocations',
    );
    expect(api.api.resources.find((res) => res.path === '/p/{proxy+}')!.methods.ANY).toBeDefined();
    expect(r.functions).toMatchObject([
      {
        logicalId: 'Hello',
        name: 'Hello',
        handler: { file: path.join(dir.dir, 'src', 'app.js'), exportName: 'handler' },
      },
    ]);
  });

  test('Cognito and Lambda authorizers, DefaultAuthorizer, ApiKeyRequired: the extensions the importer reads', () => {
    const r = load({
      Transform: SAM,
      Resources: {
        Pool: { Type: 'AWS::Cognito::UserPool' },
        Authorizer: fn({ Handler: 'auth.check' }),
        Api: {
          Type: 'AWS::Serverless::Api',
          Properties: {
            StageName: 'prod',
            Auth: {
              DefaultAuthorizer: 'Users',
              ApiKeyRequired: true,
              Authorizers: {
                Users: { UserPoolArn: { 'Fn::GetAtt': ['Pool', 'Arn'] } },
                Token: {
                  FunctionArn: { 'Fn::GetAtt': ['Authorizer', 'Arn'] },
                  Identity: { ReauthorizeEvery: 60 },
                },
              },
            },
          },
        },
        Handler: fn({
          Events: {
            A: apiEvent('/a', 'get', { RestApiId: { Ref: 'Api' } }),
            B: apiEvent('/b', 'get', {
              RestApiId: { Ref: 'Api' },
              Auth: { Authorizer: 'Token', ApiKeyRequired: false },
            }),
            C: apiEvent('/c', 'get', { RestApiId: { Ref: 'Api' }, Auth: { Authorizer: 'NONE' } }),
          },
        }),
      },
    });
    expect(errors(r)).toEqual([]);
    const api = r.apis[0].api;
    const method = (p: string) => api.resources.find((res) => res.path === p)!.methods.GET!;
    expect(method('/a')).toMatchObject({
      authorizationType: 'COGNITO_USER_POOLS',
      authorizerName: 'Users',
      apiKeyRequired: true,
    });
    expect(api.authorizers.Users.type).toBe('cognito_user_pools');
    expect(api.authorizers.Users.raw.providerARNs).toEqual([
      expect.stringMatching(/^arn:aws:cognito-idp:us-east-1:123456789012:userpool\/us-east-1_[A-Z0-9]{9}$/),
    ]);
    expect(method('/b')).toMatchObject({
      authorizationType: 'CUSTOM',
      authorizerName: 'Token',
      apiKeyRequired: false,
    });
    expect(api.authorizers.Token).toMatchObject({
      type: 'token',
      identitySource: 'method.request.header.Authorization',
      authorizerResultTtlInSeconds: 60,
      authorizerUri:
        'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Authorizer/invocations',
    });
    expect(method('/c')).toMatchObject({ authorizationType: 'NONE', apiKeyRequired: true });
  });

  test('DefinitionUri: a local OpenAPI file', () => {
    writeFileSync(
      path.join(dir.dir, 'api.yaml'),
      `swagger: '2.0'
info: { title: from a file }
paths:
  /ping:
    get:
      x-amazon-apigateway-integration: { type: mock, requestTemplates: { application/json: '{"statusCode": 200}' }, responses: { default: { statusCode: '200' } } }
`,
    );
    const r = load({
      Transform: SAM,
      Resources: {
        Api: { Type: 'AWS::Serverless::Api', Properties: { StageName: 's', DefinitionUri: 'api.yaml' } },
      },
    });
    expect(errors(r)).toEqual([]);
    expect(r.apis[0].api.title).toBe('from a file');
    expect(r.apis[0].api.resources.map((res) => res.path)).toEqual(['/ping']);
  });

  test('a resource whose Condition is false does not exist; Globals apply to functions', () => {
    const r = load({
      Transform: SAM,
      Parameters: { Env: { Type: 'String', Default: 'dev' } },
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] } },
      Globals: { Function: { Timeout: 9, Environment: { Variables: { A: 'global', B: 'global' } } } },
      Resources: {
        Dev: fn({ Environment: { Variables: { B: 'own' } }, Events: { E: apiEvent('/dev', 'get') } }),
        Prod: { ...fn({ Events: { E: apiEvent('/prod', 'get') } }), Condition: 'IsProd' },
      },
    });
    expect(r.apis[0].api.resources.map((res) => res.path)).toEqual(['/dev']);
    expect(r.functions).toMatchObject([
      { logicalId: 'Dev', timeout: 9, environment: { A: 'global', B: 'own' } },
    ]);
  });
});

describe('usage plans and API keys of the resource form', () => {
  test('AWS::ApiGateway::UsagePlan with its ApiKey through a UsagePlanKey, and ApiKeyRequired methods', () => {
    const r = load({
      Resources: {
        Api: {
          Type: 'AWS::ApiGateway::RestApi',
          Properties: { Name: 'keyed' },
        },
        Get: {
          Type: 'AWS::ApiGateway::Method',
          Properties: {
            RestApiId: { Ref: 'Api' },
            ResourceId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] },
            HttpMethod: 'GET',
            AuthorizationType: 'NONE',
            ApiKeyRequired: true,
            Integration: { Type: 'MOCK', RequestTemplates: { 'application/json': '{"statusCode": 200}' } },
          },
        },
        Stage: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: { Ref: 'Api' }, StageName: 'v1' } },
        Key: {
          Type: 'AWS::ApiGateway::ApiKey',
          Properties: { Name: 'partner', Value: 'partner-key-0123456789', Enabled: true },
        },
        Plan: {
          Type: 'AWS::ApiGateway::UsagePlan',
          Properties: {
            UsagePlanName: 'basic',
            ApiStages: [{ ApiId: { Ref: 'Api' }, Stage: { Ref: 'Stage' } }],
            Throttle: { BurstLimit: 5, RateLimit: 2 },
            Quota: { Limit: 100, Period: 'DAY' },
          },
        },
        PlanKey: {
          Type: 'AWS::ApiGateway::UsagePlanKey',
          Properties: { KeyId: { Ref: 'Key' }, KeyType: 'API_KEY', UsagePlanId: { Ref: 'Plan' } },
        },
      },
    });
    expect(errors(r)).toEqual([]);
    expect(r.apis[0].api.resources[0].methods.GET).toMatchObject({ apiKeyRequired: true, origin: 'Get' });
    expect(r.usagePlans).toEqual([
      {
        logicalId: 'Plan',
        name: 'basic',
        apiStages: [{ api: 'Api', stage: 'v1' }],
        throttle: { burstLimit: 5, rateLimit: 2 },
        quota: { limit: 100, period: 'DAY', offset: undefined },
        keys: [{ logicalId: 'Key', name: 'partner', value: 'partner-key-0123456789', enabled: true }],
      },
    ]);
  });
});

describe('more of the API settings', () => {
  test('SAM BinaryMediaTypes (~1 is /), MinimumCompressionSize and stage Variables', () => {
    const r = load({
      Transform: SAM,
      Resources: {
        Api: {
          Type: 'AWS::Serverless::Api',
          Properties: {
            StageName: 'v1',
            BinaryMediaTypes: ['image~1png', '*~1*'],
            MinimumCompressionSize: 1024,
            Variables: { backend: 'blue', n: 3 },
          },
        },
        Fn: fn({ Events: { E: apiEvent('/x', 'post', { RestApiId: { Ref: 'Api' } }) } }),
      },
    });
    expect(errors(r)).toEqual([]);
    expect(r.apis[0].api.binaryMediaTypes).toEqual(['image/png', '*/*']);
    expect(r.apis[0].api.minimumCompressionSize).toBe(1024);
    expect(r.apis[0].stages).toEqual([
      { name: 'v1', variables: { backend: 'blue', n: '3' }, pointer: '/Resources/Api/Properties/StageName' },
    ]);
  });

  test('DefinitionBody through Fn::Transform AWS::Include of a local file, its intrinsics resolved', () => {
    writeFileSync(
      path.join(dir.dir, 'included.yaml'),
      `openapi: 3.0.1
info: { title: included }
paths:
  /inc:
    get:
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        uri: !Sub arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${Fn.Arn}/invocations
`,
    );
    const r = load({
      Transform: SAM,
      Resources: {
        Api: {
          Type: 'AWS::Serverless::Api',
          Properties: {
            StageName: 'v1',
            DefinitionBody: {
              'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: './included.yaml' } },
            },
          },
        },
        Fn: fn(),
      },
    });
    expect(errors(r)).toEqual([]);
    expect(r.apis[0].api.resources[0].methods.GET!.integration.uri).toBe(
      'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:Fn/invocations',
    );
  });

  test('BodyS3Location: the CDK asset file next to the template (SpecRestApi)', () => {
    writeFileSync(
      path.join(dir.dir, 'asset.spec.yaml'),
      'openapi: 3.0.1\ninfo: { title: spec }\npaths:\n  /spec:\n    get:\n      x-amazon-apigateway-integration: { type: mock, requestTemplates: { application/json: \'{"statusCode": 200}\' } }\n',
    );
    const r = load({
      Resources: {
        Spec: {
          Type: 'AWS::ApiGateway::RestApi',
          Properties: {
            BodyS3Location: { Bucket: { 'Fn::Sub': 'cdk-assets-${AWS::AccountId}' }, Key: 'x.yaml' },
          },
          Metadata: { 'aws:asset:path': 'asset.spec.yaml', 'aws:asset:property': 'BodyS3Location' },
        },
        Deployment: {
          Type: 'AWS::ApiGateway::Deployment',
          Properties: { RestApiId: { Ref: 'Spec' }, StageName: 'beta' },
        },
      },
    });
    expect(errors(r)).toEqual([]);
    expect(r.apis[0].api.resources.map((res) => res.path)).toEqual(['/spec']);
    expect(r.apis[0].stages.map((s) => s.name)).toEqual(['beta']);
  });

  test('resource form: AWS::ApiGateway::Authorizer (TOKEN, COGNITO_USER_POOLS) referenced by AuthorizerId', () => {
    const method = (id: string, part: string, authorizer: string, type: string) => ({
      [`${id}Resource`]: {
        Type: 'AWS::ApiGateway::Resource',
        Properties: {
          RestApiId: { Ref: 'Api' },
          ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] },
          PathPart: part,
        },
      },
      [`${id}Get`]: {
        Type: 'AWS::ApiGateway::Method',
        Properties: {
          RestApiId: { Ref: 'Api' },
          ResourceId: { Ref: `${id}Resource` },
          HttpMethod: 'GET',
          AuthorizationType: type,
          AuthorizerId: { Ref: authorizer },
          Integration: { Type: 'MOCK', RequestTemplates: { 'application/json': '{"statusCode": 200}' } },
        },
      },
    });
    const r = load({
      Resources: {
        Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'guarded' } },
        Stage: {
          Type: 'AWS::ApiGateway::Stage',
          Properties: { RestApiId: { Ref: 'Api' }, StageName: 'prod' },
        },
        Pool: { Type: 'AWS::Cognito::UserPool' },
        AuthFn: fn(),
        TokenAuth: {
          Type: 'AWS::ApiGateway::Authorizer',
          Properties: {
            RestApiId: { Ref: 'Api' },
            Name: 'token',
            Type: 'TOKEN',
            IdentitySource: 'method.request.header.Authorization',
            AuthorizerUri: {
              'Fn::Sub':
                'arn:aws:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${AuthFn.Arn}/invocations',
            },
            AuthorizerResultTtlInSeconds: 0,
          },
        },
        PoolAuth: {
          Type: 'AWS::ApiGateway::Authorizer',
          Properties: {
            RestApiId: { Ref: 'Api' },
            Name: 'users',
            Type: 'COGNITO_USER_POOLS',
            IdentitySource: 'method.request.header.Authorization',
            ProviderARNs: [{ 'Fn::GetAtt': ['Pool', 'Arn'] }],
          },
        },
        ...method('A', 'a', 'TokenAuth', 'CUSTOM'),
        ...method('B', 'b', 'PoolAuth', 'COGNITO_USER_POOLS'),
      },
    });
    expect(errors(r)).toEqual([]);
    const api = r.apis[0].api;
    const get = (p: string) => api.resources.find((res) => res.path === p)!.methods.GET!;
    expect(get('/a')).toMatchObject({ authorizationType: 'CUSTOM', authorizerName: 'token', origin: 'AGet' });
    expect(get('/b')).toMatchObject({ authorizationType: 'COGNITO_USER_POOLS', authorizerName: 'users' });
    expect(api.authorizers.token).toMatchObject({
      type: 'token',
      authorizerResultTtlInSeconds: 0,
      authorizerUri:
        'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:AuthFn/invocations',
    });
    expect(api.authorizers.users.raw.providerARNs).toEqual([
      expect.stringMatching(/^arn:aws:cognito-idp:us-east-1:/),
    ]);
  });
});

describe('what cannot be resolved', () => {
  test('Fn::ImportValue in an integration uri stops start-up, naming where it is', () => {
    const r = load({
      Resources: {
        Api: {
          Type: 'AWS::ApiGateway::RestApi',
          Properties: {
            Body: {
              swagger: '2.0',
              info: { title: 't' },
              paths: {
                '/x': {
                  get: {
                    'x-amazon-apigateway-integration': {
                      type: 'http_proxy',
                      httpMethod: 'GET',
                      uri: { 'Fn::ImportValue': 'BackendUrl' },
                    },
                  },
                },
              },
            },
          },
        },
        Stage: {
          Type: 'AWS::ApiGateway::Stage',
          Properties: { RestApiId: { Ref: 'Api' }, StageName: 'live' },
        },
      },
    });
    expect(errors(r)).toEqual([
      `${path.join(dir.dir, 'template.yaml')}#/Resources/Api/Properties/Body/paths/~1x/get/x-amazon-apigateway-integration/uri/Fn::ImportValue: error: Api GET /x needs a value that cannot be resolved: Fn::ImportValue 'BackendUrl': exports of other stacks are not known locally`,
    ]);
    expect(r.apis).toEqual([]);
  });

  test("an API's DefinitionBody that cannot be resolved is one error; its Name only a warning", () => {
    const r = load({
      Transform: SAM,
      Resources: {
        Api: {
          Type: 'AWS::Serverless::Api',
          Properties: {
            StageName: 'v1',
            Name: { 'Fn::ImportValue': 'ApiName' },
            DefinitionBody: {
              'Fn::Transform': { Name: 'AWS::Include', Parameters: { Location: 's3://bucket/api.yaml' } },
            },
          },
        },
      },
    });
    expect(errors(r)).toEqual([
      `${path.join(dir.dir, 'template.yaml')}#/Resources/Api/Properties/DefinitionBody/Fn::Transform: error: Api: its DefinitionBody cannot be resolved: AWS::Include s3://bucket/api.yaml: the file is in S3, not on this machine: give a local path`,
    ]);
    // Said once, where it is, not again as "left unresolved".
    expect(warnings(r)).toEqual([
      "Api: its Name is left out: Fn::ImportValue 'ApiName': exports of other stacks are not known locally",
    ]);
  });

  test('elsewhere (here an environment variable) it is listed with its location and left out', () => {
    const r = load({
      Transform: SAM,
      Resources: {
        Hello: fn({
          Environment: { Variables: { VPC: { 'Fn::ImportValue': 'Vpc' }, OK: 'yes' } },
          Events: { Get: apiEvent('/hello', 'get') },
        }),
      },
    });
    expect(errors(r)).toEqual([]);
    expect(warnings(r)).toContain(
      "environment variable VPC is not set: Fn::ImportValue 'Vpc': exports of other stacks are not known locally",
    );
    expect(r.functions[0].environment).toEqual({ OK: 'yes' });
  });

  test('a function that only a non-API event uses may lack its code folder: a warning', () => {
    const r = load({
      Transform: SAM,
      Resources: {
        Hello: fn({ Events: { Get: apiEvent('/hello', 'get') } }),
        Worker: fn({ CodeUri: 'worker/', Events: { Q: { Type: 'SQS', Properties: { Queue: 'arn' } } } }),
        Queue: { Type: 'AWS::SQS::Queue' },
        Http: fn({ Events: { H: { Type: 'HttpApi', Properties: { Path: '/h', Method: 'get' } } } }),
      },
    });
    expect(errors(r)).toEqual([]);
    expect(warnings(r)).toEqual(
      expect.arrayContaining([
        `Worker: its code folder ${path.join(dir.dir, 'worker')} (CodeUri) does not exist`,
        'not emulated, ignored: AWS::SQS::Queue (Queue)',
      ]),
    );
    expect(r.notes).toEqual([
      'Http event H: HttpApi events make an HTTP API (API Gateway v2), which apigw does not serve',
    ]);
  });
});

describe('templates that are refused', () => {
  test('a circular dependency, as CloudFormation words it', () => {
    const r = load({
      Resources: {
        A: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { 'Fn::GetAtt': ['B', 'TopicName'] } } },
        B: { Type: 'AWS::SNS::Topic', Properties: { TopicName: { 'Fn::Sub': '${A}-b' } } },
      },
    });
    expect(errors(r)).toEqual([
      `${path.join(dir.dir, 'template.yaml')}#/Resources: error: Circular dependency between resources: [A, B]`,
    ]);
  });

  test('a resource without a Type; a template without any REST API', () => {
    expect(errors(load({ Resources: { A: { Properties: {} } } }))).toEqual([
      `${path.join(dir.dir, 'template.yaml')}#/Resources/A: error: resource A needs a Type (e.g. AWS::Serverless::Function)`,
    ]);
    expect(errors(load({ Resources: { T: { Type: 'AWS::S3::Bucket' } } }))[0]).toContain(
      'the template declares no REST API',
    );
  });

  test('loadTemplate leaves OpenAPI documents (JSON or YAML) to the importer', () => {
    const file = path.join(dir.dir, 'openapi.yaml');
    writeFileSync(
      file,
      'openapi: 3.0.1\ninfo: { title: x }\npaths: {}\ncomponents:\n  schemas:\n    Resources: { type: object }\n',
    );
    expect(loadTemplate(file)).toBeUndefined();
  });
});
