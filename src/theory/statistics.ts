// The summary of a trained model's statistics (docs/theory.md §2) and the loss the symmetric theory predicts from them.
// Its parts: the O(n^2 m) row pass over W's entries (rowPass.ts), the sampled interference (interference.ts), the
// rank (linearAlgebra.ts).
import { checkFeatureProbability, dataVariance, symmetricLoss } from './loss.js';
import { sampleInterference } from './interference.js';
import { singularValues } from './linearAlgebra.js';
import { referenceRowPass } from './rowPass.js';
import type { WeightFactors } from './weights.js';

export interface ModelStatisticsInput extends WeightFactors {
  /** W_in, m x n row-major */
  win: Float32Array;
  /** W_out, n x m row-major */
  wout: Float32Array;
  /** b, n entries; null: no output bias */
  bias: Float32Array | null;
  /** feature probability p in (0, 1] */
  p: number;
}

export interface ModelStatisticsOptions {
  /** rows whose interference nu_i is sampled; default min(n, 64), spread evenly (i = floor(k n / sampleRows)) */
  sampleRows?: number;
  /** data samples per sampled row; default 1000 */
  samplesPerRow?: number;
  /** u32 seed of the 'statistics' stream of src/reference/random.ts; default 0 */
  seed?: number;
  /** singular values below rankTolerance * sigma_max count as zero; default 1e-6 (f32 inputs carry ~6e-8 relative rounding) */
  rankTolerance?: number;
  /** the rank (an O(m^3) Jacobi eigenvalue problem, ~1 s at m = 256) is computed only for nHidden <= this; default 256 */
  maxRankHidden?: number;
  /** the O(n^2 m) pass over the entries of W; default referenceRowPass (the weightRows twin, plain TS) */
  rowPass?: WeightRowPass;
}

/** What modelStatistics needs from the entries of W = W_out W_in (the O(n^2 m) part): per-row sums, some rows, tr(W W). */
export interface WeightRowSums {
  /** W_ii, n entries */
  diagonal: Float64Array;
  /** per row i, over j != i: sum W_ij, sum W_ij^2, sum |W_ij|^3, sum W_ij^3, sum W_ij^4 (n entries each) */
  offSum: Float64Array;
  offSquare: Float64Array;
  offAbsCube: Float64Array;
  offCube: Float64Array;
  offFourth: Float64Array;
  /** the requested rows of W, row-major rows.length x n */
  sampled: Float64Array;
  /** tr(W W) = sum_ij W_ij W_ji */
  traceSquare: number;
}

/**
 * Computes WeightRowSums for a checked input and the rows of W to keep (ascending indices < n). Both providers run
 * the weightRows kernel through rowPass.ts (kernelRowPass): referenceRowPass on its plain-TS twin (W_ij summed in
 * f64, rounded to f32), src/measure/wasmRows.ts on wasm (W_ij summed in f32); results agree within
 * test/tolerance.ts STATISTICS_WASM.
 */
export type WeightRowPass = (input: ModelStatisticsInput, rows: Int32Array) => WeightRowSums;

export interface MeanVariance {
  mean: number;
  /** population variance over the n indices (the paper's Delta) */
  variance: number;
}

