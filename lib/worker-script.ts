import { readFileSync } from 'node:fs';
import path from 'node:path';

/** How to start an execution environment's worker thread. */
export interface WorkerScript {
  /** A file to run, or code to evaluate. */
  script: string;
  eval: boolean;
}

let hookJavaScript: string | undefined;

/**
 * How to start a worker thread whose entry is `entry` (a path without extension): its compiled
 * `.js`; when apigw runs from its TypeScript sources (under jest), a small bootstrap instead
 * registers the TypeScript hook (itself transpiled here, once) and then requires the `.ts` entry.
 */
export function workerScript(cacheDir: string, entry: string): WorkerScript {
  if (path.extname(__filename) === '.js') return { script: `${entry}.js`, eval: false };
  if (!hookJavaScript) {
    const ts = require('typescript') as typeof import('typescript');
    const hookSource = readFileSync(path.join(__dirname, 'typescript-hook.ts'), 'utf8');
    hookJavaScript = ts.transpileModule(hookSource, {
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
      },
    }).outputText;
  }
  const bootstrap = [
    'const hook = { exports: {} };',
    `new Function('exports', 'require', 'module', ${JSON.stringify(hookJavaScript)})(hook.exports, require, hook);`,
    `hook.exports.registerTypeScript(${JSON.stringify(cacheDir)}, [${JSON.stringify(__dirname)}]);`,
    `require(${JSON.stringify(`${entry}.ts`)});`,
  ].join('\n');
  return { script: bootstrap, eval: true };
}
