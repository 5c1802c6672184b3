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

describe("sampleBatch", () => {
  it("fills every feature when p = 1, with values in [0, 1)", () => {
    const n = 7, stride = 8, batch = 3;
    const thr = thresholdsFor(1, n);
    const dense = new Float32Array(batch * stride), offsets = new Int32Array(batch + 1);
    const indices = new Int32Array(batch * n), values = new Float32Array(batch * n), state = new Uint32Array(20);
    const nnz = sampleBatch(1, 2, 0, 0, batch, n, stride, ptr(thr), ptr(dense), ptr(offsets), ptr(indices), ptr(values), ptr(state));
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
    const thr = thresholdsFor(0.1, n);
    const dense = new Float32Array(batch * stride), offsets = new Int32Array(batch + 1);
    const indices = new Int32Array(batch * n), values = new Float32Array(batch * n), state = new Uint32Array(20);
    const nnz = sampleBatch(5, 6, 100, 0, batch, n, stride, ptr(thr), ptr(dense), ptr(offsets), ptr(indices), ptr(values), ptr(state));
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
