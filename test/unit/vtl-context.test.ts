import { compileTemplate, overridesOf } from '../../mappings/vtl';

function render(
  template: string,
  context: Record<string, unknown> = {},
  stageVariables: Record<string, string> = {},
  body = '',
): string {
  return compileTemplate(template).render({
    body,
    params: { path: {}, querystring: {}, header: {} },
    context,
    stageVariables,
  });
}

// Every template-visible variable of
// https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html,
// with realistic values.
function fullContext(): Record<string, unknown> {
  return {
    accountId: '123456789012',
    apiId: 'a1b2c3d4e5',
    authorizer: {
      principalId: 'user|a1',
      key: 'value',
      numKey: '1',
      boolKey: 'true',
      claims: { email: 'a@b.c' },
    },
    awsEndpointRequestId: 'aws-req-1',
    deploymentId: 'dep123',
    domainName: 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com',
    domainPrefix: 'a1b2c3d4e5',
    error: {
      message: 'Missing Authentication Token',
      messageString: '"Missing Authentication Token"',
      responseType: 'MISSING_AUTHENTICATION_TOKEN',
      validationErrorString: '[instance type (string) does not match]',
    },
    extendedRequestId: 'Dx4t1Gj2IAMEbIQ=',
    httpMethod: 'POST',
    identity: {
      accountId: '210987654321',
      caller: 'AIDACALLER',
      user: 'AIDAUSER',
      userArn: 'arn:aws:iam::210987654321:user/alice',
      accessKey: 'AKIAEXAMPLE',
      principalOrgId: 'o-abc',
      apiKey: 'key-value',
      apiKeyId: 'key-id',
      cognitoAuthenticationProvider: 'cognito-idp.us-east-1.amazonaws.com/pool',
      cognitoAuthenticationType: 'authenticated',
      cognitoIdentityId: 'us-east-1:id',
      cognitoIdentityPoolId: 'us-east-1:pool',
      sourceIp: '203.0.113.7',
      userAgent: 'curl/8.5.0',
      clientCert: { clientCertPem: 'PEM', subjectDN: 'CN=client', issuerDN: 'CN=ca', serialNumber: '1' },
      vpcId: 'vpc-1',
      vpceId: 'vpce-1',
    },
    isCanaryRequest: false,
    path: '/dev/root/child',
    protocol: 'HTTP/1.1',
    requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    requestTime: '04/Mar/2020:19:15:17 +0000',
    requestTimeEpoch: 1583349317135,
    resourceId: 'res123',
    resourcePath: '/root/{child}',
    stage: 'dev',
    wafResponseCode: 'WAF_ALLOW',
    webaclArn: 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/x',
  };
}

