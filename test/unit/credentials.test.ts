import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  canonicalIdFor,
  DEVELOPMENT_KEYS,
  loadPrincipals,
  parseCredentialsFile,
} from '../../gateway/auth/credentials';

function file(text: string): string {
  const f = path.join(mkdtempSync(path.join(tmpdir(), 'apigw-creds-')), 'credentials');
  writeFileSync(f, text);
  return f;
}

describe('credentials', () => {
  test('every profile is an access key with its own owner; optional identity keys are honoured', () => {
    const principals = parseCredentialsFile(
      [
        '[default]',
        'aws_access_key_id = AKIADEFAULT',
        'aws_secret_access_key = secret1',
        '',
        '[alice]',
        'aws_access_key_id=AKIAALICE',
        'aws_secret_access_key=secret2',
        `canonical_id=${'a'.repeat(64)}`,
        'display_name=Alice A.',
        'email=alice@corp.example',
      ].join('\n'),
      'credentials',
    );
    expect(principals).toHaveLength(2);
    expect(principals[0]).toMatchObject({
      profile: 'default',
      accessKeyId: 'AKIADEFAULT',
      secretAccessKey: 'secret1',
      owner: { id: canonicalIdFor('default'), displayName: 'default', email: 'default@example.com' },
    });
    expect(principals[0].owner.id).toMatch(/^[0-9a-f]{64}$/);
    expect(principals[1].owner).toEqual({
      id: 'a'.repeat(64),
      displayName: 'Alice A.',
      email: 'alice@corp.example',
    });
  });

  test('incomplete profiles, duplicate keys and bad canonical ids are all reported', () => {
    const text = [
      '[a]',
      'aws_access_key_id=K1',
      '[b]',
      'aws_access_key_id=K2',
      'aws_secret_access_key=s',
      '[c]',
      'aws_access_key_id=K2',
      'aws_secret_access_key=s',
      '[d]',
      'aws_access_key_id=K4',
      'aws_secret_access_key=s',
      'canonical_id=xyz',
    ].join('\n');
    let message = '';
    try {
      parseCredentialsFile(text, 'creds.ini');
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('creds.ini');
    expect(message).toContain('profile [a] needs aws_access_key_id and aws_secret_access_key');
    expect(message).toContain('profiles [b] and [c] have the same aws_access_key_id');
    expect(message).toContain('profile [d]: canonical_id must be 64 lower-case hex characters');
  });

  test('environment keys are allowed beside the file', () => {
    const f = file('[alice]\naws_access_key_id=AKIAALICE\naws_secret_access_key=s\n');
    const { principals, development } = loadPrincipals(f, {
      AWS_ACCESS_KEY_ID: 'AKIAENV',
      AWS_SECRET_ACCESS_KEY: 'e',
    });
    expect(development).toBe(false);
    expect(principals.map((p) => [p.profile, p.accessKeyId])).toEqual([
      ['alice', 'AKIAALICE'],
      ['environment', 'AKIAENV'],
    ]);
  });

  test('with neither a file nor environment keys, the development pair is used', () => {
    const { principals, development } = loadPrincipals(undefined, {});
    expect(development).toBe(true);
    expect(principals).toHaveLength(1);
    expect(principals[0]).toMatchObject(DEVELOPMENT_KEYS);
  });

  test('a missing credentials file is a clear error', () => {
    expect(() => loadPrincipals('/nonexistent/creds', {})).toThrow(
      /cannot read credentials file \/nonexistent\/creds/,
    );
  });
});
