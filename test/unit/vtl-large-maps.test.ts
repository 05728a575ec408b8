/**
 * JSON objects with more than LARGE_OBJECT_MEMBERS members are held as JavaMaps, not plain objects
 * (memory: see values.ts). Templates must not see the difference: every case here checks a large
 * map against what the same document gives as plain JS objects (JSON.parse, jsonpath-plus on it),
 * which is how these maps were held before.
 */
import { JSONPath } from 'jsonpath-plus';
import { compileTemplate } from '../../mappings/vtl';
import { LARGE_OBJECT_MEMBERS, parseJson, toJsonText } from '../../mappings/vtl/json';
import { fromTransferable, toTransferable } from '../../mappings/vtl/transfer';
import {
  JavaMap,
  mapEntries,
  mapKeys,
  mapPut,
  mapRemove,
  mapSize,
  mapValues,
} from '../../mappings/vtl/values';

function render(template: string, body: string): string {
  return compileTemplate(template).render({
    body,
    params: { path: {}, querystring: {}, header: {} },
    context: {},
    stageVariables: {},
  });
}

/** An object text with `members` (JSON text) after enough padding members to be large. */
function large(members: string, tag = 'p'): string {
  const padding = Array.from({ length: LARGE_OBJECT_MEMBERS }, (_, i) => `"${tag}${i}":${i}`);
  return `{${padding.join(',')},${members}}`;
}

// Keys JS objects order specially: array indexes first and ascending, a duplicate keeping its
// first place with the last value, `__proto__` as data; some before the object turns large, most after.
const TRICKY = large(
  '"10":2,"2":3,"__proto__":4,"b":5,"007":6,"-1":7,"4294967295":8,"4294967294":9,"0":10,"1.5":11,"p7":12',
).replace('{', '{"b":1,"3":0,');
const plainDoc = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe('a large JSON object', () => {
  it('is a JavaMap above LARGE_OBJECT_MEMBERS members and a plain object up to it', () => {
    expect(parseJson(TRICKY)).toBeInstanceOf(JavaMap);
    const small = `{${Array.from({ length: LARGE_OBJECT_MEMBERS }, (_, i) => `"k${i}":1`).join(',')}}`;
    expect(Object.getPrototypeOf(parseJson(small))).toBe(Object.prototype);
  });

  it('prints through $input.json and as a Java map exactly as a plain object does', () => {
    const expected = plainDoc(TRICKY);
    expect(render("$input.json('$')", TRICKY)).toBe(JSON.stringify(expected));
    expect(toJsonText(parseJson(TRICKY))).toBe(JSON.stringify(expected));
    const javaText = `{${Object.entries(expected)
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ')}}`;
    expect(render("$input.path('$')", TRICKY)).toBe(javaText);
    expect(render("#set($m = $input.path('$'))$m.toString()", TRICKY)).toBe(javaText);
  });

  it('iterates keys, values and entries in a plain object’s order', () => {
    const expected = plainDoc(TRICKY);
    const keys = Object.keys(expected);
    const values = Object.values(expected).map(String);
    expect(render("#foreach($k in $input.path('$').keySet())$k,#end", TRICKY)).toBe(`${keys.join(',')},`);
    expect(render("#foreach($v in $input.path('$').values())$v,#end", TRICKY)).toBe(`${values.join(',')},`);
    expect(render("#foreach($v in $input.path('$'))$v,#end", TRICKY)).toBe(`${values.join(',')},`);
    expect(render("#foreach($e in $input.path('$').entrySet())$e.key=$e.value;#end", TRICKY)).toBe(
      Object.entries(expected)
        .map(([k, v]) => `${k}=${String(v)};`)
        .join(''),
    );
    expect(render("$input.path('$').size()", TRICKY)).toBe(String(keys.length));
  });

  it('answers get, containsKey, containsValue, getOrDefault and isEmpty', () => {
    const t = (expression: string) => render(`#set($m = $input.path('$'))${expression}`, TRICKY);
    expect(t("$m.get('10') $m['2'] $m.b $m.get('__proto__') $m.get('1.5') $m.p7")).toBe('2 3 5 4 11 12');
    expect(t("$m.containsKey('4294967295') $m.containsKey('nope') $m.containsKey('toString')")).toBe(
      'true false false',
    );
    expect(t('$m.containsValue(9) $m.containsValue(99)')).toBe('true false');
    expect(t("$m.getOrDefault('nope', 'd') $m.getOrDefault('0', 'd') $m.isEmpty()")).toBe('d 10 false');
  });

  it('changes through put, remove, putAll and clear as a plain object does', () => {
    const expected = plainDoc(TRICKY);
    expected['5'] = 'x';
    expected.b = 'y';
    expected.z = 'new';
    delete expected['10'];
    delete expected.p3;
    expect(
      render(
        "#set($m = $input.path('$'))#set($_ = $m.put('5', 'x'))#set($_ = $m.put('b', 'y'))" +
          "#set($m.z = 'new')#set($_ = $m.remove('10'))#set($_ = $m.remove('p3'))$input.json('$')",
        TRICKY,
      ),
    ).toBe(JSON.stringify(expected));
    expect(
      render("#set($m = $input.path('$'))$m.clear()$m.isEmpty() $m.size() $input.json('$')", TRICKY),
    ).toBe('true 0 {}');
  });

  it('copies into a small map and compares equal with it, both ways', () => {
    const template =
      "#set($m = $input.path('$'))#set($c = {'first': 0})$c.putAll($m)$c.size()" +
      "#set($_ = $c.remove('first')) $c.equals($m) $m.equals($c) #if($c == $m)same#end";
    expect(render(template, TRICKY)).toBe(`${Object.keys(plainDoc(TRICKY)).length + 1} true true same`);
    expect(render("#set($m = $input.path('$'))$m.putAll($m)$m.size()", TRICKY)).toBe(
      String(Object.keys(plainDoc(TRICKY)).length),
    );
  });
});

