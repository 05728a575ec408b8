import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { parseAccessSetting } from '../../gateway/access/settings';
import { createLogger, type Logger } from '../../gateway/log';
import { middleware } from '../../gateway/middleware';
import { startGateway, type RunningGateway } from '../../gateway/serve';
import { tempDir, type TempDir } from '../helpers/api-doc';
import { spawnApigw } from '../helpers/cli';
import { testClock, type TestClock } from '../helpers/access';
import { LAMBDA_KEYS } from '../helpers/lambda-invoke';
import { inlineHelloFunction } from '../helpers/sam';

// A template's usage plans, API keys, MethodSettings and stage cache, applied as the config file's
// are: through real HTTP on `apigw serve template.yaml`, on an injected clock (every assertion is a
// count of answers over a known schedule, never a wall-clock measurement).

const ENV = {
  AWS_ACCESS_KEY_ID: LAMBDA_KEYS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: LAMBDA_KEYS.secretAccessKey,
};

// Counts its invocations: a cached answer repeats the count.
const COUNTING_HANDLER = `let calls = 0;
exports.handler = async (event) => ({
  statusCode: 200,
  body: JSON.stringify({ calls: ++calls, path: event.path }),
});
`;

type Served = RunningGateway & { lines: string[]; clock: TestClock; dir: TempDir };

async function serve(files: Record<string, string>, file: string, extra: Record<string, unknown> = {}) {
  const dir = tempDir('apigw-template-access-');
  for (const [name, text] of Object.entries(files)) {
    const at = path.join(dir.dir, name);
    mkdirSync(path.dirname(at), { recursive: true });
    writeFileSync(at, text);
  }
  const lines: string[] = [];
  const log: Logger = createLogger('debug', (line) => void lines.push(line));
  const clock = testClock();
  try {
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
      { clock },
    );
    return Object.assign(gw, { lines, clock, dir }) as Served;
  } catch (e) {
    dir.remove();
    throw e;
  }
}

async function stop(gw: Served | undefined) {
  await gw?.close();
  gw?.dir.remove();
}

/** The value start-up printed for a key: "API key NAME (LogicalId): VALUE". */
function printedKey(gw: Served, logicalId: string): string {
  const line = gw.lines.find((l) => l.includes(`(${logicalId}): `));
  const value = line && /\): ([A-Za-z0-9-]+)/.exec(line)?.[1];
  if (!value) throw new Error(`start-up printed no API key ${logicalId}:\n${gw.lines.join('')}`);
  return value;
}

