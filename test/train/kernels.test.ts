// Every wasm kernel against its TS twin through the shared KernelSet, on random shapes incl. non-multiples of the SIMD width.
import { describe, expect, test } from 'vitest';
import { decoderBackwardScratchWords, decoderForwardScratchWords, encoderBackwardScratchWords, type KernelSet } from '../../src/kernelSet.js';
import { sampleThresholds } from '../../src/reference/sample.js';
import { KERNEL, expectClose } from '../tolerance.js';
import { put, referenceKernels, testValues, wasmKernels } from '../helpers.js';

interface Shape { batch: number; n: number; m: number; p: number }
const SHAPES: Shape[] = [
  { batch: 1, n: 1, m: 1, p: 1 },
  { batch: 3, n: 5, m: 2, p: 0.5 },
  { batch: 7, n: 13, m: 6, p: 0.3 },
  { batch: 33, n: 67, m: 17, p: 0.1 },
  { batch: 64, n: 256, m: 64, p: 0.045 },
  // hiddenStride 100: rows of 400 bytes, two gather column blocks (384 + 16 bytes: four passes of 6 accumulators, then one)
  { batch: 20, n: 40, m: 98, p: 0.2 },
  // featureStride 1104: three feature blocks of the dHidden gather (512 + 512 + 80); rows of 128 bytes (6 accumulators, then 2)
  { batch: 9, n: 1100, m: 30, p: 0.3 },
];

/** Runs the whole forward/backward kernel chain on one kernel set; returns every output buffer. */
function chain<B>(k: KernelSet<B>, s: Shape, activation: number): Record<string, Float32Array | Float64Array | number> {
  const fs = Math.ceil(s.n / 8) * 8, hs = Math.ceil(s.m / 4) * 4;
  const pad = (rows: number, cols: number, stride: number, seed: number, scale: number): Float32Array => {
    const v = testValues(rows * cols, seed, -scale, scale);
    const out = new Float32Array(rows * stride);
    for (let r = 0; r < rows; r++) out.set(v.subarray(r * cols, (r + 1) * cols), r * stride);
    return out;
  };
  const winT = put(k, 'f32', pad(s.n, s.m, hs, 1, 0.5));

  const biasValues = new Float32Array(fs); biasValues.set(testValues(s.n, 3, -0.2, 0.2));
  const bias = put(k, 'f32', biasValues);
  const importanceValues = new Float32Array(fs); importanceValues.set(testValues(s.n, 4, 0.5, 2));
  const importance = put(k, 'f32', importanceValues);
  const thresholds = put(k, 'u32', sampleThresholds(new Array(s.n).fill(s.p), s.n));
  const dense = k.allocate('f32', s.batch * fs), offsets = k.allocate('i32', s.batch + 1);
  const indices = k.allocate('i32', s.batch * s.n), values = k.allocate('f32', s.batch * s.n);
  const hidden = k.allocate('f32', s.batch * hs), dHidden = k.allocate('f32', s.batch * hs), dPre = k.allocate('f32', s.batch * fs);
  const gradWinT = k.allocate('f32', s.n * hs), gradWout = k.allocate('f32', s.n * hs), gradBias = k.allocate('f32', fs);
  // wout [n x hs]: row i of W_out, the same values as woutT transposed.
  const woutRows = (() => { const w = new Float32Array(s.n * hs); const t = pad(s.m, s.n, fs, 2, 0.5); for (let i = 0; i < s.n; i++) for (let kk = 0; kk < s.m; kk++) w[i * hs + kk] = t[kk * fs + i]; return put(k, 'f32', w); })();
  // Panels of 16 columns: several per row, and a narrower last one when fs = 8 (mod 16).
  const panelWidth = 16;
  const woutPanels = put(k, 'f32', testValues(hs * fs, 11));
  k.packDecoderPanels(woutRows, s.n, s.m, hs, woutPanels, fs, panelWidth, 0, fs);
  const panels = k.readF32(woutPanels, hs * fs);
  const featureLoss = k.allocate('f64', fs);
  k.zero(featureLoss, 'f64', fs);
  const nnz = k.sampleBatch(5, 6, 1000, s.batch, s.n, fs, thresholds, dense, offsets, indices, values);
  k.encoderForward(s.batch, hs, offsets, indices, values, winT, hidden);
  const loss = k.decoderForward(s.batch, s.m, hs, fs, panelWidth, hidden, woutPanels, bias, dense, importance, activation, 0.05, 2 / (s.batch * s.n), dPre, featureLoss, k.allocate('i32', decoderForwardScratchWords(s.batch, hs)));
  k.decoderBackward(s.batch, s.n, hs, fs, hidden, woutRows, dPre, gradWout, gradBias, dHidden, true, k.allocate('i32', decoderBackwardScratchWords(s.batch, fs)));
  k.encoderBackward(s.batch, s.n, hs, offsets, indices, values, dHidden, gradWinT, false, k.allocate('i32', encoderBackwardScratchWords(s.batch, s.n, hs)));
  const gradWinTOnce = k.readF32(gradWinT, s.n * hs);
  k.encoderBackward(s.batch, s.n, hs, offsets, indices, values, dHidden, gradWinT, true, k.allocate('i32', encoderBackwardScratchWords(s.batch, s.n, hs)));
  const moment = put(k, 'f32', testValues(s.n * hs, 8, -0.01, 0.01));
  const velocity = put(k, 'f32', testValues(s.n * hs, 9, 0, 1e-4));
  // the second shard's gradient: another batch's would do; gradWinT has the same shape
  k.adamUpdate(woutRows, gradWout, gradWinT, moment, velocity, 0, s.n * hs, 1e-3, 0.9, 0.999, 1e-7, 1 - 0.9 ** 3, 1 - 0.999 ** 3);
  return {
    nnz, loss,
    dense: k.readF32(dense, s.batch * fs),
    hidden: k.readF32(hidden, s.batch * hs),
    dPre: k.readF32(dPre, s.batch * fs),
    featureLoss: k.readF64(featureLoss, fs),
    gradWout: k.readF32(gradWout, s.n * hs),
    gradBias: k.readF32(gradBias, fs),
    dHidden: k.readF32(dHidden, s.batch * hs),
    gradWinT: gradWinTOnce,
    gradWinTTwice: k.readF32(gradWinT, s.n * hs),
    woutAfterAdam: k.readF32(woutRows, s.n * hs),
    moment: k.readF32(moment, s.n * hs),
    velocity: k.readF32(velocity, s.n * hs),
    panels,
  };
}

