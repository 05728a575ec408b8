import {
  MappingSyntaxError,
  parseMappingSource,
  type MappingSource,
} from '../../openapi/mapping-expressions';
import type { Authorizer } from '../../openapi/model';
import { IntegrationUriError, parseIntegrationUri } from '../../openapi/uri';
import { evaluateMappingSource } from '../../mappings/parameters';
import { GatewayError, GatewayErrors } from '../gateway-error';
import type { AwsIntegrationDeps } from '../integrations/aws';
import { invokeLambda } from '../integrations/lambda';
import { proxyEvent } from '../integrations/lambda-proxy';
import type { Invocation } from '../invocation';
import { mappingInput } from '../stages/mapping-input';
import { evaluatePolicy, parsePolicyDocument, type PolicyStatement } from './policy';

/** What a Lambda authorizer decided for an identity: kept in the cache for its TTL. */
export interface AuthorizerOutcome {
  principalId: string | undefined;
  /** The API key of a usage plan, when the API's key source is AUTHORIZER. */
  usageIdentifierKey?: string;
  statements: PolicyStatement[];
  /** The `context` map, values stringified as API Gateway passes them on. */
  context: Record<string, string>;
}

// API Gateway's default TTL for authorizer results, and the most it allows.
const DEFAULT_TTL_SECONDS = 300;
// How long API Gateway waits for an authorizer function.
const AUTHORIZER_TIMEOUT_MS = 29_000;
const MAX_CACHED = 10_000;

/** Where authorizer results are kept: this class, or the shared state store (gateway/access). */
export interface AuthorizerResultCache {
  get(key: string): AuthorizerOutcome | undefined | Promise<AuthorizerOutcome | undefined>;
  set(key: string, outcome: AuthorizerOutcome, ttlSeconds: number): void | Promise<void>;
}

/** Authorizer results by authorizer and identity, until their TTL runs out. */
export class AuthorizerCache implements AuthorizerResultCache {
  private readonly entries = new Map<string, { expires: number; outcome: AuthorizerOutcome }>();

  get(key: string): AuthorizerOutcome | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.outcome;
  }

  set(key: string, outcome: AuthorizerOutcome, ttlSeconds: number): void {
    // Oldest first out: a Map iterates in insertion order.
    if (this.entries.size >= MAX_CACHED) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(key, { expires: Date.now() + ttlSeconds * 1000, outcome });
  }
}

/** What running an authorizer needs: how to call Lambda, and the cache. */
export interface LambdaAuthorizerDeps extends AwsIntegrationDeps {
  cache: AuthorizerResultCache;
  /** The region in method ARNs (the API's region). */
  region: string;
}

/**
 * Runs a TOKEN or REQUEST Lambda authorizer for the method
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-use-lambda-authorizer.html):
 * the identity is read and checked first (missing → 401 without calling the function), the result
 * is taken from the cache or from the function, and its policy is evaluated against this request's
 * method ARN (so a cached policy serves other methods too, as on AWS). On success `inv.authorizer`
 * holds
 * `principalId` and the `context` map for `$context.authorizer` and proxy events.
 */
export async function runLambdaAuthorizer(
  inv: Invocation,
  authorizer: Authorizer,
  deps: LambdaAuthorizerDeps,
): Promise<void> {
  const sources = identitySources(inv, authorizer, deps);
  const input = mappingInput(inv);
  const values = sources.map((s) => {
    const value = evaluateMappingSource(s, input);
    return Array.isArray(value) ? value.at(-1) : value;
  });
  if (values.some((v) => v === undefined || v === '')) throw GatewayErrors.unauthorized();
  const token = values[0];
  if (authorizer.type === 'token') {
    const expression = authorizer.identityValidationExpression;
    if (expression !== undefined && !validationRegex(expression, inv, deps).test(token as string)) {
      throw GatewayErrors.unauthorized();
    }
  }
  const methodArn = methodArnOf(inv, deps.region);
  const ttl = authorizer.authorizerResultTtlInSeconds ?? DEFAULT_TTL_SECONDS;
  // Without an identity source there is nothing to key a cached result by (API Gateway requires one to cache).
  const key = ttl > 0 && sources.length > 0 ? JSON.stringify([authorizer.name, ...values]) : undefined;
  let outcome = key === undefined ? undefined : await deps.cache.get(key);
  let latency = 0;
  if (!outcome) {
    const started = Date.now();
    const event =
      authorizer.type === 'token'
        ? { type: 'TOKEN', authorizationToken: token, methodArn }
        : requestEvent(inv, methodArn);
    outcome = await callAuthorizer(inv, authorizer, event, deps);
    latency = Date.now() - started;
    if (key !== undefined) await deps.cache.set(key, outcome, ttl);
  }
  const decision = evaluatePolicy(outcome.statements, methodArn);
  if (decision !== 'allow') throw GatewayErrors.authorizerDenied(decision === 'explicit-deny');
  inv.authorizer = {
    values: {
      ...(outcome.principalId === undefined ? {} : { principalId: outcome.principalId }),
      ...outcome.context,
    },
    integrationLatency: latency,
    ...(outcome.usageIdentifierKey === undefined ? {} : { usageIdentifierKey: outcome.usageIdentifierKey }),
  };
}

