// Large-scale statistics of a trained model (docs/theory.md §2) and the loss the symmetric theory predicts from them.
import { randomNext4, randomSeed, streamKey } from '../reference/random.js';
import { kolmogorovSmirnov } from './kolmogorov.js';
import { checkFeatureProbability, dataVariance, symmetricLoss } from './loss.js';

export interface ModelStatisticsInput {
  nFeatures: number;
  nHidden: number;
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
  /** the O(n^2 m) pass over the entries of W; default typescriptRowPass (f64, plain TS) */
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
 * Computes WeightRowSums for a checked input and the rows of W to keep (ascending indices < n). Providers
 * differ in speed and rounding only: the plain-TS default sums in f64; src/measure/wasmRows.ts forms W in f32
 * with the weightRows kernel (results agree within test/tolerance.ts STATISTICS_WASM).
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

/** Row i of W = W_out W_in into `row` (length n): row_j = sum_k W_out[i, k] W_in[k, j], f64 accumulation. */
export function weightRow(input: ModelStatisticsInput, i: number, row: Float64Array): void {
  const { nFeatures: n, nHidden: m, win, wout } = input;
  row.fill(0);
  for (let k = 0; k < m; k++) {
    const coefficient = wout[i * m + k];
    if (coefficient === 0) continue;
    const offset = k * n;
    for (let j = 0; j < n; j++) row[j] += coefficient * win[offset + j];
  }
}

/** Rows handled per pass over W_in: each pass streams the m x n W_in once for BLOCK rows (memory traffic / BLOCK). */
const BLOCK = 8;

/**
 * targets[b][j] += coefficients[b] source[offset + j] for b < BLOCK, j < length: BLOCK axpys sharing one read of
 * `source` (same sums, same order as BLOCK separate axpys).
 */
function blockAxpy(targets: Float64Array[], coefficients: Float64Array, source: Float32Array, offset: number, length: number): void {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = targets;
  const [c0, c1, c2, c3, c4, c5, c6, c7] = coefficients;
  for (let j = 0; j < length; j++) {
    const w = source[offset + j];
    t0[j] += c0 * w;
    t1[j] += c1 * w;
    t2[j] += c2 * w;
    t3[j] += c3 * w;
    t4[j] += c4 * w;
    t5[j] += c5 * w;
    t6[j] += c6 * w;
    t7[j] += c7 * w;
  }
}

/** Rows i0 .. i0 + BLOCK - 1 of W (rows >= n left at 0) into rows[b], each of length n; bit-identical to weightRow. */
function weightRowBlock(input: ModelStatisticsInput, i0: number, rows: Float64Array[]): void {
  const { nFeatures: n, nHidden: m, win, wout } = input;
  for (const row of rows) row.fill(0);
  const coefficients = new Float64Array(BLOCK);
  for (let k = 0; k < m; k++) {
    for (let b = 0; b < BLOCK; b++) coefficients[b] = i0 + b < n ? wout[(i0 + b) * m + k] : 0;
    blockAxpy(rows, coefficients, win, k * n, n);
  }
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
 * The default row pass in plain TS, f64 throughout: W formed 8 rows at a time (O(n^2 m), memory O(n));
 * tr(W W) = tr((W_in W_out)^2) from the m x m product W_in W_out (O(m^2 n)).
 */
export function typescriptRowPass(input: ModelStatisticsInput, rows: Int32Array): WeightRowSums {
  const { nFeatures: n, nHidden: m, win, wout } = input;
  const sums: WeightRowSums = {
    diagonal: new Float64Array(n), offSum: new Float64Array(n), offSquare: new Float64Array(n),
    offAbsCube: new Float64Array(n), offCube: new Float64Array(n), offFourth: new Float64Array(n),
    sampled: new Float64Array(rows.length * n), traceSquare: 0,
  };
  let nextSampled = 0;
  const block = Array.from({ length: BLOCK }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    if (i % BLOCK === 0) weightRowBlock(input, i, block);
    const row = block[i % BLOCK];
    let sum = 0, square = 0, absCube = 0, cube = 0, fourth = 0;
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      const w = row[j];
      const w2 = w * w;
      sum += w;
      square += w2;
      absCube += w2 * Math.abs(w);
      cube += w2 * w;
      fourth += w2 * w2;
    }
    sums.diagonal[i] = row[i];
    sums.offSum[i] = sum;
    sums.offSquare[i] = square;
    sums.offAbsCube[i] = absCube;
    sums.offCube[i] = cube;
    sums.offFourth[i] = fourth;
    if (nextSampled < rows.length && rows[nextSampled] === i) {
      sums.sampled.set(row, nextSampled * n);
      nextSampled++;
    }
  }

  // W_in W_out is m x m; its rows k0 .. k0 + BLOCK - 1 share each read of W_out.
  const inner = new Float64Array(m * m);
  const innerRows = Array.from({ length: BLOCK }, () => new Float64Array(m));
  const coefficients = new Float64Array(BLOCK);
  for (let k0 = 0; k0 < m; k0 += BLOCK) {
    for (const innerRow of innerRows) innerRow.fill(0);
    for (let j = 0; j < n; j++) {
      for (let b = 0; b < BLOCK; b++) coefficients[b] = k0 + b < m ? win[(k0 + b) * n + j] : 0;
      blockAxpy(innerRows, coefficients, wout, j * m, m);
    }
    for (let b = 0; b < BLOCK && k0 + b < m; b++) inner.set(innerRows[b], (k0 + b) * m);
  }
  let traceSquare = 0;
  for (let k = 0; k < m; k++) for (let l = 0; l < m; l++) traceSquare += inner[k * m + l] * inner[l * m + k];
  sums.traceSquare = traceSquare;
  return sums;
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
  const sums = (options.rowPass ?? typescriptRowPass)(input, sampledRows);
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

/**
 * Samples x from the data distribution (docs/theory.md §1: feature on when u32 <= ceil(p 2^32) - 1, value
 * (u32 >>> 8) 2^-24) with the 'statistics' stream of the project PRNG; every sample serves all sampled rows.
 */
function sampleInterference(
  input: ModelStatisticsInput, rows: Int32Array, weights: Float64Array, interferenceMean: Float64Array,
  rowNormSquared: Float64Array, samples: number, seed: number,
): ModelStatistics['interference'] {
  const { nFeatures: n, p } = input;
  const sd = Math.sqrt(dataVariance(p));
  const [key0, key1] = streamKey(seed >>> 0, 'statistics');
  const state = new Uint32Array(16);
  randomSeed(state, key0, key1, 0, 0);
  const buffer = new Uint32Array(4);
  let used = 4;
  const next = (): number => {
    if (used === 4) {
      randomNext4(state, buffer);
      used = 0;
    }
    return buffer[used++];
  };
  const threshold = Math.ceil(p * 4294967296) - 1;
  const standardized = Array.from({ length: rows.length }, () => new Float64Array(samples));
  const activeIndex = new Int32Array(n);
  const activeValue = new Float64Array(n);
  for (let s = 0; s < samples; s++) {
    let active = 0;
    for (let j = 0; j < n; j++) {
      if (next() <= threshold) {
        activeIndex[active] = j;
        activeValue[active] = (next() >>> 8) * 5.9604644775390625e-8;
        active++;
      }
    }
    for (let r = 0; r < rows.length; r++) {
      const i = rows[r];
      const offset = r * n;
      let nu = 0;
      for (let q = 0; q < active; q++) {
        const j = activeIndex[q];
        if (j !== i) nu += weights[offset + j] * activeValue[q];
      }
      standardized[r][s] = (nu - interferenceMean[i]) / (sd * Math.sqrt(rowNormSquared[i]));
    }
  }
  const ksStatistic = new Float64Array(rows.length);
  const ksPValue = new Float64Array(rows.length);
  let pooled = 0, pooled2 = 0, pooled3 = 0, pooled4 = 0, count = 0;
  for (let r = 0; r < rows.length; r++) {
    const z = standardized[r];
    if (!z.every(Number.isFinite)) {
      ksStatistic[r] = NaN;
      ksPValue[r] = NaN;
      continue;
    }
    const test = kolmogorovSmirnov(z);
    ksStatistic[r] = test.statistic;
    ksPValue[r] = test.pValue;
    for (const value of z) {
      pooled += value;
      count++;
    }
  }
  const mean = pooled / count;
  for (let r = 0; r < rows.length; r++) {
    if (Number.isNaN(ksStatistic[r])) continue;
    for (const value of standardized[r]) {
      const d = value - mean;
      pooled2 += d * d;
      pooled3 += d * d * d;
      pooled4 += d * d * d * d;
    }
  }
  const variance = pooled2 / count;
  const tested = ksPValue.filter((x) => !Number.isNaN(x));
  return {
    rows,
    ksStatistic,
    ksPValue,
    meanKs: tested.length ? ksStatistic.filter((x) => !Number.isNaN(x)).reduce((a, b) => a + b, 0) / tested.length : NaN,
    minPValue: tested.length ? Math.min(...tested) : NaN,
    fractionRejected: tested.length ? tested.filter((x) => x < 0.05).length / tested.length : NaN,
    skewness: pooled3 / count / variance ** 1.5,
    excessKurtosis: pooled4 / count / (variance * variance) - 3,
  };
}

/**
 * The rank(W_in) <= m largest singular values of W = W_out W_in, descending (all others are 0; exact zeros may
 * show up as values ~1e-8 sigma_max), with no n x n matrix: with K = W_out^T W_out and
 * B = W_in W_in^T (m x m) and B = G G^T (pivoted Cholesky, pivots below 1e-14 max diag(B) dropped, i.e. singular
 * values of W_in below 1e-7 of the largest), the eigenvalues of G^T K G are those of W^T W. Cyclic Jacobi;
 * eigenvalue error ~ 1e-16 sigma_max^2, so singular values are resolved down to ~1e-8 sigma_max.
 */
export function singularValues(input: ModelStatisticsInput): Float64Array {
  const { nFeatures: n, nHidden: m, win, wout } = input;
  const gramOut = new Float64Array(m * m);
  const gramIn = new Float64Array(m * m);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < m; k++) {
      const a = wout[i * m + k];
      if (a === 0) continue;
      for (let l = 0; l < m; l++) gramOut[k * m + l] += a * wout[i * m + l];
    }
  }
  for (let k = 0; k < m; k++) {
    for (let l = k; l < m; l++) {
      let sum = 0;
      for (let j = 0; j < n; j++) sum += win[k * n + j] * win[l * n + j];
      gramIn[k * m + l] = sum;
      gramIn[l * m + k] = sum;
    }
  }
  const factor = pivotedCholesky(gramIn, m, 1e-14);
  const rankIn = factor.length;
  // C = G^T K G, G = columns factor[0..rankIn).
  const kg = factor.map((g) => {
    const out = new Float64Array(m);
    for (let k = 0; k < m; k++) {
      let sum = 0;
      for (let l = 0; l < m; l++) sum += gramOut[k * m + l] * g[l];
      out[k] = sum;
    }
    return out;
  });
  const c = new Float64Array(rankIn * rankIn);
  for (let a = 0; a < rankIn; a++) {
    for (let b = 0; b < rankIn; b++) {
      let sum = 0;
      for (let k = 0; k < m; k++) sum += factor[a][k] * kg[b][k];
      c[a * rankIn + b] = sum;
    }
  }
  const eigenvalues = symmetricEigenvalues(c, rankIn);
  return Float64Array.from(eigenvalues, (e) => Math.sqrt(Math.max(e, 0))).sort().reverse();
}

