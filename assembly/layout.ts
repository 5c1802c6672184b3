// Layout moves for tied weights: W_out = W_in^T means woutT (hiddenStride x featureStride) is W_in and
// the encoder's winT (nFeatures x hiddenStride) is its transpose.

/** dst[c * dstStride + r] = src[r * srcStride + c] (or += when accumulate), r < rows, c < cols; f32. */
export function transposeInto(
  srcPtr: usize, rows: i32, cols: i32, srcStride: i32, dstPtr: usize, dstStride: i32, accumulate: bool,
): void {
  for (let r = 0; r < rows; r++) {
    const s = srcPtr + (<usize>r * <usize>srcStride << 2);
    for (let c = 0; c < cols; c++) {
      const d = dstPtr + (<usize>c * <usize>dstStride + <usize>r << 2);
      const v = load<f32>(s + (<usize>c << 2));
      store<f32>(d, accumulate ? load<f32>(d) + v : v);
    }
  }
}
