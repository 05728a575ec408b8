import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../gateway/log';
import { startGateway, type RunningGateway } from '../../gateway/serve';
import { tempDir, type TempDir } from '../helpers/api-doc';
import { spawnApigw } from '../helpers/cli';
import { LAMBDA_KEYS } from '../helpers/lambda-invoke';

const ENV = {
  AWS_ACCESS_KEY_ID: LAMBDA_KEYS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LAMBDA_KEYS.secretAccessKey,
};
const API = 'ItemsEndpoint4B6D2E1F';
const FN = 'ItemsHandler2E4FBA4D';

const lambdaUri = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':apigateway:',
      { Ref: 'AWS::Region' },
      ':lambda:path/2015-03-31/functions/',
      { 'Fn::GetAtt': [FN, 'Arn'] },
      '/invocations',
    ],
  ],
};
const restApiId = { Ref: API };

/** What `cdk synth` writes for a LambdaRestApi-style stack: RestApi + Resources + Methods + an asset folder. */
const TEMPLATE = {
  Resources: {
    ItemsHandlerServiceRole5D4B2C8A: {
      Type: 'AWS::IAM::Role',
      Properties: {
        AssumeRolePolicyDocument: {
          Statement: [
            { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' } },
          ],
          Version: '2012-10-17',
        },
      },
    },
    ItemsTable9B7E1C3D: {
      Type: 'AWS::DynamoDB::Table',
      Properties: { KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], BillingMode: 'PAY_PER_REQUEST' },
    },
    [FN]: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        Code: {
          S3Bucket: { 'Fn::Sub': 'cdk-hnb659fds-assets-${AWS::AccountId}-${AWS::Region}' },
          S3Key: '3f2a9c0d.zip',
        },
        Handler: 'index.handler',
        Role: { 'Fn::GetAtt': ['ItemsHandlerServiceRole5D4B2C8A', 'Arn'] },
        Runtime: 'nodejs20.x',
        Timeout: 10,
        Environment: {
          Variables: { TABLE_NAME: { Ref: 'ItemsTable9B7E1C3D' }, STACK: { Ref: 'AWS::StackName' } },
        },
      },
      DependsOn: ['ItemsHandlerServiceRole5D4B2C8A'],
      Metadata: {
        'aws:cdk:path': 'ItemsStack/ItemsHandler/Resource',
        'aws:asset:path': 'asset.3f2a9c0d',
        'aws:asset:is-bundled': false,
        'aws:asset:property': 'Code',
      },
    },
    [API]: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'ItemsEndpoint' } },
    ItemsEndpointDeploymentA1B2C3D4: {
      Type: 'AWS::ApiGateway::Deployment',
      Properties: { Description: 'Automatically created by the RestApi construct', RestApiId: restApiId },
      DependsOn: [
        'ItemsEndpointitemsidGET5E6F7A8B',
        'ItemsEndpointitemsPOST1A2B3C4D',
        'ItemsEndpointhealthGET9C8D7E6F',
      ],
    },
    ItemsEndpointDeploymentStageprodB78BEEA0: {
      Type: 'AWS::ApiGateway::Stage',
      Properties: {
        DeploymentId: { Ref: 'ItemsEndpointDeploymentA1B2C3D4' },
        RestApiId: restApiId,
        StageName: 'prod',
        Variables: { release: '2024.1' },
      },
    },
    ItemsEndpointitems1F2E3D4C: {
      Type: 'AWS::ApiGateway::Resource',
      Properties: {
        ParentId: { 'Fn::GetAtt': [API, 'RootResourceId'] },
        PathPart: 'items',
        RestApiId: restApiId,
      },
    },
    ItemsEndpointitemsid6A7B8C9D: {
      Type: 'AWS::ApiGateway::Resource',
      Properties: { ParentId: { Ref: 'ItemsEndpointitems1F2E3D4C' }, PathPart: '{id}', RestApiId: restApiId },
    },
    ItemsEndpointhealth0A1B2C3D: {
      Type: 'AWS::ApiGateway::Resource',
      Properties: {
        ParentId: { 'Fn::GetAtt': [API, 'RootResourceId'] },
        PathPart: 'health',
        RestApiId: restApiId,
      },
    },
    ItemsEndpointitemsidGET5E6F7A8B: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'GET',
        ResourceId: { Ref: 'ItemsEndpointitemsid6A7B8C9D' },
        RestApiId: restApiId,
        AuthorizationType: 'NONE',
        Integration: { IntegrationHttpMethod: 'POST', Type: 'AWS_PROXY', Uri: lambdaUri },
      },
    },
    ItemsEndpointitemsidGETApiPermission7E8F9A0B: {
      Type: 'AWS::Lambda::Permission',
      Properties: {
        Action: 'lambda:InvokeFunction',
        FunctionName: { 'Fn::GetAtt': [FN, 'Arn'] },
        Principal: 'apigateway.amazonaws.com',
        SourceArn: {
          'Fn::Join': [
            '',
            [
              'arn:aws:execute-api:',
              { Ref: 'AWS::Region' },
              ':',
              { Ref: 'AWS::AccountId' },
              ':',
              restApiId,
              '/',
              { Ref: 'ItemsEndpointDeploymentStageprodB78BEEA0' },
              '/GET/items/*',
            ],
          ],
        },
      },
    },
    ItemsModel5C6D7E8F: {
      Type: 'AWS::ApiGateway::Model',
      Properties: {
        RestApiId: restApiId,
        ContentType: 'application/json',
        Name: 'Item',
        Schema: {
          $schema: 'http://json-schema.org/draft-04/schema#',
          type: 'object',
          required: ['name'],
          properties: { name: { type: 'string' } },
        },
      },
    },
    ItemsValidator1D2E3F4A: {
      Type: 'AWS::ApiGateway::RequestValidator',
      Properties: {
        RestApiId: restApiId,
        Name: 'body-only',
        ValidateRequestBody: true,
        ValidateRequestParameters: false,
      },
    },
    ItemsEndpointitemsPOST1A2B3C4D: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'POST',
        ResourceId: { Ref: 'ItemsEndpointitems1F2E3D4C' },
        RestApiId: restApiId,
        AuthorizationType: 'NONE',
        RequestModels: { 'application/json': { Ref: 'ItemsModel5C6D7E8F' } },
        RequestValidatorId: { Ref: 'ItemsValidator1D2E3F4A' },
        Integration: { IntegrationHttpMethod: 'POST', Type: 'AWS_PROXY', Uri: lambdaUri },
      },
    },
    ItemsEndpointhealthGET9C8D7E6F: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'GET',
        ResourceId: { Ref: 'ItemsEndpointhealth0A1B2C3D' },
        RestApiId: restApiId,
        AuthorizationType: 'NONE',
        Integration: {
          Type: 'MOCK',
          RequestTemplates: { 'application/json': '{"statusCode": 200}' },
          IntegrationResponses: [
            {
              StatusCode: '200',
              ResponseTemplates: {
                'application/json': '{"status": "ok", "release": "$stageVariables.release"}',
              },
              ResponseParameters: { 'method.response.header.X-Health': "'green'" },
            },
          ],
        },
        MethodResponses: [
          { StatusCode: '200', ResponseParameters: { 'method.response.header.X-Health': true } },
        ],
      },
    },
    ItemsEndpointDefault4XX1A2B3C4D: {
      Type: 'AWS::ApiGateway::GatewayResponse',
      Properties: {
        ResponseType: 'DEFAULT_4XX',
        RestApiId: restApiId,
        ResponseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" },
      },
    },
    // Code.fromInline: the code is in the template (Code.ZipFile).
    InlineFnB1C2D3E4: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        Code: {
          ZipFile:
            "exports.handler = async (event) => ({ statusCode: 200, body: 'inline ' + event.httpMethod });",
        },
        Handler: 'index.handler',
        Role: { 'Fn::GetAtt': ['ItemsHandlerServiceRole5D4B2C8A', 'Arn'] },
        Runtime: 'nodejs18.x',
      },
    },
    ItemsEndpointinline5F6A7B8C: {
      Type: 'AWS::ApiGateway::Resource',
      Properties: {
        ParentId: { 'Fn::GetAtt': [API, 'RootResourceId'] },
        PathPart: 'inline',
        RestApiId: restApiId,
      },
    },
    ItemsEndpointinlineANY9D8C7B6A: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        HttpMethod: 'ANY',
        ResourceId: { Ref: 'ItemsEndpointinline5F6A7B8C' },
        RestApiId: restApiId,
        AuthorizationType: 'NONE',
        Integration: {
          IntegrationHttpMethod: 'POST',
          Type: 'AWS_PROXY',
          Uri: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':apigateway:',
                { Ref: 'AWS::Region' },
                ':lambda:path/2015-03-31/functions/',
                { 'Fn::GetAtt': ['InlineFnB1C2D3E4', 'Arn'] },
                '/invocations',
              ],
            ],
          },
        },
      },
    },
    CDKMetadata: {
      Type: 'AWS::CDK::Metadata',
      Properties: { Analytics: 'v2:deflate64:H4sIAAAAAAAA' },
      Metadata: { 'aws:cdk:path': 'ItemsStack/CDKMetadata/Default' },
      Condition: 'CDKMetadataAvailable',
    },
  },
  Outputs: {
    ItemsEndpoint: {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            restApiId,
            '.execute-api.',
            { Ref: 'AWS::Region' },
            '.',
            { Ref: 'AWS::URLSuffix' },
            '/',
            { Ref: 'ItemsEndpointDeploymentStageprodB78BEEA0' },
            '/',
          ],
        ],
      },
    },
  },
  Conditions: {
    CDKMetadataAvailable: {
      'Fn::Or': [
        { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'us-east-1'] },
        { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
      ],
    },
  },
  Parameters: {
    BootstrapVersion: {
      Type: 'AWS::SSM::Parameter::Value<String>',
      Default: '/cdk-bootstrap/hnb659fds/version',
      Description: 'Version of the CDK Bootstrap resources in this environment',
    },
  },
  Rules: {
    CheckBootstrapVersion: {
      Assertions: [
        {
          Assert: {
            'Fn::Not': [{ 'Fn::Contains': [['1', '2', '3', '4', '5'], { Ref: 'BootstrapVersion' }] }],
          },
          AssertDescription: 'CDK bootstrap stack version 6 required.',
        },
      ],
    },
  },
};

