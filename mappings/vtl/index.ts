/**
 * API Gateway's mapping-template language (reference §5): Velocity 1.7 with `$input`, `$util`,
 * `$context` and `$stageVariables`, rendered the way AWS renders it. Pure: no I/O.
 */
export { compileTemplate, type CompiledTemplate, type TemplateVariables } from './engine';
export { TemplateRuntimeError, TemplateSyntaxError, type TemplateRuntimeErrorKind } from './errors';
export type { InputParams } from './input';
export { overridesOf, type TemplateOverrides } from './overrides';
