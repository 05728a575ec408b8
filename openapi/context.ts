import type { Models } from './schema-models';
import type { Problems } from './problems';
import type { Refs } from './refs';
import type { FieldReader, JsonObject } from './values';

/** What every step of one import shares: the document, its version, and where problems go. */
export interface ImportContext {
  format: 'swagger' | 'openapi';
  document: JsonObject;
  problems: Problems;
  refs: Refs;
  read: FieldReader;
  models: Models;
}
