// High-sparsity asymptotics and the MMSE floor (docs/theory.md §4).
import { describe, expect, it } from 'vitest';
import {
  effectiveLogFactor, highSparsityLoss, kappaFormLoss, logFactor, mmseLoss, mmseLossAtSnr,
} from '../../src/theory/asymptotics.js';
import { dataVariance } from '../../src/theory/loss.js';
import { kappaSquared, linearLoss, optimalSymmetricLoss } from '../../src/theory/optimum.js';

describe('asymptotic forms', () => {
  it('kappaFormLoss = p kappa^2 ln(1/p) / 2 = highSparsityLoss (1 - 3p/4)', () => {
    for (const [p, r] of [[0.01, 0.5], [0.2, 0.1], [1e-6, 0.9]]) {
      expect(kappaFormLoss(p, r)).toBeCloseTo(p * kappaSquared(p, r) * 0.5 * Math.log(1 / p), 15);
      expect(kappaFormLoss(p, r) / highSparsityLoss(p, r)).toBeCloseTo(1 - 0.75 * p, 13);
    }
    expect(logFactor(1)).toBe(0);
  });
  it('effective g = L* / (p kappa^2) grows like logFactor(p)', () => {
    const g4 = effectiveLogFactor(1e-4, 0.5);
    const g8 = effectiveLogFactor(1e-8, 0.5);
    expect(g8).toBeGreaterThan(g4);
    expect(g8 / logFactor(1e-8)).toBeGreaterThan(0.85);
    expect(g8 / logFactor(1e-8)).toBeLessThan(1.05);
    expect(() => effectiveLogFactor(0.1, 1)).toThrow('r = 1');
  });
});

describe('MMSE of x from t = snr x + Z', () => {
  it('is v at snr = 0, 0 at snr = inf, and matches the linear MMSE v / (1 + snr^2 v) to O(snr^4) at small snr', () => {
    const p = 0.1;
    const v = dataVariance(p);
    expect(mmseLossAtSnr(p, 0)).toBe(v);
    expect(mmseLossAtSnr(p, Infinity)).toBe(0);
    for (const snr of [0.01, 0.1]) {
      const mmse = mmseLossAtSnr(p, snr);
      const linear = v / (1 + snr * snr * v);
      expect(mmse).toBeLessThanOrEqual(linear * (1 + 1e-13));
      expect((linear - mmse) / v).toBeLessThan(5 * snr ** 4);
    }
  });
  it('is converged in its quadrature: resolution 1 vs 3 agree to 1e-11', () => {
    for (const [p, r] of [[0.001, 0.5], [0.045, 0.25], [0.3, 0.9], [1, 0.5]]) {
      const coarse = mmseLoss(p, r, 1);
      const fine = mmseLoss(p, r, 3);
      expect(Math.abs(coarse - fine) / fine, `p = ${p}, r = ${r}`).toBeLessThan(1e-11);
    }
  });
  it('never exceeds L*, the linear (1 - r) v or v, and is 0 at r = 1', () => {
    for (const p of [0.001, 0.03, 0.3, 1]) {
      for (const r of [0.01, 0.2, 0.6, 0.9]) {
        const mmse = mmseLoss(p, r);
        expect(mmse, `p = ${p}, r = ${r}`).toBeLessThanOrEqual(optimalSymmetricLoss(p, r).loss * (1 + 1e-12));
        expect(mmse).toBeLessThanOrEqual(linearLoss(p, r) * (1 + 1e-12));
        expect(mmse).toBeLessThan(dataVariance(p));
      }
    }
    expect(mmseLoss(0.1, 1)).toBe(0);
  });
  it('falls to 0 as r -> 1, as ~ p kappa^2 for small kappa', () => {
    const p = 0.01;
    let previous = Infinity;
    for (const r of [0.5, 0.9, 0.99, 0.999]) {
      const mmse = mmseLoss(p, r);
      expect(mmse).toBeLessThan(previous);
      previous = mmse;
    }
    expect(previous).toBeLessThan(1e-4 * dataVariance(p));
    expect(previous / (p * kappaSquared(p, 0.999))).toBeGreaterThan(0.9);
    expect(previous / (p * kappaSquared(p, 0.999))).toBeLessThan(1.1);
  });
  it('leaves ReLU a gap L* / MMSE that grows as p falls at fixed r', () => {
    const gaps = [0.1, 0.01, 0.001].map((p) => optimalSymmetricLoss(p, 0.5).loss / mmseLoss(p, 0.5));
    expect(gaps[1]).toBeGreaterThan(gaps[0]);
    expect(gaps[2]).toBeGreaterThan(gaps[1]);
    expect(gaps[2]).toBeGreaterThan(2);
  });
});
