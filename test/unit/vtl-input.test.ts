import { compileTemplate, TemplateRuntimeError, type TemplateVariables } from '../../mappings/vtl';

type Params = Partial<TemplateVariables['params']>;

function render(template: string, body: Buffer | string = '', params: Params = {}): string {
  return compileTemplate(template).render({
    body,
    params: { path: params.path ?? {}, querystring: params.querystring ?? {}, header: params.header ?? {} },
    context: {},
    stageVariables: {},
  });
}

function renderError(template: string, body: string): TemplateRuntimeError {
  try {
    render(template, body);
  } catch (e) {
    if (e instanceof TemplateRuntimeError) return e;
    throw e;
  }
  throw new Error('expected a TemplateRuntimeError');
}

describe('$input.body', () => {
  it('is the raw payload text', () => {
    expect(render('$input.body', '{"a": 1}')).toBe('{"a": 1}');
    expect(render('$input.body', 'some raw data')).toBe('some raw data');
  });

  it('is {} for an empty payload (AWS-validated)', () => {
    expect(render('$input.body', '')).toBe('{}');
    expect(render('$input.body', Buffer.alloc(0))).toBe('{}');
  });

  it('decodes a Buffer as UTF-8, invalid bytes becoming U+FFFD', () => {
    expect(render('$input.body', Buffer.from('héllo'))).toBe('héllo');
    expect(render('$input.body', Buffer.from([0x61, 0xff, 0x62]))).toBe('a\uFFFDb');
  });

  it('is also reachable as ${input.body} and $input.getBody()', () => {
    expect(render('${input.body}|$input.getBody()', 'x')).toBe('x|x');
  });
});

describe('$input itself', () => {
  it('renders as empty, not as the text of the reference', () => {
    expect(render('[$input]', '{"a":1}')).toBe('[]');
    expect(render('[${input}]', '{"a":1}')).toBe('[]');
    expect(render('#set($x = "a${input}b")$x', '')).toBe('ab');
  });
});

describe('$input.json', () => {
  it('returns JSON text of the match (the examples of the $input reference)', () => {
    expect(render("$input.json('$.a')", '{"a":{"b":1}}')).toBe('{"b":1}');
    expect(render("$input.json('$.name')", '{"name":"x"}')).toBe('"x"');
  });

  it('is compact JSON of the whole document for $', () => {
    expect(render("$input.json('$')", '{ "a" : [1, 2, {"b": null}], "c": true }')).toBe(
      '{"a":[1,2,{"b":null}],"c":true}',
    );
  });

  it('keeps doubles as Java prints them', () => {
    expect(render("$input.json('$')", '{"a":1.0,"b":2.50,"c":1e3,"d":12345678.9,"e":0.0001}')).toBe(
      '{"a":1.0,"b":2.5,"c":1000.0,"d":1.23456789E7,"e":1.0E-4}',
    );
  });

  it('gives "" for a missing definite path (as LocalStack)', () => {
    expect(render("$input.json('$.missing')", '{"a":1}')).toBe('""');
  });

  it('treats an empty body as {}', () => {
    expect(render("$input.json('$')", '')).toBe('{}');
  });

  it('gives a JSON list for indefinite paths (wildcards, deep scan, filters, slices)', () => {
    const body = '{"a":[{"b":1},{"b":2.5}]}';
    expect(render("$input.json('$..b')", body)).toBe('[1,2.5]');
    expect(render("$input.json('$.a[*].b')", body)).toBe('[1,2.5]');
    expect(render("$input.json('$.a[?(@.b > 1)]')", body)).toBe('[{"b":2.5}]');
    expect(render("$input.json('$.a[0:1]')", body)).toBe('[{"b":1}]');
    expect(render("$input.json('$.nothing[*]')", body)).toBe('[]');
  });

  it('escapes strings as JSON', () => {
    expect(render("$input.json('$.s')", '{"s":"a\\"b\\n\\u00e9"}')).toBe('"a\\"b\\né"');
  });

  it('renders a non-JSON body as a JSON string', () => {
    expect(render("$input.json('$')", 'some raw data')).toBe('"some raw data"');
  });

  it('reports a body that starts like JSON but does not parse as invalid-json', () => {
    const e = renderError("$input.json('$')", '{"a": ');
    expect(e.kind).toBe('invalid-json');
  });
});

