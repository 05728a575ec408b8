/**
 * Real templates: the seeds' (AWS binary-file examples), every template of the LambdaCalc fixture,
 * and the AWS documentation's examples, rendered with realistic inputs to exact strings.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { compileTemplate, type TemplateVariables } from '../../mappings/vtl';

interface Request {
  body?: string;
  path?: Record<string, string>;
  querystring?: Record<string, string>;
  header?: Record<string, string>;
}

function render(template: string, request: Request = {}): string {
  const vars: TemplateVariables = {
    body: request.body ?? '',
    params: {
      path: request.path ?? {},
      querystring: request.querystring ?? {},
      header: request.header ?? {},
    },
    context: { requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', httpMethod: 'GET', stage: 'v1' },
    stageVariables: {},
  };
  return compileTemplate(template).render(vars);
}

// Seeds 001 (S3) and 003 (Lambda): "Access binary files … through an API Gateway API".
const IMAGE_RESPONSE = '{\n   "image": "$input.body"\n}';
const LAMBDA_GET_REQUEST = '{\n   "imageKey": "$input.params(\'key\')"\n}';
const LAMBDA_PUT_REQUEST = '{\n   "imageKey": "$input.params(\'key\')", "image": "$input.body"\n}';

describe('seed templates (binary files through API Gateway)', () => {
  it('wraps the base64 text of an image into JSON (seed 001, S3 GET response)', () => {
    // The body is what CONVERT_TO_TEXT hands the template: base64 of "[raw bytes]".
    expect(render(IMAGE_RESPONSE, { body: 'W3JhdyBieXRlc10=' })).toBe('{\n   "image": "W3JhdyBieXRlc10="\n}');
  });

  it('passes the query-string key to Lambda (seed 003, GET request)', () => {
    expect(render(LAMBDA_GET_REQUEST, { querystring: { key: 'image.jpg' } })).toBe(
      '{\n   "imageKey": "image.jpg"\n}',
    );
  });

  it('passes the key and the base64 body to Lambda (seed 003, PUT request)', () => {
    expect(render(LAMBDA_PUT_REQUEST, { querystring: { key: 'image.jpg' }, body: 'W3JhdyBieXRlc10=' })).toBe(
      '{\n   "imageKey": "image.jpg", "image": "W3JhdyBieXRlc10="\n}',
    );
  });

  it('gives an empty key and {} when the request has neither', () => {
    expect(render(LAMBDA_PUT_REQUEST)).toBe('{\n   "imageKey": "", "image": "{}"\n}');
  });

  it('wraps the Lambda GET response the same way (seed 003)', () => {
    expect(render(IMAGE_RESPONSE, { body: 'iVBORw0KGgo=' })).toBe('{\n   "image": "iVBORw0KGgo="\n}');
  });
});

// The LambdaCalc API (fixture aws-lambda-proxy.swagger2.json), templates copied verbatim.
const CALC_GET_REQUEST =
  '{\n    "a":  "$input.params(\'operand1\')",\n    "b":  "$input.params(\'operand2\')", \n    "op": "$input.params(\'operator\')"   \n}';
const CALC_GET_RESPONSE =
  '#set($res = $input.path(\'$\'))\n{\n    "result": "$res.a, $res.b, $res.op => $res.c",\n  "a" : "$res.a",\n  "b" : "$res.b",\n  "op" : "$res.op",\n  "c" : "$res.c"\n}';
const CALC_POST_RESPONSE =
  '#set($inputRoot = $input.path(\'$\'))\n{\n  "a" : $inputRoot.a,\n  "b" : $inputRoot.b,\n  "op" : $inputRoot.op,\n  "c" : $inputRoot.c\n}';
const CALC_PATH_REQUEST =
  '{\n   "a": "$input.params(\'operand1\')",\n   "b": "$input.params(\'operand2\')",\n   "op": #if($input.params(\'operator\')==\'%2F\')"/"#{else}"$input.params(\'operator\')"#end\n   \n}';
const CALC_PATH_RESPONSE =
  '#set($inputRoot = $input.path(\'$\'))\n{\n  "input" : {\n    "a" : $inputRoot.a,\n    "b" : $inputRoot.b,\n    "op" : "$inputRoot.op"\n  },\n  "output" : {\n    "c" : $inputRoot.c\n  }\n}';

describe('LambdaCalc templates', () => {
  it('GET /calc request: operands and operator from the query string', () => {
    expect(render(CALC_GET_REQUEST, { querystring: { operand1: '1', operand2: '2', operator: '+' } })).toBe(
      '{\n    "a":  "1",\n    "b":  "2", \n    "op": "+"   \n}',
    );
  });

  it('GET /calc response: the Lambda result as a sentence and as fields', () => {
    expect(render(CALC_GET_RESPONSE, { body: '{"a":1,"b":2,"op":"+","c":3}' })).toBe(
      '{\n    "result": "1, 2, + => 3",\n  "a" : "1",\n  "b" : "2",\n  "op" : "+",\n  "c" : "3"\n}',
    );
  });

  it('GET /calc response: a Python Lambda returning floats keeps Java doubles', () => {
    expect(render(CALC_GET_RESPONSE, { body: '{"a": 1.0, "b": 2.0, "op": "/", "c": 0.5}' })).toBe(
      '{\n    "result": "1.0, 2.0, / => 0.5",\n  "a" : "1.0",\n  "b" : "2.0",\n  "op" : "/",\n  "c" : "0.5"\n}',
    );
  });

  it('GET /calc response: an error result leaves the missing fields empty', () => {
    expect(render(CALC_GET_RESPONSE, { body: '{"errorMessage":"Invalid op"}' })).toBe(
      '{\n    "result": ", ,  => ",\n  "a" : "",\n  "b" : "",\n  "op" : "",\n  "c" : ""\n}',
    );
  });

  it('POST /calc response: values unquoted, as the template writes them', () => {
    expect(render(CALC_POST_RESPONSE, { body: '{"a":10,"b":4,"op":"-","c":6}' })).toBe(
      '{\n  "a" : 10,\n  "b" : 4,\n  "op" : -,\n  "c" : 6\n}',
    );
  });

  it('GET /calc/{a}/{b}/{op} request: %2F (still encoded in the path) becomes "/"', () => {
    expect(render(CALC_PATH_REQUEST, { path: { operand1: '1', operand2: '2', operator: '%2F' } })).toBe(
      '{\n   "a": "1",\n   "b": "2",\n   "op": "/"   \n}',
    );
  });

  it('GET /calc/{a}/{b}/{op} request: other operators pass through', () => {
    expect(render(CALC_PATH_REQUEST, { path: { operand1: '3', operand2: '4', operator: '*' } })).toBe(
      '{\n   "a": "3",\n   "b": "4",\n   "op": "*"   \n}',
    );
  });

  it('GET /calc/{a}/{b}/{op} response: input and output objects', () => {
    expect(render(CALC_PATH_RESPONSE, { body: '{"a":1,"b":2,"op":"/","c":0.5}' })).toBe(
      '{\n  "input" : {\n    "a" : 1,\n    "b" : 2,\n    "op" : "/"\n  },\n  "output" : {\n    "c" : 0.5\n  }\n}',
    );
  });

  const fixture = path.resolve(__dirname, '../../../shared/fixtures/aws-lambda-proxy.swagger2.json');
  (existsSync(fixture) ? it : it.skip)('covers every template of the fixture, verbatim', () => {
    const found: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (
            (key === 'requestTemplates' || key === 'responseTemplates') &&
            value &&
            typeof value === 'object'
          ) {
            found.push(...Object.values(value as Record<string, string>));
          } else walk(value);
        }
      }
    };
    walk(JSON.parse(readFileSync(fixture, 'utf8')));
    const copies = [
      CALC_GET_REQUEST,
      CALC_GET_RESPONSE,
      CALC_POST_RESPONSE,
      CALC_PATH_REQUEST,
      CALC_PATH_RESPONSE,
    ];
    expect([...found].sort()).toEqual([...copies].sort());
  });
});

describe('AWS documentation examples', () => {
  it('passes all parameters through (the $input.params() example)', () => {
    const template = [
      '#set($allParams = $input.params())',
      '{',
      '  "params" : {',
      '    #foreach($type in $allParams.keySet())',
      '    #set($params = $allParams.get($type))',
      '    "$type" : {',
      '      #foreach($paramName in $params.keySet())',
      '      "$paramName" : "$util.escapeJavaScript($params.get($paramName))"',
      '      #if($foreach.hasNext),#end',
      '      #end',
      '    }',
      '    #if($foreach.hasNext),#end',
      '    #end',
      '  }',
      '}',
    ].join('\n');
    const out = render(template, { header: { Accept: '*/*' }, querystring: { a: '1', b: "x'y" } });
    // Velocity 1.7 whitespace: directive lines leave their indentation, #set lines vanish entirely.
    expect(out).toBe(
      [
        '{\n  "params" : {\n    ',
        '    "path" : {\n      ',
        '    }\n    ,    ',
        '    "querystring" : {\n      ',
        '      "a" : "1"\n      ,      ',
        '      "b" : "x\\\'y"\n      ',
        '      ',
        '    }\n    ,    ',
        '    "header" : {\n      ',
        '      "Accept" : "*\\/*"\n      ',
        '      ',
        '    }\n    ',
        '    ',
        '  }\n}',
      ].join(''),
    );
  });

  it('reads a name from the query string and includes the body', () => {
    const template = '{\n    "name" : "$input.params(\'name\')",\n    "body" : $input.json(\'$\') \n}';
    expect(render(template, { querystring: { name: 'me' }, body: '{"mykey": {"x": [1, 2]}}' })).toBe(
      '{\n    "name" : "me",\n    "body" : {"mykey":{"x":[1,2]}} \n}',
    );
    const withPath = '{\n    "name" : "$input.params(\'name\')",\n    "body" : $input.json(\'$.mykey\')  \n}';
    expect(render(withPath, { querystring: { name: 'me' }, body: '{"mykey": {"x": [1, 2]}}' })).toBe(
      '{\n    "name" : "me",\n    "body" : {"x":[1,2]}  \n}',
    );
  });

  it('counts things and escapes their JSON (the request/response example)', () => {
    const template = [
      '{',
      '    "id" : "$input.params(\'id\')",',
      '    "count" : "$input.path(\'$.things\').size()",',
      '    "things" : $util.escapeJavaScript($input.json(\'$.things\'))',
      '}',
    ].join('\n');
    const body = '{\n    "things" : {\n        "1" : {},\n        "2" : {},\n        "3" : {}\n    }\n}';
    expect(render(template, { path: { id: 'abc' }, body })).toBe(
      '{\n    "id" : "abc",\n    "count" : "3",\n    "things" : {\\"1\\":{},\\"2\\":{},\\"3\\":{}}\n}',
    );
  });

  it('renders the "Method Request passthrough" template for a GET without a body', () => {
    const template = [
      '##  See http://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html',
      '#set($allParams = $input.params())',
      '{',
      '"body-json" : $input.json(\'$\'),',
      '"params" : {',
      '#foreach($type in $allParams.keySet())',
      '    #set($params = $allParams.get($type))',
      '"$type" : {',
      '    #foreach($paramName in $params.keySet())',
      '    "$paramName" : "$util.escapeJavaScript($params.get($paramName))"',
      '        #if($foreach.hasNext),#end',
      '    #end',
      '}',
      '    #if($foreach.hasNext),#end',
      '#end',
      '},',
      '"context" : {',
      '    "http-method" : "$context.httpMethod",',
      '    "request-id" : "$context.requestId",',
      '    "stage" : "$context.stage"',
      '    }',
      '}',
    ].join('\n');
    const out = render(template, { path: { id: '7' }, header: { Host: 'x.example' } });
    expect(JSON.parse(out)).toEqual({
      'body-json': {},
      params: { path: { id: '7' }, header: { Host: 'x.example' }, querystring: {} },
      context: { 'http-method': 'GET', 'request-id': 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', stage: 'v1' },
    });
    expect(out.startsWith('{\n"body-json" : {},\n"params" : {\n"path" : {\n        "id" : "7"\n')).toBe(true);
  });
});
