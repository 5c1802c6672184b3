// The interference nu_i = sum_{j != i} W_ij x_j of sampled rows on data drawn with the project's sampler, and its
// Kolmogorov-Smirnov and moment tests against a Gaussian (docs/theory.md §2).
import { sampleBatch, sampleThresholds } from '../reference/sample.js';
import { streamKey } from '../reference/random.js';
import { kolmogorovSmirnov } from './kolmogorov.js';
import { dataVariance } from './loss.js';
import type { ModelStatistics } from './statistics.js';

/** Samples drawn per sampleBatch call. */
const CHUNK = 256;

/**
 * Samples x from the data distribution (docs/theory.md §1) with sampleBatch (src/reference/sample.ts: the same sampler as
 * training) on the 'statistics' stream of the seed; every sample serves all sampled rows.
 * weights: the sampled rows of W, row-major rows.length x n.
 */
export function sampleInterference(
  input: { nFeatures: number; p: number }, rows: Int32Array, weights: Float64Array, interferenceMean: Float64Array,
  rowNormSquared: Float64Array, samples: number, seed: number,
): ModelStatistics['interference'] {
  const { nFeatures: n, p } = input;
  const sd = Math.sqrt(dataVariance(p));
  const [key0, key1] = streamKey(seed >>> 0, 'statistics');
  const stride = Math.max(4, n);
  const chunk = Math.max(1, Math.min(CHUNK, Math.floor(2 ** 20 / stride)));
  const thresholds = sampleThresholds(new Array<number>(n).fill(p), n);
  const dense = new Float32Array(chunk * stride);
  const sparse = { offsets: new Int32Array(chunk + 1), indices: new Int32Array(chunk * n), values: new Float32Array(chunk * n) };
  const standardized = Array.from({ length: rows.length }, () => new Float64Array(samples));
  for (let first = 0; first < samples; first += chunk) {
    const batch = Math.min(chunk, samples - first);
    sampleBatch(key0, key1, first, batch, n, stride, thresholds, dense, sparse);
    for (let b = 0; b < batch; b++) {
      const start = sparse.offsets[b], end = sparse.offsets[b + 1];
      for (let r = 0; r < rows.length; r++) {
        const i = rows[r];
        const offset = r * n;
        let nu = 0;
        for (let q = start; q < end; q++) {
          const j = sparse.indices[q];
          if (j !== i) nu += weights[offset + j] * sparse.values[q];
        }
        standardized[r][first + b] = (nu - interferenceMean[i]) / (sd * Math.sqrt(rowNormSquared[i]));
      }
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
