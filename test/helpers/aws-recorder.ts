import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** A request as an AWS service endpoint received it, with what its SigV4 signature says. */
export interface RecordedAwsRequest {
  method: string;
  /** The path exactly as received (still percent-encoded). */
  path: string;
  /** Decoded query parameters in the order received. */
  query: Array<[string, string]>;
  /** Lower-cased header names, as Node presents them (repeated values joined). */
  headers: Record<string, string>;
  body: Buffer;
  /** What the Authorization header claims and whether the AWS SDK's signer agrees. */
  signature: {
    /** The signature is the one the SDK computes with the endpoint's secret, service and region. */
    valid: boolean;
    accessKeyId: string;
    region: string;
    service: string;
    signedHeaders: string[];
  };
}

/** What the endpoint answers. */
export interface AwsReply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (the request stays open until the endpoint closes). */
  hang?: boolean;
}

/** A stand-in AWS service endpoint that checks each request's signature and records it. */
export interface AwsRecorder {
  readonly url: string;
  readonly requests: RecordedAwsRequest[];
  /** How requests that are correctly signed are answered (default 200 `{}`). */
  respond(reply: AwsReply | ((req: RecordedAwsRequest) => AwsReply)): void;
  close(): Promise<void>;
}

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/;

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

function headerValues(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}

/**
 * Recomputes the signature with the AWS SDK's signer (`@smithy/signature-v4`) for the given
 * service and region, over exactly the headers the request says it signed.
 */
async function checkSignature(
  recorded: Omit<RecordedAwsRequest, 'signature'>,
  expected: { service: string; region: string; secrets: Record<string, string> },
): Promise<RecordedAwsRequest['signature']> {
  const m = AUTHORIZATION.exec(recorded.headers.authorization ?? '');
  if (!m) return { valid: false, accessKeyId: '', region: '', service: '', signedHeaders: [] };
  const [, accessKeyId, , region, service, signedList, signature] = m;
  const signedHeaders = signedList.split(';');
  const claimed = { accessKeyId, region, service, signedHeaders };
  const secret = expected.secrets[accessKeyId];
  const amzDate = recorded.headers['x-amz-date'];
  if (secret === undefined || service !== expected.service || region !== expected.region || !amzDate)
    return { valid: false, ...claimed };
  const date = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of recorded.query) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) {
    if (name === 'x-amz-date' || name === 'x-amz-security-token') continue;
    headers[name] = recorded.headers[name] ?? '';
  }
  const signer = new SignatureV4({
    service,
    region,
    credentials: {
      accessKeyId,
      secretAccessKey: secret,
      sessionToken: recorded.headers['x-amz-security-token'],
    },
    sha256: Hash.bind(null, 'sha256'),
    uriEscapePath: service !== 's3',
    applyChecksum: false,
  });
  const signed = await signer.sign(
    new HttpRequest({ method: recorded.method, path: recorded.path, query, headers, body: recorded.body }),
    { signingDate: date },
  );
  const ours = AUTHORIZATION.exec(signed.headers.authorization ?? '');
  return { valid: ours !== null && ours[6] === signature && ours[5] === signedList, ...claimed };
}

/**
 * Starts a recording endpoint for `service` in `region` on 127.0.0.1 and a free port. A request
 * whose signature is not right for that service, region and a known key is recorded too, and
 * answered as AWS answers it (403 InvalidSignatureException).
 */
export async function startAwsRecorder(options: {
  service: string;
  region: string;
  /** accessKeyId → secretAccessKey of the keys the endpoint knows. */
  secrets: Record<string, string>;
}): Promise<AwsRecorder> {
  const requests: RecordedAwsRequest[] = [];
  let reply: AwsReply | ((req: RecordedAwsRequest) => AwsReply) = {};
  const server = createServer((req, res) => {
    void (async () => {
      const body = await readBody(req);
      const url = req.url ?? '/';
      const q = url.indexOf('?');
      const base = {
        method: req.method ?? 'GET',
        path: q < 0 ? url : url.slice(0, q),
        query: [...new URLSearchParams(q < 0 ? '' : url.slice(q + 1))],
        headers: headerValues(req),
        body,
      };
      const recorded: RecordedAwsRequest = { ...base, signature: await checkSignature(base, options) };
      requests.push(recorded);
      if (!recorded.signature.valid) {
        res.writeHead(403, { 'Content-Type': 'application/x-amz-json-1.0' });
        res.end(
          JSON.stringify({
            __type: 'InvalidSignatureException',
            message: 'The request signature we calculated does not match the signature you provided.',
          }),
        );
        return;
      }
      const answer = typeof reply === 'function' ? reply(recorded) : reply;
      if (answer.hang) return;
      res.writeHead(answer.status ?? 200, answer.headers ?? { 'Content-Type': 'application/json' });
      res.end(answer.body ?? '{}');
    })().catch((e: Error) => {
      res.writeHead(599);
      res.end(e.message);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    respond(r) {
      reply = r;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
