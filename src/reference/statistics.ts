// Plain-TS twin of assembly/statistics.ts: rows of W = W_out W_in and their per-row sums in one pass.
// Layout as the kernel: wout [nFeatures x hiddenStride] (row i of W_out), win [nHidden x featureStride]
// (row k of W_in, padding 0), out [rowCount x featureStride] or null, stats [rowCount x WEIGHT_ROW_STATS]:
//   [0] W_ii  [1] sum_{j != i} W_ij  [2] sum W_ij^2  [3] sum |W_ij|^3  [4] sum W_ij^3  [5] sum W_ij^4  [6..15] 0.
// W_ij is summed in f64 over k in order and rounded once to f32 (the kernel sums in f32); the power sums run in f64
// on the f32 entries in both. Results agree within test/tolerance.ts WEIGHT_ROWS. A row is formed as axpys over k
// (row += W_out[i, k] W_in[k, :]): each entry gets the same sums in the same order as a dot product, with W_in read
// row by row.
import { WEIGHT_ROW_STATS } from '../kernelSet.js';

/** Rows firstRow .. firstRow + rowCount - 1 of W into out (if given) and their sums into stats (overwritten). */
export function weightRows(
  firstRow: number, rowCount: number, nHidden: number, hiddenStride: number, featureStride: number,
  wout: Float32Array, win: Float32Array, out: Float32Array | null, stats: Float64Array,
): void {
  stats.fill(0, 0, rowCount * WEIGHT_ROW_STATS);
  const row = new Float64Array(featureStride);
  for (let r = 0; r < rowCount; r++) {
    const i = firstRow + r;
    const s = r * WEIGHT_ROW_STATS;
    row.fill(0);
    for (let k = 0; k < nHidden; k++) {
      const coefficient = wout[i * hiddenStride + k];
      const offset = k * featureStride;
      for (let j = 0; j < featureStride; j++) row[j] += coefficient * win[offset + j];
    }
    for (let j = 0; j < featureStride; j++) {
      const w = Math.fround(row[j]);
      if (out) out[r * featureStride + j] = w;
      if (j === i) {
        stats[s] = w;
        continue;
      }
      const w2 = w * w;
      stats[s + 1] += w;
      stats[s + 2] += w2;
      stats[s + 3] += w2 * Math.abs(w);
      stats[s + 4] += w2 * w;
      stats[s + 5] += w2 * w2;
    }
  }
}