describe('wasm kernels equal their TS twins', () => {
  for (const s of SHAPES) {
    for (const [name, code] of [['relu', 0], ['identity', 1], ['gelu', 2], ['tanh', 3], ['leaky_relu', 4]] as const) {
      if (name !== 'relu' && s.n > 67) continue;
      test(`batch ${s.batch}, n ${s.n}, m ${s.m}, p ${s.p}, ${name}`, async () => {
        const wasm = chain(await wasmKernels(), s, code);
        const ref = chain(referenceKernels, s, code);
        expect(wasm.nnz).toBe(ref.nnz);
        expect(Array.from(wasm.dense as Float32Array)).toEqual(Array.from(ref.dense as Float32Array));
        expect(Math.abs((wasm.loss as number) - (ref.loss as number))).toBeLessThanOrEqual(KERNEL.relative * 10 * Math.abs(ref.loss as number) + KERNEL.absolute);
        // accumulate adds the same terms one by one onto the first result: 2 g up to f32 rounding of a sum over the batch
        expectClose(wasm.gradWinTTwice as Float32Array, Array.from(wasm.gradWinT as Float32Array, (v) => 2 * v), 10 * KERNEL.relative, 0, 'accumulated gradWinT');
        for (const key of ['hidden', 'dPre', 'featureLoss', 'gradWout', 'gradBias', 'dHidden', 'gradWinT', 'woutAfterAdam', 'moment', 'velocity', 'panels']) {
          // Gradients sum over the batch; their error scales with the batch and the size of the terms.
          const relative = KERNEL.relative * (key.startsWith('grad') || key === 'dHidden' ? 10 : 1);
          expectClose(wasm[key] as Float32Array, ref[key] as Float32Array, relative, KERNEL.absolute, key);
        }
      });
    }
  }
});

describe('scratch sizes', () => {
  test('the host allocates what the kernels lay out (words = bytes / 4)', async () => {
    const k = await wasmKernels();
    for (const [batch, n, fs, hs] of [[1, 1, 8, 4], [33, 67, 72, 20], [9, 1100, 1104, 32], [512, 512, 512, 128], [512, 2048, 2048, 512]]) {
      expect(decoderForwardScratchWords(batch, hs) * 4).toBe(k.exports.decoderForwardScratchBytes(batch, hs));
      expect(decoderBackwardScratchWords(batch, fs) * 4).toBe(k.exports.decoderBackwardScratchBytes(batch, fs));
      expect(encoderBackwardScratchWords(batch, n, hs) * 4).toBe(k.exports.encoderBackwardScratchBytes(batch, n, hs));
    }
  });
});

