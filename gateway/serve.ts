import type { Server } from 'node:http';
import path from 'node:path';
import { formatProblem, loadApi, type Problem } from '../openapi';
import type { ApiDefinition } from '../openapi/model';
import { IntegrationUriError, parseIntegrationUri } from '../openapi/uri';
import { loadPrincipals, principal, type Principal } from './auth/credentials';
import { resolveOutboundCredentials, type OutboundCredentials } from './aws/credentials';
import { EndpointResolver, parseEndpointSetting, type EndpointSetting } from './aws/endpoints';
import { startLambdaServer, type RunningLambda } from './backends/lambda';
import { startS3Server, type RunningS3 } from './backends/s3';
import { ConfigError, type ApigwConfig } from './config';
import type { Logger } from './log';
import { createGatewayServer, Gateway, listen } from './server';
import { defaultStageName, validateStageName } from './stage';
import { forbiddenMappings } from './stages/integration-request';
import { DEFAULT_MAX_PAYLOAD } from './stages/method-request';
import { compileApiTemplates } from './templates';

/** The OpenAPI file cannot be served; the problems say why (all of them, with pointers). */
export class ApiLoadError extends Error {
  constructor(readonly problems: Problem[]) {
    super(problems.map(formatProblem).join('\n'));
    this.name = 'ApiLoadError';
  }
}

export interface RunningGateway {
  /** Base URL of the stage, e.g. http://127.0.0.1:8080/S3. */
  readonly url: string;
  readonly port: number;
  readonly stage: string;
  readonly apiId: string;
  readonly principals: readonly Principal[];
  readonly developmentKeys: boolean;
  readonly s3: RunningS3 | undefined;
  readonly lambda: RunningLambda | undefined;
  close(): Promise<void>;
}

/** The AWS services an API's integrations call. */
function servicesUsed(api: ApiDefinition): Set<string> {
  const services = new Set<string>();
  for (const resource of api.resources) {
    for (const method of Object.values(resource.methods)) {
      const target = method!.integration.target;
      if (target.kind === 'aws-path' || target.kind === 'aws-action') services.add(target.service);
    }
  }
  // Lambda authorizers call Lambda too.
  if (Object.values(api.authorizers).some((a) => a.type === 'token' || a.type === 'request'))
    services.add('lambda');
  return services;
}

/** Why a Lambda authorizer's uri cannot be called, or undefined when it names a Lambda function. */
function authorizerUriProblem(uri: string | undefined): string | undefined {
  try {
    const target = parseIntegrationUri('AWS', uri);
    if (target.kind !== 'aws-path' || target.service !== 'lambda')
      return 'its authorizerUri does not name a Lambda function';
    return undefined;
  } catch (error) {
    if (error instanceof IntegrationUriError) return `authorizerUri: ${error.message}`;
    throw error;
  }
}

/** What start-up tells the user about methods apigw cannot fully run yet, and roles it does not assume. */
function reportLimits(api: ApiDefinition, log: Logger): void {
  const roles = new Set<string>();
  for (const resource of api.resources) {
    for (const method of Object.values(resource.methods)) {
      const { integration } = method!;
      const where = `${method!.httpMethod} ${resource.path}`;
      if (integration.credentials) roles.add(integration.credentials);
      if (integration.type === 'AWS' && integration.target.kind !== 'aws-path') {
        log.warn(`${where}: this AWS integration uri is not supported yet (calls answer 500)`);
      }
      const authorizer =
        method!.authorizerName === undefined ? undefined : api.authorizers[method!.authorizerName];
      const lambdaAuthorizer =
        method!.authorizationType === 'CUSTOM' &&
        (authorizer?.type === 'token' || authorizer?.type === 'request');
      if (!['NONE', 'AWS_IAM'].includes(method!.authorizationType) && !lambdaAuthorizer) {
        log.warn(
          `${where}: ${method!.authorizationType} authorization is not supported yet (calls answer 500)`,
        );
      }
      if (method!.apiKeyRequired) log.warn(`${where}: API keys are not checked yet`);
      for (const key of forbiddenMappings(integration)) {
        log.warn(`${where}: ${key} cannot be mapped; API Gateway fails every call of this method with 500`);
      }
    }
  }
  for (const role of roles)
    log.info(`integration credentials ${role}: logged, not assumed (apigw signs with its own credentials)`);
  for (const authorizer of Object.values(api.authorizers)) {
    if (authorizer.type !== 'token' && authorizer.type !== 'request') continue;
    const problem = authorizerUriProblem(authorizer.authorizerUri);
    if (problem) log.warn(`authorizer '${authorizer.name}': ${problem} (calls of its methods answer 500)`);
  }
}

function endpointSettings(config: ApigwConfig): Record<string, EndpointSetting> {
  const endpoints = {
    ...config.endpoints,
    ...(config.s3Endpoint !== undefined ? { s3: config.s3Endpoint } : {}),
  };
  return Object.fromEntries(
    Object.entries(endpoints).map(([service, value]) => [service, parseEndpointSetting(service, value)]),
  );
}

