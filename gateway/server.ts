import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { ApiDefinition } from '../openapi/model';
import { apiIdFor } from './api-id';
import type { OutboundCredentials } from './aws/credentials';
import type { EndpointResolver } from './aws/endpoints';
import { IntegrationNetworkError } from './integrations/transport';
import type { AccessKey } from '../lib/accounts';
import { compileMethods } from './compile';
import { contextVariables } from './context-variables';
import { GatewayError, GatewayErrors } from './gateway-error';
import { renderGatewayResponse } from './gateway-responses';
import { newExtendedRequestId, newRequestId } from './ids';
import type { Invocation } from './invocation';
import { runLifecycle } from './lifecycle';
import type { Logger } from './log';
import type { Observability } from './observe';
import type { RequestObserver } from './observe/trace';
import { compileRouter } from './router';
import type { GatewayRuntime } from './runtime';
import { CognitoPools } from './auth/cognito';
import { ResourcePolicy } from './auth/resource-policy';
import type { UserPoolsConfig } from './auth/user-pools';
import { addCorsHeaders, preflightHeaders, type CorsPolicy } from './cors';
import { compileAccess, type AccessOptions } from './access';
import { ADMIN_PREFIX, handleAdmin } from './access/admin';
import { mappingInput } from './stages/mapping-input';
import { methodRequestOf } from './stages/method-request';
import { RequestAbortedError, RequestPayload, watchBodyIdle } from './stages/request-payload';
import { DEFAULT_HEADERS_TIMEOUT_MS, headersTimeoutOptions } from '../lib/http-server';

export interface GatewayOptions {
  api: ApiDefinition;
  stage: string;
  stageVariables: Record<string, string>;
  /** Callers' access keys (AWS_IAM methods). */
  principals: readonly AccessKey[];
  /** When set, callers must sign for this region. */
  region: string | undefined;
  sigv4Compat: boolean;
  endpoints: EndpointResolver;
  credentials: () => Promise<OutboundCredentials>;
  maxPayload: number;
  /**
   * A request body that stalls this long (no byte arriving while the gateway waits for one) is
   * ended with 408; 0 or undefined: no limit.
   */
  bodyIdleTimeoutMs?: number;
  log: Logger;
  /** Traces and access logs (gateway/observe/); absent: no request is timed. */
  observability?: Observability;
  /** Cognito user pools by pool id (config `userPools`): where their tokens are verified from. */
  userPools?: UserPoolsConfig;
  /** Where generated development keys of user pools are kept (default ./.apigw). */
  dataDir?: string;
  /** `--cors`: preflights answered and CORS headers added, beyond AWS (cors.ts); undefined: off. */
  cors?: CorsPolicy;
  /** API keys, usage plans, method settings and the state store (default: none, in process). */
  access?: AccessOptions;
}

/**
 * What a request whose body stalled gets. API Gateway's answer to a stalled body is not recorded
 * (it is no gateway response type, and CloudFront in front of it has its own idle limits): apigw
 * answers as Node does for headers that never finish, 408 with API Gateway's JSON message shape,
 * and closes the connection.
 */
const BODY_TIMEOUT_BODY = Buffer.from('{"message":"Request Timeout"}');

/**
 * The REST API runtime: the API compiled once (routes, methods, templates, mappings), and each
 * request run through the lifecycle (lifecycle.ts), then written to the client.
 */
export class Gateway {
  readonly apiId: string;
  private readonly runtime: GatewayRuntime;

  constructor(readonly options: GatewayOptions) {
    this.apiId = apiIdFor(options.api);
    const principals = new Map(options.principals.map((p) => [p.accessKeyId, p]));
    const methods = compileMethods(options.api, this.apiId, options.stageVariables);
    const access = compileAccess(
      options.access ?? { settings: {} },
      options.api,
      this.apiId,
      options.stage,
      methods,
      options.log,
    );
    this.runtime = {
      stage: options.stage,
      router: compileRouter(options.api),
      methods,
      access,
      maxPayload: options.maxPayload,
      endpoints: options.endpoints,
      credentials: options.credentials,
      log: options.log,
      authorization: {
        lookup: (id) => principals.get(id),
        region: options.region,
        sigv4Compat: options.sigv4Compat,
        log: options.log,
        lambdaAuthorizers: {
          endpoints: options.endpoints,
          credentials: options.credentials,
          log: options.log,
          // Lambda authorizer results live in the state store (shared through Redis), like a stage's authorizer cache.
          cache: access.authorizerCache,
          region: options.region ?? 'us-east-1',
        },
        resourcePolicy: options.api.policy
          ? new ResourcePolicy(options.api.policy, this.apiId, options.region ?? 'us-east-1', options.log)
          : undefined,
        cognito: new CognitoPools(
          options.api,
          options.userPools ?? {},
          options.dataDir ?? '.apigw',
          options.log,
        ),
      },
    };
  }

