import type { Problem } from '../../openapi';
import type { ApiDefinition } from '../../openapi/model';
import type { UnsupportedField } from '../../openapi/unsupported-fields';
import type { Logger } from '../log';
import { formatRouteTable, routeTable } from './routes';

export { formatRouteTable, routeTable, describeIntegration, type RouteRow } from './routes';

/** One line per field apigw does not honour: `file#pointer: not honoured: reason`. */
export function formatUnsupported(file: string, field: UnsupportedField): string {
  return `${file}#${field.pointer}: not honoured: ${field.reason}`;
}

/** Under --strict, the fields apigw does not honour are errors that stop it from serving the API. */
export function strictProblems(file: string, fields: readonly UnsupportedField[]): Problem[] {
  return fields.map((f) => ({
    severity: 'error',
    file,
    pointer: f.pointer,
    message: `not honoured by apigw (--strict): ${f.reason}`,
  }));
}

/** The start-up report: each route, then every field apigw does not honour (never silently ignored). */
export function reportRoutes(
  api: ApiDefinition,
  fields: readonly UnsupportedField[],
  stageVariables: Record<string, string>,
  log: Logger,
): void {
  const rows = routeTable(api, stageVariables);
  log.info(`${rows.length} route(s):\n${formatRouteTable(rows)}`);
  for (const field of fields) log.warn(formatUnsupported(api.source, field));
}
