import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { verifyCaller } from '../auth/sigv4';
import { GatewayError } from '../gateway-error';
import { renderGatewayResponse } from '../gateway-responses';
import { newExtendedRequestId, newRequestId } from '../ids';
import type { AuthorizationSettings } from '../stages/authorize';
import type { AccessRuntime } from './runtime';
import { usageReport, UsageRequestError } from './usage';

/**
 * apigw's admin endpoints, at `/_apigw` on the gateway's own port, shaped as API Gateway's
 * control-plane calls of the same name:
 * - `GET /_apigw/restapis` (GetRestApis: the API this gateway serves)
 * - `GET /_apigw/usageplans/{planId}/usage?startDate=&endDate=[&keyId=]` (GetUsage)
 * - `DELETE /_apigw/restapis/{apiId}/stages/{stage}/cache/data` (FlushStageCache)
 * - `DELETE /_apigw/restapis/{apiId}/stages/{stage}/cache/authorizers` (FlushStageAuthorizersCache)
 * Callers sign with SigV4 for `execute-api`, with a key apigw accepts (as AWS_IAM methods).
 */
export const ADMIN_PREFIX = '/_apigw/';

const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

export interface AdminContext {
  access: AccessRuntime;
  authorization: AuthorizationSettings;
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  requestId: string,
  errorType?: string,
): void {
  const data = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': String(data.length),
    'x-amzn-RequestId': requestId,
    ...(errorType ? { 'x-amzn-ErrorType': errorType } : {}),
  });
  res.end(data);
}

/** Answers one admin request; never throws. */
export async function handleAdmin(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: AdminContext,
): Promise<void> {
  const requestId = newRequestId();
  req.resume();
  const rawUrl = req.url ?? '/';
  try {
    verifyCaller(
      {
        method: req.method ?? 'GET',
        rawUrl,
        headers: req.headers,
        body: Buffer.alloc(0),
        payloadSha256: EMPTY_SHA256,
      },
      {
        lookup: ctx.authorization.lookup,
        region: ctx.authorization.region,
        compat: ctx.authorization.sigv4Compat,
      },
    );
  } catch (e) {
    if (!(e instanceof GatewayError)) throw e;
    const rendered = renderGatewayResponse(undefined, e, {
      requestId,
      extendedRequestId: newExtendedRequestId(),
      context: {},
      mapping: { context: {}, stageVariables: {} },
    });
    res.writeHead(rendered.status, { ...rendered.headers, 'Content-Length': String(rendered.body.length) });
    res.end(rendered.body);
    return;
  }
  const url = new URL(rawUrl, 'http://admin');
  const parts = url.pathname.slice(ADMIN_PREFIX.length).split('/').map(decodeURIComponent);
  const { access } = ctx;
  const notFound = (message: string) => send(res, 404, { message }, requestId, 'NotFoundException');
  try {
    if (req.method === 'GET' && parts.length === 1 && parts[0] === 'restapis') {
      return send(res, 200, { item: [{ id: access.apiId, name: access.apiName }] }, requestId);
    }
    if (req.method === 'GET' && parts.length === 3 && parts[0] === 'usageplans' && parts[2] === 'usage') {
      const plan = access.plans.find((p) => p.id === parts[1]);
      if (!plan) return notFound('Invalid Usage Plan ID specified');
      const q = url.searchParams;
      const usage = await usageReport(access.store, plan, {
        startDate: q.get('startDate') ?? undefined,
        endDate: q.get('endDate') ?? undefined,
        keyId: q.get('keyId') ?? undefined,
      });
      return send(res, 200, usage, requestId);
    }
    if (
      req.method === 'DELETE' &&
      parts.length === 6 &&
      parts[0] === 'restapis' &&
      parts[2] === 'stages' &&
      parts[4] === 'cache' &&
      (parts[5] === 'data' || parts[5] === 'authorizers')
    ) {
      if (parts[1] !== access.apiId || parts[3] !== access.stage)
        return notFound('Invalid stage identifier specified');
      const prefix = parts[5] === 'data' ? access.cachePrefix : access.authorizerCachePrefix;
      const n = await access.store.deleteEntries(prefix);
      access.log.info(
        `${requestId} flushed ${n} ${parts[5] === 'data' ? 'stage cache' : 'authorizer cache'} entries`,
      );
      // FlushStageCache answers 202 Accepted with no body.
      res.writeHead(202, { 'Content-Length': '0', 'x-amzn-RequestId': requestId });
      res.end();
      return;
    }
    return notFound(`No admin operation ${req.method} ${url.pathname}`);
  } catch (e) {
    if (e instanceof UsageRequestError)
      return send(
        res,
        e.status,
        { message: e.message },
        requestId,
        e.status === 404 ? 'NotFoundException' : 'BadRequestException',
      );
    access.log.error(`${requestId} admin ${req.method} ${url.pathname}: ${(e as Error).message}`);
    return send(res, 500, { message: 'Internal server error' }, requestId, 'InternalServerErrorException');
  }
}
