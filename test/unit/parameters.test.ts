import { evaluateMappingSource, MappingEvaluationError, type MappingInput } from '../../mappings';
import {
  MappingSyntaxError,
  parseMappingDestination,
  parseMappingSource,
  type MappingContext,
  type MappingSource,
} from '../../openapi';

describe('parseMappingSource', () => {
  test.each<[string, MappingContext, MappingSource]>([
    ["'application/json'", 'integration-request', { kind: 'literal', value: 'application/json' }],
    ["'GET, POST, OPTIONS'", 'method-response', { kind: 'literal', value: 'GET, POST, OPTIONS' }],
    ["''", 'gateway-response', { kind: 'literal', value: '' }],
    ["'it's'", 'integration-request', { kind: 'literal', value: "it's" }],
    [
      'method.request.path.folder',
      'integration-request',
      { kind: 'request', location: 'path', name: 'folder' },
    ],
    [
      'method.request.querystring.q',
      'integration-request',
      { kind: 'request', location: 'querystring', name: 'q' },
    ],
    [
      'method.request.multivaluequerystring.q',
      'integration-request',
      { kind: 'request', location: 'multivaluequerystring', name: 'q' },
    ],
    [
      'method.request.header.Content-Type',
      'integration-request',
      { kind: 'request', location: 'header', name: 'Content-Type' },
    ],
    [
      'method.request.multivalueheader.X-A',
      'integration-request',
      { kind: 'request', location: 'multivalueheader', name: 'X-A' },
    ],
    [
      'method.request.header.X-Dotted.Name',
      'integration-request',
      { kind: 'request', location: 'header', name: 'X-Dotted.Name' },
    ],
    ['method.request.body', 'integration-request', { kind: 'request-body', path: undefined }],
    [
      'method.request.body.petstore.pets[0].name',
      'integration-request',
      { kind: 'request-body', path: 'petstore.pets[0].name' },
    ],
    [
      'integration.response.header.ETag',
      'method-response',
      { kind: 'response', location: 'header', name: 'ETag' },
    ],
    [
      'integration.response.multivalueheader.Set-Cookie',
      'method-response',
      { kind: 'response', location: 'multivalueheader', name: 'Set-Cookie' },
    ],
    ['integration.response.body', 'method-response', { kind: 'response-body', path: undefined }],
    [
      'integration.response.body.redirect.url',
      'method-response',
      { kind: 'response-body', path: 'redirect.url' },
    ],
    ['context.identity.sourceIp', 'integration-request', { kind: 'context', path: 'identity.sourceIp' }],
    ['context.requestId', 'method-response', { kind: 'context', path: 'requestId' }],
    [
      'context.authorizer.claims.cognito:groups',
      'gateway-response',
      { kind: 'context', path: 'authorizer.claims.cognito:groups' },
    ],
    ['stageVariables.bucket_name', 'integration-request', { kind: 'stage-variable', name: 'bucket_name' }],
    ['stageVariables.v1', 'gateway-response', { kind: 'stage-variable', name: 'v1' }],
    [
      'method.request.header.Origin',
      'gateway-response',
      { kind: 'request', location: 'header', name: 'Origin' },
    ],
  ])('%s in %s', (expr, where, expected) => {
    expect(parseMappingSource(expr, where)).toEqual(expected);
  });

  test.each<[string, MappingContext, RegExp]>([
    ['method.request.path', 'integration-request', /needs a parameter name, e.g. method.request.path.<name>/],
    ['method.request.path.', 'integration-request', /needs a parameter name after the last '.'/],
    ['method.request.', 'integration-request', /is incomplete/],
    ['method.request', 'integration-request', /is incomplete/],
    ['method.request.cookie.a', 'integration-request', /'cookie' is not a parameter location here/],
    ['method.request.header.X A', 'integration-request', /cannot contain white space/],
    ['method.request.body.', 'integration-request', /expected a JSONPath after 'body.'/],
    [
      'integration.response.header.X',
      'integration-request',
      /integration.response.\* cannot be used in an integration request/,
    ],
    [
      'integration.response.body',
      'gateway-response',
      /integration.response.\* cannot be used in a gateway response/,
    ],
    [
      'method.request.header.X',
      'method-response',
      /method.request.\* cannot be used in an integration response/,
    ],
    ['method.request.body', 'gateway-response', /method.request.body cannot be used in a gateway response/],
    [
      'integration.response.querystring.x',
      'method-response',
      /'querystring' is not a parameter location here/,
    ],
    ["'unbalanced", 'integration-request', /^unbalanced quote/],
    ["unbalanced'", 'integration-request', /^unbalanced quote/],
    ["'", 'method-response', /^unbalanced quote/],
    [
      'application/json',
      'integration-request',
      /is not a mapping expression.*\(string values need single quotes\)/,
    ],
    ['', 'integration-request', /is not a mapping expression/],
    [' method.request.path.a', 'integration-request', /surrounding white space/],
    ['context.', 'integration-request', /is not a context variable/],
    ['context.identity..sourceIp', 'integration-request', /is not a context variable/],
    [
      'stageVariables.with-dash',
      'integration-request',
      /stage variable name is made of letters, digits and '_'/,
    ],
    ['Method.Request.Path.a', 'integration-request', /is not a mapping expression/],
  ])('%j in %s is refused', (expr, where, message) => {
    expect(() => parseMappingSource(expr, where)).toThrow(MappingSyntaxError);
    expect(() => parseMappingSource(expr, where)).toThrow(message);
  });
});

