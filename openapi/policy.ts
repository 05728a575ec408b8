import { isIP } from 'node:net';
import type { ImportContext } from './context';
import type { ResourcePolicyDocument, ResourcePolicyStatement } from './model';
import { pointerTo } from './problems';
import { describe, isObject, type JsonObject } from './values';

const KEY = 'x-amazon-apigateway-policy';

/**
 * Condition operators a resource policy may use, checked here so that a policy apigw cannot
 * evaluate fails at load instead of allowing or denying by mistake. `…IfExists` variants too.
 */
export const CONDITION_OPERATORS = new Set([
  'IpAddress',
  'NotIpAddress',
  'StringEquals',
  'StringNotEquals',
  'StringEqualsIgnoreCase',
  'StringNotEqualsIgnoreCase',
  'StringLike',
  'StringNotLike',
  'Bool',
  'Null',
]);

/**
 * Condition keys apigw knows for execute-api (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-resource-policies-aws-condition-keys.html);
 * others are accepted with a warning and are absent from every request.
 */
export const CONDITION_KEYS = new Set([
  'aws:sourceip',
  'aws:referer',
  'aws:useragent',
  'aws:securetransport',
  'aws:principalarn',
  'aws:principalaccount',
  'aws:principaltype',
  'aws:userid',
  'aws:username',
  'aws:sourcevpc',
  'aws:sourcevpce',
]);

/**
 * The root `x-amazon-apigateway-policy` (an IAM policy document, or the same as a JSON string as
 * CloudFormation writes it): statements with Effect, Principal/NotPrincipal, Action/NotAction,
 * Resource/NotResource and Condition, each checked with its pointer.
 */
export function readResourcePolicy(ctx: ImportContext): ResourcePolicyDocument | undefined {
  let value = ctx.document[KEY];
  const pointer = pointerTo('', KEY);
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value) as unknown;
    } catch {
      ctx.problems.error(pointer, `${KEY} is a string that is not a JSON policy document`);
      return undefined;
    }
  }
  if (!isObject(value)) {
    ctx.problems.error(pointer, `${KEY} must be a policy document (an object), not ${describe(value)}`);
    return undefined;
  }
  const raw = value.Statement;
  const list = Array.isArray(raw) ? raw : isObject(raw) ? [raw] : undefined;
  if (!list || list.length === 0) {
    ctx.problems.error(
      pointerTo(pointer, 'Statement'),
      'a policy document needs a Statement (a list of statements)',
    );
    return undefined;
  }
  const statements: ResourcePolicyStatement[] = [];
  list.forEach((statement, i) => {
    const at = Array.isArray(raw) ? pointerTo(pointer, 'Statement', i) : pointerTo(pointer, 'Statement');
    const read = readStatement(ctx, statement, at);
    if (read) statements.push(read);
  });
  return { statements, pointer };
}

function readStatement(
  ctx: ImportContext,
  statement: unknown,
  at: string,
): ResourcePolicyStatement | undefined {
  if (!isObject(statement)) {
    ctx.problems.error(at, `a Statement must be an object, not ${describe(statement)}`);
    return undefined;
  }
  const effect = statement.Effect;
  if (effect !== 'Allow' && effect !== 'Deny') {
    ctx.problems.error(pointerTo(at, 'Effect'), `Effect must be Allow or Deny, not ${describe(effect)}`);
    return undefined;
  }
  const check = new StatementCheck(ctx);
  const principals = readPrincipal(check, statement, 'Principal', at);
  const notPrincipals = readPrincipal(check, statement, 'NotPrincipal', at);
  if (principals === undefined && notPrincipals === undefined) {
    ctx.problems.error(at, 'a resource policy statement needs a Principal (e.g. "*") or a NotPrincipal');
    return undefined;
  }
  const actions = readStrings(check, statement, 'Action', at);
  const notActions = readStrings(check, statement, 'NotAction', at);
  if (actions === undefined && notActions === undefined) {
    ctx.problems.error(at, 'a statement needs an Action (e.g. "execute-api:Invoke") or a NotAction');
    return undefined;
  }
  const resources = readStrings(check, statement, 'Resource', at);
  const notResources = readStrings(check, statement, 'NotResource', at);
  if (resources === undefined && notResources === undefined) {
    ctx.problems.error(at, 'a statement needs a Resource (e.g. "execute-api:/*") or a NotResource');
    return undefined;
  }
  const conditions = readConditions(check, statement, at);
  if (check.failed) return undefined;
  return {
    effect,
    principals,
    ...(notPrincipals === undefined ? {} : { notPrincipals }),
    actions,
    ...(notActions === undefined ? {} : { notActions }),
    resources,
    ...(notResources === undefined ? {} : { notResources }),
    conditions,
    pointer: at,
  };
}

