// SVG renderer of the figure model: a pure function from Figure to a standalone, well-formed SVG document string.
import { layoutFigure, LEGEND_ROW, type Figure, type HeatmapPanel, type LinePanel, type PanelLayout, type Rgb } from './figure.js';
import { categoricalTicks, colourFraction, colourTicks, formatNumber, lineScales, sequentialColour } from './scale.js';

/** Escapes text for XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

const rgb = (c: Rgb) => `rgb(${c[0]},${c[1]},${c[2]})`;
const px = (v: number) => String(Math.round(v * 100) / 100);

function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${px(x)}" y="${px(y)}"${attributes ? ' ' + attributes : ''}>${escapeXml(content)}</text>`;
}

function axesLabels(pl: PanelLayout, out: string[]): void {
  const { plot, panel } = pl;
  out.push(text(plot.x + plot.w / 2, plot.y - 10, panel.title, 'text-anchor="middle" font-weight="bold" class="panel-title"'));
  out.push(text(plot.x + plot.w / 2, plot.y + plot.h + 38, panel.xLabel, 'text-anchor="middle" class="x-label"'));
  const cx = plot.x - 54, cy = plot.y + plot.h / 2;
  out.push(text(cx, cy, panel.yLabel, `text-anchor="middle" transform="rotate(-90 ${px(cx)} ${px(cy)})" class="y-label"`));
}

function linePanel(pl: PanelLayout, panel: LinePanel, out: string[]): void {
  const { plot } = pl;
  const scales = lineScales(panel.series, panel.xLog, panel.yLog);
  const X = (v: number) => plot.x + scales.x.fraction(v) * plot.w;
  const Y = (v: number) => plot.y + plot.h - scales.y.fraction(v) * plot.h;
  out.push(`<rect x="${px(plot.x)}" y="${px(plot.y)}" width="${px(plot.w)}" height="${px(plot.h)}" fill="white" stroke="black"/>`);
  for (const t of scales.x.ticks) {
    out.push(`<line x1="${px(X(t))}" y1="${px(plot.y + plot.h)}" x2="${px(X(t))}" y2="${px(plot.y + plot.h + 4)}" stroke="black"/>`);
    out.push(text(X(t), plot.y + plot.h + 16, formatNumber(t), 'text-anchor="middle" class="tick"'));
  }
  for (const t of scales.y.ticks) {
    out.push(`<line x1="${px(plot.x - 4)}" y1="${px(Y(t))}" x2="${px(plot.x)}" y2="${px(Y(t))}" stroke="black"/>`);
    out.push(text(plot.x - 6, Y(t) + 4, formatNumber(t), 'text-anchor="end" class="tick"'));
  }
  out.push(`<clipPath id="clip${Math.round(plot.x)}_${Math.round(plot.y)}"><rect x="${px(plot.x)}" y="${px(plot.y)}" width="${px(plot.w)}" height="${px(plot.h)}"/></clipPath>`);
  out.push(`<g clip-path="url(#clip${Math.round(plot.x)}_${Math.round(plot.y)})">`);
  for (const s of panel.series) {
    const ok = (x: number, y: number) => Number.isFinite(x) && Number.isFinite(y) && (!panel.xLog || x > 0) && (!panel.yLog || y > 0);
    out.push(`<g class="series" data-label="${escapeXml(s.label)}">`);
    if (s.line) {
      let d = '';
      let pen = false;
      for (const [x, y] of s.points) {
        if (!ok(x, y)) { pen = false; continue; }
        d += `${pen ? 'L' : 'M'}${px(X(x))} ${px(Y(y))}`;
        pen = true;
      }
      if (d) out.push(`<path d="${d}" fill="none" stroke="${rgb(s.colour)}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    }
    if (s.markers) for (const [x, y] of s.points) if (ok(x, y)) out.push(`<circle cx="${px(X(x))}" cy="${px(Y(y))}" r="2.6" fill="${rgb(s.colour)}"/>`);
    out.push('</g>');
  }
  out.push('</g>');
  panel.series.forEach((s, k) => {
    const y = pl.legend.y + k * LEGEND_ROW + 6;
    const x = pl.legend.x;
    if (s.line) out.push(`<line x1="${px(x)}" y1="${px(y)}" x2="${px(x + 18)}" y2="${px(y)}" stroke="${rgb(s.colour)}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    if (s.markers) out.push(`<circle cx="${px(x + 9)}" cy="${px(y)}" r="2.6" fill="${rgb(s.colour)}"/>`);
    out.push(text(x + 24, y + 4, s.label, 'class="legend"'));
  });
}

function heatmapPanel(pl: PanelLayout, panel: HeatmapPanel, figure: Figure, out: string[]): void {
  const { plot } = pl;
  const scale = figure.colourScale!;
  const cw = plot.w / Math.max(1, panel.x.length), ch = plot.h / Math.max(1, panel.y.length);
  out.push(`<rect x="${px(plot.x)}" y="${px(plot.y)}" width="${px(plot.w)}" height="${px(plot.h)}" fill="rgb(220,220,220)" stroke="none"/>`);
  panel.y.forEach((_, j) => panel.x.forEach((__, i) => {
    const v = panel.values[j][i];
    const c = sequentialColour(colourFraction(v, scale.min, scale.max, scale.log));
    out.push(`<rect x="${px(plot.x + i * cw)}" y="${px(plot.y + plot.h - (j + 1) * ch)}" width="${px(cw + 0.3)}" height="${px(ch + 0.3)}" fill="${rgb(c)}"><title>${escapeXml(`${panel.xLabel} = ${panel.x[i]}, ${panel.yLabel} = ${panel.y[j]}: ${v === null ? 'no data' : v}`)}</title></rect>`);
  }));
  out.push(`<rect x="${px(plot.x)}" y="${px(plot.y)}" width="${px(plot.w)}" height="${px(plot.h)}" fill="none" stroke="black"/>`);
  for (const i of categoricalTicks(panel.x.length)) out.push(text(plot.x + (i + 0.5) * cw, plot.y + plot.h + 16, formatNumber(panel.x[i]), 'text-anchor="middle" class="tick"'));
  for (const j of categoricalTicks(panel.y.length)) out.push(text(plot.x - 6, plot.y + plot.h - (j + 0.5) * ch + 4, formatNumber(panel.y[j]), 'text-anchor="end" class="tick"'));
  const bar = pl.colourBar!;
  const steps = 48;
  for (let k = 0; k < steps; k++) {
    out.push(`<rect x="${px(bar.x)}" y="${px(bar.y + bar.h - ((k + 1) * bar.h) / steps)}" width="${px(bar.w)}" height="${px(bar.h / steps + 0.3)}" fill="${rgb(sequentialColour((k + 0.5) / steps))}"/>`);
  }
  out.push(`<rect x="${px(bar.x)}" y="${px(bar.y)}" width="${px(bar.w)}" height="${px(bar.h)}" fill="none" stroke="black"/>`);
  for (const t of colourTicks(scale.min, scale.max, scale.log)) {
    const y = bar.y + bar.h - colourFraction(t, scale.min, scale.max, scale.log) * bar.h;
    out.push(text(bar.x + bar.w + 4, y + 4, formatNumber(t), 'class="tick"'));
  }
}

/** The figure as an SVG document (UTF-8 text, no external resources). */
export function renderSvg(figure: Figure): string {
  const layout = layoutFigure(figure);
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`,
    `<title>${escapeXml(figure.title)}</title>`,
    `<rect width="${layout.width}" height="${layout.height}" fill="white"/>`,
    text(layout.width / 2, layout.titleY, figure.title, 'text-anchor="middle" font-size="14" font-weight="bold" class="figure-title"'),
  ];
  for (const pl of layout.panels) {
    out.push('<g class="panel">');
    axesLabels(pl, out);
    if (pl.panel.type === 'line') linePanel(pl, pl.panel, out);
    else heatmapPanel(pl, pl.panel, figure, out);
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