describe('JSONPath over large maps', () => {
  const inner = large('"inner":{"x":1},"10":"ten","x":2', 'q');
  const item = (n: number) => large(`"n":${n},"tags":["a","b"]`, `i${n}_`);
  const DOC = `{"items":[${item(1)},${item(2)},${item(3)}],"big":${inner},"x":3}`;

  it.each([
    ['$.big.inner', true],
    ["$.big['10']", true],
    ['$.big.inner.x', true],
    ['$.items[1].n', true],
    ['$.items[-1].n', true],
    ['$.items[0].tags[1]', true],
    ['$.big.missing', true],
    ['$.items[?(@.n > 1)].n', false],
    ['$..x', false],
    ['$..n', false],
    ['$.items[0:2].n', false],
    ['$.items[*].tags[0]', false],
    ['$.items[0,2].n', false],
  ])('%s gives what it gives over plain objects', (path, definite) => {
    const matches = JSONPath({
      path: path.replace('[-1]', '[-1:]'),
      json: JSON.parse(DOC),
      wrap: true,
    }) as unknown[];
    const expected = definite
      ? matches.length === 0
        ? '""'
        : JSON.stringify(matches[0])
      : JSON.stringify(matches);
    expect(render(path.includes("'") ? `$input.json("${path}")` : `$input.json('${path}')`, DOC)).toBe(
      expected,
    );
  });

  it('lists a large map’s values with a wildcard, in its order', () => {
    const expected = Object.values(JSON.parse(inner) as object);
    expect(render("$input.json('$.big.*')", DOC)).toBe(JSON.stringify(expected));
  });

  it('returns the map itself: a change made through it is seen by later paths', () => {
    const template =
      "#set($big = $input.path('$.big'))#set($_ = $big.put('added', 1))" +
      "#set($item = $input.path('$.items[0]'))#set($item.n = 7)" +
      "$input.json('$.big.added') $input.json('$.items[0].n') $input.path('$.big').size()";
    expect(render(template, DOC)).toBe(`1 7 ${Object.keys(JSON.parse(inner) as object).length + 1}`);
  });
});

describe('JavaMap', () => {
  it('iterates as a plain object through puts and removes of array-index keys', () => {
    const map = new JavaMap();
    const reference: Record<string, unknown> = {};
    const ops: [string, string, number?][] = [
      ['put', 'b', 1],
      ['put', '7', 2],
      ['put', '7', 3], // again: still one index key
      ['put', 'a', 4],
      ['remove', '7'],
      ['put', 'c', 5], // no index key left: insertion order
      ['put', '10', 6],
      ['put', '2', 7],
      ['remove', 'b'],
      ['put', 'b', 8], // re-added: now last
      ['remove', 'missing'],
    ];
    for (const [op, key, value] of ops) {
      if (op === 'put') {
        expect(mapPut(map, key, value)).toBe(mapPut(reference, key, value));
      } else {
        expect(mapRemove(map, key)).toBe(mapRemove(reference, key));
      }
      expect(Array.from(mapEntries(map))).toEqual(Object.entries(reference));
      expect(mapSize(map)).toBe(Object.keys(reference).length);
    }
    expect(Array.from(mapKeys(map))).toEqual(['2', '10', 'a', 'c', 'b']);
    expect(mapValues(map, 2)).toEqual([7, 6]);
  });
});

describe('a large map across threads', () => {
  it('comes back a JavaMap with the same entries in the same order', () => {
    const value = parseJson(`{"outer":${TRICKY},"small":{"a":1}}`);
    const back = fromTransferable(structuredClone(toTransferable(value))) as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(back.outer).toBeInstanceOf(JavaMap);
    expect(Array.from(mapKeys(back.outer as JavaMap))).toEqual(Object.keys(plainDoc(TRICKY)));
    expect(Object.getPrototypeOf(back.small)).toBe(Object.prototype);
    expect(toJsonText(back)).toBe(toJsonText(value));
  });
});
