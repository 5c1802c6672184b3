// Small SVG charts for the page (line charts on log or linear axes, heat maps, histograms), as strings: cheap to
// redraw, inspectable, and exportable as they are (SVG) or rasterized (PNG).

export interface Series {
  label: string;
  color: string;
  points: readonly (readonly [number, number])[];
  /** SVG stroke-dasharray; omitted: solid */
  dash?: string;
  /** draw the points as dots (runs, records) instead of, or as well as, a line */
  markers?: boolean;
  line?: boolean;
}

export interface LineChartSpec extends ChartFrame {
  xLabel: string;
  yLabel: string;
  xLog?: boolean;
  yLog?: boolean;
  series: readonly Series[];
  /** horizontal lines across the whole plot, labelled */
  rules?: readonly { label: string; value: number; color: string; dash?: string }[];
  xDomain?: readonly [number, number];
  legend?: boolean;
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const num = (v: number) => (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4) && v !== 0 ? v.toExponential(0).replace('e+', 'e') : String(Number(v.toPrecision(3)));
let clipCount = 0;
const FONT = 'font-family="system-ui, sans-serif" font-size="12"';

/** Title and size every chart takes (px; each chart has its own default size). */
export interface ChartFrame {
  title?: string;
  width?: number;
  height?: number;
}

/** The opening of a chart's SVG: its size, a white background and the title. */
function svgStart(width: number, height: number, title?: string): string[] {
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" ${FONT}>`, `<rect width="${width}" height="${height}" fill="#fff"/>`];
  if (title) parts.push(`<text x="${width / 2}" y="18" text-anchor="middle" font-weight="600">${esc(title)}</text>`);
  return parts;
}

interface Axis { scale: (v: number) => number; ticks: number[]; }

function makeAxis(lo: number, hi: number, log: boolean, from: number, to: number): Axis {
  if (log) {
    let a = Math.log10(lo), b = Math.log10(hi);
    if (!(b - a > 0.05)) { a -= 0.15; b += 0.15; }
    const pad = 0.04 * (b - a); a -= pad; b += pad;
    const ticks: number[] = [];
    const decades = b - a;
    for (let e = Math.floor(a); e <= Math.ceil(b); e++) {
      for (const k of decades > 4 ? [1] : decades > 1.5 ? [1, 3] : [1, 2, 5]) {
        const v = k * 10 ** e;
        if (Math.log10(v) >= a && Math.log10(v) <= b) ticks.push(v);
      }
    }
    return { scale: (v) => from + ((Math.log10(v) - a) / (b - a)) * (to - from), ticks };
  }
  if (!(hi - lo > 0)) { lo -= 0.5 * Math.abs(lo || 1); hi += 0.5 * Math.abs(hi || 1); }
  const step0 = (hi - lo) / 5, mag = 10 ** Math.floor(Math.log10(step0));
  const step = [1, 2, 2.5, 5, 10].map((k) => k * mag).find((s) => s >= step0) ?? 10 * mag;
  const pad = 0.03 * (hi - lo); lo -= pad; hi += pad;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-12; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return { scale: (v) => from + ((v - lo) / (hi - lo)) * (to - from), ticks };
}

const finitePositive = (log: boolean) => (v: number) => Number.isFinite(v) && (!log || v > 0);

/** A line chart with optional horizontal reference lines and a legend below the title. */
export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 640, height = spec.height ?? 380;
  const left = 66, right = 14, bottom = 44;
  // the legend has its own band above the plot
  const top = (spec.title ? 30 : 12) + (spec.legend !== false ? 18 : 0);
  const okX = finitePositive(!!spec.xLog), okY = finitePositive(!!spec.yLog);
  const xs = spec.xDomain ? [...spec.xDomain] : spec.series.flatMap((s) => s.points.map((p) => p[0])).filter(okX);
  const ys = [...spec.series.flatMap((s) => s.points.map((p) => p[1])), ...(spec.rules ?? []).map((r) => r.value)].filter(okY);
  const parts = svgStart(width, height, spec.title);
  const plotBottom = height - bottom;
  if (xs.length === 0 || ys.length === 0) {
    parts.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="#777">no data yet</text></svg>`);
    return parts.join('');
  }
  const X = makeAxis(Math.min(...xs), Math.max(...xs), !!spec.xLog, left, width - right);
  const Y = makeAxis(Math.min(...ys), Math.max(...ys), !!spec.yLog, plotBottom, top);
  parts.push(`<g stroke="#e6e6e6">${Y.ticks.map((t) => `<line x1="${left}" x2="${width - right}" y1="${Y.scale(t).toFixed(1)}" y2="${Y.scale(t).toFixed(1)}"/>`).join('')}</g>`);
  parts.push(`<g fill="#333" text-anchor="end">${Y.ticks.map((t) => `<text x="${left - 5}" y="${(Y.scale(t) + 4).toFixed(1)}">${num(t)}</text>`).join('')}</g>`);
  parts.push(`<g fill="#333" text-anchor="middle">${X.ticks.map((t) => `<text x="${X.scale(t).toFixed(1)}" y="${plotBottom + 16}">${num(t)}</text>`).join('')}</g>`);
  parts.push(`<path d="M${left},${top}V${plotBottom}H${width - right}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${(left + width - right) / 2}" y="${height - 8}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(top + plotBottom) / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`);
  const clip = `plot-clip-${++clipCount}`;
  parts.push(`<clipPath id="${clip}"><rect x="${left}" y="${top}" width="${width - right - left}" height="${plotBottom - top}"/></clipPath><g clip-path="url(#${clip})">`);
  for (const rule of spec.rules ?? []) {
    if (!okY(rule.value)) continue;
    const y = Y.scale(rule.value).toFixed(1);
    parts.push(`<line x1="${left}" x2="${width - right}" y1="${y}" y2="${y}" stroke="${rule.color}" stroke-width="2" stroke-dasharray="${rule.dash ?? ''}"/>`);
    parts.push(`<text x="${left + 6}" y="${Number(y) - 4}" fill="${rule.color}">${esc(`${rule.label} = ${rule.value.toPrecision(3)}`)}</text>`);
  }
  for (const s of spec.series) {
    const pts = s.points.filter((p) => okX(p[0]) && okY(p[1]));
    if (s.line !== false && pts.length > 1) {
      const d = pts.map((p, i) => `${i ? 'L' : 'M'}${X.scale(p[0]).toFixed(1)},${Y.scale(p[1]).toFixed(1)}`).join('');
      parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2" stroke-dasharray="${s.dash ?? ''}"/>`);
    }
    if (s.markers) parts.push(`<g fill="${s.color}" stroke="#fff">${pts.map((p) => `<circle cx="${X.scale(p[0]).toFixed(1)}" cy="${Y.scale(p[1]).toFixed(1)}" r="4"><title>${esc(`${s.label}: (${num(p[0])}, ${p[1].toPrecision(4)})`)}</title></circle>`).join('')}</g>`);
  }
  parts.push('</g>');
  if (spec.legend !== false) {
    let x = left + 8;
    const y = top - 8;
    for (const s of spec.series) {
      parts.push(s.markers && s.line === false ? `<circle cx="${x + 8}" cy="${y - 4}" r="4" fill="${s.color}"/>` : `<line x1="${x}" x2="${x + 18}" y1="${y - 4}" y2="${y - 4}" stroke="${s.color}" stroke-width="2" stroke-dasharray="${s.dash ?? ''}"/>`);
      parts.push(`<text x="${x + 22}" y="${y}">${esc(s.label)}</text>`);
      x += 30 + 6.5 * s.label.length;
    }
  }
  parts.push('</svg>');
  return parts.join('');
}

/** Viridis (matplotlib), 9 stops, t in [0, 1]. */
function sequentialColor(t: number): [number, number, number] {
  const stops = [[68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141], [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37]];
  const u = Math.max(0, Math.min(1, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u)), f = u - i;
  return [0, 1, 2].map((k) => Math.round(stops[i][k] + f * (stops[i + 1][k] - stops[i][k]))) as [number, number, number];
}

const rgb = (c: readonly number[]) => `rgb(${c.map(Math.round).join(',')})`;

export interface HeatMapSpec extends ChartFrame {
  xLabel: string;
  yLabel: string;
  /** column and row coordinates (cells are drawn evenly spaced, labelled with these values) */
  xs: readonly number[];
  ys: readonly number[];
  /** values[row][column]; null: no cell */
  values: readonly (readonly (number | null)[])[];
  /** colour by log10 of the value */
  log?: boolean;
  /** shared colour domain (e.g. across panels); default: this map's range */
  domain?: readonly [number, number];
  colorLabel: string;
  /** id prefix of the cells (data-row / data-col attributes carry the indices) */
  cellClass?: string;
}

/** A heat map of values over (x, y) with a colour bar; cells carry data-row/data-col/data-value for hover. */
export function heatMap(spec: HeatMapSpec): string {
  const width = spec.width ?? 460, height = spec.height ?? 400;
  const left = 56, right = 74, top = spec.title ? 30 : 10, bottom = 44;
  const tr = (v: number) => (spec.log ? Math.log10(v) : v);
  const flat = spec.values.flat().filter((v): v is number => v !== null && Number.isFinite(v) && (!spec.log || v > 0));
  const [lo, hi] = spec.domain ? [tr(spec.domain[0]), tr(spec.domain[1])] : [Math.min(...flat.map(tr)), Math.max(...flat.map(tr))];
  const cw = (width - left - right) / spec.xs.length, ch = (height - top - bottom) / spec.ys.length;
  const parts = svgStart(width, height, spec.title);
  parts.push('<g>');
  spec.values.forEach((row, r) => row.forEach((v, c) => {
    if (v === null || !Number.isFinite(v)) return;
    const t = hi > lo ? (tr(v) - lo) / (hi - lo) : 0.5;
    // row 0 at the bottom (y grows upwards)
    parts.push(`<rect class="${spec.cellClass ?? 'cell'}" data-row="${r}" data-col="${c}" data-value="${v}" x="${(left + c * cw).toFixed(2)}" y="${(top + (spec.ys.length - 1 - r) * ch).toFixed(2)}" width="${(cw + 0.3).toFixed(2)}" height="${(ch + 0.3).toFixed(2)}" fill="${rgb(sequentialColor(t))}"/>`);
  }));
  parts.push('</g>');
  const every = Math.max(1, Math.ceil(spec.xs.length / 6));
  parts.push(`<g fill="#333" text-anchor="middle">${spec.xs.map((x, c) => (c % every === 0 || c === spec.xs.length - 1 ? `<text x="${(left + (c + 0.5) * cw).toFixed(1)}" y="${height - bottom + 15}">${num(x)}</text>` : '')).join('')}</g>`);
  const everyY = Math.max(1, Math.ceil(spec.ys.length / 8));
  parts.push(`<g fill="#333" text-anchor="end">${spec.ys.map((y, r) => (r % everyY === 0 || r === spec.ys.length - 1 ? `<text x="${left - 4}" y="${(top + (spec.ys.length - 1 - r + 0.5) * ch + 4).toFixed(1)}">${num(y)}</text>` : '')).join('')}</g>`);
  parts.push(`<text x="${(left + width - right) / 2}" y="${height - 8}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(top + height - bottom) / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`);
  // colour bar
  const bx = width - right + 12, bh = height - top - bottom;
  for (let k = 0; k < 32; k++) parts.push(`<rect x="${bx}" y="${(top + (bh * (31 - k)) / 32).toFixed(1)}" width="12" height="${(bh / 32 + 0.5).toFixed(1)}" fill="${rgb(sequentialColor(k / 31))}"/>`);
  const label = (t: number) => num(spec.log ? 10 ** t : t);
  parts.push(`<text x="${bx + 15}" y="${top + 9}">${label(hi)}</text><text x="${bx + 15}" y="${top + bh}">${label(lo)}</text>`);
  parts.push(`<text transform="translate(${bx + 22} ${top + bh / 2}) rotate(90)" text-anchor="middle">${esc(spec.colorLabel + (spec.log ? ' (log)' : ''))}</text>`);
  parts.push('</svg>');
  return parts.join('');
}

export interface HistogramSpec extends ChartFrame {
  xLabel: string;
  lo: number;
  hi: number;
  counts: readonly number[];
  /** the Gaussian drawn over the bars (density scale) */
  gaussian?: { mean: number; sd: number };
  color?: string;
}

/** A density histogram (bars integrate to 1) with an optional Gaussian curve; log y so the tails show. */
export function histogramChart(spec: HistogramSpec): string {
  const width = spec.width ?? 460, height = spec.height ?? 300;
  const left = 60, right = 12, top = spec.title ? 30 : 12, bottom = 44;
  const total = spec.counts.reduce((a, b) => a + b, 0);
  const bin = (spec.hi - spec.lo) / spec.counts.length;
  const density = spec.counts.map((c) => c / Math.max(1, total) / bin);
  const g = spec.gaussian;
  const curve: [number, number][] = [];
  if (g && g.sd > 0) for (let k = 0; k <= 120; k++) {
    const x = spec.lo + ((spec.hi - spec.lo) * k) / 120;
    curve.push([x, Math.exp(-0.5 * ((x - g.mean) / g.sd) ** 2) / (g.sd * Math.sqrt(2 * Math.PI))]);
  }
  const positive = [...density, ...curve.map((p) => p[1])].filter((v) => v > 0);
  const parts = svgStart(width, height, spec.title);
  if (positive.length === 0 || !(spec.hi > spec.lo)) return `${parts.join('')}<text x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="#777">no data yet</text></svg>`;
  const maxD = Math.max(...density);
  const yLo = Math.max(Math.min(...positive), maxD * 1e-4);
  const X = makeAxis(spec.lo, spec.hi, false, left, width - right);
  const Y = makeAxis(yLo, Math.max(...positive), true, height - bottom, top);
  const base = height - bottom;
  parts.push(`<g stroke="#eee">${Y.ticks.map((t) => `<line x1="${left}" x2="${width - right}" y1="${Y.scale(t).toFixed(1)}" y2="${Y.scale(t).toFixed(1)}"/>`).join('')}</g>`);
  parts.push(`<g fill="${spec.color ?? '#1f5fbf'}" fill-opacity="0.75">`);
  density.forEach((d, k) => {
    if (!(d > 0)) return;
    const x0 = X.scale(spec.lo + k * bin), x1 = X.scale(spec.lo + (k + 1) * bin);
    const y = Math.min(base, Y.scale(Math.max(d, yLo)));
    parts.push(`<rect x="${x0.toFixed(1)}" y="${y.toFixed(1)}" width="${Math.max(0.5, x1 - x0 - 0.5).toFixed(1)}" height="${(base - y).toFixed(1)}"/>`);
  });
  parts.push('</g>');
  if (curve.length) {
    const pts = curve.filter((p) => p[1] >= yLo);
    parts.push(`<path d="${pts.map((p, i) => `${i ? 'L' : 'M'}${X.scale(p[0]).toFixed(1)},${Y.scale(p[1]).toFixed(1)}`).join('')}" fill="none" stroke="#e07000" stroke-width="2"/>`);
  }
  parts.push(`<g fill="#333" text-anchor="end">${Y.ticks.map((t) => `<text x="${left - 5}" y="${(Y.scale(t) + 4).toFixed(1)}">${num(t)}</text>`).join('')}</g>`);
  parts.push(`<g fill="#333" text-anchor="middle">${X.ticks.map((t) => `<text x="${X.scale(t).toFixed(1)}" y="${base + 16}">${num(t)}</text>`).join('')}</g>`);
  parts.push(`<path d="M${left},${top}V${base}H${width - right}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${(left + width - right) / 2}" y="${height - 8}" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(top + base) / 2}) rotate(-90)" text-anchor="middle">density (log)</text>`);
  if (g) parts.push(`<line x1="${width - 200}" x2="${width - 180}" y1="${top + 8}" y2="${top + 8}" stroke="#e07000" stroke-width="2"/><text x="${width - 175}" y="${top + 12}">Gaussian, same mean, var</text>`);
  parts.push('</svg>');
  return parts.join('');
}
