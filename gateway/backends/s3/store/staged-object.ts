import { randomBytes } from 'node:crypto';
import { objectKeyProblem } from './names';
import { encodeFooter } from './object-file';
import { buildObjectRecord } from './records';
import { createTempFile, StagedFile, type TempFile } from './staged-file';
import type { ObjectAttributes, ObjectRecord, StagedObject } from './types';

/**
 * Makes the temp file the current version of `record.key`; supplied by the store. It calls
 * `seal` (footer + fsync) first, which lets the store count the commit as in progress from the start.
 */
export type Publish = (
  tmpFile: string,
  record: ObjectRecord,
  seal: () => Promise<void>,
) => Promise<ObjectRecord>;

/** What the store decides instead of the bytes: the multipart ETag and part sizes. */
export interface CommitOverrides {
  etag?: string;
  parts?: readonly number[];
}

/** Starts a write: a new temp file in `tmpDir` that `publish` will move into place on commit. */
export async function stageObject(tmpDir: string, publish: Publish, md5 = true): Promise<DiskStagedObject> {
  return new DiskStagedObject(await createTempFile(tmpDir), publish, md5);
}

/** A staged object: the body, then the record, published by the store as one file. */
export class DiskStagedObject extends StagedFile implements StagedObject {
  constructor(
    temp: TempFile,
    private readonly publish: Publish,
    md5 = true,
  ) {
    super(temp, md5);
  }

  commit(key: string, attributes: ObjectAttributes, overrides: CommitOverrides = {}): Promise<ObjectRecord> {
    return this.committing(async () => {
      const problem = objectKeyProblem(key);
      if (problem) throw new Error(`cannot store the object: ${problem}`);
      const record = buildObjectRecord(
        {
          key,
          size: this.size,
          etag: overrides.etag ?? this.md5().toString('hex'),
          lastModified: Date.now(),
          generation: randomBytes(8).toString('hex'),
          parts: overrides.parts,
        },
        attributes,
      );
      return this.publish(this.file, record, () => this.seal(encodeFooter(record)));
    });
  }
}
