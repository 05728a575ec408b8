import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import express from 'express';
import type { ApiDefinition, Integration } from '../openapi/model';
import type { OutboundCredentials } from './aws/credentials';
import type { EndpointResolver } from './aws/endpoints';
import { IntegrationNetworkError } from './integrations/transport';
import type { S3User } from './backends/s3/identity';
import { contextVariables } from './context-variables';
import { GatewayError, GatewayErrors } from './gateway-error';
import { renderGatewayResponse } from './gateway-responses';
import { invokeAwsService } from './integrations/aws';
import { invokeHttp, invokeHttpProxy } from './integrations/http';
import { joinHeaderValues } from './integrations/request-headers';
import { invokeLambda, lambdaSelectionString } from './integrations/lambda';
import { invokeLambdaProxy } from './integrations/lambda-proxy';
import { invokeMock } from './integrations/mock';
import type { Invocation, MethodResponseOut } from './invocation';
import type { Logger } from './log';
import { compileRouter, type Router } from './router';
import { splitStage } from './stage';
import { AuthorizerCache } from './auth/lambda-authorizer';
import { authorize } from './stages/authorize';
import { mapIntegrationRequest, type IntegrationRequestParts } from './stages/integration-request';
import { integrationRequestBody } from './stages/request-body';
import { validateRequest } from './stages/validate';
import { integrationResponse } from './stages/integration-response';
import { mappingInput } from './stages/mapping-input';
import { proxyResponse } from './stages/proxy-response';
import { methodRequestOf } from './stages/method-request';
import { RequestPayload } from './stages/request-payload';
import { prepareRequestBody } from './stages/request-streaming';
import { enforceResponseLimit } from './stages/response-limit';

export interface GatewayOptions {
  api: ApiDefinition;
  stage: string;
  stageVariables: Record<string, string>;
  /** Callers' access keys (AWS_IAM methods). */
  principals: readonly S3User[];
  /** When set, callers must sign for this region. */
  region: string | undefined;
  sigv4Compat: boolean;
  endpoints: EndpointResolver;
  credentials: () => Promise<OutboundCredentials>;
  maxPayload: number;
  log: Logger;
}

/** A stable API id for a definition: 10 lower-case alphanumerics, like API Gateway's. */
export function apiIdFor(api: ApiDefinition): string {
  const digest = createHash('sha256').update(`${api.source}\n${api.title}`).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(digest.subarray(0, 10), (b) => alphabet[b % alphabet.length]).join('');
}

/** The REST API runtime: one request through the lifecycle of DESIGN.md. */
export class Gateway {
  readonly apiId: string;
  private readonly router: Router;
  private readonly principals: Map<string, S3User>;
  // Lambda authorizer results live as long as the gateway, like a stage's authorizer cache.
  private readonly authorizerCache = new AuthorizerCache();

  constructor(private readonly options: GatewayOptions) {
    this.apiId = apiIdFor(options.api);
    this.router = compileRouter(options.api);
    this.principals = new Map(options.principals.map((p) => [p.accessKeyId, p]));
  }

