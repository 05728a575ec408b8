/**
 * Percent-encoding as SigV4 reads and writes it: RFC 3986 with upper-case hex, every byte but the
 * unreserved characters escaped.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */

const UNRESERVED = /[A-Za-z0-9\-_.~]/;
const ESCAPE_TABLE = Array.from({ length: 256 }, (_, byte) => {
  const char = String.fromCharCode(byte);
  return UNRESERVED.test(char) ? char : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
});

/** RFC 3986 encoding of raw bytes as SigV4 wants it (upper-case hex); `/` kept only in paths. */
export function uriEncode(bytes: Buffer, keepSlash: boolean): string {
  let out = '';
  for (const byte of bytes) out += keepSlash && byte === 0x2f ? '/' : ESCAPE_TABLE[byte];
  return out;
}

/**
 * Decodes `%XX` escapes into bytes; other characters are taken as UTF-8. A malformed escape (a `%`
 * not followed by two hex digits) gives undefined: each service answers it its own way.
 */
export function percentDecode(raw: string, plusAsSpace = false): Buffer | undefined {
  if (/%(?![0-9A-Fa-f]{2})/.test(raw)) return undefined;
  // split() with a capture group alternates literal runs (even indexes) and escapes (odd indexes).
  const pieces = raw.split(/(%[0-9A-Fa-f]{2})/);
  return Buffer.concat(
    pieces.map((piece, i) =>
      i % 2 === 1
        ? Buffer.from([parseInt(piece.slice(1), 16)])
        : Buffer.from(plusAsSpace ? piece.replace(/\+/g, ' ') : piece, 'utf8'),
    ),
  );
}

/**
 * A stray `%` (not followed by two hex digits) made to stand for itself (`%25`), for services that
 * sign such a character instead of rejecting the request (execute-api).
 */
export function escapeStrayPercents(raw: string): string {
  return raw.replace(/%(?![0-9A-Fa-f]{2})/g, '%25');
}
