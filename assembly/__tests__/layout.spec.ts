// Specs of assembly/layout.ts: W_out rows into column panels, with zero padding.
import { packDecoderPanels } from "../layout";

function ptr<T>(a: T): usize {
  // @ts-ignore: dataStart exists on typed arrays
  return a.dataStart;
}

describe("packDecoderPanels", () => {
  it("places (k, i) at hs c0 + k w + (i - c0) and zeroes padding", () => {
    // n = 10 features, m = 3 hidden (stride 4), featureStride 16, panels of 8: two panels of width 8.
    const n = 10, m = 3, hs = 4, fs = 16;
    const wout = new Float32Array(n * hs);
    for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) wout[i * hs + k] = <f32>(<i32>100 * i + k + 1);
    const panels = new Float32Array(hs * fs);
    panels.fill(7);
    packDecoderPanels(ptr(wout), n, m, hs, ptr(panels), fs, 8, 0, fs);
    for (let i = 0; i < fs; i++) {
      for (let k = 0; k < hs; k++) {
        const c0 = (i / 8) * 8;
        const expected: f32 = i < n && k < m ? <f32>(<i32>100 * i + k + 1) : 0;
        expect<f32>(panels[hs * c0 + k * 8 + (i - c0)]).toBe(expected);
      }
    }
  });
});
