import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { S3Errors } from '../errors';
import { EMPTY_SHA256, type ChunkSignatureChain } from '../../../../sigv4';

/** How an aws-chunked body is framed (from x-amz-content-sha256 and its companion headers). */
export interface AwsChunkedOptions {
  /** x-amz-decoded-content-length: the payload bytes the framing must carry, exactly. */
  decodedLength: number;
  /** Verifies `chunk-signature=` on every chunk (signed modes); absent for unsigned framing. */
  signatures?: ChunkSignatureChain;
  /** Trailer lines (`name:value`) follow the last chunk. */
  trailer: boolean;
  /** Smallest size a chunk may have unless it is the last one with data (signed modes: 8 KiB). */
  minChunkSize?: number;
}

// A chunk header is `<hex size>;chunk-signature=<64 hex>`; trailer lines carry a checksum or a
// signature. Nothing legitimate comes near this, so a longer line means the framing is broken.
const MAX_LINE = 4096;
// Signatures are lower-case hex as SigV4 defines them; another spelling is another signature.
const SIGNATURE = /^[0-9a-f]{64}$/;

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'end' | 'done';

/**
 * Decodes an aws-chunked request body
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html) as it streams: only
 * payload bytes flow on, one chunk's worth of framing is ever held. Chunk signatures are checked at
 * the end of each chunk; the payload of a chunk has then already flowed on, so the consumer must
 * discard what it wrote when this stream errors (the object is never committed then).
 *
 * Errors: IncompleteBody (broken framing, too few or too many bytes), SignatureDoesNotMatch
 * (chunk or trailer signature), InvalidChunkSizeError, MalformedTrailerError.
 */
export class AwsChunkedDecoder extends Transform {
  /** Trailers received after the last chunk, lower-case names (without the trailer signature). */
  readonly trailers = new Map<string, string>();
  /** Payload bytes passed on so far. */
  decoded = 0;

  private state: State = 'size';
  private line: Buffer[] = [];
  private lineLength = 0;
  private remaining = 0;
  private chunkHash: Hash | undefined;
  private chunkSignature = '';
  private chunkCount = 0;
  private previousChunkSize = -1;
  private sawCR = false;
  private trailerBlock = '';
  private trailerSignature: string | undefined;

  constructor(private readonly options: AwsChunkedOptions) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    try {
      this.consume(chunk);
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    try {
      // Tolerate a body that stops right after its last line, without the final line ending.
      if (this.state === 'trailer' || this.state === 'end') {
        if (this.lineLength > 0) this.onLine(this.takeLine());
        if (this.state === 'trailer') this.finishTrailer();
        else if (this.state === 'end') this.state = 'done';
      }
      if (this.state !== 'done')
        throw S3Errors.incompleteBody('The aws-chunked body ended before its last chunk');
      if (this.decoded !== this.options.decodedLength) throw S3Errors.incompleteBody();
      done();
    } catch (error) {
      done(error as Error);
    }
  }

  private consume(buf: Buffer): void {
    let i = 0;
    while (i < buf.length) {
      switch (this.state) {
        case 'data': {
          const n = Math.min(this.remaining, buf.length - i);
          const piece = buf.subarray(i, i + n);
          this.chunkHash?.update(piece);
          this.push(piece);
          this.remaining -= n;
          this.decoded += n;
          i += n;
          if (this.remaining === 0) {
            this.verifyChunk(this.chunkHash ? this.chunkHash.digest('hex') : EMPTY_SHA256);
            this.state = 'data-end';
          }
          break;
        }
        case 'data-end': {
          // Chunk data is followed by CRLF (a bare LF is tolerated).
          const byte = buf[i++];
          if (byte === 0x0d && !this.sawCR) {
            this.sawCR = true;
          } else if (byte === 0x0a) {
            this.sawCR = false;
            this.state = 'size';
          } else {
            throw S3Errors.incompleteBody('The aws-chunked body has data after the end of a chunk');
          }
          break;
        }
        case 'done': {
          // Stray line endings after the end are harmless; anything else is not ours to ignore.
          if (buf[i] !== 0x0d && buf[i] !== 0x0a) {
            throw S3Errors.incompleteBody('The aws-chunked body continues after its last chunk');
          }
          i++;
          break;
        }
        default: {
          const nl = buf.indexOf(0x0a, i);
          const end = nl < 0 ? buf.length : nl;
          this.appendLine(buf.subarray(i, end));
          i = end;
          if (nl >= 0) {
            i++;
            this.onLine(this.takeLine());
          }
        }
      }
    }
  }

