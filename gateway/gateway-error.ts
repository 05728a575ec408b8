/**
 * The gateway response types of API Gateway
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html)
 * with their default status and error type.
 */
export const GATEWAY_RESPONSE_TYPES = {
  ACCESS_DENIED: { status: 403, errorType: 'AccessDeniedException' },
  API_CONFIGURATION_ERROR: { status: 500, errorType: 'InternalServerErrorException' },
  AUTHORIZER_CONFIGURATION_ERROR: { status: 500, errorType: 'AuthorizerConfigurationException' },
  AUTHORIZER_FAILURE: { status: 500, errorType: 'AuthorizerFailureException' },
  BAD_REQUEST_PARAMETERS: { status: 400, errorType: 'BadRequestException' },
  BAD_REQUEST_BODY: { status: 400, errorType: 'BadRequestException' },
  EXPIRED_TOKEN: { status: 403, errorType: 'ExpiredTokenException' },
  INTEGRATION_FAILURE: { status: 504, errorType: 'InternalServerErrorException' },
  INTEGRATION_TIMEOUT: { status: 504, errorType: 'InternalServerErrorException' },
  INVALID_API_KEY: { status: 403, errorType: 'ForbiddenException' },
  INVALID_SIGNATURE: { status: 403, errorType: 'InvalidSignatureException' },
  MISSING_AUTHENTICATION_TOKEN: { status: 403, errorType: 'MissingAuthenticationTokenException' },
  QUOTA_EXCEEDED: { status: 429, errorType: 'LimitExceededException' },
  REQUEST_TOO_LARGE: { status: 413, errorType: 'RequestTooLargeException' },
  RESOURCE_NOT_FOUND: { status: 404, errorType: 'ResourceNotFoundException' },
  THROTTLED: { status: 429, errorType: 'TooManyRequestsException' },
  UNAUTHORIZED: { status: 401, errorType: 'UnauthorizedException' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, errorType: 'BadRequestException' },
  WAF_FILTERED: { status: 403, errorType: 'WafFilteredException' },
} as const;

export type GatewayResponseType = keyof typeof GATEWAY_RESPONSE_TYPES;

/** How a GatewayError departs from its type's defaults. */
export interface GatewayErrorOptions {
  status?: number;
  errorType?: string;
  validationErrorString?: string;
  /** False when the API's gateway responses cannot apply (no deployed stage to take them from). */
  customisable?: boolean;
  /** `$context.error.message` is null, not a string (AUTHORIZER_CONFIGURATION_ERROR: `{"message":null}`). */
  nullMessage?: boolean;
  /** The key of the default body: `Message` where AWS capitalises it (resource-policy denials). */
  messageKey?: 'message' | 'Message';
}

/**
 * An error the gateway itself answers (never the backend's): rendered by the gateway response of
 * its type. `status` and `errorType` override the type's defaults where AWS deviates from its own
 * table (e.g. 502 for a malformed Lambda proxy result, IncompleteSignatureException).
 */
export class GatewayError extends Error {
  readonly status: number;
  readonly errorType: string;
  /** `$context.error.validationErrorString` of a request-validation failure. */
  readonly validationErrorString: string | undefined;
  /** Whether x-amazon-apigateway-gateway-responses may change it (REQUEST_TOO_LARGE never: AWS known issue). */
  readonly customisable: boolean;
  /** The message is JSON null (rendered `null` by `$context.error.messageString`). */
  readonly nullMessage: boolean;
  /** The key the default template writes the message under. */
  readonly messageKey: 'message' | 'Message';

  constructor(
    readonly type: GatewayResponseType,
    message: string,
    options: GatewayErrorOptions = {},
  ) {
    super(message);
    this.name = 'GatewayError';
    this.status = options.status ?? GATEWAY_RESPONSE_TYPES[type].status;
    this.errorType = options.errorType ?? GATEWAY_RESPONSE_TYPES[type].errorType;
    this.validationErrorString = options.validationErrorString;
    this.customisable = type !== 'REQUEST_TOO_LARGE' && options.customisable !== false;
    this.nullMessage = options.nullMessage === true;
    this.messageKey = options.messageKey ?? 'message';
  }
}

/** The errors the gateway raises, with AWS's messages. */
export const GatewayErrors = {
  missingAuthenticationToken: () =>
    new GatewayError('MISSING_AUTHENTICATION_TOKEN', 'Missing Authentication Token'),
  /**
   * A path whose first segment is not the served stage. Gateway responses are part of a stage's
   * deployment, and there is none here, so the API's customisations do not apply.
   */
  unknownStage: () =>
    new GatewayError('ACCESS_DENIED', 'Forbidden', { errorType: 'ForbiddenException', customisable: false }),
  /** The API is configured in a way that cannot work (API Gateway's "Internal server error"). */
  apiConfigurationError: () => new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error'),
  integrationFailure: () => new GatewayError('INTEGRATION_FAILURE', 'Internal server error', { status: 500 }),
  integrationTimeout: () => new GatewayError('INTEGRATION_TIMEOUT', 'Endpoint request timed out'),
  unsupportedMediaType: () => new GatewayError('UNSUPPORTED_MEDIA_TYPE', 'Unsupported Media Type'),
  requestTooLarge: () => new GatewayError('REQUEST_TOO_LARGE', 'Request Too Long'),
  /** No identity for a Lambda authorizer, or the authorizer said "Unauthorized". */
  unauthorized: () => new GatewayError('UNAUTHORIZED', 'Unauthorized'),
  /** A Lambda authorizer's policy refused the method: explicitly (Deny) or by not allowing it. */
  authorizerDenied: (explicit: boolean) =>
    new GatewayError(
      'ACCESS_DENIED',
      explicit
        ? 'User is not authorized to access this resource with an explicit deny'
        : 'User is not authorized to access this resource',
    ),
  /** A Lambda authorizer failed or answered something that is not a policy: `{"message":null}`. */
  authorizerConfigurationError: () =>
    new GatewayError('AUTHORIZER_CONFIGURATION_ERROR', '', { nullMessage: true }),
};
