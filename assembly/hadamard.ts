// Fast Walsh-Hadamard transform (Sylvester order) and the Persian-rug product W x = H diag(d) H x (docs/theory.md §5).
//
// H_kj = (-1)^popcount(k & j), n a power of two; H H = n I. The transform is unnormalized: x <- H x.
// Butterfly stage h (h = 1, 2, 4, ..., n/2) maps (x_j, x_{j+h}) -> (x_j + x_{j+h}, x_j - x_{j+h}) for every j
// with j & h == 0. Stages 1 and 2 act inside one v128 (shuffles); stages h >= 4 pair whole v128s, two stages
// per pass over memory (radix 4), the last one alone when their count is odd. Every
// add/sub is one f32 rounding in the same order as the TS twin (src/reference/hadamard.ts): bit-identical.
// Error: |H x| entries grow by up to sqrt(n) per transform; relative rounding ~ log2(n) 2^-24.

/** Sign vectors of stages 1 and 2 inside one v128 (multiplying by -1 then adding equals subtracting). */
// @ts-ignore: decorator
@inline function firstTwoStages(q: usize): void {
  const v = v128.load(q);
  const even = v128.shuffle<f32>(v, v, 0, 0, 2, 2);
  const odd = v128.shuffle<f32>(v, v, 1, 1, 3, 3);
  const t = f32x4.add(even, f32x4.mul(odd, f32x4(1, -1, 1, -1)));
  const low = v128.shuffle<f32>(t, t, 0, 1, 0, 1);
  const high = v128.shuffle<f32>(t, t, 2, 3, 2, 3);
  v128.store(q, f32x4.add(low, f32x4.mul(high, f32x4(1, 1, -1, -1))));
}

/**
 * In place x <- H x on f32[n] at ptr (16-byte aligned when n >= 4); n a power of two in [1, 65536]
 * (n = 1: identity). O(n log2 n) adds.
 */
export function walshHadamardTransform(ptr: usize, n: i32): void {
  if (n < 2) return;
  if (n == 2) {
    const a = load<f32>(ptr);
    const b = load<f32>(ptr, 4);
    store<f32>(ptr, a + b);
    store<f32>(ptr, a - b, 4);
    return;
  }
  const end = ptr + (<usize>n << 2);
  for (let q = ptr; q < end; q += 16) firstTwoStages(q);
  // Stages h and 2h fused (four v128 per step, same operation order as two separate stages); an odd stage count ends radix-2.
  let h = 4;
  for (; h * 4 <= n; h <<= 2) {
    const quarter = <usize>h << 2;
    for (let block = ptr; block < end; block += quarter << 2) {
      for (let p = block; p < block + quarter; p += 16) {
        const a = v128.load(p);
        const b = v128.load(p + quarter);
        const c = v128.load(p + 2 * quarter);
        const d = v128.load(p + 3 * quarter);
        const ab = f32x4.add(a, b);
        const aMinusB = f32x4.sub(a, b);
        const cd = f32x4.add(c, d);
        const cMinusD = f32x4.sub(c, d);
        v128.store(p, f32x4.add(ab, cd));
        v128.store(p + quarter, f32x4.add(aMinusB, cMinusD));
        v128.store(p + 2 * quarter, f32x4.sub(ab, cd));
        v128.store(p + 3 * quarter, f32x4.sub(aMinusB, cMinusD));
      }
    }
  }
  if (h < n) {
    const half = <usize>h << 2;
    for (let p = ptr; p < ptr + half; p += 16) {
      const x = v128.load(p);
      const y = v128.load(p + half);
      v128.store(p, f32x4.add(x, y));
      v128.store(p + half, f32x4.sub(x, y));
    }
  }
}

/** walshHadamardTransform on `batch` rows of f32[n] at ptr + b * stride * 4 (stride >= n, a multiple of 4 when n >= 4). */
export function walshHadamardTransformBatch(ptr: usize, n: i32, batch: i32, stride: i32): void {
  for (let b = 0; b < batch; b++) walshHadamardTransform(ptr + (<usize>b * <usize>stride << 2), n);
}

