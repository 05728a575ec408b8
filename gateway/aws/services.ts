/**
 * What API Gateway needs to know about an AWS service to call it from an `aws` integration: the
 * name it signs for, the host an operation lives on, and, for the JSON-protocol services whose
 * `action/` uris work on AWS with no header mapped, the Content-Type and X-Amz-Target it adds.
 * See docs/aws-integrations.md for the evidence behind each entry.
 */

/** The JSON protocol of a service: what a request must carry for the service to find the operation. */
export interface JsonProtocol {
  /** `application/x-amz-json-1.0` or `-1.1`, from the service's API model. */
  contentType: string;
  /** `X-Amz-Target: {targetPrefix}.{Operation}`. */
  targetPrefix: string;
}

/**
 * Services whose `action/` uris API Gateway completes with the protocol's Content-Type and
 * X-Amz-Target when the integration maps none: AWS's own DynamoDB, Kinesis and Step Functions
 * examples map neither header (or only Content-Type) and work, and these services refuse a
 * request without them. EventBridge is absent on purpose: AWS's samples set both headers
 * themselves (`$context.requestOverride.header`), as SQS's JSON protocol maps them.
 */
const ACTION_JSON_PROTOCOL: Record<string, JsonProtocol> = {
  dynamodb: { contentType: 'application/x-amz-json-1.0', targetPrefix: 'DynamoDB_20120810' },
  kinesis: { contentType: 'application/x-amz-json-1.1', targetPrefix: 'Kinesis_20131202' },
  states: { contentType: 'application/x-amz-json-1.0', targetPrefix: 'AWSStepFunctions' },
};

/** Where the signing name differs from the uri's service (the endpoint prefix), from the service models. */
const SIGNING_NAMES: Record<string, string> = {
  email: 'ses',
  'appsync-api': 'appsync',
};

/** Operations the service model puts on a host prefix (`hostPrefix` of the operation's endpoint trait). */
const HOST_PREFIXES: Record<string, Record<string, string>> = {
  // https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartSyncExecution.html
  states: { StartSyncExecution: 'sync-' },
};

/** The SigV4 service name for a uri's `{subdomain.}{service}`. */
export function signingNameOf(service: string, subdomain: string | undefined): string {
  if (service === 'iot' && subdomain !== undefined && /(^|\.)data$/.test(subdomain)) return 'iotdata';
  return SIGNING_NAMES[service] ?? service;
}

/** The host prefix of an operation (`sync-` for StartSyncExecution), or '' when it has none. */
export function hostPrefixOf(service: string, action: string | undefined): string {
  return action === undefined ? '' : (HOST_PREFIXES[service]?.[action] ?? '');
}

/** The protocol headers API Gateway adds to an `action/` uri of this service, when it adds any. */
export function actionJsonProtocol(service: string, subdomain: string | undefined): JsonProtocol | undefined {
  return subdomain === undefined ? ACTION_JSON_PROTOCOL[service] : undefined;
}
