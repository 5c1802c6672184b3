// Backward kernels against central finite differences of an independent f64 loss on a tiny model.
import { describe, expect, test } from 'vitest';
import { decoderBackwardScratchWords, decoderForwardScratchWords, encoderBackwardScratchWords, type KernelSet } from '../../src/kernelSet.js';
import { sampleThresholds } from '../../src/reference/sample.js';
import { activationValue } from '../../src/reference/activation.js';
import { GRADIENT } from '../tolerance.js';
import { put, referenceKernels, testValues, wasmKernels } from '../helpers.js';

const batch = 6, n = 9, m = 3, fs = 16, hs = 4, slope = 0.1;

/** f64 loss (1 / (B n)) sum_b sum_i I_i (act((W_out W_in x_b)_i + b_i) - x_bi)^2, weights in PyTorch layouts. */
function lossF64(win: Float64Array, wout: Float64Array, bias: Float64Array, x: Float32Array, importance: Float32Array, code: number): number {
  let total = 0;
  for (let b = 0; b < batch; b++) {
    const h = new Float64Array(m);
    for (let k = 0; k < m; k++) for (let j = 0; j < n; j++) h[k] += win[k * n + j] * x[b * fs + j];
    for (let i = 0; i < n; i++) {
      let pre = bias[i];
      for (let k = 0; k < m; k++) pre += wout[i * m + k] * h[k];
      const d = activationValue(code, pre, slope) - x[b * fs + i];
      total += importance[i] * d * d;
    }
  }
  return total / (batch * n);
}

function gradients<B>(k: KernelSet<B>, code: number) {
  const win = testValues(m * n, 21, -0.6, 0.6), wout = testValues(n * m, 22, -0.6, 0.6), bias = testValues(n, 23, -0.1, 0.3);
  const importance = new Float32Array(fs); importance.set(testValues(n, 24, 0.5, 1.5));
  const winT = new Float32Array(n * hs), woutT = new Float32Array(hs * fs), woutRows = new Float32Array(n * hs), biasPadded = new Float32Array(fs);
  for (let kk = 0; kk < m; kk++) for (let j = 0; j < n; j++) winT[j * hs + kk] = win[kk * n + j];
  for (let i = 0; i < n; i++) for (let kk = 0; kk < m; kk++) { woutT[kk * fs + i] = wout[i * m + kk]; woutRows[i * hs + kk] = wout[i * m + kk]; }
  biasPadded.set(bias);
  const bWinT = put(k, 'f32', winT), bWout = put(k, 'f32', woutRows), bWoutPanels = k.allocate('f32', hs * fs), bBias = put(k, 'f32', biasPadded), bImp = put(k, 'f32', importance);
  const thresholds = put(k, 'u32', sampleThresholds(new Array(n).fill(0.4), n));
  const dense = k.allocate('f32', batch * fs), offsets = k.allocate('i32', batch + 1), indices = k.allocate('i32', batch * n), values = k.allocate('f32', batch * n);
  const hidden = k.allocate('f32', batch * hs), dHidden = k.allocate('f32', batch * hs), dPre = k.allocate('f32', batch * fs);
  const gWinT = k.allocate('f32', n * hs), gWout = k.allocate('f32', n * hs), gBias = k.allocate('f32', fs);
  k.sampleBatch(3, 4, 0, batch, n, fs, thresholds, dense, offsets, indices, values);
  k.encoderForward(batch, hs, offsets, indices, values, bWinT, hidden);
  k.packDecoderPanels(bWout, n, m, hs, bWoutPanels, fs, 8, 0, fs);
  const loss = k.decoderForward(batch, m, hs, fs, 8, hidden, bWoutPanels, bBias, dense, bImp, code, slope, 2 / (batch * n), dPre, null, k.allocate('i32', decoderForwardScratchWords(batch, hs))) / (batch * n);
  k.decoderBackward(batch, n, hs, fs, hidden, bWout, dPre, gWout, gBias, dHidden, true, k.allocate('i32', decoderBackwardScratchWords(batch, fs)));
  k.encoderBackward(batch, n, hs, offsets, indices, values, dHidden, gWinT, false, k.allocate('i32', encoderBackwardScratchWords(batch, n, hs)));
  const gw = k.readF32(gWinT, n * hs), go = k.readF32(gWout, n * hs);
  return {
    loss, x: k.readF32(dense, batch * fs), importance,
    win: Float64Array.from(win), wout: Float64Array.from(wout), bias: Float64Array.from(bias),
    gradWin: Array.from({ length: m * n }, (_, idx) => gw[(idx % n) * hs + Math.floor(idx / n)]),
    gradWout: Array.from({ length: n * m }, (_, idx) => go[Math.floor(idx / m) * hs + (idx % m)]),
    gradBias: Array.from(k.readF32(gBias, n)),
  };
}

describe('gradients match finite differences', () => {
  for (const [name, code] of [['relu', 0], ['identity', 1], ['gelu', 2], ['tanh', 3], ['leaky_relu', 4]] as const) {
    for (const backend of ['wasm', 'js'] as const) {
      test(`${name} on ${backend}`, async () => {
        const g = backend === 'wasm' ? gradients(await wasmKernels(), code) : gradients(referenceKernels, code);
        const L = (win: Float64Array, wout: Float64Array, bias: Float64Array) => lossF64(win, wout, bias, g.x, g.importance, code);
        expect(Math.abs(g.loss - L(g.win, g.wout, g.bias))).toBeLessThan(1e-6 * L(g.win, g.wout, g.bias) + 1e-9);
        const h = 1e-4;
        const check = (param: Float64Array, analytic: number[], label: string) => {
          let scale = 0;
          const numeric = analytic.map((_, i) => {
            const saved = param[i];
            param[i] = saved + h; const up = L(g.win, g.wout, g.bias);
            param[i] = saved - h; const down = L(g.win, g.wout, g.bias);
            param[i] = saved;
            return (up - down) / (2 * h);
          });
          for (const v of numeric) scale = Math.max(scale, Math.abs(v));
          expect(scale, `${label}: gradient is not identically zero`).toBeGreaterThan(1e-5);
          numeric.forEach((v, i) => {
            expect(Math.abs(analytic[i] - v), `${label}[${i}] analytic ${analytic[i]} vs numeric ${v}`).toBeLessThanOrEqual(GRADIENT.relative * scale + GRADIENT.absolute);
          });
        };
        check(g.wout, g.gradWout, 'W_out');
        check(g.bias, g.gradBias, 'b');
        check(g.win, g.gradWin, 'W_in');
      });
    }
  }
});
