import http from 'node:http';
import type { LookupFunction } from 'node:net';
import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  CreateBucketCommand,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { bucketFromHost, parseTarget } from '../../gateway/backends/s3/request';
import { ALICE, startTestS3, type TestS3 } from '../helpers/s3';

describe('virtual-hosted-style addressing', () => {
  test('a Host under a base domain names the bucket; IPs, the base itself and others are path style', () => {
    const bases = ['localhost', 's3.amazonaws.com'];
    expect(bucketFromHost('photos.localhost:4568', bases)).toBe('photos');
    expect(bucketFromHost('my.dotted.bucket.s3.amazonaws.com', bases)).toBe('my.dotted.bucket');
    expect(bucketFromHost('localhost:4568', bases)).toBeUndefined();
    expect(bucketFromHost('127.0.0.1:4568', bases)).toBeUndefined();
    expect(bucketFromHost('example.com', bases)).toBeUndefined();
    expect(parseTarget('/dir/key.txt', 'photos')).toEqual({
      kind: 'object',
      bucket: 'photos',
      key: 'dir/key.txt',
    });
    expect(parseTarget('/', 'photos')).toEqual({ kind: 'bucket', bucket: 'photos' });
  });

  describe('through the AWS SDK without forcePathStyle', () => {
    let s3: TestS3;
    let client: S3Client;
    beforeAll(async () => {
      s3 = await startTestS3();
      // `<bucket>.localhost` does not resolve everywhere: send every name to the loopback server.
      const lookup: LookupFunction = (_host, options, callback) => {
        if ((options as { all?: boolean }).all)
          (callback as unknown as (e: null, a: unknown[]) => void)(null, [
            { address: '127.0.0.1', family: 4 },
          ]);
        else callback(null, '127.0.0.1', 4);
      };
      client = new S3Client({
        endpoint: `http://localhost:${s3.port}`,
        region: 'us-east-1',
        credentials: { accessKeyId: ALICE.accessKeyId, secretAccessKey: ALICE.secretAccessKey },
        requestHandler: new NodeHttpHandler({ httpAgent: new http.Agent({ lookup } as http.AgentOptions) }),
        maxAttempts: 1,
      });
    });
    afterAll(async () => {
      client.destroy();
      await s3.stop();
    });

    test('create, put, list and get address the bucket by host name', async () => {
      const hosts: string[] = [];
      client.middlewareStack.add(
        (next) => async (args) => {
          hosts.push((args.request as { hostname: string }).hostname);
          return next(args);
        },
        { step: 'finalizeRequest', name: 'recordHost' },
      );
      await client.send(new CreateBucketCommand({ Bucket: 'vhost-bucket' }));
      await client.send(
        new PutObjectCommand({ Bucket: 'vhost-bucket', Key: 'a/b.txt', Body: Buffer.from('hosted') }),
      );
      const listed = await client.send(new ListObjectsV2Command({ Bucket: 'vhost-bucket' }));
      expect(listed.Contents?.map((c) => c.Key)).toEqual(['a/b.txt']);
      const got = await client.send(new GetObjectCommand({ Bucket: 'vhost-bucket', Key: 'a/b.txt' }));
      expect(await got.Body!.transformToString()).toBe('hosted');
      expect(new Set(hosts)).toEqual(new Set(['vhost-bucket.localhost']));
      // The same object is there path-style.
      const pathStyle = await s3
        .client()
        .send(new GetObjectCommand({ Bucket: 'vhost-bucket', Key: 'a/b.txt' }));
      expect(await pathStyle.Body!.transformToString()).toBe('hosted');
    });
  });
});
