import { unlink } from 'node:fs/promises';
import { writeFully } from './durable';
import { encodeFooter } from './object-file';
import { createTempFile } from './staged-file';
import type { DeleteMarkerRecord } from './types';

/**
 * Writes a delete marker's file in `tmpDir` (no bytes, just its footer) and fsyncs it, ready to be
 * renamed into place like any version file. Returns its path; removes it if writing fails.
 */
export async function writeMarkerFile(tmpDir: string, marker: DeleteMarkerRecord): Promise<string> {
  const { file, handle } = await createTempFile(tmpDir);
  try {
    await writeFully(handle, encodeFooter(marker), 0);
    await handle.sync();
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(file).catch(() => undefined);
    throw error;
  }
  await handle.close();
  return file;
}
