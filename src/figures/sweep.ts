// The paper's figures from sweep records (docs/theory.md §6): heat maps over (p, r) per n, loss vs r and vs p, W histograms.
import { linearLoss, optimalSymmetricLoss } from '../theory/index.js';
import type { Histogram, StatisticName, SweepRecord } from '../sweep/record.js';
import type { SweepKind } from '../sweep/grid.js';
import { distinct, figureSpec, formatNumber, listText, logSpace, mean, nearest, ONE_THREE_LABEL, PALETTE, POWER_OF_TEN_LABEL, type Figure, type VegaLiteSpec } from './spec.js';

/** A number per record, with the label figures show. */
export interface Metric {
  name: string;
  label: string;
  /** Colour bar title. */
  short: string;
  value: (record: SweepRecord) => number | null | undefined;
}

export const LOSS_METRICS: readonly Metric[] = [
  { name: 'evalLoss', label: 'loss (MSE per feature)', short: 'loss', value: (r) => r.evalLoss },
  { name: 'lossOverTheory', label: 'loss / L*(p, r)', short: 'loss / L*', value: (r) => r.evalLoss / r.theoryLoss },
];

/** The statistics of the paper's heat maps (docs/theory.md §2, §6), in its order, and the skewness our models show. */
export const PAPER_STATISTICS: readonly { name: StatisticName; label: string; short: string }[] = [
  { name: 'diagonalDelta', label: 'Δ diag W (variance of W_ii over i)', short: 'Δ diag W' },
  { name: 'biasDelta', label: 'Δ b (variance of b_i over i)', short: 'Δ b' },
  { name: 'interferenceVarianceDelta', label: 'Δ var ν (variance of v σ_i² over rows)', short: 'Δ var ν' },
  { name: 'interferenceMeanDelta', label: 'Δ E ν (variance of E ν_i over rows)', short: 'Δ E ν' },
  { name: 'ksPValueMedian', label: 'KS p-value of ν_i vs a Gaussian (median over rows)', short: 'KS p-value' },
  { name: 'lyapunovMax', label: 'Λ = max_i Σ_j |ε_ij|³ / Σ_j ε_ij²', short: 'max Λ' },
  { name: 'interferenceSkewness', label: 'skewness of ν', short: 'skewness' },
];

export const STATISTIC_METRICS: readonly Metric[] = PAPER_STATISTICS.map((s) => ({
  name: s.name, label: s.label, short: s.short, value: (r: SweepRecord) => r.statistics?.[s.name],
}));

/** The paper's loss panels: loss vs r at these p, loss vs p at these r (nearest grid values are drawn). */
export const PAPER_P = [0.001, 0.01, 0.05, 0.1, 0.4, 0.6] as const;
export const PAPER_R = [0.01, 0.1, 0.3, 0.5, 0.8] as const;
/** (p, r) of the default histogram figures. */
export const HISTOGRAM_AT: readonly (readonly [number, number])[] = [[0.05, 0.3], [0.01, 0.1], [0.4, 0.5]];

export interface FigureOptions {
  /** p of the loss-vs-r panels (nearest grid values); default PAPER_P. */
  atP?: number[];
  /** r of the loss-vs-p panels (nearest grid values); default PAPER_R. */
  atR?: number[];
  /** (p, r) of the histogram figures; default HISTOGRAM_AT (or atP zipped with atR when those are given). */
  histogramsAt?: (readonly [number, number])[];
}

const KIND_TITLE: Record<SweepKind, string> = { trained: 'Trained models', rug: 'Persian rug', theory: 'Symmetric optimum L*', linear: 'Best linear model' };
const P_TITLE = 'p (probability a feature is on)';
const R_TITLE = 'r = m / n (hidden width / features)';
const LOSS_TITLE = 'loss (MSE per feature)';

