import type { ApiDefinition, HttpMethod, Method, Resource } from '../../openapi/model';
import { compileRouter, type Router } from '../../gateway/router';

function method(httpMethod: HttpMethod, resourcePath: string): Method {
  return {
    httpMethod,
    resourcePath,
    pointer: `/paths/${resourcePath}/${httpMethod.toLowerCase()}`,
    operationName: undefined,
    authorizationType: 'NONE',
    authorizerName: undefined,
    apiKeyRequired: false,
    requestParameters: {},
    requestModels: {},
    requestValidator: undefined,
    methodResponses: {},
    integration: {
      type: 'MOCK',
      uri: undefined,
      target: { kind: 'none' },
      httpMethod: undefined,
      credentials: undefined,
      requestParameters: {},
      requestTemplates: {},
      passthroughBehavior: 'WHEN_NO_MATCH',
      contentHandling: undefined,
      timeoutInMillis: 29000,
      cacheKeyParameters: [],
      cacheNamespace: undefined,
      connectionType: undefined,
      connectionId: undefined,
      tlsConfig: undefined,
      integrationResponses: [],
      raw: {},
      pointer: '',
    },
  };
}

function resource(path: string, verbs: HttpMethod[]): Resource {
  const methods: Resource['methods'] = {};
  for (const verb of verbs) methods[verb] = method(verb, path);
  return { path, pointer: `/paths/${path}`, methods };
}

/** An API with the given resources (path → verbs) and defaults everywhere else. */
function api(paths: Record<string, HttpMethod[]>): ApiDefinition {
  return {
    source: '/tmp/api.yaml',
    title: 'test',
    format: 'openapi',
    formatVersion: '3.0.1',
    basePath: undefined,
    resources: Object.entries(paths).map(([path, verbs]) => resource(path, verbs)),
    binaryMediaTypes: [],
    gatewayResponses: {},
    requestValidators: {},
    defaultRequestValidator: undefined,
    apiKeySource: 'HEADER',
    minimumCompressionSize: undefined,
    models: {},
    authorizers: {},
  };
}

/** `METHOD resourcePath {params}` of the match, or 'none': compact to assert on. */
function route(router: Router, verb: string, path: string): string {
  const match = router.match(verb, path);
  if (!match) return 'none';
  return `${match.method.httpMethod} ${match.resource.path} ${JSON.stringify(match.pathParameters)}`;
}

describe('router: root and literals', () => {
  const router = compileRouter(api({ '/': ['GET'], '/pets': ['GET', 'POST'], '/pets/dogs': ['GET'] }));

  test('the root resource answers / and the empty path', () => {
    expect(route(router, 'GET', '/')).toBe('GET / {}');
    expect(route(router, 'GET', '')).toBe('GET / {}');
    expect(route(router, 'GET', '//')).toBe('GET / {}');
  });

  test('literal resources match exactly', () => {
    expect(route(router, 'GET', '/pets')).toBe('GET /pets {}');
    expect(route(router, 'POST', '/pets')).toBe('POST /pets {}');
    expect(route(router, 'GET', '/pets/dogs')).toBe('GET /pets/dogs {}');
  });

  test('unknown paths and undeclared methods do not match', () => {
    expect(route(router, 'GET', '/nope')).toBe('none');
    expect(route(router, 'GET', '/pets/cats')).toBe('none');
    expect(route(router, 'GET', '/pets/dogs/rex')).toBe('none');
    expect(route(router, 'DELETE', '/pets')).toBe('none');
    expect(route(router, 'POST', '/')).toBe('none');
  });

  test('matching is case-sensitive for the path and the method', () => {
    expect(route(router, 'GET', '/Pets')).toBe('none');
    expect(route(router, 'GET', '/PETS/dogs')).toBe('none');
    expect(route(router, 'get', '/pets')).toBe('none');
  });

  test('a trailing slash is ignored', () => {
    expect(route(router, 'GET', '/pets/')).toBe('GET /pets {}');
    expect(route(router, 'GET', '/pets/dogs//')).toBe('GET /pets/dogs {}');
  });

  test('leading duplicate slashes are collapsed', () => {
    expect(route(router, 'GET', '//pets')).toBe('GET /pets {}');
    expect(route(router, 'GET', '///pets/dogs')).toBe('GET /pets/dogs {}');
  });

  test('inner empty segments are not collapsed', () => {
    expect(route(router, 'GET', '/pets//dogs')).toBe('none');
  });

  test('literal segments are compared still encoded', () => {
    expect(route(router, 'GET', '/p%65ts')).toBe('none');
  });
});

