// Plain-TS twin of assembly/random.ts: counter-seeded 4-lane xoshiro128**, bit-identical outputs.
//
// State: Uint32Array(16), word w of lane l at index 4 * w + l (the wasm layout).

const GOLDEN = 0x9e3779b9;

/** MurmurHash3 finalizer on u32. */
export function fmix32(h: number): number {
  h >>>= 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Seeds `state` from a stream key (key0, key1) and a 64-bit counter (counterLo, counterHi). */
export function randomSeed(state: Uint32Array, key0: number, key1: number, counterLo: number, counterHi: number): void {
  const a = fmix32((key0 ^ fmix32((counterLo + GOLDEN) >>> 0)) >>> 0);
  const b = fmix32((key1 ^ fmix32((counterHi ^ a) >>> 0)) >>> 0);
  for (let q = 0; q < 16; q++) {
    state[q] = fmix32((a ^ fmix32((b + Math.imul(q + 1, GOLDEN)) >>> 0)) >>> 0);
  }
  for (let l = 0; l < 4; l++) {
    if ((state[l] | state[4 + l] | state[8 + l] | state[12 + l]) === 0) state[l] = 1;
  }
}

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

/** One xoshiro128** step of all four lanes; writes the four outputs to out[0..3]. */
export function randomNext4(state: Uint32Array, out: Uint32Array): void {
  for (let l = 0; l < 4; l++) {
    const s0 = state[l], s1 = state[4 + l], s2 = state[8 + l], s3 = state[12 + l];
    out[l] = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    const n2 = (s2 ^ s0) >>> 0;
    const n3 = (s3 ^ s1) >>> 0;
    const n1 = (s1 ^ n2) >>> 0;
    const n0 = (s0 ^ n3) >>> 0;
    state[l] = n0;
    state[4 + l] = n1;
    state[8 + l] = (n2 ^ t) >>> 0;
    state[12 + l] = rotl(n3, 11);
  }
}

/** `count` consecutive u32 outputs of the lane-ordered stream. */
export function randomFillU32(state: Uint32Array, out: Uint32Array, count: number): void {
  const r = new Uint32Array(4);
  for (let i = 0; i < count; i++) {
    if ((i & 3) === 0) randomNext4(state, r);
    out[i] = r[i & 3];
  }
}

/** out[i] = f32(lo + (hi - lo) u), u = (r >>> 8) 2^-24, from the lane-ordered stream (f64 then one rounding). */
export function randomFillUniform(state: Uint32Array, out: Float32Array, count: number, lo: number, hi: number): void {
  const width = hi - lo;
  const r = new Uint32Array(4);
  for (let i = 0; i < count; i++) {
    if ((i & 3) === 0) randomNext4(state, r);
    out[i] = lo + width * ((r[i & 3] >>> 8) * 5.9604644775390625e-8);
  }
}

/** Named streams of one seed; the key of (seed, stream) is the same on every backend. */
const STREAM = { init: 1, train: 2, evaluate: 3, rug: 4, statistics: 5 } as const;
export type StreamName = keyof typeof STREAM;

/** Stream key (key0, key1) for a u32 seed and a named stream. */
export function streamKey(seed: number, stream: StreamName): [number, number] {
  const id = STREAM[stream];
  const key0 = fmix32((seed ^ fmix32(Math.imul(id, GOLDEN) >>> 0)) >>> 0);
  const key1 = fmix32((key0 + Math.imul(id, 0x85ebca77)) >>> 0);
  return [key0, key1];
}
