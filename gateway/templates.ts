import {
  compileTemplate,
  overridesOf,
  TemplateRuntimeError,
  TemplateSyntaxError,
  type TemplateOverrides,
} from '../mappings/vtl';
import { javaToString } from '../mappings/vtl/text';
import { isList, isMap, isNull, mapEntries, mapGet } from '../mappings/vtl/values';
import type { ApiDefinition } from '../openapi/model';
import { pointerTo, type Problem } from '../openapi';
import { contextVariables } from './context-variables';
import { GatewayError, GatewayErrors } from './gateway-error';
import type { Invocation } from './invocation';
import type { Logger } from './log';
import { OFF_THREAD_BYTES, renderOffThread } from './template-pool';

/**
 * Compiles every mapping template of the API once, at load (compiled templates are cached by
 * source, so requests never parse). A malformed template is an error naming its location.
 */
export function compileApiTemplates(api: ApiDefinition): Problem[] {
  const problems: Problem[] = [];
  const check = (pointer: string, source: string) => {
    try {
      compileTemplate(source);
    } catch (e) {
      if (!(e instanceof TemplateSyntaxError)) throw e;
      problems.push({
        severity: 'error',
        file: api.source,
        pointer,
        message: `mapping template: ${e.message}`,
      });
    }
  };
  for (const resource of api.resources) {
    for (const method of Object.values(resource.methods)) {
      const integration = method!.integration;
      for (const [type, source] of Object.entries(integration.requestTemplates)) {
        check(pointerTo(integration.pointer, 'requestTemplates', type), source);
      }
      for (const response of integration.integrationResponses) {
        for (const [type, source] of Object.entries(response.responseTemplates)) {
          check(pointerTo(response.pointer, 'responseTemplates', type), source);
        }
      }
    }
  }
  return problems;
}

/** The `$context` of the invocation, shared by its request and response templates (overrides live there). */
export function templateContext(inv: Invocation): Record<string, unknown> {
  inv.templateContext ??= contextVariables(inv);
  return inv.templateContext;
}

/** What the templates of this invocation asked to override so far. */
export function templateOverrides(inv: Invocation): TemplateOverrides | undefined {
  return inv.templateContext ? overridesOf(inv.templateContext) : undefined;
}

/**
 * `$context.requestOverride.header` or `.querystring` with every value: a list (`["a", "b"]`)
 * stands for the parameter repeated, once per element; other values read as overridesOf reads them.
 */
export function requestOverrideValues(
  inv: Invocation,
  location: 'header' | 'querystring',
): Record<string, string[]> {
  const request = inv.templateContext?.requestOverride;
  const map = isMap(request) ? mapGet(request, location) : undefined;
  const out: Record<string, string[]> = {};
  if (!isMap(map)) return out;
  for (const [name, value] of mapEntries(map)) {
    const values = (isList(value) ? value : [value]).filter((v) => !isNull(v)).map(javaToString);
    if (values.length > 0) out[name] = values;
  }
  return out;
}

function lastValues(map: Record<string, string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).map(([k, v]) => [k, v[v.length - 1]]));
}

/**
 * Renders a mapping template for this invocation: on the event loop, or for a large payload on
 * the template thread (a Promise then; see template-pool.ts). A run-time failure is API Gateway's
 * 500 (with a log line naming the method, the template and the error); a request body that starts
 * like JSON but does not parse is 400 on the request side.
 */
export function renderTemplate(
  inv: Invocation,
  source: string,
  payload: { body: Buffer; binary: boolean },
  where: { side: 'request' | 'response'; pointer: string },
  log: Logger,
): Buffer | Promise<Buffer> {
  const params = {
    path: inv.request.pathParameters,
    querystring: lastValues(inv.request.querystring),
    header: lastValues(inv.request.headers),
  };
  const context = templateContext(inv);
  if (payload.body.length >= OFF_THREAD_BYTES && !payload.binary) {
    return renderOffThread(source, {
      body: payload.body,
      params,
      context,
      stageVariables: inv.stageVariables,
    }).then(
      (rendered) => {
        // The template's writes to $context (overrides) are the invocation's from now on.
        inv.templateContext = rendered.context;
        return rendered.output;
      },
      (e: unknown) => {
        throw templateFailure(inv, e, where, log);
      },
    );
  }
  try {
    const output = compileTemplate(source).render({
      body: payload.body,
      binaryBody: payload.binary,
      params,
      context,
      stageVariables: inv.stageVariables,
    });
    return Buffer.from(output, 'utf8');
  } catch (e) {
    throw templateFailure(inv, e, where, log);
  }
}

/** The gateway error a failed render answers with, logged with the method and the template. */
function templateFailure(
  inv: Invocation,
  e: unknown,
  where: { side: 'request' | 'response'; pointer: string },
  log: Logger,
): GatewayError {
  const method = `${inv.method?.httpMethod} ${inv.resource?.path}`;
  log.error(
    `${inv.requestId} ${method}: ${where.side} template ${where.pointer} failed: ${(e as Error).message}`,
  );
  if (e instanceof TemplateRuntimeError && e.kind === 'invalid-json' && where.side === 'request') {
    return new GatewayError('BAD_REQUEST_BODY', 'Invalid JSON in request body');
  }
  return GatewayErrors.apiConfigurationError();
}
