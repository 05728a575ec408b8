import { readSmallBody } from '../body';
import { sendEmpty, sendXml, type S3Context } from '../context';
import { S3Errors } from '../errors';
import { ownerXml, quoteEtag, xmlTime } from '../format';
import { isDeleteMarker } from '../store';
import type { VersioningStatus } from '../store/types';
import { childrenOf, el, parseXml, S3_NS, textOf, type Xml } from '../xml';
import { authorizeBucket } from './access';
import { boundedInteger, listingRequest, listingTrailer, sendListing } from './list';
import { checkedVersionId } from './version-addressing';

type BucketTarget = { bucket: string };

/**
 * GetBucketVersioning (bucket owner only, as on S3): a configuration without Status until
 * versioning was first set, then Enabled or Suspended; MfaDelete once it was given.
 */
export async function getBucketVersioning(ctx: S3Context, { bucket }: BucketTarget): Promise<void> {
  const record = authorizeBucket(ctx, bucket, 'OWNER');
  sendXml(
    ctx,
    200,
    el(
      'VersioningConfiguration',
      { xmlns: S3_NS },
      record.versioning === undefined ? undefined : el('Status', record.versioning),
      record.mfaDelete === undefined ? undefined : el('MfaDelete', record.mfaDelete),
    ),
  );
}

/** The Status and MfaDelete of a VersioningConfiguration document. */
function parseVersioning(body: Buffer): { status: VersioningStatus; mfaDelete?: string } {
  const config = childrenOf(parseXml(body).VersioningConfiguration);
  const status = textOf(config, 'Status')?.trim();
  if (status !== 'Enabled' && status !== 'Suspended') throw S3Errors.malformedXML();
  const mfaDelete = textOf(config, 'MfaDelete')?.trim();
  return mfaDelete === undefined ? { status } : { status, mfaDelete };
}

/**
 * PutBucketVersioning (bucket owner only): Enabled or Suspended. Once set, a bucket never goes
 * back to unversioned. MFA delete cannot be enabled: there is no MFA device to check codes against.
 */
export async function putBucketVersioning(ctx: S3Context, { bucket }: BucketTarget): Promise<void> {
  authorizeBucket(ctx, bucket, 'OWNER');
  const { status, mfaDelete } = parseVersioning(await readSmallBody(ctx));
  if (mfaDelete !== undefined && mfaDelete !== 'Disabled') {
    if (mfaDelete !== 'Enabled') throw S3Errors.malformedXML();
    throw S3Errors.notImplemented('MFA delete cannot be enabled: this emulator has no MFA devices');
  }
  if (!(await ctx.store.setBucketVersioning(bucket, status, mfaDelete))) throw S3Errors.noSuchBucket(bucket);
  sendEmpty(ctx, 200);
}

/**
 * ListObjectVersions: every version and delete marker, keys in order and each key's versions
 * newest first, with prefix, delimiter, key-marker, version-id-marker, max-keys and
 * encoding-type as on S3. A bucket that never had versioning lists each object as its `null` version.
 */
export async function listObjectVersions(ctx: S3Context, { bucket }: BucketTarget): Promise<void> {
  const { encode, prefix, delimiter } = listingRequest(ctx, bucket);
  const keyMarker = ctx.query.get('key-marker') ?? '';
  const versionIdMarker = ctx.query.get('version-id-marker') ?? '';
  if (versionIdMarker !== '') {
    if (keyMarker === '') {
      throw S3Errors.invalidArgument(
        'A version-id marker cannot be specified without a key marker.',
        'version-id-marker',
        versionIdMarker,
      );
    }
    checkedVersionId(versionIdMarker, 'version-id-marker');
  }
  const maxKeys = boundedInteger(ctx, 'max-keys', 1000, 1000);
  const result = ctx.store.listVersions(bucket, { prefix, delimiter, keyMarker, versionIdMarker, maxKeys });
  const versions: Xml[] = [];
  const prefixes: Xml[] = [];
  for (const entry of result.entries) {
    if (entry.kind === 'prefix') {
      prefixes.push(el('CommonPrefixes', el('Prefix', encode(entry.prefix))));
      continue;
    }
    const r = entry.record;
    const common = [
      el('Key', encode(r.key)),
      el('VersionId', r.versionId),
      el('IsLatest', entry.isLatest),
      el('LastModified', xmlTime(r.lastModified)),
    ];
    versions.push(
      isDeleteMarker(r)
        ? el('DeleteMarker', common, ownerXml(r.owner))
        : el(
            'Version',
            common,
            el('ETag', quoteEtag(r.etag)),
            el('Size', r.size),
            ownerXml(r.owner),
            el('StorageClass', r.storageClass),
          ),
    );
  }
  sendListing(ctx, 'ListVersionsResult', { bucket, prefix, encode }, [
    el('KeyMarker', encode(keyMarker)),
    el('VersionIdMarker', versionIdMarker),
    result.isTruncated ? el('NextKeyMarker', encode(result.nextKeyMarker)) : undefined,
    result.isTruncated && result.nextVersionIdMarker !== ''
      ? el('NextVersionIdMarker', result.nextVersionIdMarker)
      : undefined,
    ...listingTrailer(ctx, encode, { maxKeys, delimiter, isTruncated: result.isTruncated }),
    versions,
    prefixes,
  ]);
}
