import { isUtf8 } from 'node:buffer';
import { Transform } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

/** The media type of a header value (first entry of a list), lower-cased, without parameters. */
export function mediaTypeOfHeader(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const first = value.split(',')[0].split(';')[0].trim().toLowerCase();
  return first === '' ? undefined : first;
}

/**
 * Does a media type match the API's binary media types
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings.html)?
 * Entries are exact (`image/png`), `type/*`, or `*\/*`; a `*\/subtype` entry matches nothing, and
 * wildcards in the compared value itself are not expanded.
 */
export function isBinaryMediaType(
  mediaType: string | undefined,
  binaryMediaTypes: readonly string[],
): boolean {
  if (mediaType === undefined) return false;
  const value = mediaType.trim().toLowerCase();
  const slash = value.indexOf('/');
  // `application` (no subtype) is no media type: only `*/*` takes it.
  const type = slash < 0 ? undefined : value.slice(0, slash);
  return binaryMediaTypes.some((entry) => {
    const e = entry.trim().toLowerCase();
    if (e === '*/*') return true;
    // A wildcard type with a concrete subtype (`*/test`) matches nothing.
    if (e.startsWith('*/')) return false;
    if (e.endsWith('/*')) return type !== undefined && e.slice(0, -2) === type;
    return e === value;
  });
}

/**
 * Is a request payload binary
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html)?
 * Its Content-Type is judged like template choice judges it: absent means application/json, which
 * is why BMT `*\/*` makes even a CORS preflight (no Content-Type) binary, and a mock's request
 * template then fails (the `*\/*` trap).
 */
export function isBinaryRequest(
  contentType: string | undefined,
  binaryMediaTypes: readonly string[],
): boolean {
  return isBinaryMediaType(mediaTypeOfHeader(contentType) ?? 'application/json', binaryMediaTypes);
}

/** A text payload that had to be base64 (CONVERT_TO_BINARY, or a binary Accept) but is not: API Gateway's 500. */
export class ContentConversionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContentConversionError';
  }
}

export type ContentHandlingSetting = 'CONVERT_TO_TEXT' | 'CONVERT_TO_BINARY' | undefined;

/** A payload after content handling, and whether it is binary (a template must then refuse it). */
export interface ConvertedPayload {
  body: Buffer;
  binary: boolean;
}

/** Strict base64 (whitespace ignored): anything else is a conversion failure. */
export function decodeBase64Strict(text: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(compact)) {
    throw new ContentConversionError('the payload is not valid base64');
  }
  return Buffer.from(compact, 'base64');
}

/**
 * Text payloads are UTF-8: invalid bytes become U+FFFD, as API Gateway decodes them. Valid UTF-8
 * (nearly every payload) is returned as it is: decoding and encoding a 10 MB body again would hold
 * the event loop for tens of milliseconds and leave 20 MB of garbage.
 */
export function asUtf8Text(body: Buffer): Buffer {
  if (isUtf8(body)) return body;
  return Buffer.from(body.toString('utf8'), 'utf8');
}

/**
 * asUtf8Text as a stream, so that text payloads need not be held whole: a sequence split across
 * chunks is completed by the next chunk (StringDecoder), not replaced.
 */
export function utf8Normaliser(): Transform {
  const decoder = new StringDecoder('utf8');
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      done(null, Buffer.from(decoder.write(chunk), 'utf8'));
    },
    flush(done) {
      const rest = decoder.end();
      done(null, rest ? Buffer.from(rest, 'utf8') : undefined);
    },
  });
}

/** Counts the bytes asUtf8Text would produce, chunk by chunk, without keeping the text. */
export class Utf8LengthCounter {
  private readonly decoder = new StringDecoder('utf8');
  private count = 0;

  /** Adds a chunk of the payload. */
  update(chunk: Buffer): void {
    this.count += Buffer.byteLength(this.decoder.write(chunk), 'utf8');
  }

  /** The total, once the payload has ended. */
  total(): number {
    return this.count + Buffer.byteLength(this.decoder.end(), 'utf8');
  }
}

/**
 * Request content handling of non-proxy integrations
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html):
 * a binary request (its Content-Type in the binary media types) is passed as bytes or
 * base64-encoded by CONVERT_TO_TEXT; a text request is UTF-8 text or base64-decoded by
 * CONVERT_TO_BINARY.
 */
export function convertRequestPayload(
  body: Buffer,
  binary: boolean,
  handling: ContentHandlingSetting,
): ConvertedPayload {
  if (binary) {
    return handling === 'CONVERT_TO_TEXT'
      ? { body: Buffer.from(body.toString('base64'), 'utf8'), binary: false }
      : { body, binary: true };
  }
  if (handling === 'CONVERT_TO_BINARY')
    return { body: decodeBase64Strict(body.toString('utf8')), binary: true };
  return { body: asUtf8Text(body), binary: false };
}

/**
 * The conversion a non-proxy response payload undergoes
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html).
 */
export type ResponseConversion = 'utf8' | 'base64-decode' | 'base64-encode' | 'none';

/**
 * Response content handling
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-payload-encodings-workflow.html):
 * P = the integration response's Content-Type is binary, A = the client's first Accept type is
 * binary; the integration response's contentHandling.
 */
export function responseConversion(
  payloadBinary: boolean,
  acceptBinary: boolean,
  handling: ContentHandlingSetting,
): ResponseConversion {
  if (!payloadBinary) {
    if (handling === 'CONVERT_TO_BINARY') return 'base64-decode';
    if (handling === 'CONVERT_TO_TEXT') return 'utf8';
    return acceptBinary ? 'base64-decode' : 'utf8';
  }
  if (handling === 'CONVERT_TO_TEXT') return 'base64-encode';
  if (handling === 'CONVERT_TO_BINARY') return 'none';
  return acceptBinary ? 'none' : 'base64-encode';
}

/** Applies a response conversion to a whole payload. */
export function applyResponseConversion(body: Buffer, conversion: ResponseConversion): ConvertedPayload {
  switch (conversion) {
    case 'utf8':
      return { body: asUtf8Text(body), binary: false };
    case 'base64-decode':
      return { body: decodeBase64Strict(body.toString('utf8')), binary: true };
    case 'base64-encode':
      return { body: Buffer.from(body.toString('base64'), 'utf8'), binary: false };
    case 'none':
      return { body, binary: true };
  }
}
