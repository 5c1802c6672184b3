// Every file we write, our own readers accept: random records with NaN, +-Infinity, 1e-320, 1e308 through each
// writer (results JSON Lines, merge output, run.json) and back through each reader (loadResults, merge, plot,
// sweep --resume, measure), with the one encoding of src/io/json.ts.
import { beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expandGrid, gridId, type GridSpec } from '../../src/sweep/grid.js';
import { inProcessExecutor, runCell } from '../../src/sweep/run.js';
import { checkRecord, formatRecord, type SweepRecord } from '../../src/sweep/record.js';
import { loadResults } from '../../src/sweep/resultsFile.js';
import { parseJson, stringifyJson } from '../../src/io/json.js';
import { writeRun } from '../../src/io/runRecord.js';
import type { ModelWeights, TrainResult } from '../../src/api.js';
import { resolveTrainConfig } from '../../src/train/config.js';
import { runMain } from './cli.js';

const RUNS = { seed: Number(process.env.FC_SEED ?? 20241012), numRuns: 25 };
const SPECIAL = [NaN, Infinity, -Infinity, 1e-320, 5e-324, 1e308, -1e308, Number.MAX_VALUE, 0, -0, 1e-300];
/** Any double, with the values JSON cannot hold or that sit at f64's ends drawn often. */
const anyNumber = fc.oneof(fc.constantFrom(...SPECIAL), fc.double());

/** -0 is written as 0 (JSON.stringify's rule, documented): compare with -0 folded into 0. */
const fold = (value: unknown): unknown => JSON.parse(JSON.stringify(value, (_k, v) => (Object.is(v, -0) ? 0 : typeof v === 'number' && !Number.isFinite(v) ? `#${v}` : v)));

const spec: GridSpec = {
  kinds: ['trained', 'theory'], n: [16], ratio: [0.25], p: [0.1], seeds: [0],
  train: { steps: 20, batch: 32, evalSamples: 256, threads: 1 }, rug: { fit: 'theory', samples: 1000, epochs: 1, rowSets: 1 },
  statistics: { sampleRows: 4, samplesPerRow: 100, maxRankHidden: 16 },
};
let templates: SweepRecord[];
let base: string;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'pr-roundtrip-'));
  templates = await Promise.all(expandGrid(spec).map((cell) => runCell(cell, spec, gridId(spec), inProcessExecutor())));
});

/** Paths of the measured numbers of a record (not its identity: key, n, m, p, seed, grid). */
function numberPaths(record: SweepRecord): string[][] {
  const paths: string[][] = [];
  const walk = (value: unknown, path: string[]) => {
    if (typeof value === 'number') paths.push(path);
    else if (value !== null && typeof value === 'object' && !Array.isArray(value)) for (const [k, v] of Object.entries(value)) walk(v, [...path, k]);
    else if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, String(i)]));
  };
  for (const field of ['trainLoss', 'evalLoss', 'theoryLoss', 'theory', 'baselines', 'statistics', 'histograms', 'rug', 'seconds'] as const) {
    walk(record[field], [field]);
  }
  return paths.filter((p) => !(p[0] === 'histograms' && p[2] === 'counts'));
}

function withNumbers(record: SweepRecord, values: number[]): SweepRecord {
  const copy = structuredClone(record) as unknown as Record<string, unknown>;
  numberPaths(record).forEach((path, i) => {
    let at = copy as Record<string, unknown>;
    for (const k of path.slice(0, -1)) at = at[k] as Record<string, unknown>;
    at[path[path.length - 1]] = values[i % values.length];
  });
  return copy as unknown as SweepRecord;
}

const randomRecords = () => fc.tuple(fc.array(anyNumber, { minLength: 1, maxLength: 80 }), fc.array(anyNumber, { minLength: 1, maxLength: 80 }))
  .map(([a, b]) => templates.map((t, i) => withNumbers(t, i === 0 ? a : b)));

