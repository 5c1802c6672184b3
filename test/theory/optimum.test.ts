// L*(p, r) of docs/theory.md §4: baselines, monotonicity, grid cross-checks and the two regimes.
import { describe, expect, it } from 'vitest';
import { dataVariance } from '../../src/theory/loss.js';
import { highSparsityLoss } from '../../src/theory/asymptotics.js';
import {
  constantLoss, kappaSquared, linearLoss, optimalSymmetricLoss, paperCodeLinearLoss, rankBoundLoss, zeroLoss,
} from '../../src/theory/optimum.js';

describe('baselines', () => {
  it('zero p/3, constant v, linear (1 - r) v', () => {
    expect(zeroLoss(0.3)).toBeCloseTo(0.1, 15);
    expect(constantLoss(0.3)).toBeCloseTo(0.1 - 0.0225, 15);
    expect(linearLoss(0.3, 0.25)).toBeCloseTo(0.75 * (0.1 - 0.0225), 15);
  });
  it('paper-code linear (n - m - 1) p / (3 n) overstates (1 - r) v above p = 4 / (3 n (1 - r)) and not below', () => {
    const n = 1024;
    const m = 256;
    expect(paperCodeLinearLoss(n, m, 0.3)).toBeCloseTo((767 * 0.3) / 3072, 15);
    expect(paperCodeLinearLoss(n, m, 0.3)).toBeGreaterThan(linearLoss(0.3, m / n));
    expect(paperCodeLinearLoss(n, m, 0.001)).toBeLessThan(linearLoss(0.001, m / n));
    expect(() => paperCodeLinearLoss(8, 9, 0.1)).toThrow('nHidden = 9 is outside [1, 8]');
  });
});

