// Specs of assembly/hadamard.ts: transform vs the dense Sylvester-Hadamard product, involution, rug product on both paths.
import { walshHadamardTransform, rugProject, rugDirectMaxActive, rugLoss } from "../hadamard";

function ptr<T>(a: T): usize {
  // @ts-ignore: dataStart exists on typed arrays
  return a.dataStart;
}

function entry(k: i32, j: i32): f64 {
  return (popcnt<i32>(k & j) & 1) != 0 ? -1.0 : 1.0;
}

function values(n: i32, seed: i32): Float32Array {
  const x = new Float32Array(n < 4 ? 4 : n);
  let s: u32 = <u32>seed * 2654435761;
  for (let i = 0; i < n; i++) {
    s = s * 1664525 + 1013904223;
    x[i] = <f32>(<f64>(s >>> 8) / 16777216.0 * 2.0 - 1.0);
  }
  return x;
}

describe("walshHadamardTransform", () => {
  it("equals the dense product H x for n = 1 .. 512", () => {
    for (let n = 1; n <= 512; n <<= 1) {
      const x = values(n, n);
      const y = new Float32Array(x.length);
      for (let i = 0; i < x.length; i++) y[i] = x[i];
      walshHadamardTransform(ptr(y), n);
      for (let k = 0; k < n; k++) {
        let sum: f64 = 0;
        for (let j = 0; j < n; j++) sum += entry(k, j) * <f64>x[j];
        expect<f64>(Math.abs(<f64>y[k] - sum)).toBeLessThan(1e-5 * Math.sqrt(<f64>n));
      }
    }
  });

  it("applied twice gives n x exactly on small integers", () => {
    const n = 64;
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = <f32>((i * 7) % 5 - 2);
    const y = new Float32Array(n);
    for (let i = 0; i < n; i++) y[i] = x[i];
    walshHadamardTransform(ptr(y), n);
    walshHadamardTransform(ptr(y), n);
    for (let i = 0; i < n; i++) expect<f32>(y[i]).toBe(<f32>n * x[i]);
  });
});

describe("rugProject", () => {
  it("direct and transform paths both give W x = H diag(d) H x", () => {
    const n = 64;
    const rows: i32[] = [0, 3, 5, 6, 9, 17, 33, 40, 41, 60, 61, 62, 63, 20, 22, 31];
    const m = rows.length;
    const scale = new Float32Array(n);
    for (let r = 0; r < m; r++) scale[rows[r]] = <f32>(1.0 / <f64>m);
    const kernel = new Float32Array(n);
    for (let k = 0; k < n; k++) {
      let sum: f64 = 0;
      for (let r = 0; r < m; r++) sum += entry(rows[r], k);
      kernel[k] = <f32>(sum / <f64>m);
    }
    // Sample 0: 2 active features (direct path); sample 1: every feature active (transforms).
    const batch = 2;
    const dense = new Float32Array(batch * n);
    const offsets = new Int32Array(batch + 1);
    const indices = new Int32Array(batch * n);
    const vals = new Float32Array(batch * n);
    dense[5] = 0.5; dense[42] = 0.25;
    indices[0] = 5; vals[0] = 0.5; indices[1] = 42; vals[1] = 0.25;
    offsets[1] = 2;
    for (let j = 0; j < n; j++) {
      const v = <f32>(<f64>((j * 13) % 17) / 17.0);
      dense[n + j] = v;
      indices[2 + j] = j;
      vals[2 + j] = v;
    }
    offsets[2] = 2 + n;
    expect<bool>(2 <= rugDirectMaxActive(n)).toBe(true);
    expect<bool>(n > rugDirectMaxActive(n)).toBe(true);
    const out = new Float32Array(batch * n);
    rugProject(batch, n, n, ptr(dense), ptr(offsets), ptr(indices), ptr(vals), ptr(scale), ptr(kernel), ptr(out), n);
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < n; i++) {
        let sum: f64 = 0;
        for (let j = 0; j < n; j++) sum += <f64>kernel[i ^ j] * <f64>dense[b * n + j];
        expect<f64>(Math.abs(<f64>out[b * n + i] - sum)).toBeLessThan(1e-5);
      }
    }
    // Diagonal W_ii = w(0) = 1.
    expect<f32>(kernel[0]).toBe(1);
    // rugLoss with A = 1, mu = 0 on sample 0: sum over i of (ReLU(h_i) - x_i)^2.
    const sums = new Float64Array(3 * batch);
    rugLoss(batch, n, n, ptr(dense), ptr(out), n, 1, 0, ptr(sums));
    let loss: f64 = 0;
    for (let i = 0; i < n; i++) {
      const y = Math.max(<f64>out[i], 0);
      loss += (y - <f64>dense[i]) * (y - <f64>dense[i]);
    }
    expect<f64>(Math.abs(sums[0] - loss)).toBeLessThan(1e-6);
  });
});
