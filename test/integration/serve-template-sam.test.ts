import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import express from 'express';
import { ConfigError } from '../../gateway/config';
import { middleware } from '../../gateway/middleware';
import { createLogger, type Logger } from '../../gateway/log';
import { ApiLoadError, startGateway, type RunningGateway } from '../../gateway/serve';
import { tempDir, type TempDir } from '../helpers/api-doc';
import { BIN } from '../helpers/cli';
import { LAMBDA_KEYS } from '../helpers/lambda-invoke';

const ENV = {
  AWS_ACCESS_KEY_ID: LAMBDA_KEYS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LAMBDA_KEYS.secretAccessKey,
};

/** A logger that keeps what start-up said. */
function capturingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(
    createLogger('debug', (line) => void lines.push(line)),
    { lines },
  );
}

/** Writes `files` (relative path → text) into a new temporary folder. */
function project(prefix: string, files: Record<string, string>): TempDir {
  const dir = tempDir(prefix);
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir.dir, name);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}

async function serve(
  dir: TempDir,
  file: string,
  extra: Record<string, unknown> = {},
  log = capturingLogger(),
) {
  const gw = await startGateway(
    {
      api: path.join(dir.dir, file),
      port: 0,
      host: '127.0.0.1',
      dataDir: path.join(dir.dir, '.apigw'),
      ...extra,
    },
    log,
    ENV,
  );
  return Object.assign(gw, { log });
}

// The shape `sam init` gives for the Node.js hello-world: one function, an implicit API, stage Prod.
const HELLO_WORLD_TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Description: >
  hello-world app

Globals:
  Function:
    Timeout: 3

Resources:
  HelloWorldFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: hello-world/
      Handler: app.lambdaHandler
      Runtime: nodejs20.x
      Architectures:
        - x86_64
      Events:
        HelloWorld:
          Type: Api
          Properties:
            Path: /hello
            Method: get

Outputs:
  HelloWorldApi:
    Description: API Gateway endpoint URL for Prod stage for Hello World function
    Value: !Sub "https://\${ServerlessRestApi}.execute-api.\${AWS::Region}.amazonaws.com/Prod/hello/"
  HelloWorldFunction:
    Value: !GetAtt HelloWorldFunction.Arn
  HelloWorldFunctionIamRole:
    Value: !GetAtt HelloWorldFunctionRole.Arn
`;

const HELLO_WORLD_HANDLER = `export const lambdaHandler = async (event, context) => ({
  statusCode: 200,
  body: JSON.stringify({ message: 'hello world', path: event.path, resource: event.resource, fn: context.functionName }),
});
`;

describe("sam init's Node.js hello-world: implicit API, one function", () => {
  let dir: TempDir;
  let gw: RunningGateway & { log: { lines: string[] } };
  beforeAll(async () => {
    dir = project('apigw-sam-hello-', {
      'template.yaml': HELLO_WORLD_TEMPLATE,
      'hello-world/app.mjs': HELLO_WORLD_HANDLER,
    });
    gw = await serve(dir, 'template.yaml');
  });
  afterAll(async () => {
    await gw?.close();
    dir?.remove();
  });

  test('served under ServerlessRestApi, stage Prod, the function on the embedded Lambda', async () => {
    expect(gw.stage).toBe('Prod');
    expect(gw.url).toMatch(/\/Prod$/);
    expect(gw.lambda!.runtime.functionNames()).toEqual(['HelloWorldFunction']);
    const res = await fetch(`${gw.url}/hello`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      message: 'hello world',
      path: '/hello',
      resource: '/hello',
      fn: 'HelloWorldFunction',
    });
  });

  test('a path the API does not declare answers as API Gateway does', async () => {
    const res = await fetch(`${gw.url}/nothing`);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ message: 'Missing Authentication Token' });
  });

  test('start-up says where each route comes from', () => {
    expect(gw.log.lines.join('')).toContain('route GET /Prod/hello ← HelloWorldFunction (ServerlessRestApi)');
  });
});

describe('an explicit AWS::Serverless::Api with a DefinitionBody using Fn::Sub in its integration uri', () => {
  const template = `Transform: AWS::Serverless-2016-10-31
