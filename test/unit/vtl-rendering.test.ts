import { compileTemplate, TemplateRuntimeError, TemplateSyntaxError } from '../../mappings/vtl';

function render(template: string, body = '{}'): string {
  return compileTemplate(template).render({
    body,
    params: { path: {}, querystring: {}, header: {} },
    context: {},
    stageVariables: {},
  });
}

function runtimeError(template: string, body = '{}'): TemplateRuntimeError {
  try {
    render(template, body);
  } catch (e) {
    if (e instanceof TemplateRuntimeError) return e;
    throw e;
  }
  throw new Error('expected a TemplateRuntimeError');
}

function syntaxError(template: string): TemplateSyntaxError {
  try {
    compileTemplate(template);
  } catch (e) {
    if (e instanceof TemplateSyntaxError) return e;
    throw e;
  }
  throw new Error('expected a TemplateSyntaxError');
}

describe('null and missing references', () => {
  it('render as nothing, with or without !', () => {
    expect(render('[$missing][$!missing][${missing}][$!{missing}][$missing.deep.path()]')).toBe('[][][][][]');
  });

  it('render as nothing for a method that does not exist', () => {
    expect(render('[$input.nope()][$util.nope]')).toBe('[][]');
  });
});

describe('printing values as Java does', () => {
  it('prints booleans and integers plainly', () => {
    expect(
      render("$input.path('$.t') $input.path('$.i') $input.path('$.n')", '{"t":true,"i":42,"n":-7}'),
    ).toBe('true 42 -7');
  });

  it('prints JSON doubles with Double.toString', () => {
    const body = '{"a":1.0,"b":249.99,"c":1e7,"d":1.5E-4,"e":0.001,"f":-0.0,"g":123456789012.0}';
    expect(render("#set($r = $input.path('$'))$r.a $r.b $r.c $r.d $r.e $r.f $r.g", body)).toBe(
      '1.0 249.99 1.0E7 1.5E-4 0.001 -0.0 1.23456789012E11',
    );
  });

  it('prints decimal literals as doubles and integer literals as integers', () => {
    expect(render('#set($d = 2.0)#set($i = 2)$d $i')).toBe('2.0 2');
  });

  it('prints template maps and lists as Java collections, JSON lists as JSON', () => {
    expect(render('#set($m = {"a": 1, "b": [1, "x"]})$m')).toBe('{a=1, b=[1, x]}');
    expect(render("#set($l = [$input.path('$'), 'y'])$l", '{"k":[1,{"z":"w"}]}')).toBe(
      '[{k=[1,{"z":"w"}]}, y]',
    );
  });
});

describe('String methods', () => {
  const s = "#set($s = 'Hello, World')";
  it.each([
    ['$s.length()', '12'],
    ["$s.contains('World')", 'true'],
    ["$s.replace('l', 'L')", 'HeLLo, WorLd'],
    ["$s.replaceAll('o(\\w)', '0$1$1')", 'Hello, W0rrld'],
    ["$s.replaceAll('[aeiou]', '*')", 'H*ll*, W*rld'],
    ["$s.replaceFirst('l', 'L')", 'HeLlo, World'],
    ["$s.matches('Hello.*')", 'true'],
    ["$s.matches('Hello')", 'false'],
    ['$s.substring(7)', 'World'],
    ['$s.substring(0, 5)', 'Hello'],
    ["$s.indexOf('o')", '4'],
    ["$s.indexOf('o', 5)", '8'],
    ["$s.lastIndexOf('o')", '8'],
    ['$s.toLowerCase()', 'hello, world'],
    ['$s.toUpperCase()', 'HELLO, WORLD'],
    ["$s.split(', ')", '[Hello, World]'],
    ["$s.split(',')[1]", ' World'],
    ["$s.equals('Hello, World')", 'true'],
    ["$s.equalsIgnoreCase('hello, world')", 'true'],
    ["$s.startsWith('Hell')", 'true'],
    ["$s.endsWith('ld')", 'true'],
    ['$s.isEmpty()', 'false'],
    ['$s.charAt(4)', 'o'],
    ["$s.concat('!')", 'Hello, World!'],
    ['$s.empty', 'false'],
    ['[$s.length]', '[]'],
  ])('%s', (expression, expected) => {
    expect(render(`${s}${expression}`)).toBe(expected);
  });

  it('trims like Java (control characters too)', () => {
    expect(render("$input.path('$.s').trim()|", '{"s":"\\t x \\u0001"}')).toBe('x|');
  });

  it('splits with Java rules: regex, trailing empty strings removed, limit', () => {
    expect(render("#set($s = 'a,b,,c,,')$s.split(',') $s.split(',').size()")).toBe('[a, b, , c] 4');
    expect(render("#set($s = 'a1b22c')$s.split('\\d+')")).toBe('[a, b, c]');
    expect(render("#set($s = 'a,b,c')$s.split(',', 2)")).toBe('[a, b,c]');
    expect(render("#set($s = ',a')$s.split(',')")).toBe('[, a]');
    expect(render("#set($s = 'abc')$s.split('')")).toBe('[a, b, c]');
  });

  it('translates Java regex features', () => {
    expect(
      render("#set($s = 'ABC')$s.matches('(?i)abc') $s.matches('\\p{Upper}+') $s.replaceAll('\\QB\\E', '.')"),
    ).toBe('true true A.C');
    expect(
      render("#set($s = 'a-b')$s.replaceAll('(?<x>\\w)-(\\w)', '${x}+$2') $s.replaceAll('-', '\\$')"),
    ).toBe('a+b a$b');
  });

  it('fails the render on an out-of-range substring or a bad pattern', () => {
    expect(runtimeError("#set($s = 'abc')$s.substring(5)").message).toMatch(
      /StringIndexOutOfBoundsException.*\$s\.substring\(5\) at line 1, column 17/,
    );
    expect(runtimeError("#set($s = 'abc')$s.replaceAll('(', '')").message).toMatch(/PatternSyntaxException/);
    expect(runtimeError("#set($s = 'abc')$s.replaceAll('b', '$')").message).toMatch(
      /Illegal group reference/,
    );
  });
});

