import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, spawnApigw, type ApigwProcess } from './cli';

/** The tutorial example shipped in `examples/s3-proxy`. */
export const S3_PROXY_EXAMPLE = path.join(REPO, 'examples', 's3-proxy');

/** Keys the example gateway is started with (through its environment), so nothing depends on defaults. */
export const EXAMPLE_KEYS = {
  accessKeyId: 'AKIAS3PROXYEXAMPLE01',
  secretAccessKey: 's3-proxy+example+secret+key/0123456789',
};

export interface RunningExample {
  proc: ApigwProcess;
  /** The stage's base URL as printed, e.g. http://127.0.0.1:41234/S3. */
  baseUrl: string;
  /** Stops the gateway (SIGTERM), awaits its exit and removes its data directory; resolves with the exit code. */
  stop(): Promise<number | string>;
}

/**
 * `apigw serve examples/s3-proxy` on a free port with a fresh data directory, as a user runs it
 * (`npm start`), waiting for the "Base URL" line it prints.
 */
export async function startS3ProxyExample(extraArgs: string[] = []): Promise<RunningExample> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'apigw-s3-proxy-'));
  const proc = spawnApigw(['serve', S3_PROXY_EXAMPLE, '--port', '0', '--data-dir', dataDir, ...extraArgs], {
    AWS_ACCESS_KEY_ID: EXAMPLE_KEYS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EXAMPLE_KEYS.secretAccessKey,
  });
  let stopped: Promise<number | string> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (proc.child.exitCode === null && proc.child.signalCode === null) proc.child.kill('SIGTERM');
      const code = await proc.exited;
      rmSync(dataDir, { recursive: true, force: true });
      return code;
    })());
  try {
    const [, baseUrl] = await proc.waitFor(/^Base URL: (http:\/\/\S+)\r?\n/m);
    return { proc, baseUrl: baseUrl.replace(/\/$/, ''), stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
