// `persian-rug sweep` through runSweep: records, resume after a cut-off run, shards, and exit 2 on bad input.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../helpers.js';
import { describe, expect, it, vi } from 'vitest';
import { runSweep } from '../../src/cli/sweep.js';
import { parseResults } from '../../src/sweep/record.js';

const run = (...argv: string[]) => runCommand(runSweep, ...argv);

const TINY = ['--kind', 'trained,theory,linear', '--n', '32', '--m', '8', '--p', '0.05,0.2', '--seeds', '2', '--steps', '20', '--batch', '256', '--eval-samples', '2048', '--stat-samples', '200', '--workers', '0'];
const CELLS = 2 * 2 + 2 + 2;

describe('persian-rug sweep', () => {
  it('writes one complete JSON line per cell with losses, L*, baselines, statistics and the grid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sweep-'));
    const out = join(dir, 'results.jsonl');
    const { code, stdout } = await run(...TINY, '--out', out, '--json');
    expect(code).toBe(0);
    expect(JSON.parse(stdout[stdout.length - 1])).toMatchObject({ written: CELLS, skipped: 0, failed: 0 });
    const text = await readFile(out, 'utf8');
    expect(text.endsWith('\n')).toBe(true);
    const { records, badLines, partialLine } = parseResults(text);
    expect(badLines).toEqual([]);
    expect(partialLine).toBe('');
    expect(new Set(records.map((r) => r.key)).size).toBe(CELLS);
    const trained = records.find((r) => r.kind === 'trained')!;
    expect(trained.trainLoss).toBeGreaterThan(0);
    expect(trained.training!.steps).toBe(20);
    expect(trained.statistics!.diagonalDelta).toBeGreaterThanOrEqual(0);
    expect(trained.histograms!.offDiagonal.counts.reduce((a, b) => a + b, 0)).toBe(trained.histograms!.offDiagonal.total);
    for (const r of records) {
      expect(r.theoryLoss).toBeGreaterThan(0);
      expect(r.baselines.linear).toBeCloseTo((1 - 8 / 32) * (r.p / 3 - r.p ** 2 / 4), 12);
      expect(r.grid.n).toEqual([32]);
    }
    expect(records.find((r) => r.kind === 'theory')!.evalLoss).toBe(records.find((r) => r.kind === 'theory')!.theoryLoss);
  });

  it('--resume after a run cut off mid-line runs only the missing cells; the file then has every cell once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sweep-'));
    const full = join(dir, 'full.jsonl');
    expect((await run(...TINY, '--out', full)).code).toBe(0);
    const lines = (await readFile(full, 'utf8')).split('\n').filter(Boolean);
    const cut = join(dir, 'cut.jsonl');
    await writeFile(cut, lines.slice(0, 3).join('\n') + '\n' + lines[3].slice(0, 40));
    const refused = await run(...TINY, '--out', cut);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toEqual([expect.stringMatching(/already exists; add --resume/)]);
    const { code, stdout, stderr } = await run(...TINY, '--out', cut, '--resume', '--json');
    expect(code).toBe(0);
    expect(stderr.some((l) => /partial line/.test(l))).toBe(true);
    expect(JSON.parse(stdout[stdout.length - 1])).toMatchObject({ written: CELLS - 3, skipped: 3 });
    const parsed = parseResults(await readFile(cut, 'utf8'));
    expect(parsed.partialLine).toBe('');
    expect(parsed.badLines).toEqual([]);
    const keys = parsed.records.map((r) => r.key);
    expect(keys).toHaveLength(CELLS);
    expect(new Set(keys).size).toBe(CELLS);
    const again = await run(...TINY, '--out', cut, '--resume', '--json');
    expect(JSON.parse(again.stdout[again.stdout.length - 1])).toMatchObject({ written: 0, skipped: CELLS });
  });

  it('--resume reports duplicated and torn records, reruns the cut-off cell and adds no duplicate', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sweep-'));
    const full = join(dir, 'full.jsonl');
    expect((await run(...TINY, '--out', full)).code).toBe(0);
    const lines = (await readFile(full, 'utf8')).split('\n').filter(Boolean);
    const key = (line: string) => JSON.parse(line).key as string;
    const damaged = join(dir, 'damaged.jsonl');
    // line 2 repeats line 1; line 3 is line 2 cut off with line 3 appended after it (a kill, then an append)
    await writeFile(damaged, [lines[0], lines[0], lines[1].slice(0, 120) + lines[2], lines[3]].join('\n') + '\n');
    const { code, stdout, stderr } = await run(...TINY, '--out', damaged, '--resume', '--json');
    expect(code).toBe(0);
    expect(stderr).toContain(`sweep: ${damaged} line 3 is torn: a record of ${key(lines[1])} cut off mid-write with the record of ${key(lines[2])} appended after it; the cut-off cell is rerun, the appended record kept`);
    expect(stderr).toContain(`sweep: ${damaged} has 1 cell(s) more than once (e.g. ${key(lines[0])}, 2 times: written by two sweeps at once, or files joined by hand); they are not run again, and merge keeps the first copy`);
    expect(JSON.parse(stdout[stdout.length - 1])).toMatchObject({ written: CELLS - 3, skipped: 3 });
    const parsed = parseResults(await readFile(damaged, 'utf8'));
    const counts = new Map<string, number>();
    for (const r of parsed.records) counts.set(r.key, (counts.get(r.key) ?? 0) + 1);
    expect(counts.size).toBe(CELLS);
    expect([...counts].filter(([, c]) => c > 1)).toEqual([[key(lines[0]), 2]]);
  });

  it('--shard i/N files together hold every cell once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sweep-'));
    const args = ['--kind', 'theory,linear', '--n', '32,64', '--r', '0.1:0.5:3', '--p', '0.01,0.1', '--workers', '0'];
    const keys: string[] = [];
    for (let i = 0; i < 3; i++) {
      const out = join(dir, `s${i}.jsonl`);
      expect((await run(...args, '--shard', `${i + 1}/3`, '--out', out)).code).toBe(0);
      keys.push(...parseResults(await readFile(out, 'utf8')).records.map((r) => r.key));
    }
    expect(keys).toHaveLength(2 * 2 * 3 * 2);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('--shard auto reads a Slurm array task from the environment, says so, and prints every shard\'s predicted time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sweep-'));
    const args = ['--kind', 'theory,linear', '--n', '32,64', '--r', '0.1:0.5:3', '--p', '0.01,0.1', '--workers', '0'];
    const keys: string[] = [];
    for (let task = 1; task <= 3; task++) {
      vi.stubEnv('SLURM_ARRAY_TASK_ID', String(task));
      vi.stubEnv('SLURM_ARRAY_TASK_MIN', '1');
      vi.stubEnv('SLURM_ARRAY_TASK_MAX', '3');
      try {
        const out = join(dir, `task-${task}.jsonl`);
        const { code, stderr } = await run(...args, '--shard', 'auto', '--out', out);
        expect(code).toBe(0);
        expect(stderr[0]).toBe(`sweep: --shard auto: Slurm array task SLURM_ARRAY_TASK_ID=${task} of 1-3 -> shard ${task}/3`);
        expect(stderr[1]).toMatch(new RegExp(`^sweep: shard ${task}/3: \\d+ cells, predicted \\d+ s on one core; all shards \\(cost-balanced\\): 1: \\d+ s, 2: \\d+ s, 3: \\d+ s$`));
        keys.push(...parseResults(await readFile(out, 'utf8')).records.map((r) => r.key));
      } finally {
        vi.unstubAllEnvs();
      }
    }
    expect(keys.sort()).toEqual([...new Set(keys)].sort());
    expect(keys).toHaveLength(2 * 2 * 3 * 2);
  });

  it('--dry-run --json prints the plan and the grid spec without writing', async () => {
    const { code, stdout } = await run('--kind', 'theory', '--n', '64', '--r', '0.25', '--p', '0.002001:0.8:20', '--dry-run', '--json');
    expect(code).toBe(0);
    const plan = JSON.parse(stdout[stdout.length - 1]);
    expect(plan).toMatchObject({ cells: 20, toRun: 20 });
    expect(plan.grid.p).toHaveLength(20);
  });

  it.each([
    [['--p', '0.1:0.5:0'], /featureProbability \(--p\) = "0.1:0.5:0": COUNT = 0 is not an integer in \[1, 10000\]/],
    [['--p', '0,0.5'], /featureProbability \(--p\) = "0,0.5": 0 is not a number in \(0, 1\]/],
    [['--p', '1.2'], /1.2 is not a number in \(0, 1\]/],
    [['--kind', 'trainee'], /kind \(--kind\) = "trainee" is not one of trained, rug, theory, linear/],
    [['--shard', '3/2'], /shard \(--shard\) = "3\/2" is not i\/N/],
    [['--r', '0.1', '--m', '4'], /ratio \(--r\) = 0.1 and nHidden \(--m\) = 4 conflict/],
    [['--shard', '0/2'], /shard \(--shard\) = "0\/2": shards count from 1 \(i\/N with i in \[1, N\]\); the first shard is 1\/2/],
    [['--shard', 'auto'], /shard \(--shard\) = "auto": no array index found: neither SLURM_ARRAY_TASK_ID/],
    [['--shard-count', '3'], /--shard-count 3 goes with --shard auto/],
    [['--kind', 'rug', '--n', '48'], /power of two/],
    [['--steps', '0'], /steps \(--steps\) = 0 is not an integer/],
    [['--bogus', '1'], /unknown flag --bogus/],
  ])('exit 2 with one clear line for bad input %j', async (bad, message) => {
    const base: Record<string, string> = { '--kind': 'theory', '--n': '32', '--r': '0.25', '--p': '0.1', '--out': join(tmpdir(), 'never-written.jsonl') };
    const argv: string[] = [];
    for (const [flag, value] of Object.entries(base)) if (!bad.includes(flag) && !(flag === '--r' && bad.includes('--m'))) argv.push(flag, value);
    const { code, stdout, stderr } = await run(...argv, ...bad);
    expect(code).toBe(2);
    expect(stdout).toEqual([]);
    expect(stderr).toHaveLength(1);
    expect(stderr[0]).toMatch(/^persian-rug sweep: /);
    expect(stderr[0]).toMatch(message);
  });
});