describe('List and Map methods', () => {
  it('adds to lists (add returns true, as Java prints it)', () => {
    expect(
      render('#set($l = [])$l.add(1)#set($ignored = $l.add("x"))$l $l.size() $l.get(1) $l.isEmpty()'),
    ).toBe('true[1, x] 2 x false');
    expect(render("#set($l = ['a', 'b'])$l.contains('b') $l.indexOf('b') $l[-1] $l.subList(0, 1)")).toBe(
      'true 1 b [a]',
    );
  });

  it('uses put as a statement: it prints the previous value, nothing for a new key', () => {
    expect(render("#set($m = {})$m.put('k', 'v')$m.put('k', 'w') $m")).toBe('v {k=w}');
  });

  it('reads maps with get, containsKey, keySet, values, entrySet, size, isEmpty', () => {
    const template =
      "#set($m = {'a': 1, 'b': 2})$m.get('a') $m.containsKey('b') $m.keySet() $m.values() $m.entrySet() $m.size() $m.isEmpty()";
    expect(render(template)).toBe('1 true [a, b] [1, 2] [a=1, b=2] 2 false');
    expect(render("#set($m = {'a': 1})#foreach($e in $m.entrySet())$e.key:$e.value#end")).toBe('a:1');
  });

  it('sets map entries and list items with #set and brackets', () => {
    expect(
      render("#set($m = {})#set($m['k'] = 'v')#set($m.x = 1)#set($key = 'dyn')#set($m[$key] = true)$m"),
    ).toBe('{k=v, x=1, dyn=true}');
    expect(render("#set($l = [1, 2])#set($l[1] = 'two')$l")).toBe('[1, two]');
  });

  it('fails the render on list.get out of range', () => {
    expect(runtimeError('#set($l = [1])$l.get(3)').message).toMatch(/IndexOutOfBoundsException/);
  });

  it('keeps JSON out of the prototype chain', () => {
    expect(render("[$input.path('$').constructor][$input.path('$').toString]", '{"a":1}')).toBe('[][]');
    expect(render("#set($m = {})#set($m['__proto__'] = 'x')$m.keySet()")).toBe('[__proto__]');
  });
});

