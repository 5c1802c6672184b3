// Plain-TS twin of assembly/sample.ts: the data sampler of docs/theory.md §1, bit-identical to the kernel.
import { randomSeed, randomNext4 } from './random.js';

/** CSR batch: sample b's active features are indices[offsets[b] .. offsets[b + 1]). */
export interface SparseBatch {
  offsets: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/** Gap thresholds at the head of the sampler's thresholds buffer: T_1 .. T_16. */
export const SAMPLE_GAP_TABLE = 16;

/**
 * The sampler's thresholds buffer (assembly/sample.ts), q = max_j p_j, p_j in (0, 1]:
 *   words 0..15: T_k = floor((1 - q)^k 2^32), k = 1..16 (P(gap >= k) = T_k 2^-32);
 *   word 16 + j: A_j = ceil(p_j / q 2^32) - 1 (a candidate j is kept iff a u32 draw <= A_j; A_j = 2^32 - 1
 *   when p_j = q, always kept). Padded with zeros to a multiple of 4 words.
 */
export function sampleThresholds(featureProbability: ArrayLike<number>, nFeatures: number): Uint32Array {
  let q = 0;
  for (let j = 0; j < nFeatures; j++) q = Math.max(q, featureProbability[j]);
  const thresholds = new Uint32Array(SAMPLE_GAP_TABLE + Math.ceil(nFeatures / 4) * 4);
  for (let k = 1; k <= SAMPLE_GAP_TABLE; k++) thresholds[k - 1] = Math.min(4294967295, Math.floor((1 - q) ** k * 4294967296));
  for (let j = 0; j < nFeatures; j++) {
    thresholds[SAMPLE_GAP_TABLE + j] = Math.min(4294967296, Math.ceil((featureProbability[j] / q) * 4294967296)) - 1;
  }
  return thresholds;
}

/**
 * Draws samples firstSample .. firstSample + batch - 1 (a counter < 2^53) into dense (row stride
 * `stride`, padding 0) and the CSR lists; returns nnz. Same stream use as the kernel: one generator step per
 * gap draw, lanes (r, a, v, unused) = (gap, thinning, value).
 */
export function sampleBatch(
  key0: number, key1: number, firstSample: number, batch: number, nFeatures: number, stride: number,
  thresholds: Uint32Array, dense: Float32Array, sparse: SparseBatch,
): number {
  const state = new Uint32Array(16);
  const out = new Uint32Array(4);
  let nnz = 0;
  for (let b = 0; b < batch; b++) {
    const counter = firstSample + b;
    randomSeed(state, key0, key1, counter >>> 0, Math.floor(counter / 4294967296) >>> 0);
    sparse.offsets[b] = nnz;
    const row = b * stride;
    dense.fill(0, row, row + stride);
    for (let j = 0; j < nFeatures;) {
      randomNext4(state, out);
      let gap = 0;
      while (gap < SAMPLE_GAP_TABLE && out[0] < thresholds[gap]) gap++;
      j += gap;
      if (gap === SAMPLE_GAP_TABLE || j >= nFeatures) continue;
      if (out[1] <= thresholds[SAMPLE_GAP_TABLE + j]) {
        const x = Math.fround((out[2] >>> 8) * 5.9604644775390625e-8);
        dense[row + j] = x;
        sparse.indices[nnz] = j;
        sparse.values[nnz] = x;
        nnz++;
      }
      j++;
    }
  }
  sparse.offsets[batch] = nnz;
  return nnz;
}
