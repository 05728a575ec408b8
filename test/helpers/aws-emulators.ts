import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { FIXTURES } from './execute-api';
import { existsSync } from 'node:fs';

/** An AWS service emulator (dynalite, kinesalite) running in this process. */
export interface RunningEmulator {
  readonly url: string;
  close(): Promise<void>;
}

type EmulatorFactory = (options: Record<string, unknown>) => Server;

/**
 * Loads an emulator package, or says why it cannot: a test without it is skipped outside CI and
 * fails in CI (`process.env.CI`), where the devDependencies are installed.
 */
export function loadEmulator(name: 'dynalite' | 'kinesalite'): EmulatorFactory | string {
  try {
    return require(name) as EmulatorFactory;
  } catch (e) {
    const why = `${name} is not installed (${(e as Error).message.split('\n')[0]}): npm install`;
    if (process.env.CI) throw new Error(why);
    return why;
  }
}

/** Starts an emulator on 127.0.0.1 and a free port; its state is in memory and goes with it. */
export async function startEmulator(
  factory: EmulatorFactory,
  options: Record<string, unknown>,
): Promise<RunningEmulator> {
  const server = factory(options);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err?: Error) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/**
 * One of AWS's published sample APIs (FIXTURES), or undefined when they are not there; in CI, where
 * they must be, their absence fails the test instead.
 */
export function sharedFixture(name: string): string | undefined {
  const file = path.join(FIXTURES, name);
  if (existsSync(file)) return file;
  if (process.env.CI) throw new Error(`${file} is absent: CI must check AWS's sample APIs out`);
  return undefined;
}

/** An emulator started from its command line, as an example's README starts it. */
export interface EmulatorProcess {
  readonly url: string;
  /** Ends the process (SIGTERM) and waits for it to exit. */
  stop(): Promise<void>;
}

/**
 * Runs `npx <name> --port <free port> ...args` (the package's own bin, without npx's lookup) and
 * resolves once it prints that it listens.
 */
export async function spawnEmulatorCli(
  name: 'dynalite' | 'kinesalite',
  port: number,
  args: string[],
): Promise<EmulatorProcess> {
  const bin = require.resolve(`${name}/cli.js`);
  const child = spawn(process.execPath, [bin, '--port', String(port), ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      if (/[Ll]istening at/.test(output)) resolve();
    });
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    void exited.then(() => reject(new Error(`${name} exited before listening:\n${output}`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
