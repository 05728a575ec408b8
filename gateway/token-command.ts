import { createHash, randomUUID } from 'node:crypto';
import { jose } from './auth/jose';
import { developmentKey, userPoolOf, type UserPoolRef } from './auth/user-pools';
import { ConfigError, type ApigwConfig } from './config';
import { apiDefinitionsOf } from './template-api';

/** The options of `apigw token` (parseArgs form). */
export const TOKEN_OPTIONS = {
  pool: { type: 'string' },
  sub: { type: 'string' },
  scope: { type: 'string', multiple: true },
  'client-id': { type: 'string' },
  claim: { type: 'string', multiple: true },
  'expires-in': { type: 'string' },
  'token-use': { type: 'string' },
  jwks: { type: 'boolean' },
} as const;

export const TOKEN_USAGE = `  apigw token [openapi-file | template | dir] --pool POOL --sub NAME [--scope S ...] [options]
                            Print a token signed with a user pool's development key, for the
                            Cognito authorizers of an API or a template (docs/cors-and-authorizers.md)`;

export const TOKEN_OPTIONS_USAGE = `Options of apigw token:
  --pool POOL               the user pool: its id (us-east-1_AbC123) or its authorizer's name in the
                            API (optional when the API has one pool)
  --sub NAME                the user (sub and username claims)
  --scope S                 an OAuth scope (repeatable): makes an access token instead of an ID token
  --token-use id|access     the kind of token (default: id, access with --scope)
  --client-id ID            the app client (aud / client_id; default: a fixed development client)
  --claim NAME=VALUE        another claim (repeatable); VALUE is JSON when it parses, else a string
  --expires-in SECONDS      lifetime (default 3600); --expires-in=-60 makes an expired one
  --jwks                    print the pool's public JWKS instead of a token
`;

/** The token options given on the command line, apart from the config settings. */
export type TokenFlags = Partial<Record<keyof typeof TOKEN_OPTIONS, string | string[] | boolean>>;

/** Splits parsed flag values into `apigw token`'s own and the rest (config settings). */
export function takeTokenFlags(values: Record<string, unknown>): {
  token: TokenFlags;
  rest: Record<string, unknown>;
} {
  const token: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    if (Object.hasOwn(TOKEN_OPTIONS, name)) token[name] = value;
    else rest[name] = value;
  }
  return { token: token as TokenFlags, rest };
}

/** The user pools an API's Cognito authorizers name, by pool id, with the names of their authorizers. */
function poolsOfApi(
  api: string | undefined,
  config: ApigwConfig,
): Map<string, { ref: UserPoolRef; authorizers: string[] }> {
  const pools = new Map<string, { ref: UserPoolRef; authorizers: string[] }>();
  if (api === undefined) return pools;
  // A template's APIs too (a SAM Auth.Authorizers entry with UserPoolArn).
  for (const authorizer of apiDefinitionsOf(api, config).flatMap((a) => Object.values(a.authorizers))) {
    for (const arn of authorizer.providerARNs ?? []) {
      const ref = userPoolOf(arn);
      if (!ref) continue;
      const entry = pools.get(ref.poolId) ?? { ref, authorizers: [] };
      entry.authorizers.push(authorizer.name);
      pools.set(ref.poolId, entry);
    }
  }
  return pools;
}

/** The pool `--pool` names: a pool id (of the API, of the config, or any), or an authorizer's name. */
function choosePool(wanted: string | undefined, config: ApigwConfig): UserPoolRef {
  const pools = poolsOfApi(config.api, config);
  if (wanted === undefined) {
    if (pools.size === 1) return [...pools.values()][0].ref;
    throw new ConfigError(
      pools.size === 0
        ? '--pool is required: the user pool id (e.g. us-east-1_AbC123), or give the API whose authorizer names it'
        : `--pool is required: the API has several user pools (${[...pools.keys()].join(', ')})`,
    );
  }
  const byId = pools.get(wanted);
  if (byId) return byId.ref;
  const byAuthorizer = [...pools.values()].filter((p) => p.authorizers.includes(wanted));
  if (byAuthorizer.length === 1) return byAuthorizer[0].ref;
  if (byAuthorizer.length > 1)
    throw new ConfigError(
      `authorizer '${wanted}' names several user pools (${byAuthorizer.map((p) => p.ref.poolId).join(', ')}): give --pool one of them`,
    );
  // Any pool id: its region is its prefix, which is how Cognito names pools.
  const m = /^([a-z]{2}(?:-[a-z]+)+-\d)_[0-9A-Za-z]+$/.exec(wanted);
  if (!m)
    throw new ConfigError(
      `--pool ${wanted}: no such user pool or authorizer in ${config.api ?? 'the API'}; give a pool id such as us-east-1_AbC123`,
    );
  const ref = userPoolOf(`arn:aws:cognito-idp:${m[1]}:123456789012:userpool/${wanted}`);
  if (!ref) throw new ConfigError(`--pool ${wanted} is not a user pool id`);
  return ref;
}

