import type { ImportContext } from './context';
import { pointerTo } from './problems';
import { isObject, type JsonObject } from './values';

/** A request or response body's schema under one media type, and where the schema is written. */
export interface BodySchema {
  mediaType: string;
  schema: unknown;
  pointer: string;
}

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

/** OpenAPI 2.0: a body's one schema under each media type the operation consumes or produces. */
export function schemaPerMediaType(
  ctx: ImportContext,
  operation: JsonObject,
  key: 'consumes' | 'produces',
  schema: unknown,
  pointer: string,
): BodySchema[] {
  return mediaTypes(ctx, operation, key).map((mediaType) => ({ mediaType, schema, pointer }));
}

/** OpenAPI 3.x: the schema of each media type in the `content` of a request body or response. */
export function contentSchemas(ctx: ImportContext, body: JsonObject, pointer: string): BodySchema[] {
  const content = ctx.read.object(body, 'content', pointer) ?? {};
  return Object.entries(content)
    .filter(([, media]) => isObject(media) && media.schema !== undefined)
    .map(([mediaType, media]) => ({
      mediaType,
      schema: (media as JsonObject).schema,
      pointer: pointerTo(pointer, 'content', mediaType, 'schema'),
    }));
}
