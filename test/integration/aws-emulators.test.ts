/**
 * Real round trips through `aws` integrations to DynamoDB (dynalite) and Kinesis (kinesalite),
 * both started here in this process on a free port. Kinesis is driven through AWS's published
 * Kinesis-proxy API, imported unchanged (OpenAPI 2.0 and 3.0 exports).
 */
import { readFileSync } from 'node:fs';
import { startGateway, type RunningGateway } from '../../gateway/serve';
import { recordingLogger, tempDir } from '../helpers/api-doc';
import { FIXTURES } from '../helpers/execute-api';
import { loadEmulator, sharedFixture, startEmulator, type RunningEmulator } from '../helpers/aws-emulators';

const ENV = { AWS_ACCESS_KEY_ID: 'AKIAEMULATORSOUTBND1', AWS_SECRET_ACCESS_KEY: 'emulators/outbound/secret' };
const ROLE = 'arn:aws:iam::123456789012:role/apigw-ddb';

const cleanups: Array<() => unknown> = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function serve(api: string, endpoints: Record<string, string>): Promise<RunningGateway> {
  const tmp = tempDir('apigw-emulators-');
  cleanups.push(() => tmp.remove());
  const gw = await startGateway(
    { api, port: 0, host: '127.0.0.1', dataDir: tmp.dir, endpoints },
    recordingLogger().log,
    ENV,
  );
  cleanups.push(() => gw.close());
  return gw;
}

/** A DynamoDB table API as AWS's blog and serverless-patterns samples build it. */
function dynamoApi(): Record<string, unknown> {
  const integration = (action: string, template: string, responses?: Record<string, unknown>) => ({
    type: 'aws',
    httpMethod: 'POST',
    uri: `arn:aws:apigateway:us-east-1:dynamodb:action/${action}`,
    credentials: ROLE,
    passthroughBehavior: 'when_no_templates',
    requestTemplates: { 'application/json': template },
    responses: responses ?? {
      default: { statusCode: '200', responseTemplates: { 'application/json': "$input.json('$')" } },
    },
  });
  const notFound = {
    '400': {
      statusCode: '404',
      responseTemplates: {
        'application/json':
          '{"error": "$input.path(\'$.__type\').replaceAll(\'.*#\', \'\')", "message": "$input.path(\'$.message\')"}',
      },
    },
    default: { statusCode: '200', responseTemplates: { 'application/json': "$input.json('$')" } },
  };
  const op = (i: unknown, params: string[] = []) => ({
    parameters: params.map((name) => ({
      name,
      in: name === 'artist' ? 'query' : 'path',
      required: name !== 'artist',
      schema: { type: 'string' },
    })),
    responses: { '200': { description: 'ok' }, '404': { description: 'no table' } },
    'x-amazon-apigateway-integration': i,
  });
  return {
    openapi: '3.0.1',
    info: { title: 'Music', version: '1' },
    paths: {
      '/tables/{table}': {
        put: op(
          integration(
            'CreateTable',
            '{"TableName": "$input.params(\'table\')", "KeySchema": [{"AttributeName": "artist", "KeyType": "HASH"}, {"AttributeName": "song", "KeyType": "RANGE"}], "AttributeDefinitions": [{"AttributeName": "artist", "AttributeType": "S"}, {"AttributeName": "song", "AttributeType": "S"}], "BillingMode": "PAY_PER_REQUEST"}',
          ),
          ['table'],
        ),
      },
      '/tables/{table}/songs': {
        post: op(
          integration(
            'PutItem',
            '{"TableName": "$input.params(\'table\')", "Item": {"artist": {"S": "$input.path(\'$.artist\')"}, "song": {"S": "$input.path(\'$.song\')"}, "year": {"N": "$input.path(\'$.year\')"}}}',
            notFound,
          ),
          ['table'],
        ),
        get: op(
          integration(
            'Query',
            '{"TableName": "$input.params(\'table\')", "KeyConditionExpression": "artist = :a", "ExpressionAttributeValues": {":a": {"S": "$input.params(\'artist\')"}}}',
            {
              ...notFound,
              default: {
                statusCode: '200',
                responseTemplates: {
                  'application/json':
                    '#set($items = $input.path(\'$.Items\'))[#foreach($i in $items){"song": "$i.song.S", "year": $i.year.N}#if($foreach.hasNext),#end#end]',
                },
              },
            },
          ),
          ['table', 'artist'],
        ),
      },
      '/tables/{table}/songs/{artist}/{song}': {
        get: op(
          integration(
            'GetItem',
            '{"TableName": "$input.params(\'table\')", "Key": {"artist": {"S": "$util.escapeJavaScript($util.urlDecode($input.params(\'artist\')))"}, "song": {"S": "$util.escapeJavaScript($util.urlDecode($input.params(\'song\')))"}}}',
            notFound,
          ),
          ['table', 'artist', 'song'],
        ),
      },
    },
  };
}