export interface ModelStatistics {
  nFeatures: number;
  nHidden: number;
  p: number;
  /** r = m / n */
  ratio: number;
  /** W_ii */
  diagonal: MeanVariance;
  /** b_i; null without bias */
  bias: MeanVariance | null;
  /** sigma_i^2 = sum_{j != i} W_ij^2, per row */
  rowNormSquared: Float64Array;
  /** E nu_i = (p / 2) sum_{j != i} W_ij, per row */
  interferenceMean: Float64Array;
  /** mean and Delta over rows of Var nu_i = v sigma_i^2 */
  interferenceVariance: MeanVariance;
  /** mean and Delta over rows of E nu_i */
  interferenceMeanSpread: MeanVariance;
  /** Lambda_i = sum_j |eps_ij|^3 / sum_j eps_ij^2 (eps = W, zero diagonal); rows with sigma_i = 0 skipped */
  lyapunov: { min: number; mean: number; max: number };
  /** moments of the n (n - 1) off-diagonal entries W_ij */
  offDiagonal: { mean: number; variance: number; skewness: number; excessKurtosis: number };
  /** Frobenius norms of W, (W + W^T) / 2, (W - W^T) / 2 */
  norms: { frobenius: number; symmetric: number; antisymmetric: number };
  /** numerical rank of W = W_out W_in and its m largest singular values (descending); null when m > maxRankHidden */
  rank: number | null;
  singularValues: Float64Array | null;
  /**
   * KS test of standardized nu_i = (nu_i - E nu_i) / sqrt(v sigma_i^2) against N(0, 1) on the sampled rows. All rows
   * see the same data samples, so their results are correlated (one unusual sample set moves every row).
   */
  interference: {
    rows: Int32Array;
    ksStatistic: Float64Array;
    ksPValue: Float64Array;
    meanKs: number;
    minPValue: number;
    /** fraction of sampled rows with p-value < 0.05 */
    fractionRejected: number;
    /** pooled over all standardized samples: 0 and 0 for a Gaussian */
    skewness: number;
    excessKurtosis: number;
  };
  /** mean over rows of L(W_ii, b_i + E nu_i, sigma_i; p) (docs/theory.md §3, per-row version) */
  predictedLoss: number;
  /** L(mean W_ii, mean (b_i + E nu_i), sqrt(mean sigma_i^2); p): the fully symmetric summary */
  meanFieldLoss: number;
}

function meanVariance(values: ArrayLike<number>): MeanVariance {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (values[i] - mean) ** 2;
  return { mean, variance: variance / n };
}

function checkInput(input: ModelStatisticsInput): void {
  const { nFeatures: n, nHidden: m, win, wout, bias, p } = input;
  if (!(Number.isInteger(n) && n >= 2)) throw new RangeError(`nFeatures = ${n} is outside [2, inf) (integer)`);
  if (!(Number.isInteger(m) && m >= 1)) throw new RangeError(`nHidden = ${m} is outside [1, inf) (integer)`);
  if (win.length !== m * n) throw new RangeError(`win.length = ${win.length} is not nHidden * nFeatures = ${m * n}`);
  if (wout.length !== n * m) throw new RangeError(`wout.length = ${wout.length} is not nFeatures * nHidden = ${n * m}`);
  if (bias && bias.length !== n) throw new RangeError(`bias.length = ${bias.length} is not nFeatures = ${n}`);
  checkFeatureProbability(p);
}

/** The sampled rows: i = floor(k n / sampleRows), k < sampleRows (ascending, distinct). */
export function sampledRowIndices(n: number, sampleRows: number): Int32Array {
  return Int32Array.from({ length: sampleRows }, (_, k) => Math.floor((k * n) / sampleRows));
}

function checkRowSums(sums: WeightRowSums, n: number, sampleRows: number): void {
  for (const key of ['diagonal', 'offSum', 'offSquare', 'offAbsCube', 'offCube', 'offFourth'] as const) {
    if (sums[key].length !== n) throw new RangeError(`rowPass returned ${key}.length = ${sums[key].length}, not nFeatures = ${n}`);
  }
  if (sums.sampled.length !== sampleRows * n) {
    throw new RangeError(`rowPass returned sampled.length = ${sums.sampled.length}, not sampleRows * nFeatures = ${sampleRows * n}`);
  }
}

/**
 * All statistics of docs/theory.md §2 for one model. The entries of W enter only through options.rowPass (O(n^2 m);
 * the plain-TS default measured 24 s for n = 4096, m = 1024 in node 20, one thread; the wasm pass of
 * src/measure/wasmRows.ts is ~30x faster); the rest is O(n) plus the sampled interference
 * (O(samplesPerRow (n + sampleRows n p))) and the rank from the m x m Gram matrices (O(n m^2 + m^3), plain TS,
 * only for m <= maxRankHidden).
 */
