import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../gateway/log';
import { DataDirInUseError, DiskStore } from '../../gateway/backends/s3/store';
import { spawnApigw } from '../helpers/cli';

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'apigw-s3-lock-'));
});
afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

const lockFile = () => join(dataDir, 's3', 'lock');
const owner = { id: 'a'.repeat(64), displayName: 'main' };

/** The pid of a process that has exited (what a crashed server leaves in its lock). */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  await once(child, 'exit');
  return child.pid!;
}

describe('one store per data directory', () => {
  it('refuses a second store while the first is open, and admits one once it is closed', async () => {
    const first = new DiskStore(dataDir, silentLogger);
    await first.open();
    await first.createBucket({ name: 'bkt', owner, creationDate: Date.now(), locationConstraint: '' });
    const second = new DiskStore(dataDir, silentLogger);
    const refused = await second.open().catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DataDirInUseError);
    expect((refused as Error).message).toContain(`in use by process ${process.pid}`);
    // The refused store touched nothing: the first still serves, its lock is intact.
    expect(first.getBucket('bkt')).toBeDefined();
    expect((await readFile(lockFile(), 'utf8')).startsWith(`${process.pid} `)).toBe(true);
    await first.close();
    expect(existsSync(lockFile())).toBe(false);
    await second.open();
    expect(second.getBucket('bkt')).toBeDefined();
    await second.close();
  });

  it('takes over the lock of a process that is gone (crash, kill -9)', async () => {
    await mkdir(join(dataDir, 's3'), { recursive: true });
    const pid = await deadPid();
    await writeFile(lockFile(), `${pid} 0123456789abcdef\n`);
    const store = new DiskStore(dataDir, silentLogger);
    await store.open();
    expect((await readFile(lockFile(), 'utf8')).startsWith(`${process.pid} `)).toBe(true);
    await store.close();
    expect(await readdir(join(dataDir, 's3'))).not.toContain('lock');
  });

  it("leaves a live process's writes in progress alone", async () => {
    const holder = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      await mkdir(join(dataDir, 's3', 'tmp'), { recursive: true });
      await writeFile(lockFile(), `${holder.pid} 0123456789abcdef\n`);
      await writeFile(join(dataDir, 's3', 'tmp', 'upload-in-progress.part'), 'bytes');
      const refused = await new DiskStore(dataDir, silentLogger).open().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(DataDirInUseError);
      expect((refused as DataDirInUseError).pid).toBe(holder.pid);
      expect(await readdir(join(dataDir, 's3', 'tmp'))).toEqual(['upload-in-progress.part']);
    } finally {
      holder.kill('SIGKILL');
      await once(holder, 'exit');
    }
  });

  it('apigw s3 on a directory in use exits 1 with the reason, not a stack trace', async () => {
    const store = new DiskStore(dataDir, silentLogger);
    await store.open();
    try {
      const second = spawnApigw(['s3', '--port', '0', '--data-dir', dataDir]);
      expect(await second.exited).toBe(1);
      expect(second.stderr()).toBe(
        `apigw: the S3 data directory ${join(dataDir, 's3')} is in use by process ${process.pid}: ` +
          'stop that server or choose another --data-dir (two servers on one directory would corrupt it)\n',
      );
    } finally {
      await store.close();
    }
  });
});
