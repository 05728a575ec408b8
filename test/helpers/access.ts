import { validateLayer } from '../../gateway/config';
import type { ParsedFunctions } from './access-types';
import { startGateway, type RunningGateway } from '../../gateway/serve';
import { recordingLogger, tempDir, type TempDir } from './api-doc';

/** A mock method answering 200 with what `$context` says about the API key and the request. */
export function mockMethod(extra: Record<string, unknown> = {}, template?: string): Record<string, unknown> {
  return {
    responses: { '200': { description: 'ok' } },
    'x-amazon-apigateway-integration': {
      type: 'mock',
      passthroughBehavior: 'when_no_match',
      requestTemplates: { 'application/json': '{"statusCode": 200}' },
      responses: {
        default: {
          statusCode: '200',
          responseTemplates: {
            'application/json':
              template ??
              '{"apiKey":"$context.identity.apiKey","apiKeyId":"$context.identity.apiKeyId","requestId":"$context.requestId"}',
          },
        },
      },
    },
    ...extra,
  };
}

/** The API-key security scheme as API Gateway exports it (OpenAPI 3). */
export const API_KEY_SCHEME = { type: 'apiKey', name: 'x-api-key', in: 'header' };

/** A controllable clock: tests move it instead of waiting. */
export interface TestClock {
  (): number;
  advance(ms: number): void;
  set(epochMs: number): void;
}

export function testClock(start = Date.UTC(2026, 0, 15, 12, 0, 0)): TestClock {
  let now = start;
  const clock = (() => now) as TestClock;
  clock.advance = (ms) => (now += ms);
  clock.set = (t) => (now = t);
  return clock;
}

/** A gateway started for an OpenAPI document and config settings (checked as the config file's are). */
export interface AccessGateway {
  running: RunningGateway;
  dir: TempDir;
  lines: string[];
  get(
    path: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: string; headers: Headers }>;
  request(
    method: string,
    path: string,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: string; headers: Headers }>;
  close(): Promise<void>;
}

export async function startAccessGateway(
  document: Record<string, unknown>,
  settings: Record<string, unknown>,
  options: {
    clock?: () => number;
    functions?: ParsedFunctions;
    env?: NodeJS.ProcessEnv;
    /** Where the API document goes (two gateways on one file share an API id); default: a new folder. */
    dir?: TempDir;
  } = {},
): Promise<AccessGateway> {
  const owned = options.dir === undefined;
  const dir = options.dir ?? tempDir('apigw-access-');
  const { lines, log } = recordingLogger();
  const config = validateLayer(settings, 'test config', dir.dir);
  let running: RunningGateway;
  try {
    running = await startGateway(
      {
        ...config,
        api: dir.write('api.json', document),
        port: 0,
        host: '127.0.0.1',
        dataDir: dir.dir,
        ...(options.functions ? { functions: options.functions } : {}),
      },
      log,
      options.env ?? {},
      { clock: options.clock },
    );
  } catch (e) {
    if (owned) dir.remove();
    throw e;
  }
  const request = async (method: string, path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${running.url}${path}`, { method, headers });
    return { status: res.status, body: await res.text(), headers: res.headers };
  };
  return {
    running,
    dir,
    lines,
    request,
    get: (path, headers) => request('GET', path, headers),
    async close() {
      await running.close();
      if (owned) dir.remove();
    },
  };
}
