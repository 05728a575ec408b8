import { BlockList, isIP } from 'node:net';
import type { ResourcePolicyDocument, ResourcePolicyStatement } from '../../openapi/model';
import { GatewayError } from '../gateway-error';
import type { Invocation } from '../invocation';
import type { Logger } from '../log';
import { matches, type PolicyDecision } from './policy';
import type { CallerIdentity } from './sigv4';

/**
 * The API's resource policy (`x-amazon-apigateway-policy`), evaluated per request as API Gateway
 * does (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html):
 * a statement applies when its principal, action (`execute-api:Invoke`), resource (the method ARN
 * of the actual request path) and every condition match; a matching Deny wins, else a matching
 * Allow allows, else the policy is silent (implicit deny). How that combines with the method's
 * authorization is decided by the authorize stage (see docs/cors-and-authorizers.md).
 */

/** The account apigw's APIs belong to (`$context.accountId` of unsigned calls). */
export const API_ACCOUNT = '123456789012';

/** What a policy is evaluated against. */
export interface PolicyRequest {
  /** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{VERB}/{path}` of this request. */
  readonly methodArn: string;
  /** The SigV4 caller; undefined: anonymous (every other authorization type). */
  readonly caller: CallerIdentity | undefined;
  /** Condition keys present in this request (lower-cased names), e.g. `aws:sourceip`. */
  readonly keys: ReadonlyMap<string, string>;
}

type Condition = (keys: ReadonlyMap<string, string>) => boolean;

interface CompiledStatement {
  readonly effect: 'Allow' | 'Deny';
  readonly principal: (caller: CallerIdentity | undefined) => boolean;
  readonly action: boolean;
  readonly resource: (arn: string) => boolean;
  readonly conditions: readonly Condition[];
}

/** A resource policy compiled at load: patterns expanded to this API's ARNs, CIDRs parsed. */
export class ResourcePolicy {
  private readonly statements: CompiledStatement[];

  constructor(
    document: ResourcePolicyDocument,
    readonly apiId: string,
    readonly region: string,
    log: Logger,
  ) {
    const foreign = new Set<string>();
    this.statements = document.statements.map((s) => compileStatement(s, apiId, region, foreign));
    for (const id of foreign)
      log.info(`resource policy: ARNs of API ${id} are matched as this API's (apigw serves it as ${apiId})`);
  }

  /** What the policy says about one request. */
  evaluate(request: PolicyRequest): PolicyDecision {
    let allowed = false;
    for (const s of this.statements) {
      if (!s.action || !s.principal(request.caller) || !s.resource(request.methodArn)) continue;
      if (!s.conditions.every((c) => c(request.keys))) continue;
      if (s.effect === 'Deny') return 'explicit-deny';
      allowed = true;
    }
    return allowed ? 'allow' : 'implicit-deny';
  }