/**
 * The largest active count nnz for which rugProject takes the direct path (a dyadic convolution over the
 * active features, n multiply-adds each) instead of two transforms: floor(3 log2(n) / 2) for n >= 4.
 * Measured (release, n = 1024 and 8192): one active feature costs about 1/20 of the transform path
 * (copy, two transforms, mask) at n = 8192, ~1/18 at n = 1024; 1.5 log2(n) sits just below break-even.
 */
export function rugDirectMaxActive(n: i32): i32 {
  return n < 4 ? -1 : (3 * (31 - clz(n))) >> 1;
}

/**
 * out_b = H diag(d) H x_b for `batch` samples: with d_k = [k in S] / m this is W x_b for the rug's
 * W = H_S^T H_S / m. n a power of two in [1, 65536].
 * Dense input x: f32[batch * stride] (row b at b * stride); its CSR twin offsets i32[batch + 1],
 * indices i32[nnz], values f32[nnz] (as written by sampleBatch). scale: f32[n] holding d.
 * kernel: f32[n] holding w = H d, so that (W x)_i = sum over active j of x_j w(i ^ j) (W_ij = w(i ^ j)).
 * out: f32[batch * outStride], outStride >= n and a multiple of 4 when n >= 4.
 * Per sample: nnz <= rugDirectMaxActive(n) -> direct sum in CSR order (one mul and one add rounding per
 * term); otherwise copy, transform, multiply by d, transform.
 */
export function rugProject(
  batch: i32, n: i32, stride: i32, densePtr: usize, offsetsPtr: usize, indicesPtr: usize, valuesPtr: usize,
  scalePtr: usize, kernelPtr: usize, outPtr: usize, outStride: i32,
): void {
  const directMax = rugDirectMaxActive(n);
  const rowBytes = <usize>n << 2;
  for (let b = 0; b < batch; b++) {
    const out = outPtr + (<usize>b * <usize>outStride << 2);
    const first = load<i32>(offsetsPtr + (<usize>b << 2));
    const last = load<i32>(offsetsPtr + (<usize>(b + 1) << 2));
    if (last - first <= directMax) {
      memory.fill(out, 0, rowBytes);
      for (let e = first; e < last; e++) {
        const j = load<i32>(indicesPtr + (<usize>e << 2));
        const x = f32x4.splat(load<f32>(valuesPtr + (<usize>e << 2)));
        const jLow = j & 3;
        const jHigh = <usize>(j & ~3);
        // Lane l of block q needs w((q + l) ^ j) = w((q ^ jHigh) + (l ^ jLow)): one load, one lane permutation.
        if (jLow == 0) {
          for (let q: usize = 0; q < rowBytes; q += 16) {
            const w = v128.load(kernelPtr + (q ^ (jHigh << 2)));
            v128.store(out + q, f32x4.add(v128.load(out + q), f32x4.mul(x, w)));
          }
        } else if (jLow == 1) {
          for (let q: usize = 0; q < rowBytes; q += 16) {
            const w = v128.load(kernelPtr + (q ^ (jHigh << 2)));
            v128.store(out + q, f32x4.add(v128.load(out + q), f32x4.mul(x, v128.shuffle<f32>(w, w, 1, 0, 3, 2))));
          }
        } else if (jLow == 2) {
          for (let q: usize = 0; q < rowBytes; q += 16) {
            const w = v128.load(kernelPtr + (q ^ (jHigh << 2)));
            v128.store(out + q, f32x4.add(v128.load(out + q), f32x4.mul(x, v128.shuffle<f32>(w, w, 2, 3, 0, 1))));
          }
        } else {
          for (let q: usize = 0; q < rowBytes; q += 16) {
            const w = v128.load(kernelPtr + (q ^ (jHigh << 2)));
            v128.store(out + q, f32x4.add(v128.load(out + q), f32x4.mul(x, v128.shuffle<f32>(w, w, 3, 2, 1, 0))));
          }
        }
      }
      continue;
    }
    memory.copy(out, densePtr + (<usize>b * <usize>stride << 2), rowBytes);
    walshHadamardTransform(out, n);
    if (n < 4) {
      for (let k = 0; k < n; k++) store<f32>(out + (<usize>k << 2), load<f32>(out + (<usize>k << 2)) * load<f32>(scalePtr + (<usize>k << 2)));
    } else {
      for (let q: usize = 0; q < rowBytes; q += 16) v128.store(out + q, f32x4.mul(v128.load(out + q), v128.load(scalePtr + q)));
    }
    walshHadamardTransform(out, n);
  }
}

