import { createHash } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { evaluateMappingSource } from '../../mappings/parameters';
import type { Invocation, MethodResponseOut } from '../invocation';
import type { GatewayRuntime } from '../runtime';
import { mappingInput } from '../stages/mapping-input';
import { AccessErrors } from './errors';
import { MAX_CACHED_RESPONSE_BYTES, type AccessRuntime, type MethodCache } from './runtime';

/**
 * The stage cache (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-caching.html).
 * What is stored is the method response as the client gets it (status, headers, body, after the
 * integration response mapping); request ids are new on every hit. Only the TTL expires an entry:
 * the backend's Cache-Control is not honoured, and any status is cached, as on AWS.
 */

/** Warning header AWS's default strategy adds when it ignores an unauthorized Cache-Control: max-age=0. */
const IGNORED_CACHE_CONTROL = '199 Cache-control headers were ignored because the caller was unauthorized.';

/** Headers never stored: the framing is the method response stage's, per response. */
const UNSTORED = new Set(['content-length', 'transfer-encoding', 'connection']);

/**
 * The cache key, as AWS builds it: the namespace (the integration's cacheNamespace, else the
 * resource id), the verb, and the values of the cacheKeyParameters only. Every other parameter,
 * path parameters included, does not take part: `/users/1` and `/users/2` share an entry unless
 * `method.request.path.id` is a key parameter.
 */
export function cacheKey(inv: Invocation, access: AccessRuntime, cache: MethodCache): string {
  const input = mappingInput(inv);
  const parts: unknown[] = [cache.namespace, inv.request.httpMethod];
  for (const p of cache.keyParameters) parts.push(p.name, evaluateMappingSource(p.source, input) ?? null);
  return access.cachePrefix + createHash('sha256').update(JSON.stringify(parts)).digest('hex');
}

/** `Cache-Control: max-age=0` (the client asks for a fresh answer). */
function asksForFresh(inv: Invocation): boolean {
  const header = inv.request.nodeHeaders['cache-control'];
  if (!header) return false;
  return header.split(',').some((d) => d.trim().toLowerCase() === 'max-age=0');
}

/**
 * Who may invalidate an entry: a caller whose SigV4 signature apigw verified (an AWS_IAM method).
 * AWS asks IAM whether the caller may `execute-api:InvalidateCache`; apigw has no IAM policies and
 * trusts every principal of its credentials file.
 */
function mayInvalidate(inv: Invocation): boolean {
  return inv.identity !== undefined;
}

/**
 * The cache lookup stage: for a cached method, a hit answers with the stored response (the
 * integration stages are skipped); a miss marks the response to be stored. `Cache-Control:
 * max-age=0` from a caller allowed to invalidate skips the lookup and replaces the entry.
 */
export function cacheLookup(inv: Invocation, rt: GatewayRuntime): void | Promise<void> {
  const access = rt.access;
  const cache = inv.method && access?.methods.get(inv.method)?.cache;
  if (!access || !cache) return;
  return lookup(inv, access, cache);
}

async function lookup(inv: Invocation, access: AccessRuntime, cache: MethodCache): Promise<void> {
  const state = (inv.cache = { key: cacheKey(inv, access, cache), ttlSeconds: cache.ttlSeconds, hit: false });
  if (asksForFresh(inv)) {
    if (!cache.requireAuthorizationForCacheControl || mayInvalidate(inv)) return;
    switch (cache.unauthorizedCacheControlHeaderStrategy) {
      case 'FAIL_WITH_403':
        throw AccessErrors.cacheControlForbidden();
      case 'SUCCEED_WITH_RESPONSE_HEADER':
        inv.cache.extraHeaders = { Warning: IGNORED_CACHE_CONTROL };
        break;
      case 'SUCCEED_WITHOUT_RESPONSE_HEADER':
        break;
    }
  }
  const entry = await access.store.getEntry(state.key);
  if (!entry) return;
  const response = decodeEntry(entry);
  if (!response) return;
  Object.assign(response.headers, inv.cache.extraHeaders);
  inv.cache.hit = true;
  inv.methodResponse = response;
}

/** The cache fill stage: stores a miss's method response (up to 1 MB), then adds the extra headers. */
export function cacheFill(inv: Invocation, rt: GatewayRuntime): void | Promise<void> {
  const state = inv.cache;
  const access = rt.access;
  if (!state || state.hit || !access || !inv.methodResponse) return;
  return fill(inv, access, inv.methodResponse);
}

async function fill(inv: Invocation, access: AccessRuntime, out: MethodResponseOut): Promise<void> {
  const state = inv.cache!;
  const store = (body: Buffer) =>
    access.store.setEntry(state.key, encodeEntry(out.status, out.headers, body), state.ttlSeconds * 1000);
  if (out.body.kind === 'buffer') {
    if (out.body.data.length <= MAX_CACHED_RESPONSE_BYTES) await store(out.body.data);
  } else if (out.body.length !== undefined && out.body.length <= MAX_CACHED_RESPONSE_BYTES) {
    // Small enough and of known length: read it whole, store it, send it as one buffer.
    const data = await readAll(out.body.stream);
    out.body = { kind: 'buffer', data };
    await store(data);
  } else if (out.body.length === undefined) {
    // Of unknown length: stored once it has gone through whole, if it stayed within 1 MB.
    out.body = {
      kind: 'stream',
      stream: recording(out.body.stream, (data) => {
        store(data).catch((e: Error) => access.log.warn(`${inv.requestId} stage cache: ${e.message}`));
      }),
    };
  }
  Object.assign(out.headers, state.extraHeaders);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * The stream the client gets instead of `stream`: the same bytes, recorded on the way; `done` gets
 * them once they have all gone through, unless they grew beyond 1 MB.
 */
function recording(stream: Readable, done: (data: Buffer) => void): Readable {
  const chunks: Buffer[] = [];
  let size = 0;
  const tee = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      if (size <= MAX_CACHED_RESPONSE_BYTES) chunks.push(chunk);
      else chunks.length = 0;
      callback(null, chunk);
    },
    flush(callback) {
      if (size <= MAX_CACHED_RESPONSE_BYTES) done(Buffer.concat(chunks));
      callback();
    },
  });
  stream.once('error', (e) => tee.destroy(e));
  // The client went away: let go of the backend's body too.
  tee.once('close', () => {
    if (!stream.readableEnded) stream.destroy();
  });
  return stream.pipe(tee);
}

/** An entry: 4 bytes of header length, the JSON of status and headers, then the body bytes. */
export function encodeEntry(status: number, headers: Record<string, string>, body: Buffer): Buffer {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (!UNSTORED.has(name.toLowerCase())) kept[name] = value;
  const head = Buffer.from(JSON.stringify({ status, headers: kept }), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(head.length);
  return Buffer.concat([length, head, body]);
}

export function decodeEntry(entry: Buffer): MethodResponseOut | undefined {
  if (entry.length < 4) return undefined;
  const headLength = entry.readUInt32BE(0);
  if (entry.length < 4 + headLength) return undefined;
  try {
    const head = JSON.parse(entry.subarray(4, 4 + headLength).toString('utf8')) as {
      status: number;
      headers: Record<string, string>;
    };
    return {
      status: head.status,
      headers: { ...head.headers },
      body: { kind: 'buffer', data: entry.subarray(4 + headLength) },
    };
  } catch {
    return undefined;
  }
}
