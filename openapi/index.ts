/** The public surface of the OpenAPI importer. */
export { loadApi, loadApiDocument, loadApiText } from './load';
export { loadTemplate } from './cloudformation';
export type { TemplateApi, TemplateLoadResult } from './cloudformation';
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
