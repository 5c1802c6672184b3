// The sampler: wasm and TS draw bit-identical batches; rates and values follow docs/theory.md §1.
import { describe, expect, test } from 'vitest';
import { sampleBatch, sampleThresholds } from '../../src/reference/sample.js';
import { wasmKernels, put } from '../helpers.js';

describe('sampleBatch', () => {
  test.each([[1, 1, 0.5], [7, 3, 0.3], [64, 33, 0.045], [130, 17, 1], [513, 9, 0.002], [300, 40, 0.9]])(
    'wasm equals TS bit for bit (n = %i, batch = %i, p = %f)',
    async (n, batch, p) => {
      const k = await wasmKernels();
      const stride = Math.ceil(n / 8) * 8;
      const probabilities = Array.from({ length: n }, (_, j) => (j % 3 === 0 ? p : p / 2));
      const thresholds = sampleThresholds(probabilities, n);
      const first = 4294967290; // crosses the 32-bit counter boundary
      const dense = new Float32Array(batch * stride).fill(7);
      const sparse = { offsets: new Int32Array(batch + 1), indices: new Int32Array(batch * n), values: new Float32Array(batch * n) };
      const nnz = sampleBatch(99, 100, first, batch, n, stride, thresholds, dense, sparse);
      const t = put(k, 'u32', thresholds);
      const d = k.allocate('f32', batch * stride), o = k.allocate('i32', batch + 1), ix = k.allocate('i32', batch * n), v = k.allocate('f32', batch * n);
      const wasmNnz = k.sampleBatch(99, 100, first, batch, n, stride, t, d, o, ix, v);
      expect(wasmNnz).toBe(nnz);
      expect(Array.from(k.arena.f32(d, batch * stride))).toEqual(Array.from(dense));
      expect(Array.from(k.arena.i32(o, batch + 1))).toEqual(Array.from(sparse.offsets));
      expect(Array.from(k.arena.i32(ix, nnz))).toEqual(Array.from(sparse.indices.subarray(0, nnz)));
      expect(Array.from(k.arena.f32(v, nnz))).toEqual(Array.from(sparse.values.subarray(0, nnz)));
    },
  );

  test('per-feature rates match p_j and values are uniform on [0, 1)', () => {
    const n = 8, batch = 20000, stride = 8;
    const probabilities = [0.01, 0.05, 0.1, 0.2, 0.3, 0.5, 0.8, 1];
    const dense = new Float32Array(batch * stride);
    const sparse = { offsets: new Int32Array(batch + 1), indices: new Int32Array(batch * n), values: new Float32Array(batch * n) };
    const nnz = sampleBatch(1, 2, 0, batch, n, stride, sampleThresholds(probabilities, n), dense, sparse);
    const counts = new Array(n).fill(0);
    let sum = 0, sumSq = 0;
    for (let e = 0; e < nnz; e++) { counts[sparse.indices[e]]++; sum += sparse.values[e]; sumSq += sparse.values[e] ** 2; }
    probabilities.forEach((p, j) => {
      const sd = Math.sqrt(batch * p * (1 - p));
      expect(Math.abs(counts[j] - batch * p)).toBeLessThanOrEqual(5 * sd + 1e-9);
    });
    expect(counts[7]).toBe(batch);
    expect(Math.abs(sum / nnz - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / nnz));
    expect(Math.abs(sumSq / nnz - 1 / 3)).toBeLessThan(0.01);
  });

  test('uniform p: features are independent (pair and gap statistics of a Bernoulli(p) sequence)', () => {
    // With every p_j equal the sampler draws geometric gaps; check what the gaps must reproduce: the rate, the
    // joint rate of neighbouring and distant pairs (p^2), and that feature 0 and feature n - 1 are not special.
    const n = 64, batch = 40000, stride = 64, p = 0.1;
    const probabilities = new Array(n).fill(p);
    const dense = new Float32Array(batch * stride);
    const sparse = { offsets: new Int32Array(batch + 1), indices: new Int32Array(batch * n), values: new Float32Array(batch * n) };
    sampleBatch(7, 8, 0, batch, n, stride, sampleThresholds(probabilities, n), dense, sparse);
    const on = (b: number, j: number) => (dense[b * stride + j] !== 0 ? 1 : 0);
    const rate = (f: (b: number) => number) => { let c = 0; for (let b = 0; b < batch; b++) c += f(b); return c / batch; };
    const within = (observed: number, expected: number) => expect(Math.abs(observed - expected)).toBeLessThanOrEqual(5 * Math.sqrt(expected * (1 - expected) / batch));
    for (const j of [0, 1, 31, 62, 63]) within(rate((b) => on(b, j)), p);
    for (const [i, j] of [[0, 1], [10, 11], [5, 40], [62, 63], [0, 63]]) within(rate((b) => on(b, i) * on(b, j)), p * p);
    // P(no feature on) = (1 - p)^n
    within(rate((b) => (sparse.offsets[b + 1] === sparse.offsets[b] ? 1 : 0)), (1 - p) ** n);
  });

  test('sampleThresholds: gap table (1 - q)^k 2^32 and thinning relative to the largest p_j', () => {
    const t = sampleThresholds([0.5, 0.25, 0.5], 3);
    expect(t.length).toBe(16 + 4);
    expect(Array.from(t.subarray(0, 16))).toEqual(Array.from({ length: 16 }, (_, k) => 2 ** (32 - (k + 1))));
    expect(Array.from(t.subarray(16))).toEqual([4294967295, 2147483647, 4294967295, 0]);
    expect(Array.from(sampleThresholds([1, 1], 2).subarray(0, 16))).toEqual(new Array(16).fill(0));
  });

  test('p_j below the largest: rates of thinned features and of feature 0 after a long gap', () => {
    // q = 0.02 drives the gaps (many exceed the 16-entry table); half the features are thinned to 0.005.
    const n = 200, batch = 20000, stride = 200;
    const probabilities = Array.from({ length: n }, (_, j) => (j % 2 ? 0.005 : 0.02));
    const dense = new Float32Array(batch * stride);
    const sparse = { offsets: new Int32Array(batch + 1), indices: new Int32Array(batch * n), values: new Float32Array(batch * n) };
    sampleBatch(3, 4, 0, batch, n, stride, sampleThresholds(probabilities, n), dense, sparse);
    for (const [features, p] of [[[0, 2, 100, 198], 0.02], [[1, 99, 199], 0.005]] as const) {
      for (const j of features) {
        let c = 0;
        for (let b = 0; b < batch; b++) if (dense[b * stride + j] !== 0) c++;
        expect(Math.abs(c - batch * p)).toBeLessThanOrEqual(5 * Math.sqrt(batch * p * (1 - p)));
      }
    }
  });
});
