let loaded: typeof import('jsonpath-plus') | undefined;

/**
 * jsonpath-plus, loaded by the first JSONPath a request evaluates rather than at start-up: nothing
 * at load needs it, and every process of `apigw serve` would pay for it before opening its port.
 */
export function jsonPathPlus(): typeof import('jsonpath-plus') {
  return (loaded ??= require('jsonpath-plus') as typeof import('jsonpath-plus'));
}