async function call(gw: Served, route: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${gw.url}${route}`, { headers });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('SAM Auth: ApiKeyRequired with a PER_API usage plan', () => {
  const template = `Transform: AWS::Serverless-2016-10-31
Resources:
  PartnerApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        ApiKeyRequired: true
        UsagePlan:
          CreateUsagePlan: PER_API
          UsagePlanName: partners
          Throttle:
            BurstLimit: 100
            RateLimit: 50
          Quota:
            Limit: 3
            Period: DAY
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs20.x
      Events:
        Get:
          Type: Api
          Properties:
            RestApiId: !Ref PartnerApi
            Path: /hello
            Method: get
`;
  let gw: Served;
  beforeAll(async () => {
    gw = await serve({ 'template.yaml': template, 'src/app.js': COUNTING_HANDLER }, 'template.yaml');
  });
  afterAll(() => stop(gw));

  test('start-up prints the key SAM generates (no Value: one is made up, 40 letters and digits)', () => {
    expect(printedKey(gw, 'PartnerApiApiKey')).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(gw.lines.join('')).toContain('API key PartnerApiApiKey (PartnerApiApiKey): ');
    expect(gw.lines.join('')).not.toMatch(/not enforced|not applied/);
  });

  test('no key, or a wrong one: 403 Forbidden; the key: 200 until the quota is used up, then 429', async () => {
    expect(await call(gw, '/hello')).toEqual({ status: 403, body: { message: 'Forbidden' } });
    expect(await call(gw, '/hello', { 'x-api-key': 'not-a-key-0123456789abc' })).toEqual({
      status: 403,
      body: { message: 'Forbidden' },
    });
    const key = { 'x-api-key': printedKey(gw, 'PartnerApiApiKey') };
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await call(gw, '/hello', key));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429, 429]);
    expect(answers[3].body).toEqual({ message: 'Limit Exceeded' });
  });
});

describe('a CDK-shaped template: ApiKey + UsagePlan + UsagePlanKey, MethodSettings and the stage cache', () => {
  const KEY = 'cdk-partner-key-0123456789';
  const mock = (body: string) => ({
    Type: 'MOCK',
    RequestTemplates: { 'application/json': '{"statusCode": 200}' },
    IntegrationResponses: [{ StatusCode: '200', ResponseTemplates: { 'application/json': body } }],
  });
  const method = (resource: string, props: Record<string, unknown>) => ({
    Type: 'AWS::ApiGateway::Method',
    Properties: {
      RestApiId: { Ref: 'Api' },
      ResourceId: { Ref: resource },
      HttpMethod: 'GET',
      AuthorizationType: 'NONE',
      MethodResponses: [{ StatusCode: '200' }],
      ...props,
    },
  });
  const resource = (part: string) => ({
    Type: 'AWS::ApiGateway::Resource',
    Properties: {
      RestApiId: { Ref: 'Api' },
      ParentId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] },
      PathPart: part,
    },
  });
  const template = {
    Resources: {
      Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'cdk-api' } },
      Keyed: resource('keyed'),
      KeyedGet: method('Keyed', { ApiKeyRequired: true, Integration: mock('{"keyed": true}') }),
      Limited: resource('limited'),
      LimitedGet: method('Limited', { Integration: mock('{"limited": true}') }),
      Cached: resource('cached'),
      CachedGet: method('Cached', {
        Integration: {
          Type: 'AWS_PROXY',
          IntegrationHttpMethod: 'POST',
          Uri: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':apigateway:',
                { Ref: 'AWS::Region' },
                ':lambda:path/2015-03-31/functions/',
                { 'Fn::GetAtt': ['Counter', 'Arn'] },
                '/invocations',
              ],
            ],
          },
        },
      }),
      Deployment: {
        Type: 'AWS::ApiGateway::Deployment',
        Properties: { RestApiId: { Ref: 'Api' } },
        DependsOn: ['KeyedGet', 'LimitedGet', 'CachedGet'],
      },
      Stage: {
        Type: 'AWS::ApiGateway::Stage',
        Properties: {
          RestApiId: { Ref: 'Api' },
          DeploymentId: { Ref: 'Deployment' },
          StageName: 'prod',
          CacheClusterEnabled: true,
          CacheClusterSize: '0.5',
          MethodSettings: [
            {
              ResourcePath: '/~1limited',
              HttpMethod: 'GET',
              ThrottlingBurstLimit: 2,
              ThrottlingRateLimit: 1,
            },
            { ResourcePath: '/~1cached', HttpMethod: 'GET', CachingEnabled: true, CacheTtlInSeconds: 60 },
            { ResourcePath: '/*', HttpMethod: '*', LoggingLevel: 'INFO', MetricsEnabled: true },
          ],
        },
      },
      PartnerKey: {
        Type: 'AWS::ApiGateway::ApiKey',
        Properties: { Name: 'partner', Value: KEY, Enabled: true },
      },
      // CloudFormation's Enabled defaults to false: this key is refused.
      IdleKey: { Type: 'AWS::ApiGateway::ApiKey', Properties: { Value: 'cdk-idle-key-0123456789abc' } },
      Plan: {
        Type: 'AWS::ApiGateway::UsagePlan',
        Properties: {
          UsagePlanName: 'cdk-plan',
          ApiStages: [{ ApiId: { Ref: 'Api' }, Stage: { Ref: 'Stage' } }],
          Quota: { Limit: 2, Period: 'DAY' },
        },
      },
      PlanKey: {
        Type: 'AWS::ApiGateway::UsagePlanKey',
        Properties: { KeyId: { Ref: 'PartnerKey' }, KeyType: 'API_KEY', UsagePlanId: { Ref: 'Plan' } },
      },
      IdlePlanKey: {
        Type: 'AWS::ApiGateway::UsagePlanKey',
        Properties: { KeyId: { Ref: 'IdleKey' }, KeyType: 'API_KEY', UsagePlanId: { Ref: 'Plan' } },
      },
      Counter: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          Runtime: 'nodejs20.x',
          Handler: 'index.handler',
          Code: { ZipFile: COUNTING_HANDLER },
          Role: 'arn:aws:iam::123456789012:role/counter',
        },
      },
    },
  };
  let gw: Served;
  beforeAll(async () => {
    gw = await serve({ 'Stack.template.json': JSON.stringify(template) }, 'Stack.template.json');
  });
  afterAll(() => stop(gw));

  test("the key's Value is the key; a missing or disabled key is 403; the plan's quota gives 429", async () => {
    expect(printedKey(gw, 'PartnerKey')).toBe(KEY);
    expect(gw.lines.join('')).toContain(`API key partner (PartnerKey): ${KEY}`);
    expect(await call(gw, '/keyed')).toEqual({ status: 403, body: { message: 'Forbidden' } });
    expect(await call(gw, '/keyed', { 'x-api-key': 'cdk-idle-key-0123456789abc' })).toEqual({
      status: 403,
      body: { message: 'Forbidden' },
    });
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await call(gw, '/keyed', { 'x-api-key': KEY }));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429]);
    expect(answers[0].body).toEqual({ keyed: true });
    expect(answers[2].body).toEqual({ message: 'Limit Exceeded' });
  });

  test("MethodSettings' throttle: the burst passes, then 429 Too Many Requests until tokens refill", async () => {
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await call(gw, '/limited'));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 429, 429]);
    expect(answers[2].body).toEqual({ message: 'Too Many Requests' });
    gw.clock.advance(1000);
    expect((await call(gw, '/limited')).status).toBe(200);
    expect((await call(gw, '/limited')).status).toBe(429);
  });

  test('a cached GET is answered from the stage cache: the function runs once until the TTL ends', async () => {
    const first = await call(gw, '/cached');
    const second = await call(gw, '/cached');
    expect(first).toEqual({ status: 200, body: { calls: 1, path: '/cached' } });
    expect(second).toEqual(first);
    gw.clock.advance(61_000);
    expect((await call(gw, '/cached')).body).toEqual({ calls: 2, path: '/cached' });
  });

  test('only what is still not applied is noted: the logging and metrics settings', () => {
    const text = gw.lines.join('');
    expect(text).toContain(
      'Stage: LoggingLevel, MetricsEnabled (CloudWatch logging and metrics) are not applied',
    );
    expect(text).not.toContain('MethodSettings (stage throttling, caching, logging) are not applied');
  });
});

describe('the config file and the template together', () => {
  const template = `Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      MethodSettings:
        - ResourcePath: '*'
          HttpMethod: '*'
          ThrottlingBurstLimit: 1
          ThrottlingRateLimit: 1
      Auth:
        ApiKeyRequired: true
        UsagePlan:
          CreateUsagePlan: PER_API
${inlineHelloFunction('Api', '{"hello":true}')}`;
  let gw: Served;
  const OWN = 'config-own-key-0123456789';
  beforeAll(async () => {
    gw = await serve({ 'template.yaml': template }, 'template.yaml', {
      // --stage renames the stage: the template's plan follows it.
      stage: 'test',
      // The config's own key in a plan of its own; its methodSettings win over the template's.
      apiKeys: parseAccessSetting(
        'apiKeys',
        [{ id: 'ownkey0001', name: 'own', value: OWN, enabled: true }],
        'config',
      ),
      usagePlans: parseAccessSetting(
        'usagePlans',
        [{ id: 'own', apiStages: [{ stage: 'test' }], apiKeys: ['own'], quota: { limit: 1, period: 'DAY' } }],
        'config',
      ),
      methodSettings: parseAccessSetting(
        'methodSettings',
        { '/hello/GET': { throttlingBurstLimit: 5, throttlingRateLimit: 1 } },
        'config',
      ),
    });
  });
  afterAll(() => stop(gw));

  test("both sets of keys call the renamed stage; the config's method setting replaces the template's", async () => {
    const generated = { 'x-api-key': printedKey(gw, 'ApiApiKey') };
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(gw, '/hello', generated)).status);
    // Burst 5 from the config, not 1 from the template's */*.
    expect(statuses).toEqual([200, 200, 200]);
    expect((await call(gw, '/hello', { 'x-api-key': OWN })).status).toBe(200);
    expect(await call(gw, '/hello', { 'x-api-key': OWN })).toEqual({
      status: 429,
      body: { message: 'Limit Exceeded' },
    });
  });
});

describe("several APIs of one template: each gateway gets its own plans' keys and stage settings", () => {
  const api = (stage: string, kind: string, extra = '') => `
    Type: AWS::Serverless::Api
    Properties:
      StageName: ${stage}
      Auth:
        ApiKeyRequired: true
        UsagePlan:
          CreateUsagePlan: ${kind}${extra}`;
  const event = (apiId: string) => `
        ${apiId}Get:
          Type: Api
          Properties:
            RestApiId: !Ref ${apiId}
            Path: /hello
            Method: get`;
  const template = `Transform: AWS::Serverless-2016-10-31
Resources:
  One:${api('one', 'SHARED')}
      MethodSettings:
        - ResourcePath: /~1hello
          HttpMethod: GET
          ThrottlingBurstLimit: 1
          ThrottlingRateLimit: 1
  Two:${api('two', 'SHARED')}
  Three:${api('three', 'PER_API')}
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ stage: event.requestContext.stage }) });
      Handler: index.handler
      Runtime: nodejs20.x
      Events:${event('One')}${event('Two')}${event('Three')}
