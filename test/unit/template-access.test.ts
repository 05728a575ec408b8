import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadTemplateDocument, type TemplateLoadResult } from '../../openapi/cloudformation';
import { methodSettingKey } from '../../openapi/cloudformation/stage-settings';
import { AccessConfigError, parseAccessSetting, type ApiKeySetting } from '../../gateway/access/settings';
import { apiIdFor } from '../../gateway/api-id';
import { generatedKeyValue, templateAccess, type TemplateServedStage } from '../../gateway/template-access';
import { tempDir, type TempDir } from '../helpers/api-doc';

let dir: TempDir;
beforeAll(() => {
  dir = tempDir('apigw-template-access-unit-');
  mkdirSync(path.join(dir.dir, 'src'));
  writeFileSync(path.join(dir.dir, 'src', 'app.js'), 'exports.handler = async () => ({ statusCode: 200 });');
});
afterAll(() => dir.remove());

const SAM = 'AWS::Serverless-2016-10-31';
const load = (document: Record<string, unknown>) =>
  loadTemplateDocument(document, path.join(dir.dir, 'template.yaml'), {});
const errors = (r: TemplateLoadResult) =>
  r.problems.filter((p) => p.severity === 'error').map((p) => p.message);

/** A SAM API with one GET /hello route, and `props` on the API. */
function samApi(logicalId: string, props: Record<string, unknown>) {
  return {
    [logicalId]: { Type: 'AWS::Serverless::Api', Properties: { StageName: 'v1', ...props } },
    [`${logicalId}Fn`]: {
      Type: 'AWS::Serverless::Function',
      Properties: {
        Runtime: 'nodejs20.x',
        CodeUri: 'src/',
        Handler: 'app.handler',
        Events: {
          Get: { Type: 'Api', Properties: { RestApiId: { Ref: logicalId }, Path: '/hello', Method: 'get' } },
        },
      },
    },
  };
}

/** The served stages of a load result, each on the stage the template gives it. */
function served(r: TemplateLoadResult): TemplateServedStage[] {
  return r.apis.flatMap((a) =>
    a.stages.map((s) => ({
      api: a.api,
      stage: s.name,
      templateStage: s.name,
      logicalId: a.logicalId,
      settings: s.settings,
    })),
  );
}

describe('MethodSettings keys', () => {
  test.each([
    ['*', '*', '*/*'],
    ['/*', '*', '*/*'],
    ['/', 'GET', '//GET'],
    ['/~1pets', 'get', '/pets/GET'],
    ['/~1pets~1{id}', 'DELETE', '/pets/{id}/DELETE'],
  ])('%s %s is %s', (resourcePath, httpMethod, key) => {
    expect(methodSettingKey(resourcePath, httpMethod)).toBe(key);
  });

  test.each([
    ['/~1pets', '*'],
    ['*', 'GET'],
    ['pets', 'GET'],
    [undefined, 'GET'],
  ])('%s %s names no method setting', (resourcePath, httpMethod) => {
    expect(methodSettingKey(resourcePath, httpMethod)).toBeUndefined();
  });
});

describe('generated key values', () => {
  test('40 letters and digits, the same for a stack and logical id, different otherwise', () => {
    const value = generatedKeyValue('shop', 'ApiApiKey');
    expect(value).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(generatedKeyValue('shop', 'ApiApiKey')).toBe(value);
    expect(generatedKeyValue('shop2', 'ApiApiKey')).not.toBe(value);
    expect(generatedKeyValue('shop', 'OtherApiKey')).not.toBe(value);
  });
});

