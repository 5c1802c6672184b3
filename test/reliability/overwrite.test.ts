// No silent overwrite, full disks, concurrent writers: --force is the only way over existing work (and leaves no
// stale file of the old run); a full disk stops a sweep with one line naming the file; of two sweeps writing one
// results file, the second is refused naming the first, and the file has every cell once.
import { beforeAll, describe, expect, test } from 'vitest';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCheckpoint } from '../../src/io/checkpoint.js';
import { loadResults } from '../../src/sweep/resultsFile.js';
import { listing, runCli, runMain } from './cli.js';

let base: string;
beforeAll(async () => { base = await mkdtemp(join(tmpdir(), 'pr-overwrite-')); });

const TRAIN = ['train', '--n', '16', '--m', '4', '--batch', '16', '--eval-samples', '64', '--threads', '1'];

describe('train --out over an existing run', () => {
  test('refused without --force (nothing changes); with --force the old checkpoint is gone, so --resume cannot bring the old run back', async () => {
    const dir = join(base, 'run');
    expect((await runMain([...TRAIN, '--steps', '40', '--checkpoint-every', '10', '--seed', '1', '--out', dir])).code).toBe(0);
    const before = await readFile(join(dir, 'weights.safetensors'));
    const refused = await runMain([...TRAIN, '--steps', '20', '--seed', '2', '--out', dir]);
    expect(refused.code).toBe(2);
    expect(refused.err).toEqual([expect.stringMatching(/--out .*run: holds a run \(checkpoint.safetensors, run.json, weights.safetensors\); add --force to replace it, or --resume .* to continue it/)]);
    expect(Buffer.compare(await readFile(join(dir, 'weights.safetensors')), before)).toBe(0);
    // the new run has no checkpoints: with --force nothing of the old run may remain
    const forced = await runMain([...TRAIN, '--steps', '20', '--seed', '2', '--out', dir, '--force']);
    expect(forced.code).toBe(0);
    expect(await listing(dir)).toEqual(['run.json', 'weights.safetensors']);
    const resumed = await runMain(['train', '--resume', dir]);
    expect(resumed.code).toBe(2);
    expect(resumed.err).toEqual([expect.stringMatching(/--resume .*checkpoint.safetensors: cannot read the checkpoint \(ENOENT\)/)]);
  });

  test('--resume DIR continues in place without --force; --resume A --out B over a run in B needs --force', async () => {
    const a = join(base, 'a'), b = join(base, 'b');
    expect((await runMain([...TRAIN, '--steps', '20', '--checkpoint-every', '10', '--out', a])).code).toBe(0);
    expect((await runMain([...TRAIN, '--steps', '20', '--out', b])).code).toBe(0);
    expect((await runMain(['train', '--resume', a])).code).toBe(0);
    expect((await readCheckpoint(join(a, 'checkpoint.safetensors'))).step).toBe(20);
    const into = await runMain(['train', '--resume', a, '--out', b]);
    expect(into.code).toBe(2);
    expect(into.err[0]).toMatch(/--out .*b: holds a run/);
  });
});

