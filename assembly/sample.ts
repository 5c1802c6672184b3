// Data sampler of docs/theory.md §1: x_j = u ~ U[0,1) with probability p_j, else 0; dense and sparse (CSR) batch.
//
// Only the active coordinates are drawn. Sample s (a 64-bit global counter firstSample + b) has its own
// 4-lane stream seeded by randomSeed(key, s) (random.ts), so any sample can be drawn on any worker.
// Candidates come at rate q = max_j p_j; one generator step (four u32 lanes r, a, v, unused) per candidate:
//   gap G = #{k in 1..16 : r < T_k}, T_k = floor((1 - q)^k 2^32), so P(G >= k) = (1 - q)^k; G = 16 means
//   "no candidate among the next 16 features" and the next step continues (the gap is memoryless);
//   otherwise feature j + G is the candidate, kept iff a <= A_j (thinning to p_j), with value (v >>> 8) 2^-24.
// The loop has no data-dependent branch but its exit: every step writes a CSR entry and advances nnz by 0 or 1.
// Cost O(batch (1 + n q)) generator steps (about one per candidate, at most one per 16 inactive features)
// instead of one per 4 features.
// Buffers: thresholds u32[16 + n] = T_1..T_16 then A_0..A_{n-1}, A_j = ceil(p_j / q 2^32) - 1 (sampleThresholds
// in the TS twin); dense f32[batch * stride] (stride >= n, row b at b * stride, padding written as 0);
// offsets i32[batch + 1]; indices i32[nnz], values f32[nnz] with capacity batch * n (a step that keeps nothing
// writes the slot at nnz, which is below b n + j < batch n). statePtr: 64 bytes of scratch. Returns nnz.
import { randomSeed, rotl4 } from "./random";

// @ts-ignore: decorator
@inline const SIGN: u32 = 0x80000000;

export function sampleBatch(
  key0: u32, key1: u32, firstLo: u32, firstHi: u32, batch: i32, nFeatures: i32, stride: i32,
  thresholdsPtr: usize, densePtr: usize, offsetsPtr: usize, indicesPtr: usize, valuesPtr: usize,
  statePtr: usize,
): i32 {
  // r < T_k unsigned == (r ^ 2^31) < (T_k ^ 2^31) signed (one instruction instead of three).
  const sign = i32x4.splat(SIGN);
  const gap0 = v128.xor(v128.load(thresholdsPtr), sign), gap1 = v128.xor(v128.load(thresholdsPtr, 16), sign);
  const gap2 = v128.xor(v128.load(thresholdsPtr, 32), sign), gap3 = v128.xor(v128.load(thresholdsPtr, 48), sign);
  const accept = thresholdsPtr + 64;
  let nnz = 0;
  for (let b = 0; b < batch; b++) {
    const counterLo = firstLo + <u32>b;
    const counterHi = firstHi + (counterLo < firstLo ? 1 : 0);
    randomSeed(statePtr, key0, key1, counterLo, counterHi);
    // The generator state lives in locals for the whole sample (randomNext4's step, inlined).
    let s0 = v128.load(statePtr, 0), s1 = v128.load(statePtr, 16), s2 = v128.load(statePtr, 32), s3 = v128.load(statePtr, 48);
    const first = nnz;
    store<i32>(offsetsPtr + (<usize>b << 2), first);
    let j = 0; // the first feature not yet decided
    while (j < nFeatures) {
      const out = i32x4.mul(rotl4(i32x4.mul(s1, i32x4.splat(5)), 7), i32x4.splat(9));
      const t = i32x4.shl(s1, 9);
      s2 = v128.xor(s2, s0); s3 = v128.xor(s3, s1); s1 = v128.xor(s1, s2); s0 = v128.xor(s0, s3); s2 = v128.xor(s2, t); s3 = rotl4(s3, 11);
      const r = i32x4.splat(<i32>(<u32>i32x4.extract_lane(out, 0) ^ SIGN));
      // T_k decreases in k, so the lanes with r < T_k form a prefix and G is their count.
      const below = i32x4.bitmask(i32x4.lt_s(r, gap0)) | (i32x4.bitmask(i32x4.lt_s(r, gap1)) << 4)
        | (i32x4.bitmask(i32x4.lt_s(r, gap2)) << 8) | (i32x4.bitmask(i32x4.lt_s(r, gap3)) << 12);
      const gap = <i32>popcnt(below);
      j += gap;
      const candidate = <i32>(gap < 16) & <i32>(j < nFeatures);
      const at = select(j, 0, candidate); // a readable index when there is no candidate
      const keep = candidate & <i32>(<u32>i32x4.extract_lane(out, 1) <= load<u32>(accept + (<usize>at << 2)));
      store<i32>(indicesPtr + (<usize>nnz << 2), j);
      store<f32>(valuesPtr + (<usize>nnz << 2), <f32>(<f64>(<u32>i32x4.extract_lane(out, 2) >>> 8) * 5.9604644775390625e-8));
      nnz += keep;
      j += candidate;
    }
    // Dense row: zero, then the sample's entries.
    const row = densePtr + (<usize>b * <usize>stride << 2);
    memory.fill(row, 0, <usize>stride << 2);
    for (let e = first; e < nnz; e++) {
      store<f32>(row + (<usize>load<i32>(indicesPtr + (<usize>e << 2)) << 2), load<f32>(valuesPtr + (<usize>e << 2)));
    }
  }
  store<i32>(offsetsPtr + (<usize>batch << 2), nnz);
  return nnz;
}
