// Blocks of W to draw: the top-left block of a model's W = W_out W_in (the rug's comes from rugMatrixBlock in rug.ts).
import type { ModelWeights } from '../api.js';
import { weightBlock } from '../theory/weights.js';

/** Largest block drawn (entries per side). */
export const MAX_IMAGE_BLOCK = 2048;

/** Top-left size x size block of W = W_out W_in for PyTorch-layout weights (win m x n, wout n x m), row-major. */
export function modelMatrixBlock(weights: ModelWeights, size: number): Float64Array {
  checkBlock(size, weights.nFeatures);
  return weightBlock(weights, 0, size, 0, size, new Float64Array(size * size));
}

/** RangeError unless 1 <= size <= min(n, MAX_IMAGE_BLOCK). */
export function checkBlock(size: number, n: number): void {
  const max = Math.min(n, MAX_IMAGE_BLOCK);
  if (!(Number.isInteger(size) && size >= 1 && size <= max)) throw new RangeError(`block = ${size} is not an integer in [1, ${max}]`);
}
