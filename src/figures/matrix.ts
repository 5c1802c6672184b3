// Images of W (a top-left block) with the bias column, axes and colour bars: the rug (the paper's Figure 1) and trained models.
//
// The pixels are ours (one pixel per entry, the project's diverging map, PNG inlined as a data URL in an image mark
// drawn with smooth: false, so it stays sharp at any zoom); axes, titles and colour bars are Vega-Lite's. A dummy
// transparent layer carries the colour scale whose legend is the colour bar, on exactly the stops the pixels use.
import { DIVERGING_STOPS, divergingColour } from '../plot/colormap.js';
import { createRaster, encodePng } from '../plot/png.js';
import { figureSpec, formatNumber, type Figure, type VegaLiteSpec } from './spec.js';

export interface MatrixPanel {
  /** Panel title, e.g. "Persian rug: A W" or "trained: W = W_out W_in". */
  title: string;
  /** size x size block of W, row-major (W_ij at i * size + j). */
  block: Float64Array;
  /** The bias b_i of the same rows (size entries). */
  bias: Float64Array;
  size: number;
}

export const DIVERGING_RANGE: readonly string[] = DIVERGING_STOPS.map(([r, g, b]) => `#${[r, g, b].map((c) => c.toString(16).padStart(2, '0')).join('')}`);

/** Largest |W_ij| off the diagonal over every panel (the diagonal, ~a, would wash the pattern out: it saturates). */
export function offDiagonalLimit(panels: readonly MatrixPanel[]): number {
  let limit = 0;
  for (const { block, size } of panels) for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) if (i !== j) limit = Math.max(limit, Math.abs(block[i * size + j]));
  if (!(limit > 0)) for (const { block, size } of panels) for (let i = 0; i < size; i++) limit = Math.max(limit, Math.abs(block[i * size + i]));
  return limit > 0 ? limit : 1;
}

function base64(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

/** PNG data URL of a rows x columns grid, one pixel per value, coloured on the diverging map scaled to [-limit, limit]. */
export function divergingImageUrl(values: ArrayLike<number>, rows: number, columns: number, limit: number): string {
  const raster = createRaster(columns, rows, 3);
  for (let k = 0; k < rows * columns; k++) raster.data.set(divergingColour(values[k], limit), 3 * k);
  return `data:image/png;base64,${base64(encodePng(raster))}`;
}

function colourScale(limit: number) {
  return { domain: [-limit, limit], range: [...DIVERGING_RANGE], interpolate: 'rgb', clamp: true };
}

/** One image view: the picture over [0, columns] x [0, rows] (row 0 at the top) and a transparent layer for the colour bar. */
function imageView(url: string, rows: number, columns: number, width: number, height: number, channel: 'color' | 'fill', limit: number, legendTitle: string, axes: { x: string | null; y: string | null }, title: string): VegaLiteSpec {
  const legendField = channel === 'color' ? 'W_ij' : 'b_i'; // distinct fields: Vega-Lite merges legends of one field
  const axis = (label: string | null) => (label === null ? null : { title: label, grid: false, tickMinStep: 1 });
  return {
    title, width, height,
    layer: [
      {
        data: { values: [{ url, x: 0, x2: columns, y: 0, y2: rows }] },
        mark: { type: 'image', aspect: false, smooth: false, aria: false },
        encoding: {
          x: { field: 'x', type: 'quantitative', scale: { domain: [0, columns], nice: false, zero: false }, axis: axis(axes.x) },
          x2: { field: 'x2' },
          y: { field: 'y', type: 'quantitative', scale: { domain: [0, rows], nice: false, reverse: true }, axis: axis(axes.y) },
          y2: { field: 'y2' },
          url: { field: 'url', type: 'nominal' },
        },
      },
      {
        data: { values: [{ [legendField]: -limit }, { [legendField]: limit }] },
        mark: { type: 'rect', opacity: 0 },
        encoding: { [channel]: { field: legendField, type: 'quantitative', scale: colourScale(limit), title: legendTitle, legend: { gradientLength: Math.min(height / 2 - 40, 200), format: '.2~g' } } },
      },
    ],
  };
}

/**
 * Panels side by side, each its W block and bias column; one colour scale for every W block (clipped at the largest
 * off-diagonal |W_ij|) and one for every bias column (its largest |b_i|).
 */
export function matrixFigure(name: string, title: string, caption: string, panels: readonly MatrixPanel[], side = 420): Figure {
  const limit = offDiagonalLimit(panels);
  let biasLimit = 0;
  for (const { bias, size } of panels) for (let i = 0; i < size; i++) biasLimit = Math.max(biasLimit, Math.abs(bias[i]));
  if (!(biasLimit > 0)) biasLimit = 1;
  const views: VegaLiteSpec[] = [];
  for (const panel of panels) {
    const { size } = panel;
    views.push({
      hconcat: [
        imageView(divergingImageUrl(panel.block, size, size, limit), size, size, side, side, 'color', limit, 'W_ij', { x: 'feature j', y: 'feature i' }, `${panel.title}, top-left ${size} x ${size}`),
        imageView(divergingImageUrl(panel.bias, size, 1, biasLimit), size, 1, 18, side, 'fill', biasLimit, 'b_i', { x: null, y: null }, 'b'),
      ],
      spacing: 6,
    });
  }
  const spec = figureSpec(title, `${caption}; colour clipped at max |W_ij| off the diagonal = ${formatNumber(limit)} (the diagonal saturates), b at max |b_i| = ${formatNumber(biasLimit)}`, {
    hconcat: views,
    spacing: 28,
    resolve: { scale: { color: 'shared', fill: 'shared' }, legend: { color: 'shared', fill: 'shared' } },
  });
  return { name, title, spec };
}