/** Columns g_k of B ~ sum_k g_k g_k^T for symmetric PSD B (m x m), stopping at pivots <= tolerance max diag(B). */
function pivotedCholesky(b: Float64Array, m: number, tolerance: number): Float64Array[] {
  const residual = new Float64Array(m);
  for (let i = 0; i < m; i++) residual[i] = b[i * m + i];
  const cutoff = tolerance * Math.max(...residual);
  const chosen = new Uint8Array(m);
  const columns: Float64Array[] = [];
  for (let k = 0; k < m; k++) {
    let pivot = -1;
    for (let i = 0; i < m; i++) if (!chosen[i] && (pivot < 0 || residual[i] > residual[pivot])) pivot = i;
    if (pivot < 0 || !(residual[pivot] > cutoff)) break;
    const g = new Float64Array(m);
    const root = Math.sqrt(residual[pivot]);
    g[pivot] = root;
    for (let i = 0; i < m; i++) {
      if (chosen[i] || i === pivot) continue;
      let sum = b[i * m + pivot];
      for (const previous of columns) sum -= previous[i] * previous[pivot];
      g[i] = sum / root;
      residual[i] -= g[i] * g[i];
    }
    chosen[pivot] = 1;
    residual[pivot] = 0;
    columns.push(g);
  }
  return columns;
}

