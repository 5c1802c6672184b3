// Joining shard files: unique records by cell key, duplicated keys, and cells of the grid that no file has.
import { expandGrid, gridId, type GridSpec } from './grid.js';
import { assignShards } from './shard.js';
import type { SweepRecord } from './record.js';

export interface MergeInput {
  source: string;
  records: readonly SweepRecord[];
}

export interface MergeReport {
  /** First record of every key, in input order. */
  records: SweepRecord[];
  /** Keys that occur more than once, with where each copy came from. */
  duplicates: { key: string; sources: string[] }[];
  /** Per grid (from the records' stored spec, or given): cells expected and the keys no input has. */
  grids: GridReport[];
}

export interface GridReport {
  gridId: string;
  expected: number;
  missing: string[];
  /** When the records were written by `sweep --shard i/N` (or `shards` is given): N, and per shard the cells
   * it should have and how many of them no input has (which array task to rerun). */
  shards?: { count: number; byShard: { index: number; expected: number; missing: number }[] };
}

/**
 * Merges record lists. Grids checked: `grids` when given, else every distinct spec stored in the records
 * (records of different grids may share a file; each grid is checked on its own).
 */
export function mergeRecords(inputs: readonly MergeInput[], grids?: readonly GridSpec[], shards?: number): MergeReport {
  const first = new Map<string, SweepRecord>();
  const sources = new Map<string, string[]>();
  for (const { source, records } of inputs) {
    for (const record of records) {
      if (!first.has(record.key)) first.set(record.key, record);
      const list = sources.get(record.key) ?? [];
      list.push(source);
      sources.set(record.key, list);
    }
  }
  const duplicates = [...sources].filter(([, s]) => s.length > 1).map(([key, s]) => ({ key, sources: s }));
  const specs = new Map<string, GridSpec>();
  if (grids) for (const g of grids) specs.set(gridId(g), g);
  else for (const record of first.values()) if (record.grid && !specs.has(record.gridId)) specs.set(record.gridId, record.grid);
  const shardCounts = new Map<string, Set<number>>();
  for (const record of first.values()) {
    if (!record.shard) continue;
    const set = shardCounts.get(record.gridId) ?? new Set<number>();
    set.add(record.shard.count);
    shardCounts.set(record.gridId, set);
  }
  const checked = [...specs].map(([id, spec]): GridReport => {
    const cells = expandGrid(spec);
    const missing = cells.filter((c) => !first.has(c.key)).map((c) => c.key);
    const counts = shards !== undefined ? new Set([shards]) : shardCounts.get(id);
    if (!counts || counts.size !== 1 || [...counts][0] < 2) return { gridId: id, expected: cells.length, missing };
    const count = [...counts][0];
    const { shardOf, cells: sizes } = assignShards(cells, spec, count);
    const byShard = sizes.map((expected, i) => ({ index: i + 1, expected, missing: 0 }));
    for (const key of missing) byShard[shardOf.get(key)! - 1].missing++;
    return { gridId: id, expected: cells.length, missing, shards: { count, byShard } };
  });
  return { records: [...first.values()], duplicates, grids: checked };
}
