import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Slowloris: headers that never finish are cut after this long (Node's default: 60 s, checked every 30 s). */
export const DEFAULT_HEADERS_TIMEOUT_MS = 20_000;

/**
 * Node's checks of `headersTimeout` run every `connectionsCheckingInterval`: a fraction of the
 * timeout, so that a connection is cut close to it (not up to 30 s later).
 */
export function headersTimeoutOptions(headersTimeoutMs: number): {
  headersTimeout: number;
  requestTimeout: number;
  connectionsCheckingInterval: number;
} {
  return {
    headersTimeout: headersTimeoutMs,
    // No limit on the whole request: long uploads must not be cut.
    requestTimeout: 0,
    connectionsCheckingInterval: Math.min(1000, Math.max(50, Math.floor(headersTimeoutMs / 4) || 1000)),
  };
}

/** Listens and resolves with the bound address. */
export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Stops accepting connections and closes idle ones; resolves once every connection has ended. */
export function closeServer(server: Server): Promise<void> {
  return new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
