import { open } from 'node:fs/promises';
import { writeFully } from './durable';

/**
 * The small JSON files of the store (bucket.json, upload.json): `{"format":1,"<field>":record}`,
 * written once and fsynced, made visible by their caller's rename. See docs/storage-layout.md.
 */

/** Creates `file` (it must not exist) holding `{format, [field]: record}` and fsyncs it. */
export async function writeJsonFile(
  file: string,
  format: number,
  field: string,
  record: unknown,
  indent?: number,
): Promise<void> {
  const handle = await open(file, 'wx');
  try {
    const text = `${JSON.stringify({ format, [field]: record }, null, indent)}\n`;
    await writeFully(handle, Buffer.from(text, 'utf8'), 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * The record in such a file's contents, checked by `parse`, or why there is none (`name` is the
 * file's name in the messages).
 */
export function parseJsonFile<T>(
  text: string,
  name: string,
  format: number,
  field: string,
  parse: (record: unknown) => T | undefined,
): T | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return `${name} is not JSON`;
  }
  const fields = (parsed ?? {}) as Record<string, unknown>;
  if (fields.format !== format) return `${name} has unknown format ${String(fields.format)}`;
  return parse(fields[field]) ?? `${name} has the wrong shape`;
}
