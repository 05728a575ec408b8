/**
 * `$input`: the payload and the request parameters of the message being mapped
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html).
 */
import { TemplateRuntimeError, type TemplateRuntimeErrorKind } from './errors';
import { JsonDepthError, JsonSyntaxError, parseJson, toJsonText } from './json';
import { queryJsonPath } from './jsonpath';
import { javaToString } from './text';
import { HostObject, JsonList, mapGet, NO_METHOD, type PlainMap, type VtlMap } from './values';

/** Single-valued request parameters as `$input.params()` exposes them. */
export interface InputParams {
  path: Record<string, string>;
  querystring: Record<string, string>;
  header: Record<string, string>;
}

// Decoded lazily and at most once per render: most templates read the body once or not at all.
const UNPARSED = Symbol('unparsed');

/**
 * How API Gateway reads text as JSON: strict JSON; failing that, text that does not start like
 * JSON is a bare string (`some raw data`), text that does (`{"a":`) fails with `kind`.
 * `what` names the source in the message.
 */
export function parseLenientJson(text: string, what: string, kind: TemplateRuntimeErrorKind): unknown {
  try {
    return parseJson(text);
  } catch (e) {
    // Valid JSON too deep to map: the template fails (500), it is not the client's bad JSON.
    if (e instanceof JsonDepthError) throw new TemplateRuntimeError('error', `${what} is ${e.message}`);
    if (!(e instanceof JsonSyntaxError)) throw e;
    if (/^\s*[[{"]/.test(text))
      throw new TemplateRuntimeError(kind, `${what} is not valid JSON: ${e.message}`);
    return text.trim();
  }
}

/** The `$input` object of one render. */
export class InputObject extends HostObject {
  private readonly rawBody: Buffer | string;
  private text: string | undefined;
  private document: unknown = UNPARSED;
  private readonly paramsMap: PlainMap;

  constructor(body: Buffer | string, params: InputParams) {
    super();
    this.rawBody = body;
    // Copies: a template may put() into them, and that must not leak into the caller's request.
    // Key order as API Gateway prints the map: path, querystring, header.
    this.paramsMap = {
      path: { ...params.path },
      querystring: { ...params.querystring },
      header: { ...params.header },
    };
  }

  /** A bare `$input` renders as nothing on API Gateway, not as its own reference text. */
  toJavaString(): string {
    return '';
  }

  property(name: string): unknown {
    return name === 'body' ? this.body() : undefined;
  }

  invoke(name: string, args: readonly unknown[]): unknown {
    switch (name) {
      case 'getBody':
        return args.length === 0 ? this.body() : NO_METHOD;
      case 'json':
        return args.length === 1 ? this.json(args[0]) : NO_METHOD;
      case 'path':
        return args.length === 1 ? this.path(args[0]) : NO_METHOD;
      case 'params':
        if (args.length === 0) return this.paramsMap;
        return args.length === 1 ? this.param(args[0]) : NO_METHOD;
      default:
        return NO_METHOD;
    }
  }

  private bodyText(): string {
    if (this.text === undefined) {
      // Text payloads are UTF-8 decoded with replacement characters
      // (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html).
      this.text = typeof this.rawBody === 'string' ? this.rawBody : this.rawBody.toString('utf8');
    }
    return this.text;
  }

  /** `$input.body`: the raw text; an empty payload reads as `{}` (AWS-validated). */
  private body(): string {
    const text = this.bodyText();
    return text === '' ? '{}' : text;
  }

  /** The body as a JSON document; null for an empty body (`$input.path('$')` prints nothing). */
  private parsed(): unknown {
    if (this.document === UNPARSED) {
      const text = this.bodyText();
      this.document = text.trim() === '' ? null : parseLenientJson(text, 'The body', 'invalid-json');
    }
    return this.document;
  }

  /** `$input.path(x)`: the value itself (a map, list, string, number…); a list for indefinite paths. */
  private path(expression: unknown): unknown {
    const { definite, matches } = queryJsonPath(this.parsed(), pathText(expression));
    return definite ? matches[0] : JsonList.from(matches);
  }

  /**
   * `$input.json(x)`: JSON text; a missing definite path gives `""` (as LocalStack;
   * https://github.com/localstack/localstack/tree/main/localstack-core/localstack/services/apigateway/next_gen/execute_api).
   */
  private json(expression: unknown): string {
    const document = this.bodyText().trim() === '' ? {} : this.parsed();
    const { definite, matches } = queryJsonPath(document, pathText(expression));
    if (!definite) return toJsonText(matches);
    return matches.length === 0 ? '""' : toJsonText(matches[0]);
  }

  /** `$input.params(x)`: path, then query string, then header; `""` when absent. */
  private param(name: unknown): string {
    const key = javaToString(name);
    for (const location of ['path', 'querystring', 'header']) {
      const value = mapGet(this.paramsMap[location] as VtlMap, key);
      if (value !== undefined && value !== null) return javaToString(value);
    }
    return '';
  }
}

function pathText(expression: unknown): string {
  if (typeof expression !== 'string') {
    throw new TemplateRuntimeError(
      'error',
      `A JSONPath expression must be a string, got ${javaToString(expression)}`,
    );
  }
  return expression;
}
