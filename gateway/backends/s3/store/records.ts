import type { Owner } from '../identity';
import {
  NULL_VERSION_ID,
  type BucketRecord,
  type DeleteMarkerRecord,
  type Grant,
  type ObjectAttributes,
  type ObjectRecord,
  type PartRecord,
  type Tag,
  type UploadRecord,
} from './types';

// Records are shared between the index and every caller; freezing them makes an accidental
// mutation fail loudly instead of silently making the index disagree with the disk.

/** What the store itself decides about an object version. */
export interface ObjectFacts {
  key: string;
  size: number;
  etag: string;
  lastModified: number;
  generation: string;
  versionId: string;
  sequence: number;
  parts?: readonly number[];
  uploadId?: string;
}

/** A frozen object record from the store's facts and a commit's attributes. */
export function buildObjectRecord(facts: ObjectFacts, attributes: ObjectAttributes): ObjectRecord {
  const record: ObjectRecord = {
    key: facts.key,
    size: facts.size,
    etag: facts.etag,
    lastModified: facts.lastModified,
    owner: copyOwner(attributes.owner),
    headers: copyStrings(attributes.headers),
    metadata: copyStrings(attributes.metadata),
    checksums: copyStrings(attributes.checksums),
    storageClass: attributes.storageClass,
    generation: facts.generation,
    versionId: facts.versionId,
    sequence: facts.sequence,
  };
  // Optional members are left out rather than set to undefined, so records compare and serialise cleanly.
  if (attributes.acl !== undefined) record.acl = copyGrants(attributes.acl);
  if (attributes.tags !== undefined) record.tags = copyTags(attributes.tags);
  if (facts.parts !== undefined) record.parts = Object.freeze([...facts.parts]);
  if (facts.uploadId !== undefined) record.uploadId = facts.uploadId;
  return Object.freeze(record);
}

/** A frozen delete marker record. */
export function buildDeleteMarker(marker: Omit<DeleteMarkerRecord, 'deleteMarker'>): DeleteMarkerRecord {
  return Object.freeze({
    key: marker.key,
    versionId: marker.versionId,
    sequence: marker.sequence,
    lastModified: marker.lastModified,
    owner: copyOwner(marker.owner),
    deleteMarker: true as const,
  });
}

/** The delete marker in parsed JSON, or undefined when it does not have the right shape. */
export function parseDeleteMarker(value: unknown): DeleteMarkerRecord | undefined {
  if (!isObject(value)) return undefined;
  const { key, versionId, sequence, lastModified, owner } = value;
  if (typeof key !== 'string' || typeof versionId !== 'string' || !isCount(sequence)) return undefined;
  if (typeof lastModified !== 'number' || !isOwner(owner)) return undefined;
  return buildDeleteMarker({ key, versionId, sequence, lastModified, owner });
}

/** The sequence of a record written before versions existed: its time, in the unit sequences use. */
export function legacySequence(lastModified: number): number {
  return lastModified * 1000;
}

/** The commit attributes of a record (everything the store does not decide). */
export function attributesOf(record: ObjectRecord): ObjectAttributes {
  const { owner, headers, metadata, checksums, storageClass, acl, tags } = record;
  return { owner, headers, metadata, checksums, storageClass, acl, tags };
}

/** A frozen copy of a bucket record. */
export function buildBucketRecord(record: BucketRecord): BucketRecord {
  const copy: BucketRecord = {
    name: record.name,
    owner: copyOwner(record.owner),
    creationDate: record.creationDate,
    locationConstraint: record.locationConstraint,
  };
  if (record.acl !== undefined) copy.acl = copyGrants(record.acl);
  if (record.versioning !== undefined) copy.versioning = record.versioning;
  if (record.mfaDelete !== undefined) copy.mfaDelete = record.mfaDelete;
  return Object.freeze(copy);
}

/** The object record in parsed JSON, or undefined when it does not have the right shape. */
export function parseObjectRecord(value: unknown): ObjectRecord | undefined {
  if (!isObject(value)) return undefined;
  const { key, size, etag, lastModified, owner, headers, metadata, checksums, storageClass } = value;
  if (typeof key !== 'string' || typeof etag !== 'string' || typeof storageClass !== 'string')
    return undefined;
  if (!isCount(size) || typeof lastModified !== 'number' || !isOwner(owner)) return undefined;
  if (!isStrings(headers) || !isStrings(metadata) || !isStrings(checksums)) return undefined;
  const { acl, tags, parts, uploadId, generation, versionId, sequence } = value;
  if (uploadId !== undefined && typeof uploadId !== 'string') return undefined;
  if (versionId !== undefined && typeof versionId !== 'string') return undefined;
  if (sequence !== undefined && !isCount(sequence)) return undefined;
  if (acl !== undefined && !isGrants(acl)) return undefined;
  if (tags !== undefined && !isTags(tags)) return undefined;
  if (parts !== undefined && !(Array.isArray(parts) && parts.every(isCount))) return undefined;
  if (generation !== undefined && typeof generation !== 'string') return undefined;
  return buildObjectRecord(
    {
      key,
      size,
      etag,
      lastModified,
      // Files written before generations existed get a stable stand-in.
      generation: generation ?? `${etag}-${lastModified}`,
      // ...and were all null versions, ordered by time.
      versionId: versionId ?? NULL_VERSION_ID,
      sequence: sequence ?? legacySequence(lastModified),
      parts,
      uploadId,
    },
    { owner, headers, metadata, checksums, storageClass, acl, tags },
  );
}

