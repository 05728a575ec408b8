/**
 * `$context.requestOverride` / `$context.responseOverride` (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html): maps templates write
 * into; the gateway reads them back after rendering. They live on the caller's context object so
 * that a request template's response overrides survive into the response phase.
 */
import { javaToString } from './text';
import { asNumber, isMap, isNull, mapEntries, mapGet, mapPut, type VtlMap } from './values';

/** What the templates of one request asked to override. */
export interface TemplateOverrides {
  request: {
    header: Record<string, string>;
    querystring: Record<string, string>;
    path: Record<string, string>;
  };
  /** `status` only when it is an integer from 100 to 599 (otherwise ignored, as LocalStack does). */
  response: { status?: number; header: Record<string, string> };
}

function ensureMap(owner: VtlMap, key: string): VtlMap {
  const existing = mapGet(owner, key);
  if (isMap(existing)) return existing;
  const created: VtlMap = {};
  mapPut(owner, key, created);
  return created;
}

/** Creates the override maps a template may `#set` into, keeping any already there. */
export function prepareOverrides(context: Record<string, unknown>): void {
  const request = ensureMap(context, 'requestOverride');
  for (const key of ['header', 'querystring', 'path']) ensureMap(request, key);
  ensureMap(ensureMap(context, 'responseOverride'), 'header');
}

function strings(map: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isMap(map)) return out;
  for (const [key, value] of mapEntries(map)) if (!isNull(value)) out[key] = javaToString(value);
  return out;
}

function status(value: unknown): number | undefined {
  const n =
    asNumber(value) ??
    (typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? asNumber(Number(value)) : undefined);
  if (!n || !Number.isInteger(n.value) || n.value < 100 || n.value > 599) return undefined;
  return n.value;
}

/** Reads back the overrides rendered templates left in `context`. */
export function overridesOf(context: Record<string, unknown>): TemplateOverrides {
  const request = isMap(context.requestOverride) ? context.requestOverride : {};
  const response = isMap(context.responseOverride) ? context.responseOverride : {};
  const result: TemplateOverrides = {
    request: {
      header: strings(mapGet(request, 'header')),
      querystring: strings(mapGet(request, 'querystring')),
      path: strings(mapGet(request, 'path')),
    },
    response: { header: strings(mapGet(response, 'header')) },
  };
  const code = status(mapGet(response, 'status'));
  if (code !== undefined) result.response.status = code;
  return result;
}
