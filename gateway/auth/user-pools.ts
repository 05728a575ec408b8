import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { JWK, JWTVerifyGetKey } from 'jose';
import { USER_POOL_ARN } from '../../openapi/security';
import { jose } from './jose';

/**
 * Cognito user pools as apigw knows them (config `userPools`, by pool id). Where a pool's tokens are
 * verified from: its `jwks` (a JWKS file, a URL, or `aws` for Cognito's own endpoint), else the
 * pool's development key, a key pair apigw generates in the data directory (or reads from
 * `developmentKey`) and signs `apigw token` tokens with, so that a protected API can be tried
 * without AWS. Nothing contacts AWS unless a pool says `jwks: aws` or a Cognito URL.
 */
export interface UserPoolSettings {
  /** An absolute JWKS file path, an http(s) URL, or `aws`. */
  jwks?: string;
  /** When set, only tokens of these app clients pass (ID token `aud`, access token `client_id`). */
  clientIds?: string[];
  /** A private JWK (JSON file) to sign development tokens with, instead of a generated one. */
  developmentKey?: string;
}

export type UserPoolsConfig = Record<string, UserPoolSettings>;

/** A pool named by an authorizer's providerARN, and the issuer its tokens carry. */
export interface UserPoolRef {
  readonly arn: string;
  readonly region: string;
  readonly account: string;
  readonly poolId: string;
  /** `https://cognito-idp.{region}.amazonaws.com/{poolId}`: the `iss` of its tokens. */
  readonly issuer: string;
}

const POOL_ID = /^[\w-]+_[0-9A-Za-z]+$/;

/** The pool of a providerARN (the importer checked its form), with the issuer AWS derives from it. */
export function userPoolOf(arn: string): UserPoolRef | undefined {
  const m = USER_POOL_ARN.exec(arn);
  if (!m) return undefined;
  const [, region, account, poolId] = m;
  return { arn, region, account, poolId, issuer: `https://cognito-idp.${region}.amazonaws.com/${poolId}` };
}

