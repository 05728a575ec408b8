import type { MappingInput } from '../../mappings/parameters';
import { contextVariables } from '../context-variables';
import type { Invocation } from '../invocation';

/** What parameter-mapping expressions can read in this invocation. */
export function mappingInput(inv: Invocation, response?: MappingInput['response']): MappingInput {
  return {
    request: {
      path: inv.request.pathParameters,
      querystring: inv.request.querystring,
      headers: inv.request.headers,
      body: inv.request.body,
    },
    response,
    context: contextVariables(inv),
    stageVariables: inv.stageVariables,
  };
}
