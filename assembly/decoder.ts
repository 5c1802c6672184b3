// Decoder: pre = W_out h + b, y = act(pre), loss and output gradient (fused); then the W_out, bias
// and hidden gradients in one pass over the nonzero output gradients.
//
// Layout (strides multiples of 8 for features, 4 for hidden; padding is 0 and stays 0):
//   hidden, dHidden f32[batch * hiddenStride]; woutPanels f32[hiddenStride * featureStride] (W_out in
//   the column panels of layout.ts, for the forward GEMM); wout, gradWout f32[nFeatures * hiddenStride] (row i =
//   row i of W_out, for the backward pass); bias, importance f32[featureStride] (importance 0 on
//   padding); target, dPre f32[batch * featureStride]; featureLoss f64[featureStride] or 0.
// Loss: returns sum over b, i of I_i (y - x)^2 (the host divides by batch * nFeatures).
// Gradient: dPre = gradScale * I_i * (y - x) * act'(pre), gradScale = 2 / (batch * nFeatures).
import { gatherColumns, GATHER_BLOCK_BYTES, listByColumn } from "./gather";
import { ACTIVATION_RELU, ACTIVATION_IDENTITY, ACTIVATION_LEAKY_RELU, activationValue, activationDerivative } from "./activation";

/** COMPACT + 16 mask: byte swizzle that moves the 32-bit lanes set in `mask` (4 bits) to the front, in order. */
const COMPACT: usize = memory.data<u8>([
  0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,   0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,
  4, 5, 6, 7, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,   0, 1, 2, 3, 4, 5, 6, 7, 0, 1, 2, 3, 0, 1, 2, 3,
  8, 9, 10, 11, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,   0, 1, 2, 3, 8, 9, 10, 11, 0, 1, 2, 3, 0, 1, 2, 3,
  4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 0, 1, 2, 3,   0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0, 1, 2, 3,
  12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3,   0, 1, 2, 3, 12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3,
  4, 5, 6, 7, 12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3,   0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15, 0, 1, 2, 3,
  8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3, 0, 1, 2, 3,   0, 1, 2, 3, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3,
  4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1, 2, 3,   0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
], 16);

// @ts-ignore: decorator
@inline function lane(v: v128, l: i32): f32 {
  return l == 0 ? f32x4.extract_lane(v, 0) : l == 1 ? f32x4.extract_lane(v, 1) : l == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
}

/** Finishes four outputs (row b, columns i..i+3) from their pre-activations; returns I (y - x)^2 per lane. */
// @ts-ignore: decorator
@inline function finishOutputs(
  pre: v128, b: i32, i: i32, featureStride: i32, biasPtr: usize, targetPtr: usize, importancePtr: usize,
  activation: i32, slope: f32, gradScale: f32, dPrePtr: usize, featureLossPtr: usize,
): v128 {
  const o = (<usize>b * <usize>featureStride + <usize>i) << 2;
  const x = v128.load(targetPtr + o);
  const weight = v128.load(importancePtr + (<usize>i << 2));
  let diff: v128, derivative: v128;
  if (activation == ACTIVATION_RELU) {
    const positive = f32x4.gt(pre, f32x4.splat(0));
    diff = f32x4.sub(v128.and(pre, positive), x);
    derivative = v128.and(f32x4.splat(1), positive);
  } else if (activation == ACTIVATION_IDENTITY) {
    diff = f32x4.sub(pre, x);
    derivative = f32x4.splat(1);
  } else if (activation == ACTIVATION_LEAKY_RELU) {
    const positive = f32x4.gt(pre, f32x4.splat(0));
    const s = v128.bitselect(f32x4.splat(1), f32x4.splat(slope), positive);
    diff = f32x4.sub(f32x4.mul(pre, s), x);
    derivative = s;
  } else {
    diff = f32x4.splat(0);
    derivative = f32x4.splat(0);
    for (let l = 0; l < 4; l++) {
      const p = <f64>lane(pre, l);
      const y = <f32>activationValue(activation, p, slope);
      const d = y - lane(x, l);
      const g = <f32>activationDerivative(activation, p, slope);
      if (l == 0) { diff = f32x4.replace_lane(diff, 0, d); derivative = f32x4.replace_lane(derivative, 0, g); }
      else if (l == 1) { diff = f32x4.replace_lane(diff, 1, d); derivative = f32x4.replace_lane(derivative, 1, g); }
      else if (l == 2) { diff = f32x4.replace_lane(diff, 2, d); derivative = f32x4.replace_lane(derivative, 2, g); }
      else { diff = f32x4.replace_lane(diff, 3, d); derivative = f32x4.replace_lane(derivative, 3, g); }
    }
  }
  const weighted = f32x4.mul(weight, diff);
  v128.store(dPrePtr + o, f32x4.mul(f32x4.mul(f32x4.splat(gradScale), weighted), derivative));
  if (featureLossPtr != 0) {
    const sq = f32x4.mul(diff, diff);
    const fl = featureLossPtr + (<usize>i << 3);
    store<f64>(fl, load<f64>(fl) + <f64>f32x4.extract_lane(sq, 0));
    store<f64>(fl, load<f64>(fl, 8) + <f64>f32x4.extract_lane(sq, 1), 8);
    store<f64>(fl, load<f64>(fl, 16) + <f64>f32x4.extract_lane(sq, 2), 16);
    store<f64>(fl, load<f64>(fl, 24) + <f64>f32x4.extract_lane(sq, 3), 24);
  }
  return f32x4.mul(weighted, diff);
}

