// Plain-TS twin of assembly/hadamard.ts: fast Walsh-Hadamard transform and the Persian-rug product W x = H diag(d) H x.
//
// Same names, arguments and butterfly order as the kernels; on Float32Array every add/sub rounds once to
// f32 as in wasm, so walshHadamardTransform and rugProject are bit-identical to the kernels. On
// Float64Array the same code is an f64 transform (used for the exact rug matrix).

type FloatArray = Float32Array | Float64Array;

/** In place x[offset .. offset + n) <- H x, H_kj = (-1)^popcount(k & j); n a power of two (n = 1: identity). */
export function walshHadamardTransform(data: FloatArray, n: number, offset = 0): void {
  if (n < 2) return;
  if (n >= 4) {
    // Stages 1 and 2 inside each group of four, in the kernel's lane order.
    for (let q = offset; q < offset + n; q += 4) {
      const a = data[q], b = data[q + 1], c = data[q + 2], d = data[q + 3];
      if (data instanceof Float32Array) {
        const t0 = Math.fround(a + b), t1 = Math.fround(a - b), t2 = Math.fround(c + d), t3 = Math.fround(c - d);
        data[q] = t0 + t2; data[q + 1] = t1 + t3; data[q + 2] = t0 - t2; data[q + 3] = t1 - t3;
      } else {
        const t0 = a + b, t1 = a - b, t2 = c + d, t3 = c - d;
        data[q] = t0 + t2; data[q + 1] = t1 + t3; data[q + 2] = t0 - t2; data[q + 3] = t1 - t3;
      }
    }
  }
  for (let h = n >= 4 ? 4 : 1; h < n; h <<= 1) {
    for (let block = offset; block < offset + n; block += 2 * h) {
      for (let j = block; j < block + h; j++) {
        const x = data[j], y = data[j + h];
        data[j] = x + y;
        data[j + h] = x - y;
      }
    }
  }
}

/** walshHadamardTransform on `batch` rows of n values, row b at offset b * stride. */
export function walshHadamardTransformBatch(data: FloatArray, n: number, batch: number, stride: number): void {
  for (let b = 0; b < batch; b++) walshHadamardTransform(data, n, b * stride);
}

/** Largest active count for which rugProject uses the direct dyadic sum: floor(3 log2(n) / 2) for n >= 4, else -1. */
export function rugDirectMaxActive(n: number): number {
  return n < 4 ? -1 : Math.floor((3 * Math.round(Math.log2(n))) / 2);
}

/**
 * out_b = H diag(scale) H x_b (= W x_b for the rug, scale_k = [k in S] / m); kernel = H scale, so that
 * (W x)_i = sum over active j of x_j kernel[i ^ j]. Dense x rows at b * stride, CSR lists as written by
 * sampleBatch, out rows at b * outStride. Per sample the same path as the kernel (direct sum for
 * nnz <= rugDirectMaxActive(n), else two transforms).
 */
export function rugProject(
  batch: number, n: number, stride: number, dense: Float32Array, offsets: Int32Array, indices: Int32Array, values: Float32Array,
  scale: Float32Array, kernel: Float32Array, out: Float32Array, outStride: number,
): void {
  const directMax = rugDirectMaxActive(n);
  for (let b = 0; b < batch; b++) {
    const o = b * outStride;
    if (offsets[b + 1] - offsets[b] <= directMax) {
      out.fill(0, o, o + n);
      for (let e = offsets[b]; e < offsets[b + 1]; e++) {
        const j = indices[e], x = values[e];
        for (let i = 0; i < n; i++) out[o + i] = out[o + i] + Math.fround(x * kernel[i ^ j]);
      }
      continue;
    }
    out.set(dense.subarray(b * stride, b * stride + n), o);
    walshHadamardTransform(out, n, o);
    for (let k = 0; k < n; k++) out[o + k] = out[o + k] * scale[k];
    walshHadamardTransform(out, n, o);
  }
}

/**
 * Per sample b, y = ReLU(A (h + mu)) (f32): out[3b] = sum (y - x)^2, out[3b + 1] = sum [y > 0] (y - x)(h + mu),
 * out[3b + 2] = sum [y > 0] (y - x); f64 products and sums in index order.
 */
export function rugLoss(
  batch: number, n: number, stride: number, dense: Float32Array, proj: Float32Array, projStride: number,
  scale: number, shift: number, out: Float64Array,
): void {
  const a = Math.fround(scale), m = Math.fround(shift);
  for (let b = 0; b < batch; b++) {
    let loss = 0, gradScale = 0, gradShift = 0;
    for (let i = 0; i < n; i++) {
      const hs = Math.fround(proj[b * projStride + i] + m);
      const y = Math.max(Math.fround(a * hs), 0);
      const d = Math.fround(y - dense[b * stride + i]);
      loss += d * d;
      if (y > 0) {
        gradScale += d * hs;
        gradShift += d;
      }
    }
    out[3 * b] = loss;
    out[3 * b + 1] = gradScale;
    out[3 * b + 2] = gradShift;
  }
}
