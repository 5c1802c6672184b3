// One training run's figures (what people look at first): loss curve against L* and the baselines, the W image, the histograms of W.
import type { ModelWeights } from '../api.js';
import { constantLoss, linearLoss, optimalSymmetricLoss, weightSamples, zeroLoss } from '../theory/index.js';
import { histogram } from '../sweep/record.js';
import { modelMatrixBlock } from '../rug/image.js';
import { matrixFigure } from './matrix.js';
import { gaussianCurve, histogramBars, histogramPanelsFigure } from './sweep.js';
import { figureSpec, formatNumber, type Figure } from './spec.js';

/** What the figures need from a run record (run.json of persian-rug train --out DIR). */
export interface RunSummary {
  nFeatures: number;
  nHidden: number;
  /** The feature probability (the mean when per-feature; the theory lines are then left out). */
  p: number;
  perFeatureP: boolean;
  /** Loss of every step since step 0. */
  lossHistory: readonly number[];
  evalLoss: number;
  steps: number;
  batch?: number;
  seed?: number;
  /** When the run finished (ISO date), for the caption. */
  date?: string;
  /** Where the run came from (the run directory), for the caption. */
  source?: string;
}

/** Most points a loss curve keeps: longer histories are averaged over consecutive windows of steps. */
export const MAX_CURVE_POINTS = 600;

/** The loss curve as (step, mean loss) over windows ending at `step` (one point per step up to MAX_CURVE_POINTS steps). */
export function lossCurve(history: readonly number[], maxPoints = MAX_CURVE_POINTS): { step: number; loss: number }[] {
  const window = Math.max(1, Math.ceil(history.length / maxPoints));
  const out: { step: number; loss: number }[] = [];
  for (let start = 0; start < history.length; start += window) {
    const end = Math.min(history.length, start + window);
    let sum = 0, count = 0;
    for (let k = start; k < end; k++) if (Number.isFinite(history[k])) { sum += history[k]; count++; }
    if (count > 0 && sum > 0) out.push({ step: end, loss: sum / count });
  }
  return out;
}

export function runCaption(run: RunSummary): string {
  const parts = [`n = ${run.nFeatures}, m = ${run.nHidden}, p = ${run.perFeatureP ? `per feature (mean ${formatNumber(run.p)})` : formatNumber(run.p)}`, `${run.steps} steps${run.batch ? ` of batch ${run.batch}` : ''}`];
  if (run.seed !== undefined) parts.push(`seed ${run.seed}`);
  if (run.source) parts.push(run.source);
  if (run.date) parts.push(run.date.slice(0, 10));
  return `persian-rug train: ${parts.join(' · ')}`;
}

/** Loss per step (window means) on a log axis, with the eval loss, L*(p, m/n) and the baselines as horizontal lines. */
export function runLossFigure(run: RunSummary): Figure {
  const curve = lossCurve(run.lossHistory);
  const r = run.nHidden / run.nFeatures;
  const last = Math.max(1, run.steps);
  const values: Record<string, unknown>[] = curve.map((c) => ({ step: c.step, loss: c.loss, series: 'train loss (window mean)' }));
  const level = (series: string, loss: number) => { if (loss > 0 && Number.isFinite(loss)) for (const step of [1, last]) values.push({ step, loss, series }); };
  level(`eval loss ${run.evalLoss.toExponential(3)}`, run.evalLoss);
  const series = ['train loss (window mean)', `eval loss ${run.evalLoss.toExponential(3)}`];
  if (!run.perFeatureP) {
    const lines: [string, number][] = [
      [`L*(p, r) symmetric optimum ${optimalSymmetricLoss(run.p, r).loss.toExponential(3)}`, optimalSymmetricLoss(run.p, r).loss],
      [`best linear (1 - r) v ${linearLoss(run.p, r).toExponential(3)}`, linearLoss(run.p, r)],
      [`best constant v ${constantLoss(run.p).toExponential(3)}`, constantLoss(run.p)],
      [`output 0: p / 3 ${zeroLoss(run.p).toExponential(3)}`, zeroLoss(run.p)],
    ];
    for (const [name, loss] of lines) { level(name, loss); series.push(name); }
  }
  const title = 'Training loss against L* and the baselines';
  const spec = figureSpec(title, runCaption(run), {
    data: { values },
    width: 520, height: 300,
    mark: { type: 'line', strokeWidth: 1.6, tooltip: true },
    encoding: {
      x: { field: 'step', type: 'quantitative', title: 'training step', scale: { zero: false } },
      y: { field: 'loss', type: 'quantitative', title: 'loss (MSE per feature)', scale: { type: 'log' }, axis: { format: '.1~e' } },
      color: { field: 'series', type: 'nominal', title: null, sort: series, scale: { domain: series, range: ['#4c78a8', '#f58518', '#222222', '#54a24b', '#9d755d', '#bab0ac'] } },
      strokeDash: { field: 'series', type: 'nominal', sort: series, scale: { domain: series, range: [[1, 0], [6, 3], [1, 0], [2, 2], [4, 4], [1, 3]] }, legend: null },
    },
  });
  return { name: 'run-loss', title, spec };
}

/** Mean, variance (1/N) and skewness of a sample. */
export function moments(values: ArrayLike<number>): { mean: number; variance: number; skewness: number } {
  const n = values.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i];
  mean /= n;
  let m2 = 0, m3 = 0;
  for (let i = 0; i < n; i++) { const d = values[i] - mean; m2 += d * d; m3 += d * d * d; }
  m2 /= n; m3 /= n;
  return { mean, variance: m2, skewness: m2 > 0 ? m3 / m2 ** 1.5 : NaN };
}

/** Histograms of off-diagonal and diagonal W with the Gaussian of the same mean and variance, skewness in the titles. */
export function runHistogramFigure(run: RunSummary, weights: ModelWeights, bins = 60): Figure {
  const { diagonal, offDiagonal } = weightSamples(weights);
  const parts = [
    { values: offDiagonal, label: `W_ij, i ≠ j (${offDiagonal.length} entries of ${Math.min(64, run.nFeatures)} rows)` },
    { values: diagonal, label: `W_ii (all ${diagonal.length})` },
  ];
  const panels = parts.map(({ values, label }) => {
    const h = histogram(values, bins);
    const m = moments(values);
    return { title: `${label} · skewness ${Number.isFinite(m.skewness) ? m.skewness.toFixed(2) : 'n/a'}`, bars: histogramBars(h), gaussian: gaussianCurve(m.mean, m.variance, h.lo, h.hi) };
  });
  const title = 'Entries of W = W_out W_in: off-diagonal (the weights of the interference ν) and diagonal';
  return histogramPanelsFigure('run-histograms', title, runCaption(run), panels, 'value of the entry', 2);
}

/** The W image (top-left block, at most 64 x 64) with its bias column and colour bars. */
export function runMatrixFigure(run: RunSummary, weights: ModelWeights, block = Math.min(64, weights.nFeatures)): Figure {
  const bias = Float64Array.from(weights.bias.subarray(0, block));
  return matrixFigure('run-w', 'Trained W = W_out W_in and bias b', runCaption(run), [{ title: 'W = W_out W_in', block: modelMatrixBlock(weights, block), bias, size: block }]);
}

/** A run's three figures: loss curve, W image, histograms. */
export function runFigures(run: RunSummary, weights: ModelWeights): Figure[] {
  return [runLossFigure(run), runMatrixFigure(run, weights), runHistogramFigure(run, weights)];
}