// @ts-ignore: decorator
@inline function sum4(v: v128): f64 {
  return <f64>f32x4.extract_lane(v, 0) + <f64>f32x4.extract_lane(v, 1) + <f64>f32x4.extract_lane(v, 2) + <f64>f32x4.extract_lane(v, 3);
}

/** Horizontal sums of four vectors, packed: (sum a, sum b, sum c, sum d) in f32. */
// @ts-ignore: decorator
@inline function pack4(a: v128, b: v128, c: v128, d: v128): v128 {
  let r = f32x4.splat(<f32>sum4(a));
  r = f32x4.replace_lane(r, 1, <f32>sum4(b));
  r = f32x4.replace_lane(r, 2, <f32>sum4(c));
  return f32x4.replace_lane(r, 3, <f32>sum4(d));
}

/** Bytes of scratch decoderForward needs: hidden re-laid for the GEMM, 4 samples interleaved per row of k. */
export function decoderForwardScratchBytes(batch: i32, hiddenStride: i32): usize {
  return <usize>(batch & ~3) * <usize>hiddenStride << 2;
}

/**
 * Forward + loss + dPre for the whole batch; 4 x 8 register tiles (4 samples x 8 outputs) over k, one
 * column panel at a time (panelWidth about 48K / nHidden floats, so a panel stays in L2 while every sample
 * passes over it). Each group of 4 samples is first re-laid in scratch (decoderForwardScratchBytes) as
 * h[k][4], so the inner loop reads its 4 splats at constant offsets from one pointer: the per-k address
 * arithmetic of 4 separate rows cost more than the multiplies on cores whose vector and integer ALUs share
 * ports (1.45x on a Golden Cove Xeon). Each output sums bias + h_0 w_0 + h_1 w_1 + ... in k order.
 */
