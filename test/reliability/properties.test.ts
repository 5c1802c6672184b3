// Property-based tests (fast-check): every kernel of the KernelSet against its twin on random shapes and values
// (wasm vs reference, tolerances of test/tolerance.ts), and the train flag parser on random argument lists.
// Runs are seeded (FC_SEED, default fixed) so the suite is reproducible; set FC_SEED to explore other cases.
import { beforeAll, describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { decoderBackwardScratchWords, decoderForwardScratchWords, encoderBackwardScratchWords, type KernelSet } from '../../src/kernelSet.js';
import { sampleThresholds } from '../../src/reference/sample.js';
import { packDecoderPanels as packDecoderPanelsTwin, panelOffset } from '../../src/reference/layout.js';
import { ConfigError, resolveTrainConfig, TRAIN_SCHEMA } from '../../src/train/config.js';
import { parseFlags } from '../../src/cli/flags.js';
import { TRAIN_FLAGS } from '../../src/cli/train.js';
import type { WasmKernels } from '../../src/wasm/kernels.js';
import { adamUpdateRelative, KERNEL } from '../tolerance.js';
import { put, referenceKernels, wasmKernels } from '../helpers.js';
import { runMain } from './cli.js';

const RUNS = { seed: Number(process.env.FC_SEED ?? 20241012), numRuns: 40 };

let wasm: WasmKernels;
beforeAll(async () => { wasm = await wasmKernels(); });

/** |actual_i - expected_i| <= relative * scale_i + absolute, scale_i = sum of |terms| of output i (or max |expected|). */
function expectWithin(actual: ArrayLike<number>, expected: ArrayLike<number>, scale: ArrayLike<number> | number, relative: number, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const s = typeof scale === 'number' ? scale : scale[i];
    const bound = relative * s + KERNEL.absolute;
    if (!(Math.abs(actual[i] - expected[i]) <= bound)) {
      throw new Error(`${what}[${i}] = ${actual[i]}, twin ${expected[i]} (|diff| ${Math.abs(actual[i] - expected[i]).toExponential(2)} > ${bound.toExponential(2)})`);
    }
  }
}
const maxAbs = (a: ArrayLike<number>): number => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i])); return m; };
const abs = (a: Float32Array): Float32Array => a.map(Math.abs);

/** A model shape with the model's strides: featureStride = ceil(n/8)*8, hiddenStride = ceil(m/4)*4. */
const shape = fc.record({ batch: fc.integer({ min: 1, max: 24 }), n: fc.integer({ min: 1, max: 40 }), m: fc.integer({ min: 1, max: 20 }), p: fc.double({ min: 0.01, max: 1, noNaN: true }) })
  .map((s) => ({ ...s, fs: Math.ceil(s.n / 8) * 8, hs: Math.ceil(s.m / 4) * 4 }));
type Shape = { batch: number; n: number; m: number; p: number; fs: number; hs: number };

/** rows x cols values in [-scale, scale] at row stride `stride` (padding 0), from a seed. */
function padded(rows: number, cols: number, stride: number, seed: number, scale = 1): Float32Array {
  const out = new Float32Array(Math.max(1, rows * stride));
  let s = seed >>> 0;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[r * stride + c] = Math.fround(scale * (2 * (s / 4294967296) - 1));
  }
  return out;
}

/** The CSR batch of the sampler (bit-identical on both sets; checked by the sampleBatch property). */
function sample<B>(k: KernelSet<B>, s: Shape, key: number) {
  const thresholds = put(k, 'u32', sampleThresholds(new Array(s.n).fill(s.p), s.n));
  const dense = k.allocate('f32', s.batch * s.fs), offsets = k.allocate('i32', s.batch + 1);
  const indices = k.allocate('i32', s.batch * s.n), values = k.allocate('f32', s.batch * s.n);
  const nnz = k.sampleBatch(key, key ^ 0x9e3779b9, key * 7, s.batch, s.n, s.fs, thresholds, dense, offsets, indices, values);
  return { nnz, dense, offsets, indices, values };
}

