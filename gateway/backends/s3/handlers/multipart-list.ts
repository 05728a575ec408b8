import { sendXml, type S3Context } from '../context';
import { ownerXml, quoteEtag, xmlTime } from '../format';
import { compareKeys } from '../store';
import type { UploadRecord } from '../store/types';
import { el, S3_NS, type Xml } from '../xml';
import { authorizeBucket } from './access';
import { boundedInteger, encoderOf, listingRequest } from './list';
import { uploadOf } from './multipart';

type BucketTarget = { bucket: string };
type ObjectTarget = { bucket: string; key: string };

const MAX_PARTS = 1000;
const MAX_UPLOADS = 1000;

/** ListParts: parts by number after part-number-marker, max-parts at a time. */
export async function listParts(ctx: S3Context, { bucket, key }: ObjectTarget): Promise<void> {
  authorizeBucket(ctx, bucket, 'WRITE');
  const maxParts = boundedInteger(ctx, 'max-parts', MAX_PARTS, MAX_PARTS);
  const marker = boundedInteger(ctx, 'part-number-marker', 0, Number.MAX_SAFE_INTEGER);
  const upload = uploadOf(ctx, bucket, key);
  const all = (ctx.store.listParts(bucket, upload.uploadId) ?? []).filter((p) => p.partNumber > marker);
  const parts = all.slice(0, maxParts);
  const isTruncated = all.length > parts.length;
  const encode = encoderOf(ctx);
  sendXml(
    ctx,
    200,
    el(
      'ListPartsResult',
      { xmlns: S3_NS },
      el('Bucket', bucket),
      el('Key', encode(key)),
      el('UploadId', upload.uploadId),
      ownerXml(upload.initiator, 'Initiator'),
      ownerXml(upload.attributes.owner),
      el('StorageClass', upload.attributes.storageClass),
      el('PartNumberMarker', marker),
      el('NextPartNumberMarker', parts.length > 0 ? parts[parts.length - 1].partNumber : marker),
      el('MaxParts', maxParts),
      el('IsTruncated', isTruncated),
      ctx.query.has('encoding-type') ? el('EncodingType', 'url') : undefined,
      parts.map((p) =>
        el(
          'Part',
          el('PartNumber', p.partNumber),
          el('LastModified', xmlTime(p.lastModified)),
          el('ETag', quoteEtag(p.etag)),
          el('Size', p.size),
          Object.entries(p.checksums).map(([algorithm, value]) => el(`Checksum${algorithm}`, value)),
        ),
      ),
    ),
  );
}

/** The common prefix `key` rolls up into, or undefined when the rest of it has no delimiter. */
function commonPrefix(key: string, prefix: string, delimiter: string): string | undefined {
  if (delimiter === '') return undefined;
  const i = key.indexOf(delimiter, prefix.length);
  return i < 0 ? undefined : key.slice(0, i + delimiter.length);
}

type Entry = { kind: 'upload'; upload: UploadRecord } | { kind: 'prefix'; prefix: string };

/**
 * The uploads after the markers, in (key, upload id) order, with keys under a delimiter rolled up
 * into common prefixes (each one entry). A key-marker that is itself a rolled-up prefix (what
 * NextKeyMarker holds after one) skips everything under it.
 */
function selectUploads(
  uploads: readonly UploadRecord[],
  options: { prefix: string; delimiter: string; keyMarker: string; uploadIdMarker: string; max: number },
): { entries: Entry[]; isTruncated: boolean } {
  const { prefix, delimiter, keyMarker, uploadIdMarker, max } = options;
  const skipUnder = keyMarker.startsWith(prefix) ? commonPrefix(keyMarker, prefix, delimiter) : undefined;
  const entries: Entry[] = [];
  let isTruncated = false;
  let lastPrefix: string | undefined;
  for (const upload of uploads) {
    const { key, uploadId } = upload;
    if (!key.startsWith(prefix)) continue;
    if (keyMarker !== '') {
      const order = compareKeys(key, keyMarker);
      // upload-id-marker only counts together with key-marker.
      const after = order > 0 || (order === 0 && uploadIdMarker !== '' && uploadId > uploadIdMarker);
      if (!after || (skipUnder !== undefined && key.startsWith(skipUnder))) continue;
    }
    const rolledUp = commonPrefix(key, prefix, delimiter);
    if (rolledUp !== undefined && rolledUp === lastPrefix) continue;
    if (entries.length === max) {
      isTruncated = true;
      break;
    }
    if (rolledUp !== undefined) {
      entries.push({ kind: 'prefix', prefix: rolledUp });
      lastPrefix = rolledUp;
    } else {
      entries.push({ kind: 'upload', upload });
    }
  }
  return { entries, isTruncated };
}

/**
 * ListMultipartUploads: prefix, delimiter, key-marker, upload-id-marker, max-uploads (also read
 * from max-keys, which seed 002's API lists for it, when max-uploads is absent), encoding-type.
 */
export async function listMultipartUploads(ctx: S3Context, { bucket }: BucketTarget): Promise<void> {
  const { encode, prefix, delimiter } = listingRequest(ctx, bucket);
  const keyMarker = ctx.query.get('key-marker') ?? '';
  const uploadIdMarker = ctx.query.get('upload-id-marker') ?? '';
  const max = ctx.query.has('max-uploads')
    ? boundedInteger(ctx, 'max-uploads', MAX_UPLOADS, MAX_UPLOADS)
    : boundedInteger(ctx, 'max-keys', MAX_UPLOADS, MAX_UPLOADS);
  const { entries, isTruncated } = selectUploads(ctx.store.listUploads(bucket), {
    prefix,
    delimiter,
    keyMarker,
    uploadIdMarker: keyMarker === '' ? '' : uploadIdMarker,
    max,
  });
  const last = entries[entries.length - 1];
  const uploads: Xml[] = [];
  const prefixes: Xml[] = [];
  for (const entry of entries) {
    if (entry.kind === 'prefix') {
      prefixes.push(el('CommonPrefixes', el('Prefix', encode(entry.prefix))));
      continue;
    }
    const { upload } = entry;
    uploads.push(
      el(
        'Upload',
        el('Key', encode(upload.key)),
        el('UploadId', upload.uploadId),
        ownerXml(upload.initiator, 'Initiator'),
        ownerXml(upload.attributes.owner),
        el('StorageClass', upload.attributes.storageClass),
        el('Initiated', xmlTime(upload.initiated)),
      ),
    );
  }
  sendXml(
    ctx,
    200,
    el(
      'ListMultipartUploadsResult',
      { xmlns: S3_NS },
      el('Bucket', bucket),
      el('KeyMarker', encode(keyMarker)),
      el('UploadIdMarker', uploadIdMarker),
      el('NextKeyMarker', last ? encode(last.kind === 'prefix' ? last.prefix : last.upload.key) : ''),
      el('NextUploadIdMarker', last?.kind === 'upload' ? last.upload.uploadId : ''),
      delimiter !== '' ? el('Delimiter', encode(delimiter)) : undefined,
      el('Prefix', encode(prefix)),
      el('MaxUploads', max),
      el('IsTruncated', isTruncated),
      ctx.query.has('encoding-type') ? el('EncodingType', 'url') : undefined,
      uploads,
      prefixes,
    ),
  );
}
