import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorDocumentOf, runtimeError, type ErrorDocument } from './error-documents';
import type { LoadedFile, WorkerSetup } from './protocol';
import { registerTypeScript } from '../../../lib/typescript-hook';

/** A Node.js Lambda handler: async (event, context) or callback style (event, context, callback). */
export type Handler = (
  event: unknown,
  context: object,
  callback: (error?: unknown, result?: unknown) => void,
) => unknown;

/** The handler, ready to run, and the files it was loaded from (to notice edits). */
export interface LoadedHandler {
  handler: Handler;
  /** Declared `async`: an invocation it leaves unsettled fails when the event loop empties. */
  isAsync: boolean;
  files: LoadedFile[];
}

/** Loading failed: the error document Lambda reports for an init error. */
export class InitError extends Error {
  constructor(readonly document: ErrorDocument) {
    super(document.errorMessage);
  }
}

// tsc would turn `import()` into `require()` in CommonJS output; ES modules need the real one.
const importModule = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<unknown>;

async function loadModule(file: string, cacheDir: string): Promise<unknown> {
  const ext = path.extname(file).toLowerCase();
  if (ext === '.mjs') return importModule(pathToFileURL(file).href);
  if (ext === '.ts') registerTypeScript(cacheDir, [path.dirname(file), __dirname]);
  try {
    return require(file) as unknown;
  } catch (e) {
    // A .js file in a `"type": "module"` package is an ES module.
    if ((e as NodeJS.ErrnoException).code === 'ERR_REQUIRE_ESM')
      return importModule(pathToFileURL(file).href);
    throw e;
  }
}

function describeError(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/** Files the handler loaded (not packages, not the runtime's own), with their current version. */
function loadedFiles(entry: string): LoadedFile[] {
  const paths = new Set([entry]);
  for (const file of Object.keys(require.cache)) {
    if (file.includes(`${path.sep}node_modules${path.sep}`) || path.dirname(file) === __dirname) continue;
    paths.add(file);
  }
  const files: LoadedFile[] = [];
  for (const p of paths) {
    try {
      const stat = statSync(p);
      files.push({ path: p, mtimeMs: stat.mtimeMs, size: stat.size });
    } catch {
      // gone already: the next invocation's check will notice
    }
  }
  return files;
}

/** Loads the module and finds the handler, reporting failures as Lambda's Node.js runtime does. */
export async function loadHandler(setup: WorkerSetup): Promise<LoadedHandler> {
  const { file, exportName } = setup;
  const moduleName = path.basename(file, path.extname(file));
  if (!existsSync(file)) {
    throw new InitError(runtimeError('ImportModuleError', `Error: Cannot find module '${file}'`));
  }
  let loaded: unknown;
  try {
    loaded = await loadModule(file, setup.cacheDir);
  } catch (e) {
    if (e instanceof SyntaxError)
      throw new InitError(runtimeError('UserCodeSyntaxError', describeError(e), e));
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') {
      throw new InitError(runtimeError('ImportModuleError', describeError(e), e));
    }
    // Code that throws while the module loads: Lambda reports that error as it is.
    throw new InitError(errorDocumentOf(e));
  }
  const exports = loaded as Record<string, unknown> | null;
  const defaults = exports?.default as Record<string, unknown> | undefined;
  const handler = exports?.[exportName] ?? defaults?.[exportName];
  if (typeof handler !== 'function') {
    throw new InitError(
      runtimeError('HandlerNotFound', `${moduleName}.${exportName} is undefined or not exported`),
    );
  }
  return {
    handler: handler as Handler,
    isAsync: handler.constructor.name === 'AsyncFunction',
    files: loadedFiles(file),
  };
}
