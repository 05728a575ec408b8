import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stableId } from '../../gateway/access/settings';
import { createLogger } from '../../gateway/log';
import { startGateway, type RunningGateway } from '../../gateway/serve';
import { stackNameOf } from '../../openapi/cloudformation';
import { tempDir, type TempDir } from '../helpers/api-doc';
import { spawnApigw } from '../helpers/cli';
import { LAMBDA_KEYS } from '../helpers/lambda-invoke';
import { redisAvailable, startRedis, type TestRedis } from '../helpers/redis';
import { inlineHelloFunction } from '../helpers/sam';

// `apigw usage template.yaml --plan NAME` reads the usage of a plan the template declares, from
// the Redis store a gateway serving that template counted it in (a real redis-server).

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
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
          Quota:
            Limit: 10
            Period: DAY
${inlineHelloFunction('PartnerApi', 'hi')}`;

const run = redisAvailable() ? describe : describe.skip;

run('apigw usage of a template', () => {
  let redis: TestRedis;
  let dir: TempDir;
  let gw: RunningGateway;
  let lines: string[];
  beforeAll(async () => {
    redis = await startRedis();
    dir = tempDir('apigw-template-usage-');
    writeFileSync(path.join(dir.dir, 'template.yaml'), TEMPLATE);
    lines = [];
    gw = await startGateway(
      {
        api: path.join(dir.dir, 'template.yaml'),
        port: 0,
        host: '127.0.0.1',
        dataDir: path.join(dir.dir, '.apigw'),
        redis: redis.url,
      },
      createLogger('info', (l) => void lines.push(l)),
      { AWS_ACCESS_KEY_ID: LAMBDA_KEYS.accessKeyId, AWS_SECRET_ACCESS_KEY: LAMBDA_KEYS.secretAccessKey },
    );
  });
  afterAll(async () => {
    await gw?.close();
    await redis?.stop();
    dir?.remove();
  });

  test("the template's plan by its name, its generated key by id: [used, remaining] of today", async () => {
    const key = /\(PartnerApiApiKey\): ([A-Za-z0-9]{40})/.exec(lines.join(''))![1];
    for (let i = 0; i < 3; i++)
      expect((await fetch(`${gw.url}/hello`, { headers: { 'x-api-key': key } })).status).toBe(200);
    const template = path.join(dir.dir, 'template.yaml');
    const usage = spawnApigw(['usage', template, '--plan', 'partners', '--redis', redis.url]);
    expect(await usage.exited).toBe(0);
    const stack = stackNameOf(template);
    const today = new Date().toISOString().slice(0, 10);
    expect(JSON.parse(usage.stdout())).toEqual({
      usagePlanId: stableId(`usageplan\n${stack}\nPartnerApiUsagePlan`),
      startDate: today,
      endDate: today,
      values: { [stableId(`apikey\n${stack}\nPartnerApiApiKey`)]: [[3, 7]] },
    });
    // The folder holding it works as well.
    const byDir = spawnApigw(['usage', dir.dir, '--plan', 'partners', '--redis', redis.url]);
    expect(await byDir.exited).toBe(0);
    expect(JSON.parse(byDir.stdout()).values).toEqual(JSON.parse(usage.stdout()).values);
  });
});