describe('decoderForward sums every pre-activation in k order, in f32', () => {
  // pre[b, i] = bias[i] + h[b, 0] w[0, i] + h[b, 1] w[1, i] + ... as one f32 sum in k order, whatever the panels,
  // the 4-sample groups (re-laid in scratch) or the remainder rows; identity activation, importance 1, target 0 and
  // gradScale 1 make dPre = pre exactly, so it must equal a plain sequential f32 loop bit for bit.
  for (const [batch, n, m, panelWidth] of [[7, 40, 30, 16], [9, 520, 98, 64], [4, 24, 3, 8], [1, 8, 5, 8]] as const) {
    test(`batch ${batch}, n ${n}, m ${m}, panels of ${panelWidth}`, async () => {
      const k = await wasmKernels();
      const fs = Math.ceil(n / 8) * 8, hs = Math.ceil(m / 4) * 4;
      const hidden = new Float32Array(batch * hs), wout = new Float32Array(n * hs), bias = new Float32Array(fs);
      const h = testValues(batch * m, 31), w = testValues(n * m, 32), c = testValues(n, 33);
      for (let b = 0; b < batch; b++) for (let kk = 0; kk < m; kk++) hidden[b * hs + kk] = h[b * m + kk];
      for (let i = 0; i < n; i++) { bias[i] = c[i]; for (let kk = 0; kk < m; kk++) wout[i * hs + kk] = w[i * m + kk]; }
      const panels = k.allocate('f32', hs * fs), dPre = k.allocate('f32', batch * fs);
      k.packDecoderPanels(put(k, 'f32', wout), n, m, hs, panels, fs, panelWidth, 0, fs);
      k.decoderForward(batch, m, hs, fs, panelWidth, put(k, 'f32', hidden), panels, put(k, 'f32', bias), put(k, 'f32', new Float32Array(batch * fs)),
        put(k, 'f32', new Float32Array(fs).fill(1)), 1, 0, 1, dPre, null, k.allocate('i32', decoderForwardScratchWords(batch, hs)));
      const f = Math.fround;
      const expected = new Float32Array(batch * fs);
      for (let b = 0; b < batch; b++) for (let i = 0; i < n; i++) {
        let a = bias[i];
        for (let kk = 0; kk < m; kk++) a = f(a + f(hidden[b * hs + kk] * wout[i * hs + kk]));
        expected[b * fs + i] = a;
      }
      expect(Array.from(k.readF32(dPre, batch * fs))).toEqual(Array.from(expected));
    });
  }
});

describe('decoderBackward sums every output in index order, in f32', () => {
  // Each output of the wasm kernel is one f32 sum of its nonzero terms in ascending order (i for dHidden, b for
  // gradWout and gradBias), however it is blocked (columns, feature blocks, register widths); so it equals, bit for
  // bit, this plain sequential f32 loop (Math.fround after every product and sum). Shapes cross every blocking edge.
  for (const [batch, n, m] of [[7, 1100, 30], [5, 520, 98], [3, 40, 3]] as const) {
    test(`batch ${batch}, n ${n}, m ${m}`, async () => {
      const k = await wasmKernels();
      const fs = Math.ceil(n / 8) * 8, hs = Math.ceil(m / 4) * 4;
      const hidden = new Float32Array(batch * hs), wout = new Float32Array(n * hs), dPre = new Float32Array(batch * fs);
      const h = testValues(batch * m, 21), w = testValues(n * m, 22), d = testValues(batch * n, 23);
      for (let b = 0; b < batch; b++) for (let kk = 0; kk < m; kk++) hidden[b * hs + kk] = h[b * m + kk];
      for (let i = 0; i < n; i++) for (let kk = 0; kk < m; kk++) wout[i * hs + kk] = w[i * m + kk];
      // about half the output gradients zero, as early in training
      for (let b = 0; b < batch; b++) for (let i = 0; i < n; i++) dPre[b * fs + i] = d[b * n + i] > 0 ? d[b * n + i] : 0;
      const gradWout = k.allocate('f32', n * hs), gradBias = k.allocate('f32', fs), dHidden = k.allocate('f32', batch * hs);
      k.decoderBackward(batch, n, hs, fs, put(k, 'f32', hidden), put(k, 'f32', wout), put(k, 'f32', dPre), gradWout, gradBias, dHidden, true,
        k.allocate('i32', decoderBackwardScratchWords(batch, fs)));
      const f = Math.fround;
      const expectedDHidden = new Float32Array(batch * hs), expectedGradWout = new Float32Array(n * hs), expectedGradBias = new Float32Array(fs);
      for (let b = 0; b < batch; b++) for (let kk = 0; kk < hs; kk++) {
        let a = 0;
        for (let i = 0; i < n; i++) if (dPre[b * fs + i] !== 0) a = f(a + f(dPre[b * fs + i] * wout[i * hs + kk]));
        expectedDHidden[b * hs + kk] = a;
      }
      for (let i = 0; i < n; i++) {
        for (let kk = 0; kk < hs; kk++) {
          let a = 0;
          for (let b = 0; b < batch; b++) if (dPre[b * fs + i] !== 0) a = f(a + f(dPre[b * fs + i] * hidden[b * hs + kk]));
          expectedGradWout[i * hs + kk] = a;
        }
        let a = 0;
        for (let b = 0; b < batch; b++) a = f(a + dPre[b * fs + i]);
        expectedGradBias[i] = a;
      }
      expect(Array.from(k.readF32(dHidden, batch * hs))).toEqual(Array.from(expectedDHidden));
      expect(Array.from(k.readF32(gradWout, n * hs))).toEqual(Array.from(expectedGradWout));
      expect(Array.from(k.readF32(gradBias, fs))).toEqual(Array.from(expectedGradBias));
    });
  }
});
