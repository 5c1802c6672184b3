// Specs of assembly/decoder.ts against a scalar loop on a small odd-shaped problem (remainder rows).
import { decoderForward, decoderForwardScratchBytes, decoderBackward, decoderBackwardScratchBytes } from "../decoder";

function ptr<T>(a: T): usize {
  // @ts-ignore: dataStart exists on typed arrays
  return a.dataStart;
}

const batch = 5, m = 3, hs = 4, n = 6, fs = 8;
const hidden = new Float32Array(batch * hs), woutT = new Float32Array(hs * fs), bias = new Float32Array(fs);
const target = new Float32Array(batch * fs), importance = new Float32Array(fs);
for (let b = 0; b < batch; b++) for (let k = 0; k < m; k++) hidden[b * hs + k] = <f32>(((b * 7 + k * 3) % 5) - 2) * 0.25;
for (let k = 0; k < m; k++) for (let i = 0; i < n; i++) woutT[k * fs + i] = <f32>(((k * 5 + i * 2) % 7) - 3) * 0.125;
for (let i = 0; i < n; i++) { bias[i] = <f32>(i - 2) * 0.0625; importance[i] = 1; }
for (let b = 0; b < batch; b++) for (let i = 0; i < n; i++) target[b * fs + i] = (b + i) % 3 == 0 ? <f32>0.5 : 0;


describe("decoder", () => {
  it("forward matches a scalar ReLU loop: loss, dPre, per-feature loss", () => {
    const dPre = new Float32Array(batch * fs);
    const featureLoss = new Float64Array(fs);
    // One panel as wide as the row: the panel layout is then plain [hs x fs].
    const loss = decoderForward(batch, m, hs, fs, fs, ptr(hidden), ptr(woutT), ptr(bias), ptr(target), ptr(importance), 0, 0, 1, ptr(dPre), ptr(featureLoss), ptr(new Float32Array(<i32>(decoderForwardScratchBytes(batch, hs) >> 2))));
    let expected: f64 = 0;
    for (let b = 0; b < batch; b++) {
      for (let i = 0; i < n; i++) {
        let pre: f64 = bias[i];
        for (let k = 0; k < m; k++) pre += <f64>woutT[k * fs + i] * <f64>hidden[b * hs + k];
        const y = pre > 0 ? pre : 0;
        const d = y - <f64>target[b * fs + i];
        expected += d * d;
        expect<f64>(Math.abs(<f64>dPre[b * fs + i] - (pre > 0 ? d : 0))).toBeLessThan(1e-6);
      }
      for (let i = n; i < fs; i++) expect<f32>(dPre[b * fs + i]).toBe(0);
    }
    expect<f64>(Math.abs(loss - expected)).toBeLessThan(1e-6);
    let fl: f64 = 0;
    for (let i = 0; i < fs; i++) fl += featureLoss[i];
    expect<f64>(Math.abs(fl - expected)).toBeLessThan(1e-6);
  });

  it("backward matches scalar sums and skips zero gradients", () => {
    const dPre = new Float32Array(batch * fs);
    for (let b = 0; b < batch; b++) for (let i = 0; i < n; i++) dPre[b * fs + i] = (b + i) % 3 == 1 ? 0 : <f32>((b * 3 + i) % 4) - 1.5;
    const wout = new Float32Array(n * hs);
    for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) wout[i * hs + k] = woutT[k * fs + i];
    const gW = new Float32Array(n * hs), gB = new Float32Array(fs), dH = new Float32Array(batch * hs);
    gW[0] = 123; gB[1] = 5; dH[2] = 7; // overwritten
    const scratch = new Uint8Array(<i32>decoderBackwardScratchBytes(batch, fs));
    decoderBackward(batch, n, hs, fs, ptr(hidden), ptr(wout), ptr(dPre), ptr(gW), ptr(gB), ptr(dH), true, ptr(scratch));
    for (let i = 0; i < n; i++) for (let k = 0; k < hs; k++) {
      let s: f64 = 0;
      for (let b = 0; b < batch; b++) s += <f64>hidden[b * hs + k] * <f64>dPre[b * fs + i];
      expect<f64>(Math.abs(<f64>gW[i * hs + k] - s)).toBeLessThan(1e-6);
    }
    for (let i = 0; i < fs; i++) {
      let s: f64 = 0;
      for (let b = 0; b < batch; b++) s += dPre[b * fs + i];
      expect<f64>(Math.abs(<f64>gB[i] - s)).toBeLessThan(1e-6);
    }
    for (let b = 0; b < batch; b++) for (let k = 0; k < hs; k++) {
      let s: f64 = 0;
      for (let i = 0; i < n; i++) s += <f64>wout[i * hs + k] * <f64>dPre[b * fs + i];
      expect<f64>(Math.abs(<f64>dH[b * hs + k] - s)).toBeLessThan(1e-6);
    }
  });
});
