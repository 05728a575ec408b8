/**
 * `aws` integrations to SQS, SNS, DynamoDB, Kinesis, Step Functions and EventBridge, each sent to
 * a recording endpoint that checks the SigV4 signature (with the AWS SDK's signer, for that
 * service's name and the uri's region) and keeps what arrived: method, path, query, headers, body.
 */
import { signRequest } from '../../gateway/aws/signer';
import { startGateway, type RunningGateway } from '../../gateway/serve';
import { recordingLogger, tempDir } from '../helpers/api-doc';
import { startAwsRecorder, type AwsRecorder, type RecordedAwsRequest } from '../helpers/aws-recorder';
import { closedPort } from '../helpers/capture-server';

const KEY = { accessKeyId: 'AKIASERVICESOUTBOUND', secretAccessKey: 'services/outbound+secret/key' };
const ENV = { AWS_ACCESS_KEY_ID: KEY.accessKeyId, AWS_SECRET_ACCESS_KEY: KEY.secretAccessKey };
const ROLE = 'arn:aws:iam::123456789012:role/apigw-services';
const ACCOUNT = '123456789012';

type Json = Record<string, unknown>;

/** One method: its integration (type aws, credentials set) and declared parameters. */
function method(integration: Json, parameters: Json[] = []): Json {
  const responses = (integration.responses ?? { default: { statusCode: '200' } }) as Record<
    string,
    { statusCode: string }
  >;
  return {
    parameters,
    responses: Object.fromEntries(
      Object.values(responses).map((r) => [r.statusCode, { description: r.statusCode }]),
    ),
    'x-amazon-apigateway-integration': {
      type: 'aws',
      credentials: ROLE,
      passthroughBehavior: 'when_no_templates',
      responses: { default: { statusCode: '200' } },
      ...integration,
    },
  };
}

const query = (name: string, required = false) => ({
  name,
  in: 'query',
  required,
  schema: { type: 'string' },
});
const pathParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });

