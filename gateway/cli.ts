import { parseArgs } from 'node:util';
import { loadPrincipals, type Principal } from './auth/credentials';
import { startS3Server } from './backends/s3';
import { ConfigError, keyName, resolveConfig } from './config';
import { createLogger } from './log';

const VERSION: string = (require('../../package.json') as { version: string }).version;

const USAGE = `apigw ${VERSION}: Amazon API Gateway (REST APIs) that runs anywhere

Usage:
  apigw s3 [options]        Run the embedded S3 server on its own
  apigw help                Show this help
  apigw --version           Print the version

Options (each is also a key of the config file, e.g. data-dir → dataDir):
  --config FILE             YAML config file; flags override its keys
  --port N                  Port to listen on (s3: 4568; 0 picks a free one)
  --host H                  Address to listen on (default 127.0.0.1)
  --data-dir DIR            Where data is kept (default ./.apigw)
  --region R                Region the emulators present as (default us-east-1)
  --credentials FILE        AWS shared-credentials file: each profile is an allowed key and its owner
  --log-level L             debug | info | warn | error (default info)

Without --credentials, AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are accepted when set; with neither,
a fixed development key pair is printed at start-up.
`;

const OPTIONS = {
  config: { type: 'string' },
  port: { type: 'string' },
  host: { type: 'string' },
  'data-dir': { type: 'string' },
  region: { type: 'string' },
  credentials: { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

function describePrincipals(principals: Principal[], development: boolean): string {
  if (development) {
    const [p] = principals;
    return [
      'No credentials configured: accepting the development key pair',
      `  AWS_ACCESS_KEY_ID=${p.accessKeyId}`,
      `  AWS_SECRET_ACCESS_KEY=${p.secretAccessKey}`,
    ].join('\n');
  }
  return `Accepting ${principals.length} access key(s): ${principals.map((p) => `${p.accessKeyId} (${p.profile})`).join(', ')}`;
}

async function runS3(flags: Record<string, unknown>): Promise<number> {
  const config = resolveConfig(flags, {
    port: 4568,
    host: '127.0.0.1',
    dataDir: '.apigw',
    region: 'us-east-1',
  });
  const log = createLogger(config.logLevel ?? 'info');
  const { principals, development } = loadPrincipals(config.credentials);
  const s3 = await startS3Server({
    dataDir: config.dataDir,
    port: config.port,
    host: config.host,
    region: config.region,
    users: principals,
    log,
  });
  process.stdout.write(`${describePrincipals(principals, development)}\n`);
  process.stdout.write(`Data directory: ${config.dataDir}\n`);
  process.stdout.write(`S3 endpoint: ${s3.url} (region ${config.region})\n`);
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void s3.close().then(resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}

/** Entry point of the `apigw` command; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`apigw: ${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const [command, ...rest] = positionals;
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined && !values.help ? 2 : 0;
  }
  const { help: _h, version: _v, ...settings } = values;
  const flags = Object.fromEntries(Object.entries(settings).map(([name, value]) => [keyName(name), value]));
  try {
    if (rest.length > 0) throw new ConfigError(`unexpected argument '${rest[0]}'`);
    switch (command) {
      case 's3':
        return await runS3(flags);
      default:
        process.stderr.write(`apigw: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`apigw: ${e.message}\n`);
      return 1;
    }
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      const { address, port } = e as { address?: string; port?: number };
      process.stderr.write(`apigw: cannot listen on ${address}:${port} (${code})\n`);
      return 1;
    }
    throw e;
  }
}
