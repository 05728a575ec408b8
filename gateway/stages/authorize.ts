import type { AccessKey } from '../../lib/accounts';
import { runLambdaAuthorizer, type LambdaAuthorizerDeps } from '../auth/lambda-authorizer';
import { verifyCaller } from '../auth/sigv4';
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
}

/**
 * Runs the method's authorization: AWS_IAM verifies the caller's SigV4 signature; CUSTOM runs the
 * method's TOKEN or REQUEST Lambda authorizer.
 */
export function authorize(inv: Invocation, rt: GatewayRuntime): void | Promise<void> {
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
    default:
      settings.log.error(
        `${inv.requestId} ${method.pointer}: ${method.authorizationType} authorizers are not supported yet`,
      );
      throw GatewayErrors.apiConfigurationError();
  }
}
