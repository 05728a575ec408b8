import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Principal } from '../auth/credentials';
import { escapeUri, signRequest } from '../aws/signer';
import type { SideHandler } from '../live';
import type { Logger } from '../log';
import { routeTable } from '../report';
import type { PreparedApi, ServeConfig } from '../serve';
import { CONSOLE_HTML } from './page';
import { RecentRequests } from './recent';

export { RecentRequests } from './recent';

/**
 * Where the console lives. A stage name is letters, digits, '-' and '_' only, so a first path
 * segment with a dot can never be one of the API's stage routes.
 */
export const CONSOLE_PATH = '/.apigw/console';

/** What the console's test form sends. */
interface TestInvocation {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: string;
  sign: boolean;
}

const MAX_FORM_BYTES = 1024 * 1024;

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  const data = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, {
    'Content-Type': type,
    'Content-Length': String(data.length),
    'Cache-Control': 'no-store',
    // The page is apigw's own: no framing by other sites, no scripts from anywhere else.
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
  });
  res.end(data);
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  send(res, status, 'application/json', JSON.stringify(value));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_FORM_BYTES) throw new Error('the test invocation is larger than 1 MiB');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export interface ConsoleOptions {
  recent: RecentRequests;
  /** The gateway's own port on loopback, where test invocations go. */
  port: number;
  principals: readonly Principal[];
  config: ServeConfig;
  prepared: PreparedApi;
  apiId: () => string;
  log: Logger;
}

/**
 * The console: the routes, a form that sends a test invocation through the gateway (as a client
 * would, with `X-Apigw-Trace: 1`) and shows its response and trace, the recent requests with their
 * traces, and the access log.
 */
export class ConsolePage implements SideHandler {
  private config: ServeConfig;
  private prepared: PreparedApi;

  constructor(private readonly options: ConsoleOptions) {
    this.config = options.config;
    this.prepared = options.prepared;
  }

  owns(url: string): boolean {
    return url === CONSOLE_PATH || url.startsWith(`${CONSOLE_PATH}/`) || url.startsWith(`${CONSOLE_PATH}?`);
  }

  /** A reload swapped the API in: the console shows the new one. */
  apiChanged(config: ServeConfig, prepared: PreparedApi): void {
    this.config = config;
    this.prepared = prepared;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://console');
    const route = url.pathname.slice(CONSOLE_PATH.length) || '/';
    // The page is open: trace requests for it (its script asks every few seconds).
    this.options.recent.look();
    try {
      if (req.method === 'GET' && (route === '/' || route === '/index.html')) {
        if (url.pathname === CONSOLE_PATH) {
          // Relative URLs of the page resolve under the prefix only with the trailing slash.
          res.writeHead(302, { Location: `${CONSOLE_PATH}/`, 'Content-Length': '0' });
          res.end();
          return;
        }
        return send(res, 200, 'text/html; charset=utf-8', CONSOLE_HTML);
      }
      if (req.method === 'GET' && route === '/api/routes') return sendJson(res, 200, this.routes(req));
      if (req.method === 'GET' && route === '/api/requests')
        return sendJson(res, 200, this.options.recent.list());
      if (req.method === 'POST' && route === '/api/invoke') {
        // A JSON content type cannot be sent cross-site without a preflight, which is never granted:
        // another web page cannot make the browser send test invocations.
        if (!/^application\/json\b/i.test(req.headers['content-type'] ?? ''))
          return sendJson(res, 415, { error: 'send the test invocation as application/json' });
        const form = JSON.parse((await readBody(req)).toString('utf8')) as TestInvocation;
        return sendJson(res, 200, await this.invoke(form));
      }
      sendJson(res, 404, { error: `no console resource ${url.pathname}` });
    } catch (e) {
      this.options.log.warn(`console: ${req.method} ${url.pathname}: ${(e as Error).message}`);
      if (!res.headersSent) sendJson(res, 400, { error: (e as Error).message });
    }
  }

  private routes(req: IncomingMessage) {
    const host = req.headers.host ?? `127.0.0.1:${this.options.port}`;
    return {
      title: this.prepared.api.title,
      apiId: this.options.apiId(),
      stage: this.prepared.stage,
      baseUrl: `http://${host}/${this.prepared.stage}`,
      routes: routeTable(this.prepared.api, this.config.stageVariables ?? {}),
      unsupported: this.prepared.unsupported,
    };
  }

  /** Sends the form's request to the gateway on loopback and returns its response and trace. */
  private async invoke(form: TestInvocation) {
    const method = String(form.method || 'GET').toUpperCase();
    const rawPath = String(form.path || '/');
    const path = `/${this.prepared.stage}${rawPath.startsWith('/') ? rawPath : `/${rawPath}`}`
      .split('/')
      .map((segment) => escapeUri(decodeURIComponentSafe(segment)))
      .join('/');
    const query = new URLSearchParams(String(form.query || '').replace(/^\?/, ''));
    const host = `127.0.0.1:${this.options.port}`;
    const body = method === 'GET' || method === 'HEAD' ? undefined : Buffer.from(String(form.body ?? ''));
    let headers: Record<string, string> = { ...form.headers, host, 'x-apigw-trace': '1' };
    const key = this.options.principals[0];
    const hasAuthorization = Object.keys(form.headers ?? {}).some((h) => h.toLowerCase() === 'authorization');
    if (form.sign && key && !hasAuthorization) {
      const signed = signRequest(
        { method, path, query: [...query.entries()], headers, body: body ?? Buffer.alloc(0) },
        {
          service: 'execute-api',
          region: this.config.region ?? 'us-east-1',
          credentials: key,
          uriEscapePath: true,
          applyChecksum: false,
        },
      );
      headers = signed.headers;
    }
    const { host: _host, ...sent } = headers;
    const queryText = query.toString().replace(/\+/g, '%20');
    const started = performance.now();
    const res = await fetch(`http://${host}${path}${queryText ? `?${queryText}` : ''}`, {
      method,
      headers: sent,
      body,
      redirect: 'manual',
    });
    const data = Buffer.from(await res.arrayBuffer());
    const latencyMs = Math.round(performance.now() - started);
    const traceHeader = res.headers.get('x-apigw-trace');
    const responseHeaders: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      if (name !== 'x-apigw-trace') responseHeaders[name] = value;
    });
    const requestId = res.headers.get('x-amzn-requestid') ?? undefined;
    // The trace in the header stops at the method response; the recorded one is complete.
    const recorded = requestId ? this.options.recent.find(requestId)?.trace : undefined;
    const text = data.toString('utf8');
    return {
      status: res.status,
      latencyMs,
      headers: responseHeaders,
      body: text.includes('\ufffd') ? `[binary, ${data.length} bytes]` : text,
      trace:
        recorded ??
        (traceHeader ? JSON.parse(Buffer.from(traceHeader, 'base64').toString('utf8')) : undefined),
    };
  }
}

function decodeURIComponentSafe(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
