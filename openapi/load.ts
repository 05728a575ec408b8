import { readFileSync } from 'node:fs';
import type { ApiDefinition } from './model';
import { DocumentFormat, normalizeDocument } from './normalize';
import { parseDocumentText } from './parse';
import { Problem, Problems } from './problems';
import { describe, isObject, JsonObject } from './values';

/** The outcome of an import: `api` is undefined exactly when `problems` holds an error. */
export interface LoadResult {
  api: ApiDefinition | undefined;
  problems: Problem[];
}

/** Imports an OpenAPI 2.0 / 3.x file (JSON or YAML); user errors come back as problems, never thrown. */
export function loadApi(file: string): LoadResult {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const problems = new Problems(file);
    problems.error('', `cannot read the file: ${(e as Error).message}`);
    return { api: undefined, problems: problems.list };
  }
  return loadApiText(text, file);
}

/** Imports a document given as text; `file` names it in problems and in `ApiDefinition.source`. */
export function loadApiText(text: string, file: string): LoadResult {
  const problems = new Problems(file);
  const document = parseDocumentText(text, problems);
  if (problems.hasErrors) return { api: undefined, problems: problems.list };
  return importDocument(document, file, problems);
}

/** Imports an already parsed document (e.g. one a test builds as an object). */
export function loadApiDocument(document: unknown, file: string): LoadResult {
  return importDocument(document, file, new Problems(file));
}

function importDocument(document: unknown, file: string, problems: Problems): LoadResult {
  if (!isObject(document)) {
    problems.error('', `an OpenAPI document must be an object at the top level, not ${describe(document)}`);
    return { api: undefined, problems: problems.list };
  }
  const version = detectFormat(document, problems);
  if (!version) return { api: undefined, problems: problems.list };
  const api = normalizeDocument(document, version.format, version.formatVersion, file, problems);
  return { api: problems.hasErrors ? undefined : api, problems: problems.list };
}

const OPENAPI_VERSION = /^3\.[01](\.\d+)?(-[0-9A-Za-z.-]+)?$/;

function detectFormat(
  document: JsonObject,
  problems: Problems,
): { format: DocumentFormat; formatVersion: string } | undefined {
  // YAML reads an unquoted `swagger: 2.0` or `openapi: 3.0` as a number.
  const written = (value: unknown) =>
    typeof value === 'number' ? (Number.isInteger(value) ? value.toFixed(1) : String(value)) : value;
  if (document.swagger !== undefined) {
    const version = written(document.swagger);
    if (version === '2.0') return { format: 'swagger', formatVersion: version };
    problems.error(
      '/swagger',
      `unsupported swagger version ${describe(document.swagger)}: only "2.0" exists`,
    );
    return undefined;
  }
  if (document.openapi !== undefined) {
    const version = written(document.openapi);
    if (typeof version === 'string' && OPENAPI_VERSION.test(version))
      return { format: 'openapi', formatVersion: version };
    problems.error(
      '/openapi',
      `unsupported OpenAPI version ${describe(document.openapi)}: supported are swagger "2.0" and openapi 3.0.x and 3.1.x`,
    );
    return undefined;
  }
  problems.error(
    '',
    'not an OpenAPI document: expected a top-level `swagger: "2.0"` (OpenAPI 2.0) or `openapi: 3.x` (OpenAPI 3.0 / 3.1), or a SAM / CloudFormation template (with Resources)',
  );
  return undefined;
}
