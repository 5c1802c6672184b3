// The sampler: wasm and TS draw bit-identical batches; rates and values follow PAPER.md §1.
import { describe, expect, test } from 'vitest';
import { sampleBatch, sampleThresholds } from '../../src/reference/sample.js';
import { wasmKernels, put } from '../helpers.js';

describe('sampleBatch', () => {
  test.each([[1, 1, 0.5], [7, 3, 0.3], [64, 33, 0.045], [130, 17, 1], [513, 9, 0.002]])(
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
});
