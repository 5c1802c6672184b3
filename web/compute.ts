// The page's compute worker: theory grids, model statistics, the rug's fit and Monte-Carlo loss, blocks of a trained
// W. Everything that takes more than a few milliseconds runs here, so the page's main thread stays responsive.
import { expose, transfer } from 'comlink';
import type { ModelWeights } from 'persian-rug';
import type { WeightFactors } from 'persian-rug/theory';
import { matrixColours } from './matrix.js';
import { parseResults, runHistogramFigure, runLossFigure, sweepFigures, type Figure, type RunSummary } from 'persian-rug/figures';
import {
  constantLoss, linearLoss, mmseLoss, modelStatistics, optimalSymmetricLoss, sampledRowIndices, weightBlock, weightRow, zeroLoss,
  createRug, createRugEngine, evaluateRug, theoryRugFit,
} from 'persian-rug';

export interface TheoryPoint {
  p: number;
  r: number;
  /** L*(p, r) and its optimum (a, c, sigma) */
  loss: number;
  a: number;
  c: number;
  sigma: number;
  linear: number;
  constant: number;
  zero: number;
  mmse: number;
}

function theoryPoint(p: number, r: number): TheoryPoint {
  const o = optimalSymmetricLoss(p, r);
  return { p, r, loss: o.loss, a: o.a, c: o.c, sigma: o.sigma, linear: linearLoss(p, r), constant: constantLoss(p), zero: zeroLoss(p), mmse: mmseLoss(p, r) };
}

export interface StatisticsSummary {
  nFeatures: number;
  nHidden: number;
  p: number;
  diagonal: { mean: number; variance: number };
  bias: { mean: number; variance: number } | null;
  /** Var nu_i = v sigma_i^2 over rows */
  interferenceVariance: { mean: number; variance: number };
  /** E nu_i over rows */
  interferenceMean: { mean: number; variance: number };
  offDiagonal: { mean: number; variance: number; skewness: number; excessKurtosis: number };
  interference: { meanKs: number; minPValue: number; fractionRejected: number; skewness: number; excessKurtosis: number; rows: number };
  lyapunov: { min: number; mean: number; max: number };
  predictedLoss: number;
  meanFieldLoss: number;
  rank: number | null;
  /** histogram of the off-diagonal W_ij of the sampled rows */
  histogram: { lo: number; hi: number; counts: number[]; total: number };
  seconds: number;
}

const HISTOGRAM_BINS = 48;

/** docs/theory.md §2 statistics as `persian-rug measure --backend js` computes them (same defaults), and a histogram. */
function statistics(w: ModelWeights, p: number, bias: boolean): StatisticsSummary {
  const start = performance.now();
  const input = { nFeatures: w.nFeatures, nHidden: w.nHidden, win: w.win, wout: w.wout, bias: bias ? w.bias : null, p };
  const s = modelStatistics(input);
  let mean = 0;
  for (const x of s.interferenceMean) mean += x;
  mean /= s.nFeatures;
  // the off-diagonal entries of the rows the interference was sampled on
  const n = w.nFeatures;
  const rows = sampledRowIndices(n, Math.min(n, 64));
  const row = new Float64Array(n);
  const values: number[] = [];
  for (const i of rows) {
    weightRow(input, i, row);
    for (let j = 0; j < n; j++) if (j !== i) values.push(row[j]);
  }
  let lo = Infinity, hi = -Infinity;
  for (const v of values) { if (v < lo) lo = v; if (v > hi) hi = v; }
  if (!(hi > lo)) { lo -= 1e-6; hi += 1e-6; }
  const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
  for (const v of values) counts[Math.min(HISTOGRAM_BINS - 1, Math.floor(((v - lo) / (hi - lo)) * HISTOGRAM_BINS))]++;
  return {
    nFeatures: s.nFeatures, nHidden: s.nHidden, p: s.p,
    diagonal: s.diagonal, bias: s.bias,
    interferenceVariance: s.interferenceVariance,
    interferenceMean: { mean, variance: s.interferenceMeanSpread.variance },
    offDiagonal: s.offDiagonal,
    interference: {
      meanKs: s.interference.meanKs, minPValue: s.interference.minPValue, fractionRejected: s.interference.fractionRejected,
      skewness: s.interference.skewness, excessKurtosis: s.interference.excessKurtosis, rows: s.interference.rows.length,
    },
    lyapunov: s.lyapunov,
    predictedLoss: s.predictedLoss, meanFieldLoss: s.meanFieldLoss, rank: s.rank,
    histogram: { lo, hi, counts, total: values.length },
    seconds: (performance.now() - start) / 1000,
  };
}

export interface RugResult {
  n: number;
  m: number;
  p: number;
  seed: number;
  A: number;
  mu: number;
  loss: number;
  lossStdErr: number;
  samples: number;
  theoryLoss: number;
  /** w(k): W_ij = w(i XOR j) */
  kernel: Float64Array;
  backend: 'wasm' | 'js';
  seconds: number;
}

