// Normal pdf/cdf, ReLU moments Q, R and J_k against 40-digit mpmath values and identities.
import { describe, expect, it } from 'vitest';
import {
  millsRatio, normalCdf, normalPdf, normalSurvival, reluMean, reluMoments, reluSecondMoment,
} from '../../src/theory/normal.js';

const relative = (x: number, y: number) => Math.abs(x - y) / Math.abs(y);

// [x, Phi(x)] from mpmath.ncdf at 40 digits.
const CDF: Array<[number, number]> = [
  [-38, 2.8854283600687843e-316],
  [-30, 4.9067139271481871e-198],
  [-20, 2.7536241186062337e-89],
  [-10, 7.6198530241605261e-24],
  [-5, 2.8665157187919391e-7],
  [-3, 0.0013498980316300945],
  [-1.5, 0.066807201268858066],
  [-1, 0.15865525393145705],
  [-0.5, 0.3085375387259869],
  [-0.1, 0.46017216272297102],
  [0, 0.5],
  [0.3, 0.61791142218895263],
  [1, 0.84134474606854295],
  [1.5, 0.93319279873114193],
  [2.5, 0.99379033467422386],
  [5, 0.99999971334842812],
];

describe('normalCdf', () => {
  it('matches 40-digit values to 1e-15 relative (x >= -37; subnormal range to 1e-6)', () => {
    for (const [x, expected] of CDF) {
      expect(relative(normalCdf(x), expected), `x = ${x}`).toBeLessThan(x < -37 ? 1e-6 : 1e-15);
    }
  });
  it('has Phi(x) + Phi(-x) = 1 and survival = Phi(-x)', () => {
    for (let x = -8; x <= 8; x += 0.37) {
      expect(Math.abs(normalCdf(x) + normalCdf(-x) - 1)).toBeLessThan(2e-16);
      expect(normalSurvival(x)).toBe(normalCdf(-x));
    }
  });
  it('is 0 / 1 at the extremes and NaN for NaN', () => {
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(40)).toBe(1);
    expect(normalCdf(NaN)).toBeNaN();
  });
});

describe('normalPdf and millsRatio', () => {
  it('matches 40-digit phi values', () => {
    for (const [x, expected] of [[-30, 1.4736461348785475e-196], [-3, 0.0044318484119380072], [0, 0.39894228040143268], [1.7, 0.09404907737688693]]) {
      expect(relative(normalPdf(x), expected)).toBeLessThan(1e-15);
    }
  });
  it('Mills ratio = Phi(-y) / phi(y) and -> 1 / y', () => {
    for (const y of [0, 0.3, 1, 2, 5, 9]) expect(relative(millsRatio(y), normalCdf(-y) / normalPdf(y))).toBeLessThan(2e-15);
    expect(relative(millsRatio(1e4) * 1e4, 1)).toBeLessThan(1e-8);
    expect(millsRatio(60)).toBeGreaterThan(0); // no underflow where Phi(-60) = 0
  });
});

// [m, s, Q(m, s), R(m, s)] at 40 digits.
const QR: Array<[number, number, number, number]> = [
  [0.3, 1.0, 0.78793979482411559, 0.56676124211720987],
  [-0.3, 1.0, 0.30206020517588441, 0.26676124211720988],
  [-2.0, 1.0, 0.0057687267145199321, 0.0084907026168296375],
  [-6.0, 0.5, 5.9644929240533154e-36, 7.3026005849227739e-35],
  [-1.0, 0.03, 1.024468017448309e-249, 5.7068011280069855e-247],
  [-0.3, 0.02, 1.2771427207710694e-56, 4.8520501750580299e-54],
  [2.0, 0.1, 4.01, 2.0],
  [-0.02, 0.01, 5.7687267145199323e-7, 8.4907026168296377e-5],
];

