// Shards: i/N from 1, --shard auto from Slurm or Kubernetes, and the cost-balanced assignment (properties with fast-check).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expandGrid, type GridSpec, type SweepKind } from '../../src/sweep/grid.js';
import { cellSeconds } from '../../src/sweep/cost.js';
import { assignShards, parseShard, shardCells, shardFromEnvironment } from '../../src/sweep/shard.js';
import { spec } from './fixtures.js';

const gridArbitrary: fc.Arbitrary<GridSpec> = fc.record({
  kinds: fc.uniqueArray(fc.constantFrom<SweepKind>('trained', 'rug', 'theory', 'linear'), { minLength: 1, maxLength: 4 }),
  n: fc.uniqueArray(fc.constantFrom(16, 64, 128, 1024, 8192), { minLength: 1, maxLength: 3 }),
  ratio: fc.uniqueArray(fc.constantFrom(0.01, 0.1, 0.25, 0.5, 0.8), { minLength: 1, maxLength: 3 }),
  p: fc.uniqueArray(fc.constantFrom(0.001, 0.01, 0.1, 0.4, 0.8), { minLength: 1, maxLength: 3 }),
  seeds: fc.integer({ min: 1, max: 3 }).map((k) => Array.from({ length: k }, (_, i) => i)),
  steps: fc.integer({ min: 1, max: 100000 }),
}).map(({ steps, ...g }) => spec({ ...g, train: { steps } }));

const quantized = (g: GridSpec) => expandGrid(g).map((c) => Number(cellSeconds(c, g).toPrecision(6)));

describe('assignShards (cost-balanced, deterministic)', () => {
  it('every cell is in exactly one shard, for any grid and any N; shard times are within one largest cell of even', () => {
    fc.assert(fc.property(gridArbitrary, fc.integer({ min: 1, max: 40 }), (g, count) => {
      const cells = expandGrid(g);
      const seen = new Map<string, number>();
      for (let index = 1; index <= count; index++) {
        for (const cell of shardCells(cells, g, index, count)) seen.set(cell.key, (seen.get(cell.key) ?? 0) + 1);
      }
      expect(seen.size).toBe(cells.length);
      expect([...seen.values()].every((v) => v === 1)).toBe(true);
      const { seconds, cells: sizes } = assignShards(cells, g, count);
      expect(sizes.reduce((a, b) => a + b, 0)).toBe(cells.length);
      // list scheduling: the fullest shard's last cell started when that shard was the emptiest, so
      // max load <= total / N + largest cell
      const costs = quantized(g);
      const total = costs.reduce((a, b) => a + b, 0);
      expect(Math.max(...seconds)).toBeLessThanOrEqual((total / count + Math.max(...costs)) * (1 + 1e-12));
      // and each cell joins the emptiest shard, so no two shards differ by more than the largest cell
      expect(Math.max(...seconds) - Math.min(...seconds)).toBeLessThanOrEqual(Math.max(...costs) * (1 + 1e-12));
      expect(seconds.reduce((a, b) => a + b, 0)).toBeCloseTo(total, 6);
    }), { numRuns: 150 });
  });

  it('is the same whatever order the cells come in (every task of an array computes it alone)', () => {
    fc.assert(fc.property(gridArbitrary, fc.integer({ min: 2, max: 9 }), fc.integer(), (g, count, seed) => {
      const cells = expandGrid(g);
      const shuffled = [...cells];
      let s = seed >>> 0;
      for (let i = shuffled.length - 1; i > 0; i--) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        const j = s % (i + 1);
        [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
      }
      expect([...assignShards(shuffled, g, count).shardOf].sort()).toEqual([...assignShards(cells, g, count).shardOf].sort());
    }), { numRuns: 100 });
  });

  it('longest first to the least-loaded shard (hand-checked case)', () => {
    // trained n = 64, m = 16: the p = 0.1 cell costs ~0.032 s more than the p = 0.01 one, more than the two theory
    // cells (0.012 s each) together; so shard 1 gets the p = 0.1 cell alone, shard 2 the rest
    const g = spec({ kinds: ['trained', 'theory'], n: [64], ratio: [0.25], p: [0.01, 0.1], seeds: [0], train: { steps: 1000 } });
    const cells = expandGrid(g);
    const byKind = (kind: string, p: number) => cells.find((c) => c.kind === kind && c.p === p)!;
    expect(cellSeconds(byKind('trained', 0.1), g) - cellSeconds(byKind('trained', 0.01), g)).toBeGreaterThan(0.024);
    expect(shardCells(cells, g, 1, 2)).toEqual([byKind('trained', 0.1)]);
    expect(shardCells(cells, g, 2, 2).map((c) => c.key).sort()).toEqual([byKind('theory', 0.01), byKind('theory', 0.1), byKind('trained', 0.01)].map((c) => c.key).sort());
  });

  it('a single shard is the whole grid; more shards than cells leave the extra shards empty', () => {
    const g = spec({ kinds: ['theory'], n: [32], ratio: [0.25], p: [0.1, 0.2] });
    const cells = expandGrid(g);
    expect(shardCells(cells, g, 1, 1)).toEqual(cells);
    const { cells: sizes } = assignShards(cells, g, 5);
    expect(sizes).toEqual([1, 1, 0, 0, 0]);
  });
});