const dynalite = loadEmulator('dynalite');
const describeDynalite = typeof dynalite === 'string' ? describe.skip : describe;
if (typeof dynalite === 'string') console.warn(`DynamoDB round trips skipped: ${dynalite}`);

describeDynalite('DynamoDB through dynalite', () => {
  let ddb: RunningEmulator;
  let gw: RunningGateway;
  beforeAll(async () => {
    ddb = await startEmulator(dynalite as Exclude<typeof dynalite, string>, { createTableMs: 0 });
    // Cleanups run in reverse: the gateway closes before its emulator.
    cleanups.push(() => ddb.close());
    const tmp = tempDir('apigw-ddb-api-');
    cleanups.push(() => tmp.remove());
    gw = await serve(tmp.write('music.json', dynamoApi()), { dynamodb: ddb.url });
  });

  test('CreateTable, PutItem, GetItem and Query through templates', async () => {
    const created = await fetch(`${gw.url}/tables/Music`, { method: 'PUT' });
    expect(created.status).toBe(200);
    const description = (await created.json()) as { TableDescription: { TableName: string } };
    expect(description.TableDescription.TableName).toBe('Music');

    for (const [song, year] of [
      ['Blue Train', 1957],
      ['Giant Steps', 1960],
    ] as const) {
      const put = await fetch(`${gw.url}/tables/Music/songs`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ artist: 'John Coltrane', song, year }),
      });
      expect(put.status).toBe(200);
      expect(await put.text()).toBe('{}');
    }

    const got = await fetch(`${gw.url}/tables/Music/songs/John%20Coltrane/Giant%20Steps`);
    expect(got.status).toBe(200);
    expect(await got.json()).toEqual({
      Item: { artist: { S: 'John Coltrane' }, song: { S: 'Giant Steps' }, year: { N: '1960' } },
    });

    const queried = await fetch(`${gw.url}/tables/Music/songs?artist=${encodeURIComponent('John Coltrane')}`);
    expect(queried.status).toBe(200);
    expect(queried.headers.get('content-type')).toBe('application/json');
    expect(await queried.json()).toEqual([
      { song: 'Blue Train', year: 1957 },
      { song: 'Giant Steps', year: 1960 },
    ]);
  });

  test("a missing table: DynamoDB's 400 is selected by the '400' pattern and its error body templated", async () => {
    const res = await fetch(`${gw.url}/tables/Nothing/songs?artist=x`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: 'ResourceNotFoundException',
      message: 'Requested resource not found',
    });
  });
});

const kinesalite = loadEmulator('kinesalite');
const KINESIS_FIXTURES = ['aws-kinesis-proxy.swagger2.json', 'aws-kinesis-proxy.openapi3.json'].map(
  (name) => [name, sharedFixture(name)] as const,
);
const describeKinesis =
  typeof kinesalite === 'string' || KINESIS_FIXTURES.some(([, file]) => !file) ? describe.skip : describe;
if (typeof kinesalite === 'string') console.warn(`Kinesis round trips skipped: ${kinesalite}`);
else if (KINESIS_FIXTURES.some(([, file]) => !file))
  console.warn(`Kinesis sample-API round trips skipped: AWS's published sample APIs are not at ${FIXTURES}`);

