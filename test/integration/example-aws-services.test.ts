/**
 * examples/kinesis-proxy and examples/dynamodb-table, run as their READMEs say: the emulator from
 * its command line (on a free port instead of the README's fixed one), `apigw serve <example>`
 * (the compiled CLI: `npm run build` first) pointed at it, then the README's calls.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { principal } from '../../gateway/auth/credentials';
import { tempDir } from '../helpers/api-doc';
import { FIXTURES } from '../helpers/execute-api';
import { awsCli, HAVE_AWS_CLI } from '../helpers/awscli';
import {
  loadEmulator,
  sharedFixture,
  spawnEmulatorCli,
  type EmulatorProcess,
} from '../helpers/aws-emulators';
import { closedPort } from '../helpers/capture-server';
import { REPO, spawnApigw, type ApigwProcess } from '../helpers/cli';

const ENV = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLESOUTBOUND', AWS_SECRET_ACCESS_KEY: 'examples/outbound/secret' };

const stops: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
});

/** `apigw serve <example> --port 0 --endpoint <service>=<url>`; resolves with the stage's base URL. */
async function serveExample(example: string, service: string, url: string): Promise<string> {
  const gw: ApigwProcess = spawnApigw(
    ['serve', `examples/${example}`, '--port', '0', '--endpoint', `${service}=${url}`],
    ENV,
  );
  stops.push(async () => {
    gw.child.kill('SIGTERM');
    await gw.exited;
  });
  const [, base] = await gw.waitFor(/Base URL: (\S+)/);
  expect(gw.stdout() + gw.stderr()).not.toMatch(/WARN/);
  return base;
}

async function emulator(name: 'dynalite' | 'kinesalite', args: string[]): Promise<EmulatorProcess> {
  const running = await spawnEmulatorCli(name, await closedPort(), args);
  stops.push(() => running.stop());
  return running;
}

const kinesalite = loadEmulator('kinesalite');
const describeKinesis = typeof kinesalite === 'string' ? describe.skip : describe;
if (typeof kinesalite === 'string') console.warn(`examples/kinesis-proxy skipped: ${kinesalite}`);

describeKinesis('examples/kinesis-proxy on kinesalite', () => {
  test('the example is AWS’s published sample, unchanged', () => {
    const fixture = sharedFixture('aws-kinesis-proxy.swagger2.json');
    if (!fixture) {
      console.warn(`sample comparison skipped: AWS's published sample APIs are not at ${FIXTURES}`);
      return;
    }
    const example = readFileSync(path.join(REPO, 'examples/kinesis-proxy/kinesis-proxy.json'));
    expect(example.equals(readFileSync(fixture))).toBe(true);
  });

  test('the README’s calls: create, list, describe, put, iterator, get records, delete', async () => {
    const kinesis = await emulator('kinesalite', ['--createStreamMs', '0', '--deleteStreamMs', '0']);
    const B = await serveExample('kinesis-proxy', 'kinesis', kinesis.url);
    expect(B).toMatch(/\/test$/);

    const json = { 'Content-Type': 'application/json' };
    expect((await fetch(`${B}/streams/clicks`, { method: 'POST', headers: json })).status).toBe(200);
    expect(await (await fetch(`${B}/streams`)).json()).toEqual({
      StreamNames: ['clicks'],
      HasMoreStreams: false,
    });
    let shards: string[] = [];
    for (let i = 0; i < 200 && shards.length === 0; i++) {
      const d = (await (await fetch(`${B}/streams/clicks`)).json()) as {
        StreamDescription: { StreamStatus: string; Shards: Array<{ ShardId: string }> };
      };
      if (d.StreamDescription.StreamStatus === 'ACTIVE')
        shards = d.StreamDescription.Shards.map((s) => s.ShardId);
      else await new Promise((r) => setTimeout(r, 10));
    }
    expect(shards).toHaveLength(5);

    const put = await fetch(`${B}/streams/clicks/record`, {
      method: 'PUT',
      headers: json,
      body: JSON.stringify({ Data: 'hello', PartitionKey: 'user-1' }),
    });
    expect(put.status).toBe(200);
    const { ShardId } = (await put.json()) as { ShardId: string };
    const { ShardIterator } = (await (
      await fetch(`${B}/streams/clicks/sharditerator?shard-id=${ShardId}`)
    ).json()) as { ShardIterator: string };
    const records = (await (
      await fetch(`${B}/streams/clicks/records`, { headers: { 'Shard-Iterator': ShardIterator } })
    ).json()) as { Records: Array<{ Data: string; PartitionKey: string }> };
    expect(records.Records.map((r) => [Buffer.from(r.Data, 'base64').toString(), r.PartitionKey])).toEqual([
      ['"hello"', 'user-1'],
    ]);

    expect((await fetch(`${B}/streams/clicks`, { method: 'DELETE' })).status).toBe(200);
    // DeleteStream is asynchronous (the stream is DELETING for a moment, in kinesalite as in
    // Kinesis): once ListStreams no longer names it, deleting it again is the service's 400,
    // selected by `4\d{2}` (the sample's GET methods map every status to 200).
    const listed = async () =>
      ((await (await fetch(`${B}/streams`)).json()) as { StreamNames: string[] }).StreamNames;
    for (let i = 0; i < 200 && (await listed()).includes('clicks'); i++)
      await new Promise((r) => setTimeout(r, 10));
    expect(await listed()).toEqual([]);
    const again = await fetch(`${B}/streams/clicks`, { method: 'DELETE' });
    expect(again.status).toBe(400);
    expect(((await again.json()) as { __type: string }).__type).toBe('ResourceNotFoundException');
  });
});

