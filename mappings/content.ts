/** The media type of a header value (first entry of a list), lower-cased, without parameters. */
export function mediaTypeOfHeader(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const first = value.split(',')[0].split(';')[0].trim().toLowerCase();
  return first === '' ? undefined : first;
}

/**
 * Does a media type match the API's binary media types (reference §7.1)? Entries are exact
 * (`image/png`), `type/*`, or `*\/*`; wildcards in the compared value itself are not expanded.
 */
export function isBinaryMediaType(mediaType: string | undefined, binaryMediaTypes: readonly string[]): boolean {
  if (mediaType === undefined) return false;
  const [type] = mediaType.split('/');
  return binaryMediaTypes.some((entry) => {
    const e = entry.trim().toLowerCase();
    if (e === '*/*') return true;
    if (e.endsWith('/*')) return e.slice(0, -2) === type;
    return e === mediaType;
  });
}
