import { readFileSync } from 'node:fs';

/** Whether a text may be a template: one of a template's top-level keys appears (before parsing it). */
export function mayBeTemplate(source: string): boolean {
  return /(^|["'\s{,])(AWSTemplateFormatVersion|Resources|Transform)["']?\s*:/m.test(source);
}

/**
 * Whether a file may be a template (see mayBeTemplate); false when it cannot be read. Lets a caller
 * load the template importer only for such a file: an OpenAPI file never needs it.
 */
export function fileMayBeTemplate(file: string): boolean {
  try {
    return mayBeTemplate(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
}