const API: Json = {
  openapi: '3.0.1',
  info: { title: 'AWS services', version: '1' },
  paths: {
    // SQS, Query protocol: the path form and a form-encoded body (AWS's Knowledge Center setup).
    '/sqs/form': {
      post: method({
        httpMethod: 'POST',
        uri: `arn:aws:apigateway:us-east-1:sqs:path/${ACCOUNT}/orders`,
        requestParameters: {
          'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'",
        },
        requestTemplates: {
          'application/json': 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)',
        },
        passthroughBehavior: 'never',
        responses: {
          default: {
            statusCode: '200',
            responseTemplates: {
              'application/json':
                '{"messageId": "$input.path(\'$.SendMessageResponse.SendMessageResult.MessageId\')"}',
            },
          },
        },
      }),
    },
    // SQS, JSON protocol: the same uri, the protocol's headers mapped by the user.
    '/sqs/json': {
      post: method({
        httpMethod: 'POST',
        uri: `arn:aws:apigateway:us-east-1:sqs:path/${ACCOUNT}/orders`,
        requestParameters: {
          'integration.request.header.Content-Type': "'application/x-amz-json-1.0'",
          'integration.request.header.X-Amz-Target': "'AmazonSQS.SendMessage'",
        },
        requestTemplates: {
          'application/json': `{"QueueUrl": "https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/orders", "MessageBody": "$util.escapeJavaScript($input.body)"}`,
        },
        responses: {
          default: { statusCode: '200' },
          '400': {
            statusCode: '400',
            responseTemplates: { 'application/json': '{"error": "$input.path(\'$.message\')"}' },
          },
        },
      }),
    },
    // SQS answering in XML: the user maps Accept over API Gateway's application/json.
    '/sqs/xml': {
      post: method({
        httpMethod: 'POST',
        uri: `arn:aws:apigateway:us-east-1:sqs:path/${ACCOUNT}/orders`,
        requestParameters: {
          'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'",
          'integration.request.header.Accept': "'application/xml'",
        },
        requestTemplates: {
          'application/json': 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)',
        },
      }),
    },
    // SQS action form with a uri pair filled from a path parameter; a mapped pair replaces one.
    '/sqs/url/{queue}': {
      get: method(
        {
          httpMethod: 'GET',
          uri: `arn:aws:apigateway:us-east-1:sqs:action/GetQueueUrl&QueueName={queue}&QueueOwnerAWSAccountId=${ACCOUNT}`,
          requestParameters: {
            'integration.request.path.queue': 'method.request.path.queue',
            'integration.request.querystring.QueueOwnerAWSAccountId': 'method.request.querystring.owner',
          },
        },
        [pathParam('queue'), query('owner')],
      ),
    },
    // SNS Publish: the action form, the topic and message as mapped query parameters.
    '/sns/publish': {
      post: method(
        {
          httpMethod: 'POST',
          uri: 'arn:aws:apigateway:eu-west-1:sns:action/Publish',
          requestParameters: {
            'integration.request.querystring.TopicArn': `'arn:aws:sns:eu-west-1:${ACCOUNT}:alerts'`,
            'integration.request.querystring.Message': 'method.request.querystring.message',
          },
          responses: { default: { statusCode: '200' }, '4\\d{2}': { statusCode: '400' } },
        },
        [query('message', true)],
      ),
    },
    // DynamoDB: nothing mapped but the template; API Gateway adds the protocol's headers.
    '/ddb/{id}': {
      put: method(
        {
          httpMethod: 'POST',
          uri: 'arn:aws:apigateway:eu-central-1:dynamodb:action/PutItem',
          requestTemplates: {
            'application/json':
              '{"TableName": "Music", "Item": {"id": {"S": "$input.params(\'id\')"}, "title": {"S": "$input.path(\'$.title\')"}}}',
          },
        },
        [pathParam('id')],
      ),
    },
    // Kinesis PutRecord with the tutorial's mapped Content-Type (the user's value is kept).
    '/kinesis/{stream}': {
      put: method(
        {
          httpMethod: 'POST',
          uri: 'arn:aws:apigateway:us-west-2:kinesis:action/PutRecord',
          requestParameters: {
            'integration.request.header.Content-Type': "'application/x-amz-json-1.1'",
          },
          requestTemplates: {
            'application/json':
              '{"StreamName": "$input.params(\'stream\')", "Data": "$util.base64Encode($input.json(\'$.Data\'))", "PartitionKey": "$input.path(\'$.PartitionKey\')"}',
          },
        },
        [pathParam('stream')],
      ),
    },
    // Step Functions: StartExecution on states, StartSyncExecution on sync-states.
    '/sfn/start': {
      post: method({
        httpMethod: 'POST',
        uri: 'arn:aws:apigateway:ap-southeast-2:states:action/StartExecution',
        requestTemplates: {
          'application/json': `{"input": "$util.escapeJavaScript($input.json('$'))", "stateMachineArn": "arn:aws:states:ap-southeast-2:${ACCOUNT}:stateMachine:orders"}`,
        },
      }),
    },
    '/sfn/sync': {
      post: method({
        httpMethod: 'POST',
        uri: 'arn:aws:apigateway:ap-southeast-2:states:action/StartSyncExecution',
        requestTemplates: {
          'application/json': `{"input": "$util.escapeJavaScript($input.json('$'))", "stateMachineArn": "arn:aws:states:ap-southeast-2:${ACCOUNT}:stateMachine:express"}`,
        },
        responses: {
          default: {
            statusCode: '200',
            responseTemplates: { 'application/json': "$input.path('$.output')" },
          },
        },
      }),
    },
    // EventBridge PutEvents as AWS's sample writes it: the headers set by the template.
    '/events': {
      post: method({
        httpMethod: 'POST',
        uri: 'arn:aws:apigateway:us-east-1:events:action/PutEvents',
        requestTemplates: {
          'application/json': String.raw`#set($context.requestOverride.header.X-Amz-Target = "AWSEvents.PutEvents")
#set($context.requestOverride.header.Content-Type = "application/x-amz-json-1.1")
#set($inputRoot = $input.path('$'))
{"Entries": [#foreach($elem in $inputRoot.items){"Detail": "$util.escapeJavaScript($elem.Detail).replaceAll("\\'","'")", "DetailType": "$elem.DetailType", "EventBusName": "orders-bus", "Source": "$elem.Source"}#if($foreach.hasNext),#end#end]}`,
        },
      }),
    },
    // A slow service: 100 ms allowed.
    '/slow': {
      post: method({
        httpMethod: 'POST',
        uri: 'arn:aws:apigateway:us-east-1:sqs:path/123456789012/slow',
        timeoutInMillis: 100,
      }),
    },
    // No role: AWS would refuse to create it; apigw runs it and says so.
    '/sqs/norole': {
      post: method({
        httpMethod: 'POST',
        uri: 'arn:aws:apigateway:us-east-1:sqs:path/123456789012/orders',
        credentials: undefined,
      }),
    },
    // A service nobody configured.
    '/ssm': {
      get: method({ httpMethod: 'POST', uri: 'arn:aws:apigateway:us-east-1:ssm:action/GetParameter' }),
    },
  },
};

