import { GatewayError, GatewayErrors, type GatewayResponseType } from '../../gateway/gateway-error';
import {
  gatewayResponseConfiguration,
  renderGatewayResponse,
  substituteTemplate,
  type GatewayResponseInput,
} from '../../gateway/gateway-responses';
import type { ApiDefinition, GatewayResponse } from '../../openapi/model';

/** Only gatewayResponses matters to the renderer. */
function api(gatewayResponses: Record<string, Partial<GatewayResponse>>): ApiDefinition {
  const full: Record<string, GatewayResponse> = {};
  for (const [type, r] of Object.entries(gatewayResponses)) {
    full[type] = {
      statusCode: r.statusCode,
      responseParameters: r.responseParameters ?? {},
      responseTemplates: r.responseTemplates ?? {},
    };
  }
  return { gatewayResponses: full } as unknown as ApiDefinition;
}

function input(overrides: Partial<GatewayResponseInput> = {}): GatewayResponseInput {
  return {
    requestId: 'req-1',
    extendedRequestId: 'ext-1',
    context: { requestId: 'req-1', stage: 'dev', path: '/dev/x', identity: { sourceIp: '10.0.0.1' } },
    mapping: {
      request: {
        path: { id: '7' },
        querystring: { q: ['first', 'last'] },
        headers: { 'X-Req': ['h'], 'X-Many': ['a', 'b'] },
      },
      context: { requestId: 'req-1', stage: 'dev' },
      stageVariables: { color: 'blue' },
    },
    ...overrides,
  };
}

const missingToken = () => GatewayErrors.missingAuthenticationToken();

describe('substituteTemplate', () => {
  const context = {
    requestId: 'r1',
    requestTimeEpoch: 1700000000000,
    isCanaryRequest: false,
    identity: { sourceIp: '10.0.0.1', user: null },
    error: { message: 'Nope', messageString: '"Nope"' },
  };

  test.each([
    ['{"message":$context.error.messageString}', '{"message":"Nope"}'],
    ['$context.error.message.', 'Nope.'],
    ['${context.requestId}-${stageVariables.color}', 'r1-blue'],
    ['$context.identity.sourceIp $stageVariables.color', '10.0.0.1 blue'],
    ['$context.requestTimeEpoch $context.isCanaryRequest', '1700000000000 false'],
    ['[$context.identity.user][$context.nothing][$stageVariables.none]', '[][][]'],
    // An object has no text form in plain substitution.
    ['[$context.identity]', '[]'],
    // Not VTL: directives and other references stay as they are.
    ['#if($context.requestId)yes#end', '#if(r1)yes#end'],
    [
      '#set($x = 1)$x $input.body $util.escapeJavaScript("a")',
      '#set($x = 1)$x $input.body $util.escapeJavaScript("a")',
    ],
    ['$stageVariables.toString', ''],
  ])('%s → %s', (template, expected) => {
    expect(substituteTemplate(template, context, { color: 'blue' })).toBe(expected);
  });
});

describe('renderGatewayResponse: defaults', () => {
  test('status and errorType of the type, {"message": …} body, the x-amzn headers', () => {
    const r = renderGatewayResponse(undefined, missingToken(), input());
    expect(r.status).toBe(403);
    expect(r.body.toString()).toBe('{"message":"Missing Authentication Token"}');
    expect(r.headers).toEqual({
      'Content-Type': 'application/json',
      'x-amzn-ErrorType': 'MissingAuthenticationTokenException',
      'x-amzn-RequestId': 'req-1',
      'x-amz-apigw-id': 'ext-1',
    });
  });

  test('a message with quotes and newlines stays valid JSON (messageString is the JSON string)', () => {
    const error = new GatewayError('INVALID_SIGNATURE', 'line "one"\nline two');
    const r = renderGatewayResponse(api({}), error, input());
    expect(JSON.parse(r.body.toString())).toEqual({ message: 'line "one"\nline two' });
  });

  test("an error's own status and errorType (502, IncompleteSignatureException) are kept", () => {
    const r = renderGatewayResponse(
      api({}),
      new GatewayError('INTEGRATION_FAILURE', 'Internal server error', { status: 502 }),
      input(),
    );
    expect(r.status).toBe(502);
    expect(r.headers['x-amzn-ErrorType']).toBe('InternalServerErrorException');
    const incomplete = renderGatewayResponse(
      api({}),
      new GatewayError('INVALID_SIGNATURE', 'bad', { errorType: 'IncompleteSignatureException' }),
      input(),
    );
    expect(incomplete.headers['x-amzn-ErrorType']).toBe('IncompleteSignatureException');
  });
});