/** Waits (bounded) until DescribeStream through the API says ACTIVE; returns the shard ids. */
async function activeShards(base: string, stream: string): Promise<string[]> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const res = await fetch(`${base}/streams/${stream}`);
    expect(res.status).toBe(200);
    const { StreamDescription: d } = (await res.json()) as {
      StreamDescription: { StreamStatus: string; Shards: Array<{ ShardId: string }> };
    };
    if (d.StreamStatus === 'ACTIVE') return d.Shards.map((s) => s.ShardId);
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`stream ${stream} never became ACTIVE`);
}

describeKinesis.each(KINESIS_FIXTURES)('AWS sample Kinesis proxy (%s) through kinesalite', (name, file) => {
  let kinesis: RunningEmulator;
  let gw: RunningGateway;
  beforeAll(async () => {
    kinesis = await startEmulator(kinesalite as Exclude<typeof kinesalite, string>, {
      createStreamMs: 0,
      deleteStreamMs: 0,
    });
    cleanups.push(() => kinesis.close());
    gw = await serve(file!, { kinesis: kinesis.url });
  });

  test('create stream, list, put record, shard iterator, get records, delete', async () => {
    const stream = name.includes('swagger') ? 'clicks-v2' : 'clicks-v3';
    // The 2.0 export's basePath names the stage; the 3.0 one has no servers (the default stage).
    expect(gw.stage).toBe(name.includes('swagger') ? 'test' : 'dev');
    // POST /streams/{stream-name}: CreateStream with the sample's 5 shards.
    const created = await fetch(`${gw.url}/streams/${stream}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(created.status).toBe(200);
    expect(await created.text()).toBe('');

    const listed = await fetch(`${gw.url}/streams`);
    expect(listed.status).toBe(200);
    expect(await listed.json()).toMatchObject({ StreamNames: [stream] });

    const shards = await activeShards(gw.url, stream);
    expect(shards).toHaveLength(5);

    // PUT /streams/{stream-name}/record: the template base64-encodes $input.json('$.Data').
    const put = await fetch(`${gw.url}/streams/${stream}/record`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ Data: 'some data', PartitionKey: 'p-1' }),
    });
    expect(put.status).toBe(200);
    const { ShardId, SequenceNumber } = (await put.json()) as { ShardId: string; SequenceNumber: string };
    expect(shards).toContain(ShardId);

    const iterator = await fetch(`${gw.url}/streams/${stream}/sharditerator?shard-id=${ShardId}`);
    expect(iterator.status).toBe(200);
    const { ShardIterator } = (await iterator.json()) as { ShardIterator: string };
    expect(ShardIterator).toBeTruthy();

    // GET /streams/{stream-name}/records: the iterator travels in the Shard-Iterator header.
    const records = await fetch(`${gw.url}/streams/${stream}/records`, {
      headers: { 'Shard-Iterator': ShardIterator },
    });
    expect(records.status).toBe(200);
    const got = (await records.json()) as {
      Records: Array<{ Data: string; PartitionKey: string; SequenceNumber: string }>;
    };
    expect(got.Records).toHaveLength(1);
    expect(got.Records[0]).toMatchObject({ PartitionKey: 'p-1', SequenceNumber });
    // What was stored is the JSON text of Data: the quoted string.
    expect(Buffer.from(got.Records[0].Data, 'base64').toString()).toBe('"some data"');

    const deleted = await fetch(`${gw.url}/streams/${stream}`, { method: 'DELETE' });
    expect(deleted.status).toBe(200);
  });

  test("DELETE of a missing stream: Kinesis's 400 selected by 4\\d{2}, its Content-Type and body passed on", async () => {
    const res = await fetch(`${gw.url}/streams/no-such-stream`, { method: 'DELETE' });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    const body = (await res.json()) as { __type: string; message: string };
    expect(body.__type).toBe('ResourceNotFoundException');
    expect(body.message).toContain('no-such-stream');
  });

  test('the sample is imported unchanged', () => {
    const doc = JSON.parse(readFileSync(file!, 'utf8')) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).sort()).toEqual([
      '/streams',
      '/streams/{stream-name}',
      '/streams/{stream-name}/record',
      '/streams/{stream-name}/records',
      '/streams/{stream-name}/sharditerator',
    ]);
  });
});
