// Plain-TS twin of assembly/sample.ts: the data sampler of PAPER.md §1, bit-identical to the kernel.
import { randomSeed, randomNext4 } from './random.js';

/** CSR batch: sample b's active features are indices[offsets[b] .. offsets[b + 1]). */
export interface SparseBatch {
  offsets: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/** threshold_j = ceil(p_j 2^32) - 1, so that u32 r <= threshold_j has probability ceil(p_j 2^32) / 2^32; p_j in (0, 1]. */
export function sampleThresholds(featureProbability: ArrayLike<number>, nFeatures: number): Uint32Array {
  const thresholds = new Uint32Array(Math.ceil(nFeatures / 4) * 4);
  for (let j = 0; j < nFeatures; j++) thresholds[j] = Math.ceil(featureProbability[j] * 4294967296) - 1;
  return thresholds;
}

/**
 * Draws samples firstSample .. firstSample + batch - 1 (a counter < 2^53) into dense (row stride
 * `stride`, padding 0) and the CSR lists; returns nnz. Same stream layout as the kernel.
 */
export function sampleBatch(
  key0: number, key1: number, firstSample: number, batch: number, nFeatures: number, stride: number,
  thresholds: Uint32Array, dense: Float32Array, sparse: SparseBatch,
): number {
  const state = new Uint32Array(16);
  const r = new Uint32Array(4);
  const v = new Uint32Array(4);
  const blocks = Math.ceil(nFeatures / 4);
  let nnz = 0;
  for (let b = 0; b < batch; b++) {
    const counter = firstSample + b;
    randomSeed(state, key0, key1, counter >>> 0, Math.floor(counter / 4294967296) >>> 0);
    sparse.offsets[b] = nnz;
    const row = b * stride;
    dense.fill(0, row, row + stride);
    for (let t = 0; t < blocks; t++) {
      randomNext4(state, r);
      let any = false;
      for (let l = 0; l < 4; l++) {
        const j = 4 * t + l;
        if (j < nFeatures && r[l] <= thresholds[j]) any = true;
      }
      if (!any) continue;
      randomNext4(state, v);
      for (let l = 0; l < 4; l++) {
        const j = 4 * t + l;
        if (j < nFeatures && r[l] <= thresholds[j]) {
          const x = (v[l] >>> 8) * 5.9604644775390625e-8;
          dense[row + j] = x;
          sparse.indices[nnz] = j;
          sparse.values[nnz] = x;
          nnz++;
        }
      }
    }
  }
  sparse.offsets[batch] = nnz;
  return nnz;
}
