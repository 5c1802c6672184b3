// kill -9 of the real CLI (node bin/persian-rug.js, built dist/) at several moments: the checkpoint left behind is
// loadable and `train --resume` ends bit-identical to an uninterrupted run; a killed sweep resumed has every cell once.
// Kill moments: fixed ones plus delays drawn from KILL_SEED (default: the clock; the seed is in the test names).
import { existsSync } from 'node:fs';
import { beforeAll, describe, expect, test } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCheckpoint } from '../../src/io/checkpoint.js';
import { loadResults } from '../../src/sweep/resultsFile.js';
import { parseResults } from '../../src/sweep/record.js';
import { listing, runCli, seededDelays } from './cli.js';

const SEED = Number(process.env.KILL_SEED ?? (Date.now() % 4294967296));
/** ~1.5 s of training on one core: 4000 steps, a checkpoint every 100. */
const TRAIN = ['train', '--n', '128', '--m', '32', '--batch', '256', '--steps', '4000', '--threads', '1', '--eval-samples', '256', '--seed', '5'];
const EVERY = ['--checkpoint-every', '100'];

describe('train killed with SIGKILL', () => {
  let base: string;
  let reference: Buffer;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'pr-kill-'));
    const whole = await runCli([...TRAIN, '--out', join(base, 'whole')]);
    expect(whole.code, whole.stderr).toBe(0);
    reference = await readFile(join(base, 'whole', 'weights.safetensors'));
  });

  const delays = [60, 350, 800, ...seededDelays(SEED, 2, 150, 1400)];
  test.each(delays.map((d, i) => [d, i]))(`killed after %i ms (case %i, KILL_SEED=${SEED}): checkpoint loadable, --resume ends bit-identical`, async (delay, index) => {
    const dir = join(base, `cut-${index}`);
    const killed = await runCli([...TRAIN, ...EVERY, '--out', dir], delay);
    if (killed.signal === null) {
      // finished before the kill: nothing to resume, and the run is the uninterrupted one
      expect(killed.code).toBe(0);
      expect(Buffer.compare(await readFile(join(dir, 'weights.safetensors')), reference)).toBe(0);
      return;
    }
    expect(killed.signal).toBe('SIGKILL');
    const names = await listing(dir);
    // a killed run never leaves run.json or weights without the other, nor a torn checkpoint
    expect(names.filter((n) => !n.includes('.tmp-'))).not.toContain('run.json');
    if (!names.includes('checkpoint.safetensors')) {
      const refused = await runCli(['train', '--resume', dir]);
      expect(refused.code).toBe(2);
      expect(refused.stderr.trim().split('\n')).toEqual([expect.stringMatching(/checkpoint.safetensors: cannot read the checkpoint \(ENOENT\)/)]);
      return;
    }
    const checkpoint = await readCheckpoint(join(dir, 'checkpoint.safetensors'));
    expect(checkpoint.step % 100).toBe(0);
    expect(checkpoint.step).toBeGreaterThan(0);
    expect(checkpoint.step).toBeLessThan(4000);
    expect(checkpoint.lossHistory).toHaveLength(checkpoint.step);
    // the first seeded case is also killed while resuming, then resumed again
    if (index === 3) {
      const again = await runCli(['train', '--resume', dir, ...EVERY, '--threads', '1'], 400);
      if (again.signal === 'SIGKILL') expect((await readCheckpoint(join(dir, 'checkpoint.safetensors'))).step).toBeGreaterThanOrEqual(checkpoint.step);
    }
    const resumed = await runCli(['train', '--resume', dir, '--threads', '1', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(JSON.parse(resumed.stdout.trim().split('\n').pop()!).steps).toBe(4000);
    expect(Buffer.compare(await readFile(join(dir, 'weights.safetensors')), reference)).toBe(0);
    expect((await readCheckpoint(join(dir, 'checkpoint.safetensors'))).step).toBe(4000);
  });
});

describe('sweep killed with SIGKILL', () => {
  /** 9 trained + 9 theory cells, ~2 s on one thread. */
  const SWEEP = ['sweep', '--kind', 'trained,theory', '--n', '64', '--r', '0.125,0.25,0.5', '--p', '0.02,0.05,0.1', '--steps', '1200', '--batch', '128',
    '--eval-samples', '256', '--stat-rows', '4', '--stat-samples', '100', '--workers', '0', '--threads', '1'];
  const CELLS = 18;
  let base: string;
  let reference: Map<string, number>;
  beforeAll(async () => {
    base = await mkdtemp(join(tmpdir(), 'pr-kill-sweep-'));
    const whole = await runCli([...SWEEP, '--out', join(base, 'whole.jsonl')]);
    expect(whole.code, whole.stderr).toBe(0);
    reference = new Map(parseResults(await readFile(join(base, 'whole.jsonl'), 'utf8')).records.map((r) => [r.key, r.evalLoss]));
    expect(reference.size).toBe(CELLS);
  });

  const delays = [400, ...seededDelays(SEED + 1, 2, 250, 1600)];
  test.each(delays.map((d, i) => [d, i]))(`killed after %i ms (case %i, KILL_SEED=${SEED}): --resume leaves every cell exactly once`, async (delay, index) => {
    const out = join(base, `cut-${index}.jsonl`);
    const killed = await runCli([...SWEEP, '--out', out], delay);
    // under load the kill may come before the sweep created its file: then nothing was written, which is fine too
    if (killed.signal === 'SIGKILL' && existsSync(out)) {
      // what a kill leaves is readable: whole records, at most a record cut off mid-write at the end
      const partial = await loadResults(out).catch((error) => { throw new Error(`after the kill: ${(error as Error).message}`); });
      expect(new Set(partial.records.map((r) => r.key)).size).toBe(partial.records.length);
    }
    if (index === 0) {
      // the worst case, made deliberately: a record cut off mid-write as the last line
      const text = existsSync(out) ? await readFile(out, 'utf8') : '';
      const whole = (await readFile(join(base, 'whole.jsonl'), 'utf8')).split('\n');
      const missing = whole.find((line) => line && !text.includes(line.slice(0, 80)));
      if (missing) await writeFile(out, text + missing.slice(0, 57));
    }
    const resumed = await runCli([...SWEEP, '--out', out, '--resume', '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const final = await loadResults(out);
    expect(final.partialLine).toBe('');
    const keys = final.records.map((r) => r.key);
    expect(keys).toHaveLength(CELLS);
    expect(new Set(keys).size).toBe(CELLS);
    // the resumed cells are the same computations as in the uninterrupted sweep
    for (const r of final.records) expect(r.evalLoss).toBe(reference.get(r.key));
  });
});
