// Encoder h = W_in x over the active columns of a CSR batch, and its W_in gradient.
//
// Layout: winT f32[nFeatures * hiddenStride] holds W_in transposed (row j = column j of W_in);
// hidden / dHidden f32[batch * hiddenStride]; hiddenStride a multiple of 4, padding columns are 0
// and stay 0. CSR batch as written by sampleBatch. Cost O(nnz * hiddenStride), not O(batch n m).
import { gatherColumns } from "./gather";

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
    gatherColumns(h, winTPtr, rowBytes, indicesPtr, valuesPtr, e0, e1, 0, rowBytes);
  }
}

/**
 * gradWinT[j, :] += x * dHidden[b, :] for every active (b, j, x), after zeroing gradWinT unless
 * accumulate (tied weights add the encoder's share to the decoder's gradient in the same buffer).
 */
export function encoderBackward(
  batch: i32, nFeatures: i32, hiddenStride: i32, offsetsPtr: usize, indicesPtr: usize, valuesPtr: usize,
  dHiddenPtr: usize, gradWinTPtr: usize, accumulate: bool,
): void {
  const rowBytes = <usize>hiddenStride << 2;
  if (!accumulate) memory.fill(gradWinTPtr, 0, <usize>nFeatures * rowBytes);
  for (let b = 0; b < batch; b++) {
    const d = dHiddenPtr + <usize>b * rowBytes;
    const end = load<i32>(offsetsPtr + (<usize>(b + 1) << 2));
    for (let e = load<i32>(offsetsPtr + (<usize>b << 2)); e < end; e++) {
      const x = f32x4.splat(load<f32>(valuesPtr + (<usize>e << 2)));
      const g = gradWinTPtr + <usize>load<i32>(indicesPtr + (<usize>e << 2)) * rowBytes;
      for (let k: usize = 0; k < rowBytes; k += 16) {
        v128.store(g + k, f32x4.add(v128.load(g + k), f32x4.mul(x, v128.load(d + k))));
      }
    }
  }
}
