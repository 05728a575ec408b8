import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, silentLogger } from '../../gateway/log';
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

  it("leaves a live holder's writes in progress alone", async () => {
    // A process that holds the lock as a store does: the file written with its pid, and kept open.
    const holder = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs');
         fs.writeFileSync(process.argv[1], process.pid + ' 0123456789abcdef\\n');
         fs.openSync(process.argv[1], 'r');
         console.log('ready');
         setInterval(() => {}, 1000);`,
        lockFile(),
      ],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    try {
      await mkdir(join(dataDir, 's3', 'tmp'), { recursive: true });
      await once(holder.stdout!, 'data');
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

  // Issue 20, item 20: after a crash or a reboot the pid in the lock may name another process.
  const linux = process.platform === 'linux' ? describe : describe.skip;
  linux('a pid that no longer names the holder (Linux: /proc)', () => {
    async function openWithLog(): Promise<{ store: DiskStore; lines: string[] }> {
      const lines: string[] = [];
      const store = new DiskStore(
        dataDir,
        createLogger('info', (l) => lines.push(l)),
      );
      await store.open();
      return { store, lines };
    }

    async function expectTakenOver(pid: number, why: string): Promise<void> {
      await mkdir(join(dataDir, 's3'), { recursive: true });
      await writeFile(lockFile(), `${pid} 0123456789abcdef\n`);
      const { store, lines } = await openWithLog();
      try {
        expect((await readFile(lockFile(), 'utf8')).startsWith(`${process.pid} `)).toBe(true);
        expect(lines.filter((l) => l.includes(' INFO ') && l.includes(`taking over ${lockFile()}`))).toEqual([
          expect.stringContaining(`process ${pid} ${why}`),
        ]);
      } finally {
        await store.close();
      }
    }

    it('a live process that is not an apigw on this directory (a reused pid): taken over with an info line', async () => {
      const sleeper = spawn('sleep', ['1000'], { stdio: 'ignore' });
      try {
        await expectTakenOver(sleeper.pid!, 'is not an apigw using this directory');
      } finally {
        sleeper.kill('SIGKILL');
        await once(sleeper, 'exit');
      }
      // The test's own parent process (jest, a shell) likewise.
      await expectTakenOver(process.ppid, 'is not an apigw using this directory');
    });

    it('a zombie (exited, not yet reaped by its parent): taken over', async () => {
      // The shell's background child is inherited by `sleep`, which never reaps it.
      const parent = spawn('sh', ['-c', 'sleep 0.05 & echo $!; exec sleep 1000'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      try {
        const [chunk] = (await once(parent.stdout!, 'data')) as [Buffer];
        const zombie = Number(chunk.toString().trim());
        for (let i = 0; i < 100; i++) {
          if (/^State:\s*Z/m.test(await readFile(`/proc/${zombie}/status`, 'utf8'))) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        expect(await readFile(`/proc/${zombie}/status`, 'utf8')).toMatch(/^State:\s*Z/m);
        await expectTakenOver(zombie, 'has exited (a zombie)');
      } finally {
        parent.kill('SIGKILL');
        await once(parent, 'exit');
      }
    });

    it('a live apigw s3 on the same directory: still refused', async () => {
      const server = spawnApigw(['s3', '--port', '0', '--data-dir', dataDir]);
      try {
        await server.waitFor(/S3 endpoint: /);
        const refused = await new DiskStore(dataDir, silentLogger).open().catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(DataDirInUseError);
        expect((refused as DataDirInUseError).pid).toBe(server.child.pid);
      } finally {
        server.child.kill('SIGKILL');
        await server.exited;
      }
      // Killed, it leaves its lock behind: taken over with no question asked.
      expect((await readFile(lockFile(), 'utf8')).startsWith(`${server.child.pid} `)).toBe(true);
      const store = new DiskStore(dataDir, silentLogger);
      await store.open();
      await store.close();
    });
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