/** The caption line: what was run (n, steps, seeds, grid, date), from the records themselves. */
export function sweepCaption(records: readonly SweepRecord[]): string {
  const ns = distinct(records.map((r) => r.n));
  const seeds = distinct(records.map((r) => r.seed));
  const trained = records.find((r) => r.training);
  const steps = distinct(records.filter((r) => r.training).map((r) => r.training!.steps));
  const batch = trained?.training?.config.batch;
  const dates = records.map((r) => r.finishedAt).filter((d) => typeof d === 'string').sort();
  const parts = [`n = ${ns.join(', ')}`];
  if (trained) parts.push(`trained: ${steps.length === 1 ? steps[0] : listText(steps)} steps${batch ? ` of batch ${batch}` : ''}`);
  const rug = records.find((r) => r.rug);
  if (rug) parts.push(`rug: ${rug.rug!.fit} fit, ${rug.rug!.samples} samples`);
  parts.push(`seed${seeds.length > 1 ? 's' : ''} ${listText(seeds)}`);
  const grids = [...new Set(records.map((r) => r.gridId))];
  if (grids.length === 1 && grids[0]) parts.push(`grid ${grids[0]}`);
  if (dates.length) parts.push(dates[dates.length - 1].slice(0, 10));
  return `persian-rug sweep: ${parts.join(' · ')}`;
}

/** One cell of a heat map: the metric averaged over seeds at (n, p, r). */
export interface HeatmapCell { n: number; p: number; r: number; value: number; seeds: number }

export function heatmapCells(records: readonly SweepRecord[], kind: SweepKind, metric: Metric): HeatmapCell[] {
  const mine = records.filter((r) => r.kind === kind);
  const cells: HeatmapCell[] = [];
  for (const n of distinct(mine.map((r) => r.n))) {
    const atN = mine.filter((r) => r.n === n);
    for (const ratio of distinct(atN.map((r) => r.ratio))) {
      for (const p of distinct(atN.map((r) => r.p))) {
        const group = atN.filter((r) => r.p === p && r.ratio === ratio);
        const value = mean(group.map(metric.value));
        if (value !== null) cells.push({ n, p, r: ratio, value, seeds: group.length });
      }
    }
  }
  return cells;
}

/** Heat maps over (p, r), one panel per n side by side, one colour scale shared by all; null when no value is finite. */
export function heatmapFigure(records: readonly SweepRecord[], kind: SweepKind, metric: Metric): Figure | null {
  const cells = heatmapCells(records, kind, metric);
  if (cells.length === 0) return null;
  const values = cells.map((c) => c.value);
  const min = Math.min(...values), max = Math.max(...values);
  const log = min > 0 && max / min > 20;
  const title = `${KIND_TITLE[kind]}: ${metric.label}`;
  const seeds = distinct(records.filter((r) => r.kind === kind).map((r) => r.seed)).length;
  const spec = figureSpec(title, `${sweepCaption(records.filter((r) => r.kind === kind))}${seeds > 1 ? ` · mean over ${seeds} seeds` : ''}${log ? ' · log colour scale' : ''}`, {
    data: { values: cells },
    facet: { column: { field: 'n', type: 'ordinal', title: null, header: { labelExpr: "'n = ' + datum.value", labelFontSize: 13 } } },
    spec: {
      width: 230, height: 200,
      mark: { type: 'rect', tooltip: true },
      encoding: {
        x: { field: 'p', type: 'ordinal', title: 'p (feature probability)', axis: { labelExpr: "format(datum.value, '.3~g')", labelAngle: 0, grid: false, labelOverlap: 'greedy' } },
        y: { field: 'r', type: 'ordinal', title: 'r = m / n', sort: 'descending', axis: { labelExpr: "format(datum.value, '.3~g')", grid: false } },
        color: {
          field: 'value', type: 'quantitative', title: metric.short,
          scale: { scheme: 'viridis', ...(log ? { type: 'log' } : {}) },
          legend: { format: '.3~g', gradientLength: 200 },
        },
        tooltip: [
          { field: 'n', type: 'ordinal' }, { field: 'p', type: 'quantitative', format: '.4~g' }, { field: 'r', type: 'quantitative', format: '.4~g' },
          { field: 'value', type: 'quantitative', title: metric.label, format: '.4~g' }, { field: 'seeds', type: 'quantitative' },
        ],
      },
    },
    spacing: 12,
    resolve: { scale: { color: 'shared' } },
  });
  return { name: `heatmap-${kind}-${metric.name}`, title, spec };
}

/** Which axis a loss figure runs along; the other is fixed per panel. */
export type LossAxis = 'ratio' | 'p';

/** One point of a loss figure. `x` is the axis value (effective m / n for trained and rug models). */
export interface LossPoint {
  panel: string;
  panelIndex: number;
  x: number;
  loss: number;
  /** Colour: 'n = 256' for models, 'theory' for the curves. */
  size: string;
  /** Line style: trained, Persian rug, L*, linear. */
  model: string;
  points: boolean;
}

