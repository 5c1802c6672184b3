// Plain-TS twin of assembly/encoder.ts: h = W_in x over active columns, and the W_in gradient.
// Layout as the kernel: winT / gradWinT [nFeatures x hiddenStride], hidden / dHidden [batch x hiddenStride].
import type { SparseBatch } from './sample.js';

export function encoderForward(batch: number, hiddenStride: number, sparse: SparseBatch, winT: Float32Array, hidden: Float32Array): void {
  hidden.fill(0, 0, batch * hiddenStride);
  for (let b = 0; b < batch; b++) {
    for (let e = sparse.offsets[b]; e < sparse.offsets[b + 1]; e++) {
      const x = sparse.values[e], w = sparse.indices[e] * hiddenStride;
      for (let k = 0; k < hiddenStride; k++) hidden[b * hiddenStride + k] += x * winT[w + k];
    }
  }
}

/** gradWinT[j, :] += x dHidden[b, :] over active (b, j, x), after zeroing gradWinT unless accumulate. */
export function encoderBackward(
  batch: number, nFeatures: number, hiddenStride: number, sparse: SparseBatch, dHidden: Float32Array, gradWinT: Float32Array,
  accumulate: boolean,
): void {
  if (!accumulate) gradWinT.fill(0, 0, nFeatures * hiddenStride);
  for (let b = 0; b < batch; b++) {
    for (let e = sparse.offsets[b]; e < sparse.offsets[b + 1]; e++) {
      const x = sparse.values[e], g = sparse.indices[e] * hiddenStride;
      for (let k = 0; k < hiddenStride; k++) gradWinT[g + k] += x * dHidden[b * hiddenStride + k];
    }
  }
}
