import type { ImportContext } from './context';
import type { AuthorizationType, Authorizer } from './model';
import { pointerTo } from './problems';
import { describe, isObject, JsonObject } from './values';

/** What a security scheme means to API Gateway. */
type SchemeMeaning =
  | { kind: 'authorizer'; authorizationType: 'CUSTOM' | 'COGNITO_USER_POOLS' }
  | { kind: 'aws-iam' }
  | { kind: 'api-key' }
  | { kind: 'other'; type: string };

export interface SecuritySchemes {
  meanings: Map<string, SchemeMeaning>;
  authorizers: Record<string, Authorizer>;
  /** Where the schemes are declared, for messages. */
  where: string;
}

export interface MethodSecurity {
  authorizationType: AuthorizationType;
  authorizerName: string | undefined;
  apiKeyRequired: boolean;
  authorizationScopes?: string[];
}

const AUTHORIZER_TYPES = ['token', 'request', 'cognito_user_pools'];

/** Reads `securityDefinitions` (2.0) / `components.securitySchemes` (3.x) and the authorizers they carry. */
export function readSecuritySchemes(ctx: ImportContext): SecuritySchemes {
  const swagger = ctx.format === 'swagger';
  const where = swagger ? 'securityDefinitions' : 'components.securitySchemes';
  const [holder, holderPointer, key] = swagger
    ? [ctx.document, '', 'securityDefinitions']
    : [isObject(ctx.document.components) ? ctx.document.components : {}, '/components', 'securitySchemes'];
  const pointer = pointerTo(holderPointer, key);
  const schemes = ctx.read.object(holder, key, holderPointer);
  const result: SecuritySchemes = { meanings: new Map(), authorizers: {}, where };
  for (const [name, written] of Object.entries(schemes ?? {})) {
    const located = ctx.refs.resolveObject(written, pointerTo(pointer, name), `security scheme '${name}'`);
    if (!located) continue;
    const meaning = schemeMeaning(ctx, name, located.value, located.pointer, result);
    if (meaning) result.meanings.set(name, meaning);
  }
  return result;
}

function schemeMeaning(
  ctx: ImportContext,
  name: string,
  scheme: JsonObject,
  pointer: string,
  result: SecuritySchemes,
): SchemeMeaning | undefined {
  const type = ctx.read.string(scheme, 'type', pointer) ?? '';
  const authorizer = ctx.read.object(scheme, 'x-amazon-apigateway-authorizer', pointer);
  if (authorizer) {
    const at = pointerTo(pointer, 'x-amazon-apigateway-authorizer');
    const authorizerType = ctx.read.string(authorizer, 'type', at)?.toLowerCase();
    if (authorizerType === undefined || !AUTHORIZER_TYPES.includes(authorizerType)) {
      ctx.problems.error(
        pointerTo(at, 'type'),
        `authorizer '${name}' needs a 'type' of token, request or cognito_user_pools` +
          (authorizer.type === undefined ? '' : `, not '${String(authorizer.type)}'`),
      );
      return undefined;
    }
    const headerName = type.toLowerCase() === 'apikey' && scheme.in === 'header' ? scheme.name : undefined;
    result.authorizers[name] = {
      name,
      type: authorizerType,
      authorizerUri: ctx.read.string(authorizer, 'authorizerUri', at),
      authorizerCredentials: ctx.read.string(authorizer, 'authorizerCredentials', at),
      // API Gateway reads a token authorizer's token from the scheme's header unless told otherwise.
      identitySource:
        ctx.read.string(authorizer, 'identitySource', at) ??
        (typeof headerName === 'string' ? `method.request.header.${headerName}` : undefined),
      identityValidationExpression: ctx.read.string(authorizer, 'identityValidationExpression', at),
      authorizerResultTtlInSeconds: ctx.read.integer(authorizer, 'authorizerResultTtlInSeconds', at),
      ...(authorizerType === 'cognito_user_pools'
        ? { providerARNs: readProviderArns(ctx, name, authorizer, at) }
        : {}),
      raw: authorizer,
    };
    return {
      kind: 'authorizer',
      authorizationType: authorizerType === 'cognito_user_pools' ? 'COGNITO_USER_POOLS' : 'CUSTOM',
    };
  }
  const authType = ctx.read.string(scheme, 'x-amazon-apigateway-authtype', pointer);
  if (authType?.toLowerCase() === 'awssigv4') return { kind: 'aws-iam' };
  if (
    type.toLowerCase() === 'apikey' &&
    scheme.in === 'header' &&
    typeof scheme.name === 'string' &&
    scheme.name.toLowerCase() === 'x-api-key'
  ) {
    return { kind: 'api-key' };
  }
  return { kind: 'other', type: type || 'without a type' };
}

/**
 * A method's authorization from the operation's `security` (else the root's) and its
 * `x-amazon-apigateway-auth`, which wins.
 */
