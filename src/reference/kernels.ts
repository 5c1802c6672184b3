// KernelSet over the plain-TS twins: buffers are typed arrays; the JS baseline and the tests' oracle.
import type { KernelSet, BufferKind } from '../kernelSet.js';
import { sampleBatch } from './sample.js';
import { encoderForward, encoderBackward } from './encoder.js';
import { decoderForward, decoderBackward } from './decoder.js';
import { adamUpdate } from './adam.js';
import { packDecoderPanels } from './layout.js';
import { rugLoss, rugProject } from './hadamard.js';
import { weightRows } from './statistics.js';

export type ReferenceBuffer = Float32Array | Float64Array | Int32Array | Uint32Array;

const f32 = (b: ReferenceBuffer): Float32Array => b as Float32Array;

export class ReferenceKernels implements KernelSet<ReferenceBuffer> {
  readonly backend = 'js' as const;

  allocate(kind: BufferKind, count: number): ReferenceBuffer {
    const n = Math.max(1, count);
    return kind === 'f32' ? new Float32Array(n) : kind === 'f64' ? new Float64Array(n) : kind === 'i32' ? new Int32Array(n) : new Uint32Array(n);
  }

  write(buffer: ReferenceBuffer, _kind: BufferKind, data: ArrayLike<number>): void {
    buffer.set(data);
  }

  readF32(buffer: ReferenceBuffer, count: number): Float32Array {
    return Float32Array.from(buffer.subarray(0, count));
  }

  readF64(buffer: ReferenceBuffer, count: number): Float64Array {
    return Float64Array.from(buffer.subarray(0, count));
  }

  at(buffer: ReferenceBuffer, _kind: BufferKind, first: number): ReferenceBuffer {
    return buffer.subarray(first);
  }

  viewF32(buffer: ReferenceBuffer, first: number, count: number): Float32Array {
    return f32(buffer).subarray(first, first + count);
  }

  viewF64(buffer: ReferenceBuffer, first: number, count: number): Float64Array {
    return (buffer as Float64Array).subarray(first, first + count);
  }

  zero(buffer: ReferenceBuffer, _kind: BufferKind, count: number): void {
    buffer.fill(0, 0, count);
  }

  sampleBatch(
    key0: number, key1: number, firstSample: number, batch: number, nFeatures: number, stride: number,
    thresholds: ReferenceBuffer, dense: ReferenceBuffer, offsets: ReferenceBuffer, indices: ReferenceBuffer, values: ReferenceBuffer,
  ): number {
    return sampleBatch(key0, key1, firstSample, batch, nFeatures, stride, thresholds as Uint32Array, f32(dense),
      { offsets: offsets as Int32Array, indices: indices as Int32Array, values: f32(values) });
  }

  encoderForward(batch: number, hiddenStride: number, offsets: ReferenceBuffer, indices: ReferenceBuffer, values: ReferenceBuffer, winT: ReferenceBuffer, hidden: ReferenceBuffer): void {
    encoderForward(batch, hiddenStride, { offsets: offsets as Int32Array, indices: indices as Int32Array, values: f32(values) }, f32(winT), f32(hidden));
  }

  encoderBackward(
    batch: number, nFeatures: number, hiddenStride: number, offsets: ReferenceBuffer, indices: ReferenceBuffer, values: ReferenceBuffer,
    dHidden: ReferenceBuffer, gradWinT: ReferenceBuffer, accumulate: boolean, _scratch: ReferenceBuffer,
  ): void {
    encoderBackward(batch, nFeatures, hiddenStride, { offsets: offsets as Int32Array, indices: indices as Int32Array, values: f32(values) }, f32(dHidden), f32(gradWinT), accumulate);
  }

  decoderForward(
    batch: number, nHidden: number, hiddenStride: number, featureStride: number, panelWidth: number,
    hidden: ReferenceBuffer, woutPanels: ReferenceBuffer, bias: ReferenceBuffer, target: ReferenceBuffer, importance: ReferenceBuffer,
    activation: number, slope: number, gradScale: number, dPre: ReferenceBuffer, featureLoss: ReferenceBuffer | null, _scratch: ReferenceBuffer,
  ): number {
    return decoderForward(batch, nHidden, hiddenStride, featureStride, panelWidth, f32(hidden), f32(woutPanels), f32(bias), f32(target), f32(importance),
      activation, slope, gradScale, f32(dPre), featureLoss as Float64Array | null);
  }

  decoderBackward(
    batch: number, nFeatures: number, hiddenStride: number, featureStride: number, hidden: ReferenceBuffer, wout: ReferenceBuffer, dPre: ReferenceBuffer,
    gradWout: ReferenceBuffer, gradBias: ReferenceBuffer, dHidden: ReferenceBuffer, computeHidden: boolean, _scratch: ReferenceBuffer,
  ): void {
    decoderBackward(batch, nFeatures, hiddenStride, featureStride, f32(hidden), f32(wout), f32(dPre), f32(gradWout), f32(gradBias), f32(dHidden), computeHidden);
  }

  adamUpdate(
    param: ReferenceBuffer, grad: ReferenceBuffer, gradOther: ReferenceBuffer, moment: ReferenceBuffer, velocity: ReferenceBuffer, first: number, count: number,
    lr: number, beta1: number, beta2: number, eps: number, biasCorrection1: number, biasCorrection2: number,
  ): void {
    adamUpdate(f32(param), f32(grad), f32(gradOther), f32(moment), f32(velocity), first, count, lr, beta1, beta2, eps, biasCorrection1, biasCorrection2);
  }

  packDecoderPanels(
    wout: ReferenceBuffer, nFeatures: number, nHidden: number, hiddenStride: number, panels: ReferenceBuffer, featureStride: number, panelWidth: number,
    firstFeature: number, endFeature: number,
  ): void {
    packDecoderPanels(f32(wout), nFeatures, nHidden, hiddenStride, f32(panels), featureStride, panelWidth, firstFeature, endFeature);
  }

  rugProject(
    batch: number, nFeatures: number, stride: number, dense: ReferenceBuffer, offsets: ReferenceBuffer, indices: ReferenceBuffer, values: ReferenceBuffer,
    scale: ReferenceBuffer, kernel: ReferenceBuffer, projection: ReferenceBuffer, projectionStride: number,
  ): void {
    rugProject(batch, nFeatures, stride, f32(dense), offsets as Int32Array, indices as Int32Array, f32(values), f32(scale), f32(kernel), f32(projection), projectionStride);
  }

  rugLoss(
    batch: number, nFeatures: number, stride: number, dense: ReferenceBuffer, projection: ReferenceBuffer, projectionStride: number,
    scale: number, shift: number, sums: ReferenceBuffer,
  ): void {
    rugLoss(batch, nFeatures, stride, f32(dense), f32(projection), projectionStride, scale, shift, sums as Float64Array);
  }

  weightRows(
    firstRow: number, rowCount: number, nHidden: number, hiddenStride: number, featureStride: number,
    wout: ReferenceBuffer, win: ReferenceBuffer, out: ReferenceBuffer, stats: ReferenceBuffer,
  ): void {
    weightRows(firstRow, rowCount, nHidden, hiddenStride, featureStride, f32(wout), f32(win), f32(out), stats as Float64Array);
  }

  dispose(): void {}
}
