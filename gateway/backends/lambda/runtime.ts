import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { FunctionConfig, FunctionsConfig } from './functions';
import { quietLogger, type LambdaLogger } from './logger';
import { FunctionPool, type PoolInvocation, type PoolResult, type PoolState } from './pool';

/** Credentials handed to functions as their execution role's (AWS_ACCESS_KEY_ID, …). */
export interface RoleCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** What the runtime needs to run the configured functions. */
export interface RuntimeOptions {
  functions: FunctionsConfig;
  region: string;
  /** Where transpiled TypeScript handlers are cached (default: the system temp directory). */
  cacheDir?: string;
  roleCredentials?: RoleCredentials;
  /** Most warm environments per function (default 4). */
  maxEnvironments?: number;
  log?: LambdaLogger;
}

/**
 * The process environment of a function, as Lambda builds it: its reserved variables, the
 * execution role's credentials, then the function's own variables. Nothing of apigw's own
 * environment leaks in but PATH, HOME and the locale.
 */
export function functionEnvironment(
  name: string,
  config: FunctionConfig,
  region: string,
  credentials: RoleCredentials | undefined,
): Record<string, string> {
  const inherited = Object.fromEntries(
    ['PATH', 'HOME', 'LANG', 'TZ'].flatMap((k) =>
      process.env[k] !== undefined ? [[k, process.env[k] as string]] : [],
    ),
  );
  const streamDate = new Date().toISOString().slice(0, 10).replace(/-/g, '/');
  const file = config.handler.file;
  return {
    ...inherited,
    ...config.environment,
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
    AWS_LAMBDA_FUNCTION_NAME: name,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memory),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: `${streamDate}/[$LATEST]${randomBytes(16).toString('hex')}`,
    LAMBDA_TASK_ROOT: path.dirname(file),
    _HANDLER: `${path.basename(file, path.extname(file))}.${config.handler.exportName}`,
    ...(credentials
      ? {
          AWS_ACCESS_KEY_ID: credentials.accessKeyId,
          AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
          ...(credentials.sessionToken ? { AWS_SESSION_TOKEN: credentials.sessionToken } : {}),
        }
      : {}),
  };
}

/** The configured functions, each with its pool of execution environments. */
export class LambdaRuntime {
  private readonly pools = new Map<string, FunctionPool>();

  constructor(options: RuntimeOptions) {
    const cacheDir = options.cacheDir ?? path.join(os.tmpdir(), 'apigw-lambda-cache');
    for (const [name, config] of Object.entries(options.functions)) {
      this.pools.set(
        name,
        new FunctionPool({
          functionName: name,
          config,
          env: functionEnvironment(name, config, options.region, options.roleCredentials),
          cacheDir,
          log: options.log ?? quietLogger,
          maxEnvironments: options.maxEnvironments,
        }),
      );
    }
  }

  /** The names of the functions. */
  functionNames(): string[] {
    return [...this.pools.keys()];
  }

  /** Whether a function of that name is configured. */
  has(name: string): boolean {
    return this.pools.has(name);
  }

  /** Runs one invocation of a configured function. */
  invoke(name: string, invocation: PoolInvocation): Promise<PoolResult> {
    const pool = this.pools.get(name);
    if (!pool) throw new Error(`no function named ${name}`);
    return pool.invoke(invocation);
  }

  /** The environments of one function (undefined for an unknown name). */
  state(name: string): PoolState | undefined {
    return this.pools.get(name)?.state();
  }

  /** Resolves once the environments of a function that are being stopped have exited. */
  async stopped(name: string): Promise<void> {
    await this.pools.get(name)?.stopped();
  }

  /** Stops every environment of every function. */
  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }
}
