import { mapEntries, type VtlMap } from './values';

/**
 * Builds a long text from many small pieces. Joining a million pieces at once needs the million
 * strings and an array of them alive together (for a million-key map, more than the map itself);
 * here every few thousand pieces are joined into one chunk, and the chunks at the end.
 */
const PIECES_PER_CHUNK = 4096;

export class TextBuilder {
  private pieces: string[] = [];
  private readonly chunks: string[] = [];

  push(piece: string): void {
    this.pieces.push(piece);
    if (this.pieces.length >= PIECES_PER_CHUNK) {
      this.chunks.push(this.pieces.join(''));
      this.pieces = [];
    }
  }

  text(): string {
    if (this.chunks.length === 0) return this.pieces.join('');
    this.chunks.push(this.pieces.join(''));
    this.pieces = [];
    return this.chunks.join('');
  }
}

/** How a printed list or map is punctuated: JSON's `[a,b]` `{"k":v}`, or Java's `[a, b]` `{k=v}`. */
export interface ContainerStyle {
  readonly separator: string;
  readonly key: (key: string) => string;
  readonly assign: string;
  /** Appends one item (recursing into containers in the same style). */
  readonly item: (value: unknown, out: TextBuilder) => void;
}

/** Appends a list or a map piece by piece: a million members never exist as separate strings. */
export function writeContainer(value: unknown[] | VtlMap, out: TextBuilder, style: ContainerStyle): void {
  let first = true;
  if (Array.isArray(value)) {
    out.push('[');
    for (const item of value) {
      if (!first) out.push(style.separator);
      first = false;
      style.item(item, out);
    }
    out.push(']');
    return;
  }
  out.push('{');
  for (const [key, item] of mapEntries(value)) {
    if (!first) out.push(style.separator);
    first = false;
    out.push(style.key(key));
    out.push(style.assign);
    style.item(item, out);
  }
  out.push('}');
}