describe('usage plans SAM generates from Auth.UsagePlan', () => {
  test('PER_API: <Api>UsagePlan with the enabled key <Api>ApiKey; SHARED: one plan and key for all; NONE: none', () => {
    const plan = (kind: string, extra: Record<string, unknown> = {}) => ({
      Auth: { ApiKeyRequired: true, UsagePlan: { CreateUsagePlan: kind, ...extra } },
    });
    const r = load({
      Transform: SAM,
      Resources: {
        ...samApi('Own', plan('PER_API', { UsagePlanName: 'mine', Quota: { Limit: 10, Period: 'WEEK' } })),
        ...samApi('One', plan('SHARED', { Throttle: { RateLimit: 5, BurstLimit: 9 } })),
        ...samApi('Two', {
          ...plan('SHARED', { Throttle: { RateLimit: 7, BurstLimit: 3 } }),
          StageName: 'v2',
        }),
        ...samApi('Open', { ...plan('NONE'), StageName: 'v3' }),
      },
    });
    expect(errors(r)).toEqual([]);
    expect(r.usagePlans).toEqual([
      {
        logicalId: 'OwnUsagePlan',
        name: 'mine',
        apiStages: [{ api: 'Own', stage: 'v1' }],
        throttle: undefined,
        quota: { limit: 10, period: 'WEEK', offset: undefined },
        keys: [{ logicalId: 'OwnApiKey', name: 'OwnApiKey', value: undefined, enabled: true }],
      },
      {
        logicalId: 'ServerlessUsagePlan',
        name: 'ServerlessUsagePlan',
        apiStages: [
          { api: 'One', stage: 'v1' },
          { api: 'Two', stage: 'v2' },
        ],
        // SAM writes the shared plan once per API: the last one's settings stand.
        throttle: { rateLimit: 7, burstLimit: 3 },
        quota: undefined,
        keys: [{ logicalId: 'ServerlessApiKey', name: 'ServerlessApiKey', value: undefined, enabled: true }],
      },
    ]);
    expect(r.notes.join('\n')).not.toMatch(/usage plan/i);
  });

  test('an ApiKey in no usage plan is noted: API Gateway refuses it', () => {
    const r = load({
      Transform: SAM,
      Resources: {
        ...samApi('Api', {}),
        Loose: {
          Type: 'AWS::ApiGateway::ApiKey',
          Properties: { Value: 'loose-key-0123456789abcd', Enabled: true },
        },
      },
    });
    expect(r.notes).toEqual([
      'Loose: the API key is in no usage plan (no AWS::ApiGateway::UsagePlanKey): API Gateway refuses it',
    ]);
  });

  test('a CreateUsagePlan SAM does not know is an error', () => {
    const r = load({
      Transform: SAM,
      Resources: samApi('Api', { Auth: { UsagePlan: { CreateUsagePlan: 'ALL' } } }),
    });
    expect(errors(r)).toEqual([
      'Api: Auth.UsagePlan.CreateUsagePlan must be PER_API, SHARED or NONE, not "ALL"',
    ]);
  });
});

describe("a usage plan's Stage names a stage SAM generates", () => {
  test.each([[{ Ref: 'Api.Stage' }], [{ Ref: 'Apiv1Stage' }], ['v1']])('%j is the stage v1', (stage) => {
    const r = load({
      Transform: SAM,
      Resources: {
        ...samApi('Api', {}),
        Plan: {
          Type: 'AWS::ApiGateway::UsagePlan',
          Properties: { ApiStages: [{ ApiId: { Ref: 'Api' }, Stage: stage }] },
        },
      },
    });
    expect(r.problems).toEqual([]);
    expect(r.usagePlans[0].apiStages).toEqual([{ api: 'Api', stage: 'v1', throttle: undefined }]);
  });

  test("the implicit API's ServerlessRestApiProdStage, and <Api>Stage for a StageName given by a parameter", () => {
    const r = load({
      Transform: SAM,
      Parameters: { Stage: { Type: 'String', Default: 'beta' } },
      Resources: {
        Implicit: {
          Type: 'AWS::Serverless::Function',
          Properties: {
            Runtime: 'nodejs20.x',
            CodeUri: 'src/',
            Handler: 'app.handler',
            Events: { Get: { Type: 'Api', Properties: { Path: '/x', Method: 'get' } } },
          },
        },
        ...samApi('Api', { StageName: { Ref: 'Stage' } }),
        Plan: {
          Type: 'AWS::ApiGateway::UsagePlan',
          Properties: {
            ApiStages: [
              { ApiId: { Ref: 'ServerlessRestApi' }, Stage: { Ref: 'ServerlessRestApiProdStage' } },
              { ApiId: { Ref: 'Api' }, Stage: { Ref: 'ApiStage' } },
            ],
          },
        },
      },
    });
    expect(r.problems).toEqual([]);
    expect(r.usagePlans[0].apiStages.map((s) => [s.api, s.stage])).toEqual([
      ['ServerlessRestApi', 'Prod'],
      ['Api', 'beta'],
    ]);
  });
});

