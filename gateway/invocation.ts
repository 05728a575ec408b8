import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { ApiDefinition, IntegrationResponse, Method, Resource } from '../openapi/model';
import type { CallerIdentity } from './auth/sigv4';
import type { RequestPayload } from './stages/request-payload';

/** The method request as API Gateway sees it, after parsing and routing. */
export interface MethodRequest {
  /** The HTTP method the client used. */
  httpMethod: string;
  /** The raw request target (path?query) as received. */
  rawUrl: string;
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
  /** The payload limit of requests and responses, in bytes (Infinity: `--max-payload none`). */
  readonly maxPayload: number;
  /** `$context` as the mapping templates see and mutate it (overrides cross from request to response). */
  templateContext?: Record<string, unknown>;
  /** X-Amzn-Trace-Id sent to AWS-type backends and echoed to the client, as API Gateway does. */
  traceId?: string;
  request: MethodRequest;
  resource?: Resource;
  method?: Method;
  identity?: CallerIdentity;
  /** What a Lambda authorizer allowed the call with: principalId and its context map, stringified. */
  authorizer?: { values: Record<string, string>; integrationLatency: number };
  integrationResult?: IntegrationResult;
  integrationResponse?: IntegrationResponse;
}