/** Checks the `userPools` setting; relative paths resolve against baseDir. A string says what is wrong. */
export function parseUserPools(value: unknown, baseDir: string): UserPoolsConfig | string {
  if (!isObject(value))
    return 'userPools must be a mapping of user pool ids (e.g. us-east-1_AbC123) to settings';
  const out: UserPoolsConfig = {};
  for (const [poolId, raw] of Object.entries(value)) {
    if (!POOL_ID.test(poolId))
      return `userPools: '${poolId}' is not a user pool id (region_id, e.g. us-east-1_AbC123), the last part of a providerARN`;
    const settings = raw ?? {};
    if (!isObject(settings)) return `userPools.${poolId} must be a mapping (jwks, clientIds, developmentKey)`;
    const pool: UserPoolSettings = {};
    for (const [key, v] of Object.entries(settings)) {
      if (key === 'jwks' || key === 'developmentKey') {
        if (typeof v !== 'string' || v === '') return `userPools.${poolId}.${key} must be a non-empty string`;
        pool[key] = key === 'jwks' && (v === 'aws' || /^https?:\/\//i.test(v)) ? v : path.resolve(baseDir, v);
      } else if (key === 'clientIds') {
        const list = typeof v === 'string' ? [v] : v;
        if (
          !Array.isArray(list) ||
          list.length === 0 ||
          !list.every((c) => typeof c === 'string' && c !== '')
        )
          return `userPools.${poolId}.clientIds must be a list of app client ids`;
        pool.clientIds = list as string[];
      } else {
        return `userPools.${poolId}: unknown setting '${key}' (known: jwks, clientIds, developmentKey)`;
      }
    }
    out[poolId] = pool;
  }
  return out;
}

/** A pool's signing key: the private JWK (with `kid` and `alg`) and where it lives. */
export interface DevelopmentKey {
  readonly privateJwk: JWK;
  readonly publicJwks: { keys: JWK[] };
  readonly file: string;
}

/** Where the generated development key of a pool is kept. */
export function developmentKeyFile(dataDir: string, poolId: string): string {
  return path.join(dataDir, 'cognito', `${poolId}.development-key.json`);
}

/**
 * The pool's development key: `developmentKey` when configured, else the one in the data directory,
 * generated (RSA 2048, RS256, as Cognito signs) the first time. Creation is atomic (written aside,
 * then hard-linked into place), so processes starting together agree on one key.
 */
export function developmentKey(
  dataDir: string,
  poolId: string,
  settings: UserPoolSettings = {},
): DevelopmentKey {
  const file = settings.developmentKey ?? developmentKeyFile(dataDir, poolId);
  if (!settings.developmentKey && !existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const jwk = privateKey.export({ format: 'jwk' }) as JWK;
    const kid = createHash('sha256').update(String(jwk.n)).digest('base64url').slice(0, 22);
    const text = JSON.stringify({ ...jwk, kid, alg: 'RS256', use: 'sig' }, null, 2) + '\n';
    const aside = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(aside, text, { mode: 0o600 });
    try {
      linkSync(aside, file);
    } catch (e) {
      // Another process made it first: theirs is the key.
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      unlinkSync(aside);
    }
  }
  let jwk: JWK;
  try {
    jwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } catch (e) {
    throw new Error(`user pool ${poolId}: cannot read its development key ${file}: ${(e as Error).message}`);
  }
  if (jwk.kty !== 'RSA' || typeof jwk.d !== 'string')
    throw new Error(`user pool ${poolId}: ${file} is not a private RSA JWK`);
  const kid = jwk.kid ?? createHash('sha256').update(String(jwk.n)).digest('base64url').slice(0, 22);
  const privateJwk = { ...jwk, kid, alg: 'RS256' };
  const { kty, n, e } = jwk;
  return { privateJwk, publicJwks: { keys: [{ kty, n, e, kid, alg: 'RS256', use: 'sig' }] }, file };
}

/** Where a pool's tokens are verified from, for messages. */
export function keySource(
  pool: UserPoolRef,
  settings: UserPoolSettings | undefined,
  dataDir: string,
): string {
  const jwks = settings?.jwks;
  if (jwks === 'aws') return `${pool.issuer}/.well-known/jwks.json`;
  if (jwks !== undefined) return jwks;
  return `development key ${settings?.developmentKey ?? developmentKeyFile(dataDir, pool.poolId)}`;
}

/** How a pool's tokens are verified: a key set for jose, and the development key when that is what it is. */
export interface PoolKeys {
  readonly keys: JWTVerifyGetKey;
  readonly development: DevelopmentKey | undefined;
  readonly source: string;
}

/**
 * The key set of a pool, made once at load: a JWKS file read now, a URL fetched on first use
 * (and again when a token names an unknown `kid`, as keys rotate), or the development key.
 */
export function poolKeys(
  pool: UserPoolRef,
  settings: UserPoolSettings | undefined,
  dataDir: string,
): PoolKeys {
  const source = keySource(pool, settings, dataDir);
  const jwks = settings?.jwks;
  if (jwks === undefined) {
    const development = developmentKey(dataDir, pool.poolId, settings);
    return { keys: jose().createLocalJWKSet(development.publicJwks), development, source };
  }
  if (jwks === 'aws' || /^https?:\/\//i.test(jwks)) {
    return { keys: jose().createRemoteJWKSet(new URL(source)), development: undefined, source };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(jwks, 'utf8'));
  } catch (e) {
    throw new Error(`user pool ${pool.poolId}: cannot read its JWKS ${jwks}: ${(e as Error).message}`);
  }
  if (!isObject(parsed) || !Array.isArray(parsed.keys))
    throw new Error(`user pool ${pool.poolId}: ${jwks} is not a JWKS ({"keys": [...]})`);
  return { keys: jose().createLocalJWKSet(parsed as { keys: JWK[] }), development: undefined, source };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
