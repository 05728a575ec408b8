import { existsSync } from 'node:fs';
import path from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** AWS's published sample APIs, which CI checks out beside the repository (a plain clone has none). */
export const FIXTURES = path.resolve(__dirname, '..', '..', '..', 'shared', 'fixtures');
export const HAVE_FIXTURES = existsSync(FIXTURES);

export interface Keys {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface CallOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  region?: string;
  /** Sign at another time (to test expiry). */
  signingDate?: Date;
}

/**
 * Calls an API signed with SigV4 for execute-api, as the AWS SDKs and Postman do (the path is
 * double-encoded in the canonical request). `pathAndQuery` is sent exactly as given.
 */
export async function callSigned(
  baseUrl: string,
  pathAndQuery: string,
  keys: Keys,
  options: CallOptions = {},
): Promise<Response> {
  const url = new URL(baseUrl);
  const full = url.pathname.replace(/\/$/, '') + pathAndQuery;
  const q = full.indexOf('?');
  const query: Record<string, string | string[]> = {};
  if (q >= 0) {
    for (const [k, v] of new URLSearchParams(full.slice(q + 1))) {
      const prev = query[k];
      query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
    }
  }
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const request = new HttpRequest({
    method: options.method ?? 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: q >= 0 ? full.slice(0, q) : full,
    query,
    headers: { host: url.host, ...(options.headers ?? {}) },
    body,
  });
  const signer = new SignatureV4({
    service: 'execute-api',
    region: options.region ?? 'us-east-1',
    credentials: keys,
    sha256: Sha256,
  });
  const signed = await signer.sign(request, { signingDate: options.signingDate });
  const headers = { ...signed.headers };
  delete headers.host;
  return fetch(`${url.origin}${full}`, { method: signed.method, headers, body });
}
