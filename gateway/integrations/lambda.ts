import { fillStageVariables } from '../../mappings/uri-template';
import type { Integration } from '../../openapi/model';
import { sendAwsRequest, type AwsServiceRequest } from '../aws/request';
import { GatewayErrors } from '../gateway-error';
import type { IntegrationResult, Invocation } from '../invocation';
import type { Logger } from '../log';
import type { AwsIntegrationDeps } from './aws';

/** What Lambda's Invoke API answered, body read whole (Lambda payloads are at most 6 MB). */
export interface LambdaInvokeResult {
  status: number;
  headers: Record<string, string[]>;
  body: Buffer;
  /** `X-Amz-Function-Error` (Unhandled / Handled) when the function failed. */
  functionError: string | undefined;
}

const INVOCATIONS = /^\/+2015-03-31\/functions\/(.+)\/invocations\/?$/;

/** The function (name or ARN, qualifier kept) a Lambda integration uri names, stage variables rendered. */
export function lambdaFunctionOf(
  integration: Pick<Integration, 'target'>,
  stageVariables: Record<string, string>,
): string | undefined {
  const target = integration.target;
  if (target.kind !== 'aws-path' || target.service !== 'lambda') return undefined;
  const m = INVOCATIONS.exec(target.path);
  if (!m) return undefined;
  return fillStageVariables(m[1], stageVariables);
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks);
}

/**
 * The Invoke API request (`POST /2015-03-31/functions/{FunctionName}/invocations`, SigV4 service
 * lambda, the uri's region) that calls the integration's function with `payload`.
 */
export function lambdaInvokeRequest(
  inv: Invocation,
  integration: Pick<Integration, 'target' | 'pointer' | 'timeoutInMillis'>,
  payload: Buffer,
  deps: AwsIntegrationDeps,
  headers: Record<string, string> = {},
): AwsServiceRequest {
  const fn = lambdaFunctionOf(integration, inv.stageVariables);
  const target = integration.target;
  if (fn === undefined || fn === '' || target.kind !== 'aws-path') {
    deps.log.error(`${inv.requestId} ${integration.pointer}: the uri does not name a Lambda function`);
    throw GatewayErrors.apiConfigurationError();
  }
  const endpoint = deps.endpoints.resolve('lambda', target.region);
  if (!endpoint) {
    deps.log.error(
      `${inv.requestId} no Lambda endpoint: set endpoints.lambda (or --lambda-endpoint) to a URL or 'aws'`,
    );
    throw GatewayErrors.apiConfigurationError();
  }
  return {
    service: 'lambda',
    region: target.region,
    endpoint,
    method: 'POST',
    path: `/2015-03-31/functions/${encodeURIComponent(fn)}/invocations`,
    query: [],
    headers: { 'Content-Type': 'application/json', ...headers },
    body: payload,
    timeoutMs: integration.timeoutInMillis,
  };
}

/** What the Invoke API answered, its body read whole. */
export async function lambdaInvokeResult(result: IntegrationResult): Promise<LambdaInvokeResult> {
  const body =
    result.body.kind === 'buffer'
      ? result.body.data
      : await readAll(result.body.stream as AsyncIterable<Buffer>);
  const errorHeader = Object.entries(result.headers).find(
    ([k]) => k.toLowerCase() === 'x-amz-function-error',
  );
  return { status: result.status, headers: result.headers, body, functionError: errorHeader?.[1].at(-1) };
}

/** Invokes a function outside the lifecycle's integration (a Lambda authorizer). */
export async function invokeLambda(
  inv: Invocation,
  integration: Pick<Integration, 'target' | 'pointer' | 'timeoutInMillis'>,
  payload: Buffer,
  deps: AwsIntegrationDeps,
): Promise<LambdaInvokeResult> {
  const request = lambdaInvokeRequest(inv, integration, payload, deps);
  return lambdaInvokeResult(await sendAwsRequest(request, await deps.credentials()));
}

/**
 * The non-proxy Lambda integration's endpoint response: a failed Invoke call is API Gateway's
 * 500; otherwise the body (buffered) selects by errorMessage (see lambdaSelectionString).
 */
export async function lambdaEndpointResponse(inv: Invocation, log: Logger): Promise<void> {
  const result = await lambdaInvokeResult(inv.integrationResult!);
  if (result.status < 200 || result.status >= 300) {
    log.error(
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
  inv.selection = lambdaSelectionString(result);
}

/**
 * The selection string of a non-proxy Lambda call
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/handle-errors-in-lambda-integration.html):
 * the function's errorMessage when it failed, the empty string when it succeeded.
 */
export function lambdaSelectionString(result: LambdaInvokeResult): string {
  if (result.functionError === undefined) return '';
  try {
    const parsed: unknown = JSON.parse(result.body.toString('utf8'));
    if (
      parsed &&
      typeof parsed === 'object' &&
      typeof (parsed as { errorMessage?: unknown }).errorMessage === 'string'
    ) {
      return (parsed as { errorMessage: string }).errorMessage;
    }
  } catch {
    // not JSON: the whole text is the message
  }
  return result.body.toString('utf8');
}