Parameters:
  StageName:
    Type: String
    Default: v1
Globals:
  Function:
    Runtime: nodejs20.x
    CodeUri: src/
Resources:
  ItemsApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: !Ref StageName
      Variables:
        table: items-table
      BinaryMediaTypes:
        - image~1png
      GatewayResponses:
        MISSING_AUTHENTICATION_TOKEN:
          StatusCode: 404
          ResponseParameters:
            Headers:
              X-Why: "'no such route'"
          ResponseTemplates:
            application/json: '{"error": "not here"}'
      DefinitionBody:
        openapi: '3.0.1'
        info:
          title: items
        paths:
          /items/{id}:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:\${AWS::Partition}:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${GetItem.Arn}/invocations
  GetItem:
    Type: AWS::Serverless::Function
    Properties:
      Handler: get.handler
  PutItem:
    Type: AWS::Serverless::Function
    Properties:
      Handler: put.handler
      Events:
        Put:
          Type: Api
          Properties:
            RestApiId: !Ref ItemsApi
            Path: /items/{id}
            Method: put
`;
  const get = `exports.handler = async (event) => ({
  statusCode: 200,
  body: JSON.stringify({ id: event.pathParameters.id, table: event.stageVariables.table, requestApiId: event.requestContext.apiId, stage: event.requestContext.stage }),
});`;
  const put = `exports.handler = async (event) => ({ statusCode: 201, body: 'stored ' + event.pathParameters.id + ': ' + event.body });`;
  let dir: TempDir;
  let gw: RunningGateway & { log: { lines: string[] } };
  beforeAll(async () => {
    dir = project('apigw-sam-explicit-', { 'template.yaml': template, 'src/get.js': get, 'src/put.js': put });
    gw = await serve(dir, 'template.yaml');
  });
  afterAll(async () => {
    await gw?.close();
    dir?.remove();
  });

  test('the DefinitionBody route calls the function its Fn::Sub uri names; stage from the StageName parameter', async () => {
    expect(gw.stage).toBe('v1');
    const res = await fetch(`${gw.url}/items/42`);
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body).toEqual({
      id: '42',
      table: 'items-table',
      requestApiId: gw.apiId,
      stage: 'v1',
    });
  });

  test("a function's Api event with RestApiId adds its route to that API's definition", async () => {
    const res = await fetch(`${gw.url}/items/7`, { method: 'PUT', body: 'seven' });
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('stored 7: seven');
  });

  test('GatewayResponses apply', async () => {
    const res = await fetch(`${gw.url}/elsewhere`);
    expect(res.status).toBe(404);
    expect(res.headers.get('x-why')).toBe('no such route');
    expect(await res.json()).toEqual({ error: 'not here' });
  });

  test('--parameter-overrides (as SAM spells them) set Parameters: here the stage', async () => {
    const other = await serve(dir, 'template.yaml', { parameterOverrides: { StageName: 'v2' } });
    try {
      expect(other.stage).toBe('v2');
      expect((await fetch(`${other.url}/items/1`)).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('a Cognito-protected SAM API', () => {
  const template = `Transform: AWS::Serverless-2016-10-31
Resources:
  UserPool:
    Type: AWS::Cognito::UserPool
  SecureApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      Auth:
        DefaultAuthorizer: MyCognitoAuth
        Authorizers:
          MyCognitoAuth:
            UserPoolArn: !GetAtt UserPool.Arn
  Private:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      CodeUri: src/
      Handler: app.handler
      Events:
        Secret:
          Type: Api
          Properties:
            RestApiId: !Ref SecureApi
            Path: /secret
            Method: get
        Open:
          Type: Api
          Properties:
            RestApiId: !Ref SecureApi
            Path: /open
            Method: get
            Auth:
              Authorizer: NONE