describe('router: priority', () => {
  const router = compileRouter(
    api({
      '/{proxy+}': ['GET'],
      '/items/{id}': ['GET'],
      '/items/special': ['GET'],
      '/items': ['GET'],
    }),
  );

  test('literal beats {param} beats {proxy+}, whatever the document order', () => {
    expect(route(router, 'GET', '/items/special')).toBe('GET /items/special {}');
    expect(route(router, 'GET', '/items/42')).toBe('GET /items/{id} {"id":"42"}');
    expect(route(router, 'GET', '/items')).toBe('GET /items {}');
    expect(route(router, 'GET', '/items/42/more')).toBe('GET /{proxy+} {"proxy":"items/42/more"}');
    expect(route(router, 'GET', '/other')).toBe('GET /{proxy+} {"proxy":"other"}');
  });

  test('a literal first segment wins over a {param} first segment', () => {
    const r = compileRouter(api({ '/{x}/b': ['GET'], '/a/{y}': ['GET'] }));
    expect(route(r, 'GET', '/a/b')).toBe('GET /a/{y} {"y":"b"}');
    expect(route(r, 'GET', '/z/b')).toBe('GET /{x}/b {"x":"z"}');
  });

  test('backtracks out of a literal branch that leads nowhere', () => {
    const r = compileRouter(api({ '/a/b/c': ['GET'], '/{x}/b/d': ['GET'] }));
    expect(route(r, 'GET', '/a/b/d')).toBe('GET /{x}/b/d {"x":"a"}');
  });

  test('{param} is exactly one non-empty segment', () => {
    const r = compileRouter(api({ '/files/{key}': ['GET'] }));
    expect(route(r, 'GET', '/files/a/b')).toBe('none');
    expect(route(r, 'GET', '/files')).toBe('none');
    expect(route(r, 'GET', '/files/')).toBe('none');
    expect(route(r, 'GET', '/files//x')).toBe('none');
  });
});

describe('router: greedy variables', () => {
  const router = compileRouter(api({ '/{proxy+}': ['ANY'], '/static/{path+}': ['GET'] }));

  test('{proxy+} never matches the bare root', () => {
    expect(route(router, 'GET', '/')).toBe('none');
    expect(route(router, 'GET', '')).toBe('none');
  });

  test('{name+} takes one or more segments, slashes included', () => {
    expect(route(router, 'GET', '/a')).toBe('ANY /{proxy+} {"proxy":"a"}');
    expect(route(router, 'GET', '/a/b/c')).toBe('ANY /{proxy+} {"proxy":"a/b/c"}');
    expect(route(router, 'GET', '/static/css/site.css')).toBe('GET /static/{path+} {"path":"css/site.css"}');
  });

  test('a greedy variable needs at least one segment under its parent', () => {
    expect(route(router, 'GET', '/static')).toBe('ANY /{proxy+} {"proxy":"static"}');
    expect(route(router, 'GET', '/static/')).toBe('ANY /{proxy+} {"proxy":"static"}');
  });

  test('inner // stays in a greedy value; leading and trailing ones do not', () => {
    expect(route(router, 'GET', '/a//b')).toBe('ANY /{proxy+} {"proxy":"a//b"}');
    expect(route(router, 'GET', '//a/b/')).toBe('ANY /{proxy+} {"proxy":"a/b"}');
  });

  test('a greedy variable must be the last segment', () => {
    expect(() => compileRouter(api({ '/{proxy+}/x': ['GET'] }))).toThrow(/last segment/);
  });
});

describe('router: values are not decoded', () => {
  const router = compileRouter(api({ '/files/{key}': ['GET'], '/raw/{key+}': ['GET'] }));

  test('encoded %2F stays inside a {param}', () => {
    expect(route(router, 'GET', '/files/test%2Ftest.txt')).toBe('GET /files/{key} {"key":"test%2Ftest.txt"}');
    expect(route(router, 'GET', '/files/foo%2Fbar/')).toBe('GET /files/{key} {"key":"foo%2Fbar"}');
  });

  test('percent-escapes are kept verbatim', () => {
    expect(route(router, 'GET', '/files/my%20file.txt')).toBe('GET /files/{key} {"key":"my%20file.txt"}');
    expect(route(router, 'GET', '/files/a+b')).toBe('GET /files/{key} {"key":"a+b"}');
    expect(route(router, 'GET', '/raw/dir%2Fx/my%20file.txt')).toBe(
      'GET /raw/{key+} {"key":"dir%2Fx/my%20file.txt"}',
    );
  });
});

describe('router: methods', () => {
  test('an explicit method beats ANY on the same resource', () => {
    const r = compileRouter(api({ '/x': ['ANY', 'GET'] }));
    expect(route(r, 'GET', '/x')).toBe('GET /x {}');
    expect(route(r, 'POST', '/x')).toBe('ANY /x {}');
  });

  test('ANY covers the seven verbs and nothing else', () => {
    const r = compileRouter(api({ '/x': ['ANY'] }));
    for (const verb of ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT']) {
      expect(route(r, verb, '/x')).toBe('ANY /x {}');
    }
    for (const verb of ['FOO', 'TRACE', 'CONNECT', 'ANY', 'get', '']) {
      expect(route(r, verb, '/x')).toBe('none');
    }
  });

  test('a request method named ANY never selects the ANY method', () => {
    const r = compileRouter(api({ '/{proxy+}': ['ANY'] }));
    expect(route(r, 'ANY', '/a')).toBe('none');
  });

  test('HEAD is not served by GET', () => {
    const r = compileRouter(api({ '/x': ['GET'] }));
    expect(route(r, 'HEAD', '/x')).toBe('none');
  });

  test('a more specific resource with ANY wins over a less specific one with the verb', () => {
    const r = compileRouter(api({ '/test': ['ANY'], '/{proxy+}': ['GET'] }));
    expect(route(r, 'GET', '/test')).toBe('ANY /test {}');
  });
});

