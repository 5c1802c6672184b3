// The paper's figures (docs/theory.md §6) from sweep records: heat maps over (p, r) per n, loss vs r and vs p, W histograms.
// Titles, axis labels and legends are built from the records (kinds, n, p, r) and the field schema of record.ts.
import { linearLoss, optimalSymmetricLoss } from '../theory/index.js';
import { STATISTIC_FIELDS, type Histogram, type SweepRecord } from '../sweep/record.js';
import type { SweepKind } from '../sweep/grid.js';
import { PALETTE, type Figure, type HeatmapPanel, type LinePanel, type Rgb, type Series } from './figure.js';
import { formatNumber } from './scale.js';

/** A number per record, with the label plots show. */
export interface Metric {
  name: string;
  label: string;
  value: (record: SweepRecord) => number | null | undefined;
}

export const LOSS_METRICS: readonly Metric[] = [
  { name: 'evalLoss', label: 'loss', value: (r) => r.evalLoss },
  { name: 'lossOverTheory', label: 'loss / L*(p, r)', value: (r) => r.evalLoss / r.theoryLoss },
];

export const STATISTIC_METRICS: readonly Metric[] = STATISTIC_FIELDS.map((f) => ({
  name: f.name, label: f.label, value: (r: SweepRecord) => r.statistics?.[f.name],
}));

export interface FigureOptions {
  /** Feature probabilities of the loss-vs-r panels (nearest grid values); default up to 3 spread over the grid. */
  atP?: number[];
  /** Ratios of the loss-vs-p panels (nearest grid values); default up to 3 spread over the grid. */
  atR?: number[];
}

const R_LABEL = 'r = m / n';
const P_LABEL = 'p';
const LOSS_LABEL = 'loss (MSE per feature)';
const THEORY_COLOUR: Rgb = [0, 0, 0];
const LINEAR_COLOUR: Rgb = [120, 120, 120];
const CURVE_POINTS = 40;

function distinct(values: Iterable<number>): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

function mean(values: readonly (number | null | undefined)[]): number | null {
  const ok = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : null;
}

function nearest(values: readonly number[], target: number): number {
  return values.reduce((best, v) => (Math.abs(v - target) < Math.abs(best - target) ? v : best), values[0]);
}

/** Up to three values spread over a sorted list (all when three or fewer). */
export function spreadPick(values: readonly number[]): number[] {
  if (values.length <= 3) return [...values];
  return distinct([Math.round((values.length - 1) / 4), Math.round((values.length - 1) / 2), Math.round((3 * (values.length - 1)) / 4)].map((i) => values[i]));
}

function logSpace(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  return Array.from({ length: count }, (_, k) => lo * (hi / lo) ** (k / (count - 1)));
}

function seedsNote(records: readonly SweepRecord[]): string {
  const seeds = distinct(records.map((r) => r.seed)).length;
  return seeds > 1 ? `, mean over ${seeds} seeds` : '';
}

/** One heat map figure: panels per n over (p, r), colour = the metric averaged over seeds; null when no value is finite. */
export function heatmapFigure(records: readonly SweepRecord[], kind: SweepKind, metric: Metric): Figure | null {
  const mine = records.filter((r) => r.kind === kind);
  const panels: HeatmapPanel[] = [];
  const all: number[] = [];
  for (const n of distinct(mine.map((r) => r.n))) {
    const atN = mine.filter((r) => r.n === n);
    const x = distinct(atN.map((r) => r.p));
    const y = distinct(atN.map((r) => r.ratio));
    const values = y.map((ratio) => x.map((p) => mean(atN.filter((r) => r.p === p && r.ratio === ratio).map(metric.value))));
    for (const row of values) for (const v of row) if (v !== null) all.push(v);
    panels.push({ type: 'heatmap', title: `n = ${n}`, xLabel: P_LABEL, yLabel: R_LABEL, x, y, values });
  }
  if (all.length === 0) return null;
  const min = Math.min(...all), max = Math.max(...all);
  const log = min > 0 && max / min > 20;
  return {
    name: `heatmap-${kind}-${metric.name}`,
    title: `${kind}: ${metric.label} (${metric.name})${seedsNote(mine)}${log ? ', log colour scale' : ''}`,
    panels,
    colourScale: { label: metric.label, min, max, log },
  };
}

