import { createHash } from 'node:crypto';
import { PassThrough, Writable, type Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { payloadHashCheck } from './auth';
import { AwsChunkedDecoder } from './chunked/decoder';
import { ChunkSignatureChain } from '../../../sigv4';
import { CHECKSUM_ALGORITHMS, ChecksumTap, checksumHeader, type ChecksumAlgorithm } from './checksums';
import { allowBody, type S3Context } from './context';
import { S3Error, S3Errors } from './errors';
import type { StagedBody } from './store/types';

/**
 * How the body travels on the wire: as is, or in aws-chunked framing
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html).
 */
export type Framing =
  | { kind: 'plain' }
  | {
      kind: 'aws-chunked';
      /** Every chunk carries a signature chained from the request signature. */
      signed: boolean;
      /** Trailer lines follow the last chunk. */
      trailer: boolean;
      /** Checksums the client announced in x-amz-trailer that we can verify. */
      trailerChecksums: ChecksumAlgorithm[];
    };

/** What the client declared about the body it sends, checked before any byte is read. */
export interface BodyDeclaration {
  /** Payload length (decoded, for aws-chunked), when known up front. */
  length: number | undefined;
  /** Raw 16-byte MD5 from Content-MD5, when given. */
  contentMd5: Buffer | undefined;
  /** Checksums the client computed and sent as headers, by algorithm (base64). */
  checksums: Map<ChecksumAlgorithm, string>;
  framing: Framing;
}

/** Signed aws-chunked chunks, except the last with data, must be at least this big (AWS: 8 KiB). */
const MIN_SIGNED_CHUNK = 8 * 1024;

function header(ctx: S3Context, name: string): string | undefined {
  const v = ctx.req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function nonNegativeInteger(ctx: S3Context, name: string): number | undefined {
  const raw = header(ctx, name);
  if (raw === undefined) return undefined;
  if (!/^\d+$/.test(raw.trim())) throw S3Errors.invalidArgument(`Invalid ${name}`, name, raw);
  return Number(raw);
}

/** The checksums named by x-amz-trailer. */
function trailerChecksums(ctx: S3Context): ChecksumAlgorithm[] {
  const raw = header(ctx, 'x-amz-trailer');
  if (raw === undefined) return [];
  const algorithms: ChecksumAlgorithm[] = [];
  for (const name of raw.split(',').map((n) => n.trim().toLowerCase())) {
    if (name === '') continue;
    const algorithm = CHECKSUM_ALGORITHMS.find((a) => checksumHeader(a) === name);
    if (!algorithm) {
      throw S3Errors.invalidRequest('The value specified in the x-amz-trailer header is not supported');
    }
    algorithms.push(algorithm);
  }
  return algorithms;
}

/**
 * aws-chunked framing is decided by x-amz-content-sha256, or by x-amz-decoded-content-length
 * alone (Java SDK v2 frames UNSIGNED-PAYLOAD bodies too); `Content-Encoding: aws-chunked` by
 * itself is not enough (s3-tests sends it on plain bodies).
 */
function framingOf(ctx: S3Context): Framing {
  const payload = ctx.auth.payload;
  if (payload.kind === 'streaming') {
    if (payload.value.includes('ECDSA')) {
      throw S3Errors.notImplemented('SigV4a streaming uploads are not supported', {
        Header: 'x-amz-content-sha256',
      });
    }
    const trailer = payload.value.endsWith('-TRAILER');
    const signed = payload.value.startsWith('STREAMING-AWS4-HMAC-SHA256-PAYLOAD');
    // Signed chunks chain from the request's signature, which an anonymous request has not got.
    if (signed && ctx.auth.kind !== 'signed') throw S3Errors.accessDenied();
    return {
      kind: 'aws-chunked',
      signed,
      trailer,
      trailerChecksums: trailer ? trailerChecksums(ctx) : [],
    };
  }
  if (header(ctx, 'x-amz-decoded-content-length') !== undefined) {
    const trailer = header(ctx, 'x-amz-trailer') !== undefined;
    return { kind: 'aws-chunked', signed: false, trailer, trailerChecksums: trailerChecksums(ctx) };
  }
  return { kind: 'plain' };
}

/** Validates the body headers of an upload (length, Content-MD5, checksums, framing). */
export function declareBody(ctx: S3Context, requireLength = true): BodyDeclaration {
  const framing = framingOf(ctx);
  const te = header(ctx, 'transfer-encoding');
  if (te !== undefined && te.toLowerCase() !== 'chunked') {
    throw S3Errors.notImplemented('A header you provided implies functionality that is not implemented', {
      Header: 'Transfer-Encoding',
    });
  }
  const contentLength = nonNegativeInteger(ctx, 'content-length');
  if (contentLength === undefined && te === undefined && requireLength) throw S3Errors.missingContentLength();
  let length = contentLength;
  if (framing.kind === 'aws-chunked') {
    length = nonNegativeInteger(ctx, 'x-amz-decoded-content-length');
    if (length === undefined) throw S3Errors.missingContentLength();
  }
  if (length !== undefined && length > ctx.settings.maxObjectSize) {
    throw S3Errors.entityTooLarge(length, ctx.settings.maxObjectSize);
  }

  let contentMd5: Buffer | undefined;
  const md5Header = header(ctx, 'content-md5');
  if (md5Header !== undefined) {
    const decoded = Buffer.from(md5Header, 'base64');
    // Buffer.from ignores junk; insist on the canonical encoding of exactly 16 bytes.
    if (decoded.length !== 16 || decoded.toString('base64') !== md5Header.trim())
      throw S3Errors.invalidDigest(md5Header);
    contentMd5 = decoded;
  }

  const checksums = new Map<ChecksumAlgorithm, string>();
  for (const algorithm of CHECKSUM_ALGORITHMS) {
    const value = header(ctx, checksumHeader(algorithm));
    if (value !== undefined) checksums.set(algorithm, value.trim());
  }
  const declared = header(ctx, 'x-amz-sdk-checksum-algorithm');
  if (
    declared !== undefined &&
    !(CHECKSUM_ALGORITHMS as readonly string[]).includes(declared.toUpperCase())
  ) {
    throw S3Errors.invalidRequest(`Value for x-amz-sdk-checksum-algorithm header is invalid.`);
  }
  return { length, contentMd5, checksums, framing };
}

/**
 * The request body as a stream that pipeline() may destroy without destroying the connection:
 * destroying the request itself would reset the socket, and the client would never see the S3
 * error. The server drains what is left of the body before it answers (see S3Server).
 */
function requestSource(ctx: S3Context): { source: Readable; release(): void } {
  const { req } = ctx;
  const source = new PassThrough({ highWaterMark: 256 * 1024 });
  const cut = () => {
    clearTimeout(idle);
    if (!req.complete) source.destroy(S3Errors.incompleteBody());
  };
  // A body that stops arriving fails after bodyIdleTimeout with RequestTimeout, as S3 does
  // (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html); every chunk restarts
  // the clock, and time spent waiting on our own writes (the request paused by backpressure) does
  // not count.
  // `--body-idle-timeout 0`: no limit, no timer.
  const idle =
    ctx.settings.bodyIdleTimeout > 0
      ? setTimeout(function expired() {
          if (req.complete || source.destroyed || req.destroyed) return;
          if (req.isPaused() || source.writableNeedDrain) {
            idle?.refresh();
            return;
          }
          source.destroy(S3Errors.requestTimeout());
        }, ctx.settings.bodyIdleTimeout)
      : undefined;
  // A watchdog: it must never be what keeps the process alive.
  idle?.unref();
  const moving = () => idle?.refresh();
  const stop = () => clearTimeout(idle);
  req.on('data', moving);
  req.on('end', stop);
  req.on('error', cut);
  req.on('close', cut);
  req.pipe(source);
  return {
    source,
    release() {
      clearTimeout(idle);
      req.off('data', moving);
      req.off('end', stop);
      req.off('error', cut);
      req.off('close', cut);
      req.unpipe(source);
    },
  };
}

/** Counts payload bytes and refuses bodies over `limit` (chunked uploads have no length up front). */
function sizeGuard(tap: Transform, limit: number, tooLarge: (seen: number) => S3Error): void {
  let seen = 0;
  tap.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > limit) tap.destroy(tooLarge(seen));
  });
}

