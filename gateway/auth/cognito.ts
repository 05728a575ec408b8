import type { JWTPayload } from 'jose';
import type { ApiDefinition, Authorizer } from '../../openapi/model';
import { GatewayError, GatewayErrors } from '../gateway-error';
import type { Invocation } from '../invocation';
import type { Logger } from '../log';
import { jose } from './jose';
import { poolKeys, userPoolOf, type PoolKeys, type UserPoolRef, type UserPoolsConfig } from './user-pools';

/** A pool of a Cognito authorizer with its keys, ready at load. */
interface LoadedPool {
  readonly ref: UserPoolRef;
  readonly keys: PoolKeys;
  readonly clientIds: ReadonlySet<string> | undefined;
}

/**
 * The user pools of an API's COGNITO_USER_POOLS authorizers, with their keys: made when the API
 * loads (a development key is generated then), so a request only verifies.
 */
export class CognitoPools {
  private readonly byIssuer = new Map<string, LoadedPool>();
  private readonly byPoolId = new Map<string, LoadedPool>();

  constructor(api: ApiDefinition, config: UserPoolsConfig, dataDir: string, log: Logger) {
    for (const authorizer of Object.values(api.authorizers)) {
      for (const arn of authorizer.providerARNs ?? []) {
        const ref = userPoolOf(arn);
        if (!ref || this.byIssuer.has(ref.issuer)) continue;
        const settings = config[ref.poolId];
        const pool: LoadedPool = {
          ref,
          keys: poolKeys(ref, settings, dataDir),
          clientIds: settings?.clientIds ? new Set(settings.clientIds) : undefined,
        };
        this.byIssuer.set(ref.issuer, pool);
        this.byPoolId.set(ref.poolId, pool);
        log.info(
          `user pool ${ref.poolId}: tokens verified with ${pool.keys.source}` +
            (pool.keys.development ? ` (make one: apigw token --pool ${ref.poolId} --sub NAME)` : ''),
        );
      }
    }
  }

  /** The pool whose tokens carry this issuer, if the API names it. */
  byIssuerOf(issuer: string): LoadedPool | undefined {
    return this.byIssuer.get(issuer);
  }

  /** The public JWKS of a pool's development key, as Cognito publishes its own (undefined: none here). */
  developmentJwks(poolId: string): { keys: unknown[] } | undefined {
    return this.byPoolId.get(poolId)?.keys.development?.publicJwks;
  }

  /**
   * The body of `GET /{poolId}/.well-known/jwks.json` for a pool with a development key: where
   * Cognito publishes a pool's keys (after its issuer), so another verifier (a second apigw, an
   * app's own JWT check) can point its `jwks` at apigw. Undefined for any other request.
   */
  jwksResponse(method: string | undefined, url: string | undefined, stage: string): Buffer | undefined {
    if (method !== 'GET' || url === undefined || this.byPoolId.size === 0) return undefined;
    const m = /^\/([^/?]+)\/\.well-known\/jwks\.json(?:\?.*)?$/.exec(url);
    // A stage of the same name keeps its own paths.
    if (!m || m[1] === stage) return undefined;
    const jwks = this.developmentJwks(m[1]);
    return jwks === undefined ? undefined : Buffer.from(JSON.stringify(jwks));
  }
}

/** Message of API Gateway's 401 for an expired Cognito token (other failures say `Unauthorized`). */
const EXPIRED = 'The incoming token has expired';

/**
 * A COGNITO_USER_POOLS authorizer (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-integrate-with-cognito.html):
 * the token from the identity source (the scheme's header, `Bearer ` accepted) must be a JWT
 * signed by one of the authorizer's pools (RS256, a key of its JWKS), with that pool's issuer, not
 * expired; a method without authorizationScopes takes ID tokens only, one with scopes takes access
 * tokens whose `scope` grants one of them. Every failure is 401 (an expired token says so). On
 * success the claims, all as strings, are `$context.authorizer.claims` and the proxy event's
 * `requestContext.authorizer.claims`.
 */
