// Specs of assembly/sample.ts: dense and CSR batches agree; p = 1 turns every feature on; rates near p.
import { sampleBatch } from "../sample";

function ptr<T>(a: T): usize {
  // @ts-ignore: dataStart exists on typed arrays
  return a.dataStart;
}

// Uniform p: the gap table T_k = floor((1 - p)^k 2^32), then every candidate is kept without a thinning draw.
function thresholdsFor(p: f64, n: i32): Uint32Array {
  const t = new Uint32Array(16 + ((n + 3) & ~3));
  for (let k = 1; k <= 16; k++) t[k - 1] = <u32>Math.min(4294967295.0, Math.floor(Math.pow(1 - p, <f64>k) * 4294967296.0));
  for (let j = 0; j < n; j++) t[16 + j] = 0xffffffff;
  return t;
}

/** A batch drawn by sampleBatch (keys key0, key1, first sample firstLo) into fresh dense and CSR buffers. */
class Batch {
  dense: Float32Array;
  offsets: Int32Array;
  indices: Int32Array;
  values: Float32Array;
  nnz: i32;

  constructor(key0: u32, key1: u32, firstLo: u32, p: f64, n: i32, stride: i32, batch: i32) {
    const thr = thresholdsFor(p, n);
    this.dense = new Float32Array(batch * stride);
    this.offsets = new Int32Array(batch + 1);
    this.indices = new Int32Array(batch * n);
    this.values = new Float32Array(batch * n);
    const state = new Uint32Array(20);
    this.nnz = sampleBatch(key0, key1, firstLo, 0, batch, n, stride, ptr(thr), ptr(this.dense), ptr(this.offsets), ptr(this.indices), ptr(this.values), ptr(state));
  }
}

describe("sampleBatch", () => {
  it("fills every feature when p = 1, with values in [0, 1)", () => {
    const n = 7, stride = 8, batch = 3;
    const drawn = new Batch(1, 2, 0, 1, n, stride, batch);
    const dense = drawn.dense, offsets = drawn.offsets, indices = drawn.indices, values = drawn.values, nnz = drawn.nnz;
    expect<i32>(nnz).toBe(batch * n);
    for (let b = 0; b < batch; b++) {
      expect<i32>(offsets[b]).toBe(b * n);
      expect<f32>(dense[b * stride + 7]).toBe(0); // padding column
      for (let j = 0; j < n; j++) {
        expect<i32>(indices[b * n + j]).toBe(j);
        expect<f32>(values[b * n + j]).toBe(dense[b * stride + j]);
        expect<bool>(values[b * n + j] >= 0 && values[b * n + j] < 1).toBe(true);
      }
    }
  });

  it("activates about a fraction p and the CSR lists match the dense rows", () => {
    const n = 101, stride = 104, batch = 200;
    const drawn = new Batch(5, 6, 100, 0.1, n, stride, batch);
    const dense = drawn.dense, offsets = drawn.offsets, indices = drawn.indices, values = drawn.values, nnz = drawn.nnz;
    // Binomial(20200, 0.1): mean 2020, sd 42.6; allow 5 sd.
    expect<i32>(nnz).toBeGreaterThan(1807);
    expect<i32>(nnz).toBeLessThan(2233);
    let denseCount = 0;
    for (let i = 0; i < batch * stride; i++) if (dense[i] != 0) denseCount++;
    expect<i32>(denseCount).toBe(nnz);
    for (let b = 0; b < batch; b++) {
      for (let e = offsets[b]; e < offsets[b + 1]; e++) expect<f32>(dense[b * stride + indices[e]]).toBe(values[e]);
    }
  });
});
