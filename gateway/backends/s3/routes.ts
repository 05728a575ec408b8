import { S3Errors } from './errors';
import type { S3Query, S3Target } from './request';

/** The S3 operations this emulator runs. */
export type S3Operation =
  | 'ListBuckets'
  | 'CreateBucket'
  | 'DeleteBucket'
  | 'HeadBucket'
  | 'GetBucketLocation'
  | 'ListObjects'
  | 'ListObjectsV2'
  | 'GetObject'
  | 'HeadObject'
  | 'PutObject'
  | 'DeleteObject';

/**
 * Query parameters that name a sub-resource, i.e. change which operation a request is. A request
 * carrying one we do not run is answered NotImplemented: it must never fall through to the plain
 * operation (e.g. `PUT ?versioning` must not create a bucket).
 */
const SUBRESOURCES = new Set([
  'accelerate',
  'acl',
  'analytics',
  'attributes',
  'cors',
  'delete',
  'encryption',
  'intelligent-tiering',
  'inventory',
  'legal-hold',
  'lifecycle',
  'location',
  'logging',
  'metadataConfiguration',
  'metrics',
  'notification',
  'object-lock',
  'ownershipControls',
  'policy',
  'policyStatus',
  'publicAccessBlock',
  'replication',
  'requestPayment',
  'restore',
  'retention',
  'select',
  'session',
  'tagging',
  'torrent',
  'uploadId',
  'uploads',
  'versioning',
  'versions',
  'website',
]);

function subresourceOf(query: S3Query): string | undefined {
  for (const name of query.keys()) if (SUBRESOURCES.has(name)) return name;
  return undefined;
}

/** Resolves method × target × sub-resource to an operation, or throws the error S3 gives. */
export function resolveOperation(method: string, target: S3Target, query: S3Query): S3Operation {
  const sub = subresourceOf(query);
  if (target.kind === 'service') {
    if (method === 'GET' && sub === undefined) return 'ListBuckets';
    throw S3Errors.methodNotAllowed(method, 'SERVICE');
  }
  if (target.kind === 'bucket') {
    if (sub === 'location') {
      if (method === 'GET') return 'GetBucketLocation';
      throw S3Errors.methodNotAllowed(method, 'BUCKET');
    }
    if (sub !== undefined) throw S3Errors.notImplemented(`The '${sub}' sub-resource is not implemented yet`);
    switch (method) {
      case 'GET':
        return query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
      case 'PUT':
        return 'CreateBucket';
      case 'DELETE':
        return 'DeleteBucket';
      case 'HEAD':
        return 'HeadBucket';
      default:
        throw S3Errors.methodNotAllowed(method, 'BUCKET');
    }
  }
  if (sub !== undefined) throw S3Errors.notImplemented(`The '${sub}' sub-resource is not implemented yet`);
  switch (method) {
    case 'GET':
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'PUT':
      return 'PutObject';
    case 'DELETE':
      return 'DeleteObject';
    default:
      throw S3Errors.methodNotAllowed(method, 'OBJECT');
  }
}