/** `"*"`, `{"AWS": "*" | ARN | account | [...]}`; other principal types never call execute-api. */
function readPrincipal(
  check: StatementCheck,
  statement: JsonObject,
  key: string,
  at: string,
): '*' | string[] | undefined {
  const value = statement[key];
  if (value === undefined) return undefined;
  if (value === '*') return '*';
  const where = pointerTo(at, key);
  if (!isObject(value))
    return check.error(where, `${key} must be "*" or {"AWS": ...}, not ${describe(value)}`);
  const aws = value.AWS;
  const list = typeof aws === 'string' ? [aws] : aws;
  if (Array.isArray(list) && list.length > 0 && list.every((v) => typeof v === 'string')) {
    return list.includes('*') ? '*' : (list as string[]);
  }
  // Service or federated principals cannot be callers of an API: such a statement matches no one.
  if (aws === undefined && Object.keys(value).length > 0) return [];
  return check.error(
    pointerTo(where, 'AWS'),
    `${key}.AWS must be "*", an ARN or account id, or a list of them`,
  );
}

function readStrings(
  check: StatementCheck,
  statement: JsonObject,
  key: string,
  at: string,
): string[] | undefined {
  const value = statement[key];
  if (value === undefined) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (Array.isArray(list) && list.length > 0 && list.every((v) => typeof v === 'string'))
    return list as string[];
  return check.error(
    pointerTo(at, key),
    `${key} must be a string or a list of strings, not ${describe(value)}`,
  );
}

function readConditions(
  check: StatementCheck,
  statement: JsonObject,
  at: string,
): Record<string, Record<string, string[]>> {
  const out: Record<string, Record<string, string[]>> = {};
  const value = statement.Condition;
  if (value === undefined) return out;
  const where = pointerTo(at, 'Condition');
  if (!isObject(value)) {
    check.error(where, `Condition must be an object of operators, not ${describe(value)}`);
    return out;
  }
  for (const [operator, block] of Object.entries(value)) {
    const opAt = pointerTo(where, operator);
    if (!CONDITION_OPERATORS.has(operator.replace(/IfExists$/, ''))) {
      check.error(
        opAt,
        `condition operator ${operator} is not supported by apigw (supported: ${[...CONDITION_OPERATORS].join(', ')}, and their IfExists forms)`,
      );
      continue;
    }
    if (!isObject(block)) {
      check.error(opAt, `${operator} must map condition keys to values, not ${describe(block)}`);
      continue;
    }
    const keys: Record<string, string[]> = {};
    for (const [conditionKey, values] of Object.entries(block)) {
      const list = Array.isArray(values) ? values : [values];
      if (list.length === 0 || !list.every((v) => ['string', 'boolean', 'number'].includes(typeof v))) {
        check.error(pointerTo(opAt, conditionKey), `${conditionKey} must be a value or a list of values`);
        continue;
      }
      const base = operator.replace(/IfExists$/, '');
      const badAddress = list.find((v) => typeof v !== 'string' || !isAddressOrCidr(v));
      if ((base === 'IpAddress' || base === 'NotIpAddress') && badAddress !== undefined) {
        check.error(
          pointerTo(opAt, conditionKey),
          `${JSON.stringify(badAddress)} is not an IP address or CIDR block (e.g. 192.0.2.0/24)`,
        );
        continue;
      }
      if (!CONDITION_KEYS.has(conditionKey.toLowerCase())) {
        check.warning(
          pointerTo(opAt, conditionKey),
          `condition key ${conditionKey} is not known to apigw: it is absent from every request`,
        );
      }
      keys[conditionKey] = list.map(String);
    }
    out[operator] = keys;
  }
  return out;
}

/** Reports a statement's problems and remembers whether one was an error (the statement is then dropped). */
class StatementCheck {
  failed = false;

  constructor(private readonly ctx: ImportContext) {}

  error(pointer: string, message: string): undefined {
    this.ctx.problems.error(pointer, message);
    this.failed = true;
    return undefined;
  }

  warning(pointer: string, message: string): void {
    this.ctx.problems.warning(pointer, message);
  }
}

/** `192.0.2.7`, `192.0.2.0/24`, `2001:db8::/32`. */
export function isAddressOrCidr(text: string): boolean {
  const [address, bits, extra] = text.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  return /^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
}
