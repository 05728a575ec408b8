import { sendXml, type S3Context } from '../context';
import { ownerXml, quoteEtag, xmlTime } from '../format';
import { el, S3_NS, type Xml } from '../xml';
import { authorizeBucket } from './access';
import { boundedInteger, encoderOf } from './list';

type BucketTarget = { bucket: string };

/**
 * GetBucketVersioning. Versioning cannot be enabled yet (PUT ?versioning answers 501), so every
 * bucket is in the never-configured state, which S3 reports as a configuration without Status.
 */
export async function getBucketVersioning(ctx: S3Context, { bucket }: BucketTarget): Promise<void> {
  authorizeBucket(ctx, bucket, 'READ');
  sendXml(ctx, 200, el('VersioningConfiguration', { xmlns: S3_NS }));
}

/**
 * ListObjectVersions of an unversioned bucket: each current object is its only version, the
 * `null` version (what S3 lists for a bucket that never had versioning, and what tools such as
 * s3-tests' clean-up rely on). key-marker, version-id-marker, prefix, delimiter, max-keys and
 * encoding-type work as on S3.
 */
export async function listObjectVersions(ctx: S3Context, { bucket }: BucketTarget): Promise<void> {
  authorizeBucket(ctx, bucket, 'READ');
  const encode = encoderOf(ctx);
  const prefix = ctx.query.get('prefix') ?? '';
  const delimiter = ctx.query.get('delimiter') ?? '';
  const keyMarker = ctx.query.get('key-marker') ?? '';
  const versionIdMarker = ctx.query.get('version-id-marker') ?? '';
  const maxKeys = boundedInteger(ctx, 'max-keys', 1000, 1000);
  // With one version per key, "after this key's version" and "after this key" are the same point.
  const result = ctx.store.listObjects(bucket, { prefix, delimiter, after: keyMarker, maxKeys });
  const versions: Xml[] = [];
  const prefixes: Xml[] = [];
  for (const entry of result.entries) {
    if (entry.kind === 'prefix') {
      prefixes.push(el('CommonPrefixes', el('Prefix', encode(entry.prefix))));
      continue;
    }
    const r = entry.record;
    versions.push(
      el(
        'Version',
        el('Key', encode(r.key)),
        el('VersionId', 'null'),
        el('IsLatest', true),
        el('LastModified', xmlTime(r.lastModified)),
        el('ETag', quoteEtag(r.etag)),
        el('Size', r.size),
        ownerXml(r.owner),
        el('StorageClass', r.storageClass),
      ),
    );
  }
  const lastIsObject = result.entries.at(-1)?.kind === 'object';
  sendXml(
    ctx,
    200,
    el(
      'ListVersionsResult',
      { xmlns: S3_NS },
      el('Name', bucket),
      el('Prefix', encode(prefix)),
      el('KeyMarker', encode(keyMarker)),
      el('VersionIdMarker', versionIdMarker),
      result.isTruncated ? el('NextKeyMarker', encode(result.last)) : undefined,
      result.isTruncated && lastIsObject ? el('NextVersionIdMarker', 'null') : undefined,
      el('MaxKeys', maxKeys),
      delimiter !== '' ? el('Delimiter', encode(delimiter)) : undefined,
      el('IsTruncated', result.isTruncated),
      ctx.query.has('encoding-type') ? el('EncodingType', 'url') : undefined,
      versions,
      prefixes,
    ),
  );
}
