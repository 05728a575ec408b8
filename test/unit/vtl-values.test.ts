import { JsonSyntaxError, parseJson, toJsonText } from '../../mappings/vtl/json';
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
