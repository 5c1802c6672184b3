// Layout move for the forward GEMM: W_out's rows (wout [nFeatures x hiddenStride]) into column panels.
//
// Panels: columns (features) in panels of panelWidth (a multiple of 8; the last may be narrower);
// panel c0 = p panelWidth of width w = min(panelWidth, featureStride - c0) starts at hiddenStride c0 and
// holds element (k, i) at hiddenStride c0 + k w + (i - c0). Each panel is contiguous, so the GEMM's inner
// loop over k walks w floats at a time instead of a whole featureStride row (TLB- and prefetch-friendly).
// Padding (i >= nFeatures or k >= nHidden) is written as 0. Only columns i in [firstFeature, endFeature) are
// written (the rows one thread has just updated), so two threads can pack disjoint halves.

export function packDecoderPanels(
  woutPtr: usize, nFeatures: i32, nHidden: i32, hiddenStride: i32, panelsPtr: usize, featureStride: i32, panelWidth: i32,
  firstFeature: i32, endFeature: i32,
): void {
  for (let c0 = 0; c0 < featureStride; c0 += panelWidth) {
    const width = min(panelWidth, featureStride - c0);
    const panel = panelsPtr + (<usize>hiddenStride * <usize>c0 << 2);
    const from = max(c0, firstFeature) - c0, to = min(c0 + width, endFeature) - c0;
    for (let k = 0; k < hiddenStride; k++) {
      const row = panel + (<usize>k * <usize>width << 2);
      for (let c = from; c < to; c++) {
        const i = c0 + c;
        const value: f32 = i < nFeatures && k < nHidden ? load<f32>(woutPtr + (<usize>i * <usize>hiddenStride + <usize>k << 2)) : 0;
        store<f32>(row + (<usize>c << 2), value);
      }
    }
  }
}