describe('$context', () => {
  it.each([
    ['$context.accountId', '123456789012'],
    ['$context.apiId', 'a1b2c3d4e5'],
    ['$context.authorizer.principalId', 'user|a1'],
    ['$context.authorizer.key', 'value'],
    ['$context.authorizer.numKey', '1'],
    ['$context.authorizer.boolKey', 'true'],
    ['$context.authorizer.claims.email', 'a@b.c'],
    ['$context.awsEndpointRequestId', 'aws-req-1'],
    ['$context.deploymentId', 'dep123'],
    ['$context.domainName', 'a1b2c3d4e5.execute-api.us-east-1.amazonaws.com'],
    ['$context.domainPrefix', 'a1b2c3d4e5'],
    ['$context.error.message', 'Missing Authentication Token'],
    ['$context.error.messageString', '"Missing Authentication Token"'],
    ['$context.error.responseType', 'MISSING_AUTHENTICATION_TOKEN'],
    ['$context.error.validationErrorString', '[instance type (string) does not match]'],
    ['$context.extendedRequestId', 'Dx4t1Gj2IAMEbIQ='],
    ['$context.httpMethod', 'POST'],
    ['$context.identity.accountId', '210987654321'],
    ['$context.identity.caller', 'AIDACALLER'],
    ['$context.identity.user', 'AIDAUSER'],
    ['$context.identity.userArn', 'arn:aws:iam::210987654321:user/alice'],
    ['$context.identity.accessKey', 'AKIAEXAMPLE'],
    ['$context.identity.principalOrgId', 'o-abc'],
    ['$context.identity.apiKey', 'key-value'],
    ['$context.identity.apiKeyId', 'key-id'],
    ['$context.identity.cognitoAuthenticationProvider', 'cognito-idp.us-east-1.amazonaws.com/pool'],
    ['$context.identity.cognitoAuthenticationType', 'authenticated'],
    ['$context.identity.cognitoIdentityId', 'us-east-1:id'],
    ['$context.identity.cognitoIdentityPoolId', 'us-east-1:pool'],
    ['$context.identity.sourceIp', '203.0.113.7'],
    ['$context.identity.userAgent', 'curl/8.5.0'],
    ['$context.identity.clientCert.subjectDN', 'CN=client'],
    ['$context.identity.vpcId', 'vpc-1'],
    ['$context.identity.vpceId', 'vpce-1'],
    ['$context.isCanaryRequest', 'false'],
    ['$context.path', '/dev/root/child'],
    ['$context.protocol', 'HTTP/1.1'],
    ['$context.requestId', 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef'],
    ['$context.requestTime', '04/Mar/2020:19:15:17 +0000'],
    ['$context.requestTimeEpoch', '1583349317135'],
    ['$context.resourceId', 'res123'],
    ['$context.resourcePath', '/root/{child}'],
    ['$context.stage', 'dev'],
    ['$context.wafResponseCode', 'WAF_ALLOW'],
    ['$context.webaclArn', 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/x'],
  ])('%s renders %s', (expression, expected) => {
    expect(render(expression, fullContext())).toBe(expected);
  });

  it('supports bracket access, ${} and nested brackets', () => {
    const context = fullContext();
    expect(render("$context['requestId'] ${context['stage']} $context.identity['sourceIp']", context)).toBe(
      'c6af9ac6-7b61-11e6-9a41-93e8deadbeef dev 203.0.113.7',
    );
    expect(render('$context["identity"]["userAgent"]', context)).toBe('curl/8.5.0');
  });

  it('lists its variables with keySet()', () => {
    const context = { requestId: 'r', stage: 'dev', identity: { sourceIp: '1.2.3.4', user: null } };
    expect(render('$context.identity.keySet()', context)).toBe('[sourceIp, user]');
    expect(render('#foreach($k in $context.keySet())$k #end', context)).toBe(
      'requestId stage identity requestOverride responseOverride ',
    );
  });

  it('renders absent and null variables as nothing', () => {
    const context = { identity: { apiKey: null }, authorizer: { principalId: 'p' } };
    expect(
      render(
        '[$context.identity.apiKey][$context.identity.user][$context.authorizer.claims][$context.nope]',
        context,
      ),
    ).toBe('[][][][]');
  });

  it('renders the AWS documentation $context example', () => {
    const template = [
      '{',
      '    "stage" : "$context.stage",',
      '    "request_id" : "$context.requestId",',
      '    "api_id" : "$context.apiId",',
      '    "resource_path" : "$context.resourcePath",',
      '    "resource_id" : "$context.resourceId",',
      '    "http_method" : "$context.httpMethod",',
      '    "source_ip" : "$context.identity.sourceIp",',
      '    "user-agent" : "$context.identity.userAgent",',
      '    "account_id" : "$context.identity.accountId",',
      '    "api_key" : "$context.identity.apiKey",',
      '    "caller" : "$context.identity.caller",',
      '    "user" : "$context.identity.user",',
      '    "user_arn" : "$context.identity.userArn"',
      '}',
    ].join('\n');
    const context = fullContext();
    (context.identity as Record<string, unknown>).caller = null;
    (context.identity as Record<string, unknown>).user = null;
    expect(render(template, context)).toBe(
      [
        '{',
        '    "stage" : "dev",',
        '    "request_id" : "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",',
        '    "api_id" : "a1b2c3d4e5",',
        '    "resource_path" : "/root/{child}",',
        '    "resource_id" : "res123",',
        '    "http_method" : "POST",',
        '    "source_ip" : "203.0.113.7",',
        '    "user-agent" : "curl/8.5.0",',
        '    "account_id" : "210987654321",',
        '    "api_key" : "key-value",',
        '    "caller" : "",',
        '    "user" : "",',
        '    "user_arn" : "arn:aws:iam::210987654321:user/alice"',
        '}',
      ].join('\n'),
    );
  });
});

describe('$context overrides', () => {
  it('reads back response status and headers set with #set', () => {
    const context: Record<string, unknown> = {};
    const out = render(
      '#set($context.responseOverride.status = 400)#set($context.responseOverride.header.Content-Type = "text/plain")ok',
      context,
    );
    expect(out).toBe('ok');
    expect(overridesOf(context)).toEqual({
      request: { header: {}, querystring: {}, path: {} },
      response: { status: 400, header: { 'Content-Type': 'text/plain' } },
    });
  });

  it('reads back request overrides set by property, bracket and put()', () => {
    const context: Record<string, unknown> = {};
    render(
      [
        '#set($context.requestOverride.header.X-Custom = "h1")',
        '#set($name = "q1")',
        '#set($context.requestOverride.querystring[$name] = "v1")',
        "$context.requestOverride.path.put('p1', 'x')",
        "#set($context['requestOverride'].header['X-Other'] = 2)",
      ].join('\n'),
      context,
    );
    expect(overridesOf(context).request).toEqual({
      header: { 'X-Custom': 'h1', 'X-Other': '2' },
      querystring: { q1: 'v1' },
      path: { p1: 'x' },
    });
  });

  it('accepts a status from the payload or as a numeric string, ignores anything outside 100-599', () => {
    const fromBody: Record<string, unknown> = {};
    render(
      "#set($context.responseOverride.status = $input.path('$.statusCode'))",
      fromBody,
      {},
      '{"statusCode":201}',
    );
    expect(overridesOf(fromBody).response.status).toBe(201);
    for (const [value, expected] of [
      ['"404"', 404],
      ['42', undefined],
      ['700', undefined],
      ['"abc"', undefined],
      ['4.5', undefined],
    ] as const) {
      const context: Record<string, unknown> = {};
      render(`#set($context.responseOverride.status = ${value})`, context);
      expect(overridesOf(context).response.status).toBe(expected);
    }
  });

  it('keeps request-template overrides for the response phase, readable there', () => {
    const context: Record<string, unknown> = { requestId: 'r' };
    render(
      [
        '#set($context.responseOverride.status = 444)',
        '#set($context.responseOverride.header.foo = "bar")',
        '#set($context.responseOverride.custom = "kept")',
        '#set($context.requestOverride.path.carry = "through")',
      ].join(''),
      context,
    );
    const response = render('$context.responseOverride.custom $context.requestOverride.path.carry', context);
    expect(response).toBe('kept through');
    expect(overridesOf(context).response).toEqual({ status: 444, header: { foo: 'bar' } });
  });

  it('overrides the status from the body (AWS tutorial template)', () => {
    const template = [
      "#set($inputRoot = $input.path('$'))",
      '$input.json("$")',
      '#if($inputRoot.toString().contains("error"))',
      '#set($context.responseOverride.status = 400)',
      '#end',
    ].join('\n');
    const body =
      '{\n  "errors": [\n    {\n      "key": "GetPetRequest.petId",\n      "message": "The value is out of range."\n    }\n  ]\n}';
    const context: Record<string, unknown> = {};
    expect(render(template, context, {}, body)).toBe(
      '{"errors":[{"key":"GetPetRequest.petId","message":"The value is out of range."}]}\n',
    );
    expect(overridesOf(context).response.status).toBe(400);
    const fine: Record<string, unknown> = {};
    render(template, fine, {}, '{"id":1,"type":"dog","price":249.99}');
    expect(overridesOf(fine).response.status).toBeUndefined();
  });

  it('combines two headers into a third (AWS tutorial template)', () => {
    const template = [
      '#set($header1Override = "foo")',
      "#set($header3Value = \"$input.params('header1')$input.params('header2')\")",
      '$input.json("$")',
      '#set($context.requestOverride.header.header3 = $header3Value)',
      '#set($context.requestOverride.header.header1 = $header1Override)',
    ].join('\n');
    const context: Record<string, unknown> = {};
    const out = compileTemplate(template).render({
      body: '',
      params: { path: {}, querystring: {}, header: { header1: 'header1Val', header2: 'header2Val' } },
      context,
      stageVariables: {},
    });
    expect(out).toBe('{}\n');
    expect(overridesOf(context).request.header).toEqual({ header3: 'header1Valheader2Val', header1: 'foo' });
  });

  it('has empty overrides when no template set any', () => {
    expect(overridesOf({})).toEqual({
      request: { header: {}, querystring: {}, path: {} },
      response: { header: {} },
    });
  });
});

describe('$stageVariables', () => {
  const stage = { env: 'dev', 'with-dash': 'd', url: 'https://example.com/api' };

  it('supports dot, bracket and ${} forms (AWS documentation)', () => {
    expect(render("$stageVariables.env $stageVariables['env'] ${stageVariables['env']}", {}, stage)).toBe(
      'dev dev dev',
    );
    expect(render("$stageVariables['with-dash'] $stageVariables.url", {}, stage)).toBe(
      'd https://example.com/api',
    );
  });

  it('renders an unset variable as nothing', () => {
    expect(render("[$stageVariables.nope][$stageVariables['nope']]", {}, stage)).toBe('[][]');
  });

  it('lists its names with keySet()', () => {
    expect(render('$stageVariables.keySet()', {}, stage)).toBe('[env, with-dash, url]');
  });

  it('cannot be changed for later requests by a template', () => {
    render('#set($stageVariables.env = "prod")', {}, stage);
    expect(render('$stageVariables.env', {}, stage)).toBe('dev');
  });
});
