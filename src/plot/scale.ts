// Axis scales and ticks (linear or log10), number labels, and the sequential colour map of the heat maps.
import type { Rgb } from './figure.js';

export interface Scale {
  lo: number;
  hi: number;
  log: boolean;
  /** Data value -> fraction of the axis in [0, 1]. */
  fraction(value: number): number;
  ticks: number[];
}

function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const m = raw / power;
  return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * power;
}

function linearTicks(lo: number, hi: number, count = 5): number[] {
  const step = niceStep(hi - lo, count);
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step - 1e-9) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

/**
 * A scale over the finite values (log: the positive ones), padded by 4% on each side; log axes tick at decades
 * (or at 1-2-5 multiples when the range spans less than two decades).
 */
export function makeScale(values: readonly number[], log: boolean): Scale {
  const usable = values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  let lo = usable.length ? Math.min(...usable) : log ? 0.1 : 0;
  let hi = usable.length ? Math.max(...usable) : log ? 1 : 1;
  if (log) {
    let a = Math.log10(lo), b = Math.log10(hi);
    if (b - a < 1e-9) { a -= 0.5; b += 0.5; }
    const pad = (b - a) * 0.04;
    a -= pad; b += pad;
    lo = 10 ** a; hi = 10 ** b;
    let ticks: number[] = [];
    if (b - a >= 2) {
      const stride = Math.max(1, Math.ceil((b - a) / 6));
      for (let d = Math.ceil(a); d <= Math.floor(b); d += stride) ticks.push(10 ** d);
    } else {
      for (let d = Math.floor(a); d <= Math.ceil(b); d++) for (const m of [1, 2, 5]) ticks.push(m * 10 ** d);
      ticks = ticks.filter((t) => t >= lo && t <= hi);
    }
    return { lo, hi, log, ticks, fraction: (v) => (Math.log10(v) - a) / (b - a) };
  }
  if (hi - lo < 1e-300) { lo -= 0.5 * Math.abs(lo || 1); hi += 0.5 * Math.abs(hi || 1); }
  const pad = (hi - lo) * 0.04;
  lo -= pad; hi += pad;
  return { lo, hi, log, ticks: linearTicks(lo, hi).filter((t) => t >= lo && t <= hi), fraction: (v) => (v - lo) / (hi - lo) };
}

/** Short label: 3 significant digits, exponent form outside [1e-3, 1e4). */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e4) return String(Number(v.toPrecision(3)));
  const [mantissa, exponent] = v.toExponential(2).split('e');
  return `${String(Number(mantissa))}e${Number(exponent)}`;
}

/** Viridis at 9 stops (matplotlib's perceptually uniform map), dark blue (0) to yellow (1). */
export const SEQUENTIAL_STOPS: readonly Rgb[] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

/** RGB of t in [0, 1] (clipped) on the sequential map; NaN -> light grey (no data). */
export function sequentialColour(t: number): Rgb {
  if (Number.isNaN(t)) return [220, 220, 220];
  const x = Math.max(0, Math.min(1, t)) * (SEQUENTIAL_STOPS.length - 1);
  const i = Math.min(SEQUENTIAL_STOPS.length - 2, Math.floor(x));
  const f = x - i;
  const a = SEQUENTIAL_STOPS[i], b = SEQUENTIAL_STOPS[i + 1];
  return [0, 1, 2].map((c) => Math.round(a[c] + f * (b[c] - a[c]))) as unknown as Rgb;
}

/** Fraction of the colour range for a value (log scales use log10; values <= 0 on a log scale are NaN). */
export function colourFraction(value: number | null, min: number, max: number, log: boolean): number {
  if (value === null || !Number.isFinite(value)) return NaN;
  if (log) {
    if (!(value > 0)) return NaN;
    return max > min ? (Math.log10(value) - Math.log10(min)) / (Math.log10(max) - Math.log10(min)) : 0.5;
  }
  return max > min ? (value - min) / (max - min) : 0.5;
}

/** Tick values of a colour bar over [min, max]. */
export function colourTicks(min: number, max: number, log: boolean): number[] {
  if (!(max > min)) return [min];
  const eps = log ? max * 1e-9 : (max - min) * 1e-9;
  return makeScale([min, max], log).ticks.filter((t) => t >= min - eps && t <= max + eps);
}

/** Positions of categorical tick labels: every value when few, else about `count` evenly spread. */
export function categoricalTicks(length: number, count = 6): number[] {
  if (length <= count) return Array.from({ length }, (_, i) => i);
  const stride = Math.ceil(length / count);
  const out: number[] = [];
  for (let i = 0; i < length; i += stride) out.push(i);
  if (out[out.length - 1] !== length - 1 && length - 1 - out[out.length - 1] >= stride / 2) out.push(length - 1);
  return out;
}

/** The x and y scales of a line panel: over every finite point of every series. */
export function lineScales(series: readonly { points: readonly (readonly [number, number])[] }[], xLog: boolean, yLog: boolean): { x: Scale; y: Scale } {
  const xs: number[] = [], ys: number[] = [];
  for (const s of series) for (const [x, y] of s.points) if (Number.isFinite(x) && Number.isFinite(y)) { xs.push(x); ys.push(y); }
  return { x: makeScale(xs, xLog), y: makeScale(ys, yLog) };
}
