// One JSON Lines record per finished cell: its fields, the statistics schema (names + labels for plots), parsing.
import type { ModelWeights, ResolvedTrainConfig, StopReason } from '../api.js';
import type { ModelStatistics } from '../theory/index.js';
import { weightSamples } from '../theory/index.js';
import { checkGrid, SWEEP_KINDS, type GridSpec, type SweepKind } from './grid.js';
import { parseJson, stringifyJson } from '../io/json.js';

export const RECORD_FORMAT = 'persian-rug/sweep/1';

/** Counts of values in `bins` equal-width bins over [lo, hi]. */
export interface Histogram {
  lo: number;
  hi: number;
  counts: number[];
  /** Values counted (the off-diagonal histogram uses a sample of rows). */
  total: number;
}

export interface SweepRecord {
  format: typeof RECORD_FORMAT;
  key: string;
  kind: SweepKind;
  n: number;
  m: number;
  /** Nominal r of the grid (m / n for an m grid). */
  ratio: number;
  /** m / n: what the model has, and the r of theoryLoss. */
  effectiveRatio: number;
  p: number;
  seed: number;
  /** Trained: mean of the last 200 step losses; rug with Adam: last epoch's mean; otherwise null. */
  trainLoss: number | null;
  /** Trained: held-out loss; rug: Monte-Carlo loss; theory: L*; linear: (1 - r) v. */
  evalLoss: number;
  /** L*(p, m / n) of docs/theory.md §4 and its optimum. */
  theoryLoss: number;
  theory: { a: number; c: number; sigma: number; kappa: number };
  /** Output 0 (p / 3), best constant (v), best rank-m linear ((1 - r) v). */
  baselines: { zero: number; constant: number; linear: number };
  training?: { steps: number; stopReason: StopReason; samplesPerSecond: number; evalSamples: number; config: Omit<ResolvedTrainConfig, 'importance'> };
  rug?: { fit: 'theory' | 'adam'; A: number; mu: number; lossStdErr: number; samples: number; rowSet: number };
  /** Trained cells: docs/theory.md §2 (see STATISTIC_FIELDS); NaN where a statistic is undefined (files before the
   *  non-finite encoding of src/io/json.ts hold null there, which readers accept). */
  statistics?: Record<StatisticName, number | null>;
  histograms?: { diagonal: Histogram; offDiagonal: Histogram };
  grid: GridSpec;
  gridId: string;
  seconds: number;
  finishedAt: string;
  /** Written by `sweep --shard i/N` with N > 1: which shard (1-based) of how many; merge names a task by it. */
  shard?: { index: number; count: number };
}

/** Flat statistics of a trained model, with the label figures use. One list: records, plots and docs read it. */
export const STATISTIC_FIELDS = [
  { name: 'diagonalMean', label: 'mean diag W' },
  { name: 'diagonalDelta', label: 'Delta diag W' },
  { name: 'biasMean', label: 'mean b' },
  { name: 'biasDelta', label: 'Delta b' },
  { name: 'interferenceVarianceMean', label: 'mean var(nu)' },
  { name: 'interferenceVarianceDelta', label: 'Delta var(nu)' },
  { name: 'interferenceMeanMean', label: 'mean E nu' },
  { name: 'interferenceMeanDelta', label: 'Delta mean(nu)' },
  { name: 'ksStatisticMean', label: 'mean KS statistic of nu' },
  { name: 'ksPValueMedian', label: 'median KS p-value of nu' },
  { name: 'ksPValueMin', label: 'min KS p-value of nu' },
  { name: 'ksFractionRejected', label: 'fraction of rows with KS p < 0.05' },
  { name: 'interferenceSkewness', label: 'skewness of nu' },
  { name: 'interferenceExcessKurtosis', label: 'excess kurtosis of nu' },
  { name: 'lyapunovMin', label: 'min Lambda' },
  { name: 'lyapunovMean', label: 'mean Lambda' },
  { name: 'lyapunovMax', label: 'max Lambda' },
  { name: 'offDiagonalMean', label: 'mean off-diag W' },
  { name: 'offDiagonalVariance', label: 'var off-diag W' },
  { name: 'offDiagonalSkewness', label: 'skewness off-diag W' },
  { name: 'offDiagonalExcessKurtosis', label: 'excess kurtosis off-diag W' },
  { name: 'normFrobenius', label: '||W||_F' },
  { name: 'normSymmetric', label: '||sym W||_F' },
  { name: 'normAntisymmetric', label: '||antisym W||_F' },
  { name: 'rank', label: 'rank W' },
  { name: 'predictedLoss', label: 'per-row predicted loss' },
  { name: 'meanFieldLoss', label: 'mean-field predicted loss' },
] as const;
export type StatisticName = (typeof STATISTIC_FIELDS)[number]['name'];

