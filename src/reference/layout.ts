// Plain-TS twin of assembly/layout.ts: W_out's rows into the forward GEMM's column panels (same layout).

/** Offset of element (k, i) in the panels: hiddenStride c0 + k w + (i - c0), c0 = floor(i / panelWidth) panelWidth. */
export function panelOffset(k: number, i: number, hiddenStride: number, featureStride: number, panelWidth: number): number {
  const c0 = Math.floor(i / panelWidth) * panelWidth;
  const width = Math.min(panelWidth, featureStride - c0);
  return hiddenStride * c0 + k * width + (i - c0);
}

/** Columns i in [firstFeature, endFeature) only. */
export function packDecoderPanels(
  wout: Float32Array, nFeatures: number, nHidden: number, hiddenStride: number, panels: Float32Array, featureStride: number, panelWidth: number,
  firstFeature: number, endFeature: number,
): void {
  for (let i = firstFeature; i < endFeature; i++) {
    for (let k = 0; k < hiddenStride; k++) {
      panels[panelOffset(k, i, hiddenStride, featureStride, panelWidth)] = i < nFeatures && k < nHidden ? wout[i * hiddenStride + k] : 0;
    }
  }
}
