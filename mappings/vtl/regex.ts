/**
 * Java regular expressions for `String.replaceAll/replaceFirst/matches/split`, translated to JS.
 * Covered: leading inline flags `(?i)` `(?s)` `(?m)`, `\Q…\E`, `\A` `\z` `\Z`, POSIX `\p{…}` classes,
 * possessive quantifiers and atomic groups (approximated as greedy), Java replacement strings
 * (`$1`, `${name}`, `\$`). Not covered: class intersection `[a-z&&[^e]]`, flags in mid-pattern.
 */

/** A pattern or replacement Java would reject (`PatternSyntaxException`, "Illegal group reference"). */
export class JavaRegexError extends Error {
  override name = 'PatternSyntaxException';
}

const POSIX: Record<string, string> = {
  Lower: 'a-z',
  Upper: 'A-Z',
  ASCII: '\\x00-\\x7F',
  Alpha: 'a-zA-Z',
  Digit: '0-9',
  Alnum: 'a-zA-Z0-9',
  Punct: '!-\\/:-@\\[-`{-~',
  Graph: '!-~',
  Print: ' -~',
  Blank: ' \\t',
  Cntrl: '\\x00-\\x1F\\x7F',
  XDigit: '0-9a-fA-F',
  Space: ' \\t\\n\\x0B\\f\\r',
  javaLowerCase: 'a-z',
  javaUpperCase: 'A-Z',
  javaWhitespace: ' \\t\\n\\x0B\\f\\r\\x1C-\\x1F',
  L: 'a-zA-Z\\u00C0-\\u024F',
  IsAlphabetic: 'a-zA-Z',
  IsDigit: '0-9',
  IsLetter: 'a-zA-Z',
};

interface Compiled {
  /** Global, for scanning. */
  readonly re: RegExp;
  /** Anchored at both ends, for `matches`. */
  readonly whole: RegExp;
  readonly groups: number;
}

const cache = new Map<string, Compiled>();
const CACHE_LIMIT = 500;

/** `Pattern.compile(pattern)`, cached: templates are rendered many times with the same patterns. */
function compiled(pattern: string): Compiled {
  let entry = cache.get(pattern);
  if (!entry) {
    const re = translate(pattern);
    const noGlobal = re.flags.replace('g', '');
    entry = {
      re,
      // Lookarounds rather than ^/$ so an inline (?m) keeps its meaning inside the pattern.
      whole: new RegExp(`(?<![\\s\\S])(?:${re.source})(?![\\s\\S])`, noGlobal),
      groups: new RegExp(`${re.source}|`, noGlobal).exec('')!.length - 1,
    };
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(pattern, entry);
  }
  entry.re.lastIndex = 0;
  return entry;
}

function translate(pattern: string): RegExp {
  let flags = 'g';
  let src = pattern;
  const inline = /^\(\?([imsux]+)\)/.exec(src);
  if (inline) {
    src = src.slice(inline[0].length);
    for (const f of inline[1]) if ('ims'.includes(f) && !flags.includes(f)) flags += f;
  }
  let out = '';
  let inClass = 0;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (c === '\\') {
      const next = src[i + 1];
      if (next === 'Q') {
        const end = src.indexOf('\\E', i + 2);
        const literal = src.slice(i + 2, end < 0 ? src.length : end);
        out += literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end < 0 ? src.length : end + 1;
        continue;
      }
      if (next === 'A' && !inClass) {
        out += '(?<![\\s\\S])';
        i++;
        continue;
      }
      if (next === 'z' && !inClass) {
        out += '(?![\\s\\S])';
        i++;
        continue;
      }
      if (next === 'Z' && !inClass) {
        out += '(?=\\n?(?![\\s\\S]))';
        i++;
        continue;
      }
      if ((next === 'p' || next === 'P') && src[i + 2] === '{') {
        const close = src.indexOf('}', i + 3);
        const name = src.slice(i + 3, close);
        const set = POSIX[name] ?? POSIX[name.replace(/^Is/, '')];
        if (close < 0 || set === undefined)
          throw new JavaRegexError(`Unknown character property in ${pattern}`);
        out += inClass ? (next === 'p' ? set : '') : next === 'p' ? `[${set}]` : `[^${set}]`;
        i = close;
        continue;
      }
      if (next === undefined)
        throw new JavaRegexError(`Unexpected internal error near index ${i}: ${pattern}`);
      out += c + next;
      i++;
      continue;
    }
    if (c === '[') inClass++;
    else if (c === ']' && inClass) inClass--;
    else if (!inClass && c === '(' && src.startsWith('(?>', i)) {
      out += '(?:';
      i += 2;
      continue;
    } else if (!inClass && (c === '+' || c === '?' || c === '*' || c === '}') && src[i + 1] === '+') {
      // Possessive quantifier: JS has none; greedy matches the same strings in practice.
      out += c;
      i++;
      continue;
    }
    out += c;
  }
  try {
    return new RegExp(out, flags);
  } catch (e) {
    const reason = (e as Error).message.replace(/^Invalid regular expression: \/.*\/\w*: /, '');
    throw new JavaRegexError(`${reason} in regular expression ${JSON.stringify(pattern)}`);
  }
}