/**
 * Starts `apigw serve`: loads the API (refusing to start on errors), starts the embedded backends
 * it needs, and only then opens the port.
 */
export async function startGateway(
  config: ApigwConfig & { api: string; port: number; host: string; dataDir: string },
  log: Logger,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningGateway> {
  const loaded = loadApi(config.api);
  const problems = loaded.api ? [...loaded.problems, ...compileApiTemplates(loaded.api)] : loaded.problems;
  for (const p of problems.filter((p) => p.severity === 'warning')) log.warn(formatProblem(p));
  const api = problems.some((p) => p.severity === 'error') ? undefined : loaded.api;
  if (!api) throw new ApiLoadError(problems.filter((p) => p.severity === 'error'));

  const stage = config.stage ?? defaultStageName(api);
  const stageProblem = validateStageName(stage);
  if (stageProblem) throw new ConfigError(stageProblem);

  const { principals, development } = loadPrincipals(config.credentials, env);
  const settings = endpointSettings(config);
  const services = servicesUsed(api);
  reportLimits(api, log);

  let outbound: Promise<OutboundCredentials> | undefined;
  const credentials = () => (outbound ??= resolveOutboundCredentials(env, log));

  let s3: RunningS3 | undefined;
  const embedded: Record<string, URL> = {};
  if (services.has('s3') && (settings.s3 ?? { kind: 'embedded' }).kind === 'embedded') {
    // The integration's own key is an account of the embedded S3, like the role's account on AWS.
    const own = await credentials();
    const users = principals.some((p) => p.accessKeyId === own.accessKeyId)
      ? principals
      : [...principals, principal('integration', own.accessKeyId, own.secretAccessKey)];
    s3 = await startS3Server({
      dataDir: config.dataDir,
      port: 0,
      host: '127.0.0.1',
      region: config.region ?? 'us-east-1',
      users,
      log,
    });
    embedded.s3 = new URL(s3.url);
    log.info(`embedded S3 at ${s3.url} (data in ${config.dataDir})`);
  }
  let lambda: RunningLambda | undefined;
  const functionNames = Object.keys(config.functions ?? {});
  if (functionNames.length > 0 && (settings.lambda ?? { kind: 'embedded' }).kind === 'embedded') {
    // As with S3: the integration's own key may invoke, and functions get it as their role's keys.
    const own = await credentials();
    const users = principals.some((p) => p.accessKeyId === own.accessKeyId)
      ? principals
      : [...principals, principal('integration', own.accessKeyId, own.secretAccessKey)];
    lambda = await startLambdaServer({
      functions: config.functions!,
      port: 0,
      host: '127.0.0.1',
      region: config.region ?? 'us-east-1',
      users,
      roleCredentials: own,
      cacheDir: path.join(config.dataDir, 'lambda-cache'),
      log,
    });
    embedded.lambda = new URL(lambda.url);
    log.info(`embedded Lambda at ${lambda.url} (functions: ${functionNames.join(', ')})`);
  } else if (functionNames.length > 0) {
    log.warn(`functions are configured but endpoints.lambda is set: the embedded Lambda is not started`);
  }
  if (config.maxPayload !== undefined && config.maxPayload !== DEFAULT_MAX_PAYLOAD) {
    const limit = Number.isFinite(config.maxPayload) ? `${config.maxPayload} bytes` : 'none';
    log.info(`payload limit ${limit} (AWS: 10485760 bytes, not adjustable): beyond what API Gateway accepts`);
  }
  const endpoints = new EndpointResolver(settings, embedded);
  for (const service of services) {
    const setting = endpoints.settingFor(service);
    if (!setting || (setting.kind === 'embedded' && !embedded[service]))
      log.warn(
        `service '${service}' has no endpoint: set endpoints.${service} to a URL or 'aws'${service === 'lambda' ? ', or configure functions' : ''} (calls answer 500)`,
      );
    else if (setting.kind !== 'embedded')
      log.info(`${service} → ${setting.kind === 'aws' ? 'real AWS' : setting.url.href}`);
  }

  const gateway = new Gateway({
    api,
    stage,
    stageVariables: config.stageVariables ?? {},
    principals,
    region: config.region,
    sigv4Compat: config.sigv4Compat ?? false,
    endpoints,
    credentials,
    maxPayload: config.maxPayload ?? DEFAULT_MAX_PAYLOAD,
    log,
  });
  const server: Server = createGatewayServer(gateway);
  let address;
  try {
    address = await listen(server, config.port, config.host);
  } catch (e) {
    await s3?.close();
    await lambda?.close();
    throw e;
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}/${stage}`,
    port: address.port,
    stage,
    apiId: gateway.apiId,
    principals,
    developmentKeys: development,
    s3,
    lambda,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await s3?.close();
      await lambda?.close();
    },
  };
}
