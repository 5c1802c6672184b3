// Raster renderer of the figure model: RGBA pixels (lines, markers, heat-map cells, 3x5 bitmap text) for the PNG encoder.
import { createRaster, encodePng, fillRect, type Raster } from './png.js';
import { layoutFigure, LEGEND_ROW, type Figure, type HeatmapPanel, type LinePanel, type PanelLayout, type Rgb } from './figure.js';
import { categoricalTicks, colourFraction, colourTicks, formatNumber, lineScales, sequentialColour } from './scale.js';
import { glyph, GLYPH_HEIGHT, textWidth } from './font.js';

const BLACK: Rgb = [0, 0, 0];
const TEXT_SCALE = 2;

function setPixel(r: Raster, x: number, y: number, c: Rgb): void {
  x = Math.round(x); y = Math.round(y);
  if (x < 0 || y < 0 || x >= r.width || y >= r.height) return;
  const o = (y * r.width + x) * r.channels;
  r.data[o] = c[0]; r.data[o + 1] = c[1]; r.data[o + 2] = c[2];
  if (r.channels === 4) r.data[o + 3] = 255;
}

/** `text` with its anchor at (x, baseline y); rotated: reads bottom to top with (x, y) the baseline centre. */
export function drawText(r: Raster, x: number, y: number, content: string, anchor: 'start' | 'middle' | 'end' = 'start', colour: Rgb = BLACK, rotated = false, scale = TEXT_SCALE): void {
  const width = textWidth(content, scale);
  const shift = anchor === 'middle' ? width / 2 : anchor === 'end' ? width : 0;
  const top = -GLYPH_HEIGHT * scale;
  [...content].forEach((ch, k) => {
    for (const [gx, gy] of glyph(ch)) {
      for (let sx = 0; sx < scale; sx++) for (let sy = 0; sy < scale; sy++) {
        const u = k * 4 * scale + gx * scale + sx - shift;
        const v = top + gy * scale + sy;
        if (rotated) setPixel(r, x + v, y - u, colour);
        else setPixel(r, x + u, y + v, colour);
      }
    }
  });
}

/** Line of width ~2 px from (x0, y0) to (x1, y1); dashed: 6 px on, 4 off. */
function drawLine(r: Raster, x0: number, y0: number, x1: number, y1: number, c: Rgb, dashed = false, width = 2): void {
  const length = Math.hypot(x1 - x0, y1 - y0);
  const steps = Math.max(1, Math.ceil(length * 2));
  for (let s = 0; s <= steps; s++) {
    const t = s / steps;
    if (dashed && (t * length) % 10 > 6) continue;
    const x = x0 + (x1 - x0) * t, y = y0 + (y1 - y0) * t;
    for (let dx = 0; dx < width; dx++) for (let dy = 0; dy < width; dy++) setPixel(r, x + dx - (width >> 1), y + dy - (width >> 1), c);
  }
}

function strokeRect(r: Raster, x: number, y: number, w: number, h: number, c: Rgb): void {
  drawLine(r, x, y, x + w, y, c, false, 1); drawLine(r, x, y + h, x + w, y + h, c, false, 1);
  drawLine(r, x, y, x, y + h, c, false, 1); drawLine(r, x + w, y, x + w, y + h, c, false, 1);
}

function marker(r: Raster, x: number, y: number, c: Rgb): void {
  for (let dx = -2; dx <= 2; dx++) for (let dy = -2; dy <= 2; dy++) if (dx * dx + dy * dy <= 5) setPixel(r, x + dx, y + dy, c);
}

function labels(r: Raster, pl: PanelLayout): void {
  const { plot, panel } = pl;
  drawText(r, plot.x + plot.w / 2, plot.y - 10, panel.title, 'middle');
  drawText(r, plot.x + plot.w / 2, plot.y + plot.h + 40, panel.xLabel, 'middle');
  drawText(r, plot.x - 50, plot.y + plot.h / 2, panel.yLabel, 'middle', BLACK, true);
}

