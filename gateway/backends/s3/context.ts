import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../../lib/log';
import type { OwnerDirectory, S3User } from './identity';
import type { S3Query, S3Target } from './request';
import type { ObjectStore } from './store/types';
import { Xml, xmlDocument } from './xml';
import type { AuthResult } from './auth';

/** Settings of a running S3 server that handlers need. */
export interface S3Settings {
  region: string;
  /** Largest single PUT accepted (S3: 5 GiB). */
  maxObjectSize: number;
  /** Smallest size of every part of a multipart upload but the last (S3: 5 MiB). */
  minPartSize: number;
  /** The owners behind the server's access keys, for ACL grants. */
  directory: OwnerDirectory;
  log: Logger;
  /** How long a request body may stop arriving before the request fails with RequestTimeout (ms). */
  bodyIdleTimeout: number;
}

/** One request travelling through the S3 protocol layer. */
export interface S3Context {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly requestId: string;
  readonly hostId: string;
  readonly method: string;
  readonly rawPath: string;
  readonly query: S3Query;
  readonly target: S3Target;
  readonly auth: AuthResult;
  /** Who signed the request; undefined for an anonymous one, which only grants to AllUsers admit. */
  readonly user: S3User | undefined;
  readonly store: ObjectStore;
  readonly settings: S3Settings;
  /** The client sent `Expect: 100-continue` and waits for our go-ahead before sending the body. */
  expectContinue: boolean;
}

/** Tells a client waiting on `Expect: 100-continue` to send the body (once checks have passed). */
export function allowBody(ctx: S3Context): void {
  if (ctx.expectContinue) {
    ctx.expectContinue = false;
    ctx.res.writeContinue();
  }
}

/** Sends an XML document. */
export function sendXml(
  ctx: S3Context,
  status: number,
  root: Xml,
  headers: Record<string, string> = {},
): void {
  const body = Buffer.from(xmlDocument(root), 'utf8');
  ctx.res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/xml',
    'Content-Length': String(body.length),
  });
  ctx.res.end(ctx.method === 'HEAD' ? undefined : body);
}

/** Sends a response without a body (200 on PUT, 204 on DELETE, HEAD responses). */
export function sendEmpty(
  ctx: S3Context,
  status: number,
  headers: Record<string, string | number> = {},
): void {
  const hasLength = Object.keys(headers).some((h) => h.toLowerCase() === 'content-length');
  ctx.res.writeHead(
    status,
    hasLength || status === 204 || status === 304 ? headers : { ...headers, 'Content-Length': '0' },
  );
  ctx.res.end();
}
