import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { startS3Server, type RunningS3, type S3User } from '../../gateway/backends/s3';
import { canonicalIdFor } from '../../gateway/auth/credentials';

/** A user as a credentials-file profile would define it. */
export function testUser(profile: string): S3User {
  return {
    accessKeyId: `AKIA${profile.toUpperCase().padEnd(16, 'X').slice(0, 16)}`,
    secretAccessKey: `secret/${profile}+0123456789abcdefghijklmnopqrstu`,
    owner: { id: canonicalIdFor(profile), displayName: profile, email: `${profile}@example.com` },
  };
}

export const ALICE = testUser('alice');
export const BOB = testUser('bob');

export interface TestS3 extends RunningS3 {
  dataDir: string;
  /** An SDK v3 client with default settings but path-style addressing. */
  client(user?: S3User): S3Client;
  /** Stops the server and removes its data. */
  stop(): Promise<void>;
}

/** Starts an embedded S3 on 127.0.0.1:0 with a fresh data directory. */
export async function startTestS3(
  options: { region?: string; users?: S3User[]; dataDir?: string } = {},
): Promise<TestS3> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'apigw-s3-'));
  const running = await startS3Server({
    dataDir,
    port: 0,
    host: '127.0.0.1',
    region: options.region ?? 'us-east-1',
    users: options.users ?? [ALICE, BOB],
  });
  const clients: S3Client[] = [];
  return {
    ...running,
    url: running.url,
    port: running.port,
    dataDir,
    client(user = ALICE) {
      const c = new S3Client({
        endpoint: running.url,
        region: options.region ?? 'us-east-1',
        forcePathStyle: true,
        credentials: { accessKeyId: user.accessKeyId, secretAccessKey: user.secretAccessKey },
        maxAttempts: 1,
      });
      clients.push(c);
      return c;
    },
    async stop() {
      for (const c of clients) c.destroy();
      await running.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
