import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { apiDocument, tempDir, type TempDir } from '../helpers/api-doc';
import { createLogger } from '../../gateway/log';
import { startGateway, type RunningGateway } from '../../gateway/serve';

// The gateway keeps its connections to a backend open and reuses them, as API Gateway does.
let backend: Server;
let backendUrl: string;
let connections = 0;
const sockets = new Set<Socket>();
let dir: TempDir;
let gw: RunningGateway;

beforeAll(async () => {
  backend = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end(`seen ${req.method} ${req.url}`));
  });
  backend.on('connection', (socket: Socket) => {
    connections++;
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve));
  backendUrl = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  dir = tempDir('apigw-keepalive-');
  const doc = apiDocument('keep-alive', {
    '/proxy/{proxy+}': {
      'x-amazon-apigateway-any-method': {
        type: 'http_proxy',
        httpMethod: 'ANY',
        uri: `${backendUrl}/upstream/{proxy}`,
        requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' },
      },
    },
  });
  gw = await startGateway(
    { api: dir.write('api.json', doc), port: 0, host: '127.0.0.1', dataDir: dir.dir },
    createLogger('error'),
    {},
  );
});
afterAll(async () => {
  await gw.close();
  for (const s of sockets) s.destroy();
  await new Promise((resolve) => backend.close(resolve));
  dir.remove();
});

test('20 sequential http_proxy calls go over one or two backend connections', async () => {
  const before = connections;
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${gw.url}/proxy/item${i}`, i % 2 ? { method: 'POST', body: `body ${i}` } : {});
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(`seen ${i % 2 ? 'POST' : 'GET'} /upstream/item${i}`);
  }
  expect(connections - before).toBeGreaterThanOrEqual(1);
  expect(connections - before).toBeLessThanOrEqual(2);
});
