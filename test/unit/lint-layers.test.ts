import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Linter } from 'eslint';

/**
 * The layering of docs/architecture.md is enforced by `npm run lint` (eslint-rules/layers.js,
 * configured in eslint.config.js): these snippets are linted as if they were files of the
 * repository, and a wrong import must fail.
 */

const ROOT = join(__dirname, '..', '..');
// The repository's own configuration, as `npm run lint` uses it (jest cannot run ESLint's
// config loader, which imports the file dynamically; the Linter takes the loaded array).
const config = require(join(ROOT, 'eslint.config.js')) as Linter.Config[];
const linter = new Linter({ configType: 'flat', cwd: ROOT });

/** The layer-rule messages for `code` placed at `file` (repository-relative). */
async function layerErrors(file: string, code: string): Promise<string[]> {
  const messages = linter.verify(code, config, { filename: join(ROOT, file) });
  return messages.filter((m) => m.ruleId === 'apigw/layers').map((m) => m.message);
}

describe('import layers', () => {
  test('the eslint command fails on a wrong import', async () => {
    const run = promisify(execFile)(
      process.execPath,
      [
        join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js'),
        '--stdin',
        '--stdin-filename',
        'gateway/backends/s3/handlers/new-handler.ts',
      ],
      { cwd: ROOT },
    );
    run.child.stdin!.end(
      "import { createLogger } from '../../../log';\nexport const log = createLogger();\n",
    );
    const failure = await run.then(
      () => undefined,
      (e: { code: number; stdout: string }) => e,
    );
    expect(failure?.code).toBe(1);
    expect(failure?.stdout).toContain('apigw/layers');
  }, 60_000);

  test('an emulator may not import the gateway', async () => {
    const errors = await layerErrors(
      'gateway/backends/s3/handlers/new-handler.ts',
      "import { createLogger } from '../../../log';\nexport const log = createLogger();\n",
    );
    expect(errors).toEqual([expect.stringContaining("may not import 'gateway/log'")]);
  });

  test('an emulator may not import another emulator', async () => {
    const errors = await layerErrors(
      'gateway/backends/lambda/new-file.ts',
      "export { verifyRequest } from '../s3/auth';\n",
    );
    expect(errors).toEqual([expect.stringContaining("may not import 'gateway/backends/s3/auth'")]);
  });

  test('the gateway reaches an emulator only through its entry', async () => {
    const inner = await layerErrors(
      'gateway/stages/new-stage.ts',
      "import type { S3User } from '../backends/s3/identity';\nexport type User = S3User;\n",
    );
    expect(inner).toEqual([expect.stringContaining("only through its entry 'gateway/backends/s3/index.ts'")]);
    const entry = await layerErrors(
      'gateway/stages/new-stage.ts',
      "import type { S3User } from '../backends/s3';\nexport type User = S3User;\n",
    );
    expect(entry).toEqual([]);
  });

  test('the SigV4 engine, lib and the importer depend on nothing of the project', async () => {
    expect(await layerErrors('sigv4/new.ts', "export * from '../gateway/auth/sigv4';\n")).toHaveLength(1);
    expect(await layerErrors('lib/new.ts', "export * from '../sigv4';\n")).toHaveLength(1);
    expect(await layerErrors('openapi/new.ts', "export * from '../mappings';\n")).toHaveLength(1);
    expect(await layerErrors('mappings/new.ts', "export * from '../gateway/log';\n")).toHaveLength(1);
  });

  test('require() and dynamic import() are checked too', async () => {
    const errors = await layerErrors(
      'gateway/backends/lambda/new-file.ts',
      "export const a = require('../../server');\nexport const b = import('../../server');\n",
    );
    expect(errors).toHaveLength(2);
  });

  test('allowed imports pass: a layer below, its own folder, packages', async () => {
    const errors = await layerErrors(
      'gateway/backends/s3/handlers/new-handler.ts',
      "import { createHash } from 'node:crypto';\nimport { signingKey } from '../../../../sigv4';\n" +
        "import { silentLogger } from '../../../../lib/log';\nimport { S3Errors } from '../errors';\n" +
        'export const all = [createHash, signingKey, silentLogger, S3Errors];\n',
    );
    expect(errors).toEqual([]);
  });
});
