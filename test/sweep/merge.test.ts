// mergeRecords: duplicates and cells of the stored grid that no input has; parseResults: partial last lines.
import { describe, expect, it } from 'vitest';
import { expandGrid, gridId } from '../../src/sweep/grid.js';
import { shardCells } from '../../src/sweep/shard.js';
import { runCell, inProcessExecutor } from '../../src/sweep/run.js';
import { mergeRecords } from '../../src/sweep/merge.js';
import { formatRecord, parseResults, type SweepRecord } from '../../src/sweep/record.js';
import { spec } from './fixtures.js';

const theorySpec = spec({ kinds: ['theory', 'linear'], n: [32], ratio: [0.25, 0.5], p: [0.05, 0.2] });

async function records(): Promise<SweepRecord[]> {
  const id = gridId(theorySpec);
  return Promise.all(expandGrid(theorySpec).map((c) => runCell(c, theorySpec, id, inProcessExecutor())));
}

describe('mergeRecords', () => {
  it('shards together are complete; a lost shard shows as missing cells; a repeated file as duplicates', async () => {
    const all = await records();
    const byKey = new Map(all.map((r) => [r.key, r]));
    const cells = expandGrid(theorySpec);
    const shards = [1, 2, 3].map((i) => shardCells(cells, theorySpec, i, 3).map((c) => byKey.get(c.key)!));
    const complete = mergeRecords(shards.map((records, i) => ({ source: `s${i}`, records })));
    expect(complete.records).toHaveLength(cells.length);
    expect(complete.duplicates).toEqual([]);
    expect(complete.grids).toEqual([{ gridId: gridId(theorySpec), expected: cells.length, missing: [] }]);

    const gap = mergeRecords([{ source: 's0', records: shards[0] }, { source: 's2', records: shards[2] }, { source: 's0-again', records: shards[0].slice(0, 1) }]);
    expect(gap.grids[0].missing.sort()).toEqual(shards[1].map((r) => r.key).sort());
    expect(gap.duplicates).toEqual([{ key: shards[0][0].key, sources: ['s0', 's0-again'] }]);
    expect(gap.records).toHaveLength(shards[0].length + shards[2].length);
  });

  it('checks against a given grid instead of the stored one', async () => {
    const all = await records();
    const bigger = { ...theorySpec, p: [0.05, 0.2, 0.4] };
    const report = mergeRecords([{ source: 'a', records: all }], [bigger]);
    expect(report.grids[0].missing).toHaveLength(expandGrid(bigger).length - all.length);
    expect(report.grids[0].missing.every((k) => k.includes('p=0.4'))).toBe(true);
  });
});

describe('parseResults', () => {
  it('keeps complete lines, reports non-records, returns a cut-off last line separately', async () => {
    const all = await records();
    const text = formatRecord(all[0]) + 'not json\n' + formatRecord(all[1]) + formatRecord(all[2]).slice(0, 50);
    const parsed = parseResults(text);
    expect(parsed.records.map((r) => r.key)).toEqual([all[0].key, all[1].key]);
    expect(parsed.badLines).toHaveLength(1);
    expect(parsed.badLines[0].line).toBe(2);
    expect(parsed.partialLine).toBe(formatRecord(all[2]).slice(0, 50));
    expect(parsed.completeLength).toBe(text.length - 50);
  });
});