describe('renderGatewayResponse: customisation', () => {
  const custom = api({
    DEFAULT_4XX: {
      statusCode: '418',
      responseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" },
      responseTemplates: { 'application/json': '{"fourxx":"$context.error.responseType"}' },
    },
    DEFAULT_5XX: {
      statusCode: '599',
      responseTemplates: { 'application/json': '{"fivexx":$context.error.messageString}' },
    },
    MISSING_AUTHENTICATION_TOKEN: {
      statusCode: '404',
      responseParameters: {
        'gatewayresponse.header.X-Literal': "'lit'",
        'gatewayresponse.header.X-Header': 'method.request.header.X-Req',
        'gatewayresponse.header.X-Many': 'method.request.multivalueheader.X-Many',
        'gatewayresponse.header.X-Query': 'method.request.querystring.q',
        'gatewayresponse.header.X-All': 'method.request.multivaluequerystring.q',
        'gatewayresponse.header.X-Path': 'method.request.path.id',
        'gatewayresponse.header.X-Context': 'context.requestId',
        'gatewayresponse.header.X-Type': 'context.error.responseType',
        'gatewayresponse.header.X-Stage': 'stageVariables.color',
        'gatewayresponse.header.X-Absent': 'method.request.header.Nope',
      },
      responseTemplates: {
        'application/json': '{"at":"$context.path","stage":"$stageVariables.color"}',
        'text/html': '<p>$context.error.message</p>',
      },
    },
    ACCESS_DENIED: { responseParameters: { 'gatewayresponse.header.X-Denied': "'yes'" } },
    INTEGRATION_FAILURE: { responseTemplates: { 'application/json': 'failed' } },
    REQUEST_TOO_LARGE: { statusCode: '400', responseTemplates: { 'application/json': 'custom' } },
    INTEGRATION_TIMEOUT: {
      responseParameters: { 'gatewayresponse.header.content-type': "'text/plain'" },
      responseTemplates: { 'text/plain': 'timed out: $context.error.message' },
    },
  });

  test('an explicit type: its status, headers from every source, its template; nothing of DEFAULT_4XX', () => {
    const r = renderGatewayResponse(custom, missingToken(), input());
    expect(r.status).toBe(404);
    expect(r.body.toString()).toBe('{"at":"/dev/x","stage":"blue"}');
    expect(r.headers).toEqual({
      'Content-Type': 'application/json',
      'X-Literal': 'lit',
      'X-Header': 'h',
      'X-Many': 'a,b',
      'X-Query': 'last',
      'X-All': 'first,last',
      'X-Path': '7',
      'X-Context': 'req-1',
      'X-Type': 'MISSING_AUTHENTICATION_TOKEN',
      'X-Stage': 'blue',
      'x-amzn-ErrorType': 'MissingAuthenticationTokenException',
      'x-amzn-RequestId': 'req-1',
      'x-amz-apigw-id': 'ext-1',
    });
  });

  test('the template is chosen by Accept (none or */* → application/json, no match → the first)', () => {
    const html = renderGatewayResponse(custom, missingToken(), input({ accept: 'text/html,*/*;q=0.8' }));
    expect(html.body.toString()).toBe('<p>Missing Authentication Token</p>');
    expect(html.headers['Content-Type']).toBe('text/html');
    for (const accept of [undefined, '*/*', 'image/png']) {
      const r = renderGatewayResponse(custom, missingToken(), input({ accept }));
      expect([accept, r.headers['Content-Type']]).toEqual([accept, 'application/json']);
    }
  });

  test('an explicit type with only headers keeps its default status and template', () => {
    const r = renderGatewayResponse(custom, new GatewayError('ACCESS_DENIED', 'denied'), input());
    expect(r.status).toBe(403);
    expect(r.body.toString()).toBe('{"message":"denied"}');
    expect(r.headers['X-Denied']).toBe('yes');
    expect(r.headers['Access-Control-Allow-Origin']).toBeUndefined();
  });

  test('an explicit 5XX type with only a template keeps the status of the error (502), not DEFAULT_5XX 599', () => {
    const error = new GatewayError('INTEGRATION_FAILURE', 'Internal server error', { status: 502 });
    const r = renderGatewayResponse(custom, error, input());
    expect(r.status).toBe(502);
    expect(r.body.toString()).toBe('failed');
  });

  test.each<[GatewayResponseType, number, string]>([
    ['BAD_REQUEST_BODY', 418, '{"fourxx":"BAD_REQUEST_BODY"}'],
    ['INVALID_SIGNATURE', 418, '{"fourxx":"INVALID_SIGNATURE"}'],
    ['UNSUPPORTED_MEDIA_TYPE', 418, '{"fourxx":"UNSUPPORTED_MEDIA_TYPE"}'],
    ['API_CONFIGURATION_ERROR', 599, '{"fivexx":"oops"}'],
    ['AUTHORIZER_FAILURE', 599, '{"fivexx":"oops"}'],
  ])('%s is not configured: it inherits DEFAULT_xXX (%i)', (type, status, body) => {
    const r = renderGatewayResponse(custom, new GatewayError(type, 'oops'), input());
    expect(r.status).toBe(status);
    expect(r.body.toString()).toBe(body);
    expect(r.headers['Access-Control-Allow-Origin']).toBe(status === 418 ? '*' : undefined);
  });

  test('a configured Content-Type replaces the template media type', () => {
    const r = renderGatewayResponse(custom, GatewayErrors.integrationTimeout(), input());
    expect(r.status).toBe(504);
    expect(r.body.toString()).toBe('timed out: Endpoint request timed out');
    expect(r.headers['content-type']).toBe('text/plain');
    expect(r.headers['Content-Type']).toBeUndefined();
  });

  test('REQUEST_TOO_LARGE and an unknown stage cannot be customised (neither by type nor by DEFAULT_4XX)', () => {
    const tooLarge = new GatewayError('REQUEST_TOO_LARGE', 'Request Too Long');
    expect(gatewayResponseConfiguration(custom, tooLarge)).toBeUndefined();
    const r = renderGatewayResponse(custom, tooLarge, input());
    expect(r.status).toBe(413);
    expect(r.body.toString()).toBe('{"message":"Request Too Long"}');
    const stage = renderGatewayResponse(custom, GatewayErrors.unknownStage(), input());
    expect(stage.status).toBe(403);
    expect(stage.body.toString()).toBe('{"message":"Forbidden"}');
    expect(stage.headers['x-amzn-ErrorType']).toBe('ForbiddenException');
    expect(stage.headers['Access-Control-Allow-Origin']).toBeUndefined();
  });

  test('the x-amzn headers cannot be replaced by a configured header', () => {
    const r = renderGatewayResponse(
      api({ THROTTLED: { responseParameters: { 'gatewayresponse.header.x-amzn-requestid': "'forged'" } } }),
      new GatewayError('THROTTLED', 'Too Many Requests'),
      input(),
    );
    expect(r.headers['x-amzn-RequestId']).toBe('req-1');
    expect(r.headers['x-amzn-requestid']).toBeUndefined();
  });
});