  /** Handles one HTTP request end to end; never throws. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.url?.startsWith(ADMIN_PREFIX))
      return handleAdmin(req, res, {
        access: this.runtime.access!,
        authorization: this.runtime.authorization,
      });
    const started = Date.now();
    if (this.options.cors && this.answerPreflight(this.options.cors, req, res)) return;
    const jwks = this.runtime.authorization.cognito?.jwksResponse(req.method, req.url, this.options.stage);
    if (jwks) {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(jwks.length) });
      res.end(jwks);
      return;
    }
    const observer = this.options.observability?.begin(req);
    const inv: Invocation = {
      api: this.options.api,
      apiId: this.apiId,
      stage: this.options.stage,
      stageVariables: this.options.stageVariables,
      requestId: newRequestId(),
      extendedRequestId: newExtendedRequestId(),
      requestTimeEpoch: started,
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      incoming: req,
      maxPayload: this.options.maxPayload,
      // Parsed once, here, so that even an early gateway response can use it; the method request
      // stage gives it its path after the stage and its payload within the limit.
      request: methodRequestOf(req, '/', RequestPayload.none(req)),
      observer,
    };
    let stalled = false;
    const stopWatching = watchBodyIdle(req, this.options.bodyIdleTimeoutMs ?? 0, () => {
      stalled = true;
      this.bodyStalled(req, res, inv);
    });
    let outcome: string | undefined;
    try {
      await runLifecycle(inv, this.runtime);
      const sending = this.send(res, inv);
      if (sending) await sending;
    } catch (e) {
      if (stalled) {
        // Answered already (408); reading the body, or the backend call streaming it, was cut.
      } else if (clientGone(req, e)) {
        // Nothing can be answered, and nothing went wrong on this side.
        this.options.log.info(`${inv.requestId} client aborted before its request body was complete`);
        res.destroy();
        outcome = 'client aborted';
      } else if (req.socket.destroyed) {
        // The client left while its answer was being prepared; the backend call was cut with it.
        this.options.log.info(`${inv.requestId} client went away before the answer`);
        res.destroy();
        outcome = 'client gone';
      } else {
        this.fail(res, inv, e, observer);
      }
    } finally {
      // A body still arriving stays watched after the answer: a client that stalls is cut.
      if (req.complete) stopWatching();
      await inv.request.payload.dispose();
    }
    if (observer) this.options.observability!.finish(observer, inv, res);
    this.options.log.info(
      `${inv.request.httpMethod} ${inv.request.rawUrl} → ${outcome ?? res.statusCode} (${Date.now() - started} ms) ${inv.requestId}`,
    );
  }

  /** `--cors`: a preflight is answered here, before the API sees it; false for any other request. */
  private answerPreflight(cors: CorsPolicy, req: IncomingMessage, res: ServerResponse): boolean {
    const headers = preflightHeaders(cors, req.method, req.headers);
    if (!headers) return false;
    const requestId = newRequestId();
    req.resume();
    res.writeHead(204, { ...headers, 'x-amzn-RequestId': requestId });
    res.end();
    this.options.log.info(`OPTIONS ${req.url} → 204 (--cors preflight) ${requestId}`);
    return true;
  }