/**
 * Streams the (decoded) payload into `sink`, verifying what the wire format protects: the
 * payload hash, chunk signatures, declared length. Returns the checksums the client declared
 * (headers and trailers, which are only known at the end) next to the ones computed, for
 * checkDigests. Bytes reach `sink` before verification ends: callers discard them on failure.
 */
async function transfer(
  ctx: S3Context,
  declaration: BodyDeclaration,
  sink: Writable,
  limit: number,
  tooLarge: (seen: number) => S3Error,
): Promise<{ expected: Map<ChecksumAlgorithm, string>; computed: Map<ChecksumAlgorithm, string> }> {
  const { framing } = declaration;
  const trailerAlgorithms = framing.kind === 'aws-chunked' ? framing.trailerChecksums : [];
  const tap = new ChecksumTap(new Set([...declaration.checksums.keys(), ...trailerAlgorithms]));
  sizeGuard(tap, limit, tooLarge);
  const { source, release } = requestSource(ctx);
  const stages: Transform[] = [];
  const payload = ctx.auth.payload;
  if (payload.kind === 'sha256') stages.push(payloadHashCheck(payload.hex));
  let decoder: AwsChunkedDecoder | undefined;
  if (framing.kind === 'aws-chunked') {
    decoder = new AwsChunkedDecoder({
      decodedLength: declaration.length ?? 0,
      trailer: framing.trailer,
      signatures:
        framing.signed && ctx.auth.kind === 'signed' ? new ChunkSignatureChain(ctx.auth) : undefined,
      minChunkSize: framing.signed ? MIN_SIGNED_CHUNK : undefined,
    });
    stages.push(decoder);
  }
  allowBody(ctx);
  try {
    await pipeline([source, ...stages, tap, sink]);
  } finally {
    release();
  }
  const expected = new Map(declaration.checksums);
  for (const algorithm of trailerAlgorithms) {
    const value = decoder?.trailers.get(checksumHeader(algorithm));
    if (value === undefined) throw S3Errors.malformedTrailer();
    expected.set(algorithm, value);
  }
  return { expected, computed: tap.values() };
}