export function decoderForward(
  batch: i32, nHidden: i32, hiddenStride: i32, featureStride: i32, panelWidth: i32,
  hiddenPtr: usize, woutPanelsPtr: usize, biasPtr: usize, targetPtr: usize, importancePtr: usize,
  activation: i32, slope: f32, gradScale: f32, dPrePtr: usize, featureLossPtr: usize, scratchPtr: usize,
): f64 {
  let loss: f64 = 0;
  const hRow = <usize>hiddenStride << 2;
  const groups = batch & ~3;
  // hidden rows b..b+3 -> scratch[b * hiddenStride + 4 k + s] (4 x 4 transposes; hiddenStride is a multiple of 4)
  for (let b = 0; b < groups; b += 4) {
    const r0 = hiddenPtr + <usize>b * hRow;
    const out = scratchPtr + <usize>b * hRow;
    for (let k: usize = 0; k < hRow; k += 16) {
      const x0 = v128.load(r0 + k), x1 = v128.load(r0 + hRow + k), x2 = v128.load(r0 + 2 * hRow + k), x3 = v128.load(r0 + 3 * hRow + k);
      const t0 = v128.shuffle<i32>(x0, x1, 0, 4, 1, 5), t1 = v128.shuffle<i32>(x0, x1, 2, 6, 3, 7);
      const t2 = v128.shuffle<i32>(x2, x3, 0, 4, 1, 5), t3 = v128.shuffle<i32>(x2, x3, 2, 6, 3, 7);
      const o = out + (k << 2);
      v128.store(o, v128.shuffle<i64>(t0, t2, 0, 2)); v128.store(o, v128.shuffle<i64>(t0, t2, 1, 3), 16);
      v128.store(o, v128.shuffle<i64>(t1, t3, 0, 2), 32); v128.store(o, v128.shuffle<i64>(t1, t3, 1, 3), 48);
    }
  }
  for (let i0 = 0; i0 < featureStride; i0 += panelWidth) {
    const i1 = min(featureStride, i0 + panelWidth);
    const wRow = <usize>(i1 - i0) << 2;
    const panel = woutPanelsPtr + (<usize>hiddenStride * <usize>i0 << 2);
    let b = 0;
    for (; b < groups; b += 4) {
      const hb = scratchPtr + <usize>b * hRow;
      const hEnd = hb + (<usize>nHidden << 4);
      for (let i = i0; i < i1; i += 8) {
        const bi = biasPtr + (<usize>i << 2);
        let a00 = v128.load(bi), a01 = v128.load(bi, 16);
        let a10 = a00, a11 = a01, a20 = a00, a21 = a01, a30 = a00, a31 = a01;
        let w = panel + (<usize>(i - i0) << 2);
        for (let h = hb; h < hEnd; h += 16, w += wRow) {
          const w0 = v128.load(w), w1 = v128.load(w, 16);
          let s = v128.load32_splat(h);
          a00 = f32x4.add(a00, f32x4.mul(s, w0)); a01 = f32x4.add(a01, f32x4.mul(s, w1));
          s = v128.load32_splat(h, 4);
          a10 = f32x4.add(a10, f32x4.mul(s, w0)); a11 = f32x4.add(a11, f32x4.mul(s, w1));
          s = v128.load32_splat(h, 8);
          a20 = f32x4.add(a20, f32x4.mul(s, w0)); a21 = f32x4.add(a21, f32x4.mul(s, w1));
          s = v128.load32_splat(h, 12);
          a30 = f32x4.add(a30, f32x4.mul(s, w0)); a31 = f32x4.add(a31, f32x4.mul(s, w1));
        }
        let l = finishOutputs(a00, b, i, featureStride, biasPtr, targetPtr, importancePtr, activation, slope, gradScale, dPrePtr, featureLossPtr);
        l = f32x4.add(l, finishOutputs(a01, b, i + 4, featureStride, biasPtr, targetPtr, importancePtr, activation, slope, gradScale, dPrePtr, featureLossPtr));
        l = f32x4.add(l, finishOutputs(a10, b + 1, i, featureStride, biasPtr, targetPtr, importancePtr, activation, slope, gradScale, dPrePtr, featureLossPtr));
        l = f32x4.add(l, finishOutputs(a11, b + 1, i + 4, featureStride, biasPtr, targetPtr, importancePtr, activation, slope, gradScale, dPrePtr, featureLossPtr));
        l = f32x4.add(l, finishOutputs(a20, b + 2, i, featureStride, biasPtr, targetPtr, importancePtr, activation, slope, gradScale, dPrePtr, featureLossPtr));
        l = f32x4.add(l, finishOutputs(a21, b + 2, i + 4, featureStride, biasPtr, targetPtr, importancePtr, activation, slope, gradScale, dPrePtr, featureLossPtr));
        l = f32x4.add(l, finishOutputs(a30, b + 3, i, featureStride, biasPtr, targetPtr, importancePtr, activation, slope, gradScale, dPrePtr, featureLossPtr));
        l = f32x4.add(l, finishOutputs(a31, b + 3, i + 4, featureStride, biasPtr, targetPtr, importancePtr, activation, slope, gradScale, dPrePtr, featureLossPtr));
        loss += sum4(l);
      }
    }
    for (; b < batch; b++) {
      const h0 = hiddenPtr + <usize>b * hRow;
      for (let i = i0; i < i1; i += 8) {
        const bi = biasPtr + (<usize>i << 2);
        let a00 = v128.load(bi), a01 = v128.load(bi, 16);
        let w = panel + (<usize>(i - i0) << 2);
        for (let k: usize = 0; k < <usize>nHidden; k++, w += wRow) {
          const s = v128.load32_splat(h0 + (k << 2));
          a00 = f32x4.add(a00, f32x4.mul(s, v128.load(w)));
          a01 = f32x4.add(a01, f32x4.mul(s, v128.load(w, 16)));
        }
        let l = finishOutputs(a00, b, i, featureStride, biasPtr, targetPtr, importancePtr, activation, slope, gradScale, dPrePtr, featureLossPtr);
        l = f32x4.add(l, finishOutputs(a01, b, i + 4, featureStride, biasPtr, targetPtr, importancePtr, activation, slope, gradScale, dPrePtr, featureLossPtr));
        loss += sum4(l);
      }
    }
  }
  return loss;
}

