// W = W_out W_in, the one place its entries are formed in plain TS (statistics, histograms, images, the page).
// Weights in PyTorch layouts: W_in [m x n] row-major (encoder.weight), W_out [n x m] row-major (decoder.weight).

/** The shapes and matrices W = W_out W_in is formed from (ModelWeights and ModelStatisticsInput both fit). */
export interface WeightFactors {
  nFeatures: number;
  nHidden: number;
  /** W_in, m x n row-major */
  win: ArrayLike<number>;
  /** W_out, n x m row-major */
  wout: ArrayLike<number>;
}

/**
 * Rows [firstRow, firstRow + rowCount) x columns [firstColumn, firstColumn + columnCount) of W = W_out W_in into
 * `out` (row-major rowCount x columnCount): W_ij = sum_k W_out[i, k] W_in[k, j], summed in f64 over k in order
 * (as a row of axpys, reading W_in row by row). Returns `out`.
 */
export function weightBlock<T extends Float64Array | Float32Array>(
  w: WeightFactors, firstRow: number, rowCount: number, firstColumn: number, columnCount: number, out: T,
): T {
  const { nFeatures: n, nHidden: m, win, wout } = w;
  const row = new Float64Array(columnCount);
  for (let r = 0; r < rowCount; r++) {
    const i = firstRow + r;
    row.fill(0);
    for (let k = 0; k < m; k++) {
      const coefficient = wout[i * m + k];
      const offset = k * n + firstColumn;
      for (let j = 0; j < columnCount; j++) row[j] += coefficient * win[offset + j];
    }
    out.set(row, r * columnCount);
  }
  return out;
}

/** Row i of W into `row` (length n). */
export function weightRow(w: WeightFactors, i: number, row: Float64Array): void {
  weightBlock(w, i, 1, 0, w.nFeatures, row);
}

/** The diagonal W_ii (n entries). */
export function weightDiagonal(w: WeightFactors): Float64Array {
  const diagonal = new Float64Array(w.nFeatures);
  const entry = new Float64Array(1);
  for (let i = 0; i < w.nFeatures; i++) diagonal[i] = weightBlock(w, i, 1, i, 1, entry)[0];
  return diagonal;
}
