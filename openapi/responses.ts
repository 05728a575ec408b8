import type { ImportContext } from './context';
import type { MethodResponse } from './model';
import { suggestModelName } from './schema-models';
import { contentSchemas, schemaPerMediaType, type BodySchema } from './media';
import { pointerTo } from './problems';
import { isObject, JsonObject } from './values';

/** An operation's `responses` as API Gateway method responses, by status code. */
export function readMethodResponses(
  ctx: ImportContext,
  operation: JsonObject,
  pointer: string,
  httpMethod: string,
  resourcePath: string,
): Record<string, MethodResponse> {
  const out: Record<string, MethodResponse> = {};
  const responses = ctx.read.object(operation, 'responses', pointer) ?? {};
  for (const [status, written] of Object.entries(responses)) {
    const at = pointerTo(pointer, 'responses', status);
    if (status.startsWith('x-')) continue;
    if (!/^[1-5]\d\d$/.test(status)) {
      if (status === 'default' || /^[1-5]XX$/i.test(status)) {
        ctx.problems.warning(
          at,
          `response '${status}' is not imported: API Gateway method responses need an exact status code`,
        );
      } else {
        ctx.problems.error(at, `response '${status}' is not an HTTP status code (100 to 599)`);
      }
      continue;
    }
    const located = ctx.refs.resolveObject(written, at, `response ${status}`);
    if (!located) continue;
    out[status] = {
      statusCode: status,
      responseParameters: readHeaders(ctx, located.value, located.pointer),
      responseModels: ctx.models.namesFor(
        responseSchemas(ctx, operation, located.value, located.pointer),
        suggestModelName(httpMethod, resourcePath, `Response${status}`),
      ),
    };
  }
  return out;
}

function readHeaders(ctx: ImportContext, response: JsonObject, pointer: string): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [name, written] of Object.entries(ctx.read.object(response, 'headers', pointer) ?? {})) {
    const header = ctx.refs.resolve(written, pointerTo(pointer, 'headers', name));
    if (!header) continue;
    // Only OpenAPI 3 headers can be required; a 2.0 header object has no such field.
    out[`method.response.header.${name}`] = isObject(header.value) && header.value.required === true;
  }
  return out;
}

/** A response's schema under each media type it is sent as. */
function responseSchemas(
  ctx: ImportContext,
  operation: JsonObject,
  response: JsonObject,
  pointer: string,
): BodySchema[] {
  if (ctx.format === 'openapi') return contentSchemas(ctx, response, pointer);
  if (response.schema === undefined) return [];
  return schemaPerMediaType(ctx, operation, 'produces', response.schema, pointerTo(pointer, 'schema'));
}