const dynalite = loadEmulator('dynalite');
const dynamoSkip =
  typeof dynalite === 'string' ? dynalite : HAVE_AWS_CLI ? undefined : 'no AWS CLI at /usr/bin/aws';
if (dynamoSkip && process.env.CI) throw new Error(`examples/dynamodb-table cannot run: ${dynamoSkip}`);
if (dynamoSkip) console.warn(`examples/dynamodb-table skipped: ${dynamoSkip}`);

(dynamoSkip ? describe.skip : describe)('examples/dynamodb-table on dynalite', () => {
  test('the README’s steps: table by the AWS CLI, then PutItem, Query, GetItem; 400 before the table exists', async () => {
    const ddb = await emulator('dynalite', ['--host', '127.0.0.1', '--createTableMs', '0']);
    const B = await serveExample('dynamodb-table', 'dynamodb', ddb.url);
    expect(B).toMatch(/\/prod$/);

    // Before the table exists: DynamoDB's 400, selected by 4\d{2}, its error body templated.
    const early = await fetch(`${B}/comments/home`);
    expect(early.status).toBe(400);
    expect(await early.json()).toEqual({
      error: 'ResourceNotFoundException',
      message: 'Requested resource not found',
    });

    const home = tempDir('apigw-example-ddb-');
    stops.push(async () => home.remove());
    await awsCli(ddb.url, home.dir, { user: principal('local', 'local', 'local') }, [
      'dynamodb',
      'create-table',
      '--cli-input-json',
      `file://${path.join(REPO, 'examples/dynamodb-table/table.json')}`,
    ]);

    const ids: string[] = [];
    for (const [userName, message] of [
      ['ada', 'First "quoted" comment'],
      ['bob', 'Second'],
    ]) {
      const res = await fetch(`${B}/comments`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ pageId: 'home', userName, message }),
      });
      expect(res.status).toBe(200);
      const { commentId } = (await res.json()) as { commentId: string };
      expect(res.headers.get('x-amzn-requestid')).toBe(commentId);
      ids.push(commentId);
    }

    const listed = await fetch(`${B}/comments/home`);
    expect(listed.status).toBe(200);
    const { comments } = (await listed.json()) as { comments: Array<{ commentId: string; message: string }> };
    expect(comments.map((c) => c.commentId).sort()).toEqual([...ids].sort());
    expect(comments.map((c) => c.message).sort()).toEqual(['First "quoted" comment', 'Second']);

    const one = await fetch(`${B}/comment/${ids[0]}`);
    expect(one.status).toBe(200);
    expect(await one.json()).toEqual({
      commentId: ids[0],
      pageId: 'home',
      userName: 'ada',
      message: 'First "quoted" comment',
    });

    const none = await fetch(`${B}/comment/nope`);
    expect(none.status).toBe(404);
    expect(await none.json()).toEqual({ message: 'no comment nope' });
  });
});

describe('--endpoint on the command line', () => {
  test.each([
    [
      ['serve', 'examples/kinesis-proxy', '--endpoint', 'kinesis'],
      /^apigw: --endpoint expects SERVICE=URL/,
      2,
    ],
    [
      ['serve', 'examples/kinesis-proxy', '--endpoint', 'kinesis=ftp://x'],
      /endpoints\.kinesis: only http and https URLs/,
      1,
    ],
    [
      ['s3', '--endpoint', 'sqs=http://127.0.0.1:1'],
      /--endpoint is an option of apigw serve, not apigw s3/,
      1,
    ],
  ])('apigw %j: one line on stderr, non-zero exit', async (args, message, code) => {
    const cli = spawnApigw(['--port', '0', ...args], ENV);
    expect(await cli.exited).toBe(code);
    expect(cli.stderr()).toMatch(message);
    expect(cli.stderr().trim().split('\n')).toHaveLength(1);
  });
});
