/**
 * API Gateway's mapping-template language
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html):
 * Velocity 1.7 with `$input`, `$util`,
 * `$context` and `$stageVariables`, rendered the way AWS renders it. Pure: no I/O.
 */
export { compileTemplate, type CompiledTemplate, type TemplateVariables } from './engine';
export { TemplateRuntimeError, TemplateSyntaxError, type TemplateRuntimeErrorKind } from './errors';
export type { InputParams } from './input';
export { overridesOf, type TemplateOverrides } from './overrides';
