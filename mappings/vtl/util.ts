/**
 * `$util`: API Gateway's template helpers
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html),
 * with the Java behaviour they wrap.
 */
import { TemplateRuntimeError } from './errors';
import { parseLenientJson } from './input';
import { javaToString } from './text';
import { HostObject, NO_METHOD } from './values';

/**
 * Commons Lang `StringEscapeUtils.escapeJavaScript`: `'` → `\'` (as AWS documents), `"` `\` `/`
 * escaped, control characters as `\n`-style or `\u00XX`, every non-ASCII character as `\uXXXX`.
 */
export function escapeJavaScript(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) out += `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    else if (c < 0x20) out += CONTROL[c] ?? `\\u${c.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += ESCAPED[s[i]] ?? s[i];
  }
  return out;
}

const CONTROL: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };
const ESCAPED: Record<string, string> = { "'": "\\'", '"': '\\"', '\\': '\\\\', '/': '\\/' };

/** Java `URLEncoder.encode(s, "UTF-8")`: letters, digits and `.-*_` kept, space → `+`, the rest `%XX`. */
export function urlEncode(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    if (/[A-Za-z0-9.\-*_]/.test(ch)) out += ch;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Java `URLDecoder.decode(s, "UTF-8")`: `+` → space, `%XX` runs as UTF-8; a broken escape is an error. */
export function urlDecode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length;) {
    const c = s[i];
    if (c === '+') {
      out += ' ';
      i++;
    } else if (c === '%') {
      const bytes: number[] = [];
      while (s[i] === '%') {
        const hex = s.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) {
          throw new TemplateRuntimeError(
            'error',
            `$util.urlDecode: illegal hex characters in escape (%) pattern at ${i}`,
          );
        }
        bytes.push(parseInt(hex, 16));
        i += 3;
      }
      out += Buffer.from(bytes).toString('utf8');
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Base64 of the UTF-8 bytes. */
export function base64Encode(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

/** The UTF-8 text of base64 data (lenient about padding and stray characters). */
export function base64Decode(s: string): string {
  return Buffer.from(s, 'base64').toString('utf8');
}

/** `$util.parseJson`: an object representation of JSON text, navigable like `$input.path` results. */
export function parseJsonText(s: string): unknown {
  return parseLenientJson(s, '$util.parseJson argument', 'error');
}

const FUNCTIONS: Record<string, (s: string) => unknown> = {
  escapeJavaScript,
  parseJson: parseJsonText,
  urlEncode,
  urlDecode,
  base64Encode,
  base64Decode,
};

/** The `$util` object; stateless, so one instance serves every render. */
export class UtilObject extends HostObject {
  toJavaString(): string {
    return '$util';
  }

  property(): unknown {
    return undefined;
  }

  invoke(name: string, args: readonly unknown[]): unknown {
    const fn = Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : undefined;
    if (!fn || args.length !== 1) return NO_METHOD;
    // Null in, null out (Commons Lang's contract); other values are taken by their toString().
    const arg = args[0];
    return arg === null || arg === undefined ? undefined : fn(javaToString(arg));
  }
}