describe('router: method-aware fall-through', () => {
  test('OPTIONS /test falls through to the {proxy+} sibling', () => {
    const r = compileRouter(api({ '/test': ['POST'], '/{proxy+}': ['OPTIONS'] }));
    expect(route(r, 'OPTIONS', '/test')).toBe('OPTIONS /{proxy+} {"proxy":"test"}');
    expect(route(r, 'POST', '/test')).toBe('POST /test {}');
    expect(route(r, 'GET', '/test')).toBe('none');
  });

  test('falls through from a literal to a {param} resource', () => {
    const r = compileRouter(api({ '/users/me': ['GET'], '/users/{id}': ['DELETE'] }));
    expect(route(r, 'DELETE', '/users/me')).toBe('DELETE /users/{id} {"id":"me"}');
    expect(route(r, 'GET', '/users/42')).toBe('none');
  });

  test('parameters of an abandoned branch do not leak into the match', () => {
    const r = compileRouter(api({ '/{a}/x': ['PUT'], '/{proxy+}': ['GET'] }));
    expect(route(r, 'GET', '/one/x')).toBe('GET /{proxy+} {"proxy":"one/x"}');
    expect(route(r, 'PUT', '/one/x')).toBe('PUT /{a}/x {"a":"one"}');
  });

  test('a path spelled twice serves the methods of both resources', () => {
    const r = compileRouter(api({ '/a': ['GET'], '/a/': ['POST'] }));
    expect(route(r, 'GET', '/a')).toBe('GET /a {}');
    expect(route(r, 'POST', '/a')).toBe('POST /a/ {}');
  });
});

describe('router: the S3 tutorial API', () => {
  const verbs: HttpMethod[] = ['GET', 'PUT', 'DELETE', 'HEAD'];
  const router = compileRouter(api({ '/': ['GET'], '/{folder}': verbs, '/{folder}/{item}': verbs }));

  test('lists buckets at the root', () => {
    expect(route(router, 'GET', '/')).toBe('GET / {}');
    expect(route(router, 'PUT', '/')).toBe('none');
  });

  test('bucket and object operations', () => {
    expect(route(router, 'PUT', '/my-bucket')).toBe('PUT /{folder} {"folder":"my-bucket"}');
    expect(route(router, 'HEAD', '/my-bucket/')).toBe('HEAD /{folder} {"folder":"my-bucket"}');
    expect(route(router, 'GET', '/my-bucket/a.txt')).toBe(
      'GET /{folder}/{item} {"folder":"my-bucket","item":"a.txt"}',
    );
    expect(route(router, 'DELETE', '/my-bucket/dir%2Fa.txt')).toBe(
      'DELETE /{folder}/{item} {"folder":"my-bucket","item":"dir%2Fa.txt"}',
    );
  });

  test('keys with plain slashes and other verbs are not routed', () => {
    expect(route(router, 'GET', '/my-bucket/dir/a.txt')).toBe('none');
    expect(route(router, 'POST', '/my-bucket/a.txt')).toBe('none');
    expect(route(router, 'OPTIONS', '/my-bucket')).toBe('none');
  });

  test('the match returns the Method objects of the definition', () => {
    const definition = api({ '/{folder}': verbs });
    const match = compileRouter(definition).match('GET', '/b');
    expect(match?.resource).toBe(definition.resources[0]);
    expect(match?.method).toBe(definition.resources[0].methods.GET);
  });
});

describe('router: scale', () => {
  // Speed is measured in bench/, not here: this checks correctness with many resources.
  test('hundreds of resources route correctly', () => {
    const paths: Record<string, HttpMethod[]> = { '/{proxy+}': ['OPTIONS'] };
    for (let i = 0; i < 300; i++) {
      paths[`/svc${i}`] = ['GET'];
      paths[`/svc${i}/{id}`] = ['GET', 'PUT'];
      paths[`/svc${i}/{id}/sub/{child}`] = ['DELETE'];
    }
    const router = compileRouter(api(paths));
    expect(route(router, 'DELETE', '/svc299/7/sub/9')).toBe(
      'DELETE /svc299/{id}/sub/{child} {"id":"7","child":"9"}',
    );
    expect(route(router, 'PUT', '/svc150/abc')).toBe('PUT /svc150/{id} {"id":"abc"}');
    expect(route(router, 'OPTIONS', '/svc150/abc')).toBe('OPTIONS /{proxy+} {"proxy":"svc150/abc"}');
  });
});
