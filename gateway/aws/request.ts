import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { buildQueryString } from '@smithy/querystring-builder';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Readable } from 'node:stream';
import type { IntegrationResult } from '../invocation';
import { sendBackendRequest, type BackendBody } from '../integrations/transport';
import type { OutboundCredentials } from './credentials';

export { IntegrationNetworkError } from '../integrations/transport';

/** A request to an AWS service endpoint, before signing. */
export interface AwsServiceRequest {
  service: string;
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

function queryRecord(query: Array<[string, string]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of query) {
    const prev = out[name];
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

const signers = new Map<string, SignatureV4>();

/**
 * One signer per service, region and key, kept: SignatureV4 caches its derived signing key, which
 * saves four HMACs on every call.
 */
function signerFor(service: string, region: string, credentials: OutboundCredentials): SignatureV4 {
  const id = [
    service,
    region,
    credentials.accessKeyId,
    credentials.secretAccessKey,
    credentials.sessionToken ?? '',
  ].join('\0');
  let signer = signers.get(id);
  if (!signer) {
    const isS3 = service === 's3';
    signer = new SignatureV4({
      service,
      region,
      credentials: {
        accessKeyId: credentials.accessKeyId,
        secretAccessKey: credentials.secretAccessKey,
        sessionToken: credentials.sessionToken,
      },
      sha256: Hash.bind(null, 'sha256'),
      // S3 signs the path exactly as sent; every other service double-encodes it.
      uriEscapePath: !isS3,
      applyChecksum: isS3,
    });
    signers.set(id, signer);
  }
  return signer;
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
): Promise<IntegrationResult> {
  const isS3 = req.service === 's3';
  const body: BackendBody = Buffer.isBuffer(req.body) || isS3 ? req.body : await readAll(req.body.stream);
  const streamed = !Buffer.isBuffer(body);
  const length = body.length;
  const signer = signerFor(req.service, req.region, credentials);
  const port = req.endpoint.port ? Number(req.endpoint.port) : undefined;
  const basePath = req.endpoint.pathname.replace(/\/$/, '');
  const unsigned = new HttpRequest({
    method: req.method,
    protocol: req.endpoint.protocol,
    hostname: req.endpoint.hostname,
    port,
    path: basePath + req.path,
    query: queryRecord(req.query),
    headers: {
      ...(streamed ? withoutHeaders(req.headers, ['x-amz-content-sha256']) : req.headers),
      host: req.endpoint.host,
      ...(streamed ? { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } : {}),
      ...(length !== undefined && (length > 0 || ['PUT', 'POST', 'PATCH'].includes(req.method))
        ? { 'content-length': String(length) }
        : {}),
    },
    body: streamed ? undefined : body,
  });
  const signed = await signer.sign(unsigned);
  const qs = buildQueryString(signed.query ?? {});
  return sendBackendRequest({
    url: req.endpoint,
    target: qs ? `${signed.path}?${qs}` : signed.path,
    method: signed.method,
    headers: signed.headers,
    body,
    timeoutMs: req.timeoutMs,
  });
}
