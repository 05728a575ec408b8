import { pipeline } from 'node:stream/promises';
import type { Readable, Transform } from 'node:stream';
import { createHash } from 'node:crypto';
import { payloadHashCheck, sha256Hex } from './auth';
import {
  CHECKSUM_ALGORITHMS,
  ChecksumTap,
  checksumHeader,
  checksumOf,
  type ChecksumAlgorithm,
} from './checksums';
import { allowBody, type S3Context } from './context';
import { S3Error, S3Errors } from './errors';
import type { StagedObject } from './store/types';

/** What the client declared about the body it sends, checked before any byte is read. */
export interface BodyDeclaration {
  /** Decoded length, when known up front. */
  length: number | undefined;
  /** Raw 16-byte MD5 from Content-MD5, when given. */
  contentMd5: Buffer | undefined;
  /** Checksums the client computed, by algorithm (base64). */
  checksums: Map<ChecksumAlgorithm, string>;
}

function header(ctx: S3Context, name: string): string | undefined {
  const v = ctx.req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** Validates the body headers of an upload (length, Content-MD5, checksums, framing). */
export function declareBody(ctx: S3Context, requireLength = true): BodyDeclaration {
  const payload = ctx.auth.payload;
  if (payload.kind === 'streaming' || header(ctx, 'x-amz-decoded-content-length') !== undefined) {
    throw S3Errors.notImplemented('aws-chunked request bodies are not supported yet', {
      Header: 'x-amz-content-sha256',
    });
  }
  const te = header(ctx, 'transfer-encoding');
  if (te !== undefined && te.toLowerCase() !== 'chunked') {
    throw S3Errors.notImplemented('A header you provided implies functionality that is not implemented', {
      Header: 'Transfer-Encoding',
    });
  }
  const rawLength = header(ctx, 'content-length');
  let length: number | undefined;
  if (rawLength !== undefined) {
    if (!/^\d+$/.test(rawLength.trim()))
      throw S3Errors.invalidArgument('Invalid Content-Length', 'Content-Length', rawLength);
    length = Number(rawLength);
  } else if (te === undefined && requireLength) {
    throw S3Errors.missingContentLength();
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
    !['CRC32', 'CRC32C', 'SHA1', 'SHA256', 'CRC64NVME'].includes(declared.toUpperCase())
  ) {
    throw S3Errors.invalidRequest(`Value for x-amz-sdk-checksum-algorithm header is invalid.`);
  }
  return { length, contentMd5, checksums };
}

function checkDigests(
  declaration: BodyDeclaration,
  md5: Buffer,
  computed: Map<ChecksumAlgorithm, string>,
): void {
  if (declaration.contentMd5 && !declaration.contentMd5.equals(md5)) {
    throw S3Errors.badDigest('The Content-MD5 you specified did not match what we received.', {
      ExpectedDigest: declaration.contentMd5.toString('base64'),
      CalculatedDigest: md5.toString('base64'),
    });
  }
  for (const [algorithm, expected] of declaration.checksums) {
    if (computed.get(algorithm) !== expected) {
      throw S3Errors.badDigest(`The ${algorithm} you specified did not match the calculated checksum.`);
    }
  }
}

/** Counts bytes and refuses bodies over the limit (chunked uploads have no length up front). */
function sizeGuard(ctx: S3Context, tap: ChecksumTap): void {
  let seen = 0;
  tap.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > ctx.settings.maxObjectSize)
      tap.destroy(S3Errors.entityTooLarge(seen, ctx.settings.maxObjectSize));
  });
}

/**
 * Streams the request body into a staged object, verifying the payload hash, Content-MD5 and
 * checksums. On any failure the staged bytes are discarded and the S3 error is thrown.
 * Returns the verified checksums to store with the object.
 */
export async function receiveBody(
  ctx: S3Context,
  declaration: BodyDeclaration,
  staged: StagedObject,
): Promise<Map<ChecksumAlgorithm, string>> {
  const tap = new ChecksumTap(declaration.checksums.keys());
  sizeGuard(ctx, tap);
  const stages: Array<Readable | Transform> = [ctx.req];
  const payload = ctx.auth.payload;
  if (payload.kind === 'sha256') stages.push(payloadHashCheck(payload.hex));
  stages.push(tap);
  allowBody(ctx);
  try {
    await pipeline([...stages, staged.stream]);
    if (declaration.length !== undefined && staged.size !== declaration.length)
      throw S3Errors.incompleteBody();
    checkDigests(declaration, staged.md5(), tap.values());
  } catch (e) {
    await staged.abort();
    if (e instanceof S3Error) throw e;
    // The client went away mid-body: nothing was stored; report what S3 reports.
    throw S3Errors.incompleteBody();
  }
  return tap.values();
}

/** Reads a small request body (XML documents) whole, verifying the payload hash and Content-MD5. */
export async function readSmallBody(ctx: S3Context, limit = 1024 * 1024): Promise<Buffer> {
  // Without Content-Length or chunked framing HTTP has no body: that is an empty document.
  const declaration = declareBody(ctx, false);
  if (declaration.length !== undefined && declaration.length > limit) throw S3Errors.malformedXML();
  const chunks: Buffer[] = [];
  let size = 0;
  allowBody(ctx);
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw S3Errors.malformedXML();
    chunks.push(chunk);
  }
  const body = Buffer.concat(chunks);
  const payload = ctx.auth.payload;
  if (payload.kind === 'sha256') {
    const computed = sha256Hex(body);
    if (computed !== payload.hex.toLowerCase()) throw S3Errors.contentSha256Mismatch(payload.hex, computed);
  }
  const computed = new Map([...declaration.checksums.keys()].map((a) => [a, checksumOf(a, body)] as const));
  checkDigests(declaration, createHash('md5').update(body).digest(), computed);
  return body;
}
