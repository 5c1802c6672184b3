// What every figure shares: the spec type, the look (DejaVu Sans, sizes), titles with a caption line, number formats.
//
// A figure is data: a Vega-Lite spec with its data inlined. The CLI renders it to SVG/PNG (src/plot/render.ts); the
// page embeds the same spec (vega-embed) with tooltips; a user can restyle the JSON without our code.

/** A Vega-Lite spec (JSON). Typed loosely so consumers need no vega-lite types; tests compile every spec with vega-lite. */
export type VegaLiteSpec = { [key: string]: unknown };

export interface Figure {
  /** File stem, e.g. heatmap-trained-evalLoss. */
  name: string;
  /** One-line description (the spec's title). */
  title: string;
  spec: VegaLiteSpec;
}

export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
export const FONT = 'DejaVu Sans';

/** Tableau 10: one colour per n (or per series) in every figure. */
export const PALETTE = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2', '#b279a2', '#ff9da6', '#9d755d', '#bab0ac', '#eeca3b'] as const;

const CONFIG = {
  font: FONT,
  view: { stroke: '#bbb' },
  title: { fontSize: 15, subtitleFontSize: 11, subtitleColor: '#555', anchor: 'start', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', grid: true, gridColor: '#eee' },
  header: { labelFontSize: 12, titleFontSize: 12 },
  legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 0, titleLimit: 0 },
};

/** The top level of every figure: title, the caption line (what was run) as the subtitle, white background, fonts. */
export function figureSpec(title: string, caption: string, body: VegaLiteSpec): VegaLiteSpec {
  return { $schema: SCHEMA, title: { text: title, subtitle: caption }, background: 'white', padding: 12, config: CONFIG, ...body };
}

/** Vega expressions for log axes labelled as matplotlib does: 10 with a superscript exponent at each power of ten,
 * the ticks between left unlabelled (so a panel spanning several decades is not crowded with "2e-3, 3e-3, ..."). */
const SUPERSCRIPT = "['\u2070','\u00b9','\u00b2','\u00b3','\u2074','\u2075','\u2076','\u2077','\u2078','\u2079']";
const EXPONENT = 'round(log(datum.value) / LN10)';
export const POWER_OF_TEN_LABEL =
  `abs(log(datum.value) / LN10 - ${EXPONENT}) < 1e-6 ? '10' + (${EXPONENT} < 0 ? '\u207b' : '') + ` +
  `(abs(${EXPONENT}) >= 10 ? ${SUPERSCRIPT}[floor(abs(${EXPONENT}) / 10)] : '') + ${SUPERSCRIPT}[abs(${EXPONENT}) % 10] : ''`;

/** Vega expression for a log axis over values people read as decimals (r, p): labels at 1 and 3 times each power of
 * ten (0.001, 0.003, 0.01, 0.03, ...), the other ticks unlabelled, so neighbours never run into each other. */
const MANTISSA = 'datum.value / pow(10, floor(log(datum.value) / LN10 + 1e-9))';
export const ONE_THREE_LABEL = `abs(${MANTISSA} - 1) < 1e-6 || abs(${MANTISSA} - 3) < 1e-6 ? format(datum.value, '.1~g') : ''`;

/** Four significant digits without trailing zeros (0.002001, 0.1616, 3.2e-5). */
export function formatNumber(x: number): string {
  if (x === 0 || !Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return String(Number(x.toPrecision(4)));
  return x.toExponential(2).replace(/\.?0+e/, 'e');
}

export function distinct(values: Iterable<number>): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

export function mean(values: readonly (number | null | undefined)[]): number | null {
  const ok = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  return ok.length ? ok.reduce((a, b) => a + b, 0) / ok.length : null;
}

export function nearest(values: readonly number[], target: number): number {
  return values.reduce((best, v) => (Math.abs(v - target) < Math.abs(best - target) ? v : best), values[0]);
}

/** `count` points from lo to hi, equally spaced in log. */
export function logSpace(lo: number, hi: number, count: number): number[] {
  if (!(hi > lo)) return [lo];
  // in log space: hi / lo overflows to Infinity for lo near 5e-324; the ends are exact
  const a = Math.log(lo), b = Math.log(hi);
  return Array.from({ length: count }, (_, k) => (k === 0 ? lo : k === count - 1 ? hi : Math.exp(a + ((b - a) * k) / (count - 1))));
}

/** "1, 2, 3" or "1 .. 9 (5 values)". */
export function listText(values: readonly number[]): string {
  return values.length <= 4 ? values.map(formatNumber).join(', ') : `${formatNumber(values[0])} .. ${formatNumber(values[values.length - 1])} (${values.length} values)`;
}
