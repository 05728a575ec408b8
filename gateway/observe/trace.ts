import { performance } from 'node:perf_hooks';
import { Transform, type Readable } from 'node:stream';
import { GatewayError } from '../gateway-error';
import type { IntegrationRequest, Invocation, MethodResponseOut } from '../invocation';
import type { LifecycleObserver, Stage } from '../lifecycle';
import type { BackendBody } from '../integrations/transport';
import type { GatewayRuntime } from '../runtime';
import { maskHeader, maskHeaders, maskJsonBody, maskQueryValue, maskTarget, maskText } from './redact';

/** Bytes of each body a trace keeps (the rest is counted, not kept). */
export const TRACE_BODY_BYTES = 4096;

/** One stage of the lifecycle as it ran: when, how long, what it produced or why it failed. */
export interface StageRecord {
  name: string;
  /** Milliseconds from the request's arrival to the stage's start. */
  startMs: number;
  durationMs: number;
  /** What the stage produced, as API Gateway console's Test shows it (traces only). */
  detail?: Record<string, unknown>;
  /** The gateway error the stage ended the request with. */
  error?: TraceError;
}

export interface TraceError {
  /** The gateway response type (DEFAULT_4XX, INTEGRATION_TIMEOUT…), or the failure apigw saw. */
  responseType: string;
  status: number;
  message: string;
}

/** The execution record of one request: every stage of the lifecycle, in order. */
export interface TraceRecord {
  requestId: string;
  extendedRequestId: string;
  /** ISO time of arrival. */
  time: string;
  httpMethod: string;
  /** The request target as received, signatures in its query masked. */
  path: string;
  resourcePath: string | undefined;
  status: number | undefined;
  latencyMs: number | undefined;
  stages: StageRecord[];
  /** The gateway response the client got instead of a method response, if any. */
  error?: TraceError;
}

/** A transform that counts the bytes passing through and keeps the first few. */
class BodyTap extends Transform {
  bytes = 0;
  private readonly kept: Buffer[] = [];
  private keptLength = 0;

  constructor(private readonly limit: number) {
    super();
  }

  override _transform(
    chunk: Buffer,
    _encoding: BufferEncoding,
    done: (e?: Error | null, c?: Buffer) => void,
  ) {
    this.bytes += chunk.length;
    if (this.keptLength < this.limit) {
      const part = chunk.subarray(0, this.limit - this.keptLength);
      this.kept.push(part);
      this.keptLength += part.length;
    }
    done(null, chunk);
  }

  preview(): string {
    return bodyPreview(Buffer.concat(this.kept), this.bytes);
  }
}

/**
 * Puts a tap between a stream and its reader: errors pass on, and a reader that gives up (the
 * client went away) still cuts the source, as it would have without the tap.
 */
function tap(stream: Readable, limit: number): BodyTap {
  const counter = new BodyTap(limit);
  stream.once('error', (e) => counter.destroy(e));
  counter.once('close', () => {
    if (!stream.destroyed && !stream.readableEnded) stream.destroy();
  });
  stream.pipe(counter);
  return counter;
}

/** Control characters other than tab, line feed, vertical tab, form feed and carriage return. */
function hasControlBytes(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 && (c < 0x09 || c > 0x0d)) return true;
  }
  return false;
}

/** Text as it is (cut at TRACE_BODY_BYTES), or a note for bytes that are not text. */
export function bodyPreview(data: Buffer, total = data.length): string {
  if (total === 0) return '';
  const text = data.toString('utf8');
  // Replacement characters (not from a character cut at the end) or control bytes mean binary.
  const whole = total > data.length ? text.slice(0, -2) : text;
  if (whole.includes('\ufffd') || hasControlBytes(whole)) return `[binary, ${total} bytes]`;
  if (total > data.length) return `${maskText(text)}… [${total} bytes in all]`;
  return maskJsonBody(text) ?? maskText(text);
}

function backendBodyPreview(body: BackendBody): string {
  if (Buffer.isBuffer(body)) return bodyPreview(body.subarray(0, TRACE_BODY_BYTES), body.length);
  return `[streamed${body.length === undefined ? '' : `, ${body.length} bytes`}]`;
}

/** How the trace names an error a stage threw. */
export function traceError(e: unknown): TraceError {
  if (e instanceof GatewayError) return { responseType: e.type, status: e.status, message: e.message };
  const name = (e as Error)?.name ?? 'Error';
  return { responseType: name, status: 500, message: (e as Error)?.message ?? String(e) };
}

