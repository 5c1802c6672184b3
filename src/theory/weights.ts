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
 * W = W_out W_in on the grid i = firstRow + r step (r < rowCount), j = firstColumn + c step (c < columnCount) into
 * `out` (row-major rowCount x columnCount): W_ij = sum_k W_out[i, k] W_in[k, j], summed in f64 over k in order
 * (as a row of axpys, reading W_in row by row). Step 1 gives a block; a grid point outside the n x n matrix is NaN
 * (a view that overhangs the matrix). Returns `out`.
 */
export function weightBlock<T extends Float64Array | Float32Array>(
  w: WeightFactors, firstRow: number, rowCount: number, firstColumn: number, columnCount: number, out: T, step = 1,
): T {
  const { nFeatures: n, nHidden: m, win, wout } = w;
  // columns c in [cLo, cHi) fall inside [0, n)
  const cLo = Math.min(columnCount, Math.max(0, Math.ceil(-firstColumn / step)));
  const cHi = Math.max(cLo, Math.min(columnCount, Math.ceil((n - firstColumn) / step)));
  const row = new Float64Array(columnCount);
  for (let r = 0; r < rowCount; r++) {
    const i = firstRow + r * step;
    if (i < 0 || i >= n) {
      out.fill(NaN, r * columnCount, (r + 1) * columnCount);
      continue;
    }
    row.fill(0, cLo, cHi);
    for (let k = 0; k < m; k++) {
      const coefficient = wout[i * m + k];
      const offset = k * n + firstColumn;
      for (let c = cLo; c < cHi; c++) row[c] += coefficient * win[offset + c * step];
    }
    row.fill(NaN, 0, cLo);
    row.fill(NaN, cHi);
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

/**
 * Entries of W for its histograms: the off-diagonal entries of min(n, rows) evenly spread rows (i = floor(k n / rows),
 * row by row, j ascending) and the n diagonal entries.
 */
export function weightSamples(w: WeightFactors, rows = 64): { diagonal: Float64Array; offDiagonal: Float64Array } {
  const n = w.nFeatures;
  const picked = Math.min(n, rows);
  const offDiagonal = new Float64Array(picked * (n - 1));
  const row = new Float64Array(n);
  let o = 0;
  for (let k = 0; k < picked; k++) {
    const i = Math.floor((k * n) / picked);
    weightRow(w, i, row);
    for (let j = 0; j < n; j++) if (j !== i) offDiagonal[o++] = row[j];
  }
  return { diagonal: weightDiagonal(w), offDiagonal };
}