`;
  let dir: TempDir;
  let gw: RunningGateway & { log: { lines: string[] } };
  beforeAll(async () => {
    dir = project('apigw-sam-cognito-', {
      'template.yaml': template,
      'src/app.js': `exports.handler = async (event) => ({
        statusCode: 200,
        body: 'the secret' + (event.requestContext.authorizer ? ' for ' + event.requestContext.authorizer.claims.sub : ''),
      });`,
    });
    gw = await serve(dir, 'template.yaml');
  });
  afterAll(async () => {
    await gw?.close();
    dir?.remove();
  });

  test('the protected route is reported at start-up and never served open', async () => {
    expect(gw.log.lines.join('')).toContain(
      'route GET /prod/secret ← Private (SecureApi) [COGNITO_USER_POOLS MyCognitoAuth]',
    );
    const res = await fetch(`${gw.url}/secret`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ message: 'Unauthorized' });
  });

  test('a token from `apigw token template.yaml` (the pool of the template) is let through, its claims reach the function', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [
      BIN,
      'token',
      path.join(dir.dir, 'template.yaml'),
      '--pool',
      'MyCognitoAuth',
      '--sub',
      'alice',
      '--data-dir',
      path.join(dir.dir, '.apigw'),
    ]);
    const res = await fetch(`${gw.url}/secret`, { headers: { Authorization: stdout.trim() } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('the secret for alice');
  });

  test('a route whose event says Authorizer: NONE is open', async () => {
    expect(gw.log.lines.join('')).toMatch(/route GET \/prod\/open ← Private \(SecureApi\)\n/);
    const res = await fetch(`${gw.url}/open`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('the secret');
  });
});

describe('a SAM API with a Lambda TOKEN authorizer (Auth.Authorizers with FunctionArn)', () => {
  const template = `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs20.x
    CodeUri: src/
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: live
      Auth:
        DefaultAuthorizer: Tokens
        Authorizers:
          Tokens:
            FunctionArn: !GetAtt Authorizer.Arn
  Authorizer:
    Type: AWS::Serverless::Function
    Properties:
      Handler: auth.handler
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      Handler: app.handler
      Events:
        Get:
          Type: Api
          Properties:
            RestApiId: !Ref Api
            Path: /me
            Method: get
`;
  const auth = `exports.handler = async (event) => {
  if (event.authorizationToken !== 'Bearer alice') throw new Error('Unauthorized');
  return {
    principalId: 'alice',
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }] },
    context: { role: 'admin' },
  };
};`;
  const app = `exports.handler = async (event) => ({ statusCode: 200, body: event.requestContext.authorizer.principalId + ' ' + event.requestContext.authorizer.role });`;
  let dir: TempDir;
  let gw: RunningGateway & { log: { lines: string[] } };
  beforeAll(async () => {
    dir = project('apigw-sam-authorizer-', {
      'template.yaml': template,
      'src/auth.js': auth,
      'src/app.js': app,
    });
    gw = await serve(dir, 'template.yaml');
  });
  afterAll(async () => {
    await gw?.close();
    dir?.remove();
  });

  test('the authorizer function runs on the embedded Lambda: no token 401, a good one reaches the function', async () => {
    const none = await fetch(`${gw.url}/me`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ message: 'Unauthorized' });
    const bad = await fetch(`${gw.url}/me`, { headers: { Authorization: 'Bearer mallory' } });
    expect(bad.status).toBe(401);
    const good = await fetch(`${gw.url}/me`, { headers: { Authorization: 'Bearer alice' } });
    expect(good.status).toBe(200);
    expect(await good.text()).toBe('alice admin');
  });
});

describe('several APIs in one template, and functions apigw cannot run', () => {
  const template = (secondStage: string) => `Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs20.x
    CodeUri: src/
    Handler: app.handler