type ReplacementPart = string | number | { name: string };
const replacementCache = new Map<string, ReplacementPart[]>();

/** Parses a Java `Matcher.appendReplacement` string: `$n`, `${name}`, `\x` for a literal x. */
function replacementParts(replacement: string, groupCount: number): ReplacementPart[] {
  const key = `${groupCount}\u0000${replacement}`;
  const cached = replacementCache.get(key);
  if (cached) return cached;
  const parts: ReplacementPart[] = [];
  let literal = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement[i];
    if (c === '\\') {
      if (i + 1 >= replacement.length) throw new JavaRegexError('character to be escaped is missing');
      literal += replacement[++i];
    } else if (c === '$') {
      if (literal) parts.push(literal);
      literal = '';
      if (replacement[i + 1] === '{') {
        const close = replacement.indexOf('}', i + 2);
        if (close < 0) throw new JavaRegexError("named capturing group is missing trailing '}'");
        parts.push({ name: replacement.slice(i + 2, close) });
        i = close;
        continue;
      }
      let j = i + 1;
      if (!/[0-9]/.test(replacement[j] ?? '')) throw new JavaRegexError('Illegal group reference');
      let group = Number(replacement[j]);
      // Java takes more digits only while the group number stays valid.
      while (
        /[0-9]/.test(replacement[j + 1] ?? '') &&
        group * 10 + Number(replacement[j + 1]) <= groupCount
      ) {
        group = group * 10 + Number(replacement[++j]);
      }
      if (group > groupCount) throw new JavaRegexError(`No group ${group}`);
      parts.push(group);
      i = j;
    } else {
      literal += c;
    }
  }
  if (literal) parts.push(literal);
  if (replacementCache.size >= CACHE_LIMIT) replacementCache.clear();
  replacementCache.set(key, parts);
  return parts;
}

/** `String.replaceAll` (all = true) or `String.replaceFirst`. */
export function javaReplace(input: string, pattern: string, replacement: string, all: boolean): string {
  const { re, groups } = compiled(pattern);
  const parts = replacementParts(replacement, groups);
  let replaced = false;
  return input.replace(re, (...args: unknown[]) => {
    if (!all && replaced) return args[0] as string;
    replaced = true;
    const named = args[args.length - 1];
    let out = '';
    for (const part of parts) {
      if (typeof part === 'string') out += part;
      else if (typeof part === 'number') out += (args[part] as string | undefined) ?? '';
      else if (typeof named === 'object' && named !== null && part.name in named) {
        out += (named as Record<string, string | undefined>)[part.name] ?? '';
      } else {
        throw new JavaRegexError(`No group with name {${part.name}}`);
      }
    }
    return out;
  });
}

/** `String.matches`: the whole string must match. */
export function javaMatches(input: string, pattern: string): boolean {
  return compiled(pattern).whole.test(input);
}

/**
 * `String.split(regex, limit)` with `Pattern.split`'s rules: no leading empty string for a
 * zero-width match at the start, trailing empty strings removed when limit is 0.
 */
export function javaSplit(input: string, pattern: string, limit = 0): string[] {
  const { re } = compiled(pattern);
  const out: string[] = [];
  let index = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(input)) !== null) {
    const start = m.index;
    const end = start + m[0].length;
    if (start === end) re.lastIndex = end + 1;
    if (limit <= 0 || out.length < limit - 1) {
      if (index === 0 && start === 0 && start === end) continue;
      out.push(input.slice(index, start));
      index = end;
    } else if (out.length === limit - 1) {
      out.push(input.slice(index));
      index = end;
    }
    if (re.lastIndex > input.length) break;
  }
  if (index === 0) return [input];
  if (limit <= 0 || out.length < limit) out.push(input.slice(index));
  if (limit === 0) while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}
