// Plain-TS twin of assembly/decoder.ts: pre = W_out h + b, y = act(pre), loss, dPre; W_out, bias, hidden gradients.
// Layout as the kernel: woutPanels (W_out in the column panels of layout.ts) for the forward,
// wout [nFeatures x hiddenStride] (row i = row i of W_out) for the backward; padding 0.
// Sums run in f64 here and in f32 in the kernel; results agree within test/tolerance.ts.
import { activationValue, activationDerivative } from './activation.js';
import { panelOffset } from './layout.js';

/** Returns sum_{b,i} I_i (y - x)^2; writes dPre = gradScale I_i (y - x) act'(pre); adds (y - x)^2 to featureLoss if given. */
export function decoderForward(
  batch: number, nHidden: number, hiddenStride: number, featureStride: number, panelWidth: number,
  hidden: Float32Array, woutPanels: Float32Array, bias: Float32Array, target: Float32Array, importance: Float32Array,
  activation: number, slope: number, gradScale: number, dPre: Float32Array, featureLoss: Float64Array | null,
): number {
  let loss = 0;
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < featureStride; i++) {
      let pre = bias[i];
      for (let k = 0; k < nHidden; k++) pre += woutPanels[panelOffset(k, i, hiddenStride, featureStride, panelWidth)] * hidden[b * hiddenStride + k];
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

/**
 * gradWout[i, :] = sum_b dPre[b, i] hidden[b, :]; gradBias[i] = sum_b dPre[b, i]; dHidden[b, :] = sum_i dPre[b, i] wout[i, :]
 * (when computeHidden). wout, gradWout [nFeatures x hiddenStride]; terms with dPre = 0 are skipped, as in the kernel.
 */
export function decoderBackward(
  batch: number, nFeatures: number, hiddenStride: number, featureStride: number, hidden: Float32Array, wout: Float32Array,
  dPre: Float32Array, gradWout: Float32Array, gradBias: Float32Array, dHidden: Float32Array, computeHidden: boolean,
): void {
  gradWout.fill(0, 0, nFeatures * hiddenStride);
  gradBias.fill(0, 0, featureStride);
  for (let b = 0; b < batch; b++) {
    if (computeHidden) dHidden.fill(0, b * hiddenStride, (b + 1) * hiddenStride);
    for (let i = 0; i < featureStride; i++) {
      const d = dPre[b * featureStride + i];
      if (d === 0) continue;
      gradBias[i] += d;
      for (let k = 0; k < hiddenStride; k++) {
        gradWout[i * hiddenStride + k] += d * hidden[b * hiddenStride + k];
        if (computeHidden) dHidden[b * hiddenStride + k] += d * wout[i * hiddenStride + k];
      }
    }
  }
}
