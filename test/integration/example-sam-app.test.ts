import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers/api-doc';
import { spawnApigw } from '../helpers/cli';

describe('examples/sam-app: `apigw serve examples/sam-app` runs the SAM application', () => {
  test('the implicit API on stage Prod, both functions, Globals, Parameters and CORS preflight', async () => {
    const data = tempDir('apigw-sam-app-');
    const apigw = spawnApigw([
      'serve',
      'examples/sam-app',
      '--port',
      '0',
      '--data-dir',
      data.dir,
      '--parameter-overrides',
      'Greeting=howdy Environment=prod',
    ]);
    try {
      const [, base] = await apigw.waitFor(/Base URL: (http:\/\/\S+)/);
      expect(base).toMatch(/\/Prod$/);

      const hello = await fetch(`${base}/hello?name=sam`);
      expect(hello.status).toBe(200);
      expect(await hello.json()).toEqual({ message: 'howdy sam', stage: 'Prod', label: 'production' });

      const missing = await fetch(`${base}/items/a1`);
      expect(missing.status).toBe(404);
      expect(await missing.json()).toEqual({ message: 'no item a1', note: 'items of sam-app in us-east-1' });
      const put = await fetch(`${base}/items/a1`, { method: 'PUT', body: '{"name":"first"}' });
      expect(put.status).toBe(204);
      const got = await fetch(`${base}/items/a1`);
      expect(await got.json()).toEqual({ name: 'first' });

      const preflight = await fetch(`${base}/items/a1`, {
        method: 'OPTIONS',
        headers: { Origin: 'http://example.com', 'Access-Control-Request-Method': 'PUT' },
      });
      expect(preflight.status).toBe(200);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
      expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,OPTIONS,PUT');
      expect(preflight.headers.get('access-control-allow-headers')).toBe('Content-Type,X-Api-Key');

      // The key SAM's usage plan gives the API, printed at start-up.
      const keyless = await fetch(`${base}/partner/hello`);
      expect(keyless.status).toBe(403);
      expect(await keyless.json()).toEqual({ message: 'Forbidden' });
      const [, key] = /API key ServerlessRestApiApiKey \(ServerlessRestApiApiKey\): ([A-Za-z0-9]{40})/.exec(
        apigw.stderr(),
      )!;
      const keyed = await fetch(`${base}/partner/hello?name=partner`, { headers: { 'x-api-key': key } });
      expect(keyed.status).toBe(200);
      expect(await keyed.json()).toEqual({ message: 'howdy partner', stage: 'Prod', label: 'production' });
    } finally {
      apigw.child.kill('SIGTERM');
      expect(await apigw.exited).toBe(0);
      data.remove();
    }
    const log = apigw.stderr();
    expect(log).toContain('route GET /Prod/hello ← HelloWorldFunction (ServerlessRestApi)');
    expect(log).toContain('route PUT /Prod/items/{id} ← ItemsFunction (ServerlessRestApi)');
    expect(log).toContain('embedded Lambda at http://127.0.0.1:');
  });
});

describe('templates apigw refuses: one line on stderr, exit 1, no stack trace', () => {
  const dir = tempDir('apigw-template-errors-');
  afterAll(() => dir.remove());

  test('a file that is neither OpenAPI nor a template', async () => {
    const file = dir.write('notes.yaml', 'title: shopping list\nitems: [milk, eggs]\n');
    const apigw = spawnApigw(['serve', file, '--port', '0', '--data-dir', dir.dir]);
    expect(await apigw.exited).toBe(1);
    expect(apigw.stderr()).toBe(
      `apigw: ${file} cannot be served:\n${file}#: error: not an OpenAPI document: expected a top-level \`swagger: "2.0"\` (OpenAPI 2.0) or \`openapi: 3.x\` (OpenAPI 3.0 / 3.1), or a SAM / CloudFormation template (with Resources)\n`,
    );
  });

  test('a circular Ref', async () => {
    const file = path.join(dir.dir, 'circular.yaml');
    writeFileSync(
      file,
      `Transform: AWS::Serverless-2016-10-31
Resources:
  Api:
    Type: AWS::Serverless::Api
    Properties:
      StageName: prod
      DefinitionBody:
        swagger: '2.0'
        info: { title: t }
        paths:
          /x:
            get:
              x-amazon-apigateway-integration:
                type: aws_proxy
                httpMethod: POST
                uri: !Sub arn:aws:apigateway:\${AWS::Region}:lambda:path/2015-03-31/functions/\${Fn.Arn}/invocations
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      Runtime: nodejs20.x
      Handler: app.handler
      Environment:
        Variables:
          API_URL: !Sub https://\${Api}.execute-api.\${AWS::Region}.amazonaws.com/prod
`,
    );
    const apigw = spawnApigw(['serve', file, '--port', '0', '--data-dir', dir.dir]);
    expect(await apigw.exited).toBe(1);
    expect(apigw.stderr()).toBe(
      `apigw: ${file} cannot be served:\n${file}#/Resources: error: Circular dependency between resources: [Api, Fn]\n`,
    );
  });

  test('--api naming no API of the template', async () => {
    const apigw = spawnApigw([
      'serve',
      'examples/sam-app',
      '--api',
      'Nope',
      '--port',
      '0',
      '--data-dir',
      dir.dir,
    ]);
    expect(await apigw.exited).toBe(1);
    expect(apigw.stderr()).toMatch(
      /^.*apigw: --api Nope: the template has no such REST API \(it has ServerlessRestApi\)\n$/s,
    );
  });
});
