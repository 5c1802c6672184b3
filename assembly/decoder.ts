// Decoder: pre = W_out h + b, y = act(pre), loss and output gradient (fused); then the W_out, bias
// and hidden gradients.
//
// Layout (strides multiples of 8 for features, 4 for hidden; padding is 0 and stays 0):
//   hidden, dHidden f32[batch * hiddenStride]; woutT, gradWoutT f32[hiddenStride * featureStride]
//   (row k = column k of W_out); bias, importance f32[featureStride] (importance 0 on padding);
//   target, dPre f32[batch * featureStride]; featureLoss f64[featureStride] or 0 (not accumulated).
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

/** gradWoutT[k, i] = sum_b hidden[b, k] dPre[b, i]; 4 x 8 tiles (4 hidden units x 8 outputs) over b. */
export function decoderWeightGradient(
  batch: i32, hiddenStride: i32, featureStride: i32, hiddenPtr: usize, dPrePtr: usize, gradWoutTPtr: usize,
): void {
  const hRow = <usize>hiddenStride << 2;
  const dRow = <usize>featureStride << 2;
  for (let i = 0; i < featureStride; i += 8) {
    for (let k = 0; k < hiddenStride; k += 4) {
      let a00 = f32x4.splat(0), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
      let d = dPrePtr + (<usize>i << 2);
      let h = hiddenPtr + (<usize>k << 2);
      for (let b = 0; b < batch; b++, d += dRow, h += hRow) {
        const d0 = v128.load(d), d1 = v128.load(d, 16);
        const hv = v128.load(h);
        let s = f32x4.splat(f32x4.extract_lane(hv, 0));
        a00 = f32x4.add(a00, f32x4.mul(s, d0)); a01 = f32x4.add(a01, f32x4.mul(s, d1));
        s = f32x4.splat(f32x4.extract_lane(hv, 1));
        a10 = f32x4.add(a10, f32x4.mul(s, d0)); a11 = f32x4.add(a11, f32x4.mul(s, d1));
        s = f32x4.splat(f32x4.extract_lane(hv, 2));
        a20 = f32x4.add(a20, f32x4.mul(s, d0)); a21 = f32x4.add(a21, f32x4.mul(s, d1));
        s = f32x4.splat(f32x4.extract_lane(hv, 3));
        a30 = f32x4.add(a30, f32x4.mul(s, d0)); a31 = f32x4.add(a31, f32x4.mul(s, d1));
      }
      const g = gradWoutTPtr + (<usize>k * <usize>featureStride + <usize>i << 2);
      v128.store(g, a00); v128.store(g, a01, 16);
      v128.store(g + dRow, a10); v128.store(g + dRow, a11, 16);
      v128.store(g + 2 * dRow, a20); v128.store(g + 2 * dRow, a21, 16);
      v128.store(g + 3 * dRow, a30); v128.store(g + 3 * dRow, a31, 16);
    }
  }
}

/** gradBias[i] = sum_b dPre[b, i]. */
export function biasGradient(batch: i32, featureStride: i32, dPrePtr: usize, gradBiasPtr: usize): void {
  const dRow = <usize>featureStride << 2;
  for (let i = 0; i < featureStride; i += 4) {
    let a = f32x4.splat(0);
    let d = dPrePtr + (<usize>i << 2);
    for (let b = 0; b < batch; b++, d += dRow) a = f32x4.add(a, v128.load(d));
    v128.store(gradBiasPtr + (<usize>i << 2), a);
  }
}

/** dHidden[b, k] = sum_i woutT[k, i] dPre[b, i]; 2 x 4 tiles (2 samples x 4 hidden units), vectors over i. */
export function decoderHiddenGradient(
  batch: i32, hiddenStride: i32, featureStride: i32, woutTPtr: usize, dPrePtr: usize, dHiddenPtr: usize,
): void {
  const hRow = <usize>hiddenStride << 2;
  const dRow = <usize>featureStride << 2;
  let b = 0;
  for (; b < batch; b += 2) {
    const two = b + 1 < batch;
    const d0p = dPrePtr + <usize>b * dRow;
    const d1p = two ? d0p + dRow : d0p;
    for (let k = 0; k < hiddenStride; k += 4) {
      let a00 = f32x4.splat(0), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
      const w0p = woutTPtr + <usize>k * dRow;
      for (let o: usize = 0; o < dRow; o += 16) {
        const d0 = v128.load(d0p + o), d1 = v128.load(d1p + o);
        let w = v128.load(w0p + o);
        a00 = f32x4.add(a00, f32x4.mul(w, d0)); a10 = f32x4.add(a10, f32x4.mul(w, d1));
        w = v128.load(w0p + dRow + o);
        a01 = f32x4.add(a01, f32x4.mul(w, d0)); a11 = f32x4.add(a11, f32x4.mul(w, d1));
        w = v128.load(w0p + 2 * dRow + o);
        a02 = f32x4.add(a02, f32x4.mul(w, d0)); a12 = f32x4.add(a12, f32x4.mul(w, d1));
        w = v128.load(w0p + 3 * dRow + o);
        a03 = f32x4.add(a03, f32x4.mul(w, d0)); a13 = f32x4.add(a13, f32x4.mul(w, d1));
      }
      const out0 = dHiddenPtr + (<usize>b * <usize>hiddenStride + <usize>k << 2);
      v128.store(out0, pack4(a00, a01, a02, a03));
      if (two) v128.store(out0 + hRow, pack4(a10, a11, a12, a13));
    }
  }
}
