// The figure model both renderers draw (SVG text, RGBA raster): panels, series, axes, and one shared layout.

export type Rgb = readonly [number, number, number];

export interface Series {
  label: string;
  /** (x, y) points in data units; non-finite y values break the line. */
  points: readonly (readonly [number, number])[];
  colour: Rgb;
  line: boolean;
  markers: boolean;
  dashed?: boolean;
}

export interface LinePanel {
  type: 'line';
  title: string;
  xLabel: string;
  yLabel: string;
  xLog: boolean;
  yLog: boolean;
  series: Series[];
}

/** Values on a categorical grid: cell (i, j) spans x index i and y index j; null: no data. */
export interface HeatmapPanel {
  type: 'heatmap';
  title: string;
  xLabel: string;
  yLabel: string;
  x: number[];
  y: number[];
  /** values[j][i] at (x[i], y[j]). */
  values: (number | null)[][];
}

export type Panel = LinePanel | HeatmapPanel;

/** Colour scale shared by every heat map panel of a figure. */
export interface ColourScale {
  label: string;
  min: number;
  max: number;
  log: boolean;
}

export interface Figure {
  /** File stem, e.g. heatmap-trained-diagonalDelta. */
  name: string;
  title: string;
  panels: Panel[];
  colourScale?: ColourScale;
}

export interface Rect { x: number; y: number; w: number; h: number }

export interface PanelLayout {
  panel: Panel;
  /** Plot area (inside the axes). */
  plot: Rect;
  /** Legend's top-left corner (line panels) or colour bar (heat maps). */
  legend: { x: number; y: number };
  colourBar?: Rect;
}

export interface FigureLayout {
  width: number;
  height: number;
  titleY: number;
  panels: PanelLayout[];
}

/** Pixel sizes: shared by the SVG and raster renderers so both draw the same picture. */
export const LAYOUT = {
  plotWidth: 260, plotHeight: 200, marginLeft: 70, marginRight: 20, marginTop: 34, marginBottom: 48,
  legendWidth: 240, colourBarWidth: 14, colourBarSpace: 70, titleHeight: 34, maxColumns: 3, padding: 10,
} as const;

export const LEGEND_ROW = 14;

/** Panels in a grid of up to maxColumns columns; line panels reserve a legend column, heat maps a colour bar. */
export function layoutFigure(figure: Figure): FigureLayout {
  const L = LAYOUT;
  const columns = Math.min(L.maxColumns, Math.max(1, figure.panels.length));
  const rows = Math.ceil(figure.panels.length / columns);
  const hasLine = figure.panels.some((p) => p.type === 'line');
  const legendRows = Math.max(0, ...figure.panels.map((p) => (p.type === 'line' ? p.series.length : 0)));
  const extra = hasLine ? L.legendWidth : L.colourBarSpace;
  const cellWidth = L.marginLeft + L.plotWidth + L.marginRight + extra;
  const cellHeight = L.marginTop + Math.max(L.plotHeight, legendRows * LEGEND_ROW) + L.marginBottom;
  const panels = figure.panels.map((panel, k): PanelLayout => {
    const cx = L.padding + (k % columns) * cellWidth;
    const cy = L.titleHeight + Math.floor(k / columns) * cellHeight;
    const plot = { x: cx + L.marginLeft, y: cy + L.marginTop, w: L.plotWidth, h: L.plotHeight };
    const legend = { x: plot.x + plot.w + L.marginRight, y: plot.y };
    const colourBar = panel.type === 'heatmap' ? { x: plot.x + plot.w + 12, y: plot.y, w: L.colourBarWidth, h: plot.h } : undefined;
    return { panel, plot, legend, colourBar };
  });
  return { width: 2 * L.padding + columns * cellWidth, height: L.titleHeight + rows * cellHeight + L.padding, titleY: 22, panels };
}

/** Ten distinguishable colours (Tableau 10). */
export const PALETTE: readonly Rgb[] = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189],
  [140, 86, 75], [227, 119, 194], [127, 127, 127], [188, 189, 34], [23, 190, 207],
];
