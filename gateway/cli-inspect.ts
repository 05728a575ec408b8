import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, resolveConfig } from './config';
import { createLogger } from './log';
import { formatRouteTable, routeTable } from './report';
import { ApiLoadError, prepareApi, type PreparedApi, type ServeConfig } from './serve';

/** The settings of a command that reads an API like serve does (a file, a directory's apigw.yaml, or --config). */
export function resolveServeLike(flags: Record<string, unknown>, positional: string | undefined) {
  if (positional !== undefined) {
    const target = path.resolve(positional);
    if (existsSync(target) && statSync(target).isDirectory()) {
      const file = path.join(target, 'apigw.yaml');
      if (!existsSync(file))
        throw new ConfigError(`${positional} is a directory without an apigw.yaml config file`);
      if (flags.config !== undefined) throw new ConfigError('give either a directory or --config, not both');
      flags = { ...flags, config: file };
    } else {
      flags = { ...flags, api: positional };
    }
  }
  return resolveConfig(flags, { port: 8080, host: '127.0.0.1', dataDir: '.apigw' });
}

/** The serve settings for `apigw validate|routes FILE|DIR [--config C]`, as `apigw serve` would resolve them. */
function inspectedConfig(
  flags: Record<string, unknown>,
  positional: string | undefined,
  command: string,
): ServeConfig {
  const config = resolveServeLike(flags, positional);
  if (config.api === undefined)
    throw new ConfigError(`apigw ${command}: give an OpenAPI file (or a config file naming one with api:)`);
  return { ...config, api: config.api };
}

/** Loads and checks as start-up does; undefined (the problems printed as start-up prints them) when it cannot be served. */
function prepared(config: ServeConfig, level: 'info' | 'warn'): PreparedApi | undefined {
  try {
    return prepareApi(config, createLogger(config.logLevel ?? level));
  } catch (e) {
    if (!(e instanceof ApiLoadError)) throw e;
    process.stderr.write(`apigw: ${config.api} cannot be served:\n${e.message}\n`);
    return undefined;
  }
}

/**
 * `apigw validate FILE [--config C] [--strict]`: every check start-up makes, with the same
 * messages, without serving; exit 0 when apigw would serve it, 1 when not (for CI).
 */
export function runValidate(flags: Record<string, unknown>, positional: string | undefined): number {
  const config = inspectedConfig(flags, positional, 'validate');
  const api = prepared(config, 'info');
  if (!api) return 1;
  const routes = routeTable(api.api).length;
  process.stdout.write(
    `${config.api}: valid: ${routes} route(s), stage ${api.stage}, ${api.unsupported.length} field(s) not honoured\n`,
  );
  return 0;
}

/** `apigw routes FILE [--config C]`: the table of methods: path, auth, API key requirement, integration. */
export function runRoutes(flags: Record<string, unknown>, positional: string | undefined): number {
  const config = inspectedConfig(flags, positional, 'routes');
  const api = prepared(config, 'warn');
  if (!api) return 1;
  process.stdout.write(`${formatRouteTable(routeTable(api.api, config.stageVariables ?? {}))}\n`);
  return 0;
}