/**
 * Loss and gradient sums of the rug's output y = ReLU(A (h + mu)) against x, per sample:
 * out f64[3 * batch]: out[3b] = sum_i (y_i - x_i)^2, out[3b + 1] = sum_i [y_i > 0] (y_i - x_i)(h_i + mu),
 * out[3b + 2] = sum_i [y_i > 0] (y_i - x_i); so dL/dA = 2 sum out[3b + 1] / (batch n) and
 * dL/dmu = 2 A sum out[3b + 2] / (batch n) for L = sum out[3b] / (batch n).
 * x: f32[batch * stride], h: f32[batch * projStride] (W x from rugProject); n a power of two (n >= 4: SIMD,
 * strides multiples of 4; n < 4: scalar). scale = A, shift = mu. y - x and h + mu are f32 (one rounding per
 * operation); products and sums are f64, summed in two lanes per quantity (the twin sums in index order).
 */
export function rugLoss(
  batch: i32, n: i32, stride: i32, densePtr: usize, projPtr: usize, projStride: i32, scale: f32, shift: f32, outPtr: usize,
): void {
  const a = f32x4.splat(scale);
  const m = f32x4.splat(shift);
  const zero = f32x4.splat(0);
  for (let b = 0; b < batch; b++) {
    const x = densePtr + (<usize>b * <usize>stride << 2);
    const h = projPtr + (<usize>b * <usize>projStride << 2);
    let loss: f64 = 0, gradScale: f64 = 0, gradShift: f64 = 0;
    if (n < 4) {
      for (let i = 0; i < n; i++) {
        const hs = load<f32>(h + (<usize>i << 2)) + shift;
        const y = max<f32>(scale * hs, 0);
        const d = y - load<f32>(x + (<usize>i << 2));
        loss += <f64>d * <f64>d;
        if (y > 0) {
          gradScale += <f64>d * <f64>hs;
          gradShift += <f64>d;
        }
      }
    } else {
      let l2 = f64x2.splat(0), s2 = f64x2.splat(0), t2 = f64x2.splat(0);
      for (let q: usize = 0; q < (<usize>n << 2); q += 16) {
        const hs = f32x4.add(v128.load(h + q), m);
        const pre = f32x4.mul(a, hs);
        const on = f32x4.gt(pre, zero);
        const y = v128.and(pre, on);
        const d = f32x4.sub(y, v128.load(x + q));
        const don = v128.and(d, on);
        const dLow = f64x2.promote_low_f32x4(d);
        const dHigh = f64x2.promote_low_f32x4(v128.shuffle<f32>(d, d, 2, 3, 0, 1));
        const onLow = f64x2.promote_low_f32x4(don);
        const onHigh = f64x2.promote_low_f32x4(v128.shuffle<f32>(don, don, 2, 3, 0, 1));
        const hLow = f64x2.promote_low_f32x4(hs);
        const hHigh = f64x2.promote_low_f32x4(v128.shuffle<f32>(hs, hs, 2, 3, 0, 1));
        l2 = f64x2.add(l2, f64x2.add(f64x2.mul(dLow, dLow), f64x2.mul(dHigh, dHigh)));
        s2 = f64x2.add(s2, f64x2.add(f64x2.mul(onLow, hLow), f64x2.mul(onHigh, hHigh)));
        t2 = f64x2.add(t2, f64x2.add(onLow, onHigh));
      }
      loss = f64x2.extract_lane(l2, 0) + f64x2.extract_lane(l2, 1);
      gradScale = f64x2.extract_lane(s2, 0) + f64x2.extract_lane(s2, 1);
      gradShift = f64x2.extract_lane(t2, 0) + f64x2.extract_lane(t2, 1);
    }
    const o = outPtr + (<usize>b * 24);
    store<f64>(o, loss);
    store<f64>(o, gradScale, 8);
    store<f64>(o, gradShift, 16);
  }
}
