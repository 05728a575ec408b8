import type { Socket } from 'node:net';
import type { Readable } from 'node:stream';
import type { IntegrationResult } from '../invocation';
import { sendBackendRequest, type BackendBody } from '../integrations/transport';
import type { OutboundCredentials } from './credentials';
import { signRequest } from './signer';

export { IntegrationNetworkError } from '../integrations/transport';

/** A request to an AWS service endpoint, before signing. */
export interface AwsServiceRequest {
  /** The endpoint prefix of the uri (`s3`, `sqs`, `states`...): S3's signing rules apply to `s3`. */
  service: string;
  /** The SigV4 service name, when it is not `service` (e.g. `ses` for `email`). */
  signingName?: string;
  region: string;
  endpoint: URL;
  method: string;
  /** Already percent-encoded path (S3 decodes it once, as it does for AWS). */
  path: string;
  /** Decoded query parameters in order; repeated names allowed. */
  query: Array<[string, string]>;
  headers: Record<string, string>;
  /** A stream is sent with UNSIGNED-PAYLOAD to S3; other services get it read whole first. */
  body: BackendBody;
  timeoutMs: number;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/** Headers without any of the given names, whatever their case. */
function withoutHeaders(headers: Record<string, string>, names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => !names.includes(k.toLowerCase())));
}

/**
 * Signs with SigV4 for the request's service and region (S3 rules for s3) and sends it. A
 * streamed body cannot be hashed before it is sent: S3 accepts `x-amz-content-sha256:
 * UNSIGNED-PAYLOAD` (the signature still covers method, path, query and headers, the length
 * included), which keeps a 1 GiB upload out of memory; any other service signs the body's hash,
 * so a stream is read whole for it.
 */
export async function sendAwsRequest(
  req: AwsServiceRequest,
  credentials: OutboundCredentials,
  client?: Socket,
): Promise<IntegrationResult> {
  const isS3 = req.service === 's3';
  const body: BackendBody = Buffer.isBuffer(req.body) || isS3 ? req.body : await readAll(req.body.stream);
  const streamed = !Buffer.isBuffer(body);
  const length = body.length;
  const basePath = req.endpoint.pathname.replace(/\/$/, '');
  const signed = signRequest(
    {
      method: req.method,
      path: basePath + req.path,
      query: req.query,
      headers: {
        ...(streamed ? withoutHeaders(req.headers, ['x-amz-content-sha256']) : req.headers),
        host: req.endpoint.host,
        ...(streamed ? { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } : {}),
        ...(length !== undefined && (length > 0 || ['PUT', 'POST', 'PATCH'].includes(req.method))
          ? { 'content-length': String(length) }
          : {}),
      },
      body: streamed ? undefined : body,
    },
    {
      service: req.signingName ?? req.service,
      region: req.region,
      credentials,
      // S3 signs the path exactly as sent; every other service double-encodes it.
      uriEscapePath: !isS3,
      applyChecksum: isS3,
    },
  );
  return sendBackendRequest(
    {
      url: req.endpoint,
      target: signed.target,
      method: req.method,
      headers: signed.headers,
      body,
      timeoutMs: req.timeoutMs,
    },
    client,
  );
}
