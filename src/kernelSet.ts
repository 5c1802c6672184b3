// The kernel set: every kernel the library calls, one name each, as assembly/index.ts exports it. Implemented by the
// wasm module (src/wasm/kernels.ts, the only code that calls wasm exports) and by the plain-TS twins
// (src/reference/kernels.ts); training (train/model.ts), the rug engine (rug/engine.ts) and the statistics' row pass
// (theory/rowPass.ts) are written against it. Same argument order as the kernels, with buffer handles B (a byte
// offset in wasm, a typed array in JS) in place of pointers. Sits below both implementations: imports only api.ts.
import type { Backend } from './api.js';

export type BufferKind = 'f32' | 'i32' | 'u32' | 'f64';

/** i32 words of scratch encoderBackward needs (the batch listed by feature, one row). */
export function encoderBackwardScratchWords(batch: number, nFeatures: number, hiddenStride: number): number {
  return nFeatures + 1 + 2 * batch * nFeatures + hiddenStride;
}

/** i32 words of scratch decoderBackward needs (CSR and CSC of the nonzero dPre, counters, the CSR position of each block of 512 features). */
export function decoderBackwardScratchWords(batch: number, featureStride: number): number {
  return batch + 1 + featureStride + 1 + 4 * batch * featureStride + batch * (Math.ceil(featureStride / 512) + 1);
}

/** i32 words of scratch decoderForward needs (hidden re-laid 4 samples at a time for the GEMM; unused by the twin). */
export function decoderForwardScratchWords(batch: number, hiddenStride: number): number {
  return (batch & ~3) * hiddenStride;
}

/** Column-panel width of the forward GEMM: about 48K / nHidden floats (a panel of W_out stays in L2), a multiple of 8. */
export function decoderPanelWidth(nHidden: number, featureStride: number): number {
  return Math.min(featureStride, Math.max(8, Math.floor(49152 / Math.max(nHidden, 1) / 8) * 8));
}

export interface KernelSet<B> {
  readonly backend: Backend;
  allocate(kind: BufferKind, count: number): B;
  write(buffer: B, kind: BufferKind, data: ArrayLike<number>): void;
  readF32(buffer: B, count: number): Float32Array;
  readF64(buffer: B, count: number): Float64Array;
  zero(buffer: B, kind: BufferKind, count: number): void;
  /** The buffer from element `first` on: a handle into the same memory. */
  at(buffer: B, kind: BufferKind, first: number): B;
  /** Elements [first, first + count) of a buffer without a copy; valid until the next allocate. */
  viewF32(buffer: B, first: number, count: number): Float32Array;
  viewF64(buffer: B, first: number, count: number): Float64Array;
  sampleBatch(
    key0: number, key1: number, firstSample: number, batch: number, nFeatures: number, stride: number,
    thresholds: B, dense: B, offsets: B, indices: B, values: B,
  ): number;
  encoderForward(batch: number, hiddenStride: number, offsets: B, indices: B, values: B, winT: B, hidden: B): void;
  /** scratch: encoderBackwardScratchWords i32 words. */
  encoderBackward(
    batch: number, nFeatures: number, hiddenStride: number, offsets: B, indices: B, values: B, dHidden: B, gradWinT: B, accumulate: boolean, scratch: B,
  ): void;
  /** scratch: decoderForwardScratchWords i32 words. */
  decoderForward(
    batch: number, nHidden: number, hiddenStride: number, featureStride: number, panelWidth: number,
    hidden: B, woutPanels: B, bias: B, target: B, importance: B,
    activation: number, slope: number, gradScale: number, dPre: B, featureLoss: B | null, scratch: B,
  ): number;
  decoderBackward(
    batch: number, nFeatures: number, hiddenStride: number, featureStride: number, hidden: B, wout: B, dPre: B,
    gradWout: B, gradBias: B, dHidden: B, computeHidden: boolean, scratch: B,
  ): void;
  /** Adam on elements [first, first + count) with the gradient grad + gradOther (the two shards). */
  adamUpdate(
    param: B, grad: B, gradOther: B, moment: B, velocity: B, first: number, count: number,
    lr: number, beta1: number, beta2: number, eps: number, biasCorrection1: number, biasCorrection2: number,
  ): void;
  /** Columns (features) [firstFeature, endFeature) of W_out into the forward GEMM's panels. */
  packDecoderPanels(
    wout: B, nFeatures: number, nHidden: number, hiddenStride: number, panels: B, featureStride: number, panelWidth: number,
    firstFeature: number, endFeature: number,
  ): void;
  /** Rug model: W x for a batch, W = H diag(scale) H with kernel = H scale (assembly/hadamard.ts). */
  rugProject(
    batch: number, nFeatures: number, stride: number, dense: B, offsets: B, indices: B, values: B,
    scale: B, kernel: B, projection: B, projectionStride: number,
  ): void;
  /** Rug model: per sample [sum (y - x)^2, sum [y > 0](y - x)(h + mu), sum [y > 0](y - x)], y = ReLU(A (h + mu)), f64 into sums. */
  rugLoss(batch: number, nFeatures: number, stride: number, dense: B, projection: B, projectionStride: number, scale: number, shift: number, sums: B): void;
  /** Rows firstRow .. firstRow + rowCount - 1 of W = W_out W_in into out and their WEIGHT_ROW_STATS f64 sums into stats (assembly/statistics.ts). */
  weightRows(
    firstRow: number, rowCount: number, nHidden: number, hiddenStride: number, featureStride: number,
    wout: B, win: B, out: B, stats: B,
  ): void;
  dispose(): void;
}

/**
 * f64 slots per row of weightRows' stats: [0] W_ii  [1] sum_{j != i} W_ij  [2] sum W_ij^2  [3] sum |W_ij|^3
 * [4] sum W_ij^3  [5] sum W_ij^4  [6..15] 0 (assembly/statistics.ts has the same constant: it cannot import TS).
 */
export const WEIGHT_ROW_STATS = 16;
