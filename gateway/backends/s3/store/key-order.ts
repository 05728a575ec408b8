/**
 * Compares two keys in UTF-8 byte order, which is S3's listing order. That equals code point
 * order, but not JS's `<`: UTF-16 puts astral characters (surrogate pairs, 0xD800-0xDFFF) before
 * U+E000-U+FFFF. Comparing at the first differing code unit with surrogates ranked last fixes
 * that without encoding either string.
 */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

function rank(unit: number): number {
  if (unit >= 0xe000) return unit - 0x800;
  if (unit >= 0xd800) return unit + 0x2000;
  return unit;
}
