import type { ServerResponse } from 'node:http';

/**
 * An error of the Lambda service itself (not of a function): its HTTP status, the error code sent
 * as `x-amzn-ErrorType`, and the message, in Lambda's REST-JSON error body.
 */
export class LambdaServiceError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** `User` for the caller's mistakes (Lambda's `Type` field); null for the front end's own errors. */
    readonly type: 'User' | 'Service' | null = 'User',
  ) {
    super(message);
    this.name = code;
  }

  /**
   * Lambda's own errors are `{"Type":"User","Message":"…"}` (its model's member names); the AWS
   * front end's (signatures, validation) are `{"message":"…"}`.
   */
  body(): string {
    return JSON.stringify(this.type ? { Type: this.type, Message: this.message } : { message: this.message });
  }
}

/** The errors the Invoke API and its front end answer with. */
export const LambdaErrors = {
  functionNotFound: (arn: string) =>
    new LambdaServiceError(404, 'ResourceNotFoundException', `Function not found: ${arn}`),
  validation: (message: string) => new LambdaServiceError(400, 'ValidationException', message, null),
  invalidParameter: (message: string) =>
    new LambdaServiceError(400, 'InvalidParameterValueException', message),
  invalidRequestContent: (message: string) =>
    new LambdaServiceError(400, 'InvalidRequestContentException', message),
  requestTooLarge: (limit: number) =>
    new LambdaServiceError(
      413,
      'RequestEntityTooLargeException',
      `Request must be smaller than ${limit} bytes for the InvokeFunction operation`,
    ),
  unknownOperation: () => new LambdaServiceError(404, 'UnknownOperationException', 'Unknown operation', null),
  missingAuthenticationToken: () =>
    new LambdaServiceError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token', null),
  unrecognizedClient: () =>
    new LambdaServiceError(
      403,
      'UnrecognizedClientException',
      'The security token included in the request is invalid.',
      null,
    ),
  invalidSignature: (message: string) =>
    new LambdaServiceError(403, 'InvalidSignatureException', message, null),
  incompleteSignature: (message: string) =>
    new LambdaServiceError(400, 'IncompleteSignatureException', message, null),
  service: (message: string) => new LambdaServiceError(500, 'ServiceException', message, 'Service'),
};

/** Writes a service error with its request id. */
export function sendServiceError(res: ServerResponse, error: LambdaServiceError, requestId: string): void {
  const body = error.body();
  res.writeHead(error.status, {
    'Content-Type': 'application/json',
    'Content-Length': String(Buffer.byteLength(body)),
    'x-amzn-RequestId': requestId,
    'x-amzn-ErrorType': error.code,
  });
  res.end(body);
}
