import { randomFillSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeServer, listen } from '../../../lib/http-server';
import { silentLogger, type Logger } from '../../../lib/log';
import { verifyRequest } from './auth';
import type { S3Context, S3Settings } from './context';
import { S3Error, S3Errors } from './errors';
import { getBucketAcl, getObjectAcl, putBucketAcl, putObjectAcl } from './handlers/acl';
import { createBucket, deleteBucket, getBucketLocation, headBucket } from './handlers/bucket';
import { copyObject } from './handlers/copy';
import { deleteObjects } from './handlers/delete-objects';
import { listObjects, listObjectsV2 } from './handlers/list';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  createMultipartUpload,
  uploadPart,
  uploadPartCopy,
} from './handlers/multipart';
import { listMultipartUploads, listParts } from './handlers/multipart-list';
import { deleteObject, getObject, putObject } from './handlers/object';
import { deleteObjectTagging, getObjectTagging, putObjectTagging } from './handlers/tagging';
import { listBuckets } from './handlers/service';
import { getObjectAttributes } from './handlers/object-attributes';
import { getBucketVersioning, listObjectVersions, putBucketVersioning } from './handlers/versions';
import { ownerDirectory, type S3User } from './identity';
import { bucketFromHost, hoistQueryHeaders, parseQuery, parseTarget, type S3Target } from './request';
import { resolveOperation, type S3Operation } from './routes';
import { NoSuchBucketError, NoSuchUploadError, type ObjectStore } from './store';
import { el, xmlDocument } from './xml';

/** How an S3Server is set up: its store, its users and S3's limits. */
export interface S3ServerOptions {
  store: ObjectStore;
  /** Every access key the server accepts. */
  users: readonly S3User[];
  /** The region the server presents as (us-east-1 by default; decides the re-create-bucket answer). */
  region?: string;
  /** Largest single PUT (default 5 GiB, as S3). */
  maxObjectSize?: number;
  /** Smallest part but the last of a multipart upload (default 5 MiB, as S3). */
  minPartSize?: number;
  /** Host names under which `<bucket>.<name>` is read as virtual-host style. */
  baseDomains?: readonly string[];
  log?: Logger;
  /**
   * How long a request body may stop arriving (ms) before the request is answered `400
   * RequestTimeout` and the connection closed; default 20 s, about what S3 waits. A body that keeps
   * moving is never cut, however long it takes.
   */
  bodyIdleTimeout?: number;
  /** How long a client may take to send a request's headers (ms) before the connection is dropped; default 20 s. */
  headersTimeout?: number;
}

const FIVE_GIB = 5 * 1024 * 1024 * 1024;
const FIVE_MIB = 5 * 1024 * 1024;
/** How much of a refused body is read and dropped before the connection is cut. */
const MAX_DRAIN = 64 * 1024 * 1024;
/** S3 drops a connection on which nothing arrives for about 20 s. */
const IDLE_TIMEOUT = 20_000;

// Random bytes for request ids, drawn in batches: one call to the CSPRNG per request costs more
// than the rest of naming it.
const ID_BYTES = 8 + 24;
const idPool = Buffer.alloc(ID_BYTES * 256);
let idPoolOffset = idPool.length;

/** A request id (16 hex digits) and host id (24 random bytes in base64), as S3's look. */
function newRequestIds(): { requestId: string; hostId: string } {
  if (idPoolOffset === idPool.length) {
    randomFillSync(idPool);
    idPoolOffset = 0;
  }
  const start = idPoolOffset;
  idPoolOffset += ID_BYTES;
  return {
    requestId: idPool.toString('hex', start, start + 8).toUpperCase(),
    hostId: idPool.toString('base64', start + 8, start + ID_BYTES),
  };
}

type Handler = (ctx: S3Context, target: never) => Promise<void>;
const HANDLERS: Record<S3Operation, Handler> = {
  ListBuckets: listBuckets,
  CreateBucket: createBucket,
  DeleteBucket: deleteBucket,
  HeadBucket: headBucket,
  GetBucketLocation: getBucketLocation,
  GetBucketAcl: getBucketAcl,
  PutBucketAcl: putBucketAcl,
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  ListMultipartUploads: listMultipartUploads,
  ListObjectVersions: listObjectVersions,
  GetBucketVersioning: getBucketVersioning,
  PutBucketVersioning: putBucketVersioning,
  DeleteObjects: deleteObjects,
  GetObject: getObject,
  HeadObject: getObject,
  PutObject: putObject,
  CopyObject: copyObject,
  DeleteObject: deleteObject,
  GetObjectAcl: getObjectAcl,
  GetObjectAttributes: getObjectAttributes,
  PutObjectAcl: putObjectAcl,
  GetObjectTagging: getObjectTagging,
  PutObjectTagging: putObjectTagging,
  DeleteObjectTagging: deleteObjectTagging,
  CreateMultipartUpload: createMultipartUpload,
  UploadPart: uploadPart,
  UploadPartCopy: uploadPartCopy,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
  ListParts: listParts,
};

/** The S3 REST protocol over a storage engine: routing, authentication, errors. */
export class S3Server {
  readonly settings: S3Settings;
  private readonly users: Map<string, S3User>;
  private readonly baseDomains: readonly string[];
  private readonly server: Server;

