import { randomBytes } from 'node:crypto';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno } from './durable';

/** The data directory is held by a live process (another apigw, or another store in this one). */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';

  constructor(
    readonly dir: string,
    readonly pid: number,
  ) {
    super(
      `the S3 data directory ${dir} is in use by process ${pid}` +
        (pid === process.pid ? ' (this one)' : '') +
        ': stop that server or choose another --data-dir (two servers on one directory would corrupt it)',
    );
  }
}

/**
 * `<dir>/lock`: the pid of the process whose store has the directory open, plus a random token.
 * Two stores writing one directory would each clear the other's writes in progress at start and
 * keep diverging indexes, so a second one is refused. A lock whose process is gone (crash, kill
 * -9) is taken over. Pids are only meaningful within one pid namespace: containers sharing a
 * volume must not run a server each on it.
 */
export class DataDirLock {
  private constructor(
    private readonly file: string,
    private readonly token: string,
  ) {}

  static async acquire(dir: string): Promise<DataDirLock> {
    const file = join(dir, 'lock');
    const token = `${process.pid} ${randomBytes(8).toString('hex')}\n`;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await writeFile(file, token, { flag: 'wx' });
        return new DataDirLock(file, token);
      } catch (error) {
        if (!isErrno(error, 'EEXIST')) throw error;
      }
      const holder = await readOrEmpty(file);
      const pid = Number(holder.split(' ')[0]);
      if (Number.isSafeInteger(pid) && pid > 0 && isAlive(pid)) throw new DataDirInUseError(dir, pid);
      // Stale. Moved aside rather than unlinked, so that a lock another process has just taken
      // in its place is noticed (it is not the one we read) and put back instead of lost.
      const aside = `${file}.${randomBytes(8).toString('hex')}.stale`;
      try {
        await rename(file, aside);
      } catch (error) {
        if (isErrno(error, 'ENOENT')) continue;
        throw error;
      }
      const moved = await readOrEmpty(aside);
      if (moved !== holder) {
        await rename(aside, file).catch(() => undefined);
        throw new DataDirInUseError(dir, Number(moved.split(' ')[0]));
      }
      await unlink(aside).catch(() => undefined);
    }
    throw new Error(`could not lock ${dir}: its lock file keeps changing`);
  }

  /** Gives the directory up (only if the lock file is still this lock's). */
  async release(): Promise<void> {
    if ((await readOrEmpty(this.file)) === this.token) await unlink(this.file).catch(() => undefined);
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    return isErrno(error, 'EPERM');
  }
}

async function readOrEmpty(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return '';
    throw error;
  }
}
