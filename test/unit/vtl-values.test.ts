import {
  JsonDepthError,
  JsonSyntaxError,
  MAX_JSON_DEPTH,
  parseJson,
  toJsonText,
} from '../../mappings/vtl/json';
import { fromTransferable, toTransferable } from '../../mappings/vtl/transfer';
import { javaSplit } from '../../mappings/vtl/regex';
import { javaToString } from '../../mappings/vtl/text';
import { formatDouble, JavaDouble, JsonList } from '../../mappings/vtl/values';

// What JSON.parse would give, with the wrappers removed.
function plain(value: unknown): unknown {
  if (value instanceof JavaDouble) return value.value;
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

describe('JSON parsing', () => {
  it.each([
    '{}',
    '[]',
    ' {"a" : [1, -2, 3.5, -0.25e-3, 1E+2, true, false, null, "s"]} ',
    '"\\u00e9\\n\\t\\"\\\\\\/"',
    '{"nested":{"deep":[[[{"x":"y"}]]]},"empty":"","unicode":"😀é"}',
    '0',
    '-0',
    '123456789',
  ])('agrees with JSON.parse on %s', (text) => {
    expect(plain(parseJson(text))).toEqual(JSON.parse(text));
  });

  it('keeps doubles and JSON arrays distinguishable', () => {
    const value = parseJson('{"i":1,"d":1.0,"e":2e3,"l":[1]}') as Record<string, unknown>;
    expect(value.i).toBe(1);
    expect(value.d).toBeInstanceOf(JavaDouble);
    expect(String(value.e)).toBe('2000.0');
    expect(value.l).toBeInstanceOf(JsonList);
  });

  it('keeps a __proto__ key as data', () => {
    const value = parseJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each([
    '',
    '{',
    '{"a":}',
    '[1,]',
    '{"a":1,}',
    "{'a':1}",
    '{a:1}',
    'tru',
    '01',
    '1.',
    '"\\x"',
    '"a\nb"',
    '{} x',
  ])('rejects %j', (text) => {
    expect(() => parseJson(text)).toThrow(JsonSyntaxError);
  });

  it(`nests up to ${MAX_JSON_DEPTH} levels (Jackson's default) and refuses deeper, without exhausting the stack`, () => {
    const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
    expect(toJsonText(parseJson(nested(MAX_JSON_DEPTH)))).toBe(nested(MAX_JSON_DEPTH));
    expect(() => parseJson(nested(MAX_JSON_DEPTH + 1))).toThrow(JsonDepthError);
    const deep = '{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000);
    expect(() => parseJson(deep)).toThrow(new JsonDepthError(5000));
  });

  it('writes compact JSON back', () => {
    const text = '{"a":[1,2.0,{"b":null}],"c":"q\\"","d":true}';
    expect(toJsonText(parseJson(text))).toBe(text);
  });
});

describe('Java number formatting', () => {
  it.each([
    [1, '1.0'],
    [0.5, '0.5'],
    [249.99, '249.99'],
    [100, '100.0'],
    [1234567, '1234567.0'],
    [1e7, '1.0E7'],
    [12345678.9, '1.23456789E7'],
    [0.001, '0.001'],
    [0.0001, '1.0E-4'],
    [-1.5e-7, '-1.5E-7'],
    [0, '0.0'],
    [-0, '-0.0'],
    [1e21, '1.0E21'],
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
  ])('Double.toString(%p) is %s', (value, text) => {
    expect(formatDouble(value)).toBe(text);
  });

  it('prints JS integers as Java integers, other JS numbers as doubles', () => {
    expect(javaToString(42)).toBe('42');
    expect(javaToString(2.5)).toBe('2.5');
    expect(javaToString(1e21)).toBe('1000000000000000000000');
  });
});

describe('Java String.split', () => {
  it.each([
    ['a,b,c', ',', 0, ['a', 'b', 'c']],
    ['a,,b,,', ',', 0, ['a', '', 'b']],
    ['a,,b,,', ',', -1, ['a', '', 'b', '', '']],
    ['a,b,c', ',', 2, ['a', 'b,c']],
    [',a', ',', 0, ['', 'a']],
    ['', ',', 0, ['']],
    ['abc', '', 0, ['a', 'b', 'c']],
    ['no match', ',', 0, ['no match']],
    [',,,', ',', 0, []],
    ['a1b2', '(?=\\d)', 0, ['a', '1b', '2']],
  ] as const)('%j split by %j (limit %d)', (input, pattern, limit, expected) => {
    expect(javaSplit(input, pattern, limit)).toEqual(expected);
  });
});

describe('template values across threads', () => {
  it('keep doubles, JSON arrays, plain lists, key order and __proto__ keys through structured clone', () => {
    const value = parseJson(
      '{"z":1,"d":1.0,"l":[1,2.5,{"__proto__":"x"}],"n":null,"s":"t","b":false}',
    ) as Record<string, unknown>;
    value.plain = [1, 'a'];
    const back = fromTransferable(structuredClone(toTransferable(value))) as Record<string, unknown>;
    expect(Object.keys(back)).toEqual(['z', 'd', 'l', 'n', 's', 'b', 'plain']);
    expect(back.d).toBeInstanceOf(JavaDouble);
    expect(back.l).toBeInstanceOf(JsonList);
    expect(back.plain).not.toBeInstanceOf(JsonList);
    expect(Array.isArray(back.plain)).toBe(true);
    expect(toJsonText(back)).toBe(toJsonText(value));
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
  });
});
