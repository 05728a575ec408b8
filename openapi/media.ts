import type { ImportContext } from './context';
import type { JsonObject } from './values';

/** An OpenAPI 2.0 `consumes`/`produces` list: the operation's, else the document's, else JSON. */
export function mediaTypes(
  ctx: ImportContext,
  operation: JsonObject,
  key: 'consumes' | 'produces',
): string[] {
  const own = Array.isArray(operation[key]) ? operation[key] : ctx.document[key];
  const list = Array.isArray(own) ? own.filter((m): m is string => typeof m === 'string') : [];
  return list.length ? list : ['application/json'];
}
