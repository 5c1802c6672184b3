// Specs of assembly/statistics.ts against scalar f64 loops on odd shapes (remainder rows, two k blocks).
import { weightRows, WEIGHT_ROW_STATS } from "../statistics";

function ptr<T>(a: T): usize {
  // @ts-ignore: dataStart exists on typed arrays
  return a.dataStart;
}

/** Checks rows firstRow .. firstRow + rowCount - 1 of W = W_out W_in (n features, m hidden) against scalar sums. */
function check(n: i32, m: i32, hiddenStride: i32, firstRow: i32, rowCount: i32): void {
  const fs = (n + 7) & ~7;
  const wout = new Float32Array(n * hiddenStride), win = new Float32Array(m * fs);
  for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) wout[i * hiddenStride + k] = <f32>(((i * 7 + k * 3) % 11) - 5) * 0.0625;
  for (let k = 0; k < m; k++) for (let j = 0; j < n; j++) win[k * fs + j] = <f32>(((k * 5 + j * 2) % 9) - 4) * 0.125;
  const out = new Float32Array(rowCount * fs), stats = new Float64Array(rowCount * WEIGHT_ROW_STATS);
  stats.fill(3);
  weightRows(firstRow, rowCount, m, hiddenStride, fs, ptr(wout), ptr(win), ptr(out), ptr(stats));
  for (let r = 0; r < rowCount; r++) {
    const i = firstRow + r;
    let s1: f64 = 0, s2: f64 = 0, s3a: f64 = 0, s3: f64 = 0, s4: f64 = 0, diagonal: f64 = 0, scale: f64 = 0;
    for (let j = 0; j < n; j++) {
      let w: f64 = 0;
      for (let k = 0; k < m; k++) w += <f64>wout[i * hiddenStride + k] * <f64>win[k * fs + j];
      expect<f64>(Math.abs(<f64>out[r * fs + j] - w)).toBeLessThan(1e-5);
      scale = Math.max(scale, Math.abs(w));
      if (j == i) { diagonal = w; continue; }
      s1 += w; s2 += w * w; s3a += w * w * Math.abs(w); s3 += w * w * w; s4 += w * w * w * w;
    }
    for (let j = n; j < fs; j++) expect<f32>(out[r * fs + j]).toBe(0);
    const s = r * WEIGHT_ROW_STATS;
    const tolerance = 1e-5 * <f64>n * Math.max(1, scale * scale * scale * scale);
    expect<f64>(Math.abs(stats[s] - diagonal)).toBeLessThan(1e-5);
    expect<f64>(Math.abs(stats[s + 1] - s1)).toBeLessThan(tolerance);
    expect<f64>(Math.abs(stats[s + 2] - s2)).toBeLessThan(tolerance);
    expect<f64>(Math.abs(stats[s + 3] - s3a)).toBeLessThan(tolerance);
    expect<f64>(Math.abs(stats[s + 4] - s3)).toBeLessThan(tolerance);
    expect<f64>(Math.abs(stats[s + 5] - s4)).toBeLessThan(tolerance);
    for (let q = 6; q < WEIGHT_ROW_STATS; q++) expect<f64>(stats[s + q]).toBe(0);
  }
}

describe("weightRows", () => {
  it("matches scalar sums: 4-row strips and remainder rows", () => {
    check(13, 5, 5, 0, 13);
    check(13, 5, 7, 6, 7);
  });
  it("matches scalar sums across k blocks (m > 256)", () => {
    check(21, 259, 261, 2, 9);
  });
  it("leaves the diagonal out of the sums", () => {
    // W_out = I, W_in = 3 I: W = 3 I.
    const n = 6, fs = 8;
    const wout = new Float32Array(n * n), win = new Float32Array(n * fs);
    for (let i = 0; i < n; i++) { wout[i * n + i] = 1; win[i * fs + i] = 3; }
    const out = new Float32Array(n * fs), stats = new Float64Array(n * WEIGHT_ROW_STATS);
    weightRows(0, n, n, n, fs, ptr(wout), ptr(win), ptr(out), ptr(stats));
    for (let i = 0; i < n; i++) {
      expect<f64>(stats[i * WEIGHT_ROW_STATS]).toBe(3);
      for (let q = 1; q < 6; q++) expect<f64>(stats[i * WEIGHT_ROW_STATS + q]).toBe(0);
    }
  });
});
