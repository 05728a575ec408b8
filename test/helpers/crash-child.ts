import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const repo = join(__dirname, '..', '..');

/** The store compiled to JavaScript for a plain-Node child, and how to remove it again. */
export interface CompiledStore {
  /** The compiled gateway/backends/s3/store/index.js, for the child to require. */
  module: string;
  remove(): Promise<void>;
}

/**
 * Compiles the store's current sources (not dist/, which may be stale: the test must never pass
 * against an old build) into a temporary directory.
 */
export async function compileStore(): Promise<CompiledStore> {
  const buildDir = await mkdtemp(join(tmpdir(), 'apigw-s3-crash-build-'));
  execFileSync(
    process.execPath,
    [
      require.resolve('typescript/bin/tsc'),
      ...['--outDir', buildDir, '--rootDir', repo, '--module', 'commonjs', '--target', 'ES2022'],
      ...['--moduleResolution', 'node', '--types', 'node', '--skipLibCheck', '--noCheck'],
      join(repo, 'gateway', 'backends', 's3', 'store', 'index.ts'),
    ],
    { stdio: 'pipe' },
  );
  return {
    module: join(buildDir, 'gateway', 'backends', 's3', 'store', 'index.js'),
    remove: () => rm(buildDir, { recursive: true, force: true }),
  };
}

/**
 * Runs a writer child (`test/fixtures/<script>` with the store module and data directory) until
 * it prints `writing` (its writes are in flight), then SIGKILLs it. Every line it printed before
 * goes to `onLine`. Resolves with how it ended (`[null, 'SIGKILL']` when the kill landed).
 */
export async function runUntilKilled(
  script: string,
  storeModule: string,
  dataDir: string,
  onLine: (words: string[]) => void,
): Promise<[number | null, NodeJS.Signals | null]> {
  const child = join(repo, 'test', 'fixtures', script);
  const proc = spawn(process.execPath, [child, storeModule, dataDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(proc, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: proc.stdout }).on('line', (line) => {
      const words = line.split(' ');
      if (words[0] === 'writing') resolve();
      else onLine(words);
    });
    exited.then(([code]) => reject(new Error(`child exited early (${String(code)}): ${stderr}`)), reject);
  });
  proc.kill('SIGKILL');
  return exited;
}
