import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ApiDefinition } from '../openapi/model';

/**
 * A stable API id for a definition: 10 lower-case alphanumerics, like API Gateway's. It depends on
 * the file's name and the API's title, not on the folder, so that gateways on several machines
 * serving the same API through one Redis share its quotas, throttles and stage cache.
 */
export function apiIdFor(api: ApiDefinition): string {
  if (api.apiId) return api.apiId;
  const digest = createHash('sha256')
    .update(`${path.basename(api.source)}\n${api.title}`)
    .digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(digest.subarray(0, 10), (b) => alphabet[b % alphabet.length]).join('');
}
