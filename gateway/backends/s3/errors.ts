/**
 * One error type for the whole S3 protocol layer: a code, its HTTP status and message, and the
 * extra elements AWS puts into the <Error> document (BucketName, Key, Condition, ...).
 */
export class S3Error extends Error {
  /** Response headers the error carries besides its document (x-amz-delete-marker, ...). */
  readonly headers: Record<string, string> = {};

  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly fields: Record<string, string | number> = {},
  ) {
    super(message);
    this.name = 'S3Error';
  }

  /** The same error, answered with these headers too. */
  withHeaders(headers: Record<string, string>): this {
    Object.assign(this.headers, headers);
    return this;
  }
}

/** An error about one bucket, named in the document's <BucketName>. */
function aboutBucket(code: string, status: number, message: string): (bucket: string) => S3Error {
  return (bucket) => new S3Error(code, status, message, { BucketName: bucket });
}

/** The errors the emulator raises, with AWS's status codes and messages. */
export const S3Errors = {
  accessDenied: (message = 'Access Denied', fields: Record<string, string> = {}) =>
    new S3Error('AccessDenied', 403, message, fields),
  authorizationHeaderMalformed: (message: string, fields: Record<string, string> = {}) =>
    new S3Error('AuthorizationHeaderMalformed', 400, message, fields),
  authorizationQueryParametersError: (message: string) =>
    new S3Error('AuthorizationQueryParametersError', 400, message),
  badDigest: (message: string, fields: Record<string, string> = {}) =>
    new S3Error('BadDigest', 400, message, fields),
  bucketAlreadyExists: aboutBucket(
    'BucketAlreadyExists',
    409,
    'The requested bucket name is not available. The bucket namespace is shared by all users of the system. Please select a different name and try again.',
  ),
  bucketAlreadyOwnedByYou: aboutBucket(
    'BucketAlreadyOwnedByYou',
    409,
    'Your previous request to create the named bucket succeeded and you already own it.',
  ),
  bucketNotEmpty: aboutBucket('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty'),
  entityTooLarge: (proposed: number, max: number) =>
    new S3Error('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed size', {
      ProposedSize: proposed,
      MaxSizeAllowed: max,
    }),
  requestTimeout: () =>
    new S3Error(
      'RequestTimeout',
      400,
      'Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.',
    ),
  incompleteBody: (
    message = 'You did not provide the number of bytes specified by the Content-Length HTTP header',
  ) => new S3Error('IncompleteBody', 400, message),
  entityTooSmall: (partNumber: number, size: number, min: number, etag: string) =>
    new S3Error(
      'EntityTooSmall',
      400,
      'Your proposed upload is smaller than the minimum allowed object size.',
      {
        ProposedSize: size,
        MinSizeAllowed: min,
        PartNumber: partNumber,
        ETag: etag,
      },
    ),
  invalidChunkSize: (chunk: number, size: number) =>
    new S3Error(
      'InvalidChunkSizeError',
      400,
      'Only the last chunk is allowed to have a size less than 8192 bytes',
      {
        Chunk: chunk,
        BadChunkSize: size,
      },
    ),
  invalidPart: (partNumber?: number, etag?: string) =>
    new S3Error(
      'InvalidPart',
      400,
      "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
      partNumber === undefined ? {} : { PartNumber: partNumber, ETag: etag ?? '' },
    ),
  invalidPartOrder: () =>
    new S3Error(
      'InvalidPartOrder',
      400,
      'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
    ),
  invalidTag: (message: string) => new S3Error('InvalidTag', 400, message),
  malformedACL: () =>
    new S3Error(
      'MalformedACLError',
      400,
      'The XML you provided was not well-formed or did not validate against our published schema',
    ),
  malformedTrailer: () =>
    new S3Error(
      'MalformedTrailerError',
      400,
      'The request contained trailing data that was not well-formed or did not conform to our published schema.',
    ),
  noSuchUpload: (uploadId: string) =>
    new S3Error(
      'NoSuchUpload',
      404,
      'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
      { UploadId: uploadId },
    ),
  unexpectedContent: () => new S3Error('UnexpectedContent', 400, 'This request does not support content'),
  unresolvableGrantByEmailAddress: (email: string) =>
    new S3Error(
      'UnresolvableGrantByEmailAddress',
      400,
      'The e-mail address you provided does not match any account on record.',
      { EmailAddress: email },
    ),
  internalError: () =>
    new S3Error('InternalError', 500, 'We encountered an internal error. Please try again.'),
  invalidAccessKeyId: (accessKeyId: string) =>
    new S3Error(
      'InvalidAccessKeyId',
      403,
      'The AWS Access Key Id you provided does not exist in our records.',
      {
        AWSAccessKeyId: accessKeyId,
      },
    ),
  invalidArgument: (message: string, name?: string, value?: string) =>
    new S3Error(
      'InvalidArgument',
      400,
      message,
      name === undefined ? {} : { ArgumentName: name, ArgumentValue: value ?? '' },
    ),
  invalidBucketName: aboutBucket('InvalidBucketName', 400, 'The specified bucket is not valid.'),
  invalidDigest: (digest: string) =>
    new S3Error('InvalidDigest', 400, 'The Content-MD5 you specified is not valid.', {
      'Content-MD5': digest,
    }),
  invalidRange: (range: string, size: number) =>
    new S3Error('InvalidRange', 416, 'The requested range is not satisfiable', {
      RangeRequested: range,
      ActualObjectSize: size,
    }),
  invalidRequest: (message: string) => new S3Error('InvalidRequest', 400, message),
  invalidURI: () => new S3Error('InvalidURI', 400, "Couldn't parse the specified URI."),
  keyTooLong: (size: number) =>
    new S3Error('KeyTooLongError', 400, 'Your key is too long', { MaxSizeAllowed: 1024, Size: size }),
  malformedXML: () =>
    new S3Error(
      'MalformedXML',
      400,
      'The XML you provided was not well-formed or did not validate against our published schema',
    ),
  metadataTooLarge: (size: number, max: number) =>
    new S3Error('MetadataTooLarge', 400, 'Your metadata headers exceed the maximum allowed metadata size.', {
      Size: size,
      MaxSizeAllowed: max,
    }),
  invalidStorageClass: (requested: string) =>
    new S3Error('InvalidStorageClass', 400, 'The storage class you specified is not valid', {
      StorageClassRequested: requested,
    }),
  methodNotAllowed: (method: string, resourceType: string) =>
    new S3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.', {
      Method: method,
      ResourceType: resourceType,
    }),
  missingContentLength: () =>
    new S3Error('MissingContentLength', 411, 'You must provide the Content-Length HTTP header.'),
  noSuchBucket: aboutBucket('NoSuchBucket', 404, 'The specified bucket does not exist'),
  noSuchKey: (key: string) =>
    new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: key }),
  noSuchVersion: (key: string, versionId: string) =>
    new S3Error('NoSuchVersion', 404, 'The specified version does not exist.', {
      Key: key,
      VersionId: versionId,
    }),
  notImplemented: (
    message = 'A header you provided implies functionality that is not implemented',
    fields: Record<string, string> = {},
  ) => new S3Error('NotImplemented', 501, message, fields),
  preconditionFailed: (condition: string) =>
    new S3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold', {
      Condition: condition,
    }),
  requestTimeTooSkewed: (requestTime: string, serverTime: string) =>
    new S3Error(
      'RequestTimeTooSkewed',
      403,
      'The difference between the request time and the current time is too large.',
      { RequestTime: requestTime, ServerTime: serverTime, MaxAllowedSkewMilliseconds: 900000 },
    ),
  signatureDoesNotMatch: (fields: Record<string, string> = {}) =>
    new S3Error(
      'SignatureDoesNotMatch',
      403,
      'The request signature we calculated does not match the signature you provided. Check your key and signing method.',
      fields,
    ),
  contentSha256Mismatch: (client: string, computed: string) =>
    new S3Error(
      'XAmzContentSHA256Mismatch',
      400,
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
      { ClientComputedContentSHA256: client, S3ComputedContentSHA256: computed },
    ),
};
