// W = W_out W_in (src/theory/weights.ts, the one plain-TS formation) against the textbook triple loop.
import { describe, expect, test } from 'vitest';
import { weightBlock, weightDiagonal, weightRow, weightSamples } from '../../src/theory/weights.js';
import { testValues } from '../helpers.js';

const n = 13, m = 5;
const w = { nFeatures: n, nHidden: m, win: testValues(m * n, 1), wout: testValues(n * m, 2) };

/** W_ij summed over k in order from 0, in f64: the same additions as weightBlock, so equal to the bit. */
function entry(i: number, j: number): number {
  let sum = 0;
  for (let k = 0; k < m; k++) sum += w.wout[i * m + k] * w.win[k * n + j];
  return sum;
}

describe('weightBlock', () => {
  test('a block equals the triple loop, entry for entry', () => {
    const out = weightBlock(w, 2, 4, 3, 6, new Float64Array(24));
    for (let r = 0; r < 4; r++) for (let c = 0; c < 6; c++) expect(out[r * 6 + c]).toBe(entry(2 + r, 3 + c));
  });

  test('a strided grid that overhangs the matrix: entries inside are W_ij, outside NaN (f32 out rounds once)', () => {
    const step = 3, first = -4, size = 7; // i, j = -4, -1, 2, 5, 8, 11, 14
    const out = weightBlock(w, first, size, first, size, new Float32Array(size * size), step);
    for (let r = 0; r < size; r++) {
      for (let c = 0; c < size; c++) {
        const i = first + r * step, j = first + c * step;
        if (i < 0 || i >= n || j < 0 || j >= n) expect(out[r * size + c], `${i}, ${j}`).toBeNaN();
        else expect(out[r * size + c]).toBe(Math.fround(entry(i, j)));
      }
    }
  });

  test('a grid entirely outside is all NaN; rows and the diagonal agree with the block', () => {
    expect([...weightBlock(w, n, 2, 0, 2, new Float64Array(4))].every(Number.isNaN)).toBe(true);
    expect([...weightBlock(w, 0, 2, -5, 2, new Float64Array(4), 2)].every(Number.isNaN)).toBe(true);
    const row = new Float64Array(n);
    weightRow(w, 7, row);
    for (let j = 0; j < n; j++) expect(row[j]).toBe(entry(7, j));
    const diagonal = weightDiagonal(w);
    for (let i = 0; i < n; i++) expect(diagonal[i]).toBe(entry(i, i));
  });
});

test('weightSamples: the off-diagonal entries of evenly spread rows, then the diagonal', () => {
  const { diagonal, offDiagonal } = weightSamples(w, 4); // rows 0, 3, 6, 9
  const expected: number[] = [];
  for (const i of [0, 3, 6, 9]) for (let j = 0; j < n; j++) if (j !== i) expected.push(entry(i, j));
  expect([...offDiagonal]).toEqual(expected);
  expect([...diagonal]).toEqual(Array.from({ length: n }, (_, i) => entry(i, i)));
  expect(weightSamples(w, 100).offDiagonal).toHaveLength(n * (n - 1)); // at most every row
});
