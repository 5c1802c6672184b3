// Statistics of a model (docs/theory.md §2) and the Kolmogorov-Smirnov machinery they use.
import { describe, expect, it } from 'vitest';
import { kolmogorovCdf, kolmogorovSmirnov, kolmogorovSurvival } from '../../src/theory/kolmogorov.js';
import { dataVariance, symmetricLoss } from '../../src/theory/loss.js';
import { modelStatistics, type ModelStatisticsInput } from '../../src/theory/statistics.js';
import { singularValues } from '../../src/theory/linearAlgebra.js';
import { gaussian, mulberry32 } from './mulberry32.js';

describe('Kolmogorov distribution', () => {
  it('matches 40-digit values of 1 - 2 sum (-1)^(k-1) exp(-2 k^2 x^2)', () => {
    const table: Array<[number, number]> = [
      [0.3, 9.3058013345666228e-6], [0.5, 0.036054756335124906], [0.8, 0.45585758842580192], [1.0, 0.73000032832264548],
      [1.36, 0.95051412324462212], [1.63, 0.99015363511151347], [2.5, 0.99999254669365584],
    ];
    for (const [x, expected] of table) expect(Math.abs(kolmogorovCdf(x) - expected), `K(${x})`).toBeLessThan(1e-15);
    expect(kolmogorovCdf(1.36)).toBeCloseTo(0.9505, 4);
    expect(kolmogorovCdf(1.63)).toBeCloseTo(0.9902, 4);
    expect(kolmogorovCdf(0)).toBe(0);
    expect(kolmogorovSurvival(4)).toBeCloseTo(2 * Math.exp(-32), 28);
  });
  it('is continuous where the two series meet (x = 1)', () => {
    expect(Math.abs(kolmogorovCdf(1 - 1e-12) - kolmogorovCdf(1 + 1e-12))).toBeLessThan(1e-11);
  });
});

describe('kolmogorovSmirnov against N(0, 1)', () => {
  it('does not reject Gaussian samples and rejects shifted ones', () => {
    const normal = gaussian(mulberry32(11));
    const samples = Float64Array.from({ length: 1000 }, normal);
    expect(kolmogorovSmirnov(samples).pValue).toBeGreaterThan(0.01);
    expect(kolmogorovSmirnov(samples.map((z) => z + 0.25)).pValue).toBeLessThan(1e-4);
    expect(kolmogorovSmirnov(samples.map((z) => z * 1.5)).pValue).toBeLessThan(1e-4);
  });
  it('computes D exactly on a hand example', () => {
    // samples at the normal quartiles -0.6745, 0, 0.6745: F_n jumps to 1/3, 2/3, 1 against 0.25, 0.5, 0.75.
    const q = 0.6744897501960817;
    expect(kolmogorovSmirnov([q, -q, 0]).statistic).toBeCloseTo(0.25, 12);
  });
  it('is calibrated: P(p < 0.05) = 0.05 within 4 Monte Carlo standard errors (400 tests of n = 1000)', () => {
    const normal = gaussian(mulberry32(12));
    let rejected = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      if (kolmogorovSmirnov(Float64Array.from({ length: 1000 }, normal)).pValue < 0.05) rejected++;
    }
    expect(Math.abs(rejected / trials - 0.05)).toBeLessThan(4 * Math.sqrt((0.05 * 0.95) / trials));
  });
});

/** Sylvester Hadamard entry H_kj = (-1)^popcount(k & j). */
function hadamard(k: number, j: number): number {
  let bits = k & j;
  let parity = 0;
  while (bits) {
    parity ^= bits & 1;
    bits >>>= 1;
  }
  return parity ? -1 : 1;
}

function rugModel(n: number, rows: number[], p: number): ModelStatisticsInput {
  const m = rows.length;
  const win = new Float32Array(m * n);
  const wout = new Float32Array(n * m);
  rows.forEach((row, k) => {
    for (let j = 0; j < n; j++) {
      win[k * n + j] = hadamard(row, j);
      wout[j * m + k] = hadamard(row, j) / m;
    }
  });
  return { nFeatures: n, nHidden: m, win, wout, bias: null, p };
}

function randomModel(n: number, m: number, p: number, seed: number): ModelStatisticsInput {
  const uniform = mulberry32(seed);
  const win = Float32Array.from({ length: m * n }, () => (2 * uniform() - 1) / Math.sqrt(n));
  const wout = Float32Array.from({ length: n * m }, () => (2 * uniform() - 1) / Math.sqrt(m));
  const bias = Float32Array.from({ length: n }, () => 0.1 * uniform());
  return { nFeatures: n, nHidden: m, win, wout, bias, p };
}

