import type { Logger } from '../log';
import { observabilityFor } from '../observe';
import { startGateway, type GatewayDeps, type RunningGateway, type ServeConfig } from '../serve';
import { CONSOLE_PATH, ConsolePage, RecentRequests } from '../console';
import { LiveGateway } from './index';
import { ApiReloader } from './reload';

/** What a live server needs beyond start-up's settings. */
export interface LiveSettings {
  /** Reads the command line and the config file again, as start-up did (hot reload). */
  resolve: () => ServeConfig;
  /** The config file, when one is used. */
  configFile: string | undefined;
  /** Serve the console under /.apigw/console/ (every request is then traced and kept for it). */
  console: boolean;
}

/** A running gateway whose API reloads on edits; `reloader` is absent when `reload: false`. */
export interface LiveRunningGateway extends RunningGateway {
  readonly live: LiveGateway;
  readonly reloader: ApiReloader | undefined;
  /** The console's URL, when it is on. */
  readonly consoleUrl: string | undefined;
}

/**
 * `apigw serve` in one process: the gateway behind a LiveGateway, so that edits of the API file
 * and the config file apply without a restart (unless `reload: false`), and the console when on.
 */
export async function startLiveGateway(
  config: ServeConfig,
  log: Logger,
  settings: LiveSettings,
  env: NodeJS.ProcessEnv = process.env,
): Promise<LiveRunningGateway> {
  const recent = settings.console ? new RecentRequests() : undefined;
  let live: LiveGateway | undefined;
  let deps: GatewayDeps | undefined;
  const running = await startGateway(config, log, env, {
    observability: observabilityFor(config, log, recent),
    dispatch: (gateway, given) => {
      deps = given;
      return (live = new LiveGateway(gateway));
    },
  });
  const embedded: Record<string, URL> = {};
  if (running.s3) embedded.s3 = new URL(running.s3.url);
  if (running.lambda) embedded.lambda = new URL(running.lambda.url);
  const side = recent
    ? new ConsolePage({
        recent,
        port: running.port,
        principals: running.principals,
        config,
        prepared: running.prepared,
        apiId: () => live!.gateway.apiId,
        log,
      })
    : undefined;
  live!.side = side;
  const reloader =
    config.reload === false
      ? undefined
      : new ApiReloader({
          config,
          configFile: settings.configFile,
          resolve: settings.resolve,
          deps: deps!,
          embedded,
          live: live!,
          recent,
          log,
          onReload: (c, p) => side?.apiChanged(c, p),
        });
  const initial = deps!.observability;
  return {
    ...running,
    live: live!,
    reloader,
    consoleUrl: side ? `${new URL(running.url).origin}${CONSOLE_PATH}/` : undefined,
    async close(drainTimeoutMs?: number) {
      reloader?.close();
      const cut = await running.close(drainTimeoutMs);
      // A reload may have replaced the access log the server started with.
      if (deps!.observability !== initial) await deps!.observability?.close();
      return cut;
    },
  };
}
