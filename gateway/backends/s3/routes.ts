import type { IncomingHttpHeaders } from 'node:http';
import { S3Errors } from './errors';
import type { S3Query, S3Target } from './request';

/** The S3 operations this emulator runs. */
export type S3Operation =
  | 'ListBuckets'
  | 'CreateBucket'
  | 'DeleteBucket'
  | 'HeadBucket'
  | 'GetBucketLocation'
  | 'GetBucketAcl'
  | 'PutBucketAcl'
  | 'ListObjects'
  | 'ListObjectsV2'
  | 'ListMultipartUploads'
  | 'ListObjectVersions'
  | 'GetBucketVersioning'
  | 'PutBucketVersioning'
  | 'DeleteObjects'
  | 'GetObject'
  | 'HeadObject'
  | 'PutObject'
  | 'CopyObject'
  | 'DeleteObject'
  | 'GetObjectAcl'
  | 'GetObjectAttributes'
  | 'PutObjectAcl'
  | 'GetObjectTagging'
  | 'PutObjectTagging'
  | 'DeleteObjectTagging'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'UploadPartCopy'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts';

/**
 * Query parameters that name a sub-resource, i.e. change which operation a request is. A request
 * carrying one we do not run is answered NotImplemented: it must never fall through to the plain
 * operation (e.g. `PUT ?lifecycle` must not create a bucket).
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

type Table = Partial<Record<string, S3Operation>>;

/** Sub-resources of a bucket that run, by method. */
const BUCKET_SUBRESOURCES: Record<string, Table> = {
  location: { GET: 'GetBucketLocation' },
  acl: { GET: 'GetBucketAcl', PUT: 'PutBucketAcl' },
  uploads: { GET: 'ListMultipartUploads' },
  versions: { GET: 'ListObjectVersions' },
  versioning: { GET: 'GetBucketVersioning', PUT: 'PutBucketVersioning' },
  delete: { POST: 'DeleteObjects' },
};

/** Sub-resources of an object that run, by method (UploadPart/UploadPartCopy are told apart later). */
const OBJECT_SUBRESOURCES: Record<string, Table> = {
  acl: { GET: 'GetObjectAcl', PUT: 'PutObjectAcl' },
  attributes: { GET: 'GetObjectAttributes' },
  tagging: { GET: 'GetObjectTagging', PUT: 'PutObjectTagging', DELETE: 'DeleteObjectTagging' },
  uploads: { POST: 'CreateMultipartUpload' },
  uploadId: {
    PUT: 'UploadPart',
    POST: 'CompleteMultipartUpload',
    DELETE: 'AbortMultipartUpload',
    GET: 'ListParts',
  },
};

function fromTable(table: Table, method: string, resourceType: string): S3Operation {
  const operation = table[method];
  if (!operation) throw S3Errors.methodNotAllowed(method, resourceType);
  return operation;
}

function notImplemented(sub: string): never {
  throw S3Errors.notImplemented(`The '${sub}' sub-resource is not implemented yet`);
}

/** Resolves method × target × sub-resource to an operation, or throws the error S3 gives. */
export function resolveOperation(
  method: string,
  target: S3Target,
  query: S3Query,
  headers: IncomingHttpHeaders = {},
): S3Operation {
  const sub = subresourceOf(query);
  if (target.kind === 'service') {
    if (method === 'GET' && sub === undefined) return 'ListBuckets';
    throw S3Errors.methodNotAllowed(method, 'SERVICE');
  }
  const copy = headers['x-amz-copy-source'] !== undefined;
  if (target.kind === 'bucket') {
    if (sub !== undefined) {
      const table = BUCKET_SUBRESOURCES[sub] ?? notImplemented(sub);
      return fromTable(table, method, 'BUCKET');
    }
    const table: Table = {
      GET: query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects',
      PUT: 'CreateBucket',
      DELETE: 'DeleteBucket',
      HEAD: 'HeadBucket',
    };
    return fromTable(table, method, 'BUCKET');
  }
  if (sub !== undefined) {
    const table = OBJECT_SUBRESOURCES[sub] ?? notImplemented(sub);
    const operation = fromTable(table, method, 'OBJECT');
    return operation === 'UploadPart' && copy ? 'UploadPartCopy' : operation;
  }
  const table: Table = {
    GET: 'GetObject',
    HEAD: 'HeadObject',
    PUT: copy ? 'CopyObject' : 'PutObject',
    DELETE: 'DeleteObject',
  };
  return fromTable(table, method, 'OBJECT');
}
