// One writer per file: an exclusive lock file next to it (FILE.lock) that names its holder; stale locks are taken over.
//
// The rule, for local disks and shared cluster filesystems (NFS v3+, Lustre, GPFS, BeeGFS) alike:
// - The lock is created atomically: the holder's record is written to a private temporary file which is then
//   hard-linked to FILE.lock (link(2) fails with EEXIST when the lock exists, on every POSIX filesystem and over
//   NFS, where O_EXCL was historically unreliable). On a filesystem without hard links, open(O_CREAT | O_EXCL).
// - The record names the holder: host, pid, the process's start time (ISO, and the kernel's start tick on Linux
//   so a reused pid is not mistaken for the holder), the command, and the Slurm job id and restart count if any.
// - A lock is stale, and taken over with a message, only when that is certain: its host is this host and its
//   process is gone (or the pid now belongs to a process that started later), or it was left by an earlier run of
//   this same Slurm job (same SLURM_JOB_ID, lower SLURM_RESTART_COUNT: a requeued task, which Slurm starts only
//   after the earlier run ended). A lock held from another host is never taken over: we cannot see its process.
// - Taking over renames the stale lock away (rename(2) is atomic; of two takers only the one that moved the
//   stale record proceeds) and then creates a fresh lock the normal way.
import { link, open, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { readFileSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';

export interface LockHolder {
  host: string;
  pid: number;
  /** When the holding process started, ISO 8601. */
  started: string;
  /** Linux: field 22 of /proc/PID/stat (clock ticks after boot), which tells a reused pid from the holder. */
  processStart?: string;
  command: string;
  /** SLURM_JOB_ID of the holder (for an array task: the task's own job id, kept across requeues). */
  slurmJob?: string;
  /** SLURM_RESTART_COUNT of the holder (0 or absent: first run). */
  slurmRestart?: number;
}

/** The file is being written by another process (the lock is live). */
export class FileLockedError extends Error {
  constructor(readonly path: string, readonly lockPath: string, readonly holder: LockHolder | null) {
    super(holder
      ? `${path} is being written by another process: ${describeHolder(holder)} (lock ${lockPath}); wait for it to end, or remove ${lockPath} if that process is gone`
      : `${path} is locked by ${lockPath}, whose holder cannot be read; remove ${lockPath} if no process is writing ${path}`);
  }
}

function describeHolder(h: LockHolder): string {
  const slurm = h.slurmJob ? `, Slurm job ${h.slurmJob}${h.slurmRestart ? ` (restart ${h.slurmRestart})` : ''}` : '';
  return `host ${h.host}, pid ${h.pid}, started ${h.started}${slurm}: ${h.command}`;
}

function procStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) is in parentheses and may hold spaces; fields after it are space-separated
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** This process as a lock holder. */
export function currentHolder(command: string): LockHolder {
  const restart = process.env.SLURM_RESTART_COUNT;
  return {
    host: hostname(),
    pid: process.pid,
    started: new Date(Date.now() - process.uptime() * 1000).toISOString(),
    ...(procStart(process.pid) !== undefined ? { processStart: procStart(process.pid) } : {}),
    command,
    ...(process.env.SLURM_JOB_ID ? { slurmJob: process.env.SLURM_JOB_ID } : {}),
    ...(restart && /^\d+$/.test(restart) ? { slurmRestart: Number(restart) } : {}),
  };
}

/** Why `holder` is certainly gone, seen from `me`; null when it may be alive. */
export function staleReason(holder: LockHolder, me: LockHolder): string | null {
  if (holder.slurmJob !== undefined && holder.slurmJob === me.slurmJob && (me.slurmRestart ?? 0) > (holder.slurmRestart ?? 0)) {
    return `it was left by run ${holder.slurmRestart ?? 0} of this Slurm job ${holder.slurmJob}, which was requeued`;
  }
  if (holder.host !== me.host) return null;
  if (holder.pid === me.pid && holder.processStart === me.processStart) return null; // this very process
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return `its process ${holder.pid} on this host is gone`;
    return null; // EPERM: alive, another user's
  }
  const now = procStart(holder.pid);
  if (holder.processStart !== undefined && now !== undefined && now !== holder.processStart) {
    return `its process ${holder.pid} is gone (the pid now belongs to a later process)`;
  }
  return null;
}

