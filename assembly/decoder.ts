// Decoder: pre = W_out h + b, y = act(pre), loss and output gradient (fused); then the W_out, bias
// and hidden gradients in one pass over the nonzero output gradients.
//
// Layout (strides multiples of 8 for features, 4 for hidden; padding is 0 and stays 0):
//   hidden, dHidden f32[batch * hiddenStride]; woutT f32[hiddenStride * featureStride] (row k =
//   column k of W_out, for the forward GEMM); wout, gradWout f32[nFeatures * hiddenStride] (row i =
//   row i of W_out, for the backward pass); bias, importance f32[featureStride] (importance 0 on
//   padding); target, dPre f32[batch * featureStride]; featureLoss f64[featureStride] or 0.
// Loss: returns sum over b, i of I_i (y - x)^2 (the host divides by batch * nFeatures).
// Gradient: dPre = gradScale * I_i * (y - x) * act'(pre), gradScale = 2 / (batch * nFeatures).
import { ACTIVATION_RELU, ACTIVATION_IDENTITY, ACTIVATION_LEAKY_RELU, activationValue, activationDerivative } from "./activation";

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

/** Forward + loss + dPre for the whole batch; 4 x 8 register tiles (4 samples x 8 outputs) over k. */
export function decoderForward(
  batch: i32, nHidden: i32, hiddenStride: i32, featureStride: i32,
  hiddenPtr: usize, woutTPtr: usize, biasPtr: usize, targetPtr: usize, importancePtr: usize,
  activation: i32, slope: f32, gradScale: f32, dPrePtr: usize, featureLossPtr: usize,
): f64 {
  let loss: f64 = 0;
  const hRow = <usize>hiddenStride << 2;
  const wRow = <usize>featureStride << 2;
  let b = 0;
  for (; b + 4 <= batch; b += 4) {
    const h0 = hiddenPtr + <usize>b * hRow;
    const h1 = h0 + hRow, h2 = h1 + hRow, h3 = h2 + hRow;
    for (let i = 0; i < featureStride; i += 8) {
      const bi = biasPtr + (<usize>i << 2);
      let a00 = v128.load(bi), a01 = v128.load(bi, 16);
      let a10 = a00, a11 = a01, a20 = a00, a21 = a01, a30 = a00, a31 = a01;
      let w = woutTPtr + (<usize>i << 2);
      for (let k: usize = 0; k < <usize>nHidden; k++, w += wRow) {
        const w0 = v128.load(w), w1 = v128.load(w, 16);
        const k4 = k << 2;
        let s = v128.load32_splat(h0 + k4);
        a00 = f32x4.add(a00, f32x4.mul(s, w0)); a01 = f32x4.add(a01, f32x4.mul(s, w1));
        s = v128.load32_splat(h1 + k4);
        a10 = f32x4.add(a10, f32x4.mul(s, w0)); a11 = f32x4.add(a11, f32x4.mul(s, w1));
        s = v128.load32_splat(h2 + k4);
        a20 = f32x4.add(a20, f32x4.mul(s, w0)); a21 = f32x4.add(a21, f32x4.mul(s, w1));
        s = v128.load32_splat(h3 + k4);
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
    for (let i = 0; i < featureStride; i += 8) {
      const bi = biasPtr + (<usize>i << 2);
      let a00 = v128.load(bi), a01 = v128.load(bi, 16);
      let w = woutTPtr + (<usize>i << 2);
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
  return loss;
}

/**
 * Backward through the decoder, skipping zero output gradients (inactive ReLU with zero target, padding):
 *   gradWout[i, :] = sum_b dPre[b, i] hidden[b, :];  gradBias[i] = sum_b dPre[b, i];
 *   dHidden[b, :] = sum_i dPre[b, i] wout[i, :]  (only when computeHidden).
 * gradWout and gradBias are overwritten. Cost O(batch featureStride / 4 + nnz(dPre) hiddenStride / 2) vector ops.
 */
export function decoderBackward(
  batch: i32, nFeatures: i32, hiddenStride: i32, featureStride: i32, hiddenPtr: usize, woutPtr: usize, dPrePtr: usize,
  gradWoutPtr: usize, gradBiasPtr: usize, dHiddenPtr: usize, computeHidden: bool,
): void {
  const hRow = <usize>hiddenStride << 2;
  const dRow = <usize>featureStride << 2;
  memory.fill(gradWoutPtr, 0, <usize>nFeatures * hRow);
  memory.fill(gradBiasPtr, 0, dRow);
  const zero = f32x4.splat(0);
  for (let b = 0; b < batch; b++) {
    const h = hiddenPtr + <usize>b * hRow;
    const dh = dHiddenPtr + <usize>b * hRow;
    if (computeHidden) memory.fill(dh, 0, hRow);
    const dRowPtr = dPrePtr + <usize>b * dRow;
    for (let i = 0; i < featureStride; i += 4) {
      const v = v128.load(dRowPtr + (<usize>i << 2));
      let bits = i32x4.bitmask(f32x4.ne(v, zero));
      while (bits != 0) {
        const l = ctz(bits);
        bits &= bits - 1;
        const feature = i + l;
        const d = load<f32>(dRowPtr + (<usize>feature << 2));
        const gb = gradBiasPtr + (<usize>feature << 2);
        store<f32>(gb, load<f32>(gb) + d);
        const ds = f32x4.splat(d);
        const g = gradWoutPtr + <usize>feature * hRow;
        const w = woutPtr + <usize>feature * hRow;
        if (computeHidden) {
          for (let k: usize = 0; k < hRow; k += 16) {
            v128.store(g + k, f32x4.add(v128.load(g + k), f32x4.mul(ds, v128.load(h + k))));
            v128.store(dh + k, f32x4.add(v128.load(dh + k), f32x4.mul(ds, v128.load(w + k))));
          }
        } else {
          for (let k: usize = 0; k < hRow; k += 16) {
            v128.store(g + k, f32x4.add(v128.load(g + k), f32x4.mul(ds, v128.load(h + k))));
          }
        }
      }
    }
  }
}