describe('parseMappingDestination', () => {
  test.each<[string, MappingContext, { location: string; name: string }]>([
    ['integration.request.path.bucket', 'integration-request', { location: 'path', name: 'bucket' }],
    [
      'integration.request.querystring.list-type',
      'integration-request',
      { location: 'querystring', name: 'list-type' },
    ],
    [
      'integration.request.multivaluequerystring.k',
      'integration-request',
      { location: 'multivaluequerystring', name: 'k' },
    ],
    [
      'integration.request.header.x-amz-acl',
      'integration-request',
      { location: 'header', name: 'x-amz-acl' },
    ],
    [
      'integration.request.multivalueheader.X',
      'integration-request',
      { location: 'multivalueheader', name: 'X' },
    ],
    ['method.response.header.Content-Type', 'method-response', { location: 'header', name: 'Content-Type' }],
    [
      'gatewayresponse.header.Access-Control-Allow-Origin',
      'gateway-response',
      { location: 'header', name: 'Access-Control-Allow-Origin' },
    ],
    ['gatewayresponse.path.p', 'gateway-response', { location: 'path', name: 'p' }],
    ['gatewayresponse.querystring.q', 'gateway-response', { location: 'querystring', name: 'q' }],
  ])('%s in %s', (key, where, expected) => {
    expect(parseMappingDestination(key, where)).toEqual(expected);
  });

  test.each<[string, MappingContext, RegExp]>([
    ['integration.request.body', 'integration-request', /'body' is not a parameter location/],
    ['integration.request.header', 'integration-request', /needs a parameter name/],
    ['integration.request.header.', 'integration-request', /needs a parameter name after the last '.'/],
    ['method.request.header.X', 'integration-request', /is not a destination of an integration request/],
    ['method.response.header.X', 'integration-request', /is not a destination of an integration request/],
    ['method.response.header.', 'method-response', /needs a parameter name/],
    ['method.response.body', 'method-response', /is not a destination of an integration response/],
    ['integration.request.header.X', 'method-response', /is not a destination of an integration response/],
    ['gatewayresponse.body.x', 'gateway-response', /'body' is not a parameter location/],
    ['method.response.header.X', 'gateway-response', /is not a destination of a gateway response/],
  ])('%j in %s is refused', (key, where, message) => {
    expect(() => parseMappingDestination(key, where)).toThrow(MappingSyntaxError);
    expect(() => parseMappingDestination(key, where)).toThrow(message);
  });
});

