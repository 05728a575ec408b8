import { createTempFile, StagedFile, type TempFile } from './staged-file';
import { encodePartFooter } from './upload-files';
import type { PartRecord, StagedPart } from './types';

/** Moves a sealed temp file into the upload as `part`; supplied by the store (which knows the upload). */
export type PublishPart = (
  tmpFile: string,
  part: PartRecord,
  seal: () => Promise<void>,
) => Promise<PartRecord>;

/** Starts writing a part into a new temp file in `tmpDir`. */
export async function stagePart(tmpDir: string, publish: PublishPart): Promise<StagedPart> {
  return new DiskStagedPart(await createTempFile(tmpDir), publish);
}

class DiskStagedPart extends StagedFile implements StagedPart {
  constructor(
    temp: TempFile,
    private readonly publish: PublishPart,
  ) {
    super(temp);
  }

  commit(partNumber: number, checksums: Record<string, string>): Promise<PartRecord> {
    return this.committing(async () => {
      const part: PartRecord = Object.freeze({
        partNumber,
        size: this.size,
        etag: this.md5().toString('hex'),
        lastModified: Date.now(),
        checksums: Object.freeze({ ...checksums }),
      });
      return this.publish(this.file, part, () => this.seal(encodePartFooter(part)));
    });
  }
}