describe('stage settings of the template', () => {
  test("SAM's MethodSettings and CacheClusterEnabled; logging settings are noted as not applied", () => {
    const r = load({
      Transform: SAM,
      Resources: samApi('Api', {
        CacheClusterEnabled: true,
        CacheClusterSize: '1.6',
        MethodSettings: [
          {
            ResourcePath: '/*',
            HttpMethod: '*',
            ThrottlingRateLimit: 10,
            ThrottlingBurstLimit: 5,
            LoggingLevel: 'INFO',
          },
          {
            ResourcePath: '/~1hello',
            HttpMethod: 'GET',
            CachingEnabled: 'true',
            CacheTtlInSeconds: 30,
            // Off: nothing to say about them.
            DataTraceEnabled: false,
            MetricsEnabled: 'false',
          },
        ],
      }),
    });
    expect(errors(r)).toEqual([]);
    expect(r.apis[0].stages[0].settings).toEqual({
      pointer: '/Resources/Api/Properties',
      methodSettings: {
        '*/*': { throttlingRateLimit: 10, throttlingBurstLimit: 5 },
        '/hello/GET': { cachingEnabled: true, cacheTtlInSeconds: 30 },
      },
      cacheClusterEnabled: true,
      cacheClusterSize: '1.6',
    });
    expect(r.notes).toEqual([
      "Api: LoggingLevel (CloudWatch logging and metrics) are not applied; apigw's own access log is --access-log",
    ]);
  });

  test("a Deployment's StageDescription: its own throttle is */*, with its MethodSettings", () => {
    const r = load({
      Resources: {
        Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'plain' } },
        Get: {
          Type: 'AWS::ApiGateway::Method',
          Properties: {
            RestApiId: { Ref: 'Api' },
            ResourceId: { 'Fn::GetAtt': ['Api', 'RootResourceId'] },
            HttpMethod: 'GET',
            AuthorizationType: 'NONE',
            Integration: { Type: 'MOCK', RequestTemplates: { 'application/json': '{"statusCode": 200}' } },
          },
        },
        Deployment: {
          Type: 'AWS::ApiGateway::Deployment',
          Properties: {
            RestApiId: { Ref: 'Api' },
            StageName: 'live',
            StageDescription: {
              ThrottlingRateLimit: 3,
              ThrottlingBurstLimit: 2,
              MethodSettings: [{ ResourcePath: '/', HttpMethod: 'GET', CachingEnabled: true }],
              CacheClusterEnabled: true,
            },
          },
        },
      },
    });
    expect(errors(r)).toEqual([]);
    expect(r.apis[0].stages[0].settings?.methodSettings).toEqual({
      '*/*': { throttlingRateLimit: 3, throttlingBurstLimit: 2 },
      '//GET': { cachingEnabled: true },
    });
    expect(r.apis[0].stages[0].settings?.cacheClusterEnabled).toBe(true);
  });
});