const CURVE_POINTS = 48;
const MODEL_STYLE = ['trained model', 'Persian rug', 'L*(p, r): symmetric optimum', 'best linear: (1 - r) v'] as const;

/** The points of a loss figure: models per n (seed means), and L* and the linear line as curves over the panel's range. */
export function lossPoints(records: readonly SweepRecord[], axis: LossAxis, at: readonly number[]): { points: LossPoint[]; panels: string[] } {
  const fixed: LossAxis = axis === 'ratio' ? 'p' : 'ratio';
  const grid = distinct(records.map((r) => r[fixed]));
  if (grid.length === 0) return { points: [], panels: [] };
  const chosen = distinct(at.map((v) => nearest(grid, v)));
  const points: LossPoint[] = [];
  const panels: string[] = [];
  chosen.forEach((value, panelIndex) => {
    const asked = at.filter((v) => nearest(grid, v) === value);
    const name = fixed === 'p' ? 'p' : 'r';
    const exact = asked.some((v) => Math.abs(v - value) <= 1e-9 * Math.max(1, v));
    const panel = `${name} = ${formatNumber(value)}${exact ? '' : ` (nearest to ${asked.map(formatNumber).join(', ')})`}`;
    panels.push(panel);
    const here = records.filter((r) => r[fixed] === value);
    const ns = distinct(here.filter((r) => r.kind === 'trained' || r.kind === 'rug').map((r) => r.n));
    for (const kind of ['trained', 'rug'] as const) {
      for (const n of ns) {
        const mine = here.filter((r) => r.kind === kind && r.n === n);
        for (const v of distinct(mine.map((r) => r[axis]))) {
          const group = mine.filter((r) => r[axis] === v);
          const x = axis === 'ratio' ? mean(group.map((r) => r.effectiveRatio)) : v;
          const loss = mean(group.map((r) => r.evalLoss));
          if (x !== null && loss !== null && loss > 0) points.push({ panel, panelIndex, x, loss, size: `n = ${n}`, model: MODEL_STYLE[kind === 'trained' ? 0 : 1], points: true });
        }
      }
    }
    const xs = here.map((r) => (axis === 'ratio' ? r.effectiveRatio : r.p)).filter((x) => x > 0);
    if (xs.length === 0) return;
    for (const x of logSpace(Math.min(...xs), Math.max(...xs), CURVE_POINTS)) {
      const [p, r] = axis === 'ratio' ? [value, x] : [x, value];
      const theory = optimalSymmetricLoss(p, r).loss, linear = linearLoss(p, r);
      if (theory > 0) points.push({ panel, panelIndex, x, loss: theory, size: 'theory', model: MODEL_STYLE[2], points: false });
      if (linear > 0) points.push({ panel, panelIndex, x, loss: linear, size: 'theory', model: MODEL_STYLE[3], points: false });
    }
  });
  return { points, panels };
}

