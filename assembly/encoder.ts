// Encoder h = W_in x over the active columns of a CSR batch, and its W_in gradient.
//
// Layout: winT f32[nFeatures * hiddenStride] holds W_in transposed (row j = column j of W_in);
// hidden / dHidden f32[batch * hiddenStride]; hiddenStride a multiple of 4, padding columns are 0
// and stay 0. CSR batch as written by sampleBatch. Cost O(nnz * hiddenStride), not O(batch n m).
import { gatherColumns, listByColumn } from "./gather";

/** hidden[b, :] = sum over active (j, x) of sample b of x * winT[j, :] (whole rows: a sample's few active rows stay in cache). */
export function encoderForward(
  batch: i32, hiddenStride: i32, offsetsPtr: usize, indicesPtr: usize, valuesPtr: usize,
  winTPtr: usize, hiddenPtr: usize,
): void {
  const rowBytes = <usize>hiddenStride << 2;
  for (let b = 0; b < batch; b++) {
    const h = hiddenPtr + <usize>b * rowBytes;
    const e0 = load<i32>(offsetsPtr + (<usize>b << 2));
    const e1 = load<i32>(offsetsPtr + (<usize>(b + 1) << 2));
    gatherColumns(h, winTPtr, rowBytes, indicesPtr, valuesPtr, e0, e1, 0, rowBytes, false);
  }
}

/** Bytes of scratch encoderBackward needs: the batch by feature (CSC: column ends, samples, values) and one row. */
export function encoderBackwardScratchBytes(batch: i32, nFeatures: i32, hiddenStride: i32): usize {
  return (<usize>nFeatures + 1 + 2 * <usize>batch * <usize>nFeatures + <usize>hiddenStride) << 2;
}

/**
 * gradWinT[j, :] = sum over the active (b, j, x) of x * dHidden[b, :], or += that sum when accumulate (tied
 * weights add the encoder's share to the decoder's gradient in the same buffer). The batch is re-listed by
 * feature (CSC, in scratch: encoderBackwardScratchBytes) so each row of gradWinT is one gather (gather.ts),
 * written once instead of updated once per active input; terms are summed in sample order.
 */
export function encoderBackward(
  batch: i32, nFeatures: i32, hiddenStride: i32, offsetsPtr: usize, indicesPtr: usize, valuesPtr: usize,
  dHiddenPtr: usize, gradWinTPtr: usize, accumulate: bool, scratchPtr: usize,
): void {
  const rowBytes = <usize>hiddenStride << 2;
  const nnz = load<i32>(offsetsPtr + (<usize>batch << 2));
  const ends = scratchPtr;                                      // i32[nFeatures + 1]
  const colSample = ends + ((<usize>nFeatures + 1) << 2);       // i32[nnz]
  const colValue = colSample + (<usize>nnz << 2);               // f32[nnz]
  const sum = colValue + (<usize>nnz << 2);                     // f32[hiddenStride]
  // per-feature counts at ends[j + 1], then the batch by feature; ends[j] is then the end of column j
  memory.fill(ends, 0, (<usize>nFeatures + 1) << 2);
  for (let e = 0; e < nnz; e++) {
    const c = ends + (<usize>(load<i32>(indicesPtr + (<usize>e << 2)) + 1) << 2);
    store<i32>(c, load<i32>(c) + 1);
  }
  listByColumn(batch, nFeatures, offsetsPtr, indicesPtr, valuesPtr, ends, colSample, colValue);
  for (let j = 0; j < nFeatures; j++) {
    const c0 = j == 0 ? 0 : load<i32>(ends + (<usize>(j - 1) << 2));
    const c1 = load<i32>(ends + (<usize>j << 2));
    const g = gradWinTPtr + <usize>j * rowBytes;
    if (!accumulate) {
      gatherColumns(g, dHiddenPtr, rowBytes, colSample, colValue, c0, c1, 0, rowBytes, false);
    } else if (c1 > c0) {
      gatherColumns(sum, dHiddenPtr, rowBytes, colSample, colValue, c0, c1, 0, rowBytes, false);
      for (let k: usize = 0; k < rowBytes; k += 16) v128.store(g + k, f32x4.add(v128.load(g + k), v128.load(sum + k)));
    }
  }
}
