import { execFile } from 'node:child_process';
import path from 'node:path';
import { tempDir, type TempDir } from '../helpers/api-doc';
import { REPO, spawnApigw, type ApigwProcess } from '../helpers/cli';

// examples/usage-plans/curl.sh against `apigw serve examples/usage-plans`, as a user runs them:
// API keys, a plan's per-method throttle and daily quota, the stage cache, GetUsage and
// FlushStageCache through the signed admin endpoint (curl --aws-sigv4).

const EXAMPLE = path.join(REPO, 'examples', 'usage-plans');

function runScript(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      'bash',
      [path.join(EXAMPLE, 'curl.sh')],
      { env: { PATH: process.env.PATH, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        if (err && typeof err.code !== 'number') return reject(err);
        resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
      },
    );
  });
}

describe('examples/usage-plans', () => {
  let dir: TempDir;
  let apigw: ApigwProcess;
  let baseUrl: string;
  beforeAll(async () => {
    dir = tempDir('apigw-usage-plans-');
    apigw = spawnApigw(['serve', EXAMPLE, '--port', '0', '--data-dir', dir.dir]);
    baseUrl = (await apigw.waitFor(/Base URL: (\S+)/))[1];
  });
  afterAll(async () => {
    apigw.child.kill('SIGTERM');
    expect(await apigw.exited).toBe(0);
    dir.remove();
  });

  test('curl.sh walks every step', async () => {
    const run = await runScript({ BASE_URL: baseUrl });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(run.stdout).toContain('All steps passed.');
    // The statuses of the walk-through, in order.
    const statuses = [...run.stdout.matchAll(/^ {4}HTTP (\d{3})/gm)].map((m) => Number(m[1]));
    expect(statuses).toEqual([
      200, 403, 403, 200, 200, 200, 202, 202, 429, 200, 200, 200, 429, 200, 202, 200,
    ]);
    // Start-up said nothing was wrong with the keys and plans.
    expect(apigw.stderr()).not.toMatch(/WARN/);
  });

  test('apigw usage without Redis says where the in-process usage is', async () => {
    const usage = spawnApigw(['usage', EXAMPLE, '--plan', 'free']);
    expect(await usage.exited).toBe(1);
    expect(usage.stderr()).toMatch(
      /^apigw: apigw usage reads the shared Redis store: .*GET \/_apigw\/usageplans\/\{planId\}\/usage/,
    );
  });
});