/** Loss vs r at fixed p (axis 'ratio') or vs p at fixed r (axis 'p'), one panel per fixed value, log axes. */
export function lossFigure(records: readonly SweepRecord[], axis: LossAxis, at: readonly number[]): Figure | null {
  const models = records.filter((r) => r.kind === 'trained' || r.kind === 'rug');
  const { points, panels } = lossPoints(records, axis, at);
  if (points.length === 0) return null;
  const sizes = [...distinct(models.map((r) => r.n)).map((n) => `n = ${n}`), 'theory'];
  const colours = [...sizes.slice(0, -1).map((_, k) => PALETTE[k % PALETTE.length]), '#222222'];
  const title = axis === 'ratio' ? 'Loss vs r at fixed p' : 'Loss vs p at fixed r';
  const xTitle = axis === 'ratio' ? R_TITLE : P_TITLE;
  const seeds = distinct(models.map((r) => r.seed)).length;
  const spec = figureSpec(title, `${sweepCaption(records)}${seeds > 1 ? ` · models: mean over ${seeds} seeds` : ''}`, {
    data: { values: points },
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels, header: { labelFontSize: 13 } },
    columns: Math.min(3, panels.length),
    spec: {
      width: 240, height: 190,
      encoding: {
        x: { field: 'x', type: 'quantitative', title: xTitle, scale: { type: 'log', nice: false }, axis: { labelExpr: ONE_THREE_LABEL, tickCount: 12 } },
        y: { field: 'loss', type: 'quantitative', title: LOSS_TITLE, scale: { type: 'log' }, axis: { labelExpr: POWER_OF_TEN_LABEL, tickCount: 12 } },
        color: { field: 'size', type: 'nominal', title: 'models of size', scale: { domain: sizes, range: colours }, legend: { symbolType: 'stroke', symbolStrokeWidth: 3 } },
        strokeDash: { field: 'model', type: 'nominal', title: 'model', scale: { domain: [...MODEL_STYLE], range: [[1, 0], [6, 3], [1, 0], [2, 2]] }, legend: { symbolType: 'stroke', symbolStrokeWidth: 2, encode: { symbols: { update: { stroke: { value: '#333' }, opacity: { value: 1 } } } } } },
        detail: { field: 'model', type: 'nominal' },
        tooltip: [{ field: 'model', type: 'nominal' }, { field: 'size', type: 'nominal' }, { field: 'x', type: 'quantitative', title: axis === 'ratio' ? 'r' : 'p', format: '.4~g' }, { field: 'loss', type: 'quantitative', format: '.4~e' }],
      },
      layer: [
        { mark: { type: 'line', strokeWidth: 1.8, clip: true } },
        { transform: [{ filter: 'datum.points' }], mark: { type: 'point', filled: true, size: 30, tooltip: true } },
      ],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  });
  return { name: axis === 'ratio' ? 'loss-vs-r' : 'loss-vs-p', title, spec };
}

/** Bars of a histogram as densities: [lo, hi) and count / (total * width). */
export function histogramBars(h: Histogram): { lo: number; hi: number; density: number }[] {
  const width = (h.hi - h.lo) / h.counts.length;
  return h.counts.map((c, k) => ({ lo: h.lo + k * width, hi: h.lo + (k + 1) * width, density: c / (h.total * width) }));
}

/** The normal density of mean `mu` and variance `variance` at `count` points over [lo, hi]. */
export function gaussianCurve(mu: number, variance: number, lo: number, hi: number, count = 80): { x: number; density: number }[] {
  if (!(variance > 0)) return [];
  return Array.from({ length: count }, (_, k) => {
    const x = lo + ((hi - lo) * k) / (count - 1);
    return { x, density: Math.exp(-((x - mu) ** 2) / (2 * variance)) / Math.sqrt(2 * Math.PI * variance) };
  });
}

/** One histogram panel's data: bars, the Gaussian of the same mean and variance, and the title (with skewness). */
export interface HistogramPanel {
  title: string;
  bars: { lo: number; hi: number; density: number }[];
  gaussian: { x: number; density: number }[];
}

/** A figure of histogram panels (bars + Gaussian overlay), one per panel, independent scales. */
export function histogramPanelsFigure(name: string, title: string, caption: string, panels: readonly HistogramPanel[], xTitle: string, columns: number): Figure {
  const values: VegaLiteSpec[] = [];
  panels.forEach((panel) => {
    for (const b of panel.bars) values.push({ panel: panel.title, lo: b.lo, hi: b.hi, density: b.density, series: 'histogram' });
    for (const g of panel.gaussian) values.push({ panel: panel.title, x: g.x, density: g.density, series: 'Gaussian, same mean and variance' });
  });
  const spec = figureSpec(title, caption, {
    data: { values },
    facet: { field: 'panel', type: 'nominal', title: null, sort: panels.map((p) => p.title), header: { labelFontSize: 12 } },
    columns,
    spec: {
      width: 260, height: 180,
      layer: [
        {
          transform: [{ filter: "datum.series === 'histogram'" }],
          mark: { type: 'rect', tooltip: true },
          encoding: {
            x: { field: 'lo', type: 'quantitative', title: xTitle, scale: { zero: false }, axis: { format: '.2~g', labelOverlap: 'greedy' } },
            x2: { field: 'hi' },
            y: { field: 'density', type: 'quantitative', title: 'density (1 / unit of x)' },
            color: { field: 'series', type: 'nominal', title: null, scale: { domain: ['histogram', 'Gaussian, same mean and variance'], range: ['#9ecae1', '#d62728'] } },
          },
        },
        {
          transform: [{ filter: "datum.series !== 'histogram'" }],
          mark: { type: 'line', strokeWidth: 2, clip: true },
          encoding: {
            x: { field: 'x', type: 'quantitative' },
            y: { field: 'density', type: 'quantitative' },
            color: { field: 'series', type: 'nominal' },
          },
        },
      ],
    },
    resolve: { scale: { x: 'independent', y: 'independent' } },
  });
  return { name, title, spec };
}