/** `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{VERB}/{path}`: what policies name. */
export function methodArnOf(inv: Invocation, region: string): string {
  const account = inv.identity?.accountId ?? '123456789012';
  return `arn:aws:execute-api:${region}:${account}:${inv.apiId}/${inv.stage}/${inv.request.httpMethod}/${inv.request.path.replace(/^\/+/, '')}`;
}

/** The identity sources of an authorizer, parsed (TOKEN: the token header; REQUEST: a comma list). */
function identitySources(
  inv: Invocation,
  authorizer: Authorizer,
  deps: LambdaAuthorizerDeps,
): MappingSource[] {
  const raw =
    authorizer.identitySource ?? (authorizer.type === 'token' ? 'method.request.header.Authorization' : '');
  const list = raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  try {
    return list.map((s) => parseMappingSource(s, 'gateway-response'));
  } catch (error) {
    if (!(error instanceof MappingSyntaxError)) throw error;
    deps.log.error(`${inv.requestId} authorizer '${authorizer.name}': identitySource ${error.message}`);
    throw GatewayErrors.authorizerConfigurationError();
  }
}

const validationRegexes = new Map<string, RegExp>();

function validationRegex(expression: string, inv: Invocation, deps: LambdaAuthorizerDeps): RegExp {
  try {
    let regex = validationRegexes.get(expression);
    if (!regex) {
      // The whole token must match, as Java's String.matches does (SAM's own example is `Bearer.*`).
      regex = new RegExp(`^(?:${expression})$`, 's');
      validationRegexes.set(expression, regex);
    }
    return regex;
  } catch (error) {
    deps.log.error(
      `${inv.requestId} identityValidationExpression ${JSON.stringify(expression)}: ${String(error)}`,
    );
    throw GatewayErrors.authorizerConfigurationError();
  }
}

/** The REQUEST authorizer event: the proxy event's request parts, without the body. */
function requestEvent(inv: Invocation, methodArn: string): Record<string, unknown> {
  const { body: _body, isBase64Encoded: _b64, ...request } = proxyEvent(inv);
  return { type: 'REQUEST', methodArn, ...request };
}

/** Invokes the authorizer function and reads its answer; every failure is API Gateway's answer for it. */
async function callAuthorizer(
  inv: Invocation,
  authorizer: Authorizer,
  event: Record<string, unknown>,
  deps: LambdaAuthorizerDeps,
): Promise<AuthorizerOutcome> {
  const pointer = `authorizer '${authorizer.name}'`;
  const fail = (why: string): GatewayError => {
    deps.log.error(`${inv.requestId} ${pointer}: ${why}`);
    return GatewayErrors.authorizerConfigurationError();
  };
  let target;
  try {
    target = parseIntegrationUri('AWS', authorizer.authorizerUri);
  } catch (error) {
    if (error instanceof IntegrationUriError) throw fail(`authorizerUri: ${error.message}`);
    throw error;
  }
  let result;
  try {
    result = await invokeLambda(
      inv,
      { target, pointer, timeoutInMillis: AUTHORIZER_TIMEOUT_MS },
      Buffer.from(JSON.stringify(event), 'utf8'),
      deps,
    );
  } catch (error) {
    if (error instanceof GatewayError) throw fail('its function could not be called');
    throw fail(`its function could not be called: ${(error as Error).message}`);
  }
  const text = result.body.toString('utf8');
  if (result.status !== 200) throw fail(`Lambda answered ${result.status}: ${text}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw fail(`the function's result is not JSON: ${text.slice(0, 200)}`);
  }
  if (result.functionError !== undefined) {
    const message = isObject(parsed) ? parsed.errorMessage : undefined;
    // The one error an authorizer may raise on purpose: it turns into 401.
    if (message === 'Unauthorized') throw GatewayErrors.unauthorized();
    throw fail(`the function failed: ${typeof message === 'string' ? message : text.slice(0, 200)}`);
  }
  return outcomeOf(parsed, fail);
}

function outcomeOf(parsed: unknown, fail: (why: string) => GatewayError): AuthorizerOutcome {
  if (!isObject(parsed)) throw fail('the result is not a JSON object');
  const { principalId, policyDocument, context, usageIdentifierKey } = parsed;
  if (principalId !== undefined && typeof principalId !== 'string') throw fail('principalId is not a string');
  if (usageIdentifierKey !== undefined && typeof usageIdentifierKey !== 'string')
    throw fail('usageIdentifierKey is not a string');
  const statements = parsePolicyDocument(policyDocument);
  if (typeof statements === 'string') throw fail(statements);
  const values: Record<string, string> = {};
  if (context !== undefined && context !== null) {
    if (!isObject(context)) throw fail('context is not an object');
    for (const [name, value] of Object.entries(context)) {
      // API Gateway refuses objects and arrays in the context map; scalars arrive as strings.
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        values[name] = String(value);
      } else if (value !== null) {
        throw fail(
          `context.${name} is ${Array.isArray(value) ? 'an array' : 'an object'}; only strings, numbers and booleans may be passed`,
        );
      }
    }
  }
  return {
    principalId,
    statements,
    context: values,
    ...(usageIdentifierKey === undefined ? {} : { usageIdentifierKey }),
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