describe('#set', () => {
  it('leaves the variable unchanged when the value is null (Velocity 1.7)', () => {
    expect(render("#set($a = 'first')#set($a = $missing)$a")).toBe('first');
    expect(render("#foreach($i in $input.path('$'))#set($v = $i.v)$v,#end", '[{"v":1},{},{"v":3}]')).toBe(
      '1,1,3,',
    );
  });

  it('interpolates double-quoted strings, not single-quoted ones', () => {
    expect(render(`#set($n = 'x')#set($a = "v=$n")#set($b = 'v=$n')$a $b`)).toBe('v=x v=$n');
  });

  it('does arithmetic as Java: integer division, modulo, doubles, concatenation', () => {
    expect(render('#set($a = 7 / 2)#set($b = 7 % 3)#set($c = 7.0 / 2)#set($d = 2 * 3 + 1)$a $b $c $d')).toBe(
      '3 1 3.5 7',
    );
    expect(
      render('#set($a = -7 / 2)#set($b = 1.5 + 1.5)#set($c = "n" + 1)#set($d = 1 + "n")$a $b $c $d'),
    ).toBe('-3 3.0 n1 1n');
    expect(render("#set($x = 1)#set($x = 5 / 0)$x|#set($y = $input.path('$.i') + 1)$y", '{"i":41}')).toBe(
      '1|42',
    );
  });
});

describe('#if', () => {
  it('chooses between #if, #elseif and #else', () => {
    const template = "#if($input.path('$.n') == 1)one#elseif($input.path('$.n') > 1)many#{else}none#end";
    expect(render(template, '{"n":1}')).toBe('one');
    expect(render(template, '{"n":5}')).toBe('many');
    expect(render(template, '{"n":0}')).toBe('none');
  });

  it('treats null and false as false and everything else as true (Velocity 1.7)', () => {
    const template =
      "#foreach($k in ['t', 'f', 'z', 'e', 's', 'n', 'missing'])#if($input.path(\"$.$k\"))$k#end#end";
    expect(render(template, '{"t":true,"f":false,"z":0,"e":"","s":"x","n":null}')).toBe('tzes');
  });

  it('supports !, &&, ||, comparisons and their word forms', () => {
    expect(render('#if(!$missing && 2 > 1 || false)yes#end #if(1 lt 2 and not false)words#end')).toBe(
      'yes words',
    );
  });

  it('compares across types by string form, numbers by value', () => {
    expect(
      render(
        "#if('1' == 1)a#end#if(1.0 == 1)b#end#if($input.path('$.s') == 'x')c#end#if(1 != 2)d#end",
        '{"s":"x"}',
      ),
    ).toBe('abcd');
    expect(render("#if('a' < 'b')ordered#{else}unordered#end")).toBe('unordered');
  });
});

describe('#foreach', () => {
  it('exposes $foreach.index, count, hasNext, first, last and $velocityCount', () => {
    const template =
      "#foreach($x in ['a', 'b', 'c'])$foreach.index$foreach.count$x$velocityCount#if($foreach.hasNext),#end#end";
    expect(render(template)).toBe('01a1,12b2,23c3');
    expect(render('#foreach($x in [1, 2])$foreach.first$foreach.last #end')).toBe('truefalse falsetrue ');
  });

  it('iterates map values, keySet() keys, and ranges', () => {
    expect(
      render("#set($m = {'a': 1, 'b': 2})#foreach($v in $m)$v#end #foreach($k in $m.keySet())$k#end"),
    ).toBe('12 ab');
    expect(render('#foreach($i in [3..1])$i#end')).toBe('321');
  });

  it('stops at #break, and at 1000 iterations', () => {
    expect(render('#foreach($i in [1..5])#if($i == 3)#break#end$i#end')).toBe('12');
    expect(render('#foreach($i in [1..1500])#set($last = $i)#end$last')).toBe('1000');
  });

  it('restores the loop variable and gives nested loops $foreach.parent', () => {
    expect(render("#set($x = 'before')#foreach($x in [1])#end$x")).toBe('before');
    expect(render('#foreach($a in [1, 2])#foreach($b in [1])$foreach.parent.index#end#end')).toBe('01');
  });

  it('does not iterate null or scalars', () => {
    expect(render("#set($s = 'abc')#foreach($x in $missing)x#end#foreach($x in $s)x#end|")).toBe('|');
  });
});

