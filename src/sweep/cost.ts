// Estimated seconds per cell (plans, ETAs, longest-first order): a throughput model of the train step, calibratable.
import type { TrainConfig } from '../api.js';
import { DEFAULT_STEPS } from '../train/config.js';
import type { Cell, GridSpec } from './grid.js';

/**
 * Seconds of one wasm train step on one core, batch B: B (n m (1 + p) / MULTIPLY_ADDS_PER_SECOND + n / FEATURES_PER_SECOND).
 * The n m term is the dense decoder (forward + both backward products; the encoder is sparse, ~p of it); the n term is
 * sampling, the ReLU and Adam's per-sample share. Measured on this project's 2-core CI machine (node 20, release wasm,
 * other jobs running): 7 ms at n = 256, m = 64; 19 ms at 512, 128; 78 ms at 1024, 256; 0.48 s at 1024, 820, p = 0.4
 * (batch 1024). The model overstates those by 10-60%, on purpose: ETAs that run early are the better surprise.
 */
const TRAIN_RATE = { multiplyAddsPerSecond: 3e9, featuresPerSecond: 1.3e8 } as const;
/** The js backend (plain-TS twins) runs the same step ~8x slower than wasm SIMD at these sizes. */
const JS_BACKEND_SLOWDOWN = 8;

/** Steps a trained cell runs at most: `steps`, or epochs x ceil(samplesPerEpoch / batch) (the stop rule may end it earlier). */
function maxSteps(train: Partial<TrainConfig>): number {
  if (train.steps !== undefined) return train.steps;
  if (train.epochs !== undefined) return train.epochs * Math.ceil((train.samplesPerEpoch ?? 30000) / (train.batch ?? 1024));
  return DEFAULT_STEPS;
}

/** Seconds of one train step of an n x m model at feature probability p (scale: calibration factor, 1 = the model above). */
export function trainStepSeconds(n: number, m: number, p: number, batch: number, backend: 'wasm' | 'js' = 'wasm', scale = 1): number {
  const base = batch * ((n * m * (1 + p)) / TRAIN_RATE.multiplyAddsPerSecond + n / TRAIN_RATE.featuresPerSecond);
  return base * scale * (backend === 'js' ? JS_BACKEND_SLOWDOWN : 1);
}

/** Estimated seconds of one cell on one core. */
export function cellSeconds(cell: Cell, spec: GridSpec, scale = 1): number {
  const { n, m, p } = cell;
  if (cell.kind === 'theory') return 0.012;
  if (cell.kind === 'linear') return 1e-5;
  if (cell.kind === 'rug') {
    // two fast Walsh-Hadamard transforms per sample (~5 n log2 n operations at ~1e9/s) for every sample evaluated or trained
    const trainedSamples = spec.rug.fit === 'adam' ? spec.rug.epochs * spec.rug.rowSets * 10240 : 0;
    return ((spec.rug.samples + trainedSamples) * 5 * n * Math.log2(n)) / 1e9 * scale + 0.01;
  }
  const train = spec.train;
  const batch = train.batch ?? 1024;
  const evalSamples = train.evalSamples ?? 65536;
  const step = trainStepSeconds(n, m, p, 1, train.backend ?? 'wasm', scale);
  // statistics: W row by row (n^2 m multiply-adds in JS at ~1e9/s), the rank (m^3) when m is small enough
  const statistics = (n * n * m) / 1e9 + (m <= spec.statistics.maxRankHidden ? (30 * m * m * m) / 1e9 : 0);
  return step * (maxSteps(train) * batch + evalSamples / 3) + statistics;
}

/** "1 h 05 min", "3 min 20 s", "12 s", "4.1 days". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  if (s < 86400 * 2) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  if (s < 86400 * 365 * 2) return `${(s / 86400).toFixed(1)} days`;
  return `${(s / (86400 * 365)).toFixed(1)} years`;
}

/**
 * Wall-clock estimate of running `cells` on `workers` cores: longest-first list scheduling of the per-cell
 * estimates (what the runner does), so one huge cell is not hidden by averaging.
 */
export function planSeconds(cells: readonly Cell[], spec: GridSpec, workers: number, scale = 1): { wall: number; total: number } {
  const costs = cells.map((c) => cellSeconds(c, spec, scale)).sort((a, b) => b - a);
  const load = new Array<number>(Math.max(1, workers)).fill(0);
  let total = 0;
  for (const c of costs) {
    total += c;
    let best = 0;
    for (let i = 1; i < load.length; i++) if (load[i] < load[best]) best = i;
    load[best] += c;
  }
  return { wall: Math.max(...load), total };
}
