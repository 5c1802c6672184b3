// Data sampler of PAPER.md §1: x_j = u ~ U[0,1) with probability p_j, else 0; dense and sparse (CSR) batch.
//
// Sample s (a 64-bit global counter firstSample + b) has its own 4-lane stream seeded by
// randomSeed(key, s), so any sample can be drawn on any worker. Features go in blocks of four: one
// draw R decides lanes l (feature 4t + l) active iff R_l <= threshold_j (unsigned), threshold_j =
// ceil(p_j 2^32) - 1; if any lane is active a second draw V gives values (V_l >>> 8) 2^-24.
// Buffers: thresholds u32[ceil(n/4)*4]; dense f32[batch * stride] (stride >= ceil(n/4)*4, row b at
// b * stride, padding written as 0); offsets i32[batch + 1]; indices i32[nnz]; values f32[nnz] with
// capacity batch * n. statePtr: 80 bytes of scratch. Returns nnz.
import { randomSeed, rotl4 } from "./random";

export function sampleBatch(
  key0: u32, key1: u32, firstLo: u32, firstHi: u32, batch: i32, nFeatures: i32, stride: i32,
  thresholdsPtr: usize, densePtr: usize, offsetsPtr: usize, indicesPtr: usize, valuesPtr: usize,
  statePtr: usize,
): i32 {
  const laneScratch = statePtr + 64;
  const scale = f32x4.splat(5.9604644775390625e-8);
  const blocks = (nFeatures + 3) >> 2;
  const tail = nFeatures & 3;
  let nnz = 0;
  for (let b = 0; b < batch; b++) {
    const counterLo = firstLo + <u32>b;
    const counterHi = firstHi + (counterLo < firstLo ? 1 : 0);
    randomSeed(statePtr, key0, key1, counterLo, counterHi);
    // The generator state lives in locals for the whole sample (randomNext4's step, inlined).
    let s0 = v128.load(statePtr, 0), s1 = v128.load(statePtr, 16), s2 = v128.load(statePtr, 32), s3 = v128.load(statePtr, 48);
    store<i32>(offsetsPtr + (<usize>b << 2), nnz);
    const row = densePtr + (<usize>b * <usize>stride << 2);
    for (let t = 0; t < blocks; t++) {
      let r = i32x4.mul(rotl4(i32x4.mul(s1, i32x4.splat(5)), 7), i32x4.splat(9));
      let u = i32x4.shl(s1, 9);
      s2 = v128.xor(s2, s0); s3 = v128.xor(s3, s1); s1 = v128.xor(s1, s2); s0 = v128.xor(s0, s3); s2 = v128.xor(s2, u); s3 = rotl4(s3, 11);
      let mask = i32x4.le_u(r, v128.load(thresholdsPtr + (<usize>t << 4)));
      if (t == blocks - 1 && tail != 0) {
        mask = v128.and(mask, tail == 1 ? i32x4(-1, 0, 0, 0) : tail == 2 ? i32x4(-1, -1, 0, 0) : i32x4(-1, -1, -1, 0));
      }
      let bits = i32x4.bitmask(mask);
      const out = row + (<usize>t << 4);
      if (bits == 0) {
        v128.store(out, i32x4.splat(0));
        continue;
      }
      const v = i32x4.mul(rotl4(i32x4.mul(s1, i32x4.splat(5)), 7), i32x4.splat(9));
      u = i32x4.shl(s1, 9);
      s2 = v128.xor(s2, s0); s3 = v128.xor(s3, s1); s1 = v128.xor(s1, s2); s0 = v128.xor(s0, s3); s2 = v128.xor(s2, u); s3 = rotl4(s3, 11);
      const values = v128.and(f32x4.mul(f32x4.convert_i32x4_u(i32x4.shr_u(v, 8)), scale), mask);
      v128.store(out, values);
      v128.store(laneScratch, values);
      while (bits != 0) {
        const l = ctz(bits);
        bits &= bits - 1;
        store<i32>(indicesPtr + (<usize>nnz << 2), (t << 2) + l);
        store<f32>(valuesPtr + (<usize>nnz << 2), load<f32>(laneScratch + (<usize>l << 2)));
        nnz++;
      }
    }
    for (let j = blocks << 2; j < stride; j++) store<f32>(row + (<usize>j << 2), 0);
  }
  store<i32>(offsetsPtr + (<usize>batch << 2), nnz);
  return nnz;
}
