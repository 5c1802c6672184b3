// The weightRows kernel against its TS twin on odd shapes: remainder rows, k blocks (m > 256), odd W_out strides.
import { describe, expect, test } from 'vitest';
import { weightRows } from '../../src/reference/statistics.js';
import { WEIGHT_ROW_STATS } from '../../src/kernelSet.js';
import { WEIGHT_ROWS, KERNEL, expectClose } from '../tolerance.js';
import { testValues, wasmKernels } from '../helpers.js';

interface Shape { n: number; m: number; firstRow: number; rowCount: number; hiddenStride: number }
const SHAPES: Shape[] = [
  { n: 1, m: 1, firstRow: 0, rowCount: 1, hiddenStride: 1 },
  { n: 5, m: 3, firstRow: 0, rowCount: 5, hiddenStride: 3 },
  { n: 13, m: 6, firstRow: 3, rowCount: 7, hiddenStride: 7 },
  { n: 67, m: 17, firstRow: 0, rowCount: 67, hiddenStride: 20 },
  { n: 40, m: 130, firstRow: 29, rowCount: 11, hiddenStride: 131 },
  { n: 96, m: 257, firstRow: 8, rowCount: 8, hiddenStride: 264 },
];

describe('weightRows: wasm kernel equals its TS twin', () => {
  for (const s of SHAPES) {
    test(`n ${s.n}, m ${s.m}, rows ${s.firstRow}..${s.firstRow + s.rowCount - 1}, hiddenStride ${s.hiddenStride}`, async () => {
      const featureStride = Math.ceil(s.n / 8) * 8;
      const wout = new Float32Array(s.n * s.hiddenStride);
      const woutValues = testValues(s.n * s.m, 1, -0.5, 0.5);
      for (let i = 0; i < s.n; i++) wout.set(woutValues.subarray(i * s.m, (i + 1) * s.m), i * s.hiddenStride);
      const win = new Float32Array(s.m * featureStride);
      const winValues = testValues(s.m * s.n, 2, -0.5, 0.5);
      for (let k = 0; k < s.m; k++) win.set(winValues.subarray(k * s.n, (k + 1) * s.n), k * featureStride);

      const out = new Float32Array(s.rowCount * featureStride).fill(7); // overwritten
      const stats = new Float64Array(s.rowCount * WEIGHT_ROW_STATS).fill(7);
      weightRows(s.firstRow, s.rowCount, s.m, s.hiddenStride, featureStride, wout, win, out, stats);

      const k = await wasmKernels();
      const woutPtr = k.allocate('f32', wout.length), winPtr = k.allocate('f32', win.length);
      const outPtr = k.allocate('f32', out.length), statsPtr = k.allocate('f64', stats.length);
      k.write(woutPtr, 'f32', wout);
      k.write(winPtr, 'f32', win);
      k.write(outPtr, 'f32', new Float32Array(out.length).fill(7));
      k.write(statsPtr, 'f64', new Float64Array(stats.length).fill(7));
      k.weightRows(s.firstRow, s.rowCount, s.m, s.hiddenStride, featureStride, woutPtr, winPtr, outPtr, statsPtr);
      const wasmOut = k.readF32(outPtr, out.length);
      const wasmStats = k.readF64(statsPtr, stats.length);

      expectClose(wasmOut, out, WEIGHT_ROWS.relative, KERNEL.absolute, 'W rows');
      for (let r = 0; r < s.rowCount; r++) {
        const i = s.firstRow + r;
        for (let j = s.n; j < featureStride; j++) expect(wasmOut[r * featureStride + j]).toBe(0);
        // sum_j |W_ij|^power over j != i, from the twin's entries: the scale of each power sum.
        const magnitude = [0, 0, 0, 0, 0];
        for (let j = 0; j < s.n; j++) {
          if (j === i) continue;
          const a = Math.abs(out[r * featureStride + j]);
          for (let power = 1; power <= 4; power++) magnitude[power] += a ** power;
        }
        const base = r * WEIGHT_ROW_STATS;
        expect(Math.abs(wasmStats[base] - stats[base]), `row ${i} diagonal`).toBeLessThanOrEqual(
          WEIGHT_ROWS.relative * Math.max(1, Math.abs(stats[base])));
        const powers = [1, 2, 3, 3, 4]; // slots 1..5: sum, squares, |cubes|, cubes, fourth powers
        powers.forEach((power, slot) => {
          const scale = magnitude[power];
          const diff = Math.abs(wasmStats[base + 1 + slot] - stats[base + 1 + slot]);
          expect(diff, `row ${i} slot ${slot + 1}`).toBeLessThanOrEqual(power * WEIGHT_ROWS.relative * scale + WEIGHT_ROWS.absolute);
        });
        for (let slot = 6; slot < WEIGHT_ROW_STATS; slot++) {
          expect(wasmStats[base + slot]).toBe(0);
          expect(stats[base + slot]).toBe(0);
        }
      }
    });
  }

  test('the diagonal is left out of the sums exactly (identity-like W)', async () => {
    // W_out = I (n x n), W_in = 2 I: W = 2 I, every off-diagonal sum 0, W_ii = 2.
    const n = 11, featureStride = 16;
    const wout = new Float32Array(n * n), win = new Float32Array(n * featureStride);
    for (let i = 0; i < n; i++) {
      wout[i * n + i] = 1;
      win[i * featureStride + i] = 2;
    }
    const k = await wasmKernels();
    const woutPtr = k.allocate('f32', wout.length), winPtr = k.allocate('f32', win.length);
    const outPtr = k.allocate('f32', n * featureStride), statsPtr = k.allocate('f64', n * WEIGHT_ROW_STATS);
    k.write(woutPtr, 'f32', wout);
    k.write(winPtr, 'f32', win);
    k.weightRows(0, n, n, n, featureStride, woutPtr, winPtr, outPtr, statsPtr);
    const stats = k.readF64(statsPtr, n * WEIGHT_ROW_STATS);
    for (let i = 0; i < n; i++) {
      expect(Array.from(stats.subarray(i * WEIGHT_ROW_STATS, i * WEIGHT_ROW_STATS + 6))).toEqual([2, 0, 0, 0, 0, 0]);
    }
  });
});

test('WEIGHT_ROW_STATS is the kernel\'s (assembly/statistics.ts cannot import TS, so the constant stands there once more)', async () => {
  const { readFile } = await import('node:fs/promises');
  const source = await readFile(new URL('../../assembly/statistics.ts', import.meta.url), 'utf8');
  expect(/export const WEIGHT_ROW_STATS: i32 = (\d+);/.exec(source)?.[1]).toBe(String(WEIGHT_ROW_STATS));
});
