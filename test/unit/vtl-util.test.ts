import { compileTemplate, TemplateRuntimeError } from '../../mappings/vtl';

function render(template: string, body = ''): string {
  return compileTemplate(template).render({
    body,
    params: { path: {}, querystring: {}, header: {} },
    context: {},
    stageVariables: {},
  });
}

// Feeds a value through the body so templates need no VTL string escaping.
function util(fn: string, input: string): string {
  return render(`$util.${fn}($input.path('$.v'))`, JSON.stringify({ v: input }));
}

describe('$util.escapeJavaScript', () => {
  it("turns single quotes into \\' (AWS documentation)", () => {
    expect(util('escapeJavaScript', "it's")).toBe("it\\'s");
  });

  it('can be undone for JSON with the documented .replaceAll("\\\\\'","\'")', () => {
    expect(
      render(`$util.escapeJavaScript($input.path('$.v')).replaceAll("\\\\'","'")`, '{"v":"it\'s"}'),
    ).toBe("it's");
  });

  it('escapes double quotes, backslashes and forward slashes (Commons Lang)', () => {
    expect(util('escapeJavaScript', 'say "hi" \\ a/b')).toBe('say \\"hi\\" \\\\ a\\/b');
  });

  it('escapes control characters', () => {
    expect(util('escapeJavaScript', 'a\nb\tc\rd\be\ff\u0001g\u001f')).toBe(
      'a\\nb\\tc\\rd\\be\\ff\\u0001g\\u001F',
    );
  });

  it('escapes every non-ASCII character as \\uXXXX', () => {
    expect(util('escapeJavaScript', 'é€😀\u007f')).toBe('\\u00E9\\u20AC\\uD83D\\uDE00\u007f');
  });

  it('renders nothing for null', () => {
    expect(render("[$util.escapeJavaScript($input.path('$.missing'))]", '{}')).toBe('[]');
  });

  it('takes other values by their string form', () => {
    expect(render("$util.escapeJavaScript($input.path('$'))", '{"a":"x/y"}')).toBe('{a=x\\/y}');
  });
});

describe('$util.parseJson', () => {
  it('parses the AWS documentation example', () => {
    const payload = JSON.stringify({
      errorMessage: JSON.stringify({ key1: 'var1', key2: { arr: [1, 2, 3] } }),
    });
    const template = [
      "#set ($errorMessageObj = $util.parseJson($input.path('$.errorMessage')))",
      '{',
      '   "errorMessageObjKey2ArrVal" : $errorMessageObj.key2.arr[0]',
      '}',
    ].join('\n');
    expect(render(template, payload)).toBe('{\n   "errorMessageObjKey2ArrVal" : 1\n}');
  });

  it('gives objects that print and navigate like $input.path results', () => {
    expect(util('parseJson', '{"a":[{"b":1.0}],"c":"d"}')).toBe('{a=[{"b":1.0}], c=d}');
    expect(render(`$util.parseJson('{"k": {"n": 2}}').k.n`)).toBe('2');
    expect(render(`$util.parseJson('[1, 2, 3]').size()`)).toBe('3');
  });

  it('fails the render (not a 400) on broken JSON', () => {
    expect(() => util('parseJson', '{"a":')).toThrow(TemplateRuntimeError);
    try {
      util('parseJson', '{"a":');
    } catch (e) {
      expect((e as TemplateRuntimeError).kind).toBe('error');
    }
  });
});

describe('$util.urlEncode / urlDecode', () => {
  it('encodes like Java URLEncoder (AWS-validated examples)', () => {
    expect(util('urlEncode', '{"some": "value"}')).toBe('%7B%22some%22%3A+%22value%22%7D');
    expect(util('urlEncode', 'some raw data')).toBe('some+raw+data');
  });

  it('keeps only letters, digits and .-*_', () => {
    expect(util('urlEncode', "AZaz09.-*_~!'()/?&=+")).toBe('AZaz09.-*_%7E%21%27%28%29%2F%3F%26%3D%2B');
  });

  it('encodes UTF-8 bytes in upper-case hex', () => {
    expect(util('urlEncode', 'é€')).toBe('%C3%A9%E2%82%AC');
  });

  it('decodes + as space and %XX runs as UTF-8', () => {
    expect(util('urlDecode', 'a+b%20c%7B%C3%A9')).toBe('a b c{é');
    expect(util('urlDecode', util('urlEncode', 'x y/é?'))).toBe('x y/é?');
  });

  it('fails on a broken escape, as Java does', () => {
    expect(() => util('urlDecode', '100%')).toThrow(TemplateRuntimeError);
    expect(() => util('urlDecode', '%zz')).toThrow(/urlDecode/);
  });
});

describe('$util.base64Encode / base64Decode', () => {
  it('encodes the UTF-8 bytes', () => {
    expect(util('base64Encode', '[raw bytes]')).toBe('W3JhdyBieXRlc10=');
    expect(util('base64Encode', 'é')).toBe('w6k=');
  });

  it('decodes to UTF-8 text', () => {
    expect(util('base64Decode', 'W3JhdyBieXRlc10=')).toBe('[raw bytes]');
    expect(util('base64Decode', 'w6k=')).toBe('é');
  });

  it('round-trips the body', () => {
    expect(render('$util.base64Decode($util.base64Encode($input.body))', 'héllo wörld')).toBe('héllo wörld');
  });
});

describe('$util', () => {
  it('yields null for an unknown function or a wrong number of arguments', () => {
    expect(render("[$util.toJson('x')][$util.urlEncode('a', 'b')]")).toBe('[][]');
  });
});
