import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { S3User } from '../../gateway/backends/s3';

const run = promisify(execFile);

/** Debian's awscli (installed by .ci/run); a pip-installed `aws` elsewhere on PATH is not what we test. */
export const AWS_CLI = '/usr/bin/aws';
/** Tests that need it are skipped without it, except in CI (`CI` set), where they run and fail. */
export const HAVE_AWS_CLI = existsSync(AWS_CLI) || Boolean(process.env.CI);

/** Who the CLI signs as: a user's keys, a profile of a credentials file, or nobody (unsigned). */
export type AwsCliCaller = { user: S3User } | { credentialsFile: string; profile: string } | 'anonymous';

/**
 * Runs the AWS CLI against `endpoint` with JSON output, never through a shell and without
 * blocking the event loop (the servers under test run in this process). Nothing from the
 * developer's own AWS configuration is read: HOME is `home`, config and credentials files are
 * absent unless a credentials file is given, retries and the pager are off.
 */
export async function awsCli(
  endpoint: string,
  home: string,
  caller: AwsCliCaller,
  args: readonly string[],
): Promise<string> {
  const none = path.join(home, 'none');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_CONFIG_FILE: none,
    AWS_SHARED_CREDENTIALS_FILE: none,
    AWS_MAX_ATTEMPTS: '1',
    AWS_PAGER: '',
  };
  const signing: string[] = [];
  if (caller === 'anonymous') signing.push('--no-sign-request');
  else if ('user' in caller) {
    env.AWS_ACCESS_KEY_ID = caller.user.accessKeyId;
    env.AWS_SECRET_ACCESS_KEY = caller.user.secretAccessKey;
  } else {
    env.AWS_SHARED_CREDENTIALS_FILE = caller.credentialsFile;
    signing.push('--profile', caller.profile);
  }
  const { stdout } = await run(
    AWS_CLI,
    ['--endpoint-url', endpoint, '--output', 'json', ...signing, ...args],
    {
      env,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return stdout;
}

/** Runs the CLI expecting it to fail; resolves with what it printed on stderr. */
export async function awsCliError(
  endpoint: string,
  home: string,
  caller: AwsCliCaller,
  args: readonly string[],
): Promise<string> {
  try {
    await awsCli(endpoint, home, caller, args);
  } catch (e) {
    return String((e as { stderr?: string }).stderr);
  }
  throw new Error(`expected aws ${args.join(' ')} to fail`);
}