/** The rug of `persian-rug rug --n --m --p --seed --samples` (theory fit, row set 0): (A, mu) and its Monte-Carlo loss. */
async function rug(n: number, m: number, p: number, seed: number, samples: number): Promise<RugResult> {
  const start = performance.now();
  const built = createRug(n, m, seed, 0);
  const fit = theoryRugFit(built, p);
  let engine;
  try {
    engine = await createRugEngine('wasm', n, p);
  } catch (error) {
    console.info(`rug: wasm kernels unavailable here (${(error as Error).message}); using the plain-TS twins`);
    engine = await createRugEngine('js', n, p);
  }
  try {
    engine.setRug(built);
    const e = evaluateRug(engine, fit, seed, samples);
    const result: RugResult = {
      n, m, p, seed, A: fit.scale, mu: fit.shift, loss: e.loss, lossStdErr: e.lossStdErr, samples: e.samples, theoryLoss: fit.theoryLoss,
      kernel: built.kernel, backend: engine.backend, seconds: (performance.now() - start) / 1000,
    };
    return transfer(result, [result.kernel.buffer]);
  } finally {
    engine.dispose();
  }
}

/**
 * The image of W = W_out W_in for factors cut to the rows and columns shown (the train section's top-left block):
 * RGBA pixels on the symmetric scale max |W_ij| of the block.
 */
function weightImage(w: WeightFactors): { rgba: Uint8ClampedArray<ArrayBuffer>; scale: number } {
  const block = weightBlock(w, 0, w.nFeatures, 0, w.nFeatures, new Float64Array(w.nFeatures * w.nFeatures));
  const scale = block.reduce((max, v) => Math.max(max, Math.abs(v)), 0);
  const rgba = matrixColours(block, scale);
  return transfer({ rgba, scale }, [rgba.buffer]);
}

const models = new Map<string, ModelWeights>();

/**
 * Entries W_ij = sum_k W_out[i, k] W_in[k, j] of a stored model on the grid i = row0 + a step, j = col0 + b step
 * (a, b < size; outside [0, n) gives NaN): only what is on screen, never the n x n matrix.
 */
function modelBlock(key: string, row0: number, col0: number, size: number, step: number): Float32Array {
  const w = models.get(key);
  if (!w) throw new Error(`no model ${key} in the compute worker`);
  const out = weightBlock(w, row0, size, col0, size, new Float32Array(size * size), step);
  return transfer(out, [out.buffer]);
}

/**
 * The figures of `persian-rug plot` (Vega-Lite specs, data inlined) from the text of a sweep results file; lines that
 * are not records (1-based numbers) are skipped and reported.
 */
function resultsFigures(text: string): { figures: Figure[]; records: number; badLines: number[]; kinds: string[]; ns: number[]; seeds: number[] } {
  // read as `persian-rug plot` reads it; a last line without its newline is read too (a bad line if it is cut off)
  const parsed = parseResults(text.endsWith('\n') ? text : `${text}\n`);
  const records = parsed.records, badLines = parsed.badLines.map((b) => b.line);
  const sorted = (values: number[]) => [...new Set(values)].sort((a, b) => a - b);
  return {
    figures: records.length ? sweepFigures(records) : [], records: records.length, badLines,
    kinds: [...new Set(records.map((r) => r.kind))], ns: sorted(records.map((r) => r.n)), seeds: sorted(records.map((r) => r.seed)),
  };
}

/**
 * A finished (or paused, or loaded) run's loss curve and histograms: the figures of `persian-rug plot RUN_DIR`
 * (runLossFigure, runHistogramFigure), compiled here from Vega-Lite to Vega and rendered to SVG, so the page's main
 * thread only puts the SVG in place (and makes a view of the Vega spec when the reader points at it).
 */
async function runFigures(run: RunSummary, weights: ModelWeights): Promise<{ name: string; title: string; spec: Figure['spec']; vega: unknown; svg: string }[]> {
  const [{ compile }, { View, parse }] = await Promise.all([import('vega-lite'), import('vega')]);
  return Promise.all([runLossFigure(run), runHistogramFigure(run, weights)].map(async (figure) => {
    const vega = compile(figure.spec as never).spec;
    const view = new View(parse(vega), { renderer: 'none' });
    const svg = await view.toSVG();
    view.finalize();
    return { ...figure, vega, svg };
  }));
}

const api = {
  resultsFigures,
  runFigures,
  theoryPoint,
  theoryRow: (p: number, rs: number[]) => rs.map((r) => theoryPoint(p, r)),
  theoryColumn: (ps: number[], r: number) => ps.map((p) => theoryPoint(p, r)),
  statistics,
  rug,
  setModel(key: string, weights: ModelWeights) { models.set(key, weights); },
  modelBlock,
  weightImage,
  /** max |W_ij| over i != j on a sample of rows (the colour scale of a trained W beside the rug) */
  modelScale(key: string): number {
    const w = models.get(key);
    if (!w) return 1;
    const input = { ...w, bias: w.bias, p: 0.5 };
    const row = new Float64Array(w.nFeatures);
    let max = 0;
    for (const i of sampledRowIndices(w.nFeatures, Math.min(w.nFeatures, 64))) {
      weightRow(input, i, row);
      for (let j = 0; j < w.nFeatures; j++) if (j !== i) max = Math.max(max, Math.abs(row[j]));
    }
    return max || 1;
  },
};

export type ComputeApi = typeof api;
expose(api);
