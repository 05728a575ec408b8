import { randomBytes } from 'node:crypto';
import {
  open,
  readdir,
  readFile,
  readlink,
  realpath,
  rename,
  unlink,
  type FileHandle,
} from 'node:fs/promises';
import { basename, join } from 'node:path';
import { silentLogger, type Logger } from '../../../../lib/log';
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
 * keep diverging indexes, so a second one is refused. The holder keeps the lock file open for as
 * long as it holds it, so the OS itself records whether it still does: when the process dies, its
 * descriptors go. A lock is taken over when its process is gone (crash, kill -9), and, on Linux,
 * when the pid now names a zombie or a process that neither has the lock file open nor runs apigw
 * (the pid was reused after a crash or a reboot). Pids are only meaningful within one pid
 * namespace: containers sharing a volume must not run a server each on it.
 */
export class DataDirLock {
  private constructor(
    private readonly file: string,
    private readonly token: string,
    private readonly handle: FileHandle,
  ) {}

  static async acquire(dir: string, log: Logger = silentLogger): Promise<DataDirLock> {
    const file = join(dir, 'lock');
    const token = `${process.pid} ${randomBytes(8).toString('hex')}\n`;
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const handle = await open(file, 'wx');
        try {
          await handle.writeFile(token);
        } catch (error) {
          await handle.close();
          await unlink(file).catch(() => undefined);
          throw error;
        }
        return new DataDirLock(file, token, handle);
      } catch (error) {
        if (!isErrno(error, 'EEXIST')) throw error;
      }
      const holder = await readOrEmpty(file);
      const pid = Number(holder.split(' ')[0]);
      if (Number.isSafeInteger(pid) && pid > 0) {
        const state = await holderState(pid, file);
        if (state === 'holds') throw new DataDirInUseError(dir, pid);
        if (state !== 'gone') {
          log.info(
            `s3 store: taking over ${file}: process ${pid} ` +
              (state === 'zombie' ? 'has exited (a zombie)' : 'is not an apigw using this directory') +
              ' (the lock was left by a server that stopped without removing it)',
          );
        }
      }
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
    try {
      if ((await readOrEmpty(this.file)) === this.token) await unlink(this.file).catch(() => undefined);
    } finally {
      await this.handle.close().catch(() => undefined);
    }
  }
}

/**
 * What the process named by a lock is: `gone`; a `zombie` (exited, not yet reaped); `holds` (it
 * has the lock file open, runs apigw, or cannot be inspected, as without /proc or when it belongs
 * to another user); or `other` (alive, but neither: the pid was reused).
 */
async function holderState(pid: number, file: string): Promise<'gone' | 'zombie' | 'holds' | 'other'> {
  if (pid === process.pid) return 'holds';
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: it exists, it is just not ours to signal.
    if (!isErrno(error, 'EPERM')) return 'gone';
  }
  const proc = `/proc/${pid}`;
  try {
    const status = await readFile(join(proc, 'status'), 'utf8');
    if (/^State:\s*[ZX]/m.test(status)) return 'zombie';
    const lock = await realpath(file);
    for (const fd of await readdir(join(proc, 'fd'))) {
      const target = await readlink(join(proc, 'fd', fd)).catch(() => '');
      if (target === lock) return 'holds';
    }
    // An apigw from before locks were held open has the directory without the file open.
    const argv = (await readFile(join(proc, 'cmdline'), 'utf8')).split('\0');
    if (argv.some((arg) => /^apigw(\.js)?$/.test(basename(arg)))) return 'holds';
    return 'other';
  } catch (error) {
    // Gone meanwhile, or not ours to inspect (EACCES) or no /proc (not Linux): as before, a live
    // pid holds the lock.
    if (isErrno(error, 'ENOENT') || isErrno(error, 'ESRCH')) return 'gone';
    return 'holds';
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