describe('every kernel equals its twin on random shapes and values', () => {
  test('sampleBatch: nnz, dense batch and CSR bit-identical', () => {
    fc.assert(fc.property(shape, fc.nat(), fc.integer({ min: 0, max: 2 ** 40 }), (s, key, first) => {
      const run = <B>(k: KernelSet<B>) => {
        const thresholds = put(k, 'u32', sampleThresholds(new Array(s.n).fill(s.p), s.n));
        const dense = k.allocate('f32', s.batch * s.fs), offsets = k.allocate('i32', s.batch + 1);
        const indices = k.allocate('i32', s.batch * s.n), values = k.allocate('f32', s.batch * s.n);
        const nnz = k.sampleBatch(key >>> 0, (key * 31) >>> 0, first, s.batch, s.n, s.fs, thresholds, dense, offsets, indices, values);
        // the CSR indices and offsets are implied by the dense batch (its nonzeros, row by row) and the values
        return { nnz, dense: Array.from(k.readF32(dense, s.batch * s.fs)), values: Array.from(k.readF32(values, nnz)) };
      };
      expect(run(wasm)).toEqual(run(referenceKernels));
    }), RUNS);
  });

  test('encoderForward: hidden within KERNEL.relative of the sum of |terms|', () => {
    fc.assert(fc.property(shape, fc.nat(), (s, seed) => {
      const run = <B>(k: KernelSet<B>, absolute: boolean) => {
        const x = sample(k, s, seed);
        if (absolute) k.write(x.values, 'f32', abs(k.readF32(x.values, Math.max(1, x.nnz))));
        const w = padded(s.n, s.m, s.hs, seed + 1);
        const winT = put(k, 'f32', absolute ? abs(w) : w), hidden = k.allocate('f32', s.batch * s.hs);
        k.encoderForward(s.batch, s.hs, x.offsets, x.indices, x.values, winT, hidden);
        return k.readF32(hidden, s.batch * s.hs);
      };
      expectWithin(run(wasm, false), run(referenceKernels, false), run(referenceKernels, true), KERNEL.relative, 'hidden');
    }), RUNS);
  });

  test('encoderBackward (fresh and accumulating): gradWinT within 10 KERNEL.relative of the sum of |terms|', () => {
    fc.assert(fc.property(shape, fc.nat(), fc.boolean(), (s, seed, accumulate) => {
      const run = <B>(k: KernelSet<B>, absolute: boolean) => {
        const x = sample(k, s, seed);
        const a = (v: Float32Array) => (absolute ? abs(v) : v);
        if (absolute) k.write(x.values, 'f32', abs(k.readF32(x.values, Math.max(1, x.nnz))));
        const dHidden = put(k, 'f32', a(padded(s.batch, s.m, s.hs, seed + 2)));
        const grad = put(k, 'f32', a(padded(s.n, s.m, s.hs, seed + 3)));
        k.encoderBackward(s.batch, s.n, s.hs, x.offsets, x.indices, x.values, dHidden, grad, accumulate, k.allocate('i32', encoderBackwardScratchWords(s.batch, s.n, s.hs)));
        return k.readF32(grad, s.n * s.hs);
      };
      expectWithin(run(wasm, false), run(referenceKernels, false), run(referenceKernels, true), 10 * KERNEL.relative, 'gradWinT');
    }), RUNS);
  });

  test('decoderForward, every activation and panel width: loss, dPre and per-feature loss within KERNEL tolerance', () => {
    fc.assert(fc.property(shape, fc.nat(), fc.integer({ min: 0, max: 4 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean(), fc.integer({ min: 1, max: 5 }), (s, seed, activation, slope, perFeature, panels) => {
      const panelWidth = 8 * Math.min(panels, s.fs / 8);
      // W_out rows [n x hs] packed into the GEMM's column panels by the twin (packDecoderPanels has its own property)
      const woutPanels = new Float32Array(s.hs * s.fs);
      packDecoderPanelsTwin(padded(s.n, s.m, s.hs, seed + 5, 0.5), s.n, s.m, s.hs, woutPanels, s.fs, panelWidth, 0, s.fs);
      const run = <B>(k: KernelSet<B>) => {
        const x = sample(k, s, seed);
        const hidden = put(k, 'f32', padded(s.batch, s.m, s.hs, seed + 4));
        const bias = put(k, 'f32', padded(1, s.n, s.fs, seed + 6, 0.2));
        const importance = put(k, 'f32', padded(1, s.n, s.fs, seed + 7).map((v, i) => (i < s.n ? 0.5 + Math.abs(v) : 0)));
        const dPre = k.allocate('f32', s.batch * s.fs);
        const featureLoss = perFeature ? k.allocate('f64', s.fs) : null;
        if (featureLoss) k.zero(featureLoss, 'f64', s.fs);
        const loss = k.decoderForward(s.batch, s.m, s.hs, s.fs, panelWidth, hidden, put(k, 'f32', woutPanels), bias, x.dense, importance, activation, slope, 2 / (s.batch * s.n), dPre, featureLoss, k.allocate('i32', decoderForwardScratchWords(s.batch, s.hs)));
        return { loss, dPre: k.readF32(dPre, s.batch * s.fs), featureLoss: featureLoss ? k.readF64(featureLoss, s.fs) : new Float64Array(0) };
      };
      const w = run(wasm), r = run(referenceKernels);
      expectWithin([w.loss], [r.loss], Math.abs(r.loss), 10 * KERNEL.relative, 'loss');
      expectWithin(w.dPre, r.dPre, maxAbs(r.dPre), KERNEL.relative, 'dPre');
      expectWithin(w.featureLoss, r.featureLoss, maxAbs(r.featureLoss), KERNEL.relative, 'featureLoss');
    }), RUNS);
  });

  test('decoderBackward (dPre half, fully or not at all nonzero; with and without dHidden): gradients within 10 KERNEL.relative of the sum of |terms|', () => {
    fc.assert(fc.property(shape, fc.nat(), fc.boolean(), fc.constantFrom('half', 'all', 'none'), (s, seed, computeHidden, density) => {
      const run = <B>(k: KernelSet<B>, absolute: boolean) => {
        const a = (v: Float32Array) => (absolute ? abs(v) : v);
        const hidden = put(k, 'f32', a(padded(s.batch, s.m, s.hs, seed + 8)));
        const wout = put(k, 'f32', a(padded(s.n, s.m, s.hs, seed + 9)));
        // 'half': about half of dPre is exactly 0 (inactive ReLU outputs), as in training; 'all': every real
        // output is nonzero (the CSR/CSC lists are full, which exercises the scratch's slack)
        const keep = (i: number) => (density === 'all' ? true : density === 'none' ? false : ((i * 2654435761 + seed) >>> 0) % 2 === 1);
        const dPre = put(k, 'f32', a(padded(s.batch, s.n, s.fs, seed + 10)).map((v, i) => (keep(i) ? (v === 0 && i % s.fs < s.n ? 0.25 : v) : 0)));
        const gradWout = put(k, 'f32', padded(s.n, s.hs, s.hs, 1)), gradBias = put(k, 'f32', padded(1, s.fs, s.fs, 2));
        const dHidden = put(k, 'f32', padded(s.batch, s.hs, s.hs, 3));
        k.decoderBackward(s.batch, s.n, s.hs, s.fs, hidden, wout, dPre, gradWout, gradBias, dHidden, computeHidden, k.allocate('i32', decoderBackwardScratchWords(s.batch, s.fs)));
        return { gradWout: k.readF32(gradWout, s.n * s.hs), gradBias: k.readF32(gradBias, s.n), dHidden: k.readF32(dHidden, s.batch * s.hs) };
      };
      const w = run(wasm, false), r = run(referenceKernels, false), scale = run(referenceKernels, true);
      expectWithin(w.gradWout, r.gradWout, scale.gradWout, 10 * KERNEL.relative, 'gradWout');
      expectWithin(w.gradBias, r.gradBias, scale.gradBias, 10 * KERNEL.relative, 'gradBias');
      // without computeHidden dHidden is untouched (scale 0: bit-identical)
      expectWithin(w.dHidden, r.dHidden, computeHidden ? scale.dHidden : 0, 10 * KERNEL.relative, 'dHidden');
    }), RUNS);
  });

  test('adamUpdate (two gradient shards, any sub-range): parameters and moments within KERNEL tolerance, any step and hyperparameters', () => {
    const hyper = fc.record({ lr: fc.double({ min: 1e-5, max: 1, noNaN: true }), beta1: fc.double({ min: 0, max: 0.99, noNaN: true }), beta2: fc.double({ min: 0.9, max: 0.9999, noNaN: true }), eps: fc.double({ min: 1e-8, max: 1e-3, noNaN: true }), step: fc.integer({ min: 1, max: 10000 }) });
    fc.assert(fc.property(fc.integer({ min: 1, max: 64 }), fc.nat(), hyper, fc.nat(), fc.nat(), (quads, seed, h, a, b) => {
      const count = 4 * quads;
      // elements [first, first + size) only; the rest must stay as it was
      const first = 4 * (a % quads), size = 4 * (b % (quads - first / 4) + 1);
      const run = <B>(k: KernelSet<B>) => {
        const param = put(k, 'f32', padded(1, count, count, seed)), grad = put(k, 'f32', padded(1, count, count, seed + 1, 0.1));
        const gradOther = put(k, 'f32', padded(1, count, count, seed + 4, 0.1));
        const moment = put(k, 'f32', padded(1, count, count, seed + 2, 0.01)), velocity = put(k, 'f32', abs(padded(1, count, count, seed + 3, 1e-3)));
        k.adamUpdate(param, grad, gradOther, moment, velocity, first, size, h.lr, h.beta1, h.beta2, h.eps, 1 - h.beta1 ** h.step, 1 - h.beta2 ** h.step);
        return { param: k.readF32(param, count), moment: k.readF32(moment, count), velocity: k.readF32(velocity, count) };
      };
      const w = run(wasm), r = run(referenceKernels);
      const outside = (v: Float32Array) => Array.from(v).filter((_, i) => i < first || i >= first + size);
      expect(outside(w.param)).toEqual(outside(padded(1, count, count, seed)));
      expect(outside(w.moment)).toEqual(outside(padded(1, count, count, seed + 2, 0.01)));
      for (const key of ['moment', 'velocity'] as const) expectWithin(w[key], r[key], maxAbs(r[key]), KERNEL.relative, key);
      // the update's own error (f32 hyperparameters) scales with |update|, see adamUpdateRelative
      const before = padded(1, count, count, seed), top = maxAbs(r.param), factor = adamUpdateRelative(h.beta1, h.beta2) / KERNEL.relative;
      expectWithin(w.param, r.param, r.param.map((p, i) => top + factor * Math.abs(p - before[i])), KERNEL.relative, 'param');
    }), RUNS);
  });

  test('packDecoderPanels over a column range: bit-identical, and two halves make the whole', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 6 }), fc.nat(), fc.nat(), (nFeatures, nHidden, panels, seed, at) => {
      const hiddenStride = Math.ceil(nHidden / 4) * 4, featureStride = Math.ceil(nFeatures / 8) * 8;
      const panelWidth = 8 * panels;
      const split = 8 * (at % (featureStride / 8 + 1));
      const run = <B>(k: KernelSet<B>, ranges: [number, number][]) => {
        const src = put(k, 'f32', padded(nFeatures, nHidden, hiddenStride, seed)), dst = put(k, 'f32', padded(1, hiddenStride * featureStride, hiddenStride * featureStride, seed + 1));
        for (const [a, b] of ranges) k.packDecoderPanels(src, nFeatures, nHidden, hiddenStride, dst, featureStride, panelWidth, a, b);
        return Array.from(k.readF32(dst, hiddenStride * featureStride));
      };
      const whole = run(referenceKernels, [[0, featureStride]]);
      expect(run(wasm, [[0, featureStride]])).toEqual(whole);
      expect(run(wasm, [[split, featureStride], [0, split]])).toEqual(whole);
      // a range leaves the other columns as they were
      const left = run(wasm, [[0, split]]), untouched = padded(1, hiddenStride * featureStride, hiddenStride * featureStride, seed + 1);
      for (let i = split; i < featureStride; i++) {
        for (let kk = 0; kk < hiddenStride; kk++) {
          const o = panelOffset(kk, i, hiddenStride, featureStride, panelWidth);
          expect(left[o]).toBe(untouched[o]);
        }
      }
      expect(left).toEqual(run(referenceKernels, [[0, split]]));
    }), RUNS);
  });
});

