import type { IncomingMessage, ServerResponse } from 'node:http';
import { contextVariables } from '../context-variables';
import type { GatewayError } from '../gateway-error';
import { IntegrationNetworkError } from '../integrations/transport';
import type { Invocation } from '../invocation';
import type { Logger } from '../log';
import { AccessLogWriter, lookupPath, type AccessLogSetting, type AccessLogValues } from './access-log';
import { RequestObserver, traceError, type TraceRecord } from './trace';

/** The request header that asks for a request's trace in its response (honoured only when tracing is on). */
export const TRACE_REQUEST_HEADER = 'x-apigw-trace';

/** One finished request as the console lists it. */
export interface RecentRequest {
  trace: TraceRecord;
  /** Its access log line, when access logging is on. */
  accessLog: string | undefined;
}

/** Where finished requests go besides the log (the console keeps the last few). */
export interface RequestSink {
  add(request: RecentRequest): void;
  /** Whether anyone looks at these requests now: only then are requests traced for the sink. */
  watched(): boolean;
}

export interface ObservabilityOptions {
  /** `--trace`: every request's trace is written as one log line. */
  trace: boolean;
  accessLog: AccessLogWriter | undefined;
  /** The console's store of recent requests: with it, every request is traced. */
  recent: RequestSink | undefined;
  log: Logger;
}

function headerOf(headers: Record<string, string[]> | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
  return key === undefined ? undefined : headers[key].at(-1);
}

/** The access log variables of a finished request, as API Gateway fills them. */
export function accessLogValues(
  observer: RequestObserver,
  inv: Invocation,
  res: ServerResponse,
  latencyMs: number,
): AccessLogValues {
  const result = inv.integrationResult;
  const called = inv.integrationRequest !== undefined && inv.integrationRequest.kind !== 'mock';
  const backendStatus = called ? result?.status : undefined;
  // A Lambda proxy's integration.status is the function's statusCode; the Lambda service's own
  // status is integrationStatus (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html).
  const integrationStatus =
    inv.compiled?.integration.type === 'AWS_PROXY' && inv.methodResponse
      ? inv.methodResponse.status
      : backendStatus;
  const endpointRequestId = called
    ? (headerOf(result?.headers, 'x-amzn-requestid') ?? headerOf(result?.headers, 'x-amz-request-id'))
    : undefined;
  const integrationLatency = called ? observer.durationOf('integration') : undefined;
  const error = observer.error;
  const authorizerLatency = inv.authorizer ? observer.durationOf('authorize') : undefined;
  const flat: Record<string, unknown> = {
    status: res.statusCode,
    responseLength: inv.request.httpMethod === 'HEAD' ? 0 : observer.responseLength(),
    responseLatency: Math.round(latencyMs),
    integrationLatency,
    'integration.latency': integrationLatency,
    'integration.status': integrationStatus,
    integrationStatus: backendStatus,
    'integration.integrationStatus': backendStatus,
    'integration.error': observer.integrationError,
    integrationErrorMessage: observer.integrationError,
    'integration.requestId': endpointRequestId,
    awsEndpointRequestId: endpointRequestId,
    'error.message': error?.message,
    'error.messageString': error ? JSON.stringify(error.message) : undefined,
    'error.responseType': error?.responseType,
    'authorizer.latency': authorizerLatency,
    'authorizer.integrationLatency': inv.authorizer?.integrationLatency,
    'authorize.latency': inv.identity || inv.authorizer ? observer.durationOf('authorize') : undefined,
    xrayTraceId: inv.traceId,
  };
  const context = contextVariables(inv);
  return (name) => (Object.hasOwn(flat, name) ? flat[name] : lookupPath(context, name));
}

/**
 * What watches requests: traces (log lines, the console, the `X-Apigw-Trace` header) and access
 * logs. With none of them on, `begin` returns undefined and a request is not timed at all.
 */
export class Observability {
  constructor(private readonly options: ObservabilityOptions) {}

  /**
   * Whether requests are traced now (the `X-Apigw-Trace` header is honoured only then): with
   * `--trace`, or while the console is open (a server nobody watches pays nothing for it).
   */
  get tracing(): boolean {
    return this.options.trace || (this.options.recent?.watched() ?? false);
  }

  /** An observer for a request, or undefined when nothing watches. */
  begin(req: IncomingMessage): RequestObserver | undefined {
    const tracing = this.tracing;
    if (!tracing && !this.options.accessLog) return undefined;
    return new RequestObserver(tracing, tracing && req.headers[TRACE_REQUEST_HEADER] === '1');
  }

  /** The gateway answered with a gateway response: for the trace and `$context.error.*`. */
  failed(observer: RequestObserver, error: GatewayError, cause: unknown): void {
    observer.error = traceError(error);
    if (cause instanceof IntegrationNetworkError) observer.integrationError = cause.message;
  }

  /** The request is over (the response sent, or the client gone): its access log line and trace. */
  finish(observer: RequestObserver, inv: Invocation, res: ServerResponse): void {
    const latency = observer.elapsed();
    let line: string | undefined;
    if (this.options.accessLog)
      line = this.options.accessLog.write(accessLogValues(observer, inv, res, latency));
    if (!observer.detailed) return;
    const trace = observer.record(inv, res.statusCode, Math.round(latency * 1000) / 1000);
    if (this.options.trace) this.options.log.info(`trace ${JSON.stringify(trace)}`);
    this.options.recent?.add({ trace, accessLog: line });
  }

  /** Closes the access log file, if any. */
  close(): Promise<void> {
    return this.options.accessLog?.close() ?? Promise.resolve();
  }
}

/** Observability as the config asks for it; undefined when nothing watches requests. */
export function observabilityFor(
  config: { accessLog?: AccessLogSetting; trace?: boolean },
  log: Logger,
  recent?: RequestSink,
): Observability | undefined {
  if (!config.accessLog && !config.trace && !recent) return undefined;
  return new Observability({
    trace: config.trace ?? false,
    accessLog: config.accessLog ? new AccessLogWriter(config.accessLog) : undefined,
    recent,
    log,
  });
}
