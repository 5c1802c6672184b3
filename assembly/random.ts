// Counter-based seeding (fmix32) and a 4-lane xoshiro128** generator; the project's only PRNG.
//
// State layout (16 u32 = 64 bytes at statePtr): word w of lane l at statePtr + 4 * (4 * w + l),
// so one v128 holds word w of all four lanes. Output i of a lane-ordered stream is lane (i & 3) of
// draw (i >> 2). The TS twin is src/reference/random.ts; outputs are bit-identical.

// @ts-ignore: decorator
@inline const GOLDEN: u32 = 0x9e3779b9;

/** MurmurHash3 finalizer: a bijection on u32 with full avalanche. */
// @ts-ignore: decorator
@inline export function fmix32(h: u32): u32 {
  h ^= h >>> 16;
  h *= 0x85ebca6b;
  h ^= h >>> 13;
  h *= 0xc2b2ae35;
  h ^= h >>> 16;
  return h;
}

/**
 * Seeds the 4-lane state from a stream key (key0, key1) and a 64-bit counter (counterLo, counterHi).
 * Word q = 4 * w + l gets fmix32(a ^ fmix32(b + (q + 1) * GOLDEN)); a lane whose four words are all
 * zero (the one forbidden xoshiro state) gets word 0 = 1.
 */
export function randomSeed(statePtr: usize, key0: u32, key1: u32, counterLo: u32, counterHi: u32): void {
  const a = fmix32(key0 ^ fmix32(counterLo + GOLDEN));
  const b = fmix32(key1 ^ fmix32(counterHi ^ a));
  for (let q: u32 = 0; q < 16; q++) {
    store<u32>(statePtr + (<usize>q << 2), fmix32(a ^ fmix32(b + (q + 1) * GOLDEN)));
  }
  for (let l: usize = 0; l < 4; l++) {
    const p = statePtr + (l << 2);
    if ((load<u32>(p) | load<u32>(p, 16) | load<u32>(p, 32) | load<u32>(p, 48)) == 0) store<u32>(p, 1);
  }
}

// @ts-ignore: decorator
@inline export function rotl4(x: v128, k: i32): v128 {
  return v128.or(i32x4.shl(x, k), i32x4.shr_u(x, 32 - k));
}

/** One xoshiro128** step on all four lanes; returns the four outputs. */
// @ts-ignore: decorator
@inline export function randomNext4(statePtr: usize): v128 {
  let s0 = v128.load(statePtr, 0);
  let s1 = v128.load(statePtr, 16);
  let s2 = v128.load(statePtr, 32);
  let s3 = v128.load(statePtr, 48);
  const result = i32x4.mul(rotl4(i32x4.mul(s1, i32x4.splat(5)), 7), i32x4.splat(9));
  const t = i32x4.shl(s1, 9);
  s2 = v128.xor(s2, s0);
  s3 = v128.xor(s3, s1);
  s1 = v128.xor(s1, s2);
  s0 = v128.xor(s0, s3);
  s2 = v128.xor(s2, t);
  s3 = rotl4(s3, 11);
  v128.store(statePtr, s0, 0);
  v128.store(statePtr, s1, 16);
  v128.store(statePtr, s2, 32);
  v128.store(statePtr, s3, 48);
  return result;
}

/** Writes `count` consecutive u32 outputs of the lane-ordered stream to outPtr (u32[count]). */
export function randomFillU32(statePtr: usize, outPtr: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) v128.store(outPtr + (<usize>i << 2), randomNext4(statePtr));
  if (i < count) {
    const r = randomNext4(statePtr);
    for (let l = 0; i < count; i++, l++) store<u32>(outPtr + (<usize>i << 2), laneOf(r, l));
  }
}

// @ts-ignore: decorator
@inline function laneOf(r: v128, l: i32): u32 {
  return l == 0 ? i32x4.extract_lane(r, 0) : l == 1 ? i32x4.extract_lane(r, 1) : l == 2 ? i32x4.extract_lane(r, 2) : i32x4.extract_lane(r, 3);
}

/**
 * Writes `count` f32 values lo + (hi - lo) * u to outPtr, u = (r >>> 8) * 2^-24 in [0, 1) from the
 * lane-ordered stream; computed in f64 and rounded once, so the TS twin matches bit for bit.
 */
export function randomFillUniform(statePtr: usize, outPtr: usize, count: i32, lo: f64, hi: f64): void {
  const width = hi - lo;
  let r = i32x4.splat(0);
  for (let i = 0; i < count; i++) {
    const l = i & 3;
    if (l == 0) r = randomNext4(statePtr);
    const u = <f64>(laneOf(r, l) >>> 8) * 5.9604644775390625e-8;
    store<f32>(outPtr + (<usize>i << 2), <f32>(lo + width * u));
  }
}
