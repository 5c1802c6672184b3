// KernelSet over one wasm instance: buffers are byte offsets in its memory; calls pass offsets, never copies.
// The one wrapper of the wasm exports: every wasm call in the project goes through a WasmKernels.
import type { KernelSet, BufferKind } from '../kernelSet.js';
import { WasmArena } from './arena.js';
import { compileKernels, createSharedMemory, instantiateKernels, instantiateKernelsSync, type KernelExports, type KernelSource, type WasmBuild } from './module.js';

const BYTES: Record<BufferKind, number> = { f32: 4, i32: 4, u32: 4, f64: 8 };

export class WasmKernels implements KernelSet<number> {
  readonly backend = 'wasm' as const;
  readonly arena: WasmArena;
  /** 80 bytes of sampler scratch owned by this instance (each thread on a shared memory has its own). */
  readonly statePtr: number;

  /** `statePtr` given: a second thread's view of a shared memory that another instance lays out (it must not allocate). */
  constructor(readonly exports: KernelExports, statePtr?: number) {
    this.arena = new WasmArena(exports);
    this.statePtr = statePtr ?? this.arena.allocate(80);
  }

  static async create(source?: KernelSource, build: WasmBuild = 'release'): Promise<WasmKernels> {
    const memory = build === 'threads' ? createSharedMemory() : undefined;
    return new WasmKernels(await instantiateKernels(await compileKernels(source, build), memory));
  }

  /** A fresh instance of a compiled module, made synchronously (its memory goes with the object). */
  static createSync(module: WebAssembly.Module): WasmKernels {
    return new WasmKernels(instantiateKernelsSync(module));
  }

  allocate(kind: BufferKind, count: number): number {
    return this.arena.allocate(Math.max(1, count) * BYTES[kind]);
  }

  write(buffer: number, kind: BufferKind, data: ArrayLike<number>): void {
    const view = kind === 'f32' ? this.arena.f32(buffer, data.length) : kind === 'f64' ? this.arena.f64(buffer, data.length)
      : kind === 'i32' ? this.arena.i32(buffer, data.length) : this.arena.u32(buffer, data.length);
    view.set(data);
  }

  readF32(buffer: number, count: number): Float32Array {
    return this.arena.f32(buffer, count).slice();
  }

  readF64(buffer: number, count: number): Float64Array {
    return this.arena.f64(buffer, count).slice();
  }

  at(buffer: number, kind: BufferKind, first: number): number {
    return buffer + first * BYTES[kind];
  }

  viewF32(buffer: number, first: number, count: number): Float32Array {
    return this.arena.f32(buffer + first * 4, count);
  }

  viewF64(buffer: number, first: number, count: number): Float64Array {
    return this.arena.f64(buffer + first * 8, count);
  }

  zero(buffer: number, kind: BufferKind, count: number): void {
    new Uint8Array(this.exports.memory.buffer, buffer, count * BYTES[kind]).fill(0);
  }

  sampleBatch(
    key0: number, key1: number, firstSample: number, batch: number, nFeatures: number, stride: number,
    thresholds: number, dense: number, offsets: number, indices: number, values: number,
  ): number {
    return this.exports.sampleBatch(key0, key1, firstSample >>> 0, Math.floor(firstSample / 4294967296), batch, nFeatures, stride,
      thresholds, dense, offsets, indices, values, this.statePtr);
  }

  encoderForward(batch: number, hiddenStride: number, offsets: number, indices: number, values: number, winT: number, hidden: number): void {
    this.exports.encoderForward(batch, hiddenStride, offsets, indices, values, winT, hidden);
  }

  encoderBackward(
    batch: number, nFeatures: number, hiddenStride: number, offsets: number, indices: number, values: number, dHidden: number, gradWinT: number,
    accumulate: boolean, scratch: number,
  ): void {
    this.exports.encoderBackward(batch, nFeatures, hiddenStride, offsets, indices, values, dHidden, gradWinT, accumulate, scratch);
  }

  decoderForward(
    batch: number, nHidden: number, hiddenStride: number, featureStride: number, panelWidth: number,
    hidden: number, woutPanels: number, bias: number, target: number, importance: number,
    activation: number, slope: number, gradScale: number, dPre: number, featureLoss: number | null, scratch: number,
  ): number {
    return this.exports.decoderForward(batch, nHidden, hiddenStride, featureStride, panelWidth, hidden, woutPanels, bias, target, importance,
      activation, slope, gradScale, dPre, featureLoss ?? 0, scratch);
  }

  decoderBackward(
    batch: number, nFeatures: number, hiddenStride: number, featureStride: number, hidden: number, wout: number, dPre: number,
    gradWout: number, gradBias: number, dHidden: number, computeHidden: boolean, scratch: number,
  ): void {
    this.exports.decoderBackward(batch, nFeatures, hiddenStride, featureStride, hidden, wout, dPre, gradWout, gradBias, dHidden, computeHidden, scratch);
  }

  adamUpdate(
    param: number, grad: number, gradOther: number, moment: number, velocity: number, first: number, count: number,
    lr: number, beta1: number, beta2: number, eps: number, biasCorrection1: number, biasCorrection2: number,
  ): void {
    this.exports.adamUpdate(param, grad, gradOther, moment, velocity, first, count, lr, beta1, beta2, eps, biasCorrection1, biasCorrection2);
  }

  packDecoderPanels(
    wout: number, nFeatures: number, nHidden: number, hiddenStride: number, panels: number, featureStride: number, panelWidth: number,
    firstFeature: number, endFeature: number,
  ): void {
    this.exports.packDecoderPanels(wout, nFeatures, nHidden, hiddenStride, panels, featureStride, panelWidth, firstFeature, endFeature);
  }

  rugProject(
    batch: number, nFeatures: number, stride: number, dense: number, offsets: number, indices: number, values: number,
    scale: number, kernel: number, projection: number, projectionStride: number,
  ): void {
    this.exports.rugProject(batch, nFeatures, stride, dense, offsets, indices, values, scale, kernel, projection, projectionStride);
  }

  rugLoss(batch: number, nFeatures: number, stride: number, dense: number, projection: number, projectionStride: number, scale: number, shift: number, sums: number): void {
    this.exports.rugLoss(batch, nFeatures, stride, dense, projection, projectionStride, scale, shift, sums);
  }

  weightRows(
    firstRow: number, rowCount: number, nHidden: number, hiddenStride: number, featureStride: number,
    wout: number, win: number, out: number, stats: number,
  ): void {
    this.exports.weightRows(firstRow, rowCount, nHidden, hiddenStride, featureStride, wout, win, out, stats);
  }

  /** Peak f32x4 mul+add throughput probe (bench/ only; a timing, so no twin). */
  peakProbe(iterations: number, seed: number): number {
    return this.exports.peakProbe(iterations, seed);
  }

  dispose(): void {
    // The instance and its memory are dropped with this object.
  }
}