const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const recorders: Record<string, AwsRecorder> = {};
let gw: RunningGateway;
let lines: string[];

beforeAll(async () => {
  const secrets = { [KEY.accessKeyId]: KEY.secretAccessKey };
  const wanted: Array<[string, string, string]> = [
    ['sqs', 'sqs', 'us-east-1'],
    ['sns', 'sns', 'eu-west-1'],
    ['dynamodb', 'dynamodb', 'eu-central-1'],
    ['kinesis', 'kinesis', 'us-west-2'],
    ['states', 'states', 'ap-southeast-2'],
    ['sync-states', 'states', 'ap-southeast-2'],
    ['events', 'events', 'us-east-1'],
  ];
  for (const [key, service, region] of wanted) {
    recorders[key] = await startAwsRecorder({ service, region, secrets });
    cleanups.push(() => recorders[key].close());
  }
  const tmp = tempDir('apigw-aws-services-');
  cleanups.push(() => tmp.remove());
  const recorded = recordingLogger();
  lines = recorded.lines;
  gw = await startGateway(
    {
      api: tmp.write('api.json', API),
      port: 0,
      host: '127.0.0.1',
      dataDir: tmp.dir,
      endpoints: Object.fromEntries(Object.entries(recorders).map(([k, r]) => [k, r.url])),
    },
    recorded.log,
    ENV,
  );
  cleanups.push(() => gw.close());
});

beforeEach(() => {
  for (const r of Object.values(recorders)) {
    r.requests.length = 0;
    r.respond({});
  }
});

