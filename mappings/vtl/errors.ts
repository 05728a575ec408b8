/** Errors of the template engine: one for loading (syntax), one for rendering. */

/** A malformed template, found when it is compiled. Line and column are 1-based. */
export class TemplateSyntaxError extends Error {
  override name = 'TemplateSyntaxError';
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(`${reason} (line ${line}, column ${column})`);
  }
}

/**
 * Why a render failed, which decides the answer
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html):
 * - `invalid-json`: `$input.path/json` over a body that starts like JSON but does not parse (400);
 * - `binary-body`: the payload is binary, and API Gateway never feeds bytes to a template (500);
 * - `error`: the template itself failed (a method threw, a bad regex, a #parse…) (500).
 */
export type TemplateRuntimeErrorKind = 'invalid-json' | 'binary-body' | 'error';

/** A template that could not be rendered. */
export class TemplateRuntimeError extends Error {
  override name = 'TemplateRuntimeError';
  constructor(
    readonly kind: TemplateRuntimeErrorKind,
    message: string,
  ) {
    super(message);
  }
}
