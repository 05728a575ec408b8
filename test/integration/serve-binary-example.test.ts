import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO, spawnApigw } from '../helpers/cli';

// examples/binary-s3 as its README runs it: `apigw serve examples/binary-s3`, then curl.sh (every
// case of the README, each checked by the script itself).

const EXAMPLE = path.join(REPO, 'examples', 'binary-s3');

function runScript(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [path.join(EXAMPLE, 'curl.sh')],
      { env: { PATH: process.env.PATH, ...env }, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err);
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
  });
}

describe.each([
  ['as AWS', [], '413'],
  ['with --max-payload none', ['--max-payload', 'none'], '200'],
])('curl.sh against `apigw serve examples/binary-s3` %s', (_name, flags, bigStatus) => {
  test(`every case passes; the 11 MB upload answers ${bigStatus}`, async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'apigw-binary-example-'));
    const proc = spawnApigw(['serve', EXAMPLE, '--port', '0', '--data-dir', dataDir, ...flags]);
    try {
      const [, baseUrl] = await proc.waitFor(/^Base URL: (http:\/\/\S+)\r?\n/m);
      expect(baseUrl).toMatch(/\/v1$/);
      const run = await runScript({ BASE_URL: baseUrl, BIG: '1', BUCKET: `images-${process.pid}` });
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
      expect(run.stdout).toContain(`(11 MB)\n    HTTP ${bigStatus}`);
      expect(run.stdout).toMatch(/OK: every case behaved as API Gateway does\n$/);
    } finally {
      proc.child.kill('SIGTERM');
      await proc.exited;
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
