// Plain-TS twin of assembly/decoder.ts: pre = W_out h + b, y = act(pre), loss, dPre; W_out, bias, hidden gradients.
// Layout as the kernel: woutT [hiddenStride x featureStride] (row k = column k of W_out), padding 0.
// Sums run in f64 here and in f32 in the kernel; results agree within test/tolerance.ts.
import { activationValue, activationDerivative } from './activation.js';

/** Returns sum_{b,i} I_i (y - x)^2; writes dPre = gradScale I_i (y - x) act'(pre); adds (y - x)^2 to featureLoss if given. */
export function decoderForward(
  batch: number, nHidden: number, hiddenStride: number, featureStride: number,
  hidden: Float32Array, woutT: Float32Array, bias: Float32Array, target: Float32Array, importance: Float32Array,
  activation: number, slope: number, gradScale: number, dPre: Float32Array, featureLoss: Float64Array | null,
): number {
  let loss = 0;
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < featureStride; i++) {
      let pre = bias[i];
      for (let k = 0; k < nHidden; k++) pre += woutT[k * featureStride + i] * hidden[b * hiddenStride + k];
      pre = Math.fround(pre);
      const y = Math.fround(activationValue(activation, pre, slope));
      const diff = y - target[b * featureStride + i];
      loss += importance[i] * diff * diff;
      dPre[b * featureStride + i] = gradScale * importance[i] * diff * activationDerivative(activation, pre, slope);
      if (featureLoss) featureLoss[i] += diff * diff;
    }
  }
  return loss;
}

export function decoderWeightGradient(
  batch: number, hiddenStride: number, featureStride: number, hidden: Float32Array, dPre: Float32Array, gradWoutT: Float32Array,
): void {
  for (let k = 0; k < hiddenStride; k++) {
    for (let i = 0; i < featureStride; i++) {
      let g = 0;
      for (let b = 0; b < batch; b++) g += hidden[b * hiddenStride + k] * dPre[b * featureStride + i];
      gradWoutT[k * featureStride + i] = g;
    }
  }
}

export function biasGradient(batch: number, featureStride: number, dPre: Float32Array, gradBias: Float32Array): void {
  for (let i = 0; i < featureStride; i++) {
    let g = 0;
    for (let b = 0; b < batch; b++) g += dPre[b * featureStride + i];
    gradBias[i] = g;
  }
}

export function decoderHiddenGradient(
  batch: number, hiddenStride: number, featureStride: number, woutT: Float32Array, dPre: Float32Array, dHidden: Float32Array,
): void {
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < hiddenStride; k++) {
      let g = 0;
      for (let i = 0; i < featureStride; i++) g += woutT[k * featureStride + i] * dPre[b * featureStride + i];
      dHidden[b * hiddenStride + k] = g;
    }
  }
}
