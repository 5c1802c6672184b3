// Fast Walsh-Hadamard transform and the rug kernels: wasm vs TS twin (bit for bit) vs the dense product.
import { describe, expect, test } from 'vitest';
import {
  walshHadamardTransform, walshHadamardTransformBatch, rugProject, rugLoss, rugDirectMaxActive,
} from '../../src/reference/hadamard.js';
import { sampleBatch, sampleThresholds } from '../../src/reference/sample.js';
import { createRug, hadamardEntry } from '../../src/rug/index.js';
import { wasmKernels, put, testValues } from '../helpers.js';
import { expectClose, HADAMARD, KERNEL } from '../tolerance.js';

function denseHadamard(x: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let sum = 0;
    for (let j = 0; j < n; j++) sum += hadamardEntry(k, j) * x[j];
    out[k] = sum;
  }
  return out;
}

const SIZES = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096];

describe('walshHadamardTransform', () => {
  test.each(SIZES)('n = %i: wasm equals the TS twin bit for bit and the dense product H x', async (n) => {
    const k = await wasmKernels();
    const x = testValues(Math.max(4, n), n + 11);
    const expected = denseHadamard(x, n);
    const twin = x.slice(0, n);
    walshHadamardTransform(twin, n);
    const ptr = put(k, 'f32', x);
    k.exports.walshHadamardTransform(ptr, n);
    expect(Array.from(k.arena.f32(ptr, n))).toEqual(Array.from(twin));
    expectClose(twin, expected, HADAMARD.relative, HADAMARD.absolute, `H x (n = ${n})`);
  });

  test('is its own inverse up to n: H H x = n x (f64 twin, exact on dyadic values)', () => {
    const n = 256;
    const x = Float64Array.from(testValues(n, 3), (v) => Math.round(v * 1024) / 1024);
    const y = x.slice();
    walshHadamardTransform(y, n);
    walshHadamardTransform(y, n);
    expect(Array.from(y)).toEqual(Array.from(x, (v) => v * n));
  });

  test('batched form equals row-by-row transforms (wasm and twin, stride > n)', async () => {
    const k = await wasmKernels();
    const n = 64, batch = 5, stride = 72;
    const x = testValues(batch * stride, 9);
    const twin = x.slice();
    walshHadamardTransformBatch(twin, n, batch, stride);
    const ptr = put(k, 'f32', x);
    k.exports.walshHadamardTransformBatch(ptr, n, batch, stride);
    expect(Array.from(k.arena.f32(ptr, batch * stride))).toEqual(Array.from(twin));
    for (let b = 0; b < batch; b++) {
      expectClose(twin.subarray(b * stride, b * stride + n), denseHadamard(x.subarray(b * stride), n), HADAMARD.relative, HADAMARD.absolute);
      expect(Array.from(twin.subarray(b * stride + n, (b + 1) * stride))).toEqual(Array.from(x.subarray(b * stride + n, (b + 1) * stride)));
    }
  });
});

describe('rugProject and rugLoss', () => {
  test.each([[2, 1, 0.5], [4, 2, 0.3], [64, 16, 0.02], [64, 16, 0.4], [512, 128, 0.004], [512, 128, 0.05]])(
    'n = %i, m = %i, p = %f: wasm equals the twin bit for bit and W x = H_S^T H_S x / m',
    async (n, m, p) => {
      const k = await wasmKernels();
      const rug = createRug(n, m, 7, 0);
      const batch = 24, stride = Math.max(4, n);
      const thresholds = sampleThresholds(new Array<number>(n).fill(p), n);
      const dense = new Float32Array(batch * stride);
      const sparse = { offsets: new Int32Array(batch + 1), indices: new Int32Array(batch * n), values: new Float32Array(batch * n) };
      const nnz = sampleBatch(5, 6, 0, batch, n, stride, thresholds, dense, sparse);
      const scale = new Float32Array(stride), kernel = new Float32Array(stride);
      for (const s of rug.rows) scale[s] = 1 / m;
      kernel.set(rug.kernel);
      const twin = new Float32Array(batch * stride);
      rugProject(batch, n, stride, dense, sparse.offsets, sparse.indices, sparse.values, scale, kernel, twin, stride);
      const d = put(k, 'f32', dense), o = put(k, 'i32', sparse.offsets), ix = put(k, 'i32', sparse.indices), v = put(k, 'f32', sparse.values);
      const sc = put(k, 'f32', scale), ke = put(k, 'f32', kernel), out = k.allocate('f32', batch * stride);
      k.rugProject(batch, n, stride, d, o, ix, v, sc, ke, out, stride);
      expect(Array.from(k.arena.f32(out, batch * stride))).toEqual(Array.from(twin));
      // The small-p cases take the direct path for some samples, the large-p cases the transforms for some.
      const counts = Array.from({ length: batch }, (_, b) => sparse.offsets[b + 1] - sparse.offsets[b]);
      if (n >= 64) expect(counts.some((c) => (p < 0.03 ? c <= rugDirectMaxActive(n) : c > rugDirectMaxActive(n)))).toBe(true);
      for (let b = 0; b < batch; b++) {
        const expected = new Float64Array(n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expected[i] += rug.kernel[i ^ j] * dense[b * stride + j];
        expectClose(twin.subarray(b * stride, b * stride + n), expected, HADAMARD.relative, HADAMARD.absolute, `W x (sample ${b})`);
      }
      // rugLoss: wasm vs twin (lane sums vs index-order sums), and vs a direct f64 evaluation.
      const [A, mu] = [1.25, -0.2];
      const sums = new Float64Array(3 * batch);
      rugLoss(batch, n, stride, dense, twin, stride, A, mu, sums);
      const wasmSums = k.allocate('f64', 3 * batch);
      k.rugLoss(batch, n, stride, d, out, stride, A, mu, wasmSums);
      expectClose(k.arena.f64(wasmSums, 3 * batch), sums, KERNEL.relative, KERNEL.absolute, 'rugLoss sums');
      let loss = 0;
      for (let b = 0; b < batch; b++) for (let i = 0; i < n; i++) loss += (Math.max(A * (twin[b * stride + i] + mu), 0) - dense[b * stride + i]) ** 2;
      const total = Array.from({ length: batch }, (_, b) => sums[3 * b]).reduce((s, x) => s + x, 0);
      expect(Math.abs(total - loss)).toBeLessThanOrEqual(1e-5 * loss + 1e-12);
      expect(nnz).toBeGreaterThan(0);
    },
  );

  test('direct threshold is 1.5 log2(n) on both sides', async () => {
    const k = await wasmKernels();
    for (const n of [1, 2, 4, 8, 1024, 8192, 65536]) expect(k.exports.rugDirectMaxActive(n)).toBe(rugDirectMaxActive(n));
    expect(rugDirectMaxActive(8192)).toBe(19);
  });
});
