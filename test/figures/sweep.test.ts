// The paper's figure specs hold exactly the records they were made from: heat map cells are seed means, loss panels
// sit at the nearest grid values (stated in the titles), curves are L* and (1 - r) v, histograms are densities.
import { describe, expect, test } from 'vitest';
import * as vl from 'vega-lite';
import { linearLoss, optimalSymmetricLoss } from '../../src/theory/index.js';
import {
  heatmapFigure, histogramBars, histogramFigure, lossFigure, sweepFigures, LOSS_METRICS, STATISTIC_METRICS, PAPER_STATISTICS,
  type LossPoint,
} from '../../src/figures/index.js';
import type { SweepRecord } from '../../src/sweep/record.js';
import { GRID, syntheticRecords } from './records.js';

const records = syntheticRecords();
const dataOf = <T>(spec: Record<string, unknown>): T[] => (spec.data as { values: T[] }).values;
const meanOf = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('sweep figures', () => {
  test('every figure is a Vega-Lite spec that compiles, with its data inlined and a title and caption', () => {
    const figures = sweepFigures(records);
    const names = figures.map((f) => f.name);
    for (const name of ['heatmap-trained-evalLoss', 'heatmap-trained-lossOverTheory', 'heatmap-rug-evalLoss', 'heatmap-theory-evalLoss', 'loss-vs-r', 'loss-vs-p']) expect(names).toContain(name);
    for (const s of PAPER_STATISTICS) expect(names).toContain(`heatmap-trained-${s.name}`);
    expect(names.filter((n) => n.startsWith('histograms-')).length).toBeGreaterThan(0);
    for (const figure of figures) {
      const spec = JSON.parse(JSON.stringify(figure.spec));
      expect(spec).toEqual(figure.spec); // plain JSON: no functions, no NaN
      expect(JSON.stringify(spec)).not.toMatch(/"url":\s*"(?!data:)/); // no data loaded from elsewhere
      const title = spec.title as { text: string; subtitle: string };
      expect(title.text.length).toBeGreaterThan(5);
      expect(title.subtitle).toMatch(/n = 32, 64/);
      expect(title.subtitle).toMatch(/2026-12-01/);
      expect(() => vl.compile(spec)).not.toThrow();
    }
  });

  test('heat map cells are the metric averaged over seeds at each (n, p, r); one colour scale for every n', () => {
    for (const metric of [LOSS_METRICS[0], LOSS_METRICS[1], STATISTIC_METRICS[0]]) {
      const figure = heatmapFigure(records, 'trained', metric)!;
      const cells = dataOf<{ n: number; p: number; r: number; value: number }>(figure.spec);
      expect(cells).toHaveLength(GRID.n.length * GRID.p.length * GRID.r.length);
      for (const cell of cells) {
        const group = records.filter((r) => r.kind === 'trained' && r.n === cell.n && r.p === cell.p && r.ratio === cell.r);
        expect(group).toHaveLength(GRID.seeds.length);
        expect(cell.value).toBeCloseTo(meanOf(group.map((r) => metric.value(r) as number)), 15);
      }
      expect((figure.spec.resolve as { scale: { color: string } }).scale.color).toBe('shared');
      expect((figure.spec.facet as { column: { field: string } }).column.field).toBe('n');
    }
  });

  test('loss vs r: one panel per asked p at the nearest grid value, titled with it; model points are the seed means', () => {
    const figure = lossFigure(records, 'ratio', [0.001, 0.01, 0.4])!;
    const points = dataOf<LossPoint>(figure.spec);
    const panels = [...new Set(points.map((p) => p.panel))];
    // 0.01 is nearest to the grid's 0.001: both requests share that panel, titled with the exact grid value
    expect(panels).toEqual(['p = 0.001', 'p = 0.4']);
    const off = lossFigure(records, 'ratio', [0.03])!;
    expect([...new Set(dataOf<LossPoint>(off.spec).map((p) => p.panel))]).toEqual(['p = 0.05 (nearest to 0.03)']);
    for (const point of points.filter((p) => p.points)) {
      const kind = point.model === 'trained model' ? 'trained' : 'rug';
      const n = Number(point.size.slice(4));
      const p = point.panel.startsWith('p = 0.4') ? 0.4 : 0.001;
      const group = records.filter((r) => r.kind === kind && r.n === n && r.p === p && Math.abs(r.effectiveRatio - point.x) < 1e-12);
      expect(group).toHaveLength(GRID.seeds.length);
      expect(point.loss).toBeCloseTo(meanOf(group.map((r) => r.evalLoss)), 15);
    }
    const modelPoints = points.filter((p) => p.points).length;
    expect(modelPoints).toBe(2 /* panels */ * 2 /* kinds */ * GRID.n.length * GRID.r.length);
    for (const point of points.filter((q) => !q.points)) {
      const p = point.panel.startsWith('p = 0.4') ? 0.4 : 0.001;
      const expected = point.model.startsWith('L*') ? optimalSymmetricLoss(p, point.x).loss : linearLoss(p, point.x);
      expect(point.loss).toBeCloseTo(expected, 15);
    }
  });

  test('loss vs p: panels at the asked r, x = p of the records, log axes', () => {
    const figure = lossFigure(records, 'p', [0.1, 0.3])!;
    const points = dataOf<LossPoint>(figure.spec);
    expect([...new Set(points.map((p) => p.panel))]).toEqual(['r = 0.1', 'r = 0.3']);
    const xs = new Set(points.filter((p) => p.points).map((p) => p.x));
    expect([...xs].sort((a, b) => a - b)).toEqual(GRID.p);
    const enc = (figure.spec.spec as { encoding: Record<string, { scale?: { type?: string } }> }).encoding;
    expect(enc.x.scale?.type).toBe('log');
    expect(enc.y.scale?.type).toBe('log');
  });

  test('histograms: bars are densities of the recorded counts (area 1); Gaussian of the recorded mean and variance; skewness in the title', () => {
    const figure = histogramFigure(records, 0.05, 0.3)!;
    const rows = dataOf<{ panel: string; lo?: number; hi?: number; x?: number; density: number; series: string }>(figure.spec);
    const panels = [...new Set(rows.map((r) => r.panel))];
    expect(panels).toHaveLength(2 * GRID.n.length);
    for (const panel of panels) {
      const bars = rows.filter((r) => r.panel === panel && r.series === 'histogram');
      expect(bars.reduce((a, b) => a + b.density * (b.hi! - b.lo!), 0)).toBeCloseTo(1, 12);
    }
    const first = records.find((r) => r.kind === 'trained' && r.n === 32 && r.p === 0.05 && r.ratio === 0.3 && r.seed === 0) as SweepRecord;
    const bars = histogramBars(first.histograms!.offDiagonal);
    expect(rows.filter((r) => r.panel === panels[0] && r.series === 'histogram').map((r) => r.density)).toEqual(bars.map((b) => b.density));
    expect(panels[0]).toContain(`skewness ${first.statistics!.offDiagonalSkewness!.toFixed(2)}`);
    const curve = rows.filter((r) => r.panel === panels[0] && r.series !== 'histogram');
    const peak = curve.reduce((a, b) => (b.density > a.density ? b : a));
    const variance = first.statistics!.offDiagonalVariance!;
    expect(Math.abs(peak.x! - first.statistics!.offDiagonalMean!)).toBeLessThan(0.35 / 79 + 1e-12);
    expect(peak.density).toBeLessThanOrEqual(1 / Math.sqrt(2 * Math.PI * variance) + 1e-12);
  });
});
