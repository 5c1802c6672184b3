// The Persian rug's exact properties (docs/theory.md §5), its seeded rows, the theory fit, and its Monte-Carlo loss vs L*.
import { describe, expect, test } from 'vitest';
import {
  checkHadamardOrder, chooseRows, createRug, createRugEngine, evaluateRug, fitAdam, hadamardRows, rugFromRows,
  rugInterferenceMean, rugEffectiveBias, rugMatrixBlock, rugWeights, theoryRugFit, popcount,
} from '../../src/rug/index.js';
import { optimalSymmetricLoss } from '../../src/theory/index.js';
import { RUG_FINITE_SIZE_RELATIVE } from '../tolerance.js';

/** Dense W = W_out W_in (f64) from the PyTorch-layout weights. */
function denseW(n: number, m: number): { W: Float64Array; rug: ReturnType<typeof createRug> } {
  const rug = createRug(n, m, 3, 1);
  const { win, wout } = rugWeights(rug);
  const W = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) {
    const a = wout[i * m + k];
    for (let j = 0; j < n; j++) W[i * n + j] += a * win[k * n + j];
  }
  return { W, rug };
}

describe('Hadamard rows', () => {
  test('order must be a power of two in [2, 65536], named in the error', () => {
    expect(() => checkHadamardOrder(100)).toThrow('n = 100 is not a power of two in [2, 65536]');
    for (const bad of [0, 1, 3, 131072, 2.5, NaN]) expect(() => checkHadamardOrder(bad)).toThrow(/is not a power of two/);
    for (const good of [2, 4, 1024, 65536]) expect(() => checkHadamardOrder(good)).not.toThrow();
  });

  test('H H^T = n I and H_kj = (-1)^popcount(k & j)', () => {
    const n = 32;
    const H = hadamardRows(n, Array.from({ length: n }, (_, k) => k));
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) {
      let dot = 0;
      for (let j = 0; j < n; j++) dot += H[a * n + j] * H[b * n + j];
      expect(dot).toBe(a === b ? n : 0);
    }
    expect(H[3 * n + 5]).toBe(-1); // 3 & 5 = 1
    expect(H[3 * n + 12]).toBe(1); // 3 & 12 = 0
    expect(popcount(0xffffffff)).toBe(32);
  });

  test('row choice: m distinct sorted rows, deterministic in (seed, row set)', () => {
    const rows = chooseRows(1024, 300, 42, 0);
    expect(rows.length).toBe(300);
    for (let i = 1; i < rows.length; i++) expect(rows[i]).toBeGreaterThan(rows[i - 1]);
    expect(rows[0]).toBeGreaterThanOrEqual(0);
    expect(rows[299]).toBeLessThan(1024);
    expect(Array.from(chooseRows(1024, 300, 42, 0))).toEqual(Array.from(rows));
    expect(Array.from(chooseRows(1024, 300, 42, 1))).not.toEqual(Array.from(rows));
    expect(Array.from(chooseRows(1024, 300, 43, 0))).not.toEqual(Array.from(rows));
    expect(Array.from(chooseRows(16, 16, 0))).toEqual(Array.from({ length: 16 }, (_, i) => i));
    expect(() => chooseRows(16, 17, 0)).toThrow('m = 17 is not an integer in [1, 16]');
  });
});