describe('the train flag parser on random argument lists', () => {
  const flagNames = [...TRAIN_SCHEMA.flatMap((f) => (f.negatedFlag ? [f.flag, f.negatedFlag] : [f.flag])), 'out', 'json', 'checkpoint-every', 'resume', 'bogus'];
  const value = fc.oneof(
    fc.constantFrom('0', '1', '-1', '2', '8', '0.5', '1e3', '1e400', '-0', 'NaN', 'nan', 'inf', '-Infinity', '0x10', '', ' ', '1,2', '0.1,0.2,0.3', 'geometric:0.9', 'geometric:x', 'relu', 'gelu', 'js', 'wasm', 'true', 'false', '--', '-5'),
    fc.double().map(String), fc.integer().map(String), fc.string({ maxLength: 8 }),
  );
  const token = fc.oneof(
    fc.constantFrom(...flagNames).map((f) => `--${f}`),
    fc.tuple(fc.constantFrom(...flagNames), value).map(([f, v]) => `--${f}=${v}`),
    value,
  );

  test('the train flags + resolveTrainConfig throw nothing but ConfigError', () => {
    fc.assert(fc.property(fc.array(token, { maxLength: 10 }), (argv) => {
      try {
        resolveTrainConfig(parseFlags(TRAIN_FLAGS, argv).trainConfig());
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        expect(error.message.length).toBeGreaterThan(0);
        expect(error.message).not.toContain('\n');
      }
    }), { ...RUNS, numRuns: 500 });
  });

  test('main(["train", ...random]) on a tiny model never throws: exit 0, or 2 with one line', async () => {
    // the tiny size is fixed at the end; random flags may conflict with it (exit 2), never run long
    const tiny = ['--n', '8', '--m', '2', '--steps', '2', '--batch', '8', '--eval-samples', '8', '--samples-per-epoch', '8'];
    const fixed = new Set(['n', 'm', 'steps', 'batch', 'eval-samples', 'samples-per-epoch', 'epochs', 'threads', 'out', 'resume', 'checkpoint-every']);
    const randomToken = fc.oneof(
      fc.constantFrom(...flagNames.filter((f) => !fixed.has(f))).map((f) => `--${f}`),
      fc.tuple(fc.constantFrom(...flagNames.filter((f) => !fixed.has(f))), value).map(([f, v]) => `--${f}=${v}`),
      value.filter((v) => !v.startsWith('--')),
    );
    await fc.assert(fc.asyncProperty(fc.array(randomToken, { maxLength: 6 }), async (argv) => {
      const r = await runMain(['train', ...argv, ...tiny, '--threads', '1']);
      expect(r.error).toBeUndefined();
      expect([0, 2]).toContain(r.code);
      if (r.code === 2) expect(r.err).toHaveLength(1);
    }), { ...RUNS, numRuns: 40 });
  });
});
