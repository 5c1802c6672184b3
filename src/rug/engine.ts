// Batches of the rug model on one kernel set (wasm or the TS twins): draw samples (sampleBatch), W x (rugProject), loss sums (rugLoss).
import type { Backend } from '../api.js';
import type { KernelSet } from '../kernelSet.js';
import { WasmKernels } from '../wasm/kernels.js';
import type { WasmBuild } from '../wasm/module.js';
import { ReferenceKernels } from '../reference/kernels.js';
import { sampleThresholds } from '../reference/sample.js';
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

/** The engine on one kernel set (wasm: buffers are offsets in its memory; js: typed arrays and the TS twins). */
class KernelRugEngine<B> implements RugEngine {
  readonly backend: Backend;
  private readonly stride: number;
  private readonly thresholds: B;
  private readonly dense: B;
  private readonly offsets: B;
  private readonly indices: B;
  private readonly values: B;
  private readonly scale: B;
  private readonly kernel: B;
  private readonly projection: B;
  private readonly sums: B;
  private batch = 0;

  constructor(private readonly k: KernelSet<B>, readonly nFeatures: number, p: number, readonly batchCapacity: number) {
    this.backend = k.backend;
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
    this.k.rugProject(batch, n, this.stride, this.dense, this.offsets, this.indices, this.values, this.scale, this.kernel, this.projection, this.stride);
    this.batch = batch;
    return nnz;
  }

  lossSums(scale: number, shift: number): Float64Array {
    this.k.rugLoss(this.batch, this.nFeatures, this.stride, this.dense, this.projection, this.stride, scale, shift, this.sums);
    return this.k.readF64(this.sums, 3 * this.batch);
  }

  dispose(): void {
    this.k.dispose();
  }
}

/** An engine for order n at feature probability p (same seed -> same samples on both backends). */
export async function createRugEngine(backend: Backend, nFeatures: number, p: number, batchCapacity = RUG_BATCH, build: WasmBuild = 'release'): Promise<RugEngine> {
  if (backend === 'js') return new KernelRugEngine(new ReferenceKernels(), nFeatures, p, batchCapacity);
  return new KernelRugEngine(await WasmKernels.create(undefined, build), nFeatures, p, batchCapacity);
}