function describeIntegrationRequest(request: IntegrationRequest): Record<string, unknown> {
  switch (request.kind) {
    case 'http': {
      const r = request.request;
      return {
        method: r.method,
        uri: `${r.url.origin}${maskTarget(r.target)}`,
        headers: maskHeaders(r.headers),
        body: backendBodyPreview(r.body),
        timeoutMs: r.timeoutMs,
      };
    }
    case 'aws': {
      const r = request.request;
      const query = r.query
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(maskQueryValue(k, v))}`)
        .join('&');
      return {
        service: r.service,
        region: r.region,
        method: r.method,
        uri: `${r.endpoint.origin}${r.path}${query ? `?${query}` : ''}`,
        headers: maskHeaders(r.headers),
        body: backendBodyPreview(r.body),
        signing: `SigV4 for ${r.service} in ${r.region}, when sent`,
        timeoutMs: r.timeoutMs,
      };
    }
    case 'mock':
      return { body: bodyPreview(request.body.subarray(0, TRACE_BODY_BYTES), request.body.length) };
  }
}

/** Why the integration response stage chose what it chose, in words. */
function selectionReason(inv: Invocation): Record<string, unknown> {
  const type = inv.compiled?.integration.type;
  if (type === 'HTTP_PROXY') return { reason: 'http_proxy: the endpoint response is passed through' };
  if (type === 'AWS_PROXY')
    return { reason: "Lambda proxy: the function's statusCode, headers and body make the method response" };
  const selected = inv.integrationResponse;
  if (!selected) return { selection: inv.selection ?? null, reason: 'no integration response matched' };
  const reason =
    inv.selection === undefined
      ? 'no selection string (a mock without a request template): the default response'
      : selected.selectionPattern === undefined
        ? `${JSON.stringify(inv.selection)} matched no selectionPattern: the default response`
        : `${JSON.stringify(inv.selection)} matched selectionPattern ${JSON.stringify(selected.selectionPattern)}`;
  return {
    selection: inv.selection ?? null,
    selected: {
      statusCode: selected.statusCode,
      selectionPattern: selected.selectionPattern ?? 'default',
      pointer: selected.pointer,
    },
    reason,
  };
}

/**
 * Watches one request through the lifecycle: the time of each stage always (access logs need the
 * integration latency), and with `detailed` what each stage produced, for a trace.
 */
export class RequestObserver implements LifecycleObserver {
  readonly stages: StageRecord[] = [];
  /** The gateway error the client got, set when the server renders it. */
  error: TraceError | undefined;
  /** Why the integration call itself failed (network, timeout), for `$context.integration.error`. */
  integrationError: string | undefined;
  private readonly started = performance.now();
  private endpointTap: BodyTap | undefined;
  private responseTap: BodyTap | undefined;
  private methodRequestDetail: Record<string, unknown> | undefined;

  constructor(
    /** Keep what each stage produced (a trace), not only its time. */
    readonly detailed: boolean,
    /** The client asked for the trace (X-Apigw-Trace: 1) and tracing is on: it goes back as a header. */
    readonly returnTrace = false,
  ) {}

  /** Milliseconds since the request arrived. */
  elapsed(): number {
    return Math.round((performance.now() - this.started) * 1000) / 1000;
  }

  async run(stages: readonly Stage[], inv: Invocation, rt: GatewayRuntime): Promise<void> {
    for (const stage of stages) {
      const record: StageRecord = { name: stage.name, startMs: this.elapsed(), durationMs: 0 };
      this.stages.push(record);
      try {
        const pending = stage.run(inv, rt);
        if (pending) await pending;
      } catch (e) {
        record.durationMs = round(this.elapsed() - record.startMs);
        record.error = traceError(e);
        throw e;
      }
      record.durationMs = round(this.elapsed() - record.startMs);
      this.after(stage.name, inv, record);
    }
  }

  /** Milliseconds the named stage took, when it ran. */
  durationOf(name: string): number | undefined {
    const record = this.stages.find((s) => s.name === name);
    return record === undefined ? undefined : Math.round(record.durationMs);
  }

  /** Bytes of a response body sent whole (a method response or a gateway response). */
  responseBytes: number | undefined;

  /** Bytes of the response body: counted as it streamed, else as sent whole. */
  responseLength(): number {
    return this.responseTap?.bytes ?? this.responseBytes ?? 0;
  }

  private after(name: string, inv: Invocation, record: StageRecord): void {
    if (name === 'method response') {
      // The response body is counted (access logs) and, for traces, its start kept.
      const out = inv.methodResponse;
      if (out?.body.kind === 'buffer') this.responseBytes = out.body.data.length;
      if (out?.body.kind === 'stream') {
        this.responseTap = tap(out.body.stream, this.detailed ? TRACE_BODY_BYTES : 0);
        out.body = { ...out.body, stream: this.responseTap };
      }
    }
    if (!this.detailed) return;
    switch (name) {
      case 'method request': {
        const r = inv.request;
        this.methodRequestDetail = record.detail = {
          httpMethod: r.httpMethod,
          path: maskTarget(r.rawUrl),
          resourcePath: inv.resource?.path,
          pathParameters: r.pathParameters,
          querystring: Object.fromEntries(
            Object.entries(r.querystring).map(([k, v]) => [k, v.map((x) => maskQueryValue(k, x))]),
          ),
          headers: maskHeaders(r.headers),
        };
        return;
      }
      case 'authorize':
        record.detail = {
          authorizationType: inv.method?.authorizationType,
          ...(inv.identity
            ? { caller: inv.identity.caller, user: inv.identity.user, userArn: inv.identity.userArn }
            : {}),
          ...(inv.authorizer
            ? { authorizer: inv.authorizer.values, authorizerLatencyMs: inv.authorizer.integrationLatency }
            : {}),
        };
        return;
      case 'validate':
        record.detail = { requestValidator: inv.method?.requestValidator ?? null };
        return;
      case 'integration request':
        if (inv.integrationRequest) record.detail = describeIntegrationRequest(inv.integrationRequest);
        return;
      case 'integration': {
        const result = inv.integrationResult;
        if (!result) return;
        let body = '';
        if (result.body.kind === 'buffer')
          body = bodyPreview(result.body.data.subarray(0, TRACE_BODY_BYTES), result.body.data.length);
        else {
          this.endpointTap = tap(result.body.stream, TRACE_BODY_BYTES);
          result.body = { kind: 'stream', stream: this.endpointTap };
        }
        record.detail = {
          status: result.status,
          headers: maskHeaders(result.headers),
          body,
          ...(inv.integrationRequest?.kind === 'mock' ? { selection: inv.selection ?? null } : {}),
        };
        return;
      }
      case 'integration response':
        record.detail = selectionReason(inv);
        return;
      case 'method response': {
        const out = inv.methodResponse;
        if (!out) return;
        record.detail = {
          status: out.status,
          headers: maskHeaders(out.headers),
          body:
            out.body.kind === 'buffer'
              ? bodyPreview(out.body.data.subarray(0, TRACE_BODY_BYTES), out.body.data.length)
              : '',
        };
        this.addTraceHeader(inv, out);
        return;
      }
    }
  }

  /**
   * The record so far: bodies that streamed are filled in with what passed (complete once the
   * response has been sent).
   */
  record(inv: Invocation, status: number | undefined, latencyMs: number | undefined): TraceRecord {
    if (this.methodRequestDetail && inv.request.body.length > 0)
      this.methodRequestDetail.body = bodyPreview(
        inv.request.body.subarray(0, TRACE_BODY_BYTES),
        inv.request.body.length,
      );
    const fill = (name: string, source: BodyTap | undefined) => {
      const detail = this.stages.find((s) => s.name === name)?.detail;
      if (detail && source) detail.body = source.preview();
    };
    fill('integration', this.endpointTap);
    fill('method response', this.responseTap);
    const trace: TraceRecord = {
      requestId: inv.requestId,
      extendedRequestId: inv.extendedRequestId,
      time: new Date(inv.requestTimeEpoch).toISOString(),
      httpMethod: inv.request.httpMethod,
      path: maskTarget(inv.request.rawUrl),
      resourcePath: inv.resource?.path,
      status,
      latencyMs,
      stages: this.stages.map((s) => ({ ...s, ...(s.detail ? { detail: { ...s.detail } } : {}) })),
      ...(this.error ? { error: this.error } : {}),
    };
    // A template or a Lambda event may carry the caller's secrets anywhere, under any name.
    const secrets = requestSecrets(inv.request.headers);
    if (secrets.length === 0) return trace;
    let text = JSON.stringify(trace);
    for (const secret of secrets) text = text.split(JSON.stringify(secret).slice(1, -1)).join('****');
    return JSON.parse(text) as TraceRecord;
  }

  /**
   * The trace as the `X-Apigw-Trace` response header: base64 of its JSON, bodies shortened so
   * that the header stays within what HTTP clients accept (16 KiB by Node's default).
   */
  header(inv: Invocation, status: number): string {
    const trace = this.record(inv, status, this.elapsed());
    const encode = (t: TraceRecord) => Buffer.from(JSON.stringify(t)).toString('base64');
    let value = encode(trace);
    if (value.length > 12000) {
      for (const s of trace.stages)
        if (s.detail && typeof s.detail.body === 'string') s.detail.body = '[omitted]';
      value = encode(trace);
    }
    return value;
  }

  /** Adds the trace header to a method response, when the client asked for it. */
  addTraceHeader(inv: Invocation, out: MethodResponseOut): void {
    if (this.returnTrace) out.headers['X-Apigw-Trace'] = this.header(inv, out.status);
  }
}

/** The secret values of a request's headers (and the credential part of an Authorization value). */
function requestSecrets(headers: Record<string, string[]>): string[] {
  const secrets = new Set<string>();
  for (const [name, values] of Object.entries(headers)) {
    for (const value of values) {
      if (maskHeader(name, value) === value) continue;
      if (value.length >= 8) secrets.add(value);
      const credential = /^\S+\s+(\S.*)$/.exec(value)?.[1];
      if (credential && credential.length >= 8) secrets.add(credential);
    }
  }
  // Longest first: a value is masked whole before a part of it is.
  return [...secrets].sort((a, b) => b.length - a.length);
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
