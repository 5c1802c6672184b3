// Sweep grids: value lists (START:STOP:COUNT or comma lists), the grid spec, its cells, stable keys (shards: shard.ts).
import type { TrainConfig } from '../api.js';
import { ConfigError } from '../train/config.js';

/** What a cell computes: a trained model, the Persian rug, the symmetric optimum L*, the best linear model. */
export type SweepKind = 'trained' | 'rug' | 'theory' | 'linear';
export const SWEEP_KINDS: readonly SweepKind[] = ['trained', 'rug', 'theory', 'linear'];

/** Largest number of values one axis may expand to (keeps a typo from making a billion cells). */
export const MAX_AXIS_VALUES = 10000;

/** Everything that defines a sweep; stored in every record so shards can be merged and checked. */
export interface GridSpec {
  kinds: SweepKind[];
  /** Numbers of features n. */
  n: number[];
  /** Nominal ratios r (m = max(1, floor(n r))); exclusive with `m`. */
  ratio?: number[];
  /** Hidden widths m (each <= every n); exclusive with `ratio`. */
  m?: number[];
  /** Feature probabilities p in (0, 1]. */
  p: number[];
  /** Seeds of trained and rug cells; theory and linear cells (deterministic) use seeds[0] only. */
  seeds: number[];
  /** TrainConfig fields shared by every trained cell (steps or epochs, batch, lr, backend, ...). */
  train: Partial<TrainConfig>;
  /** Rug cells: how (A, mu) is chosen and the Monte-Carlo samples of the loss. */
  rug: { fit: 'theory' | 'adam'; samples: number; epochs: number; rowSets: number };
  /** Trained cells: rows and samples per row of the interference test (modelStatistics), rank up to this m. */
  statistics: { sampleRows: number; samplesPerRow: number; maxRankHidden: number };
}

/** One point of the grid. `ratio` is the grid's nominal r (or m / n with an m grid). */
export interface Cell {
  key: string;
  kind: SweepKind;
  n: number;
  m: number;
  ratio: number;
  p: number;
  seed: number;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

function toNumber(flag: string, whole: string, part: string): number {
  const t = part.trim();
  if (!NUMBER.test(t)) throw new ConfigError(`--${flag} ${whole}: "${part}" is not a number`);
  return Number(t);
}

export interface AxisBounds {
  min: number;
  max: number;
  minExclusive?: boolean;
  integer?: boolean;
}

function inBounds(v: number, b: AxisBounds): boolean {
  return (b.minExclusive ? v > b.min : v >= b.min) && v <= b.max && (!b.integer || Number.isInteger(v));
}

function boundsText(b: AxisBounds): string {
  return `${b.integer ? 'an integer' : 'a number'} in ${b.minExclusive ? '(' : '['}${b.min}, ${b.max}]`;
}

/** COUNT values from START to STOP inclusive, rounded to 12 significant digits (so 0.1:0.5:5 gives 0.3, not 0.30000000000000004). */
export function linspace(start: number, stop: number, count: number): number[] {
  if (count === 1) return [start];
  return Array.from({ length: count }, (_, k) => (k === count - 1 ? stop : Number((start + ((stop - start) * k) / (count - 1)).toPrecision(12))));
}

/**
 * Values of one axis: START:STOP:COUNT (inclusive linspace; COUNT an integer >= 1; COUNT 1 gives START)
 * or a comma list. Every value must lie in `bounds`; duplicates are dropped, order is kept.
 */
export function parseAxis(flag: string, text: string, bounds: AxisBounds): number[] {
  let values: number[];
  if (text.includes(':')) {
    const parts = text.split(':');
    if (parts.length !== 3) throw new ConfigError(`--${flag} ${text} is not START:STOP:COUNT or a comma list`);
    const start = toNumber(flag, text, parts[0]);
    const stop = toNumber(flag, text, parts[1]);
    const count = toNumber(flag, text, parts[2]);
    if (!(Number.isInteger(count) && count >= 1 && count <= MAX_AXIS_VALUES)) {
      throw new ConfigError(`--${flag} ${text}: COUNT = ${parts[2]} is not an integer in [1, ${MAX_AXIS_VALUES}]`);
    }
    values = linspace(start, stop, count);
    if (bounds.integer) values = values.map((v) => Math.round(v));
  } else {
    values = text.split(',').map((part) => toNumber(flag, text, part));
    if (values.length > MAX_AXIS_VALUES) throw new ConfigError(`--${flag} has ${values.length} values; at most ${MAX_AXIS_VALUES}`);
  }
  for (const v of values) {
    if (!inBounds(v, bounds)) throw new ConfigError(`--${flag} ${text}: ${v} is not ${boundsText(bounds)}`);
  }
  return [...new Set(values)];
}

/** Comma list of kinds. */
export function parseKinds(text: string): SweepKind[] {
  const kinds = text.split(',').map((k) => k.trim());
  for (const k of kinds) {
    if (!(SWEEP_KINDS as readonly string[]).includes(k)) throw new ConfigError(`--kind ${text}: "${k}" is not one of ${SWEEP_KINDS.join(', ')}`);
  }
  return [...new Set(kinds)] as SweepKind[];
}

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n >= 1 && (n & (n - 1)) === 0;
}