export async function runCognitoAuthorizer(
  inv: Invocation,
  authorizer: Authorizer,
  pools: CognitoPools,
  log: Logger,
): Promise<void> {
  const token = tokenOf(inv, authorizer);
  if (token === undefined) throw GatewayErrors.unauthorized();
  const refuse = (why: string): GatewayError => {
    log.info(`${inv.requestId} authorizer '${authorizer.name}': token refused: ${why}`);
    return GatewayErrors.unauthorized();
  };
  const { decodeJwt, errors, jwtVerify } = jose();
  let issuer: unknown;
  try {
    issuer = decodeJwt(token).iss;
  } catch {
    throw refuse('not a JWT');
  }
  const pool = typeof issuer === 'string' ? pools.byIssuerOf(issuer) : undefined;
  if (!pool || !authorizer.providerARNs?.some((arn) => userPoolOf(arn)?.issuer === pool.ref.issuer))
    throw refuse(`issuer ${JSON.stringify(issuer)} is not one of the authorizer's user pools`);
  let claims: JWTPayload;
  try {
    ({ payload: claims } = await jwtVerify(token, pool.keys.keys, {
      issuer: pool.ref.issuer,
      algorithms: ['RS256'],
      requiredClaims: ['exp'],
    }));
  } catch (e) {
    if (e instanceof errors.JWTExpired) {
      log.info(`${inv.requestId} authorizer '${authorizer.name}': token refused: expired`);
      throw new GatewayError('UNAUTHORIZED', EXPIRED);
    }
    // The pool's JWKS could not be fetched (network, timeout, not 200, not a JWKS): nothing the caller did.
    const unreachable =
      !(e instanceof errors.JOSEError) ||
      e instanceof errors.JWKSTimeout ||
      e instanceof errors.JWKSInvalid ||
      e.code === 'ERR_JOSE_GENERIC';
    if (!unreachable) throw refuse((e as Error).message);
    log.error(`${inv.requestId} user pool ${pool.ref.poolId}: ${pool.keys.source}: ${(e as Error).message}`);
    throw GatewayErrors.authorizerConfigurationError();
  }
  const scopes = inv.method!.authorizationScopes;
  if (scopes === undefined) {
    if (claims.token_use !== 'id')
      throw refuse(`token_use ${String(claims.token_use)}: this method takes ID tokens`);
    if (pool.clientIds && !audiences(claims).some((a) => pool.clientIds!.has(a)))
      throw refuse(`aud ${JSON.stringify(claims.aud)} is not an allowed app client`);
  } else {
    if (claims.token_use !== 'access')
      throw refuse(`token_use ${String(claims.token_use)}: this method takes access tokens (it has scopes)`);
    const granted = typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
    if (!scopes.some((s) => granted.includes(s)))
      throw refuse(`scope ${JSON.stringify(claims.scope ?? '')} grants none of ${scopes.join(', ')}`);
    if (pool.clientIds && !(typeof claims.client_id === 'string' && pool.clientIds.has(claims.client_id)))
      throw refuse(`client_id ${JSON.stringify(claims.client_id)} is not an allowed app client`);
  }
  inv.authorizer = { values: {}, claims: claimStrings(claims), integrationLatency: 0 };
}

/** The token in the authorizer's identity source (default: the Authorization header). */
function tokenOf(inv: Invocation, authorizer: Authorizer): string | undefined {
  const source = authorizer.identitySource ?? 'method.request.header.Authorization';
  const header = /^method\.request\.header\.(.+)$/.exec(source.trim())?.[1]?.toLowerCase();
  const raw = header === undefined ? undefined : inv.request.nodeHeaders[header];
  const value = (Array.isArray(raw) ? raw.at(-1) : raw)?.trim();
  if (!value) return undefined;
  // Clients send the bare token (as AWS documents) or `Bearer <token>`; both reach the same JWT.
  const token = value.replace(/^Bearer\s+/i, '');
  return token === '' ? undefined : token;
}

function audiences(claims: JWTPayload): string[] {
  return typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Epoch seconds as Java's Date.toString() in UTC (`Fri Jul 29 18:52:53 UTC 2016`), as API Gateway renders exp and iat. */
export function javaDateString(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`;
}

/**
 * The claims as API Gateway passes them on: every value a string; `exp` and `iat` as Java dates,
 * other numbers and booleans as their text, lists (`cognito:groups`) joined by commas, objects as JSON.
 */
export function claimStrings(claims: JWTPayload): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (value === undefined || value === null) continue;
    if ((name === 'exp' || name === 'iat') && typeof value === 'number') out[name] = javaDateString(value);
    else if (typeof value === 'string') out[name] = value;
    else if (typeof value === 'number' || typeof value === 'boolean') out[name] = String(value);
    else if (Array.isArray(value))
      out[name] = value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join(',');
    else out[name] = JSON.stringify(value);
  }
  return out;
}