const HANDLER = `exports.handler = async (event) => ({
  statusCode: event.httpMethod === 'POST' ? 201 : 200,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify({
    method: event.httpMethod,
    resource: event.resource,
    id: event.pathParameters && event.pathParameters.id,
    body: event.body,
    table: process.env.TABLE_NAME,
    stack: process.env.STACK,
  }),
});
`;

describe('a CDK-synthesised template: RestApi + Resources + Methods + a Lambda proxy integration + an asset folder', () => {
  let dir: TempDir;
  let gw: RunningGateway;
  const lines: string[] = [];
  beforeAll(async () => {
    dir = tempDir('apigw-cdk-');
    const out = path.join(dir.dir, 'cdk.out');
    mkdirSync(path.join(out, 'asset.3f2a9c0d'), { recursive: true });
    writeFileSync(path.join(out, 'ItemsStack.template.json'), JSON.stringify(TEMPLATE, null, 1));
    writeFileSync(path.join(out, 'asset.3f2a9c0d', 'index.js'), HANDLER);
    gw = await startGateway(
      {
        api: path.join(out, 'ItemsStack.template.json'),
        port: 0,
        host: '127.0.0.1',
        dataDir: path.join(dir.dir, '.apigw'),
      },
      createLogger('debug', (line) => void lines.push(line)),
      ENV,
    );
  });
  afterAll(async () => {
    await gw?.close();
    dir?.remove();
  });

  test('stage prod from the AWS::ApiGateway::Stage; the function from its cdk.out asset folder', async () => {
    expect(gw.stage).toBe('prod');
    const res = await fetch(`${gw.url}/items/17`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      method: 'GET',
      resource: '/items/{id}',
      id: '17',
      body: null,
      // Ref of a resource apigw does not emulate is its logical id, as with sam local.
      table: 'ItemsTable9B7E1C3D',
      stack: 'ItemsStack',
    });
  });

  test('RequestModels with a RequestValidator: a bad body is refused before the function', async () => {
    const bad = await fetch(`${gw.url}/items`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"title": 1}',
    });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ message: 'Invalid request body' });
    // The GatewayResponse resource's header is on the DEFAULT_4XX answer.
    expect(bad.headers.get('access-control-allow-origin')).toBe('*');
    const good = await fetch(`${gw.url}/items`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"name": "pen"}',
    });
    expect(good.status).toBe(201);
    expect(((await good.json()) as { body: string }).body).toBe('{"name": "pen"}');
  });

  test('a function whose code is inline (Code.ZipFile) runs too, behind an ANY method', async () => {
    const res = await fetch(`${gw.url}/inline`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('inline DELETE');
  });

  test('a MOCK method with integration responses and the stage variables of its Stage', async () => {
    const res = await fetch(`${gw.url}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-health')).toBe('green');
    expect(await res.json()).toEqual({ status: 'ok', release: '2024.1' });
  });

  test('start-up lists what is not emulated and where each route came from; the SSM parameter no route needs is not an error', () => {
    const log = lines.join('');
    expect(log).toContain('not emulated, ignored: AWS::DynamoDB::Table (ItemsTable9B7E1C3D)');
    expect(log).toContain(`route GET /prod/items/{id} ← ItemsEndpointitemsidGET5E6F7A8B (${API})`);
    expect(log).toContain(`route GET /prod/health ← ItemsEndpointhealthGET9C8D7E6F (${API})`);
    expect(log).not.toContain('ERROR');
  });
});

describe('apigw serve cdk.out', () => {
  test('a cdk.out folder with one stack template is served as that template', async () => {
    const dir = tempDir('apigw-cdk-cli-');
    const out = path.join(dir.dir, 'cdk.out');
    mkdirSync(path.join(out, 'asset.3f2a9c0d'), { recursive: true });
    writeFileSync(path.join(out, 'ItemsStack.template.json'), JSON.stringify(TEMPLATE));
    writeFileSync(path.join(out, 'asset.3f2a9c0d', 'index.js'), HANDLER);
    writeFileSync(path.join(out, 'manifest.json'), '{"version":"36.0.0"}');
    const apigw = spawnApigw(['serve', out, '--port', '0', '--data-dir', path.join(dir.dir, '.apigw')]);
    try {
      const [, base] = await apigw.waitFor(/Base URL: (http:\/\/\S+)/);
      expect(base).toMatch(/\/prod$/);
      const res = await fetch(`${base}/items/9`);
      expect(((await res.json()) as { id: string }).id).toBe('9');
    } finally {
      apigw.child.kill('SIGTERM');
      expect(await apigw.exited).toBe(0);
      dir.remove();
    }
  });
});
