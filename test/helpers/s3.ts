import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Sha256 } from '@aws-crypto/sha256-js';
import { S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { startS3Server, type RunningS3, type S3User } from '../../gateway/backends/s3';
import { canonicalIdFor } from '../../gateway/auth/credentials';

/** A user as a credentials-file profile would define it. */
export function testUser(profile: string): S3User {
  return {
    accessKeyId: `AKIA${profile.toUpperCase().padEnd(16, 'X').slice(0, 16)}`,
    secretAccessKey: `secret/${profile}+0123456789abcdefghijklmnopqrstu`,
    owner: { id: canonicalIdFor(profile), displayName: profile, email: `${profile}@example.com` },
  };
}

export const ALICE = testUser('alice');
export const BOB = testUser('bob');

export interface TestS3 extends RunningS3 {
  dataDir: string;
  /** An SDK v3 client with default settings but path-style addressing. */
  client(user?: S3User): S3Client;
  /** Stops the server and removes its data (unless the caller gave the data directory). */
  stop(): Promise<void>;
  /** Stops the server and starts a new one on the same data directory (a new port: make new clients). */
  restart(): Promise<TestS3>;
}

/** Starts an embedded S3 on 127.0.0.1:0 with a fresh data directory. */
export async function startTestS3(
  options: { region?: string; users?: S3User[]; dataDir?: string; ownsDataDir?: boolean } = {},
): Promise<TestS3> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'apigw-s3-'));
  const ownsDataDir = options.ownsDataDir ?? options.dataDir === undefined;
  const running = await startS3Server({
    dataDir,
    port: 0,
    host: '127.0.0.1',
    region: options.region ?? 'us-east-1',
    users: options.users ?? [ALICE, BOB],
  });
  const clients: S3Client[] = [];
  return {
    ...running,
    url: running.url,
    port: running.port,
    dataDir,
    client(user = ALICE) {
      const c = new S3Client({
        endpoint: running.url,
        region: options.region ?? 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
        maxAttempts: 1,
      });
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.destroy();
      await running.close();
      if (ownsDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
    async restart() {
      for (const c of clients) c.destroy();
      await running.close();
      return startTestS3({ ...options, dataDir, ownsDataDir });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Hand-built requests: what no SDK in this repository sends (signed aws-chunked bodies, broken
// bodies), signed by @smithy/signature-v4, with the chunk signatures computed here independently
// of the emulator's code.
// ---------------------------------------------------------------------------------------------

/** The response to a raw request. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** What signRequest hands back for signing the chunks of an aws-chunked body. */
export interface RequestSigning {
  signingKey: Buffer;
  amzDate: string;
  scope: string;
  seedSignature: string;
}

/** The SigV4 signing key of a secret for a day (region us-east-1, service s3). */
export function s3SigningKey(secret: string, day: string, region = 'us-east-1'): Buffer {
  let key = Buffer.from(`AWS4${secret}`);
  for (const part of [day, region, 's3', 'aws4_request'])
    key = createHmac('sha256', key).update(part).digest();
  return key;
}

/**
 * Signs a request with the AWS SDK's signer; the payload hash is whatever `x-amz-content-sha256`
 * says (the signer takes it from there). Returns the headers to send and the chain's seed.
 */
export async function signRequest(
  url: URL,
  method: string,
  headers: Record<string, string>,
  user: S3User = ALICE,
): Promise<{ headers: Record<string, string>; signing: RequestSigning }> {
  const signer = new SignatureV4({
    service: 's3',
    region: 'us-east-1',
    credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
    sha256: Sha256,
    uriEscapePath: false,
    applyChecksum: false,
  });
  const query: Record<string, string> = {};
  url.searchParams.forEach((v, k) => (query[k] = v));
  const signed = await signer.sign(
    new HttpRequest({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query,
      headers: { host: url.host, ...headers },
    }),
  );
  const out = signed.headers as Record<string, string>;
  const auth = out.authorization;
  const amzDate = out['x-amz-date'];
  return {
    headers: out,
    signing: {
      signingKey: s3SigningKey(user.secretAccessKey, amzDate.slice(0, 8)),
      amzDate,
      scope: /Credential=[^/]+\/([^,]+)/.exec(auth)![1],
      seedSignature: /Signature=([0-9a-f]{64})/.exec(auth)![1],
    },
  };
}

const sha256Hex = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

/**
 * Frames `chunks` as aws-chunked. With `signing`, every chunk carries its chained signature
 * (STREAMING-AWS4-HMAC-SHA256-PAYLOAD); with `trailers`, they follow the last chunk (signed too when
 * `signing` is given). `trailerSeparator` is what ends the last trailer line before the signature.
 */
export function awsChunked(
  chunks: Buffer[],
  options: { signing?: RequestSigning; trailers?: Array<[string, string]>; trailerSeparator?: string } = {},
): Buffer {
  const { signing, trailers } = options;
  let previous = signing?.seedSignature ?? '';
  const parts: Buffer[] = [];
  for (const data of [...chunks, Buffer.alloc(0)]) {
    let extension = '';
    if (signing) {
      const toSign = [
        'AWS4-HMAC-SHA256-PAYLOAD',
        signing.amzDate,
        signing.scope,
        previous,
        sha256Hex(''),
        sha256Hex(data),
      ].join('\n');
      previous = createHmac('sha256', signing.signingKey).update(toSign).digest('hex');
      extension = `;chunk-signature=${previous}`;
    }
    parts.push(Buffer.from(`${data.length.toString(16)}${extension}\r\n`), data);
    if (data.length > 0) parts.push(Buffer.from('\r\n'));
  }
  if (!trailers) return Buffer.concat([...parts, Buffer.from('\r\n')]);
  const lines = trailers.map(([n, v]) => `${n}:${v}`).join('\r\n');
  if (!signing) return Buffer.concat([...parts, Buffer.from(`${lines}\r\n\r\n`)]);
  const block = trailers.map(([n, v]) => `${n}:${v}\n`).join('');
  const toSign = [
    'AWS4-HMAC-SHA256-TRAILER',
    signing.amzDate,
    signing.scope,
    previous,
    sha256Hex(block),
  ].join('\n');
  const signature = createHmac('sha256', signing.signingKey).update(toSign).digest('hex');
  const separator = options.trailerSeparator ?? '\r\n';
  return Buffer.concat([
    ...parts,
    Buffer.from(`${lines}${separator}x-amz-trailer-signature:${signature}\r\n\r\n`),
  ]);
}

/** Sends a request as given (no client-side rewriting) and reads the whole response. */
export function rawRequest(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body?: Buffer | string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The S3 error a request fails with; throws when it succeeds or fails with something else. */
export async function failure(request: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await request;
  } catch (e) {
    if (e instanceof S3ServiceException) return e;
    throw e;
  }
  throw new Error('expected the request to fail');
}