`;
  let gw: Served;
  beforeAll(async () => {
    gw = await serve({ 'template.yaml': template }, 'template.yaml');
  });
  afterAll(() => stop(gw));

  const at = async (stage: string, key: string) => {
    const res = await fetch(gw.url.replace(/\/one$/, `/${stage}/hello`), { headers: { 'x-api-key': key } });
    return res.status;
  };

  test('the SHARED key calls both of its APIs, the PER_API key its own only', async () => {
    expect(gw.url).toMatch(/\/one$/);
    const shared = printedKey(gw, 'ServerlessApiKey');
    const own = printedKey(gw, 'ThreeApiKey');
    expect(await at('two', shared)).toBe(200);
    expect(await at('three', own)).toBe(200);
    expect(await at('three', shared)).toBe(403);
    expect(await at('two', own)).toBe(403);
    expect(await at('one', own)).toBe(403);
  });

  test("one API's MethodSettings throttle that API only", async () => {
    const shared = printedKey(gw, 'ServerlessApiKey');
    const one = [await at('one', shared), await at('one', shared), await at('one', shared)];
    expect(one).toEqual([200, 429, 429]);
    const two = [await at('two', shared), await at('two', shared), await at('two', shared)];
    expect(two).toEqual([200, 200, 200]);
  });
});

test('apigw.middleware() given a template applies its usage plan too', async () => {
  const dir = tempDir('apigw-template-access-mw-');
  writeFileSync(
    path.join(dir.dir, 'template.yaml'),
    `Transform: AWS::Serverless-2016-10-31
