// The PRNG is bit-identical in wasm and TS, and the stream keys separate seeds and streams.
import { describe, expect, test } from 'vitest';
import { randomSeed, randomFillU32, randomFillUniform, streamKey, fmix32 } from '../../src/reference/random.js';
import { wasmKernels } from '../helpers.js';

describe('random', () => {
  test('fmix32 and the xoshiro128** known answer match the AssemblyScript specs', () => {
    expect(fmix32(1)).toBe(0x514e28b7);
    const state = new Uint32Array(16);
    for (let w = 0; w < 4; w++) for (let l = 0; l < 4; l++) state[4 * w + l] = w + 1 + l;
    const out = new Uint32Array(5);
    randomFillU32(state, out, 5);
    expect(Array.from(out)).toEqual([11520, 17280, 23040, 28800, 0]);
  });

  test.each([[0, 0, 0, 0, 1000], [0xdeadbeef, 12345, 4294967295, 7, 1003], [1, 2, 3, 4294967295, 17]])(
    'wasm and TS streams are bit-identical (key %i %i, counter %i %i, %i outputs)',
    async (key0, key1, lo, hi, count) => {
      const k = await wasmKernels();
      const statePtr = k.allocate('u32', 16);
      const outPtr = k.allocate('u32', count);
      k.exports.randomSeed(statePtr, key0, key1, lo, hi);
      const state = new Uint32Array(16);
      randomSeed(state, key0, key1, lo, hi);
      expect(Array.from(k.arena.u32(statePtr, 16))).toEqual(Array.from(state));
      k.exports.randomFillU32(statePtr, outPtr, count);
      const ts = new Uint32Array(count);
      randomFillU32(state, ts, count);
      expect(Array.from(k.arena.u32(outPtr, count))).toEqual(Array.from(ts));
    },
  );

  test('uniform fills are bit-identical and inside [lo, hi)', async () => {
    const k = await wasmKernels();
    const count = 4099;
    const statePtr = k.allocate('u32', 16);
    const outPtr = k.allocate('f32', count);
    k.exports.randomSeed(statePtr, 11, 22, 33, 0);
    k.exports.randomFillUniform(statePtr, outPtr, count, -0.125, 0.125);
    const state = new Uint32Array(16);
    randomSeed(state, 11, 22, 33, 0);
    const ts = new Float32Array(count);
    randomFillUniform(state, ts, count, -0.125, 0.125);
    expect(Array.from(k.arena.f32(outPtr, count))).toEqual(Array.from(ts));
    expect(Math.min(...ts)).toBeGreaterThanOrEqual(-0.125);
    expect(Math.max(...ts)).toBeLessThan(0.125);
  });

  test('stream keys differ across seeds and streams', () => {
    const keys = new Set<string>();
    for (const seed of [0, 1, 2, 4294967295]) for (const s of ['init', 'train', 'evaluate'] as const) keys.add(streamKey(seed, s).join(','));
    expect(keys.size).toBe(12);
  });

  test('outputs are close to uniform on 32 bits (chi-square over 16 bins)', () => {
    const state = new Uint32Array(16);
    randomSeed(state, 5, 6, 0, 0);
    const n = 64000;
    const out = new Uint32Array(n);
    randomFillU32(state, out, n);
    const bins = new Array(16).fill(0);
    for (const v of out) bins[v >>> 28]++;
    const e = n / 16;
    const chi2 = bins.reduce((a, c) => a + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(37.7); // 99.9th percentile of chi-square with 15 dof
  });
});