  constructor(private readonly options: S3ServerOptions) {
    const region = options.region ?? 'us-east-1';
    this.settings = {
      region,
      maxObjectSize: options.maxObjectSize ?? FIVE_GIB,
      minPartSize: options.minPartSize ?? FIVE_MIB,
      directory: ownerDirectory(options.users),
      log: options.log ?? silentLogger,
      bodyIdleTimeout: options.bodyIdleTimeout ?? IDLE_TIMEOUT,
    };
    this.users = new Map(options.users.map((u) => [u.accessKeyId, u]));
    this.baseDomains = options.baseDomains ?? ['localhost', 's3.amazonaws.com', `s3.${region}.amazonaws.com`];
    const headersTimeout = options.headersTimeout ?? IDLE_TIMEOUT;
    this.server = createServer(
      // Node checks for late headers every connectionsCheckingInterval (30 s by default, which lets
      // a slowloris client hold a connection for up to headersTimeout + 30 s).
      { connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeout / 4))) },
      (req, res) => void this.handle(req, res, false),
    );
    // Answer `Expect: 100-continue` ourselves, after authentication and bucket checks, as S3 does.
    this.server.on('checkContinue', (req, res) => void this.handle(req, res, true));
    // S3 ignores other expectations; Node would answer 417.
    this.server.on('checkExpectation', (req, res) => void this.handle(req, res, false));
    // Large uploads take as long as they take; Node's default 5-minute request timeout would cut them.
    // A stalled body is bodyIdleTimeout's business (see requestSource in body.ts).
    this.server.requestTimeout = 0;
    // Headers that never finish (slowloris) are dropped after headersTimeout.
    this.server.headersTimeout = headersTimeout;
  }

  /** The node:http server, e.g. to listen on it. */
  get httpServer(): Server {
    return this.server;
  }

  /** Listens and resolves with the bound address. */
  listen(port: number, host: string): Promise<AddressInfo> {
    return listen(this.server, port, host);
  }

  /** Stops accepting connections and closes idle ones. */
  close(): Promise<void> {
    return closeServer(this.server);
  }

  private async handle(req: IncomingMessage, res: ServerResponse, expectContinue: boolean): Promise<void> {
    const { requestId, hostId } = newRequestIds();
    res.setHeader('x-amz-request-id', requestId);
    res.setHeader('x-amz-id-2', hostId);
    res.setHeader('Server', 'AmazonS3');
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    let ctx: S3Context | undefined;
    try {
      const query = parseQuery(q < 0 ? '' : rawUrl.slice(q + 1));
      const target = parseTarget(rawPath, bucketFromHost(req.headers.host, this.baseDomains));
      const auth = verifyRequest(
        { method, rawUrl, headers: req.headers },
        { lookup: (id) => this.users.get(id) },
      );
      // Anonymous requests go on: each handler judges them by the grants to AllUsers
      // (https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html).
      if (auth.kind === 'signed' && auth.presigned) hoistQueryHeaders(req, query);
      const operation = resolveOperation(method, target, query, req.headers);
      ctx = {
        req,
        res,
        requestId,
        hostId,
        method,
        rawPath,
        query,
        target,
        auth,
        user: auth.kind === 'signed' ? auth.user : undefined,
        store: this.options.store,
        settings: this.settings,
        expectContinue,
      };
      await HANDLERS[operation](ctx, target as never);
      this.settings.log.debug(`s3 ${requestId} ${method} ${rawUrl} ${operation} ${res.statusCode}`);
    } catch (e) {
      this.fail(req, res, e, {
        method,
        rawPath,
        requestId,
        hostId,
        expectContinue: ctx?.expectContinue ?? expectContinue,
      });
    }
  }

  private fail(
    req: IncomingMessage,
    res: ServerResponse,
    e: unknown,
    info: { method: string; rawPath: string; requestId: string; hostId: string; expectContinue: boolean },
  ): void {
    let error: S3Error;
    if (e instanceof S3Error) {
      error = e;
    } else if (e instanceof NoSuchBucketError) {
      // The bucket was deleted while this request was writing into it.
      error = S3Errors.noSuchBucket(e.bucket);
    } else if (e instanceof NoSuchUploadError) {
      // The upload was completed or aborted while this request was writing a part.
      error = S3Errors.noSuchUpload(e.uploadId);
    } else {
      this.settings.log.error(
        `s3 ${info.requestId} ${info.method} ${req.url}: ${(e as Error)?.stack ?? String(e)}`,
      );
      error = S3Errors.internalError();
    }
    this.settings.log.debug(`s3 ${info.requestId} ${info.method} ${req.url} → ${error.status} ${error.code}`);
    if (res.headersSent) {
      // Too late for an error document: cut the connection so the client sees a failure, not a short body.
      res.destroy();
      return;
    }
    // A client still waiting for 100-continue will not send its body; don't wait for it either.
    if (info.expectContinue) res.setHeader('Connection', 'close');
    if (!req.complete && !req.destroyed) {
      // The body was refused part-way (bad chunk signature, too large, ...). Read and drop the
      // rest rather than reset the connection, which could lose the error response on its way
      // to the client; then close, as the connection's state is no longer worth reusing. A client
      // that keeps sending long after the answer is cut off.
      res.setHeader('Connection', 'close');
      let drained = 0;
      req.on('data', (chunk: Buffer) => {
        drained += chunk.length;
        if (drained > MAX_DRAIN && res.writableFinished) req.socket.destroy();
      });
      req.resume();
    }
    if (info.method === 'HEAD') {
      // HEAD errors carry no body and nothing that promises one (SDKs misparse otherwise).
      res.writeHead(error.status, { ...error.headers, 'Content-Length': '0' });
      res.end();
      return;
    }
    const body = Buffer.from(
      xmlDocument(
        el(
          'Error',
          el('Code', error.code),
          el('Message', error.message),
          Object.entries(error.fields).map(([k, v]) => el(k, v)),
          el('Resource', info.rawPath),
          el('RequestId', info.requestId),
          el('HostId', info.hostId),
        ),
      ),
      'utf8',
    );
    res.writeHead(error.status, {
      ...error.headers,
      'Content-Type': 'application/xml',
      'Content-Length': String(body.length),
    });
    res.end(body);
  }
}

export type { S3Target };
