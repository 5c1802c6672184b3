// Batches of the rug model on one backend: draw samples (the project sampler), W x (rugProject), loss sums (rugLoss).
import type { Backend } from '../api.js';
import { WasmKernels } from '../wasm/kernels.js';
import type { WasmBuild } from '../wasm/module.js';
import { sampleBatch, sampleThresholds } from '../reference/sample.js';
import { rugProject, rugLoss } from '../reference/hadamard.js';
import type { Rug } from './rug.js';

/** Batch of the paper's recipe (docs/theory.md §5) and of the evaluation. */
export const RUG_BATCH = 512;

/**
 * One backend's buffers for batches of up to `batchCapacity` samples of n features, rows at stride
 * max(4, n) (the sampler's minimum). Usage: setRug, then draw (samples + W x), then lossSums for any (A, mu).
 */
export interface RugEngine {
  readonly backend: Backend;
  readonly nFeatures: number;
  readonly batchCapacity: number;
  /** Loads d = [k in S] / m and w = H d (f32) of a rug of this order. */
  setRug(rug: Rug): void;
  /** Draws samples first .. first + batch - 1 of stream key at feature probability p and computes h = W x; returns nnz. */
  draw(key: readonly [number, number], first: number, batch: number): number;
  /** Per sample of the last draw: [sum (y - x)^2, sum [y > 0](y - x)(h + mu), sum [y > 0](y - x)], y = ReLU(A (h + mu)). */
  lossSums(scale: number, shift: number): Float64Array;
  dispose(): void;
}

function rugVectors(rug: Rug): { scale: Float32Array; kernel: Float32Array } {
  const n = rug.nFeatures;
  const scale = new Float32Array(Math.max(4, n));
  for (const k of rug.rows) scale[k] = 1 / rug.nHidden;
  const kernel = new Float32Array(Math.max(4, n));
  kernel.set(rug.kernel);
  return { scale, kernel };
}

class WasmRugEngine implements RugEngine {
  readonly backend = 'wasm' as const;
  private readonly stride: number;
  private readonly thresholds: number;
  private readonly dense: number;
  private readonly offsets: number;
  private readonly indices: number;
  private readonly values: number;
  private readonly scale: number;
  private readonly kernel: number;
  private readonly projection: number;
  private readonly sums: number;
  private batch = 0;

  constructor(private readonly k: WasmKernels, readonly nFeatures: number, p: number, readonly batchCapacity: number) {
    const n = nFeatures;
    this.stride = Math.max(4, n);
    const capacity = batchCapacity * this.stride;
    const thresholds = sampleThresholds(new Array<number>(n).fill(p), n);
    this.thresholds = k.allocate('u32', thresholds.length);
    k.write(this.thresholds, 'u32', thresholds);
    this.dense = k.allocate('f32', capacity);
    this.offsets = k.allocate('i32', batchCapacity + 1);
    this.indices = k.allocate('i32', batchCapacity * n);
    this.values = k.allocate('f32', batchCapacity * n);
    this.scale = k.allocate('f32', this.stride);
    this.kernel = k.allocate('f32', this.stride);
    this.projection = k.allocate('f32', capacity);
    this.sums = k.allocate('f64', 3 * batchCapacity);
  }

  setRug(rug: Rug): void {
    if (rug.nFeatures !== this.nFeatures) throw new RangeError(`rug order ${rug.nFeatures} != engine order ${this.nFeatures}`);
    const { scale, kernel } = rugVectors(rug);
    this.k.write(this.scale, 'f32', scale);
    this.k.write(this.kernel, 'f32', kernel);
  }

  draw(key: readonly [number, number], first: number, batch: number): number {
    if (batch > this.batchCapacity) throw new RangeError(`batch = ${batch} exceeds the engine's capacity ${this.batchCapacity}`);
    const n = this.nFeatures;
    const nnz = this.k.sampleBatch(key[0], key[1], first, batch, n, this.stride, this.thresholds, this.dense, this.offsets, this.indices, this.values);
    this.k.exports.rugProject(batch, n, this.stride, this.dense, this.offsets, this.indices, this.values, this.scale, this.kernel, this.projection, this.stride);
    this.batch = batch;
    return nnz;
  }

  lossSums(scale: number, shift: number): Float64Array {
    this.k.exports.rugLoss(this.batch, this.nFeatures, this.stride, this.dense, this.projection, this.stride, scale, shift, this.sums);
    return this.k.arena.f64(this.sums, 3 * this.batch);
  }

  dispose(): void {
    this.k.dispose();
  }
}

class ReferenceRugEngine implements RugEngine {
  readonly backend = 'js' as const;
  private readonly stride: number;
  private readonly thresholds: Uint32Array;
  private readonly dense: Float32Array;
  private readonly sparse: { offsets: Int32Array; indices: Int32Array; values: Float32Array };
  private readonly projection: Float32Array;
  private readonly sums: Float64Array;
  private vectors: { scale: Float32Array; kernel: Float32Array } = { scale: new Float32Array(0), kernel: new Float32Array(0) };
  private batch = 0;

  constructor(readonly nFeatures: number, p: number, readonly batchCapacity: number) {
    const n = nFeatures;
    this.stride = Math.max(4, n);
    this.thresholds = sampleThresholds(new Array<number>(n).fill(p), n);
    this.dense = new Float32Array(batchCapacity * this.stride);
    this.sparse = { offsets: new Int32Array(batchCapacity + 1), indices: new Int32Array(batchCapacity * n), values: new Float32Array(batchCapacity * n) };
    this.projection = new Float32Array(batchCapacity * this.stride);
    this.sums = new Float64Array(3 * batchCapacity);
  }

  setRug(rug: Rug): void {
    if (rug.nFeatures !== this.nFeatures) throw new RangeError(`rug order ${rug.nFeatures} != engine order ${this.nFeatures}`);
    this.vectors = rugVectors(rug);
  }

  draw(key: readonly [number, number], first: number, batch: number): number {
    if (batch > this.batchCapacity) throw new RangeError(`batch = ${batch} exceeds the engine's capacity ${this.batchCapacity}`);
    const n = this.nFeatures;
    const nnz = sampleBatch(key[0], key[1], first, batch, n, this.stride, this.thresholds, this.dense, this.sparse);
    const { offsets, indices, values } = this.sparse;
    rugProject(batch, n, this.stride, this.dense, offsets, indices, values, this.vectors.scale, this.vectors.kernel, this.projection, this.stride);
    this.batch = batch;
    return nnz;
  }

  lossSums(scale: number, shift: number): Float64Array {
    rugLoss(this.batch, this.nFeatures, this.stride, this.dense, this.projection, this.stride, scale, shift, this.sums);
    return this.sums.subarray(0, 3 * this.batch);
  }

  dispose(): void {}
}

/** An engine for order n at feature probability p (same seed -> same samples on both backends). */
export async function createRugEngine(backend: Backend, nFeatures: number, p: number, batchCapacity = RUG_BATCH, build: WasmBuild = 'release'): Promise<RugEngine> {
  if (backend === 'js') return new ReferenceRugEngine(nFeatures, p, batchCapacity);
  return new WasmRugEngine(await WasmKernels.create(undefined, build), nFeatures, p, batchCapacity);
}