  private appendLine(piece: Buffer): void {
    if (piece.length === 0) return;
    this.lineLength += piece.length;
    if (this.lineLength > MAX_LINE) throw S3Errors.incompleteBody('An aws-chunked header line is too long');
    this.line.push(piece);
  }

  /** The pending line without its line ending. Header bytes are ASCII; latin1 keeps any byte as one char. */
  private takeLine(): string {
    const text = Buffer.concat(this.line, this.lineLength).toString('latin1');
    this.line = [];
    this.lineLength = 0;
    return text.endsWith('\r') ? text.slice(0, -1) : text;
  }

  private onLine(line: string): void {
    if (this.state === 'size') this.onChunkHeader(line);
    else if (this.state === 'trailer') this.onTrailerLine(line);
    else if (line !== '')
      throw S3Errors.incompleteBody('The aws-chunked body continues after its last chunk');
    else this.state = 'done';
  }

  private onChunkHeader(line: string): void {
    const [sizeText, ...extensions] = line.split(';');
    // 15 hex digits stay within Number's exact integers. No whitespace is allowed anywhere: the
    // header is signed text, and a lenient parser would accept altered framing.
    if (!/^[0-9a-fA-F]{1,15}$/.test(sizeText)) {
      throw S3Errors.incompleteBody('An aws-chunked chunk header is malformed');
    }
    const size = parseInt(sizeText, 16);
    this.chunkCount++;
    const { signatures, minChunkSize, decodedLength } = this.options;
    if (signatures) {
      const signature = extensions
        .find((e) => e.startsWith('chunk-signature='))
        ?.slice('chunk-signature='.length);
      if (signature === undefined || !SIGNATURE.test(signature)) throw S3Errors.signatureDoesNotMatch();
      this.chunkSignature = signature;
    }
    // Only the last chunk with data may be small: a small one followed by more data is refused.
    if (minChunkSize !== undefined && size > 0 && this.previousChunkSize >= 0) {
      if (this.previousChunkSize < minChunkSize) {
        throw S3Errors.invalidChunkSize(this.chunkCount - 1, this.previousChunkSize);
      }
    }
    this.previousChunkSize = size;
    if (this.decoded + size > decodedLength) {
      throw S3Errors.incompleteBody(
        'The aws-chunked body carries more bytes than x-amz-decoded-content-length',
      );
    }
    if (size === 0) {
      this.verifyChunk(EMPTY_SHA256);
      this.state = this.options.trailer ? 'trailer' : 'end';
      return;
    }
    this.remaining = size;
    this.chunkHash = signatures ? createHash('sha256') : undefined;
    this.state = 'data';
  }

  private verifyChunk(dataSha256Hex: string): void {
    const { signatures } = this.options;
    if (signatures && !signatures.acceptChunk(dataSha256Hex, this.chunkSignature)) {
      throw S3Errors.signatureDoesNotMatch();
    }
    this.chunkHash = undefined;
  }

  private onTrailerLine(line: string): void {
    if (line === '') {
      // minio-go puts an empty line between the checksum and the trailer signature, so with
      // signatures only the line after the signature ends the trailer.
      if (this.options.signatures && this.trailerSignature === undefined) return;
      this.finishTrailer();
      return;
    }
    const colon = line.indexOf(':');
    if (colon <= 0 || this.trailerSignature !== undefined) throw S3Errors.malformedTrailer();
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') {
      if (!this.options.signatures) throw S3Errors.malformedTrailer();
      this.trailerSignature = value;
      return;
    }
    this.trailers.set(name, value);
    this.trailerBlock += `${name}:${value}\n`;
  }

  private finishTrailer(): void {
    const { signatures } = this.options;
    if (signatures) {
      if (this.trailerSignature === undefined || !SIGNATURE.test(this.trailerSignature)) {
        throw S3Errors.signatureDoesNotMatch();
      }
      if (!signatures.acceptTrailer(this.trailerBlock, this.trailerSignature)) {
        throw S3Errors.signatureDoesNotMatch();
      }
    }
    this.state = 'done';
  }
}