describe('$input.path', () => {
  // AWS-validated
  // (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html):
  // #set($r = $input.path('$')) on a JSON document, then print.
  it.each([
    ['{"foo":"bar"}', '$r', '{foo=bar}'],
    ['[{"foo":"bar"}]', '$r', '[{"foo":"bar"}]'],
    ['{"nested":{"foo":"bar"}}', '$r.nested', '{foo=bar}'],
    ['{"nested":[{"foo":"bar"}]}', '$r.nested', '[{"foo":"bar"}]'],
    ['[[{"foo":"bar"}]]', '$r[0]', '[{"foo":"bar"}]'],
    ['[{"foo":"bar"}]', '$r[0]', '{foo=bar}'],
    ['{"foo":[{"nested":"bar"}]}', '$r', '{foo=[{"nested":"bar"}]}'],
    ['{"bigger":"dict","to":"test","with":"separators"}', '$r', '{bigger=dict, to=test, with=separators}'],
    ['{"list":[{"foo":"bar"}]}', '$r.toString()', '{list=[{"foo":"bar"}]}'],
    ['', '$r', ''],
    ['', '$r.nested', ''],
    ['[]', '$r', '[]'],
    ['null', '$r', ''],
  ])('%s printed as %s gives %s', (body, expression, expected) => {
    expect(render(`#set($r = $input.path('$'))${expression}`, body)).toBe(expected);
  });

  it('makes a missing result both == $null and == "" (AWS-validated)', () => {
    const template = `#set($r = $input.path('$'))#if($r == $null)null#end #if($r == "")empty#end`;
    expect(render(template, '')).toBe('null empty');
  });

  it('an empty list is neither null nor ""', () => {
    const template = `#set($r = $input.path('$'))#if($r == $null)null#end#if($r == "")empty#end`;
    expect(render(template, '[]')).toBe('');
  });

  it('gives scalars as values', () => {
    const body = '{"s":"text","i":42,"d":249.99,"t":true,"f":false,"n":null,"one":1.0}';
    expect(render("$input.path('$.s') $input.path('$.i') $input.path('$.d') $input.path('$.t')", body)).toBe(
      'text 42 249.99 true',
    );
    expect(render("[$input.path('$.n')] $input.path('$.one') $input.path('$.f')", body)).toBe('[] 1.0 false');
  });

  it('navigates maps and lists with Java methods', () => {
    const body = '{"pets":[{"id":1,"type":"dog","price":249.99},{"id":2,"type":"cat","price":124.99}]}';
    expect(render("$input.path('$.pets').size()", body)).toBe('2');
    expect(render("$input.path('$.pets').get(1).type", body)).toBe('cat');
    expect(render("$input.path('$.pets')[0].price", body)).toBe('249.99');
    expect(render("$input.path('$.pets[0]').keySet()", body)).toBe('[id, type, price]');
    expect(render("$input.path('$.pets[0]').containsKey('id')", body)).toBe('true');
    expect(render("#foreach($p in $input.path('$.pets'))$p.type#if($foreach.hasNext),#end#end", body)).toBe(
      'dog,cat',
    );
  });

  it("counts the AWS documentation example: $input.path('$.things').size() is 3", () => {
    expect(render('"$input.path(\'$.things\').size()"', '{"things":{"1":{},"2":{},"3":{}}}')).toBe('"3"');
  });

  it('reads the last element with a negative index, as Jayway does', () => {
    expect(render("$input.path('$.a[-1]') $input.path('$.a[-2]')", '{"a":[1,2,3]}')).toBe('3 2');
  });

  it('returns a JSON list for indefinite paths', () => {
    expect(render("$input.path('$.a[*].b')", '{"a":[{"b":"x"},{"b":"y"}]}')).toBe('["x","y"]');
    expect(render("$input.path('$.a[*].b').size()", '{"a":[{"b":"x"},{"b":"y"}]}')).toBe('2');
  });

  it('accepts a double-quoted path', () => {
    expect(render('$input.path("$.a")', '{"a":"x"}')).toBe('x');
  });

  it('sees a non-JSON body as a bare string', () => {
    expect(render("$input.path('$')", 'some raw data')).toBe('some raw data');
    expect(render("$input.path('$').length()", 'some raw data')).toBe('13');
    expect(render("[$input.path('$.a')]", 'some raw data')).toBe('[]');
  });

  it('reports a body that starts like JSON but does not parse as invalid-json', () => {
    for (const body of ['{"a": ', '[1, 2', '{a: 1}', '"unterminated']) {
      expect(renderError("$input.path('$')", body).kind).toBe('invalid-json');
    }
  });

  it('does not parse the body when the template does not read it as JSON', () => {
    expect(render('$input.body', '{"a": ')).toBe('{"a": ');
  });
});

describe('$input.params', () => {
  const params = {
    path: { id: 'p-id', shared: 'from-path' },
    querystring: { q: 'x y', shared: 'from-query' },
    header: { 'X-Token': 'tok', shared: 'from-header', Accept: '*/*' },
  };

  it('searches path, then query string, then header', () => {
    expect(render("$input.params('shared')", '', params)).toBe('from-path');
    expect(render("$input.params('q')", '', params)).toBe('x y');
    expect(render("$input.params('X-Token')", '', params)).toBe('tok');
    expect(
      render("$input.params('shared')", '', { querystring: { shared: 'q' }, header: { shared: 'h' } }),
    ).toBe('q');
  });

  it('gives "" for a missing parameter', () => {
    expect(render("[$input.params('nope')]", '', params)).toBe('[]');
    expect(render("#if($input.params('nope') == '')empty#end", '', params)).toBe('empty');
  });

  it('gives all parameters as a map of maps', () => {
    expect(render('$input.params().keySet()', '', params)).toBe('[path, querystring, header]');
    expect(render("$input.params().header.get('X-Token')", '', params)).toBe('tok');
    expect(render('$input.params().querystring', '', params)).toBe('{q=x y, shared=from-query}');
    expect(render('$input.params().path.id', '', params)).toBe('p-id');
  });

  it('prints as a map of path, querystring, header, in that order', () => {
    expect(render('$input.params()', '', params)).toBe(
      '{path={id=p-id, shared=from-path}, querystring={q=x y, shared=from-query}, header={X-Token=tok, shared=from-header, Accept=*/*}}',
    );
    expect(render('$input.params()')).toBe('{path={}, querystring={}, header={}}');
  });

  it('can be iterated with keySet()', () => {
    const template = '#foreach($k in $input.params().header.keySet())$k=$input.params().header.get($k);#end';
    expect(render(template, '', params)).toBe('X-Token=tok;shared=from-header;Accept=*/*;');
  });

  it('does not leak template changes into the caller’s parameters', () => {
    const header = { A: '1' };
    render("$input.params().header.put('B', '2')", '', { header });
    expect(header).toEqual({ A: '1' });
  });
});
