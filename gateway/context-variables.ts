import { createHash } from 'node:crypto';
import { clientHeader } from './header-values';
import type { Invocation } from './invocation';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `$context.requestTime` in API Gateway's CLF format: 21/Nov/2026:13:45:02 +0000. */
export function requestTime(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

/** A stable 6-character resource id, as API Gateway gives each resource one. */
export function resourceId(apiId: string, resourcePath: string): string {
  return createHash('sha256').update(`${apiId}${resourcePath}`).digest('hex').slice(0, 6);
}

/** The `$context` variables of an invocation (the parts known so far). */
export function contextVariables(
  inv: Invocation,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const host = inv.request.nodeHeaders.host ?? 'localhost';
  const domainName = host.replace(/:\d+$/, '');
  const resourcePath = inv.resource?.path;
  return {
    accountId: inv.identity?.accountId ?? '123456789012',
    apiId: inv.apiId,
    // Filled by a Lambda authorizer; otherwise the map exists (keySet() and bracket access work) but is empty.
    authorizer: {
      ...inv.authorizer?.values,
      // A Cognito authorizer's claims: `$context.authorizer.claims.email`, `.claims['cognito:username']`.
      ...(inv.authorizer?.claims ? { claims: { ...inv.authorizer.claims } } : {}),
    },
    deploymentId: inv.apiId.slice(0, 6),
    domainName,
    domainPrefix: domainName.split('.')[0],
    extendedRequestId: inv.extendedRequestId,
    httpMethod: inv.request.httpMethod,
    identity: {
      accessKey: inv.identity?.accessKey ?? null,
      accountId: inv.identity?.accountId ?? null,
      // Set only for methods that require a key, once it is validated (gateway/access).
      apiKey: inv.apiKey?.value ?? null,
      apiKeyId: inv.apiKey?.id ?? null,
      caller: inv.identity?.caller ?? null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      principalOrgId: null,
      sourceIp: inv.sourceIp,
      user: inv.identity?.user ?? null,
      userAgent: clientHeader(inv, 'user-agent') ?? null,
      userArn: inv.identity?.userArn ?? null,
    },
    isCanaryRequest: false,
    path: `/${inv.stage}${inv.request.path}`,
    protocol: 'HTTP/1.1',
    requestId: inv.requestId,
    requestTime: requestTime(inv.requestTimeEpoch),
    requestTimeEpoch: inv.requestTimeEpoch,
    resourceId:
      inv.compiled?.resourceId ??
      (resourcePath === undefined ? undefined : resourceId(inv.apiId, resourcePath)),
    resourcePath,
    stage: inv.stage,
    ...extra,
  };
}