/** Eigenvalues of a symmetric d x d matrix (row-major, overwritten) by cyclic Jacobi rotations. */
export function symmetricEigenvalues(matrix: Float64Array, d: number): Float64Array {
  const a = matrix;
  let scale = 0;
  for (let i = 0; i < d * d; i++) scale += a[i] * a[i];
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let i = 0; i < d; i++) for (let j = i + 1; j < d; j++) off += a[i * d + j] * a[i * d + j];
    if (off <= 1e-32 * scale) break;
    for (let pIndex = 0; pIndex < d; pIndex++) {
      for (let q = pIndex + 1; q < d; q++) {
        const apq = a[pIndex * d + q];
        if (apq === 0) continue;
        const app = a[pIndex * d + pIndex];
        const aqq = a[q * d + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const cos = 1 / Math.sqrt(t * t + 1);
        const sin = t * cos;
        for (let k = 0; k < d; k++) {
          const akp = a[k * d + pIndex];
          const akq = a[k * d + q];
          a[k * d + pIndex] = cos * akp - sin * akq;
          a[k * d + q] = sin * akp + cos * akq;
        }
        for (let k = 0; k < d; k++) {
          const apk = a[pIndex * d + k];
          const aqk = a[q * d + k];
          a[pIndex * d + k] = cos * apk - sin * aqk;
          a[q * d + k] = sin * apk + cos * aqk;
        }
      }
    }
  }
  return Float64Array.from({ length: d }, (_, i) => a[i * d + i]);
}
