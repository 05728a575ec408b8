/** The public surface of the OpenAPI importer. */
export { loadApi, loadApiDocument, loadApiText } from './load';
import type { TemplateLoadOptions, TemplateLoadResult } from './cloudformation';
import { fileMayBeTemplate } from './cloudformation/sniff';
export type { TemplateApi, TemplateLoadResult } from './cloudformation';

/**
 * Reads a SAM / CloudFormation template, or returns undefined when the file is not one (see
 * cloudformation/load.ts). The template importer is loaded only for a file that may be one: it is
 * a tenth of what `apigw serve` loads otherwise (bench/results.md, "Start-up").
 */
export function loadTemplate(file: string, options?: TemplateLoadOptions): TemplateLoadResult | undefined {
  if (!fileMayBeTemplate(file)) return undefined;
  return (require('./cloudformation') as typeof import('./cloudformation')).loadTemplate(file, options);
}
export type { LoadResult } from './load';
export { formatProblem, pointerTo } from './problems';
export type { Problem } from './problems';
export { IntegrationUriError, parseIntegrationUri } from './uri';
export { MappingSyntaxError, parseMappingDestination, parseMappingSource } from './mapping-expressions';
export type {
  MappingContext,
  MappingDestination,
  MappingSource,
  RequestLocation,
} from './mapping-expressions';
export type * from './model';