/** The one request `recorder` received, its signature checked for `service` and `region`. */
function onlyRequest(recorder: AwsRecorder, service: string, region: string): RecordedAwsRequest {
  expect(recorder.requests).toHaveLength(1);
  const req = recorder.requests[0];
  expect(req.signature).toMatchObject({ valid: true, accessKeyId: KEY.accessKeyId, service, region });
  expect(req.signature.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date']));
  return req;
}

/** The headers API Gateway adds to every `aws` integration request. */
function expectGatewayHeaders(req: RecordedAwsRequest): void {
  expect(req.headers.accept).toBe('application/json');
  expect(req.headers['user-agent']).toBe(`AmazonAPIGateway_${gw.apiId}`);
  expect(req.headers['x-amzn-trace-id']).toMatch(/^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$/);
}

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${gw.url}${path}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('SQS', () => {
  test('path form, Query protocol: POST /{account}/{queue} with the form body of the template', async () => {
    recorders.sqs.respond({
      body: JSON.stringify({
        SendMessageResponse: {
          SendMessageResult: { MessageId: 'm-1', MD5OfMessageBody: 'x' },
          ResponseMetadata: { RequestId: 'r-1' },
        },
      }),
    });
    const res = await post('/sqs/form', { order: 'a b&c' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ messageId: 'm-1' });

    const req = onlyRequest(recorders.sqs, 'sqs', 'us-east-1');
    expect([req.method, req.path, req.query]).toEqual(['POST', `/${ACCOUNT}/orders`, []]);
    expectGatewayHeaders(req);
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(req.headers['x-amz-target']).toBeUndefined();
    expect(req.body.toString()).toBe('Action=SendMessage&MessageBody=%7B%22order%22%3A%22a+b%26c%22%7D');
    expect(new URLSearchParams(req.body.toString()).get('MessageBody')).toBe('{"order":"a b&c"}');
  });

  test('JSON protocol: the mapped Content-Type and X-Amz-Target, the JSON body', async () => {
    const res = await post('/sqs/json', { order: 7 });
    expect(res.status).toBe(200);
    const req = onlyRequest(recorders.sqs, 'sqs', 'us-east-1');
    expect([req.method, req.path, req.query]).toEqual(['POST', `/${ACCOUNT}/orders`, []]);
    expectGatewayHeaders(req);
    expect(req.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(req.headers['x-amz-target']).toBe('AmazonSQS.SendMessage');
    expect(req.signature.signedHeaders).toEqual(expect.arrayContaining(['content-type', 'x-amz-target']));
    expect(JSON.parse(req.body.toString())).toEqual({
      QueueUrl: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/orders`,
      MessageBody: '{"order":7}',
    });
  });

  test('a mapped Accept replaces API Gateway’s; the XML answer reaches the client as it came', async () => {
    const xml =
      '<SendMessageResponse><SendMessageResult><MessageId>m-2</MessageId></SendMessageResult></SendMessageResponse>';
    recorders.sqs.respond({ headers: { 'Content-Type': 'text/xml' }, body: xml });
    const res = await post('/sqs/xml', { order: 9 });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(xml);
    // Integration responses carry application/json unless a Content-Type is mapped, as on AWS.
    expect(res.headers.get('content-type')).toBe('application/json');
    const req = onlyRequest(recorders.sqs, 'sqs', 'us-east-1');
    expect(req.headers.accept).toBe('application/xml');
    expect(req.body.toString()).toBe('Action=SendMessage&MessageBody=%7B%22order%22%3A9%7D');
  });

  test("a service 400 selects the '400' response; its template reads SQS's error body", async () => {
    recorders.sqs.respond({
      status: 400,
      headers: {
        'Content-Type': 'application/x-amz-json-1.0',
        'x-amzn-query-error': 'AWS.SimpleQueueService.NonExistentQueue;Sender',
      },
      body: JSON.stringify({
        __type: 'com.amazonaws.sqs#QueueDoesNotExist',
        message: 'The specified queue does not exist.',
      }),
    });
    const res = await post('/sqs/json', { order: 8 });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'The specified queue does not exist.' });
    // Backend headers are not passed on unless mapped.
    expect(res.headers.get('x-amzn-query-error')).toBeNull();
  });

  test('a service error with only a default response: its status, the error body as it came', async () => {
    const error = '{"__type":"com.amazonaws.sqs#AccessDenied","message":"Access to the resource is denied."}';
    recorders.sqs.respond({ status: 403, body: error });
    const res = await fetch(`${gw.url}/sqs/url/orders`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(error);
  });

  test("action form: GET /?Action=…&pairs of the uri, a path value filled in, a mapped pair replacing the uri's", async () => {
    recorders.sqs.respond({ body: '{"GetQueueUrlResponse":{}}' });
    expect((await fetch(`${gw.url}/sqs/url/my%20queue`)).status).toBe(200);
    let req = onlyRequest(recorders.sqs, 'sqs', 'us-east-1');
    expect([req.method, req.path]).toEqual(['GET', '/']);
    expect(req.query).toEqual([
      ['Action', 'GetQueueUrl'],
      ['QueueName', 'my queue'],
      ['QueueOwnerAWSAccountId', ACCOUNT],
    ]);
    expect(req.body.length).toBe(0);
    expect(req.headers['content-type']).toBeUndefined();

    recorders.sqs.requests.length = 0;
    expect((await fetch(`${gw.url}/sqs/url/q2?owner=999999999999`)).status).toBe(200);
    req = onlyRequest(recorders.sqs, 'sqs', 'us-east-1');
    expect(req.query).toEqual([
      ['Action', 'GetQueueUrl'],
      ['QueueName', 'q2'],
      ['QueueOwnerAWSAccountId', '999999999999'],
    ]);
  });
});

describe('SNS', () => {
  test('Publish: POST /?Action=Publish&TopicArn=…&Message=…, signed for sns in eu-west-1', async () => {
    const answer = {
      PublishResponse: {
        PublishResult: { MessageId: 'sns-1', SequenceNumber: null },
        ResponseMetadata: { RequestId: 'r' },
      },
    };
    recorders.sns.respond({ body: JSON.stringify(answer) });
    const res = await fetch(`${gw.url}/sns/publish?message=${encodeURIComponent('disk full: 99%')}`, {
      method: 'POST',
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(answer);
    const req = onlyRequest(recorders.sns, 'sns', 'eu-west-1');
    expect([req.method, req.path]).toEqual(['POST', '/']);
    expect(req.query).toEqual([
      ['Action', 'Publish'],
      ['Message', 'disk full: 99%'],
      ['TopicArn', `arn:aws:sns:eu-west-1:${ACCOUNT}:alerts`],
    ]);
    expectGatewayHeaders(req);
    expect(req.body.length).toBe(0);
  });

  test("SNS's 403 AuthorizationError is selected by 4\\d{2} → 400", async () => {
    recorders.sns.respond({
      status: 403,
      body: '{"Error":{"Code":"AuthorizationError","Message":"not authorized"}}',
    });
    const res = await fetch(`${gw.url}/sns/publish?message=x`, { method: 'POST' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('AuthorizationError');
  });
});

describe('JSON-protocol actions', () => {
  test('DynamoDB PutItem: API Gateway adds Content-Type 1.0 and X-Amz-Target; the client’s Content-Type is not sent', async () => {
    const res = await fetch(`${gw.url}/ddb/42`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ title: 'Blue Train' }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{}');
    const req = onlyRequest(recorders.dynamodb, 'dynamodb', 'eu-central-1');
    expect([req.method, req.path, req.query]).toEqual(['POST', '/', [['Action', 'PutItem']]]);
    expectGatewayHeaders(req);
    expect(req.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(req.headers['x-amz-target']).toBe('DynamoDB_20120810.PutItem');
    expect(JSON.parse(req.body.toString())).toEqual({
      TableName: 'Music',
      Item: { id: { S: '42' }, title: { S: 'Blue Train' } },
    });
  });

  test('Kinesis PutRecord: the mapped Content-Type is kept, the target added', async () => {
    recorders.kinesis.respond({ body: '{"SequenceNumber":"1","ShardId":"shardId-000000000000"}' });
    const res = await fetch(`${gw.url}/kinesis/clicks`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ Data: { page: '/' }, PartitionKey: 'p1' }),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ SequenceNumber: '1', ShardId: 'shardId-000000000000' });
    const req = onlyRequest(recorders.kinesis, 'kinesis', 'us-west-2');
    expect([req.method, req.path, req.query]).toEqual(['POST', '/', [['Action', 'PutRecord']]]);
    expect(req.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(req.headers['x-amz-target']).toBe('Kinesis_20131202.PutRecord');
    const body = JSON.parse(req.body.toString()) as {
      Data: string;
      StreamName: string;
      PartitionKey: string;
    };
    expect(body.StreamName).toBe('clicks');
    expect(body.PartitionKey).toBe('p1');
    expect(Buffer.from(body.Data, 'base64').toString()).toBe('{"page":"/"}');
  });

  test('Step Functions StartExecution goes to states, signed as states', async () => {
    const answer = { executionArn: 'arn:aws:states:ap-southeast-2:1:execution:orders:e1', startDate: 1.7e9 };
    recorders.states.respond({ body: JSON.stringify(answer) });
    const res = await post('/sfn/start', { id: 1 });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(answer);
    const req = onlyRequest(recorders.states, 'states', 'ap-southeast-2');
    expect(recorders['sync-states'].requests).toHaveLength(0);
    expect([req.method, req.path, req.query]).toEqual(['POST', '/', [['Action', 'StartExecution']]]);
    expect(req.headers['content-type']).toBe('application/x-amz-json-1.0');
    expect(req.headers['x-amz-target']).toBe('AWSStepFunctions.StartExecution');
    expect(JSON.parse(req.body.toString())).toEqual({
      input: '{"id":1}',
      stateMachineArn: `arn:aws:states:ap-southeast-2:${ACCOUNT}:stateMachine:orders`,
    });
  });

  test('Step Functions StartSyncExecution goes to the sync-states endpoint, still signed as states', async () => {
    recorders['sync-states'].respond({
      body: JSON.stringify({ status: 'SUCCEEDED', output: '{"total":3}', executionArn: 'e' }),
    });
    const res = await post('/sfn/sync', { items: 3 });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"total":3}');
    const req = onlyRequest(recorders['sync-states'], 'states', 'ap-southeast-2');
    expect(recorders.states.requests).toHaveLength(0);
    expect(req.query).toEqual([['Action', 'StartSyncExecution']]);
    expect(req.headers['x-amz-target']).toBe('AWSStepFunctions.StartSyncExecution');
    expect(req.headers['content-type']).toBe('application/x-amz-json-1.0');
  });

  test('EventBridge PutEvents: the headers the template sets, no others added', async () => {
    recorders.events.respond({ body: '{"Entries":[{"EventId":"ev-1"}],"FailedEntryCount":0}' });
    const res = await post('/events', {
      items: [{ Detail: '{"a":1,"note":"it\'s \\"new\\""}', DetailType: 'order', Source: 'shop' }],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ Entries: [{ EventId: 'ev-1' }], FailedEntryCount: 0 });
    const req = onlyRequest(recorders.events, 'events', 'us-east-1');
    expect([req.method, req.path, req.query]).toEqual(['POST', '/', [['Action', 'PutEvents']]]);
    expectGatewayHeaders(req);
    expect(req.headers['content-type']).toBe('application/x-amz-json-1.1');
    expect(req.headers['x-amz-target']).toBe('AWSEvents.PutEvents');
    expect(JSON.parse(req.body.toString())).toEqual({
      Entries: [
        {
          Detail: '{"a":1,"note":"it\'s \\"new\\""}',
          DetailType: 'order',
          EventBusName: 'orders-bus',
          Source: 'shop',
        },
      ],
    });
  });
});

describe('credentials', () => {
  test('an integration without a role: a start-up warning with AWS’s message, the call still made', async () => {
    expect(lines.join('\n')).toContain(
      'WARN POST /sqs/norole: this sqs integration has no credentials, which AWS refuses ("Role ARN must be specified for AWS integrations"); apigw calls sqs with its own',
    );
    expect(lines.join('\n')).not.toContain('POST /sqs/form: this');
    const res = await fetch(`${gw.url}/sqs/norole`, {
      method: 'POST',
      body: 'Action=SendMessage&MessageBody=x',
    });
    expect(res.status).toBe(200);
    onlyRequest(recorders.sqs, 'sqs', 'us-east-1');
  });
});

describe('failures', () => {
  test('a service that does not answer within timeoutInMillis → 504', async () => {
    recorders.sqs.respond({ hang: true });
    const res = await fetch(`${gw.url}/slow`, { method: 'POST', body: 'x' });
    expect(res.status).toBe(504);
    expect(await res.json()).toEqual({ message: 'Endpoint request timed out' });
  });

  test('a service with no endpoint: start-up warning naming it, 500 per call', async () => {
    expect(lines.join('\n')).toContain(
      "WARN service 'ssm' has no endpoint: set endpoints.ssm to a URL or 'aws' (calls answer 500)",
    );
    const res = await fetch(`${gw.url}/ssm`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: 'Internal server error' });
    expect(res.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException');
  });

  test('an endpoint nobody listens on → 500', async () => {
    const tmp = tempDir('apigw-aws-unreachable-');
    cleanups.push(() => tmp.remove());
    const port = await closedPort();
    const down = await startGateway(
      {
        api: tmp.write('api.json', API),
        port: 0,
        host: '127.0.0.1',
        dataDir: tmp.dir,
        endpoints: { events: `http://127.0.0.1:${port}` },
      },
      recordingLogger().log,
      ENV,
    );
    cleanups.push(() => down.close());
    const res = await fetch(`${down.url}/events`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"items":[]}',
    });
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ message: 'Internal server error' });
  });
});

describe('the recording endpoint itself', () => {
  /** Sends a request signed by apigw's signer for `service` and `region` to the SQS recorder. */
  async function sendSigned(service: string, region: string, body: string, sentBody = body) {
    const url = new URL(recorders.sqs.url);
    const signed = signRequest(
      {
        method: 'POST',
        path: '/',
        query: [['Action', 'SendMessage']],
        headers: { host: url.host },
        body: Buffer.from(body),
      },
      { service, region, credentials: KEY, uriEscapePath: true, applyChecksum: false },
    );
    return fetch(`${recorders.sqs.url}${signed.target}`, {
      method: 'POST',
      headers: signed.headers,
      body: sentBody,
    });
  }

  test('accepts a right signature and refuses a wrong service, region or body', async () => {
    expect((await sendSigned('sqs', 'us-east-1', 'a')).status).toBe(200);
    expect((await sendSigned('sns', 'us-east-1', 'a')).status).toBe(403);
    expect((await sendSigned('sqs', 'eu-west-1', 'a')).status).toBe(403);
    expect((await sendSigned('sqs', 'us-east-1', 'a', 'b')).status).toBe(403);
    expect(recorders.sqs.requests.map((r) => r.signature.valid)).toEqual([true, false, false, false]);
  });
});