describe('optimalSymmetricLoss', () => {
  it('validates p and r, naming the value and the range', () => {
    expect(() => optimalSymmetricLoss(1.5, 0.5)).toThrow('p = 1.5 is outside (0, 1]');
    expect(() => optimalSymmetricLoss(0.1, 0)).toThrow('r = 0 is outside (0, 1]');
    expect(() => optimalSymmetricLoss(NaN, 0.5)).toThrow('p = NaN is outside (0, 1]');
  });

  it('returns a consistent point: loss = L(a, c, sigma), sigma = |a| sqrt((1 - r) / r), kappa^2 = (1/r - 1) v', () => {
    const o = optimalSymmetricLoss(0.045, 0.25);
    expect(o.loss).toBe(rankBoundLoss(o.a, o.c, 0.045, 0.25));
    expect(o.sigma).toBeCloseTo(Math.abs(o.a) * Math.sqrt(3), 14);
    expect(o.kappa ** 2).toBeCloseTo(3 * dataVariance(0.045), 15);
    expect(o.kappa ** 2).toBeCloseTo(kappaSquared(0.045, 0.25), 15);
    expect(o.a).toBeGreaterThan(0.5);
    expect(o.c).toBeLessThan(0);
  });

  it('is exactly 0 at r = 1 (a = 1, c = 0, sigma = 0)', () => {
    const o = optimalSymmetricLoss(0.2, 1);
    expect(o.loss).toBe(0);
    expect(o.sigma).toBe(0);
    expect(o.a).toBeCloseTo(1, 6);
  });

  // ReLU(h) is the projection of h onto [0, inf), which contains the target x >= 0, so
  // (ReLU(h) - x)^2 <= (h - x)^2: the ReLU of the best linear point (a = r, c = (1 - r) p / 2) costs at most (1 - r) v.
  it('never exceeds min(linear, constant), checked on a (p, r) grid', () => {
    for (const p of [0.002, 0.02, 0.1, 0.4, 1]) {
      for (const r of [0.002, 0.05, 0.3, 0.8]) {
        const o = optimalSymmetricLoss(p, r);
        const bound = Math.min(linearLoss(p, r), constantLoss(p));
        expect(o.loss, `p = ${p}, r = ${r}`).toBeLessThanOrEqual(bound * (1 + 1e-12));
        expect(rankBoundLoss(r, ((1 - r) * p) / 2, p, r)).toBeLessThanOrEqual(bound * (1 + 1e-12));
      }
    }
  });

  it('decreases in r at fixed p', () => {
    for (const p of [0.01, 0.3]) {
      let previous = Infinity;
      for (const r of [0.01, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 0.95, 1]) {
        const { loss } = optimalSymmetricLoss(p, r);
        expect(loss, `p = ${p}, r = ${r}`).toBeLessThan(previous);
        previous = loss;
      }
    }
  });

  it('is never beaten by a fine (a, c) grid, negative a included, nor by a finer grid around it', () => {
    // (0.045, 0.1) and (0.001, 0.002) have a competing small-a branch; (0.3, 0.05) is linear-like.
    for (const [p, r] of [[0.045, 0.1], [0.001, 0.002], [0.3, 0.05], [0.01, 0.5]]) {
      const o = optimalSymmetricLoss(p, r);
      let gridMinimum = Infinity;
      for (let a = -0.5; a <= 2.5; a += 0.02) {
        for (let c = -1.2; c <= 0.6; c += 0.004) gridMinimum = Math.min(gridMinimum, rankBoundLoss(a, c, p, r));
      }
      expect(o.loss, `p = ${p}, r = ${r}`).toBeLessThanOrEqual(gridMinimum * (1 + 1e-12));
      expect(gridMinimum / o.loss, `p = ${p}, r = ${r}`).toBeLessThan(1.05); // the grid is coarse, not far off
      let localMinimum = Infinity;
      for (let i = -20; i <= 20; i++) {
        for (let j = -20; j <= 20; j++) {
          localMinimum = Math.min(localMinimum, rankBoundLoss(o.a + i * 1e-5, o.c + j * 1e-5 * Math.max(o.kappa, 1e-3), p, r));
        }
      }
      expect(o.loss).toBeLessThanOrEqual(localMinimum * (1 + 1e-13));
    }
  });

  it('for r <~ p is no better than linear: L* / ((1 - r) v) > 0.99', () => {
    for (const [p, r] of [[0.3, 0.01], [0.3, 0.05], [0.1, 0.01], [0.8, 0.1], [0.045, 0.01]]) {
      const ratio = optimalSymmetricLoss(p, r).loss / linearLoss(p, r);
      expect(ratio, `p = ${p}, r = ${r}`).toBeGreaterThan(0.99);
      expect(ratio).toBeLessThanOrEqual(1);
    }
  });

  it('for r >> p, p -> 0 tracks ((1 - r) / (6 r)) p^2 ln(1/p), approaching it slowly (correction ~ ln ln / ln)', () => {
    const r = 0.5;
    const ratios = [1e-2, 1e-4, 1e-8, 1e-14, 1e-20].map((p) => optimalSymmetricLoss(p, r).loss / highSparsityLoss(p, r));
    for (const ratio of ratios) expect(ratio).toBeGreaterThan(0.85);
    for (const ratio of ratios) expect(ratio).toBeLessThan(1.3);
    // above 1 at moderate p, below 1 beyond ~1e-4, and turning back up towards 1 from p ~ 1e-8 on
    expect(ratios[0]).toBeGreaterThan(1.1);
    expect(ratios[1]).toBeLessThan(1);
    expect(ratios[3]).toBeGreaterThan(ratios[2]);
    expect(ratios[4]).toBeGreaterThan(ratios[3]);
    // the optimum has a -> 1 and c / s -> -sqrt(2 ln(1/p)) to leading order
    const tiny = optimalSymmetricLoss(1e-14, r);
    expect(tiny.a - 1).toBeLessThan(1e-5);
    const threshold = -tiny.c / (tiny.sigma * Math.sqrt(dataVariance(1e-14)));
    expect(threshold / Math.sqrt(2 * Math.log(1e14))).toBeGreaterThan(0.8);
    expect(threshold / Math.sqrt(2 * Math.log(1e14))).toBeLessThan(1);
  });
});
