// The p -> 0 limit of L* (sparseLimit.ts) against the quadrature search where both work, and bounded, finite
// results down to the smallest positive double.
import { describe, expect, it } from 'vitest';
import { sparseLimitOptimum } from '../../src/theory/sparseLimit.js';
import { SPARSE_LIMIT_KAPPA, kappaSquared, optimalSymmetricLoss } from '../../src/theory/optimum.js';
import { integrateT, logFactor, mmseLoss, mmseLossAtSnr } from '../../src/theory/asymptotics.js';
import { reluMoments } from '../../src/theory/normal.js';
import { symmetricLoss } from '../../src/theory/loss.js';

describe('sparseLimitOptimum', () => {
  it('satisfies its first-order condition tau / 2 = 2 J_1(tau) / p (checked where J_1 / p is a normal double)', () => {
    for (const p of [1e-6, 1e-12, 1e-20, 1e-40]) {
      const { tau, scaledLoss } = sparseLimitOptimum(p);
      const j1 = reluMoments(tau)[1];
      expect(Math.abs(tau / 2 - (2 * j1) / p) / (tau / 2), `p = ${p}`).toBeLessThan(1e-9);
      expect(scaledLoss).toBeCloseTo(1 + tau * tau / 4 + reluMoments(tau)[2] / p, 12);
    }
  });
  it('tends to the paper g(p) = ln(1/p) / 2: G / g rises to 1 (0.91 at 1e-10, within 2% at 5e-324)', () => {
    let previous = 0;
    for (const p of [1e-10, 1e-50, 1e-150, 1e-300, 5e-324]) {
      const ratio = sparseLimitOptimum(p).scaledLoss / logFactor(p);
      expect(ratio).toBeGreaterThan(previous);
      expect(ratio).toBeLessThan(1);
      previous = ratio;
    }
    expect(previous).toBeGreaterThan(0.98);
  });
  it('agrees with the quadrature search to 0.6 kappa tau relative, where the search resolves a - 1 (kappa >= 1e-10)', () => {
    for (const r of [0.01, 0.1, 0.25, 0.5, 0.9]) {
      for (const p of [1e-9, 1e-12, 1e-16, 1e-20]) {
        const kappa = Math.sqrt(kappaSquared(p, r));
        if (kappa <= SPARSE_LIMIT_KAPPA) continue;
        const search = optimalSymmetricLoss(p, r);
        const limit = sparseLimitOptimum(p);
        const loss = p * kappa * kappa * limit.scaledLoss;
        const bound = 0.6 * kappa * limit.tau;
        expect(Math.abs(loss - search.loss) / search.loss, `p = ${p}, r = ${r}, kappa tau = ${kappa * limit.tau}`).toBeLessThan(bound);
        // a - 1 and c to ~ kappa tau, above the search's own resolution (1e-7 of a - 1, 1e-8 of c near kappa = 1e-10).
        const a = 1 + limit.epsilon * kappa;
        expect(Math.abs(a - search.a) / (search.a - 1)).toBeLessThan(4 * bound + 1e-7);
        expect(Math.abs(-limit.tau * a * kappa - search.c) / -search.c).toBeLessThan(4 * bound + 1e-8);
      }
    }
  });
  it('is what optimalSymmetricLoss returns below kappa = 1e-10: the exact loss there agrees and is a local minimum', () => {
    // (Down to a - 1 ~ 1e-12: below that the exact loss itself cannot resolve a - 1 in f64.)
    for (const [p, r] of [[1e-21, 0.25], [1e-24, 0.5], [1e-26, 0.9]]) {
      const o = optimalSymmetricLoss(p, r);
      expect(o.kappa).toBeLessThanOrEqual(SPARSE_LIMIT_KAPPA);
      const slope = Math.sqrt((1 - r) / r);
      const at = (a: number, c: number) => symmetricLoss(a, c, a * slope, p);
      expect(Math.abs(at(o.a, o.c) - o.loss) / o.loss).toBeLessThan(1e-6);
      for (const [da, dc] of [[1, 0], [-1, 0], [0, 1], [0, -1]]) {
        const moved = at(o.a + 0.05 * (o.a - 1) * da, o.c * (1 + 0.05 * dc));
        expect(moved, `p = ${p}, r = ${r}, step ${da},${dc}`).toBeGreaterThan(o.loss);
      }
    }
  });
});

describe('bounded time and finite results for every p in (0, 1]', () => {
  it('optimalSymmetricLoss and mmseLoss give finite numbers down to 5e-324 (loss and MMSE ~ p^2 may underflow to 0)', () => {
    for (const p of [1e-100, 1e-160, 1e-300, Number.MIN_VALUE]) {
      for (const r of [0.001, 0.25, 0.5, 0.999, 1]) {
        const o = optimalSymmetricLoss(p, r);
        for (const value of [o.loss, o.a, o.c, o.sigma, o.kappa]) expect(Number.isFinite(value), `p = ${p}, r = ${r}`).toBe(true);
        expect(o.loss).toBeGreaterThanOrEqual(0);
        if (r < 1) expect(o.a).toBeGreaterThanOrEqual(1);
        const mmse = mmseLoss(p, r);
        expect(Number.isFinite(mmse) && mmse >= 0 && mmse <= o.loss * (1 + 1e-9) + Number.MIN_VALUE).toBe(true);
      }
    }
    // Where p^2 is still a normal double, L* / (p kappa^2) is the limit's G(p) and the MMSE is p kappa^2.
    const o = optimalSymmetricLoss(1e-100, 0.25);
    expect(o.loss / (1e-100 * o.kappa ** 2)).toBeCloseTo(sparseLimitOptimum(1e-100).scaledLoss, 10);
    expect(mmseLoss(1e-100, 0.25) / (1e-100 * o.kappa ** 2)).toBeCloseTo(1, 10);
  });
  it('mmseLossAtSnr: the closed-form middle stretch equals integrating all of [-9, snr + 9]', () => {
    for (const [p, snr] of [[1e-3, 60], [1e-3, 400], [1e-6, 1500], [0.3, 200]]) {
      const split = mmseLossAtSnr(p, snr);
      const whole = integrateT(p, snr, -9, snr + 9, 1);
      expect(Math.abs(split - whole) / whole, `p = ${p}, snr = ${snr}`).toBeLessThan(1e-12);
    }
  });
  it('mmseLossAtSnr below snr 1e-4 is the linear MMSE, continuous with the integral above it', () => {
    const p = 0.05;
    const below = mmseLossAtSnr(p, 0.99999e-4);
    const above = mmseLossAtSnr(p, 1.00001e-4);
    expect(Math.abs(below - above) / above).toBeLessThan(1e-12);
  });
});
