// Specs of assembly/random.ts: xoshiro128** known answers, seeding, uniform range.
import { randomSeed, randomFillU32, randomFillUniform, fmix32 } from "../random";

function ptr<T>(a: T): usize {
  // @ts-ignore: dataStart exists on typed arrays
  return a.dataStart;
}

describe("fmix32", () => {
  it("is the MurmurHash3 finalizer", () => {
    expect<u32>(fmix32(0)).toBe(0);
    expect<u32>(fmix32(1)).toBe(0x514e28b7);
  });
});

describe("randomFillU32", () => {
  it("gives xoshiro128** outputs for a hand-set state", () => {
    // Lane l starts at s = (1 + l, 2 + l, 3 + l, 4 + l); first output rotl(5 s1, 7) * 9.
    const state = new Uint32Array(16);
    for (let w = 0; w < 4; w++) for (let l = 0; l < 4; l++) state[4 * w + l] = <u32>(w + 1 + l);
    const out = new Uint32Array(8);
    randomFillU32(ptr(state), ptr(out), 8);
    expect<u32>(out[0]).toBe(11520); // rotl(10, 7) * 9 = 1280 * 9
    expect<u32>(out[1]).toBe(17280); // rotl(15, 7) * 9
    expect<u32>(out[2]).toBe(23040);
    expect<u32>(out[3]).toBe(28800);
    // Second output of lane 0 (reference xoshiro128** from state 1,2,3,4): 0
    expect<u32>(out[4]).toBe(0);
  });

  it("depends on the counter and repeats for the same counter", () => {
    const state = new Uint32Array(16);
    const a = new Uint32Array(4), b = new Uint32Array(4), c = new Uint32Array(4);
    randomSeed(ptr(state), 7, 9, 0, 0);
    randomFillU32(ptr(state), ptr(a), 4);
    randomSeed(ptr(state), 7, 9, 0, 0);
    randomFillU32(ptr(state), ptr(b), 4);
    randomSeed(ptr(state), 7, 9, 1, 0);
    randomFillU32(ptr(state), ptr(c), 4);
    for (let i = 0; i < 4; i++) expect<u32>(a[i]).toBe(b[i]);
    expect<bool>(a[0] != c[0] || a[1] != c[1]).toBe(true);
  });
});

describe("randomFillUniform", () => {
  it("stays in [lo, hi) with mean near the middle", () => {
    const state = new Uint32Array(16);
    randomSeed(ptr(state), 1, 2, 3, 4);
    const out = new Float32Array(10001);
    randomFillUniform(ptr(state), ptr(out), 10001, -0.5, 0.5);
    let sum: f64 = 0;
    for (let i = 0; i < out.length; i++) {
      expect<bool>(out[i] >= -0.5 && out[i] < 0.5).toBe(true);
      sum += out[i];
    }
    expect<f64>(Math.abs(sum / 10001)).toBeLessThan(0.015); // 5 standard errors of U(-1/2, 1/2)
  });
});
