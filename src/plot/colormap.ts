// Diverging blue-white-red colour map (ColorBrewer RdBu, 11 classes), symmetric around 0.

/** RdBu from -1 (dark blue) through 0 (near white, #f7f7f7) to +1 (dark red). */
export const DIVERGING_STOPS: readonly (readonly [number, number, number])[] = [
  [5, 48, 97], [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240], [247, 247, 247],
  [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43], [103, 0, 31],
];

/**
 * RGB of value / limit on the diverging map: linear between the 11 stops, clipped to [-1, 1]
 * (|value| >= limit saturates). limit > 0; NaN maps to mid grey.
 */
export function divergingColour(value: number, limit: number): [number, number, number] {
  if (Number.isNaN(value) || !(limit > 0)) return [128, 128, 128];
  const t = Math.max(-1, Math.min(1, value / limit));
  const x = ((t + 1) / 2) * (DIVERGING_STOPS.length - 1);
  const i = Math.min(DIVERGING_STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = DIVERGING_STOPS[i], b = DIVERGING_STOPS[i + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + f * (b[c] - a[c]))) as [number, number, number];
}