export function methodSecurity(
  ctx: ImportContext,
  operation: JsonObject,
  pointer: string,
  schemes: SecuritySchemes,
): MethodSecurity {
  const result: MethodSecurity = {
    authorizationType: 'NONE',
    authorizerName: undefined,
    apiKeyRequired: false,
  };
  const own = operation.security !== undefined;
  const requirements = own
    ? ctx.read.array(operation, 'security', pointer)
    : ctx.read.array(ctx.document, 'security', '');
  const at = own ? pointerTo(pointer, 'security') : '/security';
  let authorizing: string | undefined;

  (requirements ?? []).forEach((requirement, i) => {
    if (!isObject(requirement)) {
      ctx.problems.error(
        pointerTo(at, i),
        `a security requirement must be an object, not ${describe(requirement)}`,
      );
      return;
    }
    for (const name of Object.keys(requirement)) {
      const meaning = schemes.meanings.get(name);
      if (!meaning) {
        // A scheme that failed to parse was reported where it is declared.
        if (!Object.hasOwn(declaredSchemes(ctx), name)) {
          ctx.problems.error(
            pointerTo(at, i, name),
            `security scheme '${name}' is not declared in ${schemes.where}`,
          );
        }
        continue;
      }
      if (meaning.kind === 'api-key') {
        result.apiKeyRequired = true;
        continue;
      }
      if (meaning.kind === 'other') {
        ctx.problems.warning(
          pointerTo(at, i, name),
          `security scheme '${name}' (${meaning.type}) means nothing to API Gateway without x-amazon-apigateway-authorizer; ignored`,
        );
        continue;
      }
      if (authorizing !== undefined && authorizing !== name) {
        ctx.problems.warning(
          pointerTo(at, i, name),
          `a method has one authorizer: '${authorizing}' is used, '${name}' is ignored`,
        );
        continue;
      }
      authorizing = name;
      if (meaning.kind === 'aws-iam') {
        result.authorizationType = 'AWS_IAM';
      } else {
        result.authorizationType = meaning.authorizationType;
        result.authorizerName = name;
        // A Cognito requirement's list is the method's authorizationScopes (empty: none).
        const scopes = requirement[name];
        if (
          meaning.authorizationType === 'COGNITO_USER_POOLS' &&
          Array.isArray(scopes) &&
          scopes.length > 0
        ) {
          if (scopes.every((s) => typeof s === 'string' && s !== '')) result.authorizationScopes = scopes;
          else ctx.problems.error(pointerTo(at, i, name), 'authorization scopes must be non-empty strings');
        }
      }
    }
  });

  const auth = ctx.read.object(operation, 'x-amazon-apigateway-auth', pointer);
  if (auth) {
    const authAt = pointerTo(pointer, 'x-amazon-apigateway-auth');
    const type = ctx.read.string(auth, 'type', authAt)?.toUpperCase();
    if (type === 'AWS_IAM' || type === 'NONE') {
      result.authorizationType = type;
      result.authorizerName = undefined;
      delete result.authorizationScopes;
    } else {
      ctx.problems.error(
        pointerTo(authAt, 'type'),
        `x-amazon-apigateway-auth type must be AWS_IAM or NONE` +
          (auth.type === undefined ? '' : `, not '${String(auth.type)}'`),
      );
    }
  }
  return result;
}

/** A Cognito user pool's ARN: `arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}`. */
export const USER_POOL_ARN =
  /^arn:aws[a-z-]*:cognito-idp:([a-z0-9-]+):(\d{12}):userpool\/([\w-]+_[0-9A-Za-z]+)$/;

/** A cognito_user_pools authorizer's providerARNs: at least one, each a user pool ARN. */
function readProviderArns(ctx: ImportContext, name: string, authorizer: JsonObject, at: string): string[] {
  const arns = ctx.read.stringList(authorizer, 'providerARNs', at);
  if (!arns || arns.length === 0) {
    if (authorizer.providerARNs === undefined || (arns && arns.length === 0))
      ctx.problems.error(
        pointerTo(at, 'providerARNs'),
        `authorizer '${name}' (cognito_user_pools) needs providerARNs: the ARNs of its user pools`,
      );
    return [];
  }
  arns.forEach((arn, i) => {
    if (!USER_POOL_ARN.test(arn))
      ctx.problems.error(
        pointerTo(at, 'providerARNs', i),
        `'${arn}' is not a user pool ARN (arn:aws:cognito-idp:{region}:{account}:userpool/{poolId})`,
      );
  });
  return arns;
}

function declaredSchemes(ctx: ImportContext): JsonObject {
  const holder =
    ctx.format === 'swagger'
      ? ctx.document.securityDefinitions
      : isObject(ctx.document.components)
        ? ctx.document.components.securitySchemes
        : undefined;
  return isObject(holder) ? holder : {};
}