/** Throws ConfigError when the spec cannot be expanded (m > n, rug with n not a power of two, no values). */
export function checkGrid(spec: GridSpec): void {
  if (spec.kinds.length === 0) throw new ConfigError('--kind needs at least one of ' + SWEEP_KINDS.join(', '));
  if ((spec.ratio === undefined) === (spec.m === undefined)) throw new ConfigError('give exactly one of --r (ratios) and --m (hidden widths)');
  if (spec.seeds.length === 0) throw new ConfigError('--seeds needs at least one seed');
  for (const n of spec.n) {
    for (const m of spec.m ?? []) if (m > n) throw new ConfigError(`--m ${m} exceeds --n ${n} (m must be in [1, n] for every n)`);
    if (spec.kinds.includes('rug') && !(isPowerOfTwo(n) && n >= 2)) throw new ConfigError(`--kind rug needs every --n to be a power of two >= 2 (got ${n})`);
  }
}

/** Stable identity of a cell: kind, n, m, p, seed (the nominal r is not part of it: equal m is the same model). */
export function cellKey(kind: SweepKind, n: number, m: number, p: number, seed: number): string {
  return `${kind}/n=${n}/m=${m}/p=${p}/seed=${seed}`;
}

/** m = max(1, floor(n r)), the paper's grid rule (PAPER.md §1). */
export function hiddenFromRatio(n: number, r: number): number {
  return Math.max(1, Math.floor(n * r));
}

/**
 * Every cell of the grid, sorted by key (a stable order that does not depend on flag order). Cells that map to
 * the same key (two nominal r giving the same m) appear once, with the first nominal r.
 */
export function expandGrid(spec: GridSpec): Cell[] {
  checkGrid(spec);
  const cells = new Map<string, Cell>();
  for (const kind of spec.kinds) {
    const seeds = kind === 'theory' || kind === 'linear' ? spec.seeds.slice(0, 1) : spec.seeds;
    for (const n of spec.n) {
      const widths = spec.ratio ? spec.ratio.map((r) => ({ m: hiddenFromRatio(n, r), ratio: r })) : spec.m!.map((m) => ({ m, ratio: m / n }));
      for (const { m, ratio } of widths) {
        for (const p of spec.p) {
          for (const seed of seeds) {
            const key = cellKey(kind, n, m, p, seed);
            if (!cells.has(key)) cells.set(key, { key, kind, n, m, ratio, p, seed });
          }
        }
      }
    }
  }
  return [...cells.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** JSON with object keys sorted: the canonical text of a spec. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** 64-bit FNV-1a of the canonical spec, 16 hex digits: equal specs give equal ids on every host. */
export function gridId(spec: GridSpec): string {
  const text = canonicalJson(spec);
  let hi = 0xcbf29ce4, lo = 0x84222325;
  for (let i = 0; i < text.length; i++) {
    lo ^= text.charCodeAt(i);
    // multiply (hi, lo) by the FNV prime 0x100000001b3 modulo 2^64
    const loProduct = lo * 0x1b3;
    const carry = Math.floor(loProduct / 0x100000000);
    const newLo = loProduct >>> 0;
    hi = (Math.imul(hi, 0x1b3) + Math.imul(lo, 0x100) + carry) >>> 0;
    lo = newLo;
  }
  return hi.toString(16).padStart(8, '0') + lo.toString(16).padStart(8, '0');
}
