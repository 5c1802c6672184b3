// modelStatistics with the wasm row pass equals the plain-TS pass (both tr(W W) routes, odd shapes).
import { describe, expect, test } from 'vitest';
import { modelStatistics, sampledRowIndices, type ModelStatistics, type ModelStatisticsInput } from '../../src/theory/statistics.js';
import { kernelStride, referenceRowPass } from '../../src/theory/rowPass.js';
import { weightBlock } from '../../src/theory/weights.js';
import { createWasmRowPass } from '../../src/measure/wasmRows.js';
import { STATISTICS_WASM } from '../tolerance.js';
import { testValues } from '../helpers.js';

function randomModel(n: number, m: number, p: number, seed: number): ModelStatisticsInput {
  return {
    nFeatures: n, nHidden: m, p,
    win: testValues(m * n, seed, -1 / Math.sqrt(n), 1 / Math.sqrt(n)),
    wout: testValues(n * m, seed + 1, -1 / Math.sqrt(m), 1 / Math.sqrt(m)),
    bias: testValues(n, seed + 2, -0.1, 0.1),
  };
}

/** Every number in a statistics object, by path (typed arrays elementwise). */
function flatten(value: unknown, path = '', out = new Map<string, number>()): Map<string, number> {
  if (typeof value === 'number') out.set(path, value);
  else if (ArrayBuffer.isView(value)) (value as unknown as ArrayLike<number>).length && Array.from(value as unknown as ArrayLike<number>).forEach((x, i) => out.set(`${path}[${i}]`, x));
  else if (value && typeof value === 'object') for (const [key, child] of Object.entries(value)) flatten(child, path ? `${path}.${key}` : key, out);
  return out;
}

function rowScale(s: ModelStatistics, path: string): number {
  const values = path.split('.').reduce<unknown>((o, key) => (o as Record<string, unknown>)[key], s) as ArrayLike<number>;
  return Math.max(...Array.from(values, Math.abs));
}

function expectSameStatistics(wasm: ModelStatistics, ts: ModelStatistics): void {
  const a = flatten(wasm), b = flatten(ts);
  expect([...a.keys()]).toEqual([...b.keys()]);
  const frobenius = ts.norms.frobenius;
  for (const [key, expected] of b) {
    const actual = a.get(key)!;
    if (Number.isNaN(expected)) {
      expect(actual, key).toBeNaN();
      continue;
    }
    // Norms of the (anti)symmetric parts come from differences of squares: scale ||W||. Per-row arrays (E nu_i is a
    // signed sum that may cancel): scale max over rows.
    const array = /^(.*)\[\d+\]$/.exec(key)?.[1];
    const scale = key.startsWith('norms.') ? frobenius : array ? rowScale(ts, array) : Math.abs(expected);
    expect(Math.abs(actual - expected), `${key}: wasm ${actual}, ts ${expected}`).toBeLessThanOrEqual(
      STATISTICS_WASM.relative * scale + STATISTICS_WASM.absolute);
  }
}

describe('wasm row pass', () => {
  test.each([
    [37, 5, 0.3, 'stored'],
    [37, 5, 0.3, 'inner'],
    [130, 40, 0.1, 'stored'],
    [130, 40, 0.1, 'inner'],
    [256, 12, 0.05, undefined],
  ] as const)('n %i, m %i, p %f, trace %s: same statistics as the TS pass', async (n, m, p, trace) => {
    const input = randomModel(n, m, p, n + m);
    const options = { sampleRows: 7, samplesPerRow: 300, seed: 4, maxRankHidden: 64 };
    const ts = modelStatistics(input, options);
    const rowPass = await createWasmRowPass({ trace, blockRows: 16 });
    const wasm = modelStatistics(input, { ...options, rowPass });
    expectSameStatistics(wasm, ts);
  });

  test('both passes return the sampled rows of W and tr(W W) of W formed directly in f64', async () => {
    const n = 29;
    const input = randomModel(n, 9, 0.2, 3);
    const rows = sampledRowIndices(n, 5);
    const w = weightBlock(input, 0, n, 0, n, new Float64Array(n * n));
    const sampled = Float64Array.from(Array.from(rows).flatMap((i) => Array.from(w.subarray(i * n, (i + 1) * n))));
    let traceSquare = 0;
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) traceSquare += w[i * n + j] * w[j * n + i];
    const scale = Math.max(...Array.from(sampled, Math.abs));
    for (const pass of [referenceRowPass, await createWasmRowPass({ blockRows: 4 }), await createWasmRowPass({ blockRows: 4, trace: 'inner' })]) {
      const sums = pass(input, rows);
      for (let q = 0; q < sampled.length; q++) expect(Math.abs(sums.sampled[q] - sampled[q])).toBeLessThan(1e-6 * scale);
      expect(Math.abs(sums.traceSquare - traceSquare)).toBeLessThan(1e-6 * Math.abs(traceSquare));
    }
  });

  test('pads power-of-two strides off 1 KiB multiples', () => {
    expect(kernelStride(5)).toBe(8);
    expect(kernelStride(6553)).toBe(6560);
    expect(kernelStride(8192)).toBe(8200);
    expect(kernelStride(256)).toBe(264);
  });
});
