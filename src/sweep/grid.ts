// Sweep grids: the grid spec, its cells and stable keys (axes parsed by the flag layer: config/schema.ts parseAxis; shards: shard.ts).
import type { TrainConfig } from '../api.js';
import { ConfigError } from '../config/schema.js';

/** What a cell computes: a trained model, the Persian rug, the symmetric optimum L*, the best linear model. */
export type SweepKind = 'trained' | 'rug' | 'theory' | 'linear';
export const SWEEP_KINDS: readonly SweepKind[] = ['trained', 'rug', 'theory', 'linear'];


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
function cellKey(kind: SweepKind, n: number, m: number, p: number, seed: number): string {
  return `${kind}/n=${n}/m=${m}/p=${p}/seed=${seed}`;
}

/** m = max(1, floor(n r)), the paper's grid rule (docs/theory.md §1). */
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
function canonicalJson(value: unknown): string {
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