function parseHolder(text: string): LockHolder | null {
  try {
    const h = JSON.parse(text) as LockHolder;
    return h && typeof h.host === 'string' && Number.isInteger(h.pid) && typeof h.started === 'string' ? h : null;
  } catch {
    return null;
  }
}

const sameHolder = (a: LockHolder | null, b: LockHolder | null): boolean =>
  a !== null && b !== null && a.host === b.host && a.pid === b.pid && a.started === b.started && a.processStart === b.processStart;

const NO_HARD_LINKS = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);
let tempCounter = 0;

/** Creates `lockPath` holding `text` atomically; false when it exists. */
async function createExclusive(lockPath: string, text: string): Promise<boolean> {
  const temp = `${lockPath}.${hostname()}.${process.pid}.${++tempCounter}.tmp`;
  await writeFile(temp, text, { flag: 'wx' });
  try {
    await link(temp, lockPath);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code === 'EEXIST') return false;
    if (!NO_HARD_LINKS.has(code)) throw error;
  } finally {
    await unlink(temp).catch(() => {});
  }
  try {
    const handle = await open(lockPath, 'wx');
    try { await handle.writeFile(text); } finally { await handle.close(); }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** The holder in `lockPath`; 'gone' when the lock vanished; null when unreadable after waiting for a writer to finish. */
async function readHolder(lockPath: string): Promise<LockHolder | null | 'gone'> {
  for (let attempt = 0; attempt < 20; attempt++) {
    let text: string;
    try {
      text = await readFile(lockPath, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
      throw error;
    }
    const holder = parseHolder(text);
    if (holder) return holder;
    await new Promise((resolve) => setTimeout(resolve, 50)); // an O_EXCL lock between its creation and its write
  }
  return null;
}

export interface FileLock {
  readonly path: string;
  readonly lockPath: string;
  readonly holder: LockHolder;
  /** Stale locks taken over on the way, one line each (for the user). */
  readonly notes: string[];
  /** Removes the lock if it is still ours. */
  release(): Promise<void>;
}

/**
 * Locks `path` for writing by this process (the lock file is `path`.lock). Throws FileLockedError when another live
 * process holds it; takes over stale locks (see the rule at the top of this file), saying so in `notes`.
 */
export async function lockFile(path: string, command: string): Promise<FileLock> {
  const lockPath = `${path}.lock`;
  const me = currentHolder(command);
  const text = JSON.stringify(me) + '\n';
  const notes: string[] = [];
  for (let attempt = 0; attempt < 10; attempt++) {
    if (await createExclusive(lockPath, text)) {
      const onExit = () => {
        try {
          if (sameHolder(parseHolder(readFileSync(lockPath, 'utf8')), me)) unlinkSync(lockPath);
        } catch { /* already gone */ }
      };
      process.once('exit', onExit);
      return {
        path, lockPath, holder: me, notes,
        async release() {
          process.removeListener('exit', onExit);
          onExit();
        },
      };
    }
    const holder = await readHolder(lockPath);
    if (holder === 'gone') continue;
    if (holder === null) throw new FileLockedError(path, lockPath, null);
    const reason = staleReason(holder, me);
    if (reason === null) throw new FileLockedError(path, lockPath, holder);
    const moved = `${lockPath}.stale.${me.host}.${me.pid}.${++tempCounter}`;
    try {
      await rename(lockPath, moved);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    const movedHolder = parseHolder(await readFile(moved, 'utf8').catch(() => ''));
    if (sameHolder(movedHolder, holder)) {
      notes.push(`took over the stale lock ${lockPath} (${describeHolder(holder)}): ${reason}`);
    } else {
      // another taker replaced the stale lock first and we moved its fresh one: put it back
      await link(moved, lockPath).catch(() => {});
    }
    await unlink(moved).catch(() => {});
  }
  const holder = await readHolder(lockPath);
  throw new FileLockedError(path, lockPath, holder === 'gone' ? null : holder);
}
