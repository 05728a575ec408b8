import { gzipSync } from 'node:zlib';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { ApigwConfig } from '../../gateway/config';
import { createLogger } from '../../gateway/log';
import { startGateway, type RunningGateway } from '../../gateway/serve';

/** The gateway's outbound keys (its environment), which the embedded S3 accepts as the integration's account. */
export const OUTBOUND = { accessKeyId: 'AKIABINARYTESTS00001', secretAccessKey: 'binary/tests+secret+key' };

/**
 * The payloads of AWS's own binary-support tests
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html):
 * a gzip blob (invalid UTF-8: 0x8b after 0x1f), a PNG (1×1, starts with 0x89), base64 text (of the
 * gzip blob) and plain ASCII text that is not base64 (it has spaces, commas and a full stop).
 */
export const GZIP = gzipSync(Buffer.from('{"greeting": "hello", "from": "apigw"}\n'));
export const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
export const BASE64_TEXT = Buffer.from(GZIP.toString('base64'), 'utf8');
export const PLAIN_TEXT = Buffer.from('Hello, World! This is plain text, not base64.', 'utf8');

export const PAYLOADS: Array<[name: string, body: Buffer]> = [
  ['gzip blob', GZIP],
  ['PNG', PNG],
  ['base64 text', BASE64_TEXT],
  ['plain text', PLAIN_TEXT],
];

/** What API Gateway's UTF-8 decoding makes of bytes (invalid sequences → U+FFFD, EF BF BD). */
export const asText = (body: Buffer): Buffer => Buffer.from(body.toString('utf8'), 'utf8');
/** Base64 as API Gateway encodes binary for text consumers. */
export const base64Of = (body: Buffer): Buffer => Buffer.from(body.toString('base64'), 'utf8');
/** Strict base64 decoding, or undefined when the text is not base64. */
export function base64Decoded(body: Buffer): Buffer | undefined {
  const text = body.toString('utf8').replace(/\s+/g, '');
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  return Buffer.from(text, 'base64');
}

/** A gateway started on an API document, with its embedded S3 and an SDK client for that S3. */
export interface BinaryGateway {
  gw: RunningGateway;
  s3: S3Client;
  /** Creates a bucket straight in the embedded S3. */
  bucket(name: string): Promise<void>;
  /** Stores an object straight in the embedded S3. */
  put(bucket: string, key: string, body: Buffer, contentType: string): Promise<void>;
  /** The object's bytes as the embedded S3 keeps them, or undefined when there is no such object. */
  stored(bucket: string, key: string): Promise<Buffer | undefined>;
  /** The object's ETag (quotes removed), or undefined. */
  etag(bucket: string, key: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/** Starts `apigw serve` (in process) on a document (an object, written as JSON, or a file path). */
export async function startBinaryGateway(
  document: Record<string, unknown> | string,
  options: ApigwConfig = {},
): Promise<BinaryGateway> {
  const dir = mkdtempSync(path.join(tmpdir(), 'apigw-binary-'));
  let api: string;
  if (typeof document === 'string') api = document;
  else {
    api = path.join(dir, 'api.json');
    writeFileSync(api, JSON.stringify(document, null, 2));
  }
  const gw = await startGateway(
    { api, port: 0, host: '127.0.0.1', dataDir: path.join(dir, 'data'), ...options },
    createLogger('error'),
    { AWS_ACCESS_KEY_ID: OUTBOUND.accessKeyId, AWS_SECRET_ACCESS_KEY: OUTBOUND.secretAccessKey },
  );
  const s3 = new S3Client({
    endpoint: gw.s3?.url ?? 'http://127.0.0.1:9',
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: OUTBOUND,
    maxAttempts: 1,
  });
  const notFound = (e: unknown) => ['NotFound', 'NoSuchKey'].includes((e as Error).name);
  return {
    gw,
    s3,
    async bucket(name) {
      await s3.send(new CreateBucketCommand({ Bucket: name }));
    },
    async put(bucket, key, body, contentType) {
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    },
    async stored(bucket, key) {
      try {
        const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        return Buffer.from(await out.Body!.transformToByteArray());
      } catch (e) {
        if (notFound(e)) return undefined;
        throw e;
      }
    },
    async etag(bucket, key) {
      try {
        const out = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
        return out.ETag?.replace(/"/g, '');
      } catch (e) {
        if (notFound(e)) return undefined;
        throw e;
      }
    },
    async close() {
      s3.destroy();
      await gw.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Calls the gateway (no auth); resolves with the status, the bytes and the headers the client got. */
export async function call(
  baseUrl: string,
  pathAndQuery: string,
  init: { method?: string; headers?: Record<string, string>; body?: Buffer } = {},
): Promise<{ status: number; body: Buffer; headers: Headers }> {
  const res = await fetch(baseUrl + pathAndQuery, {
    method: init.method ?? 'GET',
    headers: init.headers,
    body: init.body,
  });
  return { status: res.status, body: Buffer.from(await res.arrayBuffer()), headers: res.headers };
}

/** `{"message":"Internal server error"}`, the body of every 500 the matrix produces. */
export const INTERNAL_SERVER_ERROR = Buffer.from('{"message":"Internal server error"}');
