// The sparse product every sparse kernel shares: a weighted sum of selected rows of a row-major matrix.

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
