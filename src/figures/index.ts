// The paper's figures as Vega-Lite specs with their data inlined (re-exports only): `persian-rug/figures`.
// Pure functions of records and weights (no node APIs, no charting library): the CLI renders them (src/plot/render.ts),
// the page embeds them (vega-embed), a user restyles the JSON.
export { figureSpec, formatNumber, FONT, PALETTE, SCHEMA } from './spec.js';
export type { Figure, VegaLiteSpec } from './spec.js';
export {
  sweepFigures, heatmapFigure, heatmapCells, lossFigure, lossPoints, histogramFigure, histogramPanelsFigure, histogramBars, gaussianCurve,
  sweepCaption, LOSS_METRICS, STATISTIC_METRICS, PAPER_STATISTICS, PAPER_P, PAPER_R, HISTOGRAM_AT,
} from './sweep.js';
export type { Metric, FigureOptions, HeatmapCell, LossAxis, LossPoint, HistogramPanel } from './sweep.js';
export { runFigures, runLossFigure, runMatrixFigure, runHistogramFigure, runCaption, lossCurve, moments, MAX_CURVE_POINTS } from './run.js';
export { weightSamples } from '../theory/weights.js';
export type { RunSummary } from './run.js';
export { rugFigure } from './rug.js';
export type { RugFigureOptions } from './rug.js';
export { matrixFigure, divergingImageUrl, offDiagonalLimit, DIVERGING_RANGE } from './matrix.js';
export type { MatrixPanel } from './matrix.js';
export { divergingColour, DIVERGING_STOPS } from '../plot/colormap.js';
export { parseResults, RECORD_FORMAT } from '../sweep/record.js';
export type { SweepRecord, ParsedResults, Histogram } from '../sweep/record.js';
