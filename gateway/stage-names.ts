import type { ApiDefinition } from '../openapi/model';

/** AWS stage names: letters, digits, '-' and '_', at most 128 characters. */
const STAGE_NAME = /^[A-Za-z0-9_-]{1,128}$/;

const FALLBACK_STAGE = 'dev';

/**
 * The stage an API is served under when `--stage` is not given: its base path without the
 * surrounding '/' (`/S3` → `S3`). A base path that is absent, `/`, or not a valid stage name
 * (several segments like `/v1/api`, dots, ...) gives `dev`: only one URL segment can be the stage,
 * and with AWS's default `basepath=ignore` import the base path is never part of a route anyway.
 */
export function defaultStageName(api: ApiDefinition): string {
  const name = (api.basePath ?? '').replace(/^\/+|\/+$/g, '');
  return STAGE_NAME.test(name) ? name : FALLBACK_STAGE;
}

/** An error message if `name` cannot be a stage name, else undefined. */
export function validateStageName(name: string): string | undefined {
  if (STAGE_NAME.test(name)) return undefined;
  return `invalid stage name ${JSON.stringify(name)}: use 1 to 128 letters, digits, '-' or '_'`;
}

export type StageSplit = { kind: 'match'; rest: string } | { kind: 'wrong-stage' };

/**
 * Splits a raw request path (no query string, still percent-encoded) into the stage and the rest;
 * the first segment must be `stage` exactly (case-sensitive). `/{stage}` and `/{stage}/` give '/'.
 */
export function splitStage(rawPath: string, stage: string): StageSplit {
  if (rawPath[0] !== '/') return { kind: 'wrong-stage' };
  const end = rawPath.indexOf('/', 1);
  const first = end === -1 ? rawPath.slice(1) : rawPath.slice(1, end);
  if (first !== stage) return { kind: 'wrong-stage' };
  // The rest keeps any duplicate slashes: the router collapses the leading ones itself.
  return { kind: 'match', rest: end === -1 ? '/' : rawPath.slice(end) };
}
