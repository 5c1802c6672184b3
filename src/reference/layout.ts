// Plain-TS twin of assembly/layout.ts: strided transpose (tied weights).

export function transposeInto(
  src: Float32Array, rows: number, cols: number, srcStride: number, dst: Float32Array, dstStride: number, accumulate: boolean,
): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const v = src[r * srcStride + c];
      dst[c * dstStride + r] = accumulate ? dst[c * dstStride + r] + v : v;
    }
  }
}