function checkDigests(
  contentMd5: Buffer | undefined,
  md5: Buffer,
  expected: Map<ChecksumAlgorithm, string>,
  computed: Map<ChecksumAlgorithm, string>,
): void {
  if (contentMd5 && !contentMd5.equals(md5)) {
    throw S3Errors.badDigest('The Content-MD5 you specified did not match what we received.', {
      ExpectedDigest: contentMd5.toString('base64'),
      CalculatedDigest: md5.toString('base64'),
    });
  }
  for (const [algorithm, value] of expected) {
    if (computed.get(algorithm) !== value) {
      throw S3Errors.badDigest(`The ${algorithm} you specified did not match the calculated checksum.`);
    }
  }
}

/**
 * Streams the request body into a staged object or part, verifying the payload hash, chunk
 * signatures, length, Content-MD5 and checksums. On any failure the staged bytes are discarded
 * and the S3 error is thrown. Returns the verified checksums to store with the object.
 */
export async function receiveBody(
  ctx: S3Context,
  declaration: BodyDeclaration,
  staged: StagedBody,
): Promise<Map<ChecksumAlgorithm, string>> {
  const max = ctx.settings.maxObjectSize;
  try {
    const { expected, computed } = await transfer(ctx, declaration, staged.stream, max, (seen) =>
      S3Errors.entityTooLarge(seen, max),
    );
    if (declaration.length !== undefined && staged.size !== declaration.length)
      throw S3Errors.incompleteBody();
    checkDigests(declaration.contentMd5, staged.md5(), expected, computed);
    return expected;
  } catch (e) {
    await staged.abort();
    if (e instanceof S3Error) throw e;
    // The client went away mid-body: nothing was stored; report what S3 reports.
    throw S3Errors.incompleteBody();
  }
}

/** Collects a small body in memory. */
class Collector extends Writable {
  readonly chunks: Buffer[] = [];
  size = 0;

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    callback();
  }
}

/** Reads a small request body (XML documents) whole, verifying it as receiveBody does; over `limit` → MalformedXML. */
export async function readSmallBody(ctx: S3Context, limit = 1024 * 1024): Promise<Buffer> {
  // Without Content-Length or chunked framing HTTP has no body: that is an empty document.
  const declaration = declareBody(ctx, false);
  if (declaration.length !== undefined && declaration.length > limit) throw S3Errors.malformedXML();
  const sink = new Collector();
  let result: Awaited<ReturnType<typeof transfer>>;
  try {
    result = await transfer(ctx, declaration, sink, limit, () => S3Errors.malformedXML());
  } catch (e) {
    if (e instanceof S3Error) throw e;
    throw S3Errors.incompleteBody();
  }
  const body = Buffer.concat(sink.chunks, sink.size);
  if (declaration.length !== undefined && body.length !== declaration.length) throw S3Errors.incompleteBody();
  checkDigests(
    declaration.contentMd5,
    createHash('md5').update(body).digest(),
    result.expected,
    result.computed,
  );
  return body;
}