describe('results JSON Lines', () => {
  test('stringifyJson / parseJson: every double round-trips (-0 as 0); non-finite values are the strings "NaN", "Infinity", "-Infinity"', () => {
    fc.assert(fc.property(fc.array(anyNumber), (values) => {
      const text = stringifyJson({ values });
      expect(text).not.toContain('null');
      expect(fold(parseJson(text))).toEqual(fold({ values }));
    }), RUNS);
    expect(stringifyJson([NaN, Infinity, -Infinity, 1e-320])).toBe('[\"NaN\",\"Infinity\",\"-Infinity\",1e-320]');
    expect(parseJson('[1e309, -1e309]')).toEqual([Infinity, -Infinity]);
  });

  test('sweep writer -> loadResults, merge -> loadResults, plot and sweep --resume accept the file', async () => {
    let run = 0;
    await fc.assert(fc.asyncProperty(randomRecords(), async (records) => {
      const file = join(base, `records-${run}.jsonl`);
      const merged = join(base, `merged-${run++}.jsonl`);
      await writeFile(file, records.map(formatRecord).join(''));
      const loaded = await loadResults(file);
      expect(loaded.badLines).toEqual([]);
      expect(fold(loaded.records)).toEqual(fold(records));
      const merge = await runMain(['merge', file, '--out', merged]);
      expect(merge.err).toEqual([]);
      expect(merge.code).toBe(0);
      expect(fold((await loadResults(merged)).records)).toEqual(fold(records));
    }), { ...RUNS, numRuns: 15 });
    const last = join(base, `records-${run - 1}.jsonl`);
    const resumed = await runMain(['sweep', '--kind', 'trained,theory', '--n', '16', '--r', '0.25', '--p', '0.1', '--steps', '20', '--batch', '32', '--eval-samples', '256', '--threads', '1', '--stat-rows', '4', '--stat-samples', '100', '--workers', '0', '--out', last, '--resume']);
    expect(resumed.err.filter((l) => /corrupt|not a/.test(l))).toEqual([]);
    expect(resumed.code).toBe(0);
    const plotted = await runMain(['plot', last, '--out', join(base, 'figures'), '--format', 'svg']);
    expect(plotted.error).toBeUndefined();
    expect(plotted.err).toEqual([]);
    expect(plotted.code).toBe(0);
  });

  test('a number too large for f64 (1e309) reads as Infinity, and merge writes it back so that it reads the same', async () => {
    const file = join(base, 'overflow.jsonl');
    await writeFile(file, formatRecord(templates[1]).replace(/"evalLoss":[^,]+/, '"evalLoss":1e309'));
    expect((await loadResults(file)).records[0].evalLoss).toBe(Infinity);
    const merged = join(base, 'overflow-merged.jsonl');
    expect((await runMain(['merge', file, '--out', merged])).code).toBe(0);
    expect(await readFile(merged, 'utf8')).toContain('"evalLoss":"Infinity"');
    expect((await loadResults(merged)).records[0].evalLoss).toBe(Infinity);
  });

  test('checkRecord: a field of the wrong type is named with its value, never a TypeError', () => {
    const good = JSON.parse(formatRecord(templates.find((t) => t.training)!));
    const cases: Array<[string, unknown, RegExp]> = [
      ['grid', 'x', /^grid = "x" is not a grid spec/],
      ['grid', { ...good.grid, n: 'x' }, /^grid = .* is not a grid spec/],
      ['grid', { ...good.grid, kinds: ['bogus'] }, /^grid = .* is not a grid spec/],
      ['n', 1.5, /^n = 1.5 is not an integer >= 1/],
      ['p', 2, /^p = 2 is not a number in \(0, 1\]/],
      ['evalLoss', null, /^evalLoss = null is not a number/],
      ['theory', [], /^theory = \[\] is not an object of numbers/],
      ['statistics', { rank: 'x' }, /^statistics = .* is not an object of numbers/],
      ['histograms', { diagonal: 1 }, /^histograms = .* is not an object of histograms/],
      ['kind', 'other', /^kind = "other" is not one of trained, rug, theory, linear/],
      ['finishedAt', 5, /^finishedAt = 5 is not a string/],
    ];
    for (const [field, value, message] of cases) expect(() => checkRecord({ ...good, [field]: value })).toThrow(message);
    expect(() => checkRecord({ format: 'persian-rug/sweep/1', key: 'k' })).toThrow(/^n = undefined is not an integer >= 1|^kind/);
    expect(() => checkRecord(null)).toThrow(/no "format"/);
  });
});

describe('run.json', () => {
  const weights: ModelWeights = { nFeatures: 4, nHidden: 2, win: new Float32Array(8).fill(0.5), wout: new Float32Array(8).fill(0.25), bias: new Float32Array(4) };
  test('writeRun -> the run record reads back equal; measure accepts it whenever its evalLoss is a finite loss', async () => {
    let run = 0;
    await fc.assert(fc.asyncProperty(fc.array(anyNumber, { maxLength: 30 }), anyNumber, anyNumber, fc.double({ min: 0, max: 1, noNaN: true }), async (history, trainLoss, seconds, evalLoss) => {
      const dir = join(base, `run-${run++}`);
      const result: TrainResult = {
        config: resolveTrainConfig({ nFeatures: 4, nHidden: 2, featureProbability: 0.1, steps: 30 }),
        backend: 'wasm', threads: 1, steps: history.length, stopReason: 'steps', trainLoss, evalLoss, evalSamples: 256,
        perFeatureLoss: history.slice(0, 4), seconds, samplesPerSecond: seconds, lossHistory: history,
      };
      await writeRun(dir, result, weights);
      const text = await readFile(join(dir, 'run.json'), 'utf8');
      expect(text).not.toMatch(/\bnull\b/);
      expect(fold(parseJson(text))).toEqual(fold({ format: 'persian-rug/1', ...result, runId: (parseJson(text) as { runId?: string }).runId }));
      const measured = await runMain(['measure', dir, '--json']);
      expect(measured.err).toEqual([]);
      expect(measured.code).toBe(0);
    }), { ...RUNS, numRuns: 10 });
  });
});