  /** The request of an invocation: its method ARN (the actual path) and its condition keys. */
  requestOf(inv: Invocation): PolicyRequest {
    const path = inv.request.path.replace(/^\/+/, '');
    const methodArn = `arn:aws:execute-api:${this.region}:${API_ACCOUNT}:${this.apiId}/${inv.stage}/${inv.request.httpMethod}/${path}`;
    const keys = new Map<string, string>([['aws:sourceip', inv.sourceIp]]);
    const header = (name: string) => {
      const v = inv.request.nodeHeaders[name];
      return Array.isArray(v) ? v.at(-1) : v;
    };
    const referer = header('referer');
    const userAgent = header('user-agent');
    if (referer !== undefined) keys.set('aws:referer', referer);
    if (userAgent !== undefined) keys.set('aws:useragent', userAgent);
    const encrypted = (inv.incoming?.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
    keys.set('aws:securetransport', String(encrypted));
    const caller = inv.identity;
    if (caller) {
      keys.set('aws:principalarn', caller.userArn);
      keys.set('aws:principalaccount', caller.accountId);
      keys.set('aws:principaltype', 'User');
      keys.set('aws:userid', caller.user);
      keys.set('aws:username', caller.userArn.replace(/^.*:user\//, '').replace(/^.*\//, ''));
    }
    return { methodArn, caller, keys };
  }
}

/**
 * API Gateway's 403 for a request the resource policy (or, for AWS_IAM, the caller's permissions)
 * does not allow: the caller named by ARN, or `anonymous`; `Message` capitalised as AWS writes it.
 */
export function policyDenied(request: PolicyRequest, explicit: boolean): GatewayError {
  const who = request.caller?.userArn ?? 'anonymous';
  return new GatewayError(
    'ACCESS_DENIED',
    `User: ${who} is not authorized to perform: execute-api:Invoke on resource: ${request.methodArn}${explicit ? ' with an explicit deny' : ''}`,
    { messageKey: 'Message' },
  );
}

function compileStatement(
  s: ResourcePolicyStatement,
  apiId: string,
  region: string,
  foreign: Set<string>,
): CompiledStatement {
  const actionMatches = (list: string[]) => list.some((a) => matches(a.toLowerCase(), 'execute-api:invoke'));
  const action = s.actions ? actionMatches(s.actions) : !actionMatches(s.notActions ?? []);
  const patterns = (list: string[]) => list.map((r) => expandResource(r, apiId, region, foreign));
  const resource = s.resources
    ? anyPattern(patterns(s.resources))
    : negate(anyPattern(patterns(s.notResources ?? [])));
  const principal =
    s.principals !== undefined ? principalMatcher(s.principals) : negate(principalMatcher(s.notPrincipals!));
  const conditions = Object.entries(s.conditions).flatMap(([operator, block]) =>
    Object.entries(block).map(([key, values]) => compileCondition(operator, key.toLowerCase(), values)),
  );
  return { effect: s.effect, principal, action, resource, conditions };
}

function negate<T>(f: (x: T) => boolean): (x: T) => boolean {
  return (x) => !f(x);
}

function anyPattern(list: string[]): (arn: string) => boolean {
  return (arn) => list.some((p) => matches(p, arn));
}

/**
 * A policy Resource as a pattern over this API's method ARNs: the short form `execute-api:/…`
 * expands to `arn:aws:execute-api:{region}:{account}:{apiId}/…` as API Gateway does on import;
 * a full ARN naming another API id (an export from AWS, whose ids differ from apigw's) is read as
 * naming this one, whatever its region and account.
 */
function expandResource(resource: string, apiId: string, region: string, foreign: Set<string>): string {
  if (resource === '*') return '*';
  if (resource.startsWith('execute-api:/'))
    return `arn:aws:execute-api:${region}:${API_ACCOUNT}:${apiId}${resource.slice('execute-api:'.length)}`;
  const m = /^arn:aws[a-z-]*:execute-api:([^:]*):([^:]*):([^/]+)(\/.*)?$/.exec(resource);
  if (!m || m[3] === apiId || /[*?]/.test(m[3])) return resource;
  foreign.add(m[3]);
  return `arn:aws:execute-api:*:*:${apiId}${m[4] ?? ''}`;
}

/** Principals: `*` is everyone; AWS principals match only SigV4 callers (account id, `:root`, or the user's ARN). */
function principalMatcher(principals: '*' | string[]): (caller: CallerIdentity | undefined) => boolean {
  if (principals === '*') return () => true;
  return (caller) =>
    caller !== undefined &&
    principals.some(
      (p) =>
        p === caller.accountId ||
        p === `arn:aws:iam::${caller.accountId}:root` ||
        p === caller.userArn ||
        p === caller.user,
    );
}

const NEGATED = new Set(['StringNotEquals', 'StringNotEqualsIgnoreCase', 'StringNotLike', 'NotIpAddress']);

/**
 * One condition key under one operator (values OR-ed; a negated operator holds when none matches).
 * A key absent from the request fails a positive operator and satisfies a negated one, as in IAM;
 * `…IfExists` holds when the key is absent; `Null` tests presence.
 */
function compileCondition(operator: string, key: string, values: string[]): Condition {
  const ifExists = operator.endsWith('IfExists');
  const base = operator.replace(/IfExists$/, '');
  if (base === 'Null') {
    const wantAbsent = values.some((v) => v.toLowerCase() === 'true');
    return (keys) => keys.has(key) !== wantAbsent;
  }
  const negated = NEGATED.has(base);
  const test = valueTest(base, values);
  return (keys) => {
    const actual = keys.get(key);
    if (actual === undefined) return ifExists || negated;
    return negated ? !test(actual) : test(actual);
  };
}

/** Whether a request value matches any of the policy's values under the (positive form of the) operator. */
function valueTest(operator: string, values: string[]): (actual: string) => boolean {
  switch (operator) {
    case 'IpAddress':
    case 'NotIpAddress': {
      const blocks = new BlockList();
      for (const v of values) {
        const [address, bits] = v.split('/');
        const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
        if (bits === undefined) blocks.addAddress(address, family);
        else blocks.addSubnet(address, Number(bits), family);
      }
      return (actual) => {
        const family = isIP(actual);
        return family !== 0 && blocks.check(actual, family === 6 ? 'ipv6' : 'ipv4');
      };
    }
    case 'StringEquals':
    case 'StringNotEquals':
      return (actual) => values.includes(actual);
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase': {
      const lower = values.map((v) => v.toLowerCase());
      return (actual) => lower.includes(actual.toLowerCase());
    }
    case 'StringLike':
    case 'StringNotLike':
      return (actual) => values.some((v) => matches(v, actual));
    case 'Bool':
      return (actual) => values.some((v) => v.toLowerCase() === actual.toLowerCase());
    default:
      // The importer refused every other operator.
      return () => false;
  }
}