/**
 * Features per block of the dHidden gather: each sample's nonzeros are gathered block by block (partial sums
 * continue in dHidden), so the rows of wout it reads, FEATURE_BLOCK x GATHER_BLOCK_BYTES (192 KB), stay in L2
 * with the lists streaming past; one block, i.e. no blocking, up to n = 512. A power of 2, a multiple of 4.
 */
// @ts-ignore: decorator
@inline const FEATURE_BLOCK: i32 = 512;

/** Bytes of scratch decoderBackward needs: CSR and CSC copies of the nonzero dPre entries, counters, block starts. */
export function decoderBackwardScratchBytes(batch: i32, featureStride: i32): usize {
  const cap = <usize>batch * <usize>featureStride;
  const blocks = <usize>((featureStride + FEATURE_BLOCK - 1) / FEATURE_BLOCK);
  return ((<usize>batch + 1) + (<usize>featureStride + 1) + 4 * cap + <usize>batch * (blocks + 1)) << 2;
}

/**
 * Backward through the decoder over the nonzero output gradients only (inactive ReLU with zero target,
 * padding):
 *   gradBias[i] = sum_b dPre[b, i];  gradWout[i, :] = sum_b dPre[b, i] hidden[b, :];
 *   dHidden[b, :] = sum_i dPre[b, i] wout[i, :]  (when computeHidden).
 * The nonzeros are listed by sample (CSR) and by feature (CSC) in scratch (decoderBackwardScratchBytes),
 * so both products are gathers of rows (gather.ts): 24 hidden units accumulate in registers and each output row
 * is written once per feature block (FEATURE_BLOCK). Every sum runs in ascending order of its terms (i for
 * dHidden, b for gradWout and gradBias), whatever the blocking.
 * Cost O(batch featureStride / 4 + nnz(dPre) hiddenStride / 2) vector ops; gradWout, gradBias overwritten.
 */