describe('evaluateMappingSource', () => {
  const input = (over: Partial<MappingInput> = {}): MappingInput => ({
    request: {
      path: { folder: 'my%2Fbucket', proxy: 'a/b/c' },
      querystring: { q: ['first', 'last'], one: ['only'], empty: [] },
      headers: {
        'Content-Type': ['image/png'],
        'X-Multi': ['a', 'b'],
        'x-lower': ['low'],
        'X-LOWER': ['UP'],
      },
      body: Buffer.from(
        JSON.stringify({ pet: { name: 'Rex', age: 3, good: true, toys: ['ball', 'bone'], none: null } }),
      ),
    },
    response: {
      headers: { 'Content-Length': ['42'], ETag: ['"abc"'], 'Set-Cookie': ['a=1', 'b=2'] },
      body: Buffer.from('{"redirect":{"url":"https://x"},"list":[{"id":1},{"id":2}]}'),
    },
    context: {
      requestId: 'req-1',
      identity: { sourceIp: '10.0.0.1', userAgent: null },
      requestTimeEpoch: 1700000000000,
    },
    stageVariables: { bucket: 'b1' },
    ...over,
  });
  const ev = (expr: string, where: MappingContext = 'integration-request', over?: Partial<MappingInput>) =>
    evaluateMappingSource(parseMappingSource(expr, where), input(over));

  test('literals', () => {
    expect(ev("'application/json'")).toBe('application/json');
    expect(ev("''")).toBe('');
  });

  test('path parameters stay as sent', () => {
    expect(ev('method.request.path.folder')).toBe('my%2Fbucket');
    expect(ev('method.request.path.proxy')).toBe('a/b/c');
    expect(ev('method.request.path.nope')).toBeUndefined();
  });

  test('query strings: last value, or all of them', () => {
    expect(ev('method.request.querystring.q')).toBe('last');
    expect(ev('method.request.querystring.one')).toBe('only');
    expect(ev('method.request.multivaluequerystring.q')).toEqual(['first', 'last']);
    expect(ev('method.request.querystring.empty')).toBeUndefined();
    expect(ev('method.request.multivaluequerystring.empty')).toBeUndefined();
    expect(ev('method.request.querystring.nope')).toBeUndefined();
    expect(ev('method.request.querystring.constructor')).toBeUndefined();
  });

  test('headers: last value, or all joined; exact name first, then any casing', () => {
    expect(ev('method.request.header.X-Multi')).toBe('b');
    expect(ev('method.request.multivalueheader.X-Multi')).toBe('a,b');
    expect(ev('method.request.header.content-type')).toBe('image/png');
    expect(ev('method.request.header.x-lower')).toBe('low');
    expect(ev('method.request.header.X-LOWER')).toBe('UP');
    expect(ev('method.request.header.nope')).toBeUndefined();
  });

  test('request body: whole text, or a JSONPath into it', () => {
    expect(ev('method.request.body')).toContain('"name":"Rex"');
    expect(ev('method.request.body.pet.name')).toBe('Rex');
    expect(ev('method.request.body.pet.age')).toBe('3');
    expect(ev('method.request.body.pet.good')).toBe('true');
    expect(ev('method.request.body.pet.toys')).toBe('["ball","bone"]');
    expect(ev('method.request.body.pet.toys[1]')).toBe('bone');
    expect(ev('method.request.body.pet')).toBe(
      '{"name":"Rex","age":3,"good":true,"toys":["ball","bone"],"none":null}',
    );
    expect(ev('method.request.body.pet.none')).toBeUndefined();
    expect(ev('method.request.body.pet.missing')).toBeUndefined();
  });

  test('request body edge cases', () => {
    const withBody = (text: string | undefined) => ({
      request: {
        path: {},
        querystring: {},
        headers: {},
        body: text === undefined ? undefined : Buffer.from(text),
      },
    });
    expect(ev('method.request.body', 'integration-request', withBody(undefined))).toBeUndefined();
    expect(ev('method.request.body', 'integration-request', withBody(''))).toBeUndefined();
    expect(ev('method.request.body.a', 'integration-request', withBody(''))).toBeUndefined();
    // Not JSON-looking: read as {} so every path is absent, but the whole body is still text.
    expect(ev('method.request.body.a', 'integration-request', withBody('<xml/>'))).toBeUndefined();
    expect(ev('method.request.body', 'integration-request', withBody('a=1&b=2'))).toBe('a=1&b=2');
    expect(ev('method.request.body.a', 'integration-request', withBody('\uFEFF  {"a": 1}'))).toBe('1');
    expect(ev('method.request.body.a', 'integration-request', { request: undefined })).toBeUndefined();
  });

  test.each(['{"a": ', '[1, 2', '"unterminated', "'single'", '  {not json}'])(
    'a body that looks like JSON but is not (%j) is an invalid-json error',
    (text) => {
      const run = () =>
        ev('method.request.body.a', 'integration-request', {
          request: { path: {}, querystring: {}, headers: {}, body: Buffer.from(text) },
        });
      expect(run).toThrow(MappingEvaluationError);
      try {
        run();
      } catch (e) {
        expect((e as MappingEvaluationError).kind).toBe('invalid-json');
        expect((e as Error).message).toBe('Invalid JSON in request body');
      }
    },
  );

  test('invalid JSON is not an error for the whole body', () => {
    expect(
      ev('method.request.body', 'integration-request', {
        request: { path: {}, querystring: {}, headers: {}, body: Buffer.from('{"a": ') },
      }),
    ).toBe('{"a": ');
  });

  test('integration response headers and body', () => {
    expect(ev('integration.response.header.Content-Length', 'method-response')).toBe('42');
    expect(ev('integration.response.header.content-length', 'method-response')).toBe('42');
    expect(ev('integration.response.header.ETag', 'method-response')).toBe('"abc"');
    expect(ev('integration.response.multivalueheader.Set-Cookie', 'method-response')).toBe('a=1,b=2');
    expect(ev('integration.response.header.Set-Cookie', 'method-response')).toBe('b=2');
    expect(ev('integration.response.body.redirect.url', 'method-response')).toBe('https://x');
    expect(ev('integration.response.body.list[*].id', 'method-response')).toBe('[1,2]');
    expect(ev('integration.response.body', 'method-response')).toMatch(/^\{"redirect"/);
    expect(ev('integration.response.header.X', 'method-response', { response: undefined })).toBeUndefined();
    expect(() =>
      ev('integration.response.body.a', 'method-response', {
        response: { headers: {}, body: Buffer.from('{oops') },
      }),
    ).toThrow('Invalid JSON in response body');
  });

  test('context variables, nested and stringified', () => {
    expect(ev('context.requestId')).toBe('req-1');
    expect(ev('context.identity.sourceIp')).toBe('10.0.0.1');
    expect(ev('context.requestTimeEpoch')).toBe('1700000000000');
    expect(ev('context.identity.userAgent')).toBeUndefined();
    expect(ev('context.identity')).toBeUndefined();
    expect(ev('context.identity.sourceIp.more')).toBeUndefined();
    expect(ev('context.nope.deeper')).toBeUndefined();
  });

  test('stage variables', () => {
    expect(ev('stageVariables.bucket')).toBe('b1');
    expect(ev('stageVariables.missing')).toBeUndefined();
    expect(ev('stageVariables.toString')).toBeUndefined();
  });

  test('gateway responses read the method request', () => {
    expect(ev('method.request.header.Content-Type', 'gateway-response')).toBe('image/png');
    expect(ev("'*'", 'gateway-response')).toBe('*');
  });
});