/** The bucket record in parsed JSON, or undefined when it does not have the right shape. */
export function parseBucketRecord(value: unknown): BucketRecord | undefined {
  if (!isObject(value)) return undefined;
  const { name, owner, creationDate, locationConstraint, acl, versioning, mfaDelete } = value;
  if (versioning !== undefined && versioning !== 'Enabled' && versioning !== 'Suspended') return undefined;
  if (mfaDelete !== undefined && mfaDelete !== 'Disabled') return undefined;
  if (
    typeof name !== 'string' ||
    typeof creationDate !== 'number' ||
    typeof locationConstraint !== 'string'
  ) {
    return undefined;
  }
  if (!isOwner(owner) || (acl !== undefined && !isGrants(acl))) return undefined;
  return buildBucketRecord({ name, owner, creationDate, locationConstraint, acl, versioning, mfaDelete });
}

/** A frozen copy of an upload record. */
export function buildUploadRecord(record: UploadRecord): UploadRecord {
  return Object.freeze({
    uploadId: record.uploadId,
    key: record.key,
    initiated: record.initiated,
    initiator: copyOwner(record.initiator),
    attributes: Object.freeze({
      ...record.attributes,
      owner: copyOwner(record.attributes.owner),
      headers: copyStrings(record.attributes.headers),
      metadata: copyStrings(record.attributes.metadata),
      checksums: copyStrings(record.attributes.checksums),
    }),
  });
}

/** The upload record in parsed JSON, or undefined when it does not have the right shape. */
export function parseUploadRecord(value: unknown): UploadRecord | undefined {
  if (!isObject(value)) return undefined;
  const { uploadId, key, initiated, initiator, attributes } = value;
  if (typeof uploadId !== 'string' || typeof key !== 'string' || typeof initiated !== 'number')
    return undefined;
  if (!isOwner(initiator) || !isObject(attributes)) return undefined;
  const { owner, headers, metadata, checksums, storageClass, acl, tags } = attributes;
  if (!isOwner(owner) || !isStrings(headers) || !isStrings(metadata) || !isStrings(checksums))
    return undefined;
  if (typeof storageClass !== 'string') return undefined;
  if ((acl !== undefined && !isGrants(acl)) || (tags !== undefined && !isTags(tags))) return undefined;
  return buildUploadRecord({
    uploadId,
    key,
    initiated,
    initiator,
    attributes: { owner, headers, metadata, checksums, storageClass, acl, tags },
  });
}

/** The part record in parsed JSON, or undefined when it does not have the right shape. */
export function parsePartRecord(value: unknown): PartRecord | undefined {
  if (!isObject(value)) return undefined;
  const { partNumber, size, etag, lastModified, checksums } = value;
  if (!isCount(partNumber) || !isCount(size) || typeof etag !== 'string') return undefined;
  if (typeof lastModified !== 'number' || !isStrings(checksums)) return undefined;
  return Object.freeze({ partNumber, size, etag, lastModified, checksums: copyStrings(checksums) });
}

/** A frozen copy of a list of grants. */
export function copyGrants(grants: readonly Grant[]): readonly Grant[] {
  return Object.freeze(
    grants.map((g) =>
      Object.freeze({
        grantee: Object.freeze(
          g.grantee.type === 'Group'
            ? { type: 'Group' as const, uri: g.grantee.uri }
            : { type: 'CanonicalUser' as const, id: g.grantee.id, displayName: g.grantee.displayName },
        ),
        permission: g.permission,
      }),
    ),
  );
}

/** A frozen copy of a list of tags. */
export function copyTags(tags: readonly Tag[]): readonly Tag[] {
  return Object.freeze(tags.map((t) => Object.freeze({ key: t.key, value: t.value })));
}

function copyOwner(owner: Owner): Owner {
  const copy: Owner = { id: owner.id, displayName: owner.displayName };
  if (owner.email !== undefined) copy.email = owner.email;
  return Object.freeze(copy);
}

function copyStrings(values: Record<string, string>): Record<string, string> {
  return Object.freeze({ ...values });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isStrings(value: unknown): value is Record<string, string> {
  return isObject(value) && Object.values(value).every((v) => typeof v === 'string');
}

function isOwner(value: unknown): value is Owner {
  return (
    isObject(value) &&
    typeof value.id === 'string' &&
    typeof value.displayName === 'string' &&
    (value.email === undefined || typeof value.email === 'string')
  );
}

const PERMISSIONS = new Set(['FULL_CONTROL', 'WRITE', 'WRITE_ACP', 'READ', 'READ_ACP']);

/** True when `value` is a list of grants as the store writes them. */
export function isGrants(value: unknown): value is Grant[] {
  return (
    Array.isArray(value) &&
    value.every((g: unknown) => {
      if (!isObject(g) || typeof g.permission !== 'string' || !PERMISSIONS.has(g.permission)) return false;
      const grantee = g.grantee;
      if (!isObject(grantee)) return false;
      if (grantee.type === 'Group') return typeof grantee.uri === 'string';
      return (
        grantee.type === 'CanonicalUser' &&
        typeof grantee.id === 'string' &&
        typeof grantee.displayName === 'string'
      );
    })
  );
}

/** True when `value` is a list of tags as the store writes them. */
export function isTags(value: unknown): value is Tag[] {
  return (
    Array.isArray(value) &&
    value.every((t: unknown) => isObject(t) && typeof t.key === 'string' && typeof t.value === 'string')
  );
}
