import { readSmallBody } from '../body';
import { sendXml, type S3Context } from '../context';
import { S3Errors } from '../errors';
import { MAX_KEY_BYTES } from '../store';
import { childrenOf, el, listOf, onlyChildren, parseXml, S3_NS, textOf, type Xml } from '../xml';
import { isDeleteMarker } from '../store';
import { isVersionId } from '../store/version-ids';
import { authorizeBucket, uploaderOf } from './access';

type BucketTarget = { bucket: string };

/** S3 deletes at most this many keys per request. */
const MAX_KEYS = 1000;
// 1000 keys of up to 1024 bytes, each escaped as character references at worst, plus markup.
const MAX_BODY = 8 * 1024 * 1024;
// Deletions fsync a directory each; a few at a time keep a 1000-key request quick without a storm.
const PARALLEL_DELETES = 8;

interface Entry {
  key: string;
  versionId?: string;
}

// What a <Delete> and its <Object> may hold (ETag, LastModifiedTime and Size are the conditions
// of conditional deletes: https://docs.aws.amazon.com/AmazonS3/latest/API/API_ObjectIdentifier.html).
const DELETE_CHILDREN = ['Object', 'Quiet'];
const OBJECT_CHILDREN = ['Key', 'VersionId', 'ETag', 'LastModifiedTime', 'Size'];

/**
 * The <Delete> document: its objects (keys kept as strings, whitespace included) and Quiet. A
 * document that is XML but not a valid <Delete> (another root, unknown or repeated elements, a
 * Quiet that is not a boolean, an empty Key) is MalformedXML, as S3 answers, and deletes nothing.
 */
function parseDelete(body: Buffer): { quiet: boolean; entries: Entry[] } {
  const document = parseXml(body);
  const root = childrenOf(document.Delete);
  if (!root || !onlyChildren(document, ['Delete']) || !onlyChildren(root, DELETE_CHILDREN)) {
    throw S3Errors.malformedXML();
  }
  const objects = listOf(root, 'Object');
  if (objects.length === 0 || objects.length > MAX_KEYS) throw S3Errors.malformedXML();
  const entries = objects.map((o) => {
    const object = childrenOf(o);
    if (!object || !onlyChildren(object, OBJECT_CHILDREN)) throw S3Errors.malformedXML();
    const key = textOf(object, 'Key');
    if (key === undefined || key === '') throw S3Errors.malformedXML();
    for (const name of OBJECT_CHILDREN) {
      if (object[name] !== undefined && typeof object[name] !== 'string') throw S3Errors.malformedXML();
    }
    const versionId = textOf(object, 'VersionId');
    return versionId === undefined ? { key } : { key, versionId };
  });
  let quiet = false;
  if (root.Quiet !== undefined) {
    const value = typeof root.Quiet === 'string' ? root.Quiet.trim().toLowerCase() : undefined;
    if (value !== 'true' && value !== 'false') throw S3Errors.malformedXML();
    quiet = value === 'true';
  }
  return { quiet, entries };
}

/** Why one key cannot be deleted, as an <Error> entry's code and message; undefined when it can. */
function problemOf(entry: Entry): [string, string] | undefined {
  if (entry.key === '' || Buffer.byteLength(entry.key, 'utf8') > MAX_KEY_BYTES) {
    return ['InvalidArgument', 'Invalid key'];
  }
  // A well-formed id that names nothing is deleted already; a malformed one cannot name anything.
  if (entry.versionId !== undefined && !isVersionId(entry.versionId)) {
    return ['NoSuchVersion', 'The specified version does not exist.'];
  }
  return undefined;
}

/**
 * DeleteObjects (POST ?delete): up to 1000 keys, each deleted as DeleteObject would (a delete
 * marker in a versioned bucket, a version for good with VersionId); keys that do not exist are
 * reported Deleted, as S3 does; Quiet leaves out the successes. The body's Content-MD5 or x-amz-checksum-* is verified
 * when sent (awscli sends the former, SDK v3 the latter) and required by neither.
 */
export async function deleteObjects(ctx: S3Context, { bucket }: BucketTarget): Promise<void> {
  const bucketRecord = authorizeBucket(ctx, bucket, 'WRITE');
  const owner = uploaderOf(ctx, bucketRecord);
  const { quiet, entries } = parseDelete(await readSmallBody(ctx, MAX_BODY));
  const results: Xml[] = new Array(entries.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < entries.length) {
      const i = next++;
      const entry = entries[i];
      const version = entry.versionId === undefined ? undefined : el('VersionId', entry.versionId);
      const problem = problemOf(entry);
      if (problem) {
        results[i] = el(
          'Error',
          el('Key', entry.key),
          version,
          el('Code', problem[0]),
          el('Message', problem[1]),
        );
        continue;
      }
      try {
        const { removed, marker } = await ctx.store.deleteObject(bucket, entry.key, entry.versionId, owner);
        // A marker added, or one removed by its id: either way the response names it.
        const markerId =
          marker?.versionId ?? (removed && isDeleteMarker(removed) ? entry.versionId : undefined);
        if (!quiet) {
          results[i] = el(
            'Deleted',
            el('Key', entry.key),
            version,
            markerId === undefined
              ? undefined
              : [el('DeleteMarker', true), el('DeleteMarkerVersionId', markerId)],
          );
        }
      } catch (error) {
        ctx.settings.log.error(
          `s3 ${ctx.requestId} DeleteObjects ${JSON.stringify(entry.key)}: ${String(error)}`,
        );
        results[i] = el(
          'Error',
          el('Key', entry.key),
          version,
          el('Code', 'InternalError'),
          el('Message', 'We encountered an internal error. Please try again.'),
        );
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_DELETES, entries.length) }, worker));
  sendXml(ctx, 200, el('DeleteResult', { xmlns: S3_NS }, results));
}