describe('results files', () => {
  const SWEEP = ['sweep', '--kind', 'theory,linear', '--n', '16', '--r', '0.25,0.5', '--p', '0.05,0.1', '--workers', '0'];
  test('sweep over an existing file: refused, --resume continues, --force starts over', async () => {
    const out = join(base, 'results.jsonl');
    expect((await runMain([...SWEEP, '--out', out])).code).toBe(0);
    const first = await readFile(out, 'utf8');
    const refused = await runMain([...SWEEP, '--out', out]);
    expect(refused.code).toBe(2);
    expect(refused.err).toEqual([expect.stringMatching(/already exists; add --resume to continue it, --force to start it over/)]);
    expect(await readFile(out, 'utf8')).toBe(first);
    const forced = await runMain([...SWEEP, '--out', out, '--force', '--json']);
    expect(forced.code).toBe(0);
    expect(JSON.parse(forced.out[forced.out.length - 1])).toMatchObject({ written: 8, skipped: 0 });
    expect((await loadResults(out)).records).toHaveLength(8);
  });

  test('merge --out over an existing file and rug --png over an existing image need --force', async () => {
    const out = join(base, 'results.jsonl');
    const merged = join(base, 'merged.jsonl');
    expect((await runMain(['merge', out, '--out', merged])).code).toBe(0);
    expect((await runMain(['merge', out, '--out', merged])).err).toEqual([expect.stringMatching(/--out .*merged.jsonl exists; add --force to replace it/)]);
    expect((await runMain(['merge', out, '--out', merged, '--force'])).code).toBe(0);
    const png = join(base, 'w.png');
    const rug = ['rug', '--n', '16', '--m', '4', '--p', '0.1', '--samples', '1000', '--png', png];
    expect((await runMain(rug)).code).toBe(0);
    expect((await runMain(rug)).err).toEqual([expect.stringMatching(/--png .*w.png exists; add --force to replace it/)]);
    expect((await runMain([...rug, '--force'])).code).toBe(0);
  });

  test.runIf(existsSync('/dev/full'))('a full disk (a results file on /dev/full): one line naming the file, exit 1, no "cell failed" lines', async () => {
    const out = join(base, 'full.jsonl');
    await symlink('/dev/full', out);
    const r = await runMain(['sweep', '--kind', 'trained,theory', '--n', '16', '--r', '0.25,0.5', '--p', '0.05,0.1', '--steps', '30', '--batch', '16', '--eval-samples', '64', '--stat-rows', '2', '--stat-samples', '50', '--workers', '2', '--out', out]);
    expect(r.error).toBeUndefined();
    expect(r.code).toBe(1);
    const errors = r.err.filter((line) => !/^sweep: \d+/.test(line));
    expect(errors).toEqual([expect.stringMatching(/^persian-rug sweep: cannot write .*full.jsonl: the disk is full \(ENOSPC\)$/)]);
    expect(existsSync(`${out}.lock`)).toBe(false);
  });
});

describe('two concurrent sweeps on one results file', () => {
  test('a results file held by a live writer (this process): sweep and merge exit 2 naming it, nothing written', async () => {
    const { lockFile } = await import('../../src/io/lock.js');
    const out = join(base, 'held.jsonl');
    const lock = await lockFile(out, 'the test');
    try {
      for (const argv of [['sweep', '--kind', 'theory', '--n', '16', '--r', '0.25', '--p', '0.1', '--workers', '0', '--out', out], ['merge', join(base, 'results.jsonl'), '--out', out]]) {
        const r = await runMain(argv);
        expect(r.code).toBe(2);
        expect(r.err).toEqual([expect.stringMatching(new RegExp(`--out .*held.jsonl is being written by another process: host .*, pid ${process.pid}`))]);
        expect(existsSync(out)).toBe(false);
      }
    } finally {
      await lock.release();
    }
  });

  test('the second exits 2 naming the first (host, pid); the file has every cell once', async () => {
    const out = join(base, 'shared.jsonl');
    // ~3 s of trained cells on one thread, so the first still holds the file when the second starts
    const sweep = ['sweep', '--kind', 'trained,theory', '--n', '64', '--r', '0.25,0.5', '--p', '0.05,0.1', '--steps', '3000', '--batch', '64', '--eval-samples', '256', '--stat-rows', '2', '--stat-samples', '50', '--workers', '0', '--threads', '1', '--out', out];
    const first = runCli(sweep);
    for (let i = 0; i < 400 && !existsSync(`${out}.lock`); i++) await new Promise((r) => setTimeout(r, 25));
    expect(existsSync(`${out}.lock`)).toBe(true);
    const second = await runCli([...sweep.slice(0, -2), '--out', out, '--resume']);
    const done = await first;
    expect(done.code, done.stderr).toBe(0);
    expect(second.code).toBe(2);
    expect(second.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^persian-rug sweep: --out .*shared.jsonl is being written by another process: host .*, pid \d+/)]);
    const keys = (await loadResults(out)).records.map((r) => r.key);
    expect(keys).toHaveLength(8);
    expect(new Set(keys).size).toBe(keys.length);
    expect((await stat(`${out}.lock`).catch(() => null))).toBeNull();
  });
});

describe('a reader that goes away', () => {
  test('persian-rug ... | head -1: the command ends quietly (exit 0, no stack trace)', async () => {
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const bin = fileURLToPath(new URL('../../bin/persian-rug.js', import.meta.url));
    const child = spawn(process.execPath, [bin, 'theory', '--p', '0.001:0.5:2000', '--r', '0.25', '--csv'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => { stderr += d; });
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