describe('whitespace, comments and other directives', () => {
  it('swallows the newline after #set, #if, #foreach, #else and #end lines', () => {
    const template =
      '#set($a = 1)\n#if($a == 1)\nyes\n#else\nno\n#end\n#foreach($i in [1, 2])\n$i\n#end\ndone';
    expect(render(template)).toBe('yes\n1\n2\ndone');
  });

  it('swallows the blanks before #set when they start a token (after a directive or reference)', () => {
    expect(render("#set($a = 'x')$a  #set($b = 1)|a  #set($c = 2)|")).toBe('x|a  |');
  });

  it('swallows the indentation before #set but keeps it before other directives', () => {
    expect(render('#foreach($i in [1])\n    #set($x = $i)\n    x=$x\n    #end\n')).toBe('    x=1\n    ');
  });

  it('drops comments; a ## comment takes its newline with it', () => {
    expect(render('a## line comment\nb#* block *#c\n#** doc *#d')).toBe('abc\nd');
  });

  it('prints unparsed text blocks verbatim', () => {
    expect(render('#[[$not #if(parsed)]]#')).toBe('$not #if(parsed)');
  });

  it('supports macros, #define, #evaluate and #stop', () => {
    expect(
      render('#macro(greet $who)Hello $who!#end#greet("you") #greet($input.path(\'$.n\'))', '{"n":"N"}'),
    ).toBe('Hello you! Hello N!');
    expect(render('#define($d)d=$x#end#set($x = 1)$d,#set($x = 2)$d')).toBe('d=1,d=2');
    expect(render("#set($code = '#set($q = 5)$q')#evaluate($code)")).toBe('5');
    expect(render('a#stop()b')).toBe('a');
  });

  it('prints an unknown directive as text and fails on #parse/#include', () => {
    expect(render('#notadirective(1) #nope')).toBe('#notadirective(1) #nope');
    expect(runtimeError("#parse('x.vm')").kind).toBe('error');
  });

  it('keeps Velocity identifiers with hyphens', () => {
    expect(render("#set($m = {'a-b': 1})$m.a-b")).toBe('1');
  });
});

describe('errors', () => {
  it('reports malformed templates with a 1-based line and column', () => {
    const e = syntaxError('line one\nline two #set($a = )');
    expect(e.line).toBe(2);
    expect(e.column).toBeGreaterThanOrEqual(18);
    expect(e.column).toBeLessThanOrEqual(20);
    expect(e.message).toMatch(/line 2, column/);
  });

  it('reports a block without #end at the block', () => {
    const e = syntaxError('ok\n  #foreach($a in $b)\n$a');
    expect([e.line, e.column]).toEqual([2, 3]);
    expect(e.reason).toBe('#foreach has no matching #end');
    expect(syntaxError('#if($a)#foreach($b in $c)#end').reason).toBe('#if has no matching #end');
  });

  it('reports a stray #end where it is', () => {
    const e = syntaxError('a\nb #end c');
    expect([e.line, e.column, e.reason]).toEqual([
      2,
      3,
      '#end without an open #if, #foreach, #macro or #define',
    ]);
    const after = syntaxError('#if($a)x#end\n  #end');
    expect([after.line, after.column]).toEqual([2, 3]);
  });

  it('reports an unbalanced block inside a string at the directive holding it', () => {
    const e = syntaxError('ok\n#set($a = "#if($x)y")');
    expect([e.line, e.column, e.reason]).toEqual([2, 1, '#if has no matching #end in a string']);
  });

  it('reports #else outside #if, and an interpolated string that does not parse', () => {
    expect(syntaxError('x #else y').reason).toBe('#else without #if');
    expect(syntaxError('#set($a = "#if(")').message).toMatch(/Unexpected/);
  });

  it('reports run-time failures with kind error and the failing reference', () => {
    const e = runtimeError("\n  $input.path('$.s').charAt(9)", '{"s":"abc"}');
    expect(e.kind).toBe('error');
    expect(e.message).toMatch(
      /StringIndexOutOfBoundsException.*\$input\.path\('\$\.s'\)\.charAt\(9\) at line 2, column 3/,
    );
  });

  it('refuses a binary payload whatever the template', () => {
    const template = compileTemplate('static');
    expect(() =>
      template.render({
        body: Buffer.from([0xff]),
        params: { path: {}, querystring: {}, header: {} },
        context: {},
        stageVariables: {},
        binaryBody: true,
      }),
    ).toThrow(expect.objectContaining({ kind: 'binary-body' }));
  });
});

describe('compilation', () => {
  it('compiles a source once and reuses it', () => {
    expect(compileTemplate('$input.body x')).toBe(compileTemplate('$input.body x'));
  });

  it('renders the same compiled template independently each time', () => {
    const template = compileTemplate('#set($l = [])$l.add($input.body)$l');
    const vars = (body: string) => ({
      body,
      params: { path: {}, querystring: {}, header: {} },
      context: {},
      stageVariables: {},
    });
    expect(template.render(vars('a'))).toBe('true[a]');
    expect(template.render(vars('b'))).toBe('true[b]');
  });
});
