import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import ini from 'ini';
import type { AccessKey } from '../../lib/accounts';
import { ConfigError } from '../config';

/** A key pair apigw accepts from callers, with the owner it acts as and where it came from. */
export interface Principal extends AccessKey {
  /** The credentials-file profile, `environment` or `development`. */
  profile: string;
}

/**
 * The fixed pair used when no credentials file and no environment keys are given. It is printed
 * at start-up so that Postman, curl and the SDKs can be pointed at apigw without any set-up.
 */
export const DEVELOPMENT_KEYS = {
  accessKeyId: 'AKIAAPIGWDEVELOPMENT',
  secretAccessKey: 'apigw+development+secret+key+01234567890',
} as const;

/** S3-style canonical id (64 hex) derived from a profile name, stable across runs. */
export function canonicalIdFor(profile: string): string {
  return createHash('sha256').update(`apigw:${profile}`).digest('hex');
}

/** A principal for a key pair; canonical_id, display_name and email default from the profile name. */
export function principal(
  profile: string,
  accessKeyId: string,
  secretAccessKey: string,
  extra: Record<string, string> = {},
): Principal {
  return {
    profile,
    accessKeyId,
    secretAccessKey,
    owner: {
      id: extra.canonical_id ?? canonicalIdFor(profile),
      displayName: extra.display_name ?? profile,
      email: extra.email ?? `${profile}@example.com`,
    },
  };
}

/** Parses an AWS shared-credentials file (INI): one principal per profile. */
export function parseCredentialsFile(text: string, file: string): Principal[] {
  const parsed = ini.parse(text) as Record<string, unknown>;
  const problems: string[] = [];
  const out: Principal[] = [];
  for (const [profile, section] of Object.entries(parsed)) {
    if (section === null || typeof section !== 'object') {
      problems.push(`'${profile}' is outside any [profile] section`);
      continue;
    }
    const values = Object.fromEntries(
      Object.entries(section as Record<string, unknown>).map(([k, v]) => [
        k.trim().toLowerCase(),
        String(v).trim(),
      ]),
    );
    const { aws_access_key_id: id, aws_secret_access_key: secret } = values;
    if (!id || !secret) {
      problems.push(`profile [${profile}] needs aws_access_key_id and aws_secret_access_key`);
      continue;
    }
    if (values.canonical_id !== undefined && !/^[0-9a-f]{64}$/.test(values.canonical_id)) {
      problems.push(`profile [${profile}]: canonical_id must be 64 lower-case hex characters`);
      continue;
    }
    const clash = out.find((p) => p.accessKeyId === id);
    if (clash) {
      problems.push(`profiles [${clash.profile}] and [${profile}] have the same aws_access_key_id`);
      continue;
    }
    out.push(principal(profile, id, secret, values));
  }
  if (out.length === 0 && problems.length === 0) problems.push('no profiles found');
  if (problems.length > 0) throw new ConfigError(`${file}:\n  ${problems.join('\n  ')}`);
  return out;
}

/** Everything that may call apigw: the credentials file, the environment's keys, or else the development pair. */
export function loadPrincipals(
  credentialsFile: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { principals: Principal[]; development: boolean } {
  const principals: Principal[] = [];
  if (credentialsFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(credentialsFile, 'utf8');
    } catch (e) {
      throw new ConfigError(`cannot read credentials file ${credentialsFile}: ${(e as Error).message}`);
    }
    principals.push(...parseCredentialsFile(text, credentialsFile));
  }
  const envId = env.AWS_ACCESS_KEY_ID;
  const envSecret = env.AWS_SECRET_ACCESS_KEY;
  if (envId && envSecret && !principals.some((p) => p.accessKeyId === envId)) {
    principals.push(principal('environment', envId, envSecret));
  }
  if (principals.length > 0) return { principals, development: false };
  return {
    principals: [principal('development', DEVELOPMENT_KEYS.accessKeyId, DEVELOPMENT_KEYS.secretAccessKey)],
    development: true,
  };
}
