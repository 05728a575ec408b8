import { type LambdaCredential } from './auth';
import type { FunctionsConfig } from './functions';
import type { LambdaLogger } from './logger';
import { LambdaRuntime, type RoleCredentials } from './runtime';
import { LambdaServer } from './server';

// The public surface of the embedded Lambda.
export {
  FunctionConfigError,
  parseFunction,
  parseFunctions,
  type FunctionConfig,
  type FunctionsConfig,
} from './functions';
export type { LambdaCredential } from './auth';
export type { LambdaLogger } from './logger';
export type { PoolState } from './pool';
export { LambdaRuntime, type RoleCredentials } from './runtime';
export { LambdaServer } from './server';

/** What `startLambdaServer` needs. */
export interface StartLambdaOptions {
  functions: FunctionsConfig;
  port: number;
  host: string;
  /** The region functions run in (AWS_REGION) when callers do not say (default us-east-1). */
  region?: string;
  /** Every access key allowed to invoke. */
  users: readonly LambdaCredential[];
  /** Given to functions as their execution role's credentials. */
  roleCredentials?: RoleCredentials;
  /** Where transpiled TypeScript handlers are cached. */
  cacheDir?: string;
  /** How long a client gets to send its request headers (default 20 s; 0: no limit). */
  headersTimeoutMs?: number;
  log?: LambdaLogger;
}

/** An embedded Lambda that is listening. */
export interface RunningLambda {
  /** Base URL for clients, e.g. http://127.0.0.1:4569. */
  readonly url: string;
  readonly port: number;
  /** The functions and their worker pools. */
  readonly runtime: LambdaRuntime;
  close(): Promise<void>;
}

/** Starts the Invoke API on host:port (0 picks a free port) for the configured functions. */
export async function startLambdaServer(options: StartLambdaOptions): Promise<RunningLambda> {
  const runtime = new LambdaRuntime({
    functions: options.functions,
    region: options.region ?? 'us-east-1',
    cacheDir: options.cacheDir,
    roleCredentials: options.roleCredentials,
    log: options.log,
  });
  const server = new LambdaServer({
    runtime,
    users: options.users,
    headersTimeoutMs: options.headersTimeoutMs,
    log: options.log,
  });
  let address;
  try {
    address = await server.listen(options.port, options.host);
  } catch (e) {
    await runtime.close();
    throw e;
  }
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    runtime,
    async close() {
      // The runtime first: stopping the workers ends the calls still waiting on them.
      const stopped = server.close();
      await runtime.close();
      await stopped;
      await server.drained();
    },
  };
}