function skewnessText(x: number | null | undefined): string {
  return typeof x === 'number' && Number.isFinite(x) ? `skewness ${x.toFixed(2)}` : 'skewness n/a';
}

/** Diagonal and off-diagonal entries of trained W at the (p, r) nearest the request, per n (first seed), with Gaussians. */
export function histogramFigure(records: readonly SweepRecord[], p: number, ratio: number): Figure | null {
  const trained = records.filter((r) => r.kind === 'trained' && r.histograms);
  if (trained.length === 0) return null;
  const pp = nearest(distinct(trained.map((r) => r.p)), p);
  const rr = nearest(distinct(trained.filter((r) => r.p === pp).map((r) => r.ratio)), ratio);
  const chosen = trained.filter((r) => r.p === pp && r.ratio === rr);
  const picks = distinct(chosen.map((r) => r.n)).map((n) => chosen.filter((r) => r.n === n).sort((a, b) => a.seed - b.seed)[0]);
  const panels: HistogramPanel[] = [];
  for (const part of ['offDiagonal', 'diagonal'] as const) {
    for (const r of picks) {
      const h = r.histograms![part];
      const s = r.statistics;
      const mu = part === 'offDiagonal' ? s?.offDiagonalMean : s?.diagonalMean;
      const variance = part === 'offDiagonal' ? s?.offDiagonalVariance : s?.diagonalDelta;
      const skew = part === 'offDiagonal' ? s?.offDiagonalSkewness : null;
      panels.push({
        title: `${part === 'offDiagonal' ? 'W_ij, i ≠ j' : 'W_ii'} · n = ${r.n}, m = ${r.m}${part === 'offDiagonal' ? ` · ${skewnessText(skew)}` : ''}`,
        bars: histogramBars(h),
        gaussian: typeof mu === 'number' && typeof variance === 'number' ? gaussianCurve(mu, variance, h.lo, h.hi) : [],
      });
    }
  }
  const title = `Entries of trained W at p = ${formatNumber(pp)}, r = ${formatNumber(rr)}: off-diagonal (the weights of the interference ν) and diagonal`;
  return histogramPanelsFigure(`histograms-p${formatNumber(pp)}-r${formatNumber(rr)}`, title, `${sweepCaption(chosen)} · first seed per n`, panels, 'value of the entry', picks.length);
}

/** Every figure the records support: heat maps (loss, loss / L*, the paper's statistics), loss vs r, loss vs p, histograms. */
export function sweepFigures(records: readonly SweepRecord[], options: FigureOptions = {}): Figure[] {
  const figures: (Figure | null)[] = [];
  const kinds = new Set(records.map((r) => r.kind));
  for (const kind of ['trained', 'rug', 'theory'] as const) {
    if (!kinds.has(kind)) continue;
    for (const metric of LOSS_METRICS) if (!(kind === 'theory' && metric.name === 'lossOverTheory')) figures.push(heatmapFigure(records, kind, metric));
    if (kind === 'trained') for (const metric of STATISTIC_METRICS) figures.push(heatmapFigure(records, kind, metric));
  }
  const atP = options.atP ?? [...PAPER_P];
  const atR = options.atR ?? [...PAPER_R];
  figures.push(lossFigure(records, 'ratio', atP), lossFigure(records, 'p', atR));
  const pairs = options.histogramsAt
    ?? (options.atP || options.atR ? Array.from({ length: Math.max(atP.length, atR.length) }, (_, k) => [atP[Math.min(k, atP.length - 1)], atR[Math.min(k, atR.length - 1)]] as const) : HISTOGRAM_AT);
  const seen = new Set<string>();
  for (const [p, r] of pairs) {
    const figure = histogramFigure(records, p, r);
    if (figure && !seen.has(figure.name)) { seen.add(figure.name); figures.push(figure); }
  }
  return figures.filter((f): f is Figure => f !== null);
}
