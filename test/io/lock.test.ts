// The results-file lock: one holder at a time, the holder named, stale locks (dead pid, requeued Slurm job) taken over.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readFile, readdir, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { currentHolder, FileLockedError, lockFile, staleReason, type LockHolder } from '../../src/io/lock.js';

const tempDir = () => mkdtemp(join(tmpdir(), 'lock-'));

/** A pid that certainly belonged to a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('lockFile', () => {
  it('a second lock of the same file fails naming the holder (host, pid, start time); release frees it', async () => {
    const file = join(await tempDir(), 'results.jsonl');
    const first = await lockFile(file, 'persian-rug sweep');
    expect(JSON.parse(await readFile(`${file}.lock`, 'utf8'))).toMatchObject({ host: hostname(), pid: process.pid, command: 'persian-rug sweep' });
    const second = await lockFile(file, 'persian-rug sweep').then(() => null, (error) => error);
    expect(second).toBeInstanceOf(FileLockedError);
    expect(second.message).toContain(`host ${hostname()}, pid ${process.pid}, started ${first.holder.started}`);
    expect(second.message).toContain(`${file}.lock`);
    await first.release();
    const third = await lockFile(file, 'persian-rug sweep');
    await third.release();
    expect(await readdir(join(file, '..'))).toEqual([]); // no lock and no temporary files left
  });

  it('of many concurrent attempts exactly one wins', async () => {
    const file = join(await tempDir(), 'results.jsonl');
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => lockFile(file, 'x')));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(FileLockedError);
  });

  it('takes over the lock of a dead process on this host, with a message naming it', async () => {
    const file = join(await tempDir(), 'results.jsonl');
    const stale: LockHolder = { host: hostname(), pid: deadPid(), started: '2026-01-01T00:00:00.000Z', command: 'persian-rug sweep' };
    await writeFile(`${file}.lock`, JSON.stringify(stale));
    const lock = await lockFile(file, 'persian-rug sweep');
    expect(lock.notes).toEqual([expect.stringMatching(new RegExp(`took over the stale lock .*pid ${stale.pid}, started 2026-01-01.*process ${stale.pid} on this host is gone`))]);
    expect(JSON.parse(await readFile(`${file}.lock`, 'utf8')).pid).toBe(process.pid);
    await lock.release();
  });

  it('never takes over a lock held from another host; an unreadable lock is reported, not removed', async () => {
    const file = join(await tempDir(), 'results.jsonl');
    const remote: LockHolder = { host: `${hostname()}-other`, pid: deadPid(), started: '2026-01-01T00:00:00.000Z', command: 'persian-rug sweep' };
    await writeFile(`${file}.lock`, JSON.stringify(remote));
    await expect(lockFile(file, 'x')).rejects.toThrow(`host ${remote.host}, pid ${remote.pid}`);
    await writeFile(`${file}.lock`, 'not a lock');
    await expect(lockFile(file, 'x')).rejects.toThrow(/holder cannot be read/);
    expect(await readFile(`${file}.lock`, 'utf8')).toBe('not a lock');
  });

  it('staleReason: a live process, a reused pid, a requeued Slurm job', () => {
    const me = currentHolder('x');
    expect(staleReason({ ...me, pid: process.ppid, processStart: undefined }, me)).toBeNull(); // the parent is alive
    expect(staleReason(me, me)).toBeNull();
    if (me.processStart !== undefined) {
      // the parent's pid with another start tick: the pid was reused
      expect(staleReason({ ...me, pid: process.ppid, processStart: '1' }, me)).toMatch(/later process/);
    }
    const task = { ...me, host: 'node7', slurmJob: '123', slurmRestart: 0 };
    expect(staleReason(task, { ...me, slurmJob: '123', slurmRestart: 1 })).toMatch(/requeued/);
    expect(staleReason(task, { ...me, slurmJob: '123', slurmRestart: 0 })).toBeNull();
    expect(staleReason(task, { ...me, slurmJob: '124', slurmRestart: 5 })).toBeNull();
  });
});

describe('two sweeps on one --out (separate processes)', () => {
  it('the second exits 2 naming the holder while the first writes; the first completes the file alone', async () => {
    const dir = await tempDir();
    const out = join(dir, 'results.jsonl');
    const bin = join(import.meta.dirname, '../../bin/persian-rug.js');
    const grid = ['sweep', '--kind', 'trained', '--n', '32', '--m', '8', '--p', '0.05,0.1,0.2', '--steps', '4000', '--batch', '256', '--eval-samples', '2048', '--workers', '0', '--out', out];
    const first = spawn(process.execPath, [bin, ...grid], { stdio: ['ignore', 'pipe', 'pipe'] });
    const firstDone = new Promise<number>((resolve) => first.on('exit', (code) => resolve(code ?? -1)));
    // wait until the first holds the lock
    for (let i = 0; i < 200; i++) {
      if (await readFile(`${out}.lock`, 'utf8').then(() => true, () => false)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const second = spawnSync(process.execPath, [bin, ...grid.slice(0, -2), '--out', out, '--resume'], { encoding: 'utf8' });
    expect(second.status).toBe(2);
    expect(second.stderr.trim().split('\n')).toEqual([expect.stringMatching(new RegExp(`^persian-rug sweep: --out ${out} is being written by another process: host ${hostname()}, pid ${first.pid}, started `))]);
    expect(await firstDone).toBe(0);
    const keys = (await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l).key);
    expect(keys.sort()).toEqual([...new Set(keys)].sort());
    expect(keys).toHaveLength(3);
    expect((await readdir(dir)).sort()).toEqual(['results.jsonl']);
  });
});