export function modelStatistics(input: ModelStatisticsInput, options: ModelStatisticsOptions = {}): ModelStatistics {
  checkInput(input);
  const { nFeatures: n, nHidden: m, bias, p } = input;
  const sampleRows = options.sampleRows ?? Math.min(n, 64);
  const samplesPerRow = options.samplesPerRow ?? 1000;
  if (!(Number.isInteger(sampleRows) && sampleRows >= 1 && sampleRows <= n)) {
    throw new RangeError(`sampleRows = ${sampleRows} is outside [1, ${n}] (integer)`);
  }
  if (!(Number.isInteger(samplesPerRow) && samplesPerRow >= 2)) {
    throw new RangeError(`samplesPerRow = ${samplesPerRow} is outside [2, inf) (integer)`);
  }
  const v = dataVariance(p);

  const sampledRows = sampledRowIndices(n, sampleRows);
  const sums = (options.rowPass ?? referenceRowPass)(input, sampledRows);
  checkRowSums(sums, n, sampleRows);
  const { diagonal, offSquare: rowNormSquared, traceSquare } = sums;
  const interferenceMean = new Float64Array(n);
  const lyapunov = new Float64Array(n);
  let s1 = 0, s2 = 0, s3 = 0, s4 = 0, frobeniusSquared = 0;
  for (let i = 0; i < n; i++) {
    const square = rowNormSquared[i];
    interferenceMean[i] = (p / 2) * sums.offSum[i];
    lyapunov[i] = square > 0 ? sums.offAbsCube[i] / square : NaN;
    frobeniusSquared += square + diagonal[i] * diagonal[i];
    s1 += sums.offSum[i];
    s2 += square;
    s3 += sums.offCube[i];
    s4 += sums.offFourth[i];
  }
  // Central moments of the n (n - 1) off-diagonal entries from their raw power sums (f64; exact enough while
  // |mean| is not >> the standard deviation, as for any trained or random model).
  const entries = n * (n - 1);
  const offMean = s1 / entries;
  const raw2 = s2 / entries, raw3 = s3 / entries, raw4 = s4 / entries;
  const mean2 = offMean * offMean;
  const offVariance = Math.max(0, raw2 - mean2);
  const central3 = raw3 - 3 * offMean * raw2 + 2 * mean2 * offMean;
  const central4 = raw4 - 4 * offMean * raw3 + 6 * mean2 * raw2 - 3 * mean2 * mean2;
  const spread = offVariance > 1e-12 * raw2;
  const offDiagonal = {
    mean: offMean,
    variance: offVariance,
    skewness: spread ? central3 / offVariance ** 1.5 : NaN,
    excessKurtosis: spread ? central4 / (offVariance * offVariance) - 3 : NaN,
  };

  let lyapunovMin = Infinity, lyapunovMax = -Infinity, lyapunovSum = 0, lyapunovCount = 0;
  for (const value of lyapunov) {
    if (Number.isNaN(value)) continue;
    lyapunovMin = Math.min(lyapunovMin, value);
    lyapunovMax = Math.max(lyapunovMax, value);
    lyapunovSum += value;
    lyapunovCount++;
  }

  const norms = {
    frobenius: Math.sqrt(frobeniusSquared),
    symmetric: Math.sqrt(Math.max(0, (frobeniusSquared + traceSquare) / 2)),
    antisymmetric: Math.sqrt(Math.max(0, (frobeniusSquared - traceSquare) / 2)),
  };

  const spectrum = m <= (options.maxRankHidden ?? 256) ? singularValues(input) : null;
  const tolerance = options.rankTolerance ?? 1e-6;
  const rank = spectrum ? spectrum.filter((s) => s > tolerance * (spectrum[0] ?? 0)).length : null;

  const interference = sampleInterference(input, sampledRows, sums.sampled, interferenceMean, rowNormSquared, samplesPerRow, options.seed ?? 0);

  const effectiveBias = new Float64Array(n);
  let predicted = 0;
  for (let i = 0; i < n; i++) {
    effectiveBias[i] = (bias ? bias[i] : 0) + interferenceMean[i];
    predicted += symmetricLoss(diagonal[i], effectiveBias[i], Math.sqrt(rowNormSquared[i]), p);
  }
  const rowNorm = meanVariance(rowNormSquared);

  return {
    nFeatures: n,
    nHidden: m,
    p,
    ratio: m / n,
    diagonal: meanVariance(diagonal),
    bias: bias ? meanVariance(bias) : null,
    rowNormSquared,
    interferenceMean,
    interferenceVariance: meanVariance(rowNormSquared.map((s) => v * s)),
    interferenceMeanSpread: meanVariance(interferenceMean),
    lyapunov: { min: lyapunovMin, mean: lyapunovSum / lyapunovCount, max: lyapunovMax },
    offDiagonal,
    norms,
    rank,
    singularValues: spectrum,
    interference,
    predictedLoss: predicted / n,
    meanFieldLoss: symmetricLoss(meanVariance(diagonal).mean, meanVariance(effectiveBias).mean, Math.sqrt(rowNorm.mean), p),
  };
}
