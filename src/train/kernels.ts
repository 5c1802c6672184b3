// The kernel set one training step is written against: implemented by the wasm module (src/wasm/kernels.ts)
// and by the plain-TS twins (src/reference/kernels.ts). Same names and argument order as assembly/index.ts,
// with buffer handles B (a byte offset in wasm, a typed array in JS) in place of pointers.
import type { Backend } from '../api.js';

export type BufferKind = 'f32' | 'i32' | 'u32' | 'f64';

/** i32 words of scratch decoderBackward needs (CSR and CSC of the nonzero dPre, counters). */
export function decoderBackwardScratchWords(batch: number, featureStride: number): number {
  return batch + 1 + featureStride + 1 + 4 * batch * featureStride;
}

export interface KernelSet<B> {
  readonly backend: Backend;
  allocate(kind: BufferKind, count: number): B;
  write(buffer: B, kind: BufferKind, data: ArrayLike<number>): void;
  readF32(buffer: B, count: number): Float32Array;
  readF64(buffer: B, count: number): Float64Array;
  zero(buffer: B, kind: BufferKind, count: number): void;
  sampleBatch(
    key0: number, key1: number, firstSample: number, batch: number, nFeatures: number, stride: number,
    thresholds: B, dense: B, offsets: B, indices: B, values: B,
  ): number;
  encoderForward(batch: number, hiddenStride: number, offsets: B, indices: B, values: B, winT: B, hidden: B): void;
  encoderBackward(batch: number, nFeatures: number, hiddenStride: number, offsets: B, indices: B, values: B, dHidden: B, gradWinT: B, accumulate: boolean): void;
  decoderForward(
    batch: number, nHidden: number, hiddenStride: number, featureStride: number,
    hidden: B, woutT: B, bias: B, target: B, importance: B,
    activation: number, slope: number, gradScale: number, dPre: B, featureLoss: B | null,
  ): number;
  decoderBackward(
    batch: number, nFeatures: number, hiddenStride: number, featureStride: number, hidden: B, wout: B, dPre: B,
    gradWout: B, gradBias: B, dHidden: B, computeHidden: boolean, scratch: B,
  ): void;
  adamUpdate(
    param: B, grad: B, moment: B, velocity: B, count: number,
    lr: number, beta1: number, beta2: number, eps: number, biasCorrection1: number, biasCorrection2: number,
  ): void;
  transposeInto(src: B, rows: number, cols: number, srcStride: number, dst: B, dstStride: number, accumulate: boolean): void;
  addInto(dst: B, src: B, count: number): void;
  dispose(): void;
}
