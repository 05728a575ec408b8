import type { AccessKey } from '../../lib/accounts';
import { runLambdaAuthorizer, type LambdaAuthorizerDeps } from '../auth/lambda-authorizer';
import { verifyCaller } from '../auth/sigv4';
import { runCognitoAuthorizer, type CognitoPools } from '../auth/cognito';
import { API_ACCOUNT, policyDenied, type ResourcePolicy } from '../auth/resource-policy';
import { GatewayErrors } from '../gateway-error';
import type { Invocation } from '../invocation';
import type { Logger } from '../log';
import type { GatewayRuntime } from '../runtime';

/** How callers are authenticated. */
export interface AuthorizationSettings {
  lookup: (accessKeyId: string) => AccessKey | undefined;
  /** When set, the credential scope's region must equal it. */
  region: string | undefined;
  /** Accept curl 7.x's single-encoded canonical path too (opt-in, logged). */
  sigv4Compat: boolean;
  log: Logger;
  /** What CUSTOM (Lambda) authorizers need. */
  lambdaAuthorizers: LambdaAuthorizerDeps;
  /** The user pools of COGNITO_USER_POOLS authorizers, with their keys. */
  cognito?: CognitoPools;
  /** The API's resource policy, when it has one. */
  resourcePolicy?: ResourcePolicy;
}

/**
 * Runs the method's authorization: AWS_IAM verifies the caller's SigV4 signature; CUSTOM runs the
 * method's TOKEN or REQUEST Lambda authorizer; COGNITO_USER_POOLS verifies a user pool's token.
 * With a resource policy, as in AWS's authorization flow
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-authorization-flow.html):
 * a NONE method needs its explicit Allow; a Lambda-authorizer method is refused on an explicit Deny
 * before its authorizer runs; Cognito and same-account AWS_IAM callers are refused on an explicit
 * Deny after authenticating; a SigV4 caller of another account (every apigw key has an account of
 * its own) needs the policy's Allow too.
 */
export function authorize(inv: Invocation, rt: GatewayRuntime): void | Promise<void> {
  const policy = rt.authorization.resourcePolicy;
  if (!policy) return authenticate(inv, rt);
  // The resource policy around the method's own authorization (docs/cors-and-authorizers.md).
  const type = inv.method!.authorizationType;
  if (type === 'NONE' || type === 'CUSTOM') checkPolicy(inv, policy, type === 'NONE' ? 'allow' : 'no-deny');
  const pending = authenticate(inv, rt);
  if (type !== 'AWS_IAM' && type !== 'COGNITO_USER_POOLS') return pending;
  // Once the caller is known: a signed caller of another account needs the policy's Allow; anyone
  // else only no Deny.
  const after = () =>
    checkPolicy(
      inv,
      policy,
      type === 'AWS_IAM' && inv.identity?.accountId !== API_ACCOUNT ? 'allow' : 'no-deny',
    );
  return pending ? pending.then(after) : after();
}

/**
 * Throws API Gateway's 403 unless the policy allows the request (`allow`: an explicit Allow is
 * needed) or at least does not deny it explicitly (`no-deny`).
 */
function checkPolicy(inv: Invocation, policy: ResourcePolicy, needs: 'allow' | 'no-deny'): void {
  const request = policy.requestOf(inv);
  const decision = policy.evaluate(request);
  if (decision === 'explicit-deny') throw policyDenied(request, true);
  if (decision === 'implicit-deny' && needs === 'allow') throw policyDenied(request, false);
}

/** The method's own authorization type. */
function authenticate(inv: Invocation, rt: GatewayRuntime): void | Promise<void> {
  const method = inv.method!;
  const settings = rt.authorization;
  switch (method.authorizationType) {
    case 'NONE':
      return;
    case 'AWS_IAM':
      inv.identity = verifyCaller(
        {
          method: inv.request.httpMethod,
          // Behind a mount prefix the client signed the whole path (as behind a custom domain's base path).
          rawUrl: inv.request.originalUrl ?? inv.request.rawUrl,
          headers: inv.request.nodeHeaders,
          body: inv.request.body,
          // Read (buffered or spooled) by prepareRequestBody for every AWS_IAM method.
          payloadSha256: inv.request.payload.payloadSha256(),
        },
        {
          lookup: settings.lookup,
          region: settings.region,
          compat: settings.sigv4Compat,
          onCompat: (detail) =>
            settings.log.warn(`${inv.requestId} signature accepted by --sigv4-compat only: ${detail}`),
        },
      );
      return;
    case 'CUSTOM': {
      const authorizer = inv.compiled!.authorizer;
      if (authorizer && (authorizer.type === 'token' || authorizer.type === 'request')) {
        return runLambdaAuthorizer(inv, authorizer, settings.lambdaAuthorizers);
      }
      settings.log.error(`${inv.requestId} ${method.pointer}: its authorizer is not declared in the API`);
      throw GatewayErrors.apiConfigurationError();
    }
    case 'COGNITO_USER_POOLS': {
      const authorizer = inv.compiled!.authorizer;
      if (authorizer?.type === 'cognito_user_pools' && settings.cognito) {
        return runCognitoAuthorizer(inv, authorizer, settings.cognito, settings.log);
      }
      settings.log.error(
        `${inv.requestId} ${method.pointer}: its user-pool authorizer is not declared in the API`,
      );
      throw GatewayErrors.apiConfigurationError();
    }
    default:
      settings.log.error(
        `${inv.requestId} ${method.pointer}: ${method.authorizationType} authorizers are not supported yet`,
      );
      throw GatewayErrors.apiConfigurationError();
  }
}
