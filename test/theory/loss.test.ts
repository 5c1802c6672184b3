// L(a, c, sigma; p) of docs/theory.md §3: sanity points, 40-digit references, quadrature cross-checks, Monte Carlo.
import { describe, expect, it } from 'vitest';
import { dataMoments, dataVariance, onFeatureLoss, symmetricLoss } from '../../src/theory/loss.js';
import { reluMean, reluSecondMoment } from '../../src/theory/normal.js';
import { gaussLegendre, integrate } from '../../src/theory/quadrature.js';
import { gaussian, mulberry32 } from './mulberry32.js';

const relative = (x: number, y: number) => Math.abs(x - y) / Math.abs(y);

describe('gaussLegendre', () => {
  it('integrates x^k exactly for k <= 2n - 1 and has weights summing to 2', () => {
    for (const n of [1, 2, 5, 24, 64]) {
      const { nodes, weights } = gaussLegendre(n);
      expect(Math.abs(weights.reduce((a, b) => a + b, 0) - 2)).toBeLessThan(1e-14);
      for (let k = 0; k <= 2 * n - 1; k++) {
        let sum = 0;
        for (let i = 0; i < n; i++) sum += weights[i] * nodes[i] ** k;
        expect(Math.abs(sum - (k % 2 === 0 ? 2 / (k + 1) : 0)), `n = ${n}, k = ${k}`).toBeLessThan(1e-14);
      }
    }
  });
});

describe('data moments', () => {
  it('v = p/3 - p^2/4 and the listed moments', () => {
    expect(dataVariance(0.5)).toBeCloseTo(1 / 6 - 1 / 16, 15);
    expect(dataMoments(0.2)).toEqual({ mean: 0.1, secondMoment: 0.2 / 3, variance: 0.2 / 3 - 0.01, thirdAbsoluteMoment: 0.05 });
  });
});

// [a, c, s, I(a, c, s)] with I by mpmath.quad at 40 digits (split at the kink).
const ON_TERM: Array<[number, number, number, number]> = [
  [1, 0, 0.01, 9.9468076959464761e-5],
  [1, -0.05, 0.02, 0.0027766612801684623],
  [0.9, -0.1, 0.001, 0.02255220576131687],
  [0.3, 0.1, 0.5, 0.21257908059174913],
  [0.01, 0.0005, 0.02, 0.321521127245289],
  [1.2, -0.3, 0.1, 0.034999921572346348],
  [2, -1, 0.3, 0.10583582936548194],
  [1, 0.5, 0.0001, 0.25000001],
  [-0.5, 0.3, 0.2, 0.29771757246080203],
  [1, -2, 0.01, 0.33333333333333333],
];

// [a, c, sigma, p, L] at 40 digits.
const FULL: Array<[number, number, number, number, number]> = [
  [1.2892146228269952, -0.44583396059763863, 2.2329852285971024, 0.045, 0.004855798088638755],
  [1, -0.05, 1.7, 0.01, 0.0020506654279452935],
  [0.5, 0.1, 1, 0.3, 0.077892476142687331],
  [0.8, -0.02, 0.5, 1, 0.035662784615486819],
  [0.05, 0.0045, 0.3, 0.01, 0.003184758774451372],
];