  /** Handles one HTTP request end to end; never throws. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const inv: Invocation = {
      api: this.options.api,
      apiId: this.apiId,
      stage: this.options.stage,
      stageVariables: this.options.stageVariables,
      requestId: randomUUID(),
      extendedRequestId: randomBytes(12).toString('base64').replace(/[+/]/g, 'A'),
      requestTimeEpoch: started,
      sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
      maxPayload: this.options.maxPayload,
      request: methodRequestOf(req, '/', RequestPayload.none(req)),
    };
    try {
      const out = await this.invoke(req, inv);
      await this.send(res, inv, out);
    } catch (e) {
      this.fail(res, inv, e);
    } finally {
      await inv.request.payload.dispose();
    }
    this.options.log.info(
      `${inv.request.httpMethod} ${inv.request.rawUrl} → ${res.statusCode} (${Date.now() - started} ms) ${inv.requestId}`,
    );
  }

  private async invoke(req: IncomingMessage, inv: Invocation): Promise<MethodResponseOut> {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const split = splitStage(q < 0 ? rawUrl : rawUrl.slice(0, q), this.options.stage);
    if (split.kind === 'wrong-stage') {
      req.resume();
      throw GatewayErrors.unknownStage();
    }
    // A declared length over the limit is refused before routing (413); the body itself is read
    // (or streamed) once the method says how: prepareRequestBody.
    inv.request = methodRequestOf(req, split.rest, new RequestPayload(req, this.options.maxPayload));
    const match = this.router.match(inv.request.httpMethod, split.rest);
    if (!match) throw GatewayErrors.missingAuthenticationToken();
    inv.resource = match.resource;
    inv.method = match.method;
    inv.request.pathParameters = match.pathParameters;
    await prepareRequestBody(inv);
    await authorize(inv, {
      lookup: (id) => this.principals.get(id),
      region: this.options.region,
      sigv4Compat: this.options.sigv4Compat,
      log: this.options.log,
      lambdaAuthorizers: {
        endpoints: this.options.endpoints,
        credentials: this.options.credentials,
        log: this.options.log,
        cache: this.authorizerCache,
        region: this.options.region ?? 'us-east-1',
      },
    });
    validateRequest(inv);
    const integration = match.method.integration;
    switch (integration.type) {
      case 'AWS': {
        const parts = mapIntegrationRequest(inv, integration);
        if (integration.target.kind === 'aws-path' && integration.target.service === 'lambda') {
          return this.invokeLambdaNonProxy(inv, integration, parts);
        }
        inv.integrationResult = await invokeAwsService(inv, integration, parts, this.options);
        return integrationResponse(
          inv,
          inv.integrationResult,
          String(inv.integrationResult.status),
          this.options.log,
        );
      }
      case 'HTTP': {
        const parts = mapIntegrationRequest(inv, integration);
        inv.integrationResult = await invokeHttp(inv, integration, parts, this.options.log);
        return integrationResponse(
          inv,
          inv.integrationResult,
          String(inv.integrationResult.status),
          this.options.log,
        );
      }
      case 'MOCK': {
        const { result, selection } = invokeMock(inv, integration, this.options.log);
        inv.integrationResult = result;
        return integrationResponse(inv, result, selection, this.options.log);
      }
      case 'AWS_PROXY':
        return invokeLambdaProxy(inv, integration, this.options);
      case 'HTTP_PROXY': {
        const parts = mapIntegrationRequest(inv, integration);
        inv.integrationResult = await invokeHttpProxy(inv, integration, parts, this.options.log);
        const sent = integration.httpMethod?.toUpperCase();
        enforceResponseLimit(
          inv,
          inv.integrationResult,
          sent === undefined || sent === 'ANY' ? inv.request.httpMethod : sent,
          this.options.log,
        );
        return proxyResponse(inv.integrationResult);
      }
      default:
        this.options.log.error(
          `${inv.requestId} ${integration.pointer}: ${integration.type} integrations are not supported yet`,
        );
        throw GatewayErrors.internalServerError();
    }
  }

  /** `aws` integration with a Lambda uri: the mapped body is the payload; errors select by errorMessage. */
  private async invokeLambdaNonProxy(
    inv: Invocation,
    integration: Integration,
    parts: IntegrationRequestParts,
  ): Promise<MethodResponseOut> {
    const payload = integrationRequestBody(inv, integration, this.options.log, parts);
    const invocationType = Object.entries(joinHeaderValues(parts.headers)).find(
      ([k]) => k.toLowerCase() === 'x-amz-invocation-type',
    );
    const result = await invokeLambda(
      inv,
      integration,
      payload,
      this.options,
      invocationType ? { 'X-Amz-Invocation-Type': invocationType[1] } : {},
    );
    if (result.status < 200 || result.status >= 300) {
      this.options.log.error(
        `${inv.requestId} Lambda invoke failed with ${result.status}: ${result.body.toString('utf8').slice(0, 500)}`,
      );
      throw GatewayErrors.integrationFailure();
    }
    inv.integrationResult = {
      status: result.status,
      headers: result.headers,
      body: { kind: 'buffer', data: result.body },
      lambdaResult: true,
    };
    return integrationResponse(inv, inv.integrationResult, lambdaSelectionString(result), this.options.log);
  }

  private async send(res: ServerResponse, inv: Invocation, out: MethodResponseOut): Promise<void> {
    res.writeHead(out.status, {
      ...out.headers,
      'x-amzn-RequestId': inv.requestId,
      'x-amz-apigw-id': inv.extendedRequestId,
      ...(inv.traceId ? { 'X-Amzn-Trace-Id': inv.traceId } : {}),
      ...(out.body.kind === 'buffer' ? { 'Content-Length': String(out.body.data.length) } : {}),
      ...(out.body.kind === 'stream' && out.body.length !== undefined && inv.request.httpMethod !== 'HEAD'
        ? { 'Content-Length': String(out.body.length) }
        : {}),
    });
    if (out.body.kind === 'buffer') {
      res.end(out.body.data);
      return;
    }
    try {
      await pipeline(out.body.stream, res);
    } catch (e) {
      // The status line is gone: all that is left is to cut the connection.
      this.options.log.warn(`${inv.requestId} response stream failed: ${(e as Error).message}`);
      res.destroy();
    }
  }

  private fail(res: ServerResponse, inv: Invocation, e: unknown): void {
    let error: GatewayError;
    if (e instanceof GatewayError) {
      error = e;
    } else if (e instanceof IntegrationNetworkError) {
      this.options.log.error(`${inv.requestId} integration ${e.kind}: ${e.message}`);
      error = e.kind === 'timeout' ? GatewayErrors.integrationTimeout() : GatewayErrors.integrationFailure();
    } else {
      this.options.log.error(`${inv.requestId} ${(e as Error)?.stack ?? String(e)}`);
      error = GatewayErrors.internalServerError();
    }
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
    res.writeHead(rendered.status, { ...rendered.headers, 'Content-Length': String(rendered.body.length) });
    res.end(inv.request.httpMethod === 'HEAD' ? undefined : rendered.body);
  }
}

/** The HTTP shell around the gateway: express, with every request handed to the lifecycle. */
export function createGatewayServer(gateway: Gateway): Server {
  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use((req, res) => void gateway.handle(req, res));
  const server = createServer(app);
  // Uploads to the S3 proxy can be large and slow; Node's default 5-minute cut-off would break them.
  server.requestTimeout = 0;
  return server;
}

/** Listens and resolves with the bound address. */
export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