export function decoderBackward(
  batch: i32, nFeatures: i32, hiddenStride: i32, featureStride: i32, hiddenPtr: usize, woutPtr: usize, dPrePtr: usize,
  gradWoutPtr: usize, gradBiasPtr: usize, dHiddenPtr: usize, computeHidden: bool, scratchPtr: usize,
): void {
  const hRow = <usize>hiddenStride << 2;
  const dRow = <usize>featureStride << 2;
  const cap = <usize>batch * <usize>featureStride;
  const blocks = (featureStride + FEATURE_BLOCK - 1) / FEATURE_BLOCK;
  const rowStart = scratchPtr;                                  // i32[batch + 1]
  const counts = rowStart + ((<usize>batch + 1) << 2);          // i32[featureStride + 1]
  const rowIndex = counts + ((<usize>featureStride + 1) << 2);  // i32[cap]: feature of each nonzero, by sample
  const rowValue = rowIndex + (cap << 2);                       // f32[cap]
  const colSample = rowValue + (cap << 2);                      // i32[cap]: sample of each nonzero, by feature
  const colValue = colSample + (cap << 2);                      // f32[cap]
  const blockStart = colValue + (cap << 2);                     // i32[batch * (blocks + 1)]: CSR position of each feature block
  memory.fill(counts, 0, (<usize>featureStride + 1) << 2);
  memory.fill(gradBiasPtr, 0, dRow);
  const zero = f32x4.splat(0);
  // 1. CSR of dPre, per-feature counts, bias gradient; branch-free: each block of 4 features is compacted
  //    with a swizzle chosen by its nonzero mask (COMPACT) and stored whole; the write position advances by
  //    the popcount, so lanes past it are overwritten by the next block. The position never passes the
  //    block's own position in dPre, so the whole-vector stores stay inside the lists.
  let nnz = 0;
  const lanes = i32x4(0, 1, 2, 3);
  for (let b = 0; b < batch; b++) {
    store<i32>(rowStart + (<usize>b << 2), nnz);
    const row = dPrePtr + <usize>b * dRow;
    const starts = blockStart + (<usize>b * <usize>(blocks + 1) << 2);
    for (let f0 = 0, blk = 0; f0 < featureStride; f0 += FEATURE_BLOCK, blk++) {
      store<i32>(starts + (<usize>blk << 2), nnz);
      const f1 = min(f0 + FEATURE_BLOCK, featureStride);
      for (let i = f0; i < f1; i += 4) {
        const d = v128.load(row + (<usize>i << 2));
        const nonzero = f32x4.ne(d, zero);
        const bits = i32x4.bitmask(nonzero);
        const order = v128.load(COMPACT + (<usize>bits << 4));
        store<v128>(rowIndex + (<usize>nnz << 2), i8x16.swizzle(i32x4.add(lanes, i32x4.splat(i)), order));
        store<v128>(rowValue + (<usize>nnz << 2), i8x16.swizzle(d, order));
        nnz += <i32>popcnt(bits);
        const c = counts + (<usize>(i + 1) << 2);
        v128.store(c, i32x4.sub(v128.load(c), nonzero));
        const gb = gradBiasPtr + (<usize>i << 2);
        v128.store(gb, f32x4.add(v128.load(gb), v128.and(d, nonzero)));
      }
    }
    store<i32>(starts + (<usize>blocks << 2), nnz);
  }
  store<i32>(rowStart + (<usize>batch << 2), nnz);
  // 2. dHidden[b, :] = sum over the sample's nonzeros of d * wout[i, :], in column blocks (GATHER_BLOCK_BYTES) and
  //    feature blocks, so the block of wout stays in L2 across samples (whole rows of a large wout would not);
  //    a sample's sum continues from block to block in dHidden.
  if (computeHidden) {
    for (let k0: usize = 0; k0 < hRow; k0 += GATHER_BLOCK_BYTES) {
      const k1 = min(k0 + GATHER_BLOCK_BYTES, hRow);
      for (let blk = 0; blk < blocks; blk++) {
        for (let b = 0; b < batch; b++) {
          const at = blockStart + ((<usize>b * <usize>(blocks + 1) + <usize>blk) << 2);
          gatherColumns(dHiddenPtr + <usize>b * hRow, woutPtr, hRow, rowIndex, rowValue, load<i32>(at), load<i32>(at, 4), k0, k1, blk > 0);
        }
      }
    }
  }
  // 3. CSC (each column sorted by b); afterwards counts[i] is the end of column i, the start of column i + 1.
  listByColumn(batch, featureStride, rowStart, rowIndex, rowValue, counts, colSample, colValue);
  // 4. gradWout[i, :] = sum over the feature's nonzeros of d * hidden[b, :], in column blocks as in 2.
  for (let k0: usize = 0; k0 < hRow; k0 += GATHER_BLOCK_BYTES) {
    const k1 = min(k0 + GATHER_BLOCK_BYTES, hRow);
    for (let i = 0; i < nFeatures; i++) {
      const c0 = i == 0 ? 0 : load<i32>(counts + (<usize>(i - 1) << 2));
      const c1 = load<i32>(counts + (<usize>i << 2));
      gatherColumns(gradWoutPtr + <usize>i * hRow, hiddenPtr, hRow, colSample, colValue, c0, c1, k0, k1, false);
    }
  }
}
