// What the sparse kernels share: a weighted sum of selected rows of a row-major matrix, and re-listing a
// sparse batch by column.

/**
 * out[k0 .. k1) = sum over e in [e0, e1) of values[e] * matrix[indices[e] * rowBytes + k0 ..] (f32; byte offsets
 * k0 < k1 <= rowBytes, multiples of 16). 16 columns at a time accumulate in 4 registers, so out is written once and
 * never read. Callers that gather many rows per output loop over column blocks of GATHER_BLOCK_BYTES, so a block
 * of the matrix stays in L2.
 * Why 4 and not 8: V8 has 15 usable xmm registers and hoists the row loads above the arithmetic, so 8
 * accumulators + 8 loaded vectors + the splat spill to the stack (measured: 4 accumulators are ~25% faster).
 * indices i32[], values f32[].
 */
// @ts-ignore: decorator
@inline export function gatherColumns(
  out: usize, matrixPtr: usize, rowBytes: usize, indicesPtr: usize, valuesPtr: usize, e0: i32, e1: i32, k0: usize, k1: usize,
): void {
  const zero = f32x4.splat(0);
  let k: usize = k0;
  for (; k + 64 <= k1; k += 64) {
    let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
    const base = matrixPtr + k;
    for (let e = e0; e < e1; e++) {
      const x = v128.load32_splat(valuesPtr + (<usize>e << 2));
      const w = base + <usize>load<i32>(indicesPtr + (<usize>e << 2)) * rowBytes;
      a0 = f32x4.add(a0, f32x4.mul(x, v128.load(w))); a1 = f32x4.add(a1, f32x4.mul(x, v128.load(w, 16)));
      a2 = f32x4.add(a2, f32x4.mul(x, v128.load(w, 32))); a3 = f32x4.add(a3, f32x4.mul(x, v128.load(w, 48)));
    }
    const o = out + k;
    v128.store(o, a0); v128.store(o, a1, 16); v128.store(o, a2, 32); v128.store(o, a3, 48);
  }
  for (; k < k1; k += 16) {
    let a0 = zero;
    for (let e = e0; e < e1; e++) {
      const x = v128.load32_splat(valuesPtr + (<usize>e << 2));
      a0 = f32x4.add(a0, f32x4.mul(x, v128.load(matrixPtr + <usize>load<i32>(indicesPtr + (<usize>e << 2)) * rowBytes + k)));
    }
    v128.store(out + k, a0);
  }
}

/**
 * Column block width (bytes) for gathers over many rows: 64 floats, so a block of an n x m matrix's rows is
 * n * 256 bytes (512 KB at n = 2048) and stays in L2 while every output row gathers from it.
 */
// @ts-ignore: decorator
@inline export const GATHER_BLOCK_BYTES: usize = 256;

/**
 * Re-lists a CSR matrix (rows [0, rows): entries rowStart[r] .. rowStart[r + 1] - 1 of rowIndex (column) and
 * rowValue) by column. On entry counts[c + 1] is the number of entries in column c and counts[0] = 0 (counts
 * i32[columns + 1]); on return counts[c] is the end of column c, i.e. the start of column c + 1, and column c's
 * entries are colRow / colValue [start, end) in row order.
 */
// @ts-ignore: decorator
@inline export function listByColumn(
  rows: i32, columns: i32, rowStartPtr: usize, rowIndexPtr: usize, rowValuePtr: usize,
  countsPtr: usize, colRowPtr: usize, colValuePtr: usize,
): void {
  let running = 0;
  for (let c = 0; c <= columns; c++) {
    const at = countsPtr + (<usize>c << 2);
    running += load<i32>(at);
    store<i32>(at, running);
  }
  for (let r = 0; r < rows; r++) {
    const e1 = load<i32>(rowStartPtr + (<usize>(r + 1) << 2));
    for (let e = load<i32>(rowStartPtr + (<usize>r << 2)); e < e1; e++) {
      const c = countsPtr + (<usize>load<i32>(rowIndexPtr + (<usize>e << 2)) << 2);
      const at = load<i32>(c);
      store<i32>(c, at + 1);
      store<i32>(colRowPtr + (<usize>at << 2), r);
      store<f32>(colValuePtr + (<usize>at << 2), load<f32>(rowValuePtr + (<usize>e << 2)));
    }
  }
}
