// What the sparse kernels share: a weighted sum of selected rows of a row-major matrix, and re-listing a
// sparse batch by column.

/**
 * out[k0 .. k1) = sum over e in [e0, e1) of values[e] * matrix[indices[e] * rowBytes + k0 ..] (f32; byte offsets
 * k0 < k1 <= rowBytes, multiples of 16); with `accumulate` the sum starts from out's values instead of 0, which
 * continues a sum over earlier entries with exactly the roundings of one long sum. 24 columns at a time accumulate in 6 registers (then 8, then 4 for the
 * rest), so out is written once and never read; each output sums its terms in e order whatever the width, so the
 * result does not depend on k0, k1 or the block size. Callers that gather many rows per output loop over column
 * blocks of GATHER_BLOCK_BYTES, so a block of the matrix stays in L2.
 * Why 6: each accumulator is a chain of dependent adds (one per nonzero), so the add latency, not the
 * arithmetic, bounds a narrow gather; more chains hide it. V8 has 15 usable xmm registers and hoists a
 * nonzero's row loads above its arithmetic, so 6 accumulators + 6 loaded vectors + the splat fit, while 8 spill
 * an accumulator to the stack (seen in `node --print-wasm-code`). Measured at the notebook shape, early phase
 * (44% of dPre nonzero, one shard of 512, the gathers alone): the decoder's two gathers 1.00 + 1.07 ms with 4
 * accumulators, 0.85 + 0.89 with 6, 1.35 + 1.40 with 8; inside the whole backward pass of a training step the
 * gain is smaller (2.3-2.4 -> 2.2-2.25 ms a shard): the CSR/CSC passes and cache misses take their share.
 * indices i32[], values f32[].
 */
// @ts-ignore: decorator
@inline export function gatherColumns(
  out: usize, matrixPtr: usize, rowBytes: usize, indicesPtr: usize, valuesPtr: usize, e0: i32, e1: i32, k0: usize, k1: usize,
  accumulate: bool,
): void {
  const zero = f32x4.splat(0);
  let k: usize = k0;
  for (; k + 96 <= k1; k += 96) {
    let a0 = zero, a1 = zero, a2 = zero, a3 = zero, a4 = zero, a5 = zero;
    if (accumulate) {
      const o = out + k;
      a0 = v128.load(o); a1 = v128.load(o, 16); a2 = v128.load(o, 32); a3 = v128.load(o, 48); a4 = v128.load(o, 64); a5 = v128.load(o, 80);
    }
    const base = matrixPtr + k;
    for (let e = e0; e < e1; e++) {
      const x = v128.load32_splat(valuesPtr + (<usize>e << 2));
      const w = base + <usize>load<i32>(indicesPtr + (<usize>e << 2)) * rowBytes;
      a0 = f32x4.add(a0, f32x4.mul(x, v128.load(w))); a1 = f32x4.add(a1, f32x4.mul(x, v128.load(w, 16)));
      a2 = f32x4.add(a2, f32x4.mul(x, v128.load(w, 32))); a3 = f32x4.add(a3, f32x4.mul(x, v128.load(w, 48)));
      a4 = f32x4.add(a4, f32x4.mul(x, v128.load(w, 64))); a5 = f32x4.add(a5, f32x4.mul(x, v128.load(w, 80)));
    }
    const o = out + k;
    v128.store(o, a0); v128.store(o, a1, 16); v128.store(o, a2, 32); v128.store(o, a3, 48);
    v128.store(o, a4, 64); v128.store(o, a5, 80);
  }
  for (; k + 32 <= k1; k += 32) {
    let a0 = zero, a1 = zero;
    if (accumulate) { a0 = v128.load(out + k); a1 = v128.load(out + k, 16); }
    const base = matrixPtr + k;
    for (let e = e0; e < e1; e++) {
      const x = v128.load32_splat(valuesPtr + (<usize>e << 2));
      const w = base + <usize>load<i32>(indicesPtr + (<usize>e << 2)) * rowBytes;
      a0 = f32x4.add(a0, f32x4.mul(x, v128.load(w))); a1 = f32x4.add(a1, f32x4.mul(x, v128.load(w, 16)));
    }
    const o = out + k;
    v128.store(o, a0); v128.store(o, a1, 16);
  }
  for (; k < k1; k += 16) {
    let a0 = accumulate ? v128.load(out + k) : zero;
    for (let e = e0; e < e1; e++) {
      const x = v128.load32_splat(valuesPtr + (<usize>e << 2));
      a0 = f32x4.add(a0, f32x4.mul(x, v128.load(matrixPtr + <usize>load<i32>(indicesPtr + (<usize>e << 2)) * rowBytes + k)));
    }
    v128.store(out + k, a0);
  }
}

/**
 * Column block width (bytes) for gathers over many rows: 96 floats (four passes of 6 accumulators), so a block of
 * an n x m matrix's rows is n * 384 bytes (768 KB at n = 2048) and stays in L2 while every output row gathers from it.
 */
// @ts-ignore: decorator
@inline export const GATHER_BLOCK_BYTES: usize = 384;

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
