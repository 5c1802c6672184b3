// A 3 x 5 pixel bitmap font for raster labels: digits, A-Z (lower case drawn as upper case), common punctuation.

/** Rows top to bottom, 3 bits each ('1' = ink); unknown characters draw as '?'. */
const GLYPHS: Record<string, string> = {
  '0': '111 101 101 101 111', '1': '010 110 010 010 111', '2': '111 001 111 100 111', '3': '111 001 111 001 111',
  '4': '101 101 111 001 001', '5': '111 100 111 001 111', '6': '111 100 111 101 111', '7': '111 001 001 010 010',
  '8': '111 101 111 101 111', '9': '111 101 111 001 111',
  A: '010 101 111 101 101', B: '110 101 110 101 110', C: '011 100 100 100 011', D: '110 101 101 101 110',
  E: '111 100 110 100 111', F: '111 100 110 100 100', G: '011 100 101 101 011', H: '101 101 111 101 101',
  I: '111 010 010 010 111', J: '001 001 001 101 010', K: '101 101 110 101 101', L: '100 100 100 100 111',
  M: '101 111 111 101 101', N: '110 101 101 101 101', O: '010 101 101 101 010', P: '110 101 110 100 100',
  Q: '010 101 101 110 011', R: '110 101 110 101 101', S: '011 100 010 001 110', T: '111 010 010 010 010',
  U: '101 101 101 101 111', V: '101 101 101 101 010', W: '101 101 111 111 101', X: '101 101 010 101 101',
  Y: '101 101 010 010 010', Z: '111 001 010 100 111',
  ' ': '000 000 000 000 000', '.': '000 000 000 000 010', ',': '000 000 000 010 110', '-': '000 000 111 000 000',
  '+': '000 010 111 010 000', '=': '000 111 000 111 000', '(': '001 010 010 010 001', ')': '100 010 010 010 100',
  '/': '001 001 010 100 100', '*': '010 111 010 101 000', ':': '000 010 000 010 000', _: '000 000 000 000 111',
  '|': '010 010 010 010 010', '<': '001 010 100 010 001', '>': '100 010 001 010 100', "'": '010 010 000 000 000',
  '%': '101 001 010 100 101', '[': '011 010 010 010 011', ']': '110 010 010 010 110', '^': '010 101 000 000 000',
  '?': '111 001 010 000 010', '!': '010 010 010 000 010', '#': '101 111 101 111 101', '&': '010 101 010 101 011',
};

export const GLYPH_WIDTH = 3;
export const GLYPH_HEIGHT = 5;
/** Horizontal advance per character in font pixels (glyph + 1 pixel gap). */
export const GLYPH_ADVANCE = 4;

/** The ink pixels (column, row) of a character. */
export function glyph(character: string): [number, number][] {
  const rows = (GLYPHS[character.toUpperCase()] ?? GLYPHS['?']).split(' ');
  const out: [number, number][] = [];
  rows.forEach((row, y) => { for (let x = 0; x < GLYPH_WIDTH; x++) if (row[x] === '1') out.push([x, y]); });
  return out;
}

/** Width in output pixels of `text` drawn at `scale` pixels per font pixel. */
export function textWidth(text: string, scale: number): number {
  return Math.max(0, text.length * GLYPH_ADVANCE - 1) * scale;
}
