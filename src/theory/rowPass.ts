// The O(n^2 m) pass of modelStatistics over the entries of W = W_out W_in, on the weightRows kernel of any kernel
// set: referenceRowPass runs its plain-TS twin; src/measure/wasmRows.ts runs it on wasm (~30x faster).
import { WEIGHT_ROW_STATS, type KernelSet } from '../kernelSet.js';
import { ReferenceKernels } from '../reference/kernels.js';
import type { ModelStatisticsInput, WeightRowSums } from './statistics.js';

/** How tr(W W) is formed: from the stored n x n W (memory), or from the m x m product W_in W_out (O(m^2 n) more work). */
export type TraceRoute = 'stored' | 'inner';

export interface RowPassOptions {
  /** rows of W per kernel call: W_in is streamed from memory once per block; default 128 */
  blockRows?: number;
  /** default: 'inner' when 8 m <= n (cheap) or the stored W would exceed 1 GiB, else 'stored' */
  trace?: TraceRoute;
}

/**
 * Row stride (f32) for a matrix with `columns` columns: a multiple of 8 (the kernel's tile), plus 8 when the
 * byte stride is a multiple of 1 KiB: with power-of-two strides the kernel's column strips map to a few cache
 * sets and thrash L1/L2 (measured 16 -> 28 GFLOP/s at n = 8192, m = 6553).
 */
export function kernelStride(columns: number): number {
  const stride = Math.ceil(columns / 8) * 8;
  return (stride * 4) % 1024 === 0 ? stride + 8 : stride;
}

/**
 * WeightRowSums on one kernel set (allocates in it). W_out [n x hiddenStride] and W_in [m x featureStride] are
 * copied in with zero padding; rows of W are formed blockRows at a time by weightRows (f64 row sums; see
 * assembly/statistics.ts). tr(W W) in f64 from the f32 entries of the stored W, or of W_in W_out (the same kernel
 * with the roles of W_in and W_out exchanged: rows of W_in times W_out).
 */
export function kernelRowPass<B>(k: KernelSet<B>, input: ModelStatisticsInput, rows: Int32Array, options: RowPassOptions = {}): WeightRowSums {
  const { nFeatures: n, nHidden: m, win, wout } = input;
  const blockRows = options.blockRows ?? 128;
  if (!(Number.isInteger(blockRows) && blockRows >= 1)) throw new RangeError(`blockRows = ${blockRows} is outside [1, inf) (integer)`);
  const featureStride = kernelStride(n);
  const hiddenStride = kernelStride(m);
  const trace = options.trace ?? (8 * m <= n || n * featureStride * 4 > 1024 ** 3 ? 'inner' : 'stored');
  const woutBuffer = k.allocate('f32', n * hiddenStride);
  const winBuffer = k.allocate('f32', m * featureStride);
  const block = Math.min(blockRows, n);
  const statsBuffer = k.allocate('f64', Math.max(block, trace === 'inner' ? Math.min(blockRows, m) : 0) * WEIGHT_ROW_STATS);
  const outBuffer = k.allocate('f32', (trace === 'stored' ? n : block) * featureStride);
  const innerBuffer = trace === 'inner' ? k.allocate('f32', m * hiddenStride) : undefined;
  {
    const woutView = k.viewF32(woutBuffer, 0, n * hiddenStride);
    for (let i = 0; i < n; i++) woutView.set(wout.subarray(i * m, (i + 1) * m), i * hiddenStride);
    const winView = k.viewF32(winBuffer, 0, m * featureStride);
    for (let row = 0; row < m; row++) winView.set(win.subarray(row * n, (row + 1) * n), row * featureStride);
  }
  const sums: WeightRowSums = {
    diagonal: new Float64Array(n), offSum: new Float64Array(n), offSquare: new Float64Array(n),
    offAbsCube: new Float64Array(n), offCube: new Float64Array(n), offFourth: new Float64Array(n),
    sampled: new Float64Array(rows.length * n), traceSquare: 0,
  };
  let nextSampled = 0;
  for (let i0 = 0; i0 < n; i0 += block) {
    const count = Math.min(block, n - i0);
    const first = trace === 'stored' ? i0 * featureStride : 0;
    k.weightRows(i0, count, m, hiddenStride, featureStride, woutBuffer, winBuffer, k.at(outBuffer, 'f32', first), statsBuffer);
    const stats = k.viewF64(statsBuffer, 0, count * WEIGHT_ROW_STATS);
    for (let r = 0; r < count; r++) {
      const s = r * WEIGHT_ROW_STATS;
      sums.diagonal[i0 + r] = stats[s];
      sums.offSum[i0 + r] = stats[s + 1];
      sums.offSquare[i0 + r] = stats[s + 2];
      sums.offAbsCube[i0 + r] = stats[s + 3];
      sums.offCube[i0 + r] = stats[s + 4];
      sums.offFourth[i0 + r] = stats[s + 5];
    }
    while (nextSampled < rows.length && rows[nextSampled] < i0 + count) {
      const r = rows[nextSampled] - i0;
      sums.sampled.set(k.viewF32(outBuffer, first + r * featureStride, n), nextSampled * n);
      nextSampled++;
    }
  }
  if (innerBuffer === undefined) {
    sums.traceSquare = traceOfSquare(k.viewF32(outBuffer, 0, n * featureStride), n, featureStride);
  } else {
    // W_in W_out (m x m): the kernel with "W_out" = W_in [m x featureStride] and "W_in" = W_out [n x hiddenStride].
    const innerBlock = Math.min(blockRows, m);
    for (let k0 = 0; k0 < m; k0 += innerBlock) {
      const count = Math.min(innerBlock, m - k0);
      k.weightRows(k0, count, n, featureStride, hiddenStride, winBuffer, woutBuffer, k.at(innerBuffer, 'f32', k0 * hiddenStride), statsBuffer);
    }
    sums.traceSquare = traceOfSquare(k.viewF32(innerBuffer, 0, m * hiddenStride), m, hiddenStride);
  }
  return sums;
}

/** The row pass on the plain-TS twins (a fresh ReferenceKernels per call: its buffers go with it). */
export function referenceRowPass(input: ModelStatisticsInput, rows: Int32Array): WeightRowSums {
  return kernelRowPass(new ReferenceKernels(), input, rows);
}

/** tr(A A) = sum_ij A_ij A_ji of a d x d matrix (row stride `stride`), f64 sums over 64 x 64 blocks (cache-friendly). */
function traceOfSquare(a: Float32Array, d: number, stride: number): number {
  const B = 64;
  let total = 0;
  for (let i0 = 0; i0 < d; i0 += B) {
    const i1 = Math.min(i0 + B, d);
    for (let j0 = 0; j0 < d; j0 += B) {
      const j1 = Math.min(j0 + B, d);
      for (let i = i0; i < i1; i++) {
        const row = i * stride;
        for (let j = j0; j < j1; j++) total += a[row + j] * a[j * stride + i];
      }
    }
  }
  return total;
}
