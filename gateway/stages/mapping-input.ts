import type { MappingInput } from '../../mappings/parameters';
import { contextVariables } from '../context-variables';
import type { Invocation } from '../invocation';

/**
 * What parameter-mapping expressions can read in this invocation. `$context` is built only when
 * an expression reads it (most mappings read the method request alone), and then once.
 */
export function mappingInput(inv: Invocation, response?: MappingInput['response']): MappingInput {
  let context: Record<string, unknown> | undefined;
  return {
    request: {
      path: inv.request.pathParameters,
      querystring: inv.request.querystring,
      headers: inv.request.headers,
      body: inv.request.body,
    },
    response,
    get context() {
      return (context ??= contextVariables(inv));
    },
    stageVariables: inv.stageVariables,
  };
}
