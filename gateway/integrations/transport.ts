import http from 'node:http';
import https from 'node:https';
import type { IntegrationResult } from '../invocation';

/** The backend could not be reached or did not answer in time. */
export class IntegrationNetworkError extends Error {
  constructor(
    readonly kind: 'timeout' | 'failure',
    message: string,
  ) {
    super(message);
    this.name = 'IntegrationNetworkError';
  }
}

/** One HTTP call to a backend: the path and query are sent exactly as given. */
export interface BackendRequest {
  url: URL;
  /** Path and query string as they go on the wire. */
  target: string;
  method: string;
  headers: Record<string, string | string[]>;
  body: Buffer;
  timeoutMs: number;
  /** tlsConfig.insecureSkipVerification of HTTP integrations. */
  insecureSkipVerification?: boolean;
}

const agents = {
  http: new http.Agent({ keepAlive: true }),
  https: new https.Agent({ keepAlive: true }),
  httpsInsecure: new https.Agent({ keepAlive: true, rejectUnauthorized: false }),
};

/**
 * Sends a request and resolves once the response headers arrive; the body streams on. The
 * integration timeout bounds the wait for that answer, as API Gateway's timeoutInMillis does.
 */
export function sendBackendRequest(req: BackendRequest): Promise<IntegrationResult> {
  const secure = req.url.protocol === 'https:';
  const agent = secure ? (req.insecureSkipVerification ? agents.httpsInsecure : agents.https) : agents.http;
  const transport = secure ? https : http;
  return new Promise((resolve, reject) => {
    const outgoing = transport.request(
      {
        agent,
        method: req.method,
        hostname: req.url.hostname,
        port: req.url.port ? Number(req.url.port) : undefined,
        path: req.target,
        headers: req.headers,
      },
      (incoming) => {
        clearTimeout(timer);
        const headers: Record<string, string[]> = {};
        const raw = incoming.rawHeaders;
        for (let i = 0; i < raw.length; i += 2) (headers[raw[i]] ??= []).push(raw[i + 1]);
        resolve({ status: incoming.statusCode ?? 502, headers, body: { kind: 'stream', stream: incoming } });
      },
    );
    const timer = setTimeout(() => {
      outgoing.destroy(
        new IntegrationNetworkError('timeout', `no answer from ${req.url.origin} within ${req.timeoutMs} ms`),
      );
    }, req.timeoutMs);
    outgoing.on('error', (e) => {
      clearTimeout(timer);
      reject(
        e instanceof IntegrationNetworkError
          ? e
          : new IntegrationNetworkError('failure', `${req.url.origin}: ${e.message}`),
      );
    });
    outgoing.end(req.body);
  });
}
