import type { Owner } from '../identity';
import type { BucketRecord, ObjectAttributes, ObjectRecord } from './types';

// Records are shared between the index and every caller; freezing them makes an accidental
// mutation fail loudly instead of silently making the index disagree with the disk.

/** A frozen copy of an object record built from a commit's attributes. */
export function buildObjectRecord(
  key: string,
  size: number,
  etag: string,
  lastModified: number,
  attributes: ObjectAttributes,
): ObjectRecord {
  return Object.freeze({
    key,
    size,
    etag,
    lastModified,
    owner: copyOwner(attributes.owner),
    headers: copyStrings(attributes.headers),
    metadata: copyStrings(attributes.metadata),
    checksums: copyStrings(attributes.checksums),
    storageClass: attributes.storageClass,
  });
}

/** A frozen copy of a bucket record. */
export function buildBucketRecord(record: BucketRecord): BucketRecord {
  return Object.freeze({
    name: record.name,
    owner: copyOwner(record.owner),
    creationDate: record.creationDate,
    locationConstraint: record.locationConstraint,
  });
}

/** The object record in parsed JSON, or undefined when it does not have the right shape. */
export function parseObjectRecord(value: unknown): ObjectRecord | undefined {
  if (!isObject(value)) return undefined;
  const { key, size, etag, lastModified, owner, headers, metadata, checksums, storageClass } = value;
  if (typeof key !== 'string' || typeof etag !== 'string' || typeof storageClass !== 'string')
    return undefined;
  if (!isCount(size) || typeof lastModified !== 'number' || !isOwner(owner)) return undefined;
  if (!isStrings(headers) || !isStrings(metadata) || !isStrings(checksums)) return undefined;
  return buildObjectRecord(key, size, etag, lastModified, {
    owner,
    headers,
    metadata,
    checksums,
    storageClass,
  });
}

/** The bucket record in parsed JSON, or undefined when it does not have the right shape. */
export function parseBucketRecord(value: unknown): BucketRecord | undefined {
  if (!isObject(value)) return undefined;
  const { name, owner, creationDate, locationConstraint } = value;
  if (
    typeof name !== 'string' ||
    typeof creationDate !== 'number' ||
    typeof locationConstraint !== 'string'
  ) {
    return undefined;
  }
  if (!isOwner(owner)) return undefined;
  return buildBucketRecord({ name, owner, creationDate, locationConstraint });
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
