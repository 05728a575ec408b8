import { sendXml, type S3Context } from '../context';
import { S3Errors } from '../errors';
import { httpTime } from '../format';
import { el, S3_NS } from '../xml';
import { authorizeObject, findBucket } from './access';
import { findObjectVersion, requestedVersionId, versionIdHeader } from './version-addressing';

type ObjectTarget = { bucket: string; key: string };

/** What x-amz-object-attributes may ask for. */
const ATTRIBUTES = ['ETag', 'Checksum', 'ObjectParts', 'StorageClass', 'ObjectSize'] as const;
type Attribute = (typeof ATTRIBUTES)[number];

/** The attributes asked for: a comma-separated list (repeated headers too), empty items ignored. */
function requestedAttributes(ctx: S3Context): Set<Attribute> {
  const raw = ctx.req.headers['x-amz-object-attributes'];
  const names = (Array.isArray(raw) ? raw.join(',') : (raw ?? ''))
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (names.length === 0) {
    throw S3Errors.invalidRequest(
      'The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty',
    );
  }
  const wanted = new Set<Attribute>();
  for (const name of names) {
    const attribute = ATTRIBUTES.find((a) => a === name);
    if (!attribute)
      throw S3Errors.invalidArgument('Invalid attribute name specified.', 'x-amz-object-attributes', name);
    wanted.add(attribute);
  }
  return wanted;
}

/**
 * GetObjectAttributes (GET ?attributes) of the latest version or of `versionId`: only the
 * attributes asked for. The ETag comes unquoted, as S3 sends it here. Checksum is the stored
 * whole-object checksum (absent when the upload had none). ObjectParts is for objects assembled by
 * CompleteMultipartUpload: their part count (`PartsCount` on the wire, TotalPartsCount in SDKs);
 * S3 lists the parts themselves only for objects uploaded with additional checksums, which
 * multipart objects here do not keep.
 */
export async function getObjectAttributes(ctx: S3Context, { bucket, key }: ObjectTarget): Promise<void> {
  const bucketRecord = findBucket(ctx, bucket);
  const wanted = requestedAttributes(ctx);
  const record = findObjectVersion(ctx, bucketRecord, key, requestedVersionId(ctx));
  authorizeObject(ctx, record, 'READ');
  const checksums = Object.entries(record.checksums);
  sendXml(
    ctx,
    200,
    el(
      'GetObjectAttributesResponse',
      { xmlns: S3_NS },
      wanted.has('ETag') ? el('ETag', record.etag) : undefined,
      wanted.has('Checksum') && checksums.length > 0
        ? el(
            'Checksum',
            checksums.map(([algorithm, value]) => el(`Checksum${algorithm}`, value)),
            el('ChecksumType', 'FULL_OBJECT'),
          )
        : undefined,
      wanted.has('ObjectParts') && record.parts
        ? el('ObjectParts', el('PartsCount', record.parts.length))
        : undefined,
      wanted.has('StorageClass') ? el('StorageClass', record.storageClass) : undefined,
      wanted.has('ObjectSize') ? el('ObjectSize', record.size) : undefined,
    ),
    { 'Last-Modified': httpTime(record.lastModified), ...versionIdHeader(bucketRecord, record.versionId) },
  );
}
