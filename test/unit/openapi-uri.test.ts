import { IntegrationUriError, parseIntegrationUri } from '../../openapi';

const LAMBDA_FN = 'arn:aws:lambda:us-east-1:123456789012:function:Calc';

describe('parseIntegrationUri', () => {
  test.each([
    ['arn:aws:apigateway:us-west-2:s3:path//', '/'],
    ['arn:aws:apigateway:us-west-2:s3:path/', '/'],
    ['arn:aws:apigateway:us-west-2:s3:path/{bucket}', '/{bucket}'],
    ['arn:aws:apigateway:us-west-2:s3:path/{bucket}/{object}', '/{bucket}/{object}'],
    ['arn:aws:apigateway:us-west-2:s3:path//{bucket}/{key+}', '/{bucket}/{key+}'],
    [
      `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${LAMBDA_FN}/invocations`,
      `/2015-03-31/functions/${LAMBDA_FN}/invocations`,
    ],
    [
      `arn:aws:apigateway:us-east-1:lambda:path//2015-03-31/functions/${LAMBDA_FN}:live/invocations`,
      `/2015-03-31/functions/${LAMBDA_FN}:live/invocations`,
    ],
  ])('path style %s', (uri, path) => {
    expect(parseIntegrationUri('AWS', uri)).toEqual({
      kind: 'aws-path',
      region: uri.split(':')[3],
      service: uri.split(':')[4],
      subdomain: undefined,
      path,
    });
  });

  test('action style with parameters', () => {
    expect(
      parseIntegrationUri(
        'AWS',
        'arn:aws:apigateway:us-west-2:s3:action/GetObject&Bucket={bucket}&Key={key}',
      ),
    ).toEqual({
      kind: 'aws-action',
      region: 'us-west-2',
      service: 's3',
      subdomain: undefined,
      action: 'GetObject',
      parameters: 'Bucket={bucket}&Key={key}',
    });
    expect(parseIntegrationUri('AWS', 'arn:aws:apigateway:eu-west-1:sqs:action/SendMessage')).toMatchObject({
      action: 'SendMessage',
      parameters: '',
    });
  });

  test('subdomain.service, other partitions and a stage-variable region', () => {
    expect(parseIntegrationUri('AWS', 'arn:aws:apigateway:us-east-1:a1b2c3.iot:path/topics/t')).toMatchObject(
      {
        service: 'iot',
        subdomain: 'a1b2c3',
        path: '/topics/t',
      },
    );
    expect(parseIntegrationUri('AWS', 'arn:aws-cn:apigateway:cn-north-1:s3:path//')).toMatchObject({
      region: 'cn-north-1',
    });
    expect(parseIntegrationUri('AWS', 'arn:aws:apigateway:${stageVariables.region}:s3:path/b')).toMatchObject(
      {
        region: '${stageVariables.region}',
      },
    );
  });

  test('AWS_PROXY: Lambda and Firehose only', () => {
    expect(
      parseIntegrationUri(
        'AWS_PROXY',
        `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${LAMBDA_FN}/invocations`,
      ),
    ).toMatchObject({ kind: 'aws-path', service: 'lambda' });
    expect(
      parseIntegrationUri('AWS_PROXY', 'arn:aws:apigateway:us-east-1:firehose:action/PutRecord'),
    ).toMatchObject({
      service: 'firehose',
    });
    expect(() => parseIntegrationUri('AWS_PROXY', 'arn:aws:apigateway:us-east-1:s3:path/b')).toThrow(
      "Integrations of type 'AWS_PROXY' currently only supports Lambda function and Firehose stream invocations.",
    );
  });

  test.each([
    'https://example.com/pets/{id}',
    'http://localhost:8080',
    'https://${stageVariables.host}/pets?x={q}',
    'https://api.${stageVariables.domain}:${stageVariables.port}/a',
  ])('HTTP URL %s', (uri) => {
    expect(parseIntegrationUri('HTTP', uri)).toEqual({ kind: 'http', url: uri });
    expect(parseIntegrationUri('HTTP_PROXY', uri)).toEqual({ kind: 'http', url: uri });
  });

  test.each([
    'example.com/pets',
    '/pets',
    'ftp://example.com',
    'https://',
    'arn:aws:apigateway:us-east-1:s3:path//',
  ])('bad HTTP URL %s', (uri) => {
    expect(() => parseIntegrationUri('HTTP', uri)).toThrow(/^Invalid HTTP endpoint specified for URI/);
  });

  test.each([
    ['arn:aws:apigateway:us-east-1:s3:bucket/key', /^AWS ARN for integration must contain path or action/],
    ['arn:aws:apigateway:us-east-1:s3:', /^AWS ARN for integration must contain path or action/],
    ['arn:aws:apigateway::s3:path//', /must name a region/],
    ['arn:aws:apigateway:us-east-1::path//', /must name a service/],
    ['arn:aws:apigateway:us-east-1:sqs:action/', /must name an action/],
    ['https://s3.amazonaws.com/bucket', /^Invalid ARN specified in the request/],
    [LAMBDA_FN, /^Invalid ARN specified in the request/],
  ])('bad AWS ARN %s', (uri, message) => {
    expect(() => parseIntegrationUri('AWS', uri)).toThrow(message);
  });

  test('MOCK needs no uri; the others do', () => {
    expect(parseIntegrationUri('MOCK', undefined)).toEqual({ kind: 'none' });
    expect(parseIntegrationUri('MOCK', 'https://ignored')).toEqual({ kind: 'none' });
    expect(() => parseIntegrationUri('HTTP', undefined)).toThrow(IntegrationUriError);
    expect(() => parseIntegrationUri('AWS', '')).toThrow("an integration of type AWS needs a 'uri'");
  });
});
