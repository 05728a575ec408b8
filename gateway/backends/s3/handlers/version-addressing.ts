import type { S3Context } from '../context';
import { S3Errors } from '../errors';
import { httpTime } from '../format';
import { isDeleteMarker, NULL_VERSION_ID } from '../store';
import type { BucketRecord, DeleteMarkerRecord, ObjectRecord } from '../store/types';
import { isVersionId } from '../store/version-ids';
import { bucketAllows } from './access';

/**
 * The `versionId` query parameter: undefined when absent (the latest version is meant). An empty
 * or malformed id is InvalidArgument, as on S3; a well-formed id that names nothing is left to
 * the caller (NoSuchVersion, or nothing to delete).
 */
export function requestedVersionId(ctx: S3Context): string | undefined {
  const versionId = ctx.query.get('versionId');
  if (versionId === undefined) return undefined;
  return checkedVersionId(versionId, 'versionId');
}

/** A version id from a request (query, header or XML), checked as S3 checks `versionId`. */
export function checkedVersionId(versionId: string, argumentName: string): string {
  if (versionId === '') {
    throw S3Errors.invalidArgument('Version id cannot be the empty string', argumentName, versionId);
  }
  if (!isVersionId(versionId)) {
    throw S3Errors.invalidArgument('Invalid version id specified', argumentName, versionId);
  }
  return versionId;
}

/**
 * `x-amz-version-id` for a response about a version. S3 sends it for every version of a bucket
 * that has had versioning configured (`null` included), and never in a bucket that has not.
 */
export function versionIdHeader(bucket: BucketRecord, versionId: string): Record<string, string> {
  return bucket.versioning !== undefined || versionId !== NULL_VERSION_ID
    ? { 'x-amz-version-id': versionId }
    : {};
}

/**
 * `x-amz-version-id` for a response to a write: only a new (non-null) version is announced; a
 * write into a versioning-suspended bucket creates the null version and S3 answers without it.
 */
export function writtenVersionHeader(versionId: string): Record<string, string> {
  return versionId === NULL_VERSION_ID ? {} : { 'x-amz-version-id': versionId };
}

/**
 * No such version: NoSuchKey for the latest (NoSuchVersion for a named one) to whoever may list
 * the bucket, AccessDenied to anyone else, so that keys cannot be probed without READ on it.
 */
export function missingVersion(
  ctx: S3Context,
  bucket: BucketRecord,
  key: string,
  versionId: string | undefined,
): never {
  if (!bucketAllows(ctx, bucket, 'READ')) throw S3Errors.accessDenied();
  if (versionId === undefined) throw S3Errors.noSuchKey(key);
  throw S3Errors.noSuchVersion(key, versionId);
}

/**
 * A request that reached a delete marker. As the latest version it makes the key look deleted
 * (404 NoSuchKey); named by its id it is a resource without bytes or subresources (405). Both
 * answers say it is a marker, and which.
 */
export function deleteMarkerReached(
  ctx: S3Context,
  bucket: BucketRecord,
  marker: DeleteMarkerRecord,
  versionId: string | undefined,
): never {
  const headers = { 'x-amz-delete-marker': 'true', 'x-amz-version-id': marker.versionId };
  if (versionId === undefined) {
    if (!bucketAllows(ctx, bucket, 'READ')) throw S3Errors.accessDenied();
    throw S3Errors.noSuchKey(marker.key).withHeaders(headers);
  }
  throw S3Errors.methodNotAllowed(ctx.method, 'DeleteMarker').withHeaders({
    ...headers,
    'Last-Modified': httpTime(marker.lastModified),
  });
}

/** The object version a request addresses (`versionId`, or the latest), or the error S3 gives. */
export function findObjectVersion(
  ctx: S3Context,
  bucket: BucketRecord,
  key: string,
  versionId: string | undefined,
): ObjectRecord {
  const version = ctx.store.getVersion(bucket.name, key, versionId);
  if (!version) missingVersion(ctx, bucket, key, versionId);
  if (isDeleteMarker(version)) deleteMarkerReached(ctx, bucket, version, versionId);
  return version;
}