describe('the rug W = H_S^T H_S / m (docs/theory.md §5)', () => {
  test.each([[64, 16], [64, 48], [128, 37], [256, 1]])('n = %i, m = %i: diagonal 1, off-diagonal sigma^2 = (1 - r) / r, W_ij = w(i ^ j), W^2 = W / r', (n, m) => {
    const { W, rug } = denseW(n, m);
    const r = m / n;
    for (let i = 0; i < n; i++) {
      let offSquares = 0;
      for (let j = 0; j < n; j++) {
        expect(Math.abs(W[i * n + j] - rug.kernel[i ^ j])).toBeLessThan(1e-6);
        if (j !== i) offSquares += W[i * n + j] ** 2;
      }
      expect(Math.abs(W[i * n + i] - 1)).toBeLessThan(1e-6);
      expect(Math.abs(offSquares - (1 - r) / r)).toBeLessThan(1e-5 * (1 + (1 - r) / r));
    }
    expect(rug.kernel[0]).toBe(1);
    // Projector: (W W)_ij = W_ij / r, checked on a few rows.
    for (const i of [0, 1, n - 1]) for (const j of [0, 5, n - 2]) {
      let sum = 0;
      for (let k = 0; k < n; k++) sum += W[i * n + k] * W[k * n + j];
      expect(Math.abs(sum - W[i * n + j] / r)).toBeLessThan(1e-5 / r);
    }
  });

  test('row sums are (n / m) [0 in S] for every row; E nu = (p / 2)((n / m)[0 in S] - 1)', () => {
    const n = 64, m = 16;
    const withZero = rugFromRows(n, [0, ...Array.from({ length: m - 1 }, (_, k) => 3 * k + 2)]);
    const withoutZero = rugFromRows(n, Array.from({ length: m }, (_, k) => 3 * k + 2));
    for (const rug of [withZero, withoutZero]) {
      const block = rugMatrixBlock(rug, n);
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let j = 0; j < n; j++) sum += block[i * n + j];
        expect(Math.abs(sum - (rug.zeroInRows ? n / m : 0))).toBeLessThan(1e-12);
      }
    }
    expect(withZero.zeroInRows).toBe(true);
    expect(withoutZero.zeroInRows).toBe(false);
    expect(rugInterferenceMean(withZero, 0.1)).toBeCloseTo(0.05 * (4 - 1), 15);
    expect(rugInterferenceMean(withoutZero, 0.1)).toBeCloseTo(-0.05, 15);
  });

  test('theory fit: A = a and c = A (mu + E nu) reproduce the optimum (a, c)', () => {
    const rug = rugFromRows(256, [0, ...Array.from({ length: 63 }, (_, k) => 4 * k + 3)]);
    const p = 0.05;
    const fit = theoryRugFit(rug, p);
    const optimum = optimalSymmetricLoss(p, 0.25);
    expect(fit.scale).toBe(optimum.a);
    expect(rugEffectiveBias(rug, p, fit.scale, fit.shift)).toBeCloseTo(optimum.c, 12);
    expect(fit.theoryLoss).toBe(optimum.loss);
  });
});

describe('Monte-Carlo loss', () => {
  test('n = 4096, m = 1024, p = 0.05: theory-fitted rug matches L*(p, r) within 3 SE + the finite-size tolerance', async () => {
    const n = 4096, m = 1024, p = 0.05;
    const rug = createRug(n, m, 0, 0);
    const fit = theoryRugFit(rug, p);
    const engine = await createRugEngine('wasm', n, p);
    engine.setRug(rug);
    const result = evaluateRug(engine, fit, 0, 8192);
    engine.dispose();
    const optimum = optimalSymmetricLoss(p, m / n).loss;
    expect(result.samples).toBe(8192);
    expect(result.lossStdErr).toBeGreaterThan(0);
    expect(result.lossStdErr).toBeLessThan(0.01 * optimum);
    expect(Math.abs(result.loss - optimum)).toBeLessThanOrEqual(3 * result.lossStdErr + RUG_FINITE_SIZE_RELATIVE * optimum);
  });

  test('same seed, same samples: wasm and js engines agree', async () => {
    const n = 128, m = 32, p = 0.08;
    const rug = createRug(n, m, 9, 0);
    const fit = theoryRugFit(rug, p);
    const losses = [];
    for (const backend of ['wasm', 'js'] as const) {
      const engine = await createRugEngine(backend, n, p, 100);
      engine.setRug(rug);
      losses.push(evaluateRug(engine, fit, 9, 1000));
    }
    expect(Math.abs(losses[0].loss - losses[1].loss)).toBeLessThan(1e-9 * losses[1].loss);
    expect(Math.abs(losses[0].lossStdErr - losses[1].lossStdErr)).toBeLessThan(1e-6 * losses[1].lossStdErr);
  });

  test("Adam (paper's recipe) lowers the loss from A = 1, mu = 0 and keeps the best row set", async () => {
    const n = 256, m = 64, p = 0.05;
    const engine = await createRugEngine('wasm', n, p);
    const start = createRug(n, m, 1, 0);
    engine.setRug(start);
    const initial = evaluateRug(engine, { scale: 1, shift: 0 }, 1, 4096).loss;
    const result = fitAdam(engine, m, { seed: 1, epochs: 8, rowSets: 3 });
    expect(result.rowSetLosses.length).toBe(3);
    expect(result.trainLoss).toBe(Math.min(...result.rowSetLosses));
    expect(result.rug.rowSet).toBe(result.rowSet);
    expect(result.steps).toBe(8 * 20);
    engine.setRug(result.rug);
    const fitted = evaluateRug(engine, result, 1, 4096).loss;
    engine.dispose();
    expect(fitted).toBeLessThan(0.8 * initial);
    expect(fitted).toBeLessThan(1.2 * optimalSymmetricLoss(p, 0.25).loss);
  });
});
