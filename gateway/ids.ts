import { randomFillSync, randomUUID } from 'node:crypto';

/**
 * Request ids drawn from a block of random bytes filled once per few hundred requests: one
 * `randomBytes` call per id cost a few percent of a mock request's time.
 */
const pool = Buffer.alloc(4096);
let offset = pool.length;

function randomSlice(size: number): Buffer {
  if (offset + size > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  const slice = pool.subarray(offset, offset + size);
  offset += size;
  return slice;
}

/** `$context.requestId`: a UUID, as API Gateway's. */
export function newRequestId(): string {
  // randomUUID keeps its own entropy cache: already cheap.
  return randomUUID();
}

/** `$context.extendedRequestId` (`x-amz-apigw-id`): 16 base64-like characters, e.g. `MyrAHGBxoAMFdKw=`. */
export function newExtendedRequestId(): string {
  return randomSlice(12).toString('base64').replace(/[+/]/g, 'A');
}

/** The random part of an X-Amzn-Trace-Id root: 24 hex digits. */
export function newTraceRandom(): string {
  return randomSlice(12).toString('hex');
}
