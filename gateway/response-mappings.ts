import { mediaTypeOfHeader } from '../mappings/content';
import { parseMappingSource, type MappingContext, type MappingSource } from '../openapi';

/**
 * What integration responses and gateway responses share: choosing a response template by the
 * client's Accept, and their header mappings parsed once.
 */

/**
 * The response template for the client's Accept, as integration responses choose
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/request-response-data-mappings.html):
 * the first media type (none, or `*\/*`, which names no media type, means application/json), else
 * the first template; undefined when there is none.
 */
export function chooseResponseTemplate(
  templates: Record<string, string>,
  accept: string | undefined,
): [string, string] | undefined {
  const keys = Object.keys(templates);
  if (keys.length === 0) return undefined;
  const first = mediaTypeOfHeader(accept);
  const wanted = first === undefined || first === '*/*' ? 'application/json' : first;
  const key = keys.find((k) => k.toLowerCase() === wanted) ?? keys[0];
  return [key, templates[key]];
}

/** A header mapping: the header's name and the parsed expression that gives its value. */
export interface HeaderMapping {
  name: string;
  source: MappingSource;
}

const compiled = new WeakMap<Record<string, string>, HeaderMapping[]>();

/**
 * The `<prefix><name>` entries of a `responseParameters` map (`method.response.header.`,
 * `gatewayresponse.header.`), parsed once per map (the importer checked them).
 */
export function headerMappings(
  responseParameters: Record<string, string>,
  prefix: string,
  context: MappingContext,
): HeaderMapping[] {
  let list = compiled.get(responseParameters);
  if (!list) {
    list = Object.entries(responseParameters)
      .filter(([destination]) => destination.startsWith(prefix))
      .map(([destination, expression]) => ({
        name: destination.slice(prefix.length),
        source: parseMappingSource(expression, context),
      }));
    compiled.set(responseParameters, list);
  }
  return list;
}
