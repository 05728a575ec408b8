/**
 * The IAM policy a Lambda authorizer returns, checked against the method being called
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-lambda-authorizer-output.html):
 * `execute-api:Invoke` statements whose Resource patterns (`*` any run of characters, `?` one)
 * match the method ARN. An explicit Deny wins over any Allow; without a matching Allow the
 * call is denied too.
 */

/** One statement, normalised: actions and resources always lists. */
export interface PolicyStatement {
  effect: 'Allow' | 'Deny';
  actions: string[];
  resources: string[];
}

/** What a policy says about one method ARN. */
export type PolicyDecision = 'allow' | 'explicit-deny' | 'implicit-deny';

/** The statements of a policyDocument, or why it is not one API Gateway accepts. */
export function parsePolicyDocument(document: unknown): PolicyStatement[] | string {
  if (!isObject(document)) return 'policyDocument is not an object';
  const raw = document.Statement;
  const statements = Array.isArray(raw) ? raw : raw === undefined ? undefined : [raw];
  if (!statements || statements.length === 0) return 'policyDocument has no Statement';
  const parsed: PolicyStatement[] = [];
  for (const statement of statements) {
    if (!isObject(statement)) return 'a Statement is not an object';
    const effect = statement.Effect;
    if (effect !== 'Allow' && effect !== 'Deny') return `a Statement's Effect is ${JSON.stringify(effect)}`;
    const actions = stringList(statement.Action);
    const resources = stringList(statement.Resource);
    if (!actions) return "a Statement's Action is not a string or a list of strings";
    if (!resources) return "a Statement's Resource is not a string or a list of strings";
    parsed.push({ effect, actions, resources });
  }
  return parsed;
}

/** Evaluates statements for `execute-api:Invoke` on `methodArn`. */
export function evaluatePolicy(statements: readonly PolicyStatement[], methodArn: string): PolicyDecision {
  let allowed = false;
  for (const { effect, actions, resources } of statements) {
    if (!actions.some((a) => matches(a.toLowerCase(), 'execute-api:invoke'))) continue;
    if (!resources.some((r) => matches(r, methodArn))) continue;
    if (effect === 'Deny') return 'explicit-deny';
    allowed = true;
  }
  return allowed ? 'allow' : 'implicit-deny';
}

const compiled = new Map<string, RegExp>();

/** IAM wildcard matching: `*` any run of characters (`/` included), `?` exactly one. */
export function matches(pattern: string, value: string): boolean {
  let regex = compiled.get(pattern);
  if (!regex) {
    const source = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&')))
      .join('');
    regex = new RegExp(`^${source}$`, 's');
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, regex);
  }
  return regex.test(value);
}

function stringList(value: unknown): string[] | undefined {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string')) return value;
  return undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