/** A development app client id for a pool: 26 lower-case alphanumerics, like Cognito's, stable per pool. */
export function developmentClientId(poolId: string): string {
  const digest = createHash('sha256').update(`apigw:development-client:${poolId}`).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(digest.subarray(0, 26), (b) => alphabet[b % alphabet.length]).join('');
}

function claimValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function single(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function list(value: unknown): string[] {
  return Array.isArray(value) ? (value as string[]) : [];
}

/**
 * `apigw token`: a JWT as Cognito issues them (ID or access token, RS256, the pool's issuer),
 * signed with the pool's development key (the one `apigw serve` verifies with when the pool has no
 * `jwks`), printed alone on stdout so that `TOKEN=$(apigw token ...)` works.
 */
export async function runToken(
  flags: TokenFlags,
  config: ApigwConfig & { dataDir: string },
): Promise<number> {
  const pool = choosePool(single(flags.pool), config);
  const settings = config.userPools?.[pool.poolId];
  if (settings?.jwks !== undefined)
    throw new ConfigError(
      `user pool ${pool.poolId} verifies tokens with ${settings.jwks}: apigw token signs only with a development key (remove userPools.${pool.poolId}.jwks to use one)`,
    );
  const key = developmentKey(config.dataDir, pool.poolId, settings);
  if (flags.jwks === true) {
    process.stdout.write(JSON.stringify(key.publicJwks) + '\n');
    return 0;
  }
  const sub = single(flags.sub);
  if (sub === undefined || sub === '') throw new ConfigError('--sub is required: the user the token is for');
  const scopes = list(flags.scope);
  const tokenUse = single(flags['token-use']) ?? (scopes.length > 0 ? 'access' : 'id');
  if (tokenUse !== 'id' && tokenUse !== 'access')
    throw new ConfigError(`--token-use must be id or access, not '${tokenUse}'`);
  if (tokenUse === 'id' && scopes.length > 0)
    throw new ConfigError('--scope makes an access token: drop --token-use id');
  const expiresText = single(flags['expires-in']) ?? '3600';
  if (!/^-?\d+$/.test(expiresText))
    throw new ConfigError(`--expires-in must be whole seconds, not '${expiresText}'`);
  const clientId = single(flags['client-id']) ?? settings?.clientIds?.[0] ?? developmentClientId(pool.poolId);
  const now = Math.floor(Date.now() / 1000);
  const claims: Record<string, unknown> =
    tokenUse === 'id'
      ? { sub, aud: clientId, 'cognito:username': sub, token_use: 'id', auth_time: now }
      : {
          sub,
          client_id: clientId,
          username: sub,
          token_use: 'access',
          scope: scopes.join(' '),
          auth_time: now,
        };
  for (const entry of list(flags.claim)) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--claim expects NAME=VALUE, got '${entry}'`);
    claims[entry.slice(0, eq)] = claimValue(entry.slice(eq + 1));
  }
  const { importJWK, SignJWT } = jose();
  const token = await new SignJWT({ ...claims, jti: randomUUID() })
    .setProtectedHeader({ alg: 'RS256', kid: key.privateJwk.kid, typ: 'JWT' })
    .setIssuer(pool.issuer)
    .setIssuedAt(now)
    .setExpirationTime(now + Number(expiresText))
    .sign(await importJWK(key.privateJwk, 'RS256'));
  process.stdout.write(token + '\n');
  return 0;
}
