import { awsEndpoint, EndpointResolver, parseEndpointFlags } from '../../gateway/aws/endpoints';
import { ConfigError } from '../../gateway/config';
import { compileAwsServiceCall, serviceQuery } from '../../gateway/aws/service-call';
import { actionJsonProtocol, hostPrefixOf, signingNameOf } from '../../gateway/aws/services';
import { parseIntegrationUri } from '../../openapi/uri';

const call = (uri: string, stageVariables: Record<string, string> = {}) =>
  compileAwsServiceCall(parseIntegrationUri('AWS', uri), stageVariables)!;

describe('compileAwsServiceCall', () => {
  test('path form: the path, no query of its own, no protocol headers', () => {
    const c = call('arn:aws:apigateway:us-east-1:sqs:path/123456789012/{queue}');
    expect(c).toMatchObject({ service: 'sqs', region: 'us-east-1', signingName: 'sqs', form: 'path' });
    expect(c.path.render({ queue: 'orders' })).toBe('/123456789012/orders');
    expect(serviceQuery(c, {}, [['a', 'b']])).toEqual([['a', 'b']]);
    expect(c.protocolHeaders).toBeUndefined();
  });

  test('action form: `/`, Action first, the uri pairs filled and decoded, then the mapped ones', () => {
    const c = call(
      'arn:aws:apigateway:eu-west-1:s3:action/GetObject&Bucket=${stageVariables.bucket}&Key={key}&Flag',
      { bucket: 'photos' },
    );
    expect(c).toMatchObject({ form: 'action', action: 'GetObject', hostPrefix: '' });
    expect(c.path.render({})).toBe('/');
    expect(serviceQuery(c, { key: 'a%20b%2Fc' }, [['x-id', '1']])).toEqual([
      ['Action', 'GetObject'],
      ['Bucket', 'photos'],
      ['Key', 'a b/c'],
      ['Flag', ''],
      ['x-id', '1'],
    ]);
  });

  test('a mapped query parameter replaces the uri pair of the same name', () => {
    const c = call('arn:aws:apigateway:us-east-1:sqs:action/GetQueueUrl&QueueName=fixed');
    expect(serviceQuery(c, {}, [['QueueName', 'mapped']])).toEqual([
      ['Action', 'GetQueueUrl'],
      ['QueueName', 'mapped'],
    ]);
  });

  test.each([
    ['dynamodb', 'PutItem', 'application/x-amz-json-1.0', 'DynamoDB_20120810.PutItem'],
    ['kinesis', 'PutRecord', 'application/x-amz-json-1.1', 'Kinesis_20131202.PutRecord'],
    ['states', 'StartExecution', 'application/x-amz-json-1.0', 'AWSStepFunctions.StartExecution'],
  ])('%s action/%s gets Content-Type %s and X-Amz-Target %s', (service, action, contentType, target) => {
    expect(call(`arn:aws:apigateway:us-east-1:${service}:action/${action}`).protocolHeaders).toEqual({
      contentType,
      target,
    });
  });

  test.each(['events:action/PutEvents', 'sns:action/Publish', 'ssm:action/GetParameter', 'dynamodb:path/'])(
    '%s gets no protocol headers (the user sets them, or the service speaks Query)',
    (rest) => {
      expect(call(`arn:aws:apigateway:us-east-1:${rest}`).protocolHeaders).toBeUndefined();
    },
  );

  test('StartSyncExecution lives on the sync- host prefix, signed as states', () => {
    const c = call('arn:aws:apigateway:eu-west-1:states:action/StartSyncExecution');
    expect(c).toMatchObject({ hostPrefix: 'sync-', signingName: 'states' });
    expect(call('arn:aws:apigateway:eu-west-1:states:action/StartExecution').hostPrefix).toBe('');
  });

  test('non-AWS targets compile to nothing', () => {
    expect(compileAwsServiceCall({ kind: 'http', url: 'http://x' }, {})).toBeUndefined();
    expect(compileAwsServiceCall({ kind: 'none' }, {})).toBeUndefined();
  });
});

describe('service facts', () => {
  test('signing names', () => {
    expect(signingNameOf('sqs', undefined)).toBe('sqs');
    expect(signingNameOf('states', undefined)).toBe('states');
    expect(signingNameOf('dynamodb', 'streams')).toBe('dynamodb');
    expect(signingNameOf('email', undefined)).toBe('ses');
    expect(signingNameOf('appsync-api', 'abc123')).toBe('appsync');
    expect(signingNameOf('iot', 'abc-ats.data')).toBe('iotdata');
  });

  test('host prefixes and protocols', () => {
    expect(hostPrefixOf('states', 'StartSyncExecution')).toBe('sync-');
    expect(hostPrefixOf('states', undefined)).toBe('');
    expect(actionJsonProtocol('dynamodb', 'streams')).toBeUndefined();
  });
});

describe('endpoints of a uri', () => {
  test('the real AWS host: subdomain and host prefix', () => {
    expect(awsEndpoint('sqs', 'us-east-1').href).toBe('https://sqs.us-east-1.amazonaws.com/');
    expect(awsEndpoint('states', 'eu-west-1', { hostPrefix: 'sync-' }).href).toBe(
      'https://sync-states.eu-west-1.amazonaws.com/',
    );
    expect(awsEndpoint('dynamodb', 'us-east-1', { subdomain: 'streams' }).href).toBe(
      'https://streams.dynamodb.us-east-1.amazonaws.com/',
    );
    expect(awsEndpoint('kinesis', 'cn-north-1').href).toBe('https://kinesis.cn-north-1.amazonaws.com.cn/');
  });

  test('sync-states: its own setting when there is one, else the states one', () => {
    const states = new URL('http://127.0.0.1:1111');
    const sync = new URL('http://127.0.0.1:2222');
    const both = new EndpointResolver(
      { states: { kind: 'url', url: states }, 'sync-states': { kind: 'url', url: sync } },
      {},
    );
    expect(both.resolve('states', 'eu-west-1', { hostPrefix: 'sync-' })).toBe(sync);
    expect(both.resolve('states', 'eu-west-1')).toBe(states);
    const one = new EndpointResolver({ states: { kind: 'url', url: states } }, {});
    expect(one.resolve('states', 'eu-west-1', { hostPrefix: 'sync-' })).toBe(states);
    const aws = new EndpointResolver({ states: { kind: 'aws' } }, {});
    expect(aws.resolve('states', 'eu-west-1', { hostPrefix: 'sync-' })!.host).toBe(
      'sync-states.eu-west-1.amazonaws.com',
    );
    expect(new EndpointResolver({}, {}).resolve('sqs', 'us-east-1')).toBeUndefined();
  });
});

describe('--endpoint SERVICE=URL', () => {
  test('each flag names one service', () => {
    expect(
      parseEndpointFlags([
        'dynamodb=http://127.0.0.1:8000',
        'sync-states=aws',
        'streams.dynamodb=http://x:1',
      ]),
    ).toEqual({ dynamodb: 'http://127.0.0.1:8000', 'sync-states': 'aws', 'streams.dynamodb': 'http://x:1' });
  });

  test.each(['http://127.0.0.1:8000', '=aws', 'Dynamo DB=aws'])(
    '%j is refused with the expected form',
    (value) => {
      expect(() => parseEndpointFlags([value])).toThrow(ConfigError);
      expect(() => parseEndpointFlags([value])).toThrow(/^--endpoint expects SERVICE=URL/);
    },
  );
});
