// One JSON Lines record per finished cell: its fields, the statistics schema (names + labels for plots), parsing.
import type { ModelWeights, ResolvedTrainConfig, StopReason } from '../api.js';
import type { ModelStatistics } from '../theory/index.js';
import { weightRow } from '../theory/index.js';
import type { GridSpec, SweepKind } from './grid.js';

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
  /** L*(p, m / n) of PAPER.md §4 and its optimum. */
  theoryLoss: number;
  theory: { a: number; c: number; sigma: number; kappa: number };
  /** Output 0 (p / 3), best constant (v), best rank-m linear ((1 - r) v). */
  baselines: { zero: number; constant: number; linear: number };
  training?: { steps: number; stopReason: StopReason; samplesPerSecond: number; evalSamples: number; config: Omit<ResolvedTrainConfig, 'importance'> };
  rug?: { fit: 'theory' | 'adam'; A: number; mu: number; lossStdErr: number; samples: number; rowSet: number };
  /** Trained cells: PAPER.md §2 (see STATISTIC_FIELDS). */
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

/** The statistics of PAPER.md §6's heat maps, in the paper's order. */
export const PAPER_HEATMAP_STATISTICS: readonly StatisticName[] = [
  'diagonalDelta', 'biasDelta', 'interferenceVarianceDelta', 'interferenceMeanDelta', 'ksPValueMedian', 'lyapunovMax',
];

const finite = (x: number): number | null => (Number.isFinite(x) ? x : null);

function median(values: ArrayLike<number>): number {
  const sorted = Array.from(values).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The flat record fields from modelStatistics (non-finite values become null: JSON has no NaN). */
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
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, finite(v)])) as Record<StatisticName, number | null>;
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
export function weightHistograms(weights: ModelWeights, p: number, sampleRows: number, bins = 40): { diagonal: Histogram; offDiagonal: Histogram } {
  const { nFeatures: n, nHidden: m, win, wout } = weights;
  const diagonal = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < m; k++) s += wout[i * m + k] * win[k * n + i];
    diagonal[i] = s;
  }
  const rows = Math.min(n, sampleRows);
  const off = new Float64Array(rows * (n - 1));
  const row = new Float64Array(n);
  const input = { nFeatures: n, nHidden: m, win, wout, bias: weights.bias, p };
  let o = 0;
  for (let k = 0; k < rows; k++) {
    const i = Math.floor((k * n) / rows);
    weightRow(input, i, row);
    for (let j = 0; j < n; j++) if (j !== i) off[o++] = row[j];
  }
  return { diagonal: histogram(diagonal, bins), offDiagonal: histogram(off.subarray(0, o), bins) };
}

/** Throws unless `value` looks like a SweepRecord (the fields merge, resume and plots rely on). */
export function checkRecord(value: unknown): SweepRecord {
  const r = value as SweepRecord;
  const ok = r !== null && typeof r === 'object' && r.format === RECORD_FORMAT && typeof r.key === 'string'
    && typeof r.kind === 'string' && Number.isFinite(r.n) && Number.isFinite(r.m) && Number.isFinite(r.p) && typeof r.evalLoss === 'number';
  if (!ok) throw new Error(`not a ${RECORD_FORMAT} record`);
  return r;
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
      records.push(checkRecord(JSON.parse(line)));
    } catch (error) {
      const at = line.startsWith(RECORD_OPENER) ? line.lastIndexOf(RECORD_OPENER) : -1;
      if (at > 0) {
        try {
          const record = checkRecord(JSON.parse(line.slice(at)));
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

/** One complete JSON line, ending in '\n'. */
export function formatRecord(record: SweepRecord): string {
  return JSON.stringify(record) + '\n';
}