Resources:
  Implicit:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          WHO: implicit
      Events:
        Get:
          Type: Api
          Properties:
            Path: /who
            Method: get
  Python:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: python3.12
      Handler: app.handler
      Events:
        Get:
          Type: Api
          Properties:
            Path: /python
            Method: get
  AdminApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: ${secondStage}
  Admin:
    Type: AWS::Serverless::Function
    Properties:
      Environment:
        Variables:
          WHO: admin
      Events:
        Get:
          Type: Api
          Properties:
            RestApiId: !Ref AdminApi
            Path: /who
            Method: get
`;
  const handler = `exports.handler = async (event) => ({ statusCode: 200, body: process.env.WHO + ' on ' + event.requestContext.stage });`;
  let dir: TempDir;
  beforeAll(() => {
    dir = project('apigw-sam-several-', {
      'template.yaml': template('admin'),
      'same-stage.yaml': template('Prod'),
      'src/app.js': handler,
    });
  });
  afterAll(() => dir?.remove());

  test('each API answers under its own stage prefix on the one port', async () => {
    const gw = await serve(dir, 'template.yaml');
    try {
      expect(gw.apis!.map((a) => [a.logicalId, a.stage])).toEqual([
        ['ServerlessRestApi', 'Prod'],
        ['AdminApi', 'admin'],
      ]);
      const base = gw.url.replace(/\/Prod$/, '');
      expect(await (await fetch(`${base}/Prod/who`)).text()).toBe('implicit on Prod');
      expect(await (await fetch(`${base}/admin/who`)).text()).toBe('admin on admin');
      expect((await fetch(`${base}/other/who`)).status).toBe(403);
    } finally {
      await gw.close();
    }
  });

  test('apigw.middleware() given the folder serves its template, every API under its stage below the mount', async () => {
    const app = express();
    const mw = middleware({
      api: dir.dir,
      dataDir: path.join(dir.dir, '.apigw-mw'),
      log: createLogger('error'),
      env: ENV,
    });
    app.use('/api', mw);
    const server = app.listen(0, '127.0.0.1');
    try {
      await Promise.all([mw.ready, once(server, 'listening')]);
      const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
      expect(await (await fetch(`${base}/Prod/who`)).text()).toBe('implicit on Prod');
      expect(await (await fetch(`${base}/admin/who`)).text()).toBe('admin on admin');
    } finally {
      server.closeAllConnections();
      server.close();
      await mw.close();
    }
  });

  test('a python function is reported at start-up; its route answers 502 as a failing function does', async () => {
    const gw = await serve(dir, 'template.yaml');
    try {
      expect(gw.log.lines.join('')).toMatch(
        /Python: runtime python3\.12 is not run by the embedded Lambda.*its routes answer as a failing function/,
      );
      const res = await fetch(`${gw.url}/python`);
      expect(res.status).toBe(502);
      expect(await res.json()).toEqual({ message: 'Internal server error' });
    } finally {
      await gw.close();
    }
  });

  test('two APIs on the same stage name are refused, and --api picks one', async () => {
    await expect(serve(dir, 'same-stage.yaml')).rejects.toThrow(ConfigError);
    await expect(serve(dir, 'same-stage.yaml')).rejects.toThrow(
      'the REST APIs ServerlessRestApi and AdminApi both use stage Prod, and apigw serves each API under its stage prefix: serve one with --api ServerlessRestApi or --api AdminApi',
    );
    const gw = await serve(dir, 'same-stage.yaml', { restApi: 'AdminApi' });
    try {
      expect(await (await fetch(`${gw.url}/who`)).text()).toBe('admin on Prod');
    } finally {
      await gw.close();
    }
  });

  test('a missing code folder that a route needs stops start-up, naming the function and the folder', async () => {
    const broken = project('apigw-sam-nocode-', { 'template.yaml': HELLO_WORLD_TEMPLATE });
    try {
      const error = await serve(broken, 'template.yaml').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiLoadError);
      expect((error as ApiLoadError).message).toContain(
        `template.yaml#/Resources/HelloWorldFunction: error: HelloWorldFunction: its code folder ${path.join(broken.dir, 'hello-world')} (CodeUri) does not exist; a route needs it`,
      );
    } finally {
      broken.remove();
    }
  });
});