describe('onFeatureLoss I(a, c, s)', () => {
  it('matches 40-digit quadrature to 1e-14 relative in both branches (closed form |a| >= s, Gauss-Legendre |a| < s)', () => {
    for (const [a, c, s, expected] of ON_TERM) expect(relative(onFeatureLoss(a, c, s), expected), `${a} ${c} ${s}`).toBeLessThan(1e-14);
  });
  it('agrees with a 64-node x 64-panel Gauss-Legendre of Q - 2uR + u^2 (kink split) to 1e-13', () => {
    const rng = mulberry32(7);
    for (let trial = 0; trial < 40; trial++) {
      const a = -0.5 + 2.5 * rng();
      const c = (2 * rng() - 1) * [1, 0.1, 0.01][trial % 3];
      const s = [0.5, 0.05, 0.005][trial % 3] * (0.1 + rng());
      const f = (u: number) => reluSecondMoment(a * u + c, s) - 2 * u * reluMean(a * u + c, s) + u * u;
      const kink = -c / a;
      const fine = kink > 0 && kink < 1
        ? integrate(f, 0, kink, 64, 64) + integrate(f, kink, 1, 64, 64)
        : integrate(f, 0, 1, 64, 64);
      expect(relative(onFeatureLoss(a, c, s), fine), `a = ${a}, c = ${c}, s = ${s}`).toBeLessThan(1e-13);
    }
  });
  it('is continuous across the branch switch |a| = s', () => {
    for (const [a, c] of [[0.3, 0.1], [0.02, -0.01], [0.5, -0.4]]) {
      const below = onFeatureLoss(a, c, a * (1 + 1e-13));
      const above = onFeatureLoss(a, c, a * (1 - 1e-13));
      expect(relative(below, above)).toBeLessThan(1e-12);
    }
  });
  it('at s = 0 is the exact integral of the piecewise quadratic (ReLU(a u + c) - u)^2', () => {
    expect(onFeatureLoss(1, 0, 0)).toBe(0);
    expect(onFeatureLoss(0, 0, 0)).toBeCloseTo(1 / 3, 15);
    // a = 1, c = -0.2: u < 0.2 outputs 0 (cost u^2), above it the error is 0.2: 0.2^3/3 + 0.8 * 0.04.
    expect(onFeatureLoss(1, -0.2, 0)).toBeCloseTo(0.008 / 3 + 0.032, 15);
    // and the s -> 0 limit of the s > 0 formula is that value
    expect(relative(onFeatureLoss(1, -0.2, 1e-9), onFeatureLoss(1, -0.2, 0))).toBeLessThan(1e-7);
  });
});

describe('symmetricLoss L(a, c, sigma; p)', () => {
  it('gives v for the best constant (a = sigma = 0, c = p/2) and p/3 for output 0', () => {
    for (const p of [0.001, 0.045, 0.5, 1]) {
      expect(relative(symmetricLoss(0, p / 2, 0, p), dataVariance(p))).toBeLessThan(1e-14);
      expect(relative(symmetricLoss(0, 0, 0, p), p / 3)).toBeLessThan(1e-14);
      expect(relative(symmetricLoss(0, -1, 0.1, p), p / 3)).toBeLessThan(1e-14); // ReLU shuts everything off (c / s < -34)
    }
  });
  it('is 0 for the identity (a = 1, c = 0, sigma = 0)', () => {
    expect(symmetricLoss(1, 0, 0, 0.3)).toBe(0);
  });
  it('matches 40-digit values', () => {
    for (const [a, c, sigma, p, expected] of FULL) expect(relative(symmetricLoss(a, c, sigma, p), expected)).toBeLessThan(1e-14);
  });
  it('validates p and sigma with the offending value and range', () => {
    expect(() => symmetricLoss(1, 0, 1, 1.5)).toThrow('p = 1.5 is outside (0, 1]');
    expect(() => symmetricLoss(1, 0, 1, 0)).toThrow('p = 0 is outside (0, 1]');
    expect(() => symmetricLoss(1, 0, -1, 0.1)).toThrow('sigma = -1 is outside [0, inf)');
  });
  it('agrees with a Monte Carlo simulation of y = ReLU(a x + c + s Z) within 4 standard errors', () => {
    const cases: Array<[number, number, number, number]> = [[0.9, -0.05, 1, 0.3], [1.3, -0.4, 2.2, 0.045], [0.2, 0.05, 0.5, 0.8]];
    for (const [index, [a, c, sigma, p]] of cases.entries()) {
      const uniform = mulberry32(1000 + index);
      const normal = gaussian(mulberry32(2000 + index));
      const s = sigma * Math.sqrt(dataVariance(p));
      const samples = 200_000;
      let sum = 0;
      let sumSquares = 0;
      for (let k = 0; k < samples; k++) {
        const x = uniform() < p ? uniform() : 0;
        const y = Math.max(a * x + c + s * normal(), 0);
        const error = (y - x) ** 2;
        sum += error;
        sumSquares += error * error;
      }
      const mean = sum / samples;
      const standardError = Math.sqrt((sumSquares / samples - mean * mean) / samples);
      const exact = symmetricLoss(a, c, sigma, p);
      expect(Math.abs(mean - exact), `case ${index}: MC ${mean} +- ${standardError}, exact ${exact}`).toBeLessThan(4 * standardError);
    }
  });
});