describe('templateAccess: the template with the config', () => {
  const keyed = () => ({
    Transform: SAM,
    Resources: {
      ...samApi('Api', {
        Auth: {
          ApiKeyRequired: true,
          UsagePlan: { CreateUsagePlan: 'PER_API', Quota: { Limit: 5, Period: 'DAY' } },
        },
        MethodSettings: [
          { ResourcePath: '*', HttpMethod: '*', ThrottlingRateLimit: 1, ThrottlingBurstLimit: 1 },
          { ResourcePath: '/~1hello', HttpMethod: 'GET', CachingEnabled: true },
        ],
        CacheClusterEnabled: true,
      }),
      Other: { Type: 'AWS::ApiGateway::ApiKey', Properties: { Value: 'other-key-0123456789abcd' } },
      OtherPlan: {
        Type: 'AWS::ApiGateway::UsagePlan',
        Properties: {
          ApiStages: [
            {
              ApiId: { Ref: 'Api' },
              Stage: 'v1',
              Throttle: { '/hello/GET': { RateLimit: 2, BurstLimit: 4 } },
            },
          ],
        },
      },
      OtherPlanKey: {
        Type: 'AWS::ApiGateway::UsagePlanKey',
        Properties: { KeyId: { Ref: 'Other' }, KeyType: 'API_KEY', UsagePlanId: { Ref: 'OtherPlan' } },
      },
    },
  });

  test('plans point at the served API id and its (renamed) stage; keys get values; Enabled defaults to false', () => {
    const r = load(keyed());
    expect(errors(r)).toEqual([]);
    const [stage] = served(r);
    const { perApi, keys } = templateAccess(r, [{ ...stage, stage: 'renamed' }], {}, 'template.yaml');
    const apiId = apiIdFor(stage.api);
    expect(keys).toEqual([
      {
        logicalId: 'Other',
        name: 'Other',
        value: 'other-key-0123456789abcd',
        enabled: false,
        generated: false,
      },
      {
        logicalId: 'ApiApiKey',
        name: 'ApiApiKey',
        value: generatedKeyValue(r.stackName, 'ApiApiKey'),
        enabled: true,
        generated: true,
      },
    ]);
    const access = perApi[0];
    expect(access.usagePlans!.map((p) => ({ name: p.name, apiStages: p.apiStages, quota: p.quota }))).toEqual(
      [
        // readUsagePlans (the resource form) comes first, then SAM's generated plans.
        {
          name: 'OtherPlan',
          apiStages: [
            { apiId, stage: 'renamed', throttle: { '/hello/GET': { rateLimit: 2, burstLimit: 4 } } },
          ],
          quota: undefined,
        },
        {
          name: 'ApiUsagePlan',
          apiStages: [{ apiId, stage: 'renamed', throttle: {} }],
          quota: { limit: 5, period: 'DAY', offset: 0 },
        },
      ],
    );
    expect(access.methodSettings).toEqual({
      '*/*': { throttlingRateLimit: 1, throttlingBurstLimit: 1 },
      '/hello/GET': { cachingEnabled: true },
    });
    expect(access.cacheClusterEnabled).toBe(true);
  });

  test("the config's keys and plans are added; its method settings and cache cluster win", () => {
    const r = load(keyed());
    const own = parseAccessSetting(
      'apiKeys',
      [{ name: 'own', value: 'own-key-0123456789abcdef', enabled: true }],
      'c',
    );
    const { perApi } = templateAccess(
      r,
      served(r),
      {
        apiKeys: own as ApiKeySetting[],
        methodSettings: { '*/*': { throttlingRateLimit: 100, throttlingBurstLimit: 50 } },
        cacheClusterEnabled: false,
      },
      'template.yaml',
    );
    expect(perApi[0].apiKeys!.map((k) => k.name)).toEqual(['Other', 'ApiApiKey', 'own']);
    expect(perApi[0].methodSettings).toEqual({
      '*/*': { throttlingRateLimit: 100, throttlingBurstLimit: 50 },
      '/hello/GET': { cachingEnabled: true },
    });
    expect(perApi[0].cacheClusterEnabled).toBe(false);
  });

  test('a config key with the value of a template key, and a bad template value, are errors', () => {
    const r = load(keyed());
    const clash = parseAccessSetting('apiKeys', [{ name: 'dup', value: 'other-key-0123456789abcd' }], 'c');
    expect(() =>
      templateAccess(r, served(r), { apiKeys: clash as ApiKeySetting[] }, 'template.yaml'),
    ).toThrow("apiKeys: the key 'dup' has the same value as the template's Other");
    const short = keyed();
    (short.Resources.Other.Properties as Record<string, unknown>).Value = 'short';
    const r2 = load(short);
    expect(() => templateAccess(r2, served(r2), {}, 'template.yaml')).toThrow(AccessConfigError);
    expect(() => templateAccess(r2, served(r2), {}, 'template.yaml')).toThrow(
      'template.yaml: Other: apiKeys[0].value: API Key value should be at least 20 characters',
    );
  });

  test('a plan naming a stage the API is not deployed to, or no stage at all, is a warning', () => {
    const doc = keyed();
    Object.assign(doc.Resources, {
      Elsewhere: {
        Type: 'AWS::ApiGateway::UsagePlan',
        Properties: { UsagePlanName: 'elsewhere', ApiStages: [{ ApiId: { Ref: 'Api' }, Stage: 'v9' }] },
      },
      Nowhere: { Type: 'AWS::ApiGateway::UsagePlan', Properties: {} },
    });
    const r = load(doc);
    expect(templateAccess(r, served(r), {}, 'template.yaml').warnings).toEqual([
      "usage plan elsewhere (Elsewhere) names stage 'v9' of Api, which the template does not deploy it to (v1): that entry applies to nothing",
      'usage plan Nowhere (Nowhere) names no API stage apigw can resolve: its keys (none) are refused',
    ]);
  });

  test('a plan of an API that is not served is left out', () => {
    const r = load(keyed());
    const { perApi, keys } = templateAccess(r, [], {}, 'template.yaml');
    expect(perApi).toEqual([]);
    expect(keys).toEqual([]);
  });
});
