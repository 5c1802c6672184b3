// Cell expansion and stable keys (shards: shard.test.ts).
import { describe, expect, it } from 'vitest';
import { expandGrid, gridId } from '../../src/sweep/grid.js';
import { spec } from './fixtures.js';


describe('expandGrid', () => {
  it('m = max(1, floor(n r)); theory and linear cells use the first seed only; keys are sorted and unique', () => {
    const cells = expandGrid(spec());
    const trained = cells.filter((c) => c.kind === 'trained');
    expect(trained).toHaveLength(2 * 3 * 3 * 2);
    expect(cells.filter((c) => c.kind === 'theory')).toHaveLength(2 * 3 * 3);
    expect(cells.find((c) => c.kind === 'trained' && c.n === 32 && c.ratio === 0.1)!.m).toBe(3);
    expect(expandGrid(spec({ n: [8], ratio: [0.01] }))[0].m).toBe(1);
    const keys = cells.map((c) => c.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual(keys);
  });

  it('two ratios that give the same m are one cell', () => {
    const cells = expandGrid(spec({ kinds: ['theory'], n: [8], ratio: [0.25, 0.3], p: [0.1] }));
    expect(cells).toHaveLength(1);
    expect(cells[0]).toMatchObject({ m: 2, ratio: 0.25 });
  });

  it('checks m <= n, rug needs powers of two, and exactly one of r and m', () => {
    expect(() => expandGrid(spec({ ratio: undefined, m: [40] }))).toThrow(/--m 40 exceeds --n 32/);
    expect(() => expandGrid(spec({ kinds: ['rug'], n: [48] }))).toThrow(/power of two/);
    expect(() => expandGrid(spec({ m: [4] }))).toThrow(/exactly one of --r/);
  });

  it('gridId is stable under key order and changes with the spec', () => {
    const a = spec();
    const b = JSON.parse(JSON.stringify({ statistics: a.statistics, rug: a.rug, train: a.train, seeds: a.seeds, p: a.p, ratio: a.ratio, n: a.n, kinds: a.kinds }));
    expect(gridId(b)).toBe(gridId(a));
    expect(gridId(spec({ train: { steps: 21 } }))).not.toBe(gridId(a));
    expect(gridId(a)).toMatch(/^[0-9a-f]{16}$/);
  });
});

describe('SweepProgress', () => {
  it('counts cells, estimates the time left from the measured pace, names the best and worst cell', async () => {
    const { SweepProgress } = await import('../../src/sweep/progress.js');
    const { runCell, inProcessExecutor } = await import('../../src/sweep/run.js');
    const grid = spec({ kinds: ['theory', 'linear'], n: [32], ratio: [0.25], p: [0.05, 0.2] });
    const cells = expandGrid(grid);
    const progress = new SweepProgress(cells, grid, 100, 0, 42);
    expect(progress.eta(100)).toBe(42);
    for (const cell of cells.slice(0, 2)) progress.record(await runCell(cell, grid, gridId(grid), inProcessExecutor()), cell);
    const line = progress.line(110);
    expect(line).toMatch(/^sweep: 2\/4 cells, 10 s elapsed, ETA /);
    expect(line).toMatch(/best linear\/n=32\/m=8\/p=0\.\d+\/seed=0 \d\.\d{3} L\*/);
  });
});