describe('parseShard', () => {
  it('takes i/N with 1 <= i <= N, or auto; 0 is an error that says shards count from 1', () => {
    expect(parseShard('2/5')).toEqual({ index: 2, count: 5 });
    expect(parseShard('5/5')).toEqual({ index: 5, count: 5 });
    expect(parseShard('1/1')).toEqual({ index: 1, count: 1 });
    expect(parseShard('auto')).toBe('auto');
    expect(() => parseShard('0/2')).toThrow('shard (--shard) = "0/2": shards count from 1 (i/N with i in [1, N]); the first shard is 1/2');
    for (const bad of ['3/2', '-1/2', '1/0', 'a/b', '1', '1/2/3', ' /2']) expect(() => parseShard(bad)).toThrow(/ is not i\/N with N an integer in \[1, 1000000\] and i an integer in \[1, N\], or auto/);
  });
});

describe('shardFromEnvironment (--shard auto)', () => {
  it('a Slurm array: task position in MIN..MAX (with STEP), count its length; says what it found', () => {
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '3', SLURM_ARRAY_TASK_COUNT: '3' }))
      .toEqual({ index: 2, count: 3, source: 'Slurm array task SLURM_ARRAY_TASK_ID=2 of 1-3' });
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '9' })).toMatchObject({ index: 1, count: 10 });
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '9', SLURM_ARRAY_TASK_STEP: '2' })).toMatchObject({ index: 4, count: 5 });
    expect(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '3', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '7', SLURM_ARRAY_TASK_COUNT: '3' })).toThrow(/SLURM_ARRAY_TASK_COUNT=3 but the array 1-7:1 has 7 tasks/);
    expect(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '3' })).toThrow(/without SLURM_ARRAY_TASK_MIN/);
    // with --shard-count the task id is the shard: task 2 resubmitted alone (--array=2) is still shard 2 of 3
    expect(shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '2', SLURM_ARRAY_TASK_MAX: '2' }, 3))
      .toEqual({ index: 2, count: 3, source: 'Slurm array task SLURM_ARRAY_TASK_ID=2, --shard-count=3 (task ids 1..3 are the shards)' });
    expect(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_MAX: '2' }, 3)).toThrow(/SLURM_ARRAY_TASK_ID=0 is not a shard in \[1, 3\]/);
    expect(() => shardFromEnvironment({ SLURM_ARRAY_TASK_ID: 'x', SLURM_ARRAY_TASK_MIN: '1', SLURM_ARRAY_TASK_MAX: '3' })).toThrow(/SLURM_ARRAY_TASK_ID=x is not a non-negative integer/);
  });

  it('a Kubernetes Indexed Job: JOB_COMPLETION_INDEX + 1, the count from --shard-count or PERSIAN_RUG_SHARD_COUNT', () => {
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: '0', PERSIAN_RUG_SHARD_COUNT: '4' }))
      .toEqual({ index: 1, count: 4, source: 'Kubernetes Indexed Job JOB_COMPLETION_INDEX=0, PERSIAN_RUG_SHARD_COUNT=4' });
    expect(shardFromEnvironment({ JOB_COMPLETION_INDEX: '3' }, 4)).toMatchObject({ index: 4, count: 4, source: expect.stringContaining('--shard-count=4') });
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: '4' }, 4)).toThrow(/JOB_COMPLETION_INDEX=4 is not in \[0, 3\] for 4 shards/);
    expect(() => shardFromEnvironment({ JOB_COMPLETION_INDEX: '1' })).toThrow(/needs the number of shards: --shard-count N or PERSIAN_RUG_SHARD_COUNT=N/);
    expect(() => shardFromEnvironment({})).toThrow(/neither SLURM_ARRAY_TASK_ID \(Slurm job array\) nor JOB_COMPLETION_INDEX/);
  });
});
