import { DEVELOPMENT_KEYS } from '../../gateway/auth/credentials';
import { resolveOutboundCredentials } from '../../gateway/aws/credentials';
import { createLogger } from '../../gateway/log';
import { tempDir, type TempDir } from '../helpers/api-doc';

/**
 * The SDK's default chain reads process.env (shared files, profile, container and instance
 * metadata settings), so each test runs with every AWS_* variable removed and the shared files
 * pointed at temporary paths; the original environment is restored afterwards.
 */
let saved: NodeJS.ProcessEnv;
let tmp: TempDir;
let n = 0;

beforeEach(() => {
  saved = { ...process.env };
  for (const name of Object.keys(process.env)) if (name.startsWith('AWS_')) delete process.env[name];
  tmp = tempDir('apigw-outbound-');
  // Fresh names per test: the SDK caches shared files by path.
  process.env.AWS_SHARED_CREDENTIALS_FILE = `${tmp.dir}/credentials-${++n}`;
  process.env.AWS_CONFIG_FILE = `${tmp.dir}/config-${n}`;
});

afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
  tmp.remove();
});

function credentialsFile(text: string): void {
  tmp.write(process.env.AWS_SHARED_CREDENTIALS_FILE!.slice(tmp.dir.length + 1), text);
}

function configFile(text: string): void {
  tmp.write(process.env.AWS_CONFIG_FILE!.slice(tmp.dir.length + 1), text);
}

const FILE_PROFILES = [
  '[default]',
  'aws_access_key_id = AKIAFILEDEFAULT00001',
  'aws_secret_access_key = file/default/secret',
  '',
  '[second]',
  'aws_access_key_id = AKIAFILESECOND000001',
  'aws_secret_access_key = file/second/secret',
  'aws_session_token = second-session-token',
  '',
].join('\n');

function recorder() {
  const lines: string[] = [];
  return { lines, log: createLogger('debug', (l) => lines.push(l)) };
}

describe('resolveOutboundCredentials', () => {
  test('the environment’s key pair comes first, even when shared files have credentials', async () => {
    credentialsFile(FILE_PROFILES);
    const found = await resolveOutboundCredentials(
      {
        AWS_ACCESS_KEY_ID: 'AKIAENVIRONMENT00001',
        AWS_SECRET_ACCESS_KEY: 'env/secret',
        AWS_SESSION_TOKEN: 'env-token',
      },
      recorder().log,
    );
    expect(found).toEqual({
      accessKeyId: 'AKIAENVIRONMENT00001',
      secretAccessKey: 'env/secret',
      sessionToken: 'env-token',
      source: 'environment',
    });
  });

  test('an empty session token is no session token', async () => {
    const found = await resolveOutboundCredentials(
      {
        AWS_ACCESS_KEY_ID: 'AKIAENVIRONMENT00001',
        AWS_SECRET_ACCESS_KEY: 'env/secret',
        AWS_SESSION_TOKEN: '',
      },
      recorder().log,
    );
    expect(found.sessionToken).toBeUndefined();
    expect(found.source).toBe('environment');
  });

  test('without the environment’s pair, the SDK default chain reads the shared credentials file', async () => {
    credentialsFile(FILE_PROFILES);
    // Half a pair is no pair.
    const found = await resolveOutboundCredentials(
      { AWS_ACCESS_KEY_ID: 'AKIAHALFPAIR00000001' },
      recorder().log,
    );
    expect(found).toEqual({
      accessKeyId: 'AKIAFILEDEFAULT00001',
      secretAccessKey: 'file/default/secret',
      sessionToken: undefined,
      source: 'sdk-default-chain',
    });
  });

  test('AWS_PROFILE of the given environment selects the profile', async () => {
    credentialsFile(FILE_PROFILES);
    const found = await resolveOutboundCredentials({ AWS_PROFILE: 'second' }, recorder().log);
    expect(found).toEqual({
      accessKeyId: 'AKIAFILESECOND000001',
      secretAccessKey: 'file/second/secret',
      sessionToken: 'second-session-token',
      source: 'sdk-default-chain',
    });
  });

  test('keys in a config-file profile are found too', async () => {
    configFile(
      [
        '[profile from-config]',
        'aws_access_key_id = AKIACONFIGFILE000001',
        'aws_secret_access_key = config/secret',
        '',
      ].join('\n'),
    );
    const found = await resolveOutboundCredentials({ AWS_PROFILE: 'from-config' }, recorder().log);
    expect(found).toMatchObject({
      accessKeyId: 'AKIACONFIGFILE000001',
      secretAccessKey: 'config/secret',
      source: 'sdk-default-chain',
    });
  });

  test('with nothing anywhere, the development pair, without asking instance metadata', async () => {
    const { lines, log } = recorder();
    const started = Date.now();
    const found = await resolveOutboundCredentials({}, log);
    expect(found).toEqual({ ...DEVELOPMENT_KEYS, source: 'development' });
    expect(lines.join('')).toContain('DEBUG no credentials from the AWS SDK default chain');
    // The instance-metadata service (a network call with retries) was never tried.
    expect(Date.now() - started).toBeLessThan(2000);
  });

  test('a profile that does not exist falls back to the development pair', async () => {
    credentialsFile(FILE_PROFILES);
    const found = await resolveOutboundCredentials({ AWS_PROFILE: 'absent' }, recorder().log);
    expect(found).toEqual({ ...DEVELOPMENT_KEYS, source: 'development' });
  });

  test('AWS_EC2_METADATA_DISABLED is only set for the look-up, and a user’s value is kept', async () => {
    await resolveOutboundCredentials({}, recorder().log);
    expect(process.env.AWS_EC2_METADATA_DISABLED).toBeUndefined();
    process.env.AWS_EC2_METADATA_DISABLED = 'TRUE';
    await resolveOutboundCredentials({}, recorder().log);
    expect(process.env.AWS_EC2_METADATA_DISABLED).toBe('TRUE');
  });
});
