import { randomBytes } from 'node:crypto';
import { objectKeyProblem } from './names';
import { encodeFooter } from './object-file';
import { buildObjectRecord } from './records';
import { createTempFile, StagedFile, type TempFile } from './staged-file';
import type { ObjectAttributes, ObjectRecord, StagedObject } from './types';

/** What the store decides about a version at commit: its id and place among the key's versions. */
export interface VersionFacts {
  versionId: string;
  sequence: number;
}

/**
 * Makes the temp file the latest version of `key`; supplied by the store. It decides the version
 * (from the bucket's versioning state), builds the record with `build`, calls `seal` (footer +
 * fsync) and moves the file into place.
 */
export type Publish = (
  tmpFile: string,
  key: string,
  build: (version: VersionFacts) => ObjectRecord,
  seal: (record: ObjectRecord) => Promise<void>,
) => Promise<ObjectRecord>;

/** What the store decides instead of the bytes: the multipart ETag and part sizes. */
export interface CommitOverrides {
  etag?: string;
  parts?: readonly number[];
  /** The multipart upload the object is assembled by. */
  uploadId?: string;
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
      const etag = overrides.etag ?? this.md5().toString('hex');
      const build = (version: VersionFacts) =>
        buildObjectRecord(
          {
            key,
            size: this.size,
            etag,
            lastModified: Date.now(),
            generation: randomBytes(8).toString('hex'),
            ...version,
            parts: overrides.parts,
            uploadId: overrides.uploadId,
          },
          attributes,
        );
      return this.publish(this.file, key, build, (record) => this.seal(encodeFooter(record)));
    });
  }
}