function modelSeries(records: readonly SweepRecord[], along: 'ratio' | 'p'): Series[] {
  const series: Series[] = [];
  const ns = distinct(records.filter((r) => r.kind === 'trained' || r.kind === 'rug').map((r) => r.n));
  for (const kind of ['trained', 'rug'] as const) {
    for (const n of ns) {
      const mine = records.filter((r) => r.kind === kind && r.n === n);
      if (mine.length === 0) continue;
      const points = distinct(mine.map((r) => r[along])).map((value) => {
        const group = mine.filter((r) => r[along] === value);
        const x = along === 'ratio' ? mean(group.map((r) => r.effectiveRatio))! : value;
        return [x, mean(group.map((r) => r.evalLoss)) ?? NaN] as const;
      });
      series.push({
        label: `${kind} n = ${n}`, points, colour: PALETTE[ns.indexOf(n) % PALETTE.length],
        line: true, markers: true, dashed: kind === 'rug',
      });
    }
  }
  return series;
}

/** Loss vs r at each chosen p: trained and rug models per n, L*(p, r) and the best linear model (1 - r) v. */
export function lossVsRatioFigure(records: readonly SweepRecord[], atP: readonly number[]): Figure | null {
  const ps = distinct(records.map((r) => r.p));
  if (ps.length === 0) return null;
  const chosen = distinct(atP.map((p) => nearest(ps, p)));
  const panels: LinePanel[] = chosen.map((p) => {
    const atThisP = records.filter((r) => r.p === p);
    const ratios = atThisP.map((r) => r.effectiveRatio);
    const curve = logSpace(Math.min(...ratios), Math.max(...ratios), CURVE_POINTS);
    return {
      type: 'line', title: `p = ${formatNumber(p)}`, xLabel: R_LABEL, yLabel: LOSS_LABEL, xLog: true, yLog: true,
      series: [
        ...modelSeries(atThisP, 'ratio'),
        { label: 'L*(p, r) symmetric optimum', points: curve.map((r) => [r, optimalSymmetricLoss(p, r).loss] as const), colour: THEORY_COLOUR, line: true, markers: false },
        { label: 'linear (1 - r) v', points: curve.map((r) => [r, linearLoss(p, r)] as const), colour: LINEAR_COLOUR, line: true, markers: false, dashed: true },
      ],
    };
  });
  return { name: 'loss-vs-r', title: `loss vs r at fixed p (${chosen.map(formatNumber).join(', ')})${seedsNote(records.filter((r) => r.kind === 'trained'))}`, panels };
}

/** Loss vs p at each chosen nominal r: trained and rug models per n, L*(p, r) and (1 - r) v. */
export function lossVsProbabilityFigure(records: readonly SweepRecord[], atR: readonly number[]): Figure | null {
  const rs = distinct(records.map((r) => r.ratio));
  if (rs.length === 0) return null;
  const chosen = distinct(atR.map((r) => nearest(rs, r)));
  const panels: LinePanel[] = chosen.map((ratio) => {
    const atThisR = records.filter((r) => r.ratio === ratio);
    const ps = atThisR.map((r) => r.p);
    const curve = logSpace(Math.min(...ps), Math.max(...ps), CURVE_POINTS);
    return {
      type: 'line', title: `r = ${formatNumber(ratio)}`, xLabel: P_LABEL, yLabel: LOSS_LABEL, xLog: true, yLog: true,
      series: [
        ...modelSeries(atThisR, 'p'),
        { label: 'L*(p, r) symmetric optimum', points: curve.map((p) => [p, optimalSymmetricLoss(p, ratio).loss] as const), colour: THEORY_COLOUR, line: true, markers: false },
        { label: 'linear (1 - r) v', points: curve.map((p) => [p, linearLoss(p, ratio)] as const), colour: LINEAR_COLOUR, line: true, markers: false, dashed: true },
      ],
    };
  });
  return { name: 'loss-vs-p', title: `loss vs p at fixed r (${chosen.map(formatNumber).join(', ')})${seedsNote(records.filter((r) => r.kind === 'trained'))}`, panels };
}