function median(values: ArrayLike<number>): number {
  const sorted = Array.from(values).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The flat record fields from modelStatistics (NaN where undefined; written as "NaN", see src/io/json.ts). */
export function summarizeStatistics(s: ModelStatistics): Record<StatisticName, number | null> {
  const meanOf = (a: ArrayLike<number>) => { let t = 0; for (let i = 0; i < a.length; i++) t += a[i]; return t / a.length; };
  const raw: Record<StatisticName, number> = {
    diagonalMean: s.diagonal.mean,
    diagonalDelta: s.diagonal.variance,
    biasMean: s.bias ? s.bias.mean : NaN,
    biasDelta: s.bias ? s.bias.variance : NaN,
    interferenceVarianceMean: s.interferenceVariance.mean,
    interferenceVarianceDelta: s.interferenceVariance.variance,
    interferenceMeanMean: meanOf(s.interferenceMean),
    interferenceMeanDelta: s.interferenceMeanSpread.variance,
    ksStatisticMean: s.interference.meanKs,
    ksPValueMedian: median(s.interference.ksPValue),
    ksPValueMin: s.interference.minPValue,
    ksFractionRejected: s.interference.fractionRejected,
    interferenceSkewness: s.interference.skewness,
    interferenceExcessKurtosis: s.interference.excessKurtosis,
    lyapunovMin: s.lyapunov.min,
    lyapunovMean: s.lyapunov.mean,
    lyapunovMax: s.lyapunov.max,
    offDiagonalMean: s.offDiagonal.mean,
    offDiagonalVariance: s.offDiagonal.variance,
    offDiagonalSkewness: s.offDiagonal.skewness,
    offDiagonalExcessKurtosis: s.offDiagonal.excessKurtosis,
    normFrobenius: s.norms.frobenius,
    normSymmetric: s.norms.symmetric,
    normAntisymmetric: s.norms.antisymmetric,
    rank: s.rank ?? NaN,
    predictedLoss: s.predictedLoss,
    meanFieldLoss: s.meanFieldLoss,
  };
  return raw;
}

/** Histogram of `values` in `bins` bins over [min, max] (a zero-width range is widened by 1e-6). */
export function histogram(values: ArrayLike<number>, bins: number): Histogram {
  let lo = Infinity, hi = -Infinity;
  for (let i = 0; i < values.length; i++) { lo = Math.min(lo, values[i]); hi = Math.max(hi, values[i]); }
  if (!(hi > lo)) { lo -= 1e-6; hi += 1e-6; }
  const counts = new Array<number>(bins).fill(0);
  for (let i = 0; i < values.length; i++) counts[Math.min(bins - 1, Math.floor(((values[i] - lo) / (hi - lo)) * bins))]++;
  return { lo, hi, counts, total: values.length };
}

/** Histograms of the n diagonal entries of W = W_out W_in and of the off-diagonal entries of `sampleRows` evenly spread rows. */
export function weightHistograms(weights: ModelWeights, sampleRows: number, bins = 40): { diagonal: Histogram; offDiagonal: Histogram } {
  const { diagonal, offDiagonal } = weightSamples(weights, sampleRows);
  return { diagonal: histogram(diagonal, bins), offDiagonal: histogram(offDiagonal, bins) };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const shown = (v: unknown): string => { const t = stringifyJson(v); return t === undefined ? String(v) : t.length > 60 ? `${t.slice(0, 57)}...` : t; };

/** Field checks of a record: each returns what the value should be, or '' when it is fine. */
const isNumber = (v: unknown) => (typeof v === 'number' ? '' : 'a number');
const isCount = (v: unknown) => (Number.isInteger(v) && (v as number) >= 0 ? '' : 'an integer >= 0');
const isPositiveInteger = (v: unknown) => (Number.isInteger(v) && (v as number) >= 1 ? '' : 'an integer >= 1');
const isText = (v: unknown) => (typeof v === 'string' ? '' : 'a string');
const isNumberOrNull = (v: unknown) => (v === null || typeof v === 'number' ? '' : 'a number or null');
const isProbability = (v: unknown) => (typeof v === 'number' && v > 0 && v <= 1 ? '' : 'a number in (0, 1]');
const isNumberList = (v: unknown) => (Array.isArray(v) && v.every((x) => typeof x === 'number') ? '' : 'a list of numbers');

function gridProblem(v: unknown): string {
  const what = 'a grid spec (kinds, n, ratio or m, p, seeds, train, rug, statistics)';
  if (!isObject(v)) return what;
  const lists = ['n', 'p', 'seeds', ...(v.ratio !== undefined ? ['ratio'] : []), ...(v.m !== undefined ? ['m'] : [])];
  if (!Array.isArray(v.kinds) || !v.kinds.every((k) => (SWEEP_KINDS as readonly unknown[]).includes(k))) return what;
  if (!lists.every((name) => isNumberList(v[name]) === '') || !isObject(v.train) || !isObject(v.rug) || !isObject(v.statistics)) return what;
  try {
    checkGrid(v as unknown as GridSpec);
  } catch (error) {
    return `${what}: ${(error as Error).message}`;
  }
  return '';
}

function histogramProblem(v: unknown): string {
  const what = 'a histogram { lo, hi, counts, total }';
  return isObject(v) && typeof v.lo === 'number' && typeof v.hi === 'number' && isNumberList(v.counts) === '' && typeof v.total === 'number' ? '' : what;
}

const RECORD_FIELDS: ReadonlyArray<[string, (v: unknown) => string]> = [
  ['key', isText], ['kind', (v) => ((SWEEP_KINDS as readonly unknown[]).includes(v) ? '' : `one of ${SWEEP_KINDS.join(', ')}`)],
  ['n', isPositiveInteger], ['m', isPositiveInteger], ['ratio', isProbability], ['effectiveRatio', isProbability], ['p', isProbability],
  ['seed', isCount], ['trainLoss', isNumberOrNull], ['evalLoss', isNumber], ['theoryLoss', isNumber],
  ['theory', (v) => (isObject(v) && ['a', 'c', 'sigma', 'kappa'].every((k) => typeof v[k] === 'number') ? '' : 'an object of numbers a, c, sigma, kappa')],
  ['baselines', (v) => (isObject(v) && ['zero', 'constant', 'linear'].every((k) => typeof v[k] === 'number') ? '' : 'an object of numbers zero, constant, linear')],
  ['grid', gridProblem], ['gridId', isText], ['seconds', isNumber], ['finishedAt', isText],
];
const OPTIONAL_FIELDS: ReadonlyArray<[string, (v: unknown) => string]> = [
  ['statistics', (v) => (isObject(v) && Object.values(v).every((x) => x === null || typeof x === 'number') ? '' : 'an object of numbers')],
  ['histograms', (v) => (isObject(v) && histogramProblem(v.diagonal) === '' && histogramProblem(v.offDiagonal) === '' ? '' : 'an object of histograms diagonal, offDiagonal')],
  ['training', (v) => (isObject(v) && Number.isInteger(v.steps) && isObject(v.config) ? '' : 'an object with steps and config')],
  ['rug', (v) => (isObject(v) && typeof v.A === 'number' && typeof v.mu === 'number' ? '' : 'an object with numbers A and mu')],
  ['shard', (v) => (isObject(v) && Number.isInteger(v.index) && Number.isInteger(v.count) && (v.index as number) >= 1 && (v.index as number) <= (v.count as number) ? '' : 'an object { index, count } with 1 <= index <= count')],
];

/**
 * Throws an Error "FIELD = VALUE is not WHAT" unless `value` is a SweepRecord with
 * every field merge, resume and the plots read of the right type (numbers may be NaN or +-Infinity, decoded from
 * their strings by parseJson; the grid spec must expand).
 */
export function checkRecord(value: unknown): SweepRecord {
  if (!isObject(value) || value.format !== RECORD_FORMAT) throw new Error(`no "format": "${RECORD_FORMAT}"`);
  for (const [name, problem] of RECORD_FIELDS) {
    const wrong = problem(value[name]);
    if (wrong) throw new Error(`${name} = ${shown(value[name])} is not ${wrong}`);
  }
  for (const [name, problem] of OPTIONAL_FIELDS) {
    const wrong = value[name] === undefined ? '' : problem(value[name]);
    if (wrong) throw new Error(`${name} = ${shown(value[name])} is not ${wrong}`);
  }
  return value as unknown as SweepRecord;
}

export interface ParsedResults {
  records: SweepRecord[];
  /** 1-based line numbers of complete lines that are not records (reported, skipped). */
  badLines: { line: number; error: string }[];
  /** Text after the last newline (a record cut off mid-write), or '' when the file ends with a newline. */
  partialLine: string;
  /** Torn lines: a record cut off mid-write with a complete record appended after it on the same line (a writer
   * killed, then another append without --resume's truncation). The appended record is in `records`; the cut-off
   * cell is not (its key, when readable, is `lostKey`). */
  torn: { line: number; recoveredKey: string; lostKey: string | null }[];
  /** Length in characters of the complete lines (where a resumed run truncates the file to). */
  completeLength: number;
}

/** How every line formatRecord writes begins (so a record cut off mid-write begins so too). */
export const RECORD_OPENER = `{"format":${JSON.stringify(RECORD_FORMAT)},`;

/** Parses JSON Lines text; tolerates a final partial line and torn lines, reports lines that are not records. */
export function parseResults(text: string): ParsedResults {
  const end = text.lastIndexOf('\n') + 1;
  const complete = text.slice(0, end);
  const records: SweepRecord[] = [];
  const badLines: { line: number; error: string }[] = [];
  const torn: ParsedResults['torn'] = [];
  complete.split('\n').forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      records.push(checkRecord(parseJson(line)));
    } catch (error) {
      const at = line.startsWith(RECORD_OPENER) ? line.lastIndexOf(RECORD_OPENER) : -1;
      if (at > 0) {
        try {
          const record = checkRecord(parseJson(line.slice(at)));
          records.push(record);
          torn.push({ line: index + 1, recoveredKey: record.key, lostKey: /"key":"([^"]*)"/.exec(line.slice(0, at))?.[1] ?? null });
          return;
        } catch { /* not a torn record: a bad line */ }
      }
      badLines.push({ line: index + 1, error: (error as Error).message });
    }
  });
  return { records, badLines, partialLine: text.slice(end), completeLength: end, torn };
}

/** Keys that occur more than once, with their counts. */
export function duplicatedKeys(records: readonly SweepRecord[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of records) counts.set(r.key, (counts.get(r.key) ?? 0) + 1);
  for (const [key, count] of counts) if (count === 1) counts.delete(key);
  return counts;
}

/** One complete JSON line, ending in '\n' (non-finite numbers as in src/io/json.ts). */
export function formatRecord(record: SweepRecord): string {
  return stringifyJson(record) + '\n';
}