describe('reluSecondMoment Q and reluMean R', () => {
  it('match 40-digit closed-form values to 1e-14 + (m/s)^2 eps relative, deep in the tail included', () => {
    for (const [m, s, q, r] of QR) {
      // (m/s)^2 eps: rounding m / s moves exp(-m^2 / 2s^2) by that much; the function's own condition number.
      const tol = 1e-14 + (m / s) ** 2 * 2.2e-16;
      expect(relative(reluSecondMoment(m, s), q), `Q(${m}, ${s})`).toBeLessThan(tol);
      expect(relative(reluMean(m, s), r), `R(${m}, ${s})`).toBeLessThan(tol);
    }
  });
  it('stay positive, decreasing and finite where the textbook formula cancels to garbage', () => {
    let previousQ = Infinity;
    let previousR = Infinity;
    for (let m = -1; m >= -30; m -= 0.5) {
      const q = reluSecondMoment(m, 1);
      const r = reluMean(m, 1);
      expect(q).toBeGreaterThanOrEqual(0);
      expect(q).toBeLessThan(previousQ === 0 ? Infinity : previousQ);
      expect(r).toBeLessThan(previousR === 0 ? Infinity : previousR);
      if (q > 0) expect(q).toBeLessThan(r * 1); // Q / R ~ 2 / y < 1 in the far tail
      previousQ = q || previousQ;
      previousR = r || previousR;
    }
  });
  it('reduce to max(m, 0)^2 and max(m, 0) at s = 0 and reject s < 0', () => {
    expect(reluSecondMoment(0.7, 0)).toBe(0.7 * 0.7);
    expect(reluSecondMoment(-0.7, 0)).toBe(0);
    expect(reluMean(0.7, 0)).toBe(0.7);
    expect(reluMean(-0.7, 0)).toBe(0);
    expect(() => reluMean(1, -1)).toThrow('s = -1 is outside [0, inf)');
  });
  it('are continuous across the closed-form / continued-fraction switch at m / s = -1.5', () => {
    for (const s of [1, 0.01]) {
      const below = -1.5 * s * (1 + 1e-12);
      const above = -1.5 * s * (1 - 1e-12);
      expect(relative(reluSecondMoment(below, s), reluSecondMoment(above, s))).toBeLessThan(1e-11);
      expect(relative(reluMean(below, s), reluMean(above, s))).toBeLessThan(1e-11);
    }
  });
});

describe('reluMoments J_k(y) = E[ReLU(Z - y)^k]', () => {
  it('satisfy J_{k+1} = k J_{k-1} - y J_k and J_k(y) - (-1)^k J_k(-y) = E[(Z - y)^k]', () => {
    for (const y of [-3, -1, -0.2, 0, 0.4, 1.2, 1.6, 2.5]) {
      const [j0, j1, j2, j3] = reluMoments(y);
      const [k0, k1, k2, k3] = reluMoments(-y);
      const tol = 1e-14;
      expect(Math.abs(j2 - (j0 - y * j1))).toBeLessThan(tol * (j0 + Math.abs(y) * j1));
      expect(Math.abs(j3 - (2 * j1 - y * j2))).toBeLessThan(tol * (2 * j1 + Math.abs(y) * j2));
      expect(Math.abs(j0 + k0 - 1)).toBeLessThan(tol);
      expect(Math.abs(j1 - k1 - -y)).toBeLessThan(tol * (1 + Math.abs(y)));
      expect(Math.abs(j2 + k2 - (1 + y * y))).toBeLessThan(tol * (1 + y * y));
      expect(Math.abs(j3 - k3 - (-y * y * y - 3 * y))).toBeLessThan(tol * (1 + Math.abs(y) ** 3));
    }
  });
  it('follow the asymptotic series J_k / phi = sum_i (-1/2)^i / i! (k + 2i)! / y^(k + 2i + 1) at large y', () => {
    const y = 30;
    const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
    const j = reluMoments(y);
    for (let k = 0; k < 4; k++) {
      let series = 0;
      for (let i = 0; i < 3; i++) series += ((-0.5) ** i / factorial(i)) * factorial(k + 2 * i) / y ** (k + 2 * i + 1);
      const firstOmitted = ((0.5 ** 3 / 6) * factorial(k + 6)) / factorial(k) / y ** 6;
      expect(relative(j[k], normalPdf(y) * series)).toBeLessThan(firstOmitted);
    }
  });
});
