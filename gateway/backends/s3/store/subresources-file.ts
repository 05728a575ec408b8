import { randomBytes } from 'node:crypto';
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fsyncDir, isErrno, writeFully } from './durable';
import { isGrants, isTags } from './records';
import type { Grant, ObjectSubresources, Tag } from './types';

/*
 * An object's ACL and tags can change without its bytes changing. Rewriting a multi-GiB file for
 * that would be slow, and rewriting its footer in place would not be atomic, so the current ACL
 * and tags live beside the object file in `<object file>.sub`:
 *
 *   {"format":1,"generation":"<generation of the object version>","acl":[...],"tags":[...]}
 *
 * It is replaced with write-to-temp + rename, so it is always whole. It applies only to the
 * object version whose record has the same generation: an overwrite makes it stale at once, even
 * if a crash prevents its removal, and open() removes stale ones.
 */
const FORMAT = 1;

/** The contents of a subresources file. */
export interface SubresourcesFile extends ObjectSubresources {
  generation: string;
}

/** Durably replaces the subresources file at `path` (temp file in `tmpDir`, fsync, rename, fsync dir). */
export async function writeSubresources(
  tmpDir: string,
  path: string,
  contents: SubresourcesFile,
): Promise<void> {
  const tmp = join(tmpDir, `${randomBytes(16).toString('hex')}.sub`);
  const handle = await open(tmp, 'wx');
  try {
    const json: Record<string, unknown> = { format: FORMAT, generation: contents.generation };
    if (contents.acl !== undefined) json.acl = contents.acl;
    if (contents.tags !== undefined) json.tags = contents.tags;
    await writeFully(handle, Buffer.from(JSON.stringify(json), 'utf8'), 0);
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, path);
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    throw error;
  }
  await fsyncDir(dirname(path));
}

/** Reads a subresources file: its contents, or why it cannot be used. */
export async function readSubresources(path: string): Promise<SubresourcesFile | string> {
  const text = await readFile(path, 'utf8');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  const { format, generation, acl, tags } = (parsed ?? {}) as Record<string, unknown>;
  if (format !== FORMAT) return `unknown format ${String(format)}`;
  if (typeof generation !== 'string') return 'no generation';
  if (acl !== undefined && !isGrants(acl)) return 'malformed acl';
  if (tags !== undefined && !isTags(tags)) return 'malformed tags';
  return { generation, acl: acl as Grant[] | undefined, tags: tags as Tag[] | undefined };
}

/** Removes a subresources file if there is one (the caller fsyncs the directory). */
export async function removeSubresources(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!isErrno(error, 'ENOENT')) throw error;
  }
}
