import { S3Errors } from './errors';
import type { Tag } from './store/types';
import { childrenOf, el, listOf, S3_NS, textOf, type Xml } from './xml';

// S3's limits on object tags.
const MAX_TAGS = 10;
const MAX_KEY_LENGTH = 128;
const MAX_VALUE_LENGTH = 256;

/** Checks S3's rules for an object's tag set; InvalidTag otherwise. */
export function validateTags(tags: readonly Tag[]): Tag[] {
  if (tags.length > MAX_TAGS) throw S3Errors.invalidTag('Object tags cannot be greater than 10');
  const seen = new Set<string>();
  for (const { key, value } of tags) {
    // Lengths are counted in characters (code points), as S3 documents them.
    const keyLength = [...key].length;
    if (keyLength === 0 || keyLength > MAX_KEY_LENGTH) {
      throw S3Errors.invalidTag('The TagKey you have provided is invalid');
    }
    if ([...value].length > MAX_VALUE_LENGTH)
      throw S3Errors.invalidTag('The TagValue you have provided is invalid');
    if (seen.has(key)) throw S3Errors.invalidTag('Cannot provide multiple Tags with the same key');
    seen.add(key);
  }
  return [...tags];
}

function formDecode(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    throw S3Errors.invalidArgument(
      'The header x-amz-tagging is not properly URL encoded',
      'x-amz-tagging',
      raw,
    );
  }
}

/** The tags of an `x-amz-tagging` header (URL query form: `k1=v1&k2=v2`). */
export function tagsFromHeader(value: string): Tag[] {
  const tags: Tag[] = [];
  for (const pair of value.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    tags.push({
      key: formDecode(eq < 0 ? pair : pair.slice(0, eq)),
      value: eq < 0 ? '' : formDecode(pair.slice(eq + 1)),
    });
  }
  return validateTags(tags);
}

/** The tags of a Tagging document (PutObjectTagging body). */
export function tagsFromXml(doc: Record<string, unknown>): Tag[] {
  const tagging = childrenOf(doc.Tagging);
  if (!tagging || !('TagSet' in tagging)) throw S3Errors.malformedXML();
  const tags: Tag[] = [];
  for (const entry of listOf(childrenOf(tagging.TagSet), 'Tag')) {
    const tag = childrenOf(entry);
    const key = textOf(tag, 'Key');
    if (key === undefined) throw S3Errors.malformedXML();
    tags.push({ key, value: textOf(tag, 'Value') ?? '' });
  }
  return validateTags(tags);
}

/** The Tagging document of GetObjectTagging. */
export function taggingXml(tags: readonly Tag[]): Xml {
  return el(
    'Tagging',
    { xmlns: S3_NS },
    el(
      'TagSet',
      tags.map((t) => el('Tag', el('Key', t.key), el('Value', t.value))),
    ),
  );
}