describe('modelStatistics', () => {
  it('reproduces a hand-computed n = 4, m = 2 model', () => {
    // W = W_out W_in = [[1, 2, 0, -1], [0, 1, 1, 1], [1, 3, 1, 0], [2, 3, -1, -3]]
    const input: ModelStatisticsInput = {
      nFeatures: 4, nHidden: 2, p: 0.2,
      win: Float32Array.from([1, 2, 0, -1, 0, 1, 1, 1]),
      wout: Float32Array.from([1, 0, 0, 1, 1, 1, 2, -1]),
      bias: Float32Array.from([0.1, -0.2, 0.3, 0]),
    };
    const s = modelStatistics(input, { samplesPerRow: 50 });
    expect(s.diagonal.mean).toBe(0);
    expect(s.diagonal.variance).toBe(3);
    expect(s.bias!.mean).toBeCloseTo(0.05, 7);
    expect(s.bias!.variance).toBeCloseTo(0.0325, 7);
    expect(Array.from(s.rowNormSquared)).toEqual([5, 2, 10, 14]);
    const sums = [1, 2, 4, 4];
    s.interferenceMean.forEach((mean, i) => expect(mean).toBeCloseTo(0.1 * sums[i], 15));
    expect(s.interferenceMeanSpread.variance).toBeCloseTo(0.01 * (37 / 4 - (11 / 4) ** 2), 15);
    const v = dataVariance(0.2);
    expect(s.interferenceVariance.mean).toBeCloseTo((v * 31) / 4, 15);
    // Lambda_i = sum |eps|^3 / sum eps^2 = 9/5, 2/2, 28/10, 36/14
    expect(s.lyapunov.min).toBe(1);
    expect(s.lyapunov.max).toBeCloseTo(2.8, 14);
    expect(s.lyapunov.mean).toBeCloseTo((1.8 + 1 + 2.8 + 36 / 14) / 4, 14);
    // ||W||^2 = 43, tr(W W) = 20: ||sym||^2 = 31.5, ||anti||^2 = 11.5
    expect(s.norms.frobenius).toBeCloseTo(Math.sqrt(43), 13);
    expect(s.norms.symmetric).toBeCloseTo(Math.sqrt(31.5), 13);
    expect(s.norms.antisymmetric).toBeCloseTo(Math.sqrt(11.5), 13);
    // off-diagonal entries 2, 0, -1, 0, 1, 1, 1, 3, 0, 2, 3, -1 (numpy)
    expect(s.offDiagonal.mean).toBeCloseTo(11 / 12, 14);
    expect(s.offDiagonal.variance).toBeCloseTo(1.7430555555555556, 14);
    expect(s.offDiagonal.skewness).toBeCloseTo(0.15339784298392853, 13);
    expect(s.offDiagonal.excessKurtosis).toBeCloseTo(-1.0926493230266188, 13);
    // rows 2 and 3 are combinations of rows 0 and 1; singular values by 30-digit mpmath
    expect(s.rank).toBe(2);
    expect(s.singularValues![0]).toBeCloseTo(5.887482193696061, 12);
    expect(s.singularValues![1]).toBeCloseTo(2.887482193696061, 12);
    const bias = [0.1, -0.2, 0.3, 0].map((b) => Math.fround(b));
    const perRow = [0, 1, 2, 3].map((i) => symmetricLoss([1, 1, 1, -3][i], bias[i] + 0.1 * sums[i], Math.sqrt([5, 2, 10, 14][i]), 0.2));
    expect(s.predictedLoss).toBeCloseTo(perRow.reduce((a, b) => a + b) / 4, 15);
  });

  it('gives the Persian rug (n = 64, m = 16 Hadamard rows) a constant diagonal 1 and sigma_i^2 = (1 - r) / r exactly', () => {
    const rows = Array.from({ length: 16 }, (_, k) => 4 * k); // contains row 0: every row of W sums to n / m
    const p = 0.3;
    const s = modelStatistics(rugModel(64, rows, p), { sampleRows: 4, samplesPerRow: 200 });
    expect(s.diagonal.mean).toBe(1);
    expect(s.diagonal.variance).toBe(0);
    for (const value of s.rowNormSquared) expect(value).toBe(3);
    expect(s.interferenceVariance.variance).toBe(0);
    for (const mean of s.interferenceMean) expect(mean).toBeCloseTo((p / 2) * (4 - 1), 14);
    expect(s.interferenceMeanSpread.variance).toBeLessThan(1e-30);
    // W = (n / m) P, P a rank-m projector: m singular values n / m, symmetric, ||W||^2 = n^2 / m
    expect(s.rank).toBe(16);
    for (const value of s.singularValues!) expect(value).toBeCloseTo(4, 12);
    expect(s.norms.frobenius).toBeCloseTo(16, 12);
    expect(s.norms.antisymmetric).toBe(0);
    const expected = symmetricLoss(1, 1.5 * p, Math.sqrt(3), p);
    expect(s.predictedLoss).toBeCloseTo(expected, 14);
    expect(s.meanFieldLoss).toBeCloseTo(expected, 14);
  });

  it('agrees with brute force on a random model with a rank-deficient W_out', () => {
    const n = 12;
    const m = 5;
    const input = randomModel(n, m, 0.3, 5);
    for (let i = 0; i < n; i++) input.wout[i * m + 4] = input.wout[i * m + 1]; // column 4 = column 1
    const w = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => {
      let sum = 0;
      for (let k = 0; k < m; k++) sum += input.wout[i * m + k] * input.win[k * n + j];
      return sum;
    }));
    // the row pass (weightRows) forms each W_ij in f64 and rounds it to f32, then sums in f64
    const w32 = w.map((row) => row.map((x) => Math.fround(x)));
    const s = modelStatistics(input, { samplesPerRow: 20 });
    let frobenius32 = 0;
    let frobenius = 0;
    let traceSquare = 0;
    for (let i = 0; i < n; i++) {
      let square = 0;
      for (let j = 0; j < n; j++) {
        frobenius += w[i][j] ** 2;
        frobenius32 += w32[i][j] ** 2;
        traceSquare += w32[i][j] * w32[j][i];
        if (j !== i) square += w32[i][j] ** 2;
      }
      expect(s.rowNormSquared[i]).toBeCloseTo(square, 14);
      expect(s.interferenceMean[i]).toBeCloseTo(0.15 * (w32[i].reduce((a, b) => a + b) - w32[i][i]), 14);
    }
    expect(s.norms.frobenius ** 2).toBeCloseTo(frobenius32, 12);
    expect(s.norms.symmetric ** 2 - s.norms.antisymmetric ** 2).toBeCloseTo(traceSquare, 12);
    // rank 4; sum sigma^2 = ||W||^2 and sum sigma^4 = ||W^T W||^2
    expect(s.rank).toBe(4);
    const sv = singularValues(input);
    expect(sv.length).toBe(5);
    expect(sv[4]).toBeLessThan(1e-7 * sv[0]);
    expect(sv.reduce((a, x) => a + x * x, 0)).toBeCloseTo(frobenius, 12);
    let gram4 = 0;
    for (let a = 0; a < n; a++) {
      for (let b = 0; b < n; b++) {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += w[i][a] * w[i][b];
        gram4 += sum * sum;
      }
    }
    expect(sv.reduce((a, x) => a + x ** 4, 0)).toBeCloseTo(gram4, 12);
  });

  it('finds Gaussian interference when n p >> 1 and rejects it when n p ~ 1', () => {
    const dense = modelStatistics(randomModel(512, 64, 0.25, 1), { sampleRows: 16, samplesPerRow: 1000, seed: 3 });
    expect(dense.interference.rows.length).toBe(16);
    // rows share their samples, so rejections come in correlated groups: a loose bound on the fraction
    expect(dense.interference.fractionRejected).toBeLessThanOrEqual(0.4);
    expect(dense.interference.minPValue).toBeGreaterThan(1e-4);
    expect(Math.abs(dense.interference.skewness)).toBeLessThan(0.1);
    expect(Math.abs(dense.interference.excessKurtosis)).toBeLessThan(0.2);
    const sparse = modelStatistics(randomModel(256, 32, 0.004, 2), { sampleRows: 8, samplesPerRow: 1000, seed: 3 });
    expect(sparse.interference.minPValue).toBeLessThan(1e-10);
    expect(sparse.interference.fractionRejected).toBe(1);
    expect(sparse.interference.excessKurtosis).toBeGreaterThan(1);
  });

  it('is deterministic in the seed and validates its input', () => {
    const input = randomModel(64, 8, 0.1, 9);
    const a = modelStatistics(input, { sampleRows: 4, samplesPerRow: 100, seed: 1 });
    const b = modelStatistics(input, { sampleRows: 4, samplesPerRow: 100, seed: 1 });
    const c = modelStatistics(input, { sampleRows: 4, samplesPerRow: 100, seed: 2 });
    expect(Array.from(a.interference.ksStatistic)).toEqual(Array.from(b.interference.ksStatistic));
    expect(Array.from(a.interference.ksStatistic)).not.toEqual(Array.from(c.interference.ksStatistic));
    expect(() => modelStatistics({ ...input, p: 2 })).toThrow('p = 2 is outside (0, 1]');
    expect(() => modelStatistics({ ...input, win: new Float32Array(3) })).toThrow('win.length = 3');
    expect(() => modelStatistics(input, { sampleRows: 65 })).toThrow('sampleRows = 65 is outside [1, 64]');
  });
});