  /** The request body stopped arriving: 408, the connection closed (that cuts whatever reads the body). */
  private bodyStalled(req: IncomingMessage, res: ServerResponse, inv: Invocation): void {
    this.options.log.info(
      `${inv.requestId} request body stalled: nothing received for ${this.options.bodyIdleTimeoutMs} ms; answered 408`,
    );
    if (res.headersSent) {
      // Answered already (the body was not needed), or streaming: only the connection is left to cut.
      req.socket.destroy();
      return;
    }
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'Content-Length': String(BODY_TIMEOUT_BODY.length),
      Connection: 'close',
      'x-amzn-RequestId': inv.requestId,
    };
    if (this.options.cors) addCorsHeaders(this.options.cors, req.headers, headers);
    res.writeHead(408, headers);
    // Once the answer is out, the socket goes (Connection: close), and with it the request body:
    // a stage reading it fails, a backend call streaming it is cut, never completed half-sent.
    res.end(BODY_TIMEOUT_BODY, () => {
      if (!req.complete) req.destroy();
    });
  }

  private send(res: ServerResponse, inv: Invocation): Promise<void> | void {
    const out = inv.methodResponse!;
    if (this.options.cors) addCorsHeaders(this.options.cors, inv.request.nodeHeaders, out.headers);
    res.writeHead(out.status, out.headers);
    if (out.body.kind === 'buffer') {
      res.end(out.body.data);
      return;
    }
    // pipe() rather than pipeline(): the same backpressure without an AbortController and a
    // DOMException per response (a few percent of a proxied request's time).
    const stream = out.body.stream;
    return new Promise((resolve) => {
      stream.once('error', (e) => {
        // The status line is gone: all that is left is to cut the connection.
        this.options.log.warn(`${inv.requestId} response stream failed: ${e.message}`);
        res.destroy();
      });
      res.once('close', () => {
        // The client went away first: let go of the backend's body (that cuts its call).
        if (!res.writableFinished) stream.destroy();
        resolve();
      });
      stream.pipe(res);
    });
  }

  private fail(res: ServerResponse, inv: Invocation, e: unknown, observer?: RequestObserver): void {
    let error: GatewayError;
    if (e instanceof GatewayError) {
      error = e;
    } else if (e instanceof IntegrationNetworkError) {
      this.options.log.error(`${inv.requestId} integration ${e.kind}: ${e.message}`);
      error = e.kind === 'timeout' ? GatewayErrors.integrationTimeout() : GatewayErrors.integrationFailure();
    } else {
      this.options.log.error(`${inv.requestId} ${(e as Error)?.stack ?? String(e)}`);
      error = GatewayErrors.apiConfigurationError();
    }
    if (observer) this.options.observability!.failed(observer, error, e);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const rendered = renderGatewayResponse(this.options.api, error, {
      requestId: inv.requestId,
      extendedRequestId: inv.extendedRequestId,
      accept: inv.request.nodeHeaders.accept,
      context: contextVariables(inv),
      mapping: mappingInput(inv),
    });
    if (this.options.cors) addCorsHeaders(this.options.cors, inv.request.nodeHeaders, rendered.headers);
    if (observer) observer.responseBytes = inv.request.httpMethod === 'HEAD' ? 0 : rendered.body.length;
    const traced = observer?.returnTrace ? { 'X-Apigw-Trace': observer.header(inv, rendered.status) } : {};
    res.writeHead(rendered.status, {
      ...rendered.headers,
      ...traced,
      'Content-Length': String(rendered.body.length),
    });
    res.end(inv.request.httpMethod === 'HEAD' ? undefined : rendered.body);
  }
}

/** The request failed because its client went away before sending the whole body. */
function clientGone(req: IncomingMessage, e: unknown): boolean {
  if (e instanceof RequestAbortedError) return true;
  return !req.complete && (req.destroyed || req.socket.destroyed);
}

/** What the standalone server hands requests to: a Gateway, or what chooses one (gateway/live/). */
export interface GatewayHandler {
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/**
 * The standalone HTTP server: `node:http` hands every request straight to the gateway. Express
 * is not in this path (it costs more per request than a whole proxy hop); see middleware.ts for
 * embedding the gateway in an Express app.
 */
export function createGatewayServer(
  gateway: GatewayHandler,
  options: { headersTimeoutMs?: number } = {},
): Server {
  // Uploads to the S3 proxy can be large and slow: no limit on a whole request (Node's default
  // 5-minute cut-off would break them), but headers that never finish (slowloris) are cut after
  // headersTimeoutMs (20 s), and a body that stalls after the body idle timeout (Gateway).
  return createServer(
    headersTimeoutOptions(options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS),
    (req, res) => void gateway.handle(req, res),
  );
}

export { listen } from '../lib/http-server';
