// Text widths from a TrueType font's own tables (cmap format 4 + hmtx), so Vega lays out text in the font resvg draws.
//
// Vega measures text with a canvas when one exists and otherwise guesses 0.8 em a character, which makes headless
// layouts far too wide for DejaVu Sans (about 0.55 em). Advance widths are exact for the font; kerning is ignored.

export interface FontMetrics {
  /** Width in pixels of `text` at `fontSize` px. */
  width(text: string, fontSize: number): number;
}

function table(view: DataView, tag: string): number {
  const count = view.getUint16(4);
  for (let k = 0; k < count; k++) {
    const entry = 12 + 16 * k;
    const name = String.fromCharCode(view.getUint8(entry), view.getUint8(entry + 1), view.getUint8(entry + 2), view.getUint8(entry + 3));
    if (name === tag) return view.getUint32(entry + 8);
  }
  throw new Error(`font has no ${tag} table`);
}

/** Metrics of a TrueType font (the BMP through a Unicode cmap format 4 subtable). */
export function fontMetrics(bytes: Uint8Array): FontMetrics {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const unitsPerEm = view.getUint16(table(view, 'head') + 18);
  const numberOfHMetrics = view.getUint16(table(view, 'hhea') + 34);
  const hmtx = table(view, 'hmtx');
  const advance = (glyph: number) => view.getUint16(hmtx + 4 * Math.min(glyph, numberOfHMetrics - 1));
  const cmap = table(view, 'cmap');
  let sub = -1;
  for (let k = 0; k < view.getUint16(cmap + 2); k++) {
    const platform = view.getUint16(cmap + 4 + 8 * k), encoding = view.getUint16(cmap + 6 + 8 * k);
    const offset = cmap + view.getUint32(cmap + 8 + 8 * k);
    if (platform === 3 && encoding === 1 && view.getUint16(offset) === 4) sub = offset;
  }
  if (sub < 0) throw new Error('font has no Unicode BMP cmap (format 4)');
  const segments = view.getUint16(sub + 6) / 2;
  const ends = sub + 14, starts = ends + 2 * segments + 2, deltas = starts + 2 * segments, ranges = deltas + 2 * segments;
  const glyphOf = (code: number): number => {
    for (let s = 0; s < segments; s++) {
      if (view.getUint16(ends + 2 * s) < code) continue;
      const start = view.getUint16(starts + 2 * s);
      if (start > code) return 0;
      const delta = view.getUint16(deltas + 2 * s), rangeOffset = view.getUint16(ranges + 2 * s);
      if (rangeOffset === 0) return (code + delta) & 0xffff;
      const glyph = view.getUint16(ranges + 2 * s + rangeOffset + 2 * (code - start));
      return glyph === 0 ? 0 : (glyph + delta) & 0xffff;
    }
    return 0;
  };
  const cache = new Map<number, number>();
  const em = (code: number): number => {
    let w = cache.get(code);
    if (w === undefined) { w = advance(code > 0xffff ? 0 : glyphOf(code)) / unitsPerEm; cache.set(code, w); }
    return w;
  };
  return {
    width(text: string, fontSize: number): number {
      let total = 0;
      for (const ch of text) total += em(ch.codePointAt(0)!);
      return total * fontSize;
    },
  };
}
