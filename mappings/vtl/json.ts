/**
 * JSON for templates: a strict RFC 8259 parser that keeps what `JSON.parse` loses (a `1.0` stays a
 * double, arrays stay JSON arrays), and the compact serializer `$input.json` and printed lists use.
 */
import { TextBuilder, writeContainer, type ContainerStyle } from './text-builder';
import {
  formatDouble,
  formatNumber,
  isList,
  isMap,
  JavaDouble,
  JsonList,
  mapPut,
  toJavaMap,
  type VtlMap,
} from './values';

/** Thrown by parseJson with the offset of the first offending character. */
export class JsonSyntaxError extends Error {
  override name = 'JsonSyntaxError';
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(`${message} at offset ${offset}`);
  }
}

/**
 * How deeply objects and arrays may nest. Jackson, the JSON library of API Gateway's Java
 * runtime, refuses documents nested deeper than 1000 levels by default (StreamReadConstraints);
 * the bound also keeps the recursive parser, JSONPath and the serializer far from the stack limit.
 */
export const MAX_JSON_DEPTH = 1000;

/** Thrown by parseJson for a document nested deeper than MAX_JSON_DEPTH. */
export class JsonDepthError extends Error {
  override name = 'JsonDepthError';
  constructor(readonly offset: number) {
    super(`JSON nested deeper than ${MAX_JSON_DEPTH} levels at offset ${offset}`);
  }
}

/**
 * Objects with more members than this are parsed into a JavaMap (see values.ts); smaller ones stay
 * plain objects, which V8 keeps more compactly (the records of a large array share one shape).
 */
export const LARGE_OBJECT_MEMBERS = 32;

/**
 * Parses strict JSON: objects → maps (plain objects, JavaMaps when large), arrays → JsonList,
 * fractions/exponents → JavaDouble.
 */
export function parseJson(text: string): unknown {
  const parser = new Parser(text);
  parser.skipSpace();
  const value = parser.value();
  parser.skipSpace();
  if (parser.pos < text.length) throw new JsonSyntaxError('Unexpected data after the JSON value', parser.pos);
  return value;
}

/** Compact JSON text of a template value (`$input.json`, `JSONArray.toString()`). */
export function toJsonText(value: unknown): string {
  if (typeof value !== 'object' || value === null || value instanceof JavaDouble) return scalarJson(value);
  const out = new TextBuilder();
  writeJson(value, out);
  return out.text();
}

function scalarJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (value instanceof JavaDouble) return formatDouble(value.value);
  return 'null';
}

const JSON_STYLE: ContainerStyle = {
  separator: ',',
  key: (key) => JSON.stringify(key),
  assign: ':',
  item: (value, out) => writeJson(value, out),
};

/** Appends the JSON of `value` piece by piece (see TextBuilder). */
export function writeJson(value: unknown, out: TextBuilder): void {
  if (isList(value) || isMap(value)) writeContainer(value, out, JSON_STYLE);
  else out.push(scalarJson(value));
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

class Parser {
  pos = 0;
  private depth = 0;
  constructor(private readonly text: string) {}

  skipSpace(): void {
    const t = this.text;
    let c = t.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) c = t.charCodeAt(++this.pos);
  }

  value(): unknown {
    const c = this.text[this.pos];
    if (c === '{' || c === '[') {
      if (++this.depth > MAX_JSON_DEPTH) throw new JsonDepthError(this.pos);
      const nested = c === '{' ? this.object() : this.array();
      this.depth--;
      return nested;
    }
    if (c === '"') return this.string();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    if (this.text.startsWith('true', this.pos)) return this.literal(4, true);
    if (this.text.startsWith('false', this.pos)) return this.literal(5, false);
    if (this.text.startsWith('null', this.pos)) return this.literal(4, null);
    throw this.error(
      c === undefined ? 'Unexpected end of JSON' : `Unexpected character ${JSON.stringify(c)}`,
    );
  }

  private literal(length: number, value: boolean | null): boolean | null {
    this.pos += length;
    return value;
  }

  private object(): VtlMap {
    let map: VtlMap = {};
    let members = 0;
    this.members('}', () => {
      if (this.text[this.pos] !== '"') throw this.error('Expected a string key');
      const key = this.string();
      this.skipSpace();
      this.expect(':');
      this.skipSpace();
      const value = this.value();
      if (++members === LARGE_OBJECT_MEMBERS + 1) map = toJavaMap(map);
      mapPut(map, key, value);
    });
    return map;
  }

  private array(): JsonList {
    const list = new JsonList();
    this.members(']', () => list.push(this.value()));
    return list;
  }

  /** Reads the comma-separated members of an object or array, from its opening bracket to `close`. */
  private members(close: '}' | ']', member: () => void): void {
    this.pos++;
    this.skipSpace();
    if (this.text[this.pos] === close) {
      this.pos++;
      return;
    }
    for (;;) {
      member();
      this.skipSpace();
      if (this.text[this.pos] === ',') {
        this.pos++;
        this.skipSpace();
        continue;
      }
      this.expect(close);
      return;
    }
  }

  private string(): string {
    const t = this.text;
    const start = ++this.pos;
    // Fast path: no escapes, the common case, is a single slice.
    for (let i = start; i < t.length; i++) {
      const c = t.charCodeAt(i);
      if (c === 0x22) {
        this.pos = i + 1;
        return t.slice(start, i);
      }
      if (c === 0x5c) break;
      if (c < 0x20) throw this.error('Control character in string', i);
    }
    let out = '';
    let i = start;
    for (;;) {
      if (i >= t.length) throw this.error('Unterminated string', i);
      const ch = t[i];
      const code = ch.charCodeAt(0);
      if (ch === '"') break;
      if (code < 0x20) throw this.error('Control character in string', i);
      if (ch !== '\\') {
        out += ch;
        i++;
        continue;
      }
      const esc = t[i + 1];
      if (esc === 'u') {
        const hex = t.slice(i + 2, i + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw this.error('Bad \\u escape', i);
        out += String.fromCharCode(parseInt(hex, 16));
        i += 6;
      } else if (esc !== undefined && Object.hasOwn(ESCAPES, esc)) {
        out += ESCAPES[esc];
        i += 2;
      } else {
        throw this.error('Bad escape', i);
      }
    }
    this.pos = i + 1;
    return out;
  }

  private number(): number | JavaDouble {
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (!m) throw this.error('Bad number');
    this.pos += m[0].length;
    const n = Number(m[0]);
    return m[1] !== undefined || m[2] !== undefined ? new JavaDouble(n) : n;
  }

  private expect(ch: string): void {
    if (this.text[this.pos] !== ch) throw this.error(`Expected ${JSON.stringify(ch)}`);
    this.pos++;
  }

  private error(message: string, at = this.pos): JsonSyntaxError {
    return new JsonSyntaxError(message, at);
  }
}