Resources:
  Keyed:
    Type: AWS::ApiGateway::ApiKey
    Properties:
      Value: middleware-key-0123456789
      Enabled: true
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    Properties:
      ApiStages:
        - ApiId: !Ref ServerlessRestApi
          Stage: Prod
  PlanKey:
    Type: AWS::ApiGateway::UsagePlanKey
    Properties:
      KeyId: !Ref Keyed
      KeyType: API_KEY
      UsagePlanId: !Ref Plan
  Hello:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        exports.handler = async () => ({ statusCode: 200, body: 'hi' });
      Handler: index.handler
      Runtime: nodejs20.x
      Events:
        Get:
          Type: Api
          Properties:
            Path: /hello
            Method: get
            Auth:
              ApiKeyRequired: true
`,
  );
  const app = express();
  const mw = middleware({
    api: dir.dir,
    dataDir: path.join(dir.dir, '.apigw'),
    log: createLogger('error'),
    env: ENV,
  });
  app.use('/api', mw);
  const server = app.listen(0, '127.0.0.1');
  try {
    await Promise.all([mw.ready, once(server, 'listening')]);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/Prod/hello`;
    expect((await fetch(url)).status).toBe(403);
    const keyed = await fetch(url, { headers: { 'x-api-key': 'middleware-key-0123456789' } });
    expect(keyed.status).toBe(200);
    expect(await keyed.text()).toBe('hi');
  } finally {
    server.closeAllConnections();
    server.close();
    await mw.close();
    dir.remove();
  }
});

test('--workers without --redis: a template with a usage plan gets the warning a config file would', async () => {
  const dir = tempDir('apigw-template-access-workers-');
  writeFileSync(
    path.join(dir.dir, 'template.yaml'),
    `Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: v1
      Auth:
        ApiKeyRequired: true
        UsagePlan:
          CreateUsagePlan: PER_API
${inlineHelloFunction('Api', 'hi')}`,
  );
  const proc = spawnApigw([
    'serve',
    path.join(dir.dir, 'template.yaml'),
    '--workers',
    '2',
    '--port',
    '0',
    '--data-dir',
    path.join(dir.dir, 'data'),
  ]);
  try {
    const [, url] = await proc.waitFor(/^Base URL: (http:\/\/\S+\/v1)$/m);
    expect(proc.stderr()).toContain(
      '--workers 2 without --redis: each worker keeps its own throttle buckets, quotas and stage cache',
    );
    // Every worker enforces the plan with the same generated key.
    const key = /\(ApiApiKey\): ([A-Za-z0-9]{40})/.exec(proc.stderr())![1];
    expect((await fetch(`${url}/hello`)).status).toBe(403);
    for (let i = 0; i < 3; i++)
      expect((await fetch(`${url}/hello`, { headers: { 'x-api-key': key } })).status).toBe(200);
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
  } finally {
    proc.child.kill('SIGKILL');
    dir.remove();
  }
});
