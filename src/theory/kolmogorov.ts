// Kolmogorov distribution and the one-sample Kolmogorov-Smirnov test.
import { normalCdf } from './normal.js';

/**
 * Kolmogorov cdf K(x) = P(sup |B(t)| <= x) = 1 - 2 sum_{k>=1} (-1)^(k-1) exp(-2 k^2 x^2)
 *                     = sqrt(2 pi) / x sum_{k>=1} exp(-(2k - 1)^2 pi^2 / (8 x^2)),
 * the first series for x >= 1 (terms fall by exp(-6 x^2) <= 2.5e-3 each), the second for x < 1 (terms fall
 * by exp(-pi^2 / x^2) <= 5e-5); both summed until the term is below 1e-17: absolute error < 1e-15.
 */
export function kolmogorovCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1 - kolmogorovSurvival(x);
  const c = (Math.PI * Math.PI) / (8 * x * x);
  let sum = 0;
  for (let k = 1; k < 100; k++) {
    const term = Math.exp(-(2 * k - 1) * (2 * k - 1) * c);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  return (Math.sqrt(2 * Math.PI) / x) * sum;
}

/** 1 - K(x), without cancellation for large x (relative error < 1e-15 for x >= 1). */
export function kolmogorovSurvival(x: number): number {
  if (x < 1) return 1 - kolmogorovCdf(x);
  let sum = 0;
  for (let k = 1; k < 100; k++) {
    const term = Math.exp(-2 * k * k * x * x);
    sum += k % 2 === 1 ? term : -term;
    if (term < 1e-17 * sum) break;
  }
  return Math.min(1, 2 * sum);
}

export interface KolmogorovSmirnovResult {
  /** D = sup |F_n(z) - F(z)| */
  statistic: number;
  /**
   * P(D >= observed) from Stephens' (1970) approximation 1 - K((sqrt(n) + 0.12 + 0.11 / sqrt(n)) D): the
   * limit law with a finite-n correction (not the exact finite-n law); the tests check its calibration at
   * n = 1000 (the rate of p < 0.05 on Gaussian samples is 0.05 within Monte Carlo error).
   */
  pValue: number;
}

/** One-sample KS test of `samples` against a continuous cdf (default: standard normal). Sorts a copy. */
export function kolmogorovSmirnov(samples: ArrayLike<number>, cdf: (x: number) => number = normalCdf): KolmogorovSmirnovResult {
  const n = samples.length;
  if (n === 0) throw new RangeError('samples.length = 0 is outside [1, inf)');
  const sorted = Float64Array.from(samples).sort();
  let statistic = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    statistic = Math.max(statistic, (i + 1) / n - f, f - i / n);
  }
  const root = Math.sqrt(n);
  return { statistic, pValue: kolmogorovSurvival((root + 0.12 + 0.11 / root) * statistic) };
}
