import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import express from 'express';
import { createLogger } from '../../gateway/log';
import { middleware, type GatewayMiddleware } from '../../gateway/middleware';
import { tempDir, type TempDir } from '../helpers/api-doc';
import { REPO } from '../helpers/cli';

// apigw.middleware() runs the same API keys, usage plans and stage cache as `apigw serve`: the
// usage-plans example mounted in an Express app.

describe('examples/usage-plans inside an Express app', () => {
  let dir: TempDir;
  let server: Server;
  let gateway: GatewayMiddleware;
  let base: string;
  beforeAll(async () => {
    dir = tempDir('apigw-access-express-');
    gateway = middleware({
      api: path.join(REPO, 'examples', 'usage-plans'),
      dataDir: dir.dir,
      log: createLogger('error'),
      env: {},
    });
    const app = express();
    app.use('/weather', gateway);
    await gateway.ready;
    server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/weather/v1`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await gateway.close();
    dir.remove();
  });

  test('keys are checked, the plan throttles, the cache answers', async () => {
    const forbidden = await fetch(`${base}/forecast/paris`);
    expect(forbidden.status).toBe(403);
    expect(await forbidden.json()).toEqual({ message: 'Forbidden' });
    const key = { 'x-api-key': 'free-customer-key-0123456789' };
    const first = (await (await fetch(`${base}/forecast/paris`, { headers: key })).json()) as {
      computedBy: string;
    };
    const second = (await (await fetch(`${base}/forecast/paris`, { headers: key })).json()) as {
      computedBy: string;
    };
    expect(second.computedBy).toBe(first.computedBy);
    const posts: number[] = [];
    for (let i = 0; i < 3; i++)
      posts.push((await fetch(`${base}/reports`, { method: 'POST', headers: key })).status);
    expect(posts).toEqual([202, 202, 429]);
  });
});
