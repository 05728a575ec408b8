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
