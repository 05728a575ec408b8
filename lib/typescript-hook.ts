import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import type * as TypeScript from 'typescript';

/**
 * TypeScript handlers without a build step: `require()` of a `.ts` file transpiles it with the
 * `typescript` package (`transpileModule`: no type checking, as esbuild or ts-node's transpile-only
 * mode) into CommonJS, cached on disk by content so warm starts and other workers skip it.
 */

// Part of the cache key: bump it when the compiler options change.
const OPTIONS_VERSION = 'cjs-es2022-1';

let typescript: typeof TypeScript | undefined;

/** Loads `typescript` from the handler's project first, then from apigw's own dependencies. */
function loadTypeScript(searchFrom: readonly string[]): typeof TypeScript {
  if (typescript) return typescript;
  for (const dir of searchFrom) {
    try {
      typescript = createRequire(path.join(dir, 'noop.js'))('typescript') as typeof TypeScript;
      return typescript;
    } catch {
      // not installed there: try the next place
    }
  }
  throw new Error('TypeScript handlers need the typescript package: npm install --save-dev typescript');
}

/** The CommonJS JavaScript of a `.ts` source, from the cache or freshly transpiled (then cached). */
export function transpiledSource(
  file: string,
  source: string,
  cacheDir: string,
  searchFrom: readonly string[],
): string {
  const key = createHash('sha256').update(`${OPTIONS_VERSION}\0${file}\0${source}`).digest('hex');
  const cached = path.join(cacheDir, `${key}.js`);
  try {
    return readFileSync(cached, 'utf8');
  } catch {
    // not cached yet
  }
  const ts = loadTypeScript(searchFrom);
  const output = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      // Stack traces then point into the .ts file (the worker enables source maps).
      inlineSourceMap: true,
    },
  }).outputText;
  mkdirSync(cacheDir, { recursive: true });
  // Write then rename: workers starting together never read a half-written file.
  const temp = `${cached}.${process.pid}-${threadId}.tmp`;
  writeFileSync(temp, output);
  renameSync(temp, cached);
  return output;
}

type CompilingModule = { _compile(code: string, filename: string): void };

/** Makes `require()` load `.ts` files through transpiledSource. */
export function registerTypeScript(cacheDir: string, searchFrom: readonly string[]): void {
  const extensions = require.extensions as unknown as Record<
    string,
    (module: CompilingModule, filename: string) => void
  >;
  extensions['.ts'] = (module, filename) => {
    const source = readFileSync(filename, 'utf8');
    const searchPaths = [path.dirname(filename), ...searchFrom];
    module._compile(transpiledSource(filename, source, cacheDir, searchPaths), filename);
  };
}