function densityPoints(h: Histogram): [number, number][] {
  const width = (h.hi - h.lo) / h.counts.length;
  return h.counts.map((c, k) => [h.lo + (k + 0.5) * width, c / (h.total * width)]);
}

/** Histograms of W's diagonal and off-diagonal entries of trained models at (p, r) nearest the request, one series per n (first seed). */
export function histogramFigure(records: readonly SweepRecord[], p: number, ratio: number): Figure | null {
  const trained = records.filter((r) => r.kind === 'trained' && r.histograms);
  if (trained.length === 0) return null;
  const pp = nearest(distinct(trained.map((r) => r.p)), p);
  const rr = nearest(distinct(trained.filter((r) => r.p === pp).map((r) => r.ratio)), ratio);
  const chosen = trained.filter((r) => r.p === pp && r.ratio === rr);
  const ns = distinct(chosen.map((r) => r.n));
  const picks = ns.map((n) => chosen.filter((r) => r.n === n).sort((a, b) => a.seed - b.seed)[0]);
  const names = Object.keys(picks[0].histograms!) as (keyof NonNullable<SweepRecord['histograms']>)[];
  const panels: LinePanel[] = names.map((name) => ({
    type: 'line', title: `${name} entries of W`, xLabel: `W_ij (${name})`, yLabel: 'density', xLog: false, yLog: false,
    series: picks.map((r, k) => ({
      label: `n = ${r.n}, m = ${r.m}, seed ${r.seed}`, points: densityPoints(r.histograms![name]), colour: PALETTE[k % PALETTE.length], line: true, markers: false,
    })),
  }));
  return { name: `histograms-p${formatNumber(pp)}-r${formatNumber(rr)}`, title: `trained W at p = ${formatNumber(pp)}, r = ${formatNumber(rr)}`, panels };
}

/** Every figure the records support: heat maps (loss and each statistic), loss vs r, loss vs p, histograms. */
export function sweepFigures(records: readonly SweepRecord[], options: FigureOptions = {}): Figure[] {
  const figures: (Figure | null)[] = [];
  const kinds = new Set(records.map((r) => r.kind));
  for (const kind of ['trained', 'rug', 'theory'] as const) {
    if (!kinds.has(kind)) continue;
    for (const metric of LOSS_METRICS) if (!(kind === 'theory' && metric.name === 'lossOverTheory')) figures.push(heatmapFigure(records, kind, metric));
    if (kind === 'trained') for (const metric of STATISTIC_METRICS) figures.push(heatmapFigure(records, kind, metric));
  }
  const atP = options.atP ?? spreadPick(distinct(records.map((r) => r.p)));
  const atR = options.atR ?? spreadPick(distinct(records.map((r) => r.ratio)));
  figures.push(lossVsRatioFigure(records, atP), lossVsProbabilityFigure(records, atR));
  const pairs = Math.max(atP.length, atR.length);
  const seen = new Set<string>();
  for (let k = 0; k < pairs; k++) {
    const figure = histogramFigure(records, atP[Math.min(k, atP.length - 1)], atR[Math.min(k, atR.length - 1)]);
    if (figure && !seen.has(figure.name)) { seen.add(figure.name); figures.push(figure); }
  }
  return figures.filter((f): f is Figure => f !== null);
}
