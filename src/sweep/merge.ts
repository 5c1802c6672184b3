// Joining shard files: unique records by cell key, duplicated keys, and cells of the grid that no file has.
import { expandGrid, gridId, type GridSpec } from './grid.js';
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
  grids: { gridId: string; expected: number; missing: string[] }[];
}

/**
 * Merges record lists. Grids checked: `grids` when given, else every distinct spec stored in the records
 * (records of different grids may share a file; each grid is checked on its own).
 */
export function mergeRecords(inputs: readonly MergeInput[], grids?: readonly GridSpec[]): MergeReport {
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
  const checked = [...specs].map(([id, spec]) => {
    const cells = expandGrid(spec);
    return { gridId: id, expected: cells.length, missing: cells.filter((c) => !first.has(c.key)).map((c) => c.key) };
  });
  return { records: [...first.values()], duplicates, grids: checked };
}