function linePanel(r: Raster, pl: PanelLayout, panel: LinePanel): void {
  const { plot } = pl;
  const scales = lineScales(panel.series, panel.xLog, panel.yLog);
  const X = (v: number) => plot.x + scales.x.fraction(v) * plot.w;
  const Y = (v: number) => plot.y + plot.h - scales.y.fraction(v) * plot.h;
  for (const t of scales.x.ticks) {
    drawLine(r, X(t), plot.y + plot.h, X(t), plot.y + plot.h + 4, BLACK, false, 1);
    drawText(r, X(t), plot.y + plot.h + 18, formatNumber(t), 'middle');
  }
  for (const t of scales.y.ticks) {
    drawLine(r, plot.x - 4, Y(t), plot.x, Y(t), BLACK, false, 1);
    drawText(r, plot.x - 7, Y(t) + 5, formatNumber(t), 'end');
  }
  // segments and markers are drawn only inside the plot area (the scales cover every point, so nothing is lost)
  const inside = (x: number, y: number) => x >= plot.x && x <= plot.x + plot.w && y >= plot.y && y <= plot.y + plot.h;
  const ok = (x: number, y: number) => Number.isFinite(x) && Number.isFinite(y) && (!panel.xLog || x > 0) && (!panel.yLog || y > 0);
  for (const s of panel.series) {
    let previous: [number, number] | undefined;
    for (const [x, y] of s.points) {
      if (!ok(x, y)) { previous = undefined; continue; }
      const point: [number, number] = [X(x), Y(y)];
      if (s.line && previous && inside(...previous) && inside(...point)) drawLine(r, previous[0], previous[1], point[0], point[1], s.colour, s.dashed);
      if (s.markers && inside(...point)) marker(r, point[0], point[1], s.colour);
      previous = point;
    }
  }
  strokeRect(r, plot.x, plot.y, plot.w, plot.h, BLACK);
  panel.series.forEach((s, k) => {
    const y = pl.legend.y + k * LEGEND_ROW + 6;
    if (s.line) drawLine(r, pl.legend.x, y, pl.legend.x + 18, y, s.colour, s.dashed);
    if (s.markers) marker(r, pl.legend.x + 9, y, s.colour);
    drawText(r, pl.legend.x + 24, y + 5, s.label);
  });
}

function heatmapPanel(r: Raster, pl: PanelLayout, panel: HeatmapPanel, figure: Figure): void {
  const { plot } = pl;
  const scale = figure.colourScale!;
  const nx = Math.max(1, panel.x.length), ny = Math.max(1, panel.y.length);
  for (let j = 0; j < panel.y.length; j++) {
    for (let i = 0; i < panel.x.length; i++) {
      const x0 = Math.round(plot.x + (i * plot.w) / nx), x1 = Math.round(plot.x + ((i + 1) * plot.w) / nx);
      const y0 = Math.round(plot.y + plot.h - ((j + 1) * plot.h) / ny), y1 = Math.round(plot.y + plot.h - (j * plot.h) / ny);
      fillRect(r, x0, y0, x1 - x0, y1 - y0, [...sequentialColour(colourFraction(panel.values[j][i], scale.min, scale.max, scale.log)), 255]);
    }
  }
  strokeRect(r, plot.x, plot.y, plot.w, plot.h, BLACK);
  for (const i of categoricalTicks(panel.x.length)) drawText(r, plot.x + ((i + 0.5) * plot.w) / nx, plot.y + plot.h + 18, formatNumber(panel.x[i]), 'middle');
  for (const j of categoricalTicks(panel.y.length)) drawText(r, plot.x - 7, plot.y + plot.h - ((j + 0.5) * plot.h) / ny + 5, formatNumber(panel.y[j]), 'end');
  const bar = pl.colourBar!;
  for (let y = 0; y < bar.h; y++) fillRect(r, bar.x, bar.y + bar.h - 1 - y, bar.w, 1, [...sequentialColour((y + 0.5) / bar.h), 255]);
  strokeRect(r, bar.x, bar.y, bar.w, bar.h, BLACK);
  for (const t of colourTicks(scale.min, scale.max, scale.log)) {
    drawText(r, bar.x + bar.w + 4, bar.y + bar.h - colourFraction(t, scale.min, scale.max, scale.log) * bar.h + 5, formatNumber(t));
  }
}

/** The figure as an RGBA raster (same layout as renderSvg). */
export function renderRaster(figure: Figure): Raster {
  const layout = layoutFigure(figure);
  const r = createRaster(layout.width, layout.height, 4, [255, 255, 255, 255]);
  drawText(r, layout.width / 2, layout.titleY, figure.title, 'middle');
  for (const pl of layout.panels) {
    labels(r, pl);
    if (pl.panel.type === 'line') linePanel(r, pl, pl.panel);
    else heatmapPanel(r, pl, pl.panel, figure);
  }
  return r;
}

/** The figure as PNG bytes. */
export function renderPng(figure: Figure): Uint8Array {
  return encodePng(renderRaster(figure));
}
