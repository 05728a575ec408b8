import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { ApiDefinition, IntegrationResponse, Method, Resource } from '../openapi/model';
import type { CallerIdentity } from './auth/sigv4';
import type { AwsServiceRequest } from './aws/request';
import type { CompiledMethod } from './compile';
import type { LifecycleObserver } from './lifecycle';
import type { BackendRequest } from './integrations/transport';
import type { RequestPayload } from './stages/request-payload';
import type { InvocationCache, ValidatedApiKey } from './access/types';

/** The method request as API Gateway sees it, after parsing and routing. */
export interface MethodRequest {
  /** The HTTP method the client used. */
  httpMethod: string;
  /** The raw request target (path?query) as received. */
  rawUrl: string;
  /**
   * The target as the client sent it, when a host app mounted the gateway under a prefix (Express
   * strips it from `rawUrl`): what the client signed.
   */
  originalUrl?: string;
  /** The path after the stage, still percent-encoded. */
  path: string;
  /** Client headers, names as sent (multi-valued), minus the ones API Gateway always drops. */
  headers: Record<string, string[]>;
  /** Node's lower-cased view of the same headers. */
  nodeHeaders: IncomingHttpHeaders;
  /** Query parameters, values decoded, in order of appearance. */
  querystring: Record<string, string[]>;
  /** Path parameters from the matched resource, still percent-encoded as AWS keeps them. */
  pathParameters: Record<string, string>;
  /**
   * The whole body, once a stage that reads it has made the lifecycle buffer it (templates,
   * validation, body mappings, Lambda; see prepareRequestBody); empty while the body streams.
   */
  body: Buffer;
  /** How the body is read: streamed, spooled or buffered, within the payload limit. */
  payload: RequestPayload;
}

/** What the integration hands back to the integration response stage. */
export interface IntegrationResult {
  status: number;
  /** Backend headers, names as received. */
  headers: Record<string, string[]>;
  /** Body bytes, either buffered or streamed. */
  body: { kind: 'buffer'; data: Buffer } | { kind: 'stream'; stream: Readable };
  /** The body is a Lambda function's JSON result (a base64 image comes as a JSON string). */
  lambdaResult?: boolean;
}

/** The method response about to be sent. */
export interface MethodResponseOut {
  status: number;
  headers: Record<string, string>;
  /** A stream's `length`, when known, is sent as Content-Length (else it goes chunked). */
  body: { kind: 'buffer'; data: Buffer } | { kind: 'stream'; stream: Readable; length?: number };
}

/**
 * The integration request, complete before the integration runs (the integration only sends it):
 * - `http`: an http or http_proxy call, URL, headers and body as they go on the wire;
 * - `aws`: a call to an AWS service (any: S3, Lambda, SQS...) before SigV4 signing, which the integration does;
 * - `mock`: the rendered request template, which only selects the integration response.
 */
export type IntegrationRequest =
  | { kind: 'http'; request: BackendRequest }
  | { kind: 'aws'; request: AwsServiceRequest }
  | { kind: 'mock'; body: Buffer };

/** One request travelling through the lifecycle; each stage fills its part. */
export interface Invocation {
  readonly api: ApiDefinition;
  readonly apiId: string;
  readonly stage: string;
  readonly stageVariables: Record<string, string>;
  readonly requestId: string;
  readonly extendedRequestId: string;
  readonly requestTimeEpoch: number;
  readonly sourceIp: string;
  /** The HTTP request this invocation serves (absent where a test builds an invocation by hand). */
  readonly incoming?: IncomingMessage;
  /** The payload limit of requests and responses, in bytes (Infinity: `--max-payload none`). */
  readonly maxPayload: number;
  /** `$context` as the mapping templates see and mutate it (overrides cross from request to response). */
  templateContext?: Record<string, unknown>;
  /** X-Amzn-Trace-Id sent to AWS-type backends and echoed to the client, as API Gateway does. */
  traceId?: string;
  request: MethodRequest;
  resource?: Resource;
  method?: Method;
  /** Everything about the matched method that depends only on the API, computed at load. */
  compiled?: CompiledMethod;
  identity?: CallerIdentity;
  /**
   * What a Lambda authorizer allowed the call with: principalId and its context map, stringified;
   * or, for a Cognito user-pool authorizer, the token's claims (strings).
   */
  authorizer?: {
    values: Record<string, string>;
    integrationLatency: number;
    claims?: Record<string, string>;
    usageIdentifierKey?: string;
  };
  /** The API key a key-required method was called with, once validated (gateway/access). */
  apiKey?: ValidatedApiKey;
  /** Stage cache state of this request (gateway/access/cache.ts). */
  cache?: InvocationCache;
  integrationRequest?: IntegrationRequest;
  /** The endpoint response, as the integration received it. */
  integrationResult?: IntegrationResult;
  /**
   * What selects the integration response: the backend's status, a Lambda errorMessage, a mock's
   * statusCode; undefined when only the default response may be chosen.
   */
  selection?: string;
  integrationResponse?: IntegrationResponse;
  /** The response the client gets. */
  methodResponse?: MethodResponseOut;
  /** Times and records the stages when tracing or access logging is on (gateway/observe/). */
  observer?: LifecycleObserver;
}
