// The speed benchmark for every host (no node APIs; shared memory through #host): wasm 1 and 2 threads, the TS twins,
// the hand-written dense JS trainer and any peers the host adds (the CLI adds PyTorch), each checked for correctness
// before it is timed, then timed in interleaved rounds; ratios come from one run. Host facts come from the caller.
import type { ResolvedTrainConfig, TrainResult } from '../api.js';
import type { CreateTrainerOptions } from '../train/trainer.js';
import { createTrainer } from '../train/trainer.js';
import { resolveTrainConfig } from '../train/config.js';
import { host } from '#host';
import { decoderForwardScratchWords, decoderPanelWidth, type KernelSet } from '../kernelSet.js';
import { WasmKernels } from '../wasm/kernels.js';
import { ReferenceKernels } from '../reference/kernels.js';
import { createDenseTrainer } from './dense.js';

/** Relative loss difference allowed between the wasm run, the dense JS trainer and the TS twin over the checked steps (f32 vs f64 sums through Adam). */
export const BENCH_LOSS_RELATIVE = 1e-3;
/**
 * A peer (another framework, other random stream and init, same distributions) must reach our loss at the same step
 * within this fraction: the seed-to-seed spread of the mean loss of steps 5-15 is 0.5% at n 512 and up to 12% at the
 * tiny shape (n 64, batch 64); a peer with a wrong loss scale or data distribution is off by far more.
 */
export const PEER_LOSS_RELATIVE = 0.2;

/** One benchmark shape and how long each implementation trains on it. */
export interface BenchShape {
  name: string;
  nFeatures: number;
  nHidden: number;
  featureProbability: number;
  batch: number;
  /** Steps of each timed wasm run, from the seeded init. */
  steps: number;
  /** Where the wasm runs' early window ends (rates over steps 0..splitAt and splitAt..steps); optional. */
  splitAt?: number;
  /** Steps of the TS twin's runs (and of the wasm runs it is compared with), from the init. */
  twinSteps: number;
  /** Steps of the hand-written dense JS trainer's runs, from the init (<= twinSteps: its losses are checked against the twin's). */
  denseSteps: number;
  /** Batch of the twin and dense JS rows (default: batch); smaller only to keep --quick short at large shapes. */
  slowBatch?: number;
  /** Steps a peer times (after its own untimed warm-up); default min(steps, 1000). */
  peerSteps?: number;
}

export type BenchMode = 'full' | 'quick' | 'tiny';

/** The shapes and rounds of each mode: the notebook shape of docs/theory.md §1 and the larger n = 2048 shape. */
export function benchPlan(mode: BenchMode): { shapes: BenchShape[]; repeats: number; probeRounds: number } {
  const notebook = { name: 'notebook', nFeatures: 512, nHidden: 128, featureProbability: 0.045, batch: 1024 };
  const large = { name: 'n2048', nFeatures: 2048, nHidden: 512, featureProbability: 0.02, batch: 1024 };
  if (mode === 'full') {
    return { repeats: 5, probeRounds: 5, shapes: [
      { ...notebook, steps: 3000, splitAt: 1000, twinSteps: 20, denseSteps: 3, peerSteps: 1000 },
      { ...large, steps: 1000, twinSteps: 2, denseSteps: 1, peerSteps: 200 },
    ] };
  }
  if (mode === 'quick') {
    return { repeats: 3, probeRounds: 3, shapes: [
      { ...notebook, steps: 60, splitAt: 30, twinSteps: 2, denseSteps: 1, slowBatch: 256, peerSteps: 30 },
      { ...large, steps: 4, twinSteps: 1, denseSteps: 1, slowBatch: 16, peerSteps: 4 },
    ] };
  }
  return { repeats: 2, probeRounds: 1, shapes: [
    { name: 'tiny', nFeatures: 64, nHidden: 16, featureProbability: 0.05, batch: 64, steps: 20, splitAt: 10, twinSteps: 4, denseSteps: 2, peerSteps: 10 },
  ] };
}

/** What a peer implementation reports for one timed run. */
export interface PeerRun {
  samplesPerSecond: number;
  /** Untimed steps before the timed ones, and the timed steps. */
  warmupSteps: number;
  steps: number;
  /** Loss of every step, warm-up included (checked against ours at the same steps). */
  lossHistory: number[];
  /** e.g. "PyTorch 1.13.0" */
  version?: string;
}

/** Another implementation of the same recipe, timed in the same rounds as ours (the CLI adds PyTorch). */
export interface BenchPeer {
  /** Row label, e.g. "PyTorch, 1 thread". */
  name: string;
  threads: number;
  run(shape: BenchShape, steps: number): Promise<PeerRun>;
}

export interface BenchOptions {
  /** Shapes and rounds (default 'full'); `shapes` and `repeats` override the mode's. */
  mode?: BenchMode;
  shapes?: BenchShape[];
  repeats?: number;
  /** wasm thread counts to time (default [1, 2] where shared memory is available, else [1]). */
  threads?: number[];
  peers?: BenchPeer[];
  /** Where the wasm bytes come from (browsers, bundlers); default the package's build/. */
  wasm?: CreateTrainerOptions['wasm'];
  threadsWasm?: CreateTrainerOptions['threadsWasm'];
  /** Host facts copied into the report (machine, runtime, versions). */
  environment?: Record<string, string | number>;
  /** One line per stage, for a progress display. */
  onProgress?: (message: string) => void;
}

/** Median and best of a row's timed runs, in samples per second. */
export interface RateSummary {
  median: number;
  best: number;
  runs: number[];
}

export type RowKind = 'wasm' | 'twin' | 'dense' | 'peer';

export interface BenchRow {
  kind: RowKind;
  /** e.g. "wasm, 2 threads" */
  implementation: string;
  threads: number;
  batch: number;
  /** Timed steps [first, end). */
  steps: [number, number];
  samplesPerSecond: RateSummary;
  /** Early / late windows of a wasm row (steps 0..splitAt, splitAt..end). */
  windows?: { steps: [number, number]; samplesPerSecond: RateSummary }[];
  /** The decoder GEMM (2 B n m flops a step) at the peak probe on `threads` cores, in samples per second. */
  boundSamplesPerSecond: number;
  /** median / bound. */
  fractionOfBound: number;
  version?: string;
}

export interface BenchCheck {
  name: string;
  passed: boolean;
  detail: string;
}

/** Ratios of medians (and of bests) measured in this run; undefined where a row is missing. */
export interface BenchRatios {
  /** wasm on its fastest thread count over the fastest peer setting (whole run; early and late windows). */
  vsPeer?: { threads: number; median: number; best: number; early?: number; late?: number }[];
  /** wasm 2 threads over 1 thread. */
  twoThreads?: { median: number; best: number };
  /** wasm 1 thread over the TS twins and over the dense JS trainer, same steps from the init. */
  vsTwin: { median: number; best: number };
  vsDense: { median: number; best: number };
}

export interface BenchShapeResult {
  shape: BenchShape;
  checks: BenchCheck[];
  rows: BenchRow[];
  ratios: BenchRatios;
}

export interface BenchReport {
  mode: BenchMode | 'custom';
  date: string;
  repeats: number;
  environment: Record<string, string | number>;
  /** Decoder GEMM (batch 512, n 512, m 128, fused epilogue) and the f32x4 mul+add peak probe, one thread, fastest round of each. */
  probe: { peakGflops: number; gemmGflops: number; gemmFractionOfPeak: number; check: BenchCheck };
  shapes: BenchShapeResult[];
}

/** Thrown when an implementation's results are wrong: nothing of it is timed. */
export class BenchCheckError extends Error {
  constructor(readonly check: BenchCheck) {
    super(`check failed: ${check.name}: ${check.detail}`);
  }
}

const median = (values: number[]): number => {
  const s = [...values].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};
const summarize = (runs: number[]): RateSummary => ({ median: median(runs), best: Math.max(...runs), runs });

/** Measures everything of `options` in one process; throws BenchCheckError before timing anything that is wrong. */
export async function runBenchmark(options: BenchOptions = {}): Promise<BenchReport> {
  const mode = options.mode ?? 'full';
  const plan = benchPlan(mode);
  const shapes = options.shapes ?? plan.shapes;
  const repeats = options.repeats ?? plan.repeats;
  const threads = options.threads ?? (host.sharedMemoryAvailable() ? [1, 2] : [1]);
  if (!threads.includes(1)) throw new Error('threads must include 1 (every ratio is taken against one thread)');
  const say = options.onProgress ?? (() => {});
  const wasmSources = { wasm: options.wasm, threadsWasm: options.threadsWasm };

  say('peak probe and decoder GEMM');
  const probe = await probeAndGemm(options.wasm, mode === 'tiny' ? 0.05 : mode === 'quick' ? 0.5 : 1, plan.probeRounds);
  if (!probe.check.passed) throw new BenchCheckError(probe.check);

  const results: BenchShapeResult[] = [];
  for (const shape of shapes) {
    const config = (steps: number, t: number, backend: 'wasm' | 'js', batch = shape.batch): ResolvedTrainConfig => resolveTrainConfig({
      nFeatures: shape.nFeatures, nHidden: shape.nHidden, featureProbability: shape.featureProbability, batch, steps,
      threads: t, backend, seed: 1, evalSamples: 64,
    });
    const train = async (steps: number, t: number, backend: 'wasm' | 'js', batch?: number): Promise<{ result: TrainResult; marks: number[] }> => {
      const trainer = await createTrainer(config(steps, t, backend, batch), wasmSources);
      const marks: number[] = [];
      try {
        const every = shape.splitAt && steps > shape.splitAt ? shape.splitAt : steps;
        const result = await trainer.run({ progressEverySteps: every, onProgress: (p) => { if (p.step === shape.splitAt) marks.push(p.seconds); else if (p.step === steps) marks.push(p.seconds); } });
        return { result, marks };
      } finally {
        trainer.dispose();
      }
    };
    const slowBatch = shape.slowBatch ?? shape.batch;
    const checks: BenchCheck[] = [];
    const check = (name: string, passed: boolean, detail: string): void => {
      const c = { name, passed, detail };
      checks.push(c);
      if (!passed) throw new BenchCheckError(c);
    };
    const closeLosses = (a: number[], b: number[]): { worst: number; at: number } => {
      let worst = 0, at = 0;
      for (let i = 0; i < Math.min(a.length, b.length); i++) {
        const r = Math.abs(a[i] - b[i]) / Math.abs(b[i]);
        if (!(r <= worst)) { worst = r; at = i; }
      }
      return { worst, at };
    };

    // Checks before timing: wasm (1 and 2 threads) and the dense JS trainer against the TS twin, same seed and data.
    say(`${shape.name}: checking wasm and the dense JS trainer against the TS twin`);
    const twinCheck = (await train(shape.twinSteps, 1, 'js', slowBatch)).result.lossHistory;
    const wasmCheck = (await train(shape.twinSteps, 1, 'wasm', slowBatch)).result.lossHistory;
    const w = closeLosses(wasmCheck, twinCheck);
    check('wasm = TS twin', w.worst <= BENCH_LOSS_RELATIVE,
      `steps 0-${shape.twinSteps}, batch ${slowBatch}: largest relative loss difference ${w.worst.toExponential(2)} (step ${w.at}; allowed ${BENCH_LOSS_RELATIVE})`);
    for (const t of threads.filter((t) => t !== 1)) {
      const other = (await train(shape.twinSteps, t, 'wasm', slowBatch)).result.lossHistory;
      const same = other.length === wasmCheck.length && other.every((l, i) => l === wasmCheck[i]);
      check(`wasm ${t} threads = 1 thread`, same, `steps 0-${shape.twinSteps}: ${same ? 'bit-identical losses' : 'losses differ'}`);
    }
    const dense = createDenseTrainer(config(shape.denseSteps, 1, 'js', slowBatch));
    const denseLosses = Array.from({ length: shape.denseSteps }, () => dense());
    const d = closeLosses(denseLosses, twinCheck);
    check('dense JS = TS twin', shape.denseSteps <= shape.twinSteps && d.worst <= BENCH_LOSS_RELATIVE,
      `steps 0-${shape.denseSteps}, batch ${slowBatch}: largest relative loss difference ${d.worst.toExponential(2)} (step ${d.at}; allowed ${BENCH_LOSS_RELATIVE})`);

    // Timed rounds, interleaved: a slow spell of the machine falls on every row, not on one.
    const peerSteps = shape.peerSteps ?? Math.min(shape.steps, 1000);
    const wasmRuns = new Map<number, { rate: number[]; early: number[]; late: number[]; losses: number[] }>(threads.map((t) => [t, { rate: [], early: [], late: [], losses: [] }]));
    const shortRuns: number[] = [], twinRuns: number[] = [], denseRuns: number[] = [];
    const peerRuns = new Map<BenchPeer, PeerRun[]>((options.peers ?? []).map((p) => [p, []]));
    for (let round = 0; round < repeats; round++) {
      say(`${shape.name}: round ${round + 1} of ${repeats}`);
      for (const t of threads) {
        const { result, marks } = await train(shape.steps, t, 'wasm');
        const runs = wasmRuns.get(t)!;
        runs.rate.push(result.samplesPerSecond);
        if (shape.splitAt && marks.length === 2) {
          runs.early.push((shape.splitAt * shape.batch) / marks[0]);
          runs.late.push(((shape.steps - shape.splitAt) * shape.batch) / (marks[1] - marks[0]));
        }
        const first = wasmRuns.get(1)!.losses;
        if (first.length === 0) first.push(...result.lossHistory);
        else {
          const same = result.lossHistory.every((l, i) => l === first[i]);
          if (!same) check(`wasm ${t} thread${t > 1 ? 's' : ''}, round ${round + 1} = first run`, false, 'losses differ between timed runs');
        }
      }
      for (const [peer, runs] of peerRuns) {
        const run = await peer.run(shape, peerSteps);
        if (runs.length === 0) {
          // other random stream, same distribution: the mean loss of the last (up to) 10 steps both ran must agree
          const ours = wasmRuns.get(1)!.losses;
          const end = Math.min(ours.length, run.lossHistory.length);
          const first = Math.max(0, end - 10);
          const mean = (l: number[]): number => l.slice(first, end).reduce((a, b) => a + b, 0) / (end - first);
          const r = Math.abs(mean(run.lossHistory) - mean(ours)) / mean(ours);
          check(`${peer.name}: same loss as ours`, end > 0 && r <= PEER_LOSS_RELATIVE,
            `mean loss of steps ${first}-${end}: ${mean(run.lossHistory).toExponential(3)} vs ours ${mean(ours).toExponential(3)} (other random stream; allowed ${PEER_LOSS_RELATIVE * 100}%)`);
        }
        runs.push(run);
      }
      shortRuns.push((await train(shape.twinSteps, 1, 'wasm')).result.samplesPerSecond);
      twinRuns.push((await train(shape.twinSteps, 1, 'js', slowBatch)).result.samplesPerSecond);
      const denseStep = createDenseTrainer(config(shape.denseSteps, 1, 'js', slowBatch));
      const start = performance.now();
      for (let i = 0; i < shape.denseSteps; i++) denseStep();
      denseRuns.push((shape.denseSteps * slowBatch) / ((performance.now() - start) / 1000));
    }
    const samplesPerStepFlops = 2 * shape.nFeatures * shape.nHidden;
    const bound = (t: number): number => (t * probe.peakGflops * 1e9) / samplesPerStepFlops;
    const row = (kind: RowKind, implementation: string, t: number, steps: [number, number], runs: number[], batch = shape.batch, extra: Partial<BenchRow> = {}): BenchRow => {
      const rate = summarize(runs);
      return { kind, implementation, threads: t, batch, steps, samplesPerSecond: rate, boundSamplesPerSecond: bound(t), fractionOfBound: rate.median / bound(t), ...extra };
    };
    const rows: BenchRow[] = [];
    for (const t of threads) {
      const runs = wasmRuns.get(t)!;
      const windows = runs.early.length === repeats && shape.splitAt
        ? [{ steps: [0, shape.splitAt] as [number, number], samplesPerSecond: summarize(runs.early) }, { steps: [shape.splitAt, shape.steps] as [number, number], samplesPerSecond: summarize(runs.late) }]
        : undefined;
      rows.push(row('wasm', `wasm, ${t} thread${t > 1 ? 's' : ''}`, t, [0, shape.steps], runs.rate, shape.batch, windows ? { windows } : {}));
    }
    rows.push(row('wasm', 'wasm, 1 thread', 1, [0, shape.twinSteps], shortRuns));
    rows.push(row('twin', 'TS twins (same algorithm)', 1, [0, shape.twinSteps], twinRuns, slowBatch));
    rows.push(row('dense', 'hand-written dense JS', 1, [0, shape.denseSteps], denseRuns, slowBatch));
    for (const [peer, runs] of peerRuns) {
      rows.push(row('peer', peer.name, peer.threads, [runs[0].warmupSteps, runs[0].warmupSteps + runs[0].steps], runs.map((r) => r.samplesPerSecond), shape.batch,
        runs[0].version ? { version: runs[0].version } : {}));
    }
    results.push({ shape, checks, rows, ratios: ratiosOf(rows, shape) });
  }
  return { mode: options.shapes ? 'custom' : mode, date: new Date().toISOString(), repeats, environment: options.environment ?? {}, probe, shapes: results };
}

function ratiosOf(rows: BenchRow[], shape: BenchShape): BenchRatios {
  const ratio = (a: BenchRow | undefined, b: BenchRow | undefined) => (a && b ? { median: a.samplesPerSecond.median / b.samplesPerSecond.median, best: a.samplesPerSecond.best / b.samplesPerSecond.best } : undefined);
  const whole = rows.filter((r) => r.kind === 'wasm' && r.steps[1] === shape.steps);
  const one = whole.find((r) => r.threads === 1);
  const two = whole.find((r) => r.threads === 2);
  const short = rows.find((r) => r.kind === 'wasm' && r.steps[1] === shape.twinSteps && r !== one);
  const peers = rows.filter((r) => r.kind === 'peer');
  const peer = peers.length ? peers.reduce((a, b) => (b.samplesPerSecond.median > a.samplesPerSecond.median ? b : a)) : undefined;
  const peerBest = peers.length ? Math.max(...peers.map((r) => r.samplesPerSecond.best)) : 0;
  return {
    vsPeer: peer ? whole.map((r) => ({
      threads: r.threads,
      median: r.samplesPerSecond.median / peer.samplesPerSecond.median,
      best: r.samplesPerSecond.best / peerBest,
      ...(r.windows ? { early: r.windows[0].samplesPerSecond.median / peer.samplesPerSecond.median, late: r.windows[1].samplesPerSecond.median / peer.samplesPerSecond.median } : {}),
    })) : undefined,
    twoThreads: ratio(two, one),
    vsTwin: ratio(short, rows.find((r) => r.kind === 'twin'))!,
    vsDense: ratio(short, rows.find((r) => r.kind === 'dense'))!,
  };
}

/** The decoder GEMM against the peak probe, alternating rounds (fastest of each), after checking the GEMM against its twin. */
async function probeAndGemm(wasm: CreateTrainerOptions['wasm'], scale: number, rounds: number): Promise<BenchReport['probe']> {
  const k = await WasmKernels.create(wasm);
  const B = 512, n = 512, m = 128, fs = 512, hs = 128;
  const fill = (count: number, seed: number): Float32Array => {
    const a = new Float32Array(count);
    let s = seed;
    for (let i = 0; i < count; i++) { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; a[i] = s / 4294967296 - 0.5; }
    return a;
  };
  const data = { hidden: fill(B * hs, 1), woutT: fill(hs * fs, 2), bias: fill(fs, 3), target: new Float32Array(B * fs), importance: new Float32Array(fs).fill(1) };
  const panelWidth = decoderPanelWidth(m, fs);
  const setUp = <Bf>(kk: KernelSet<Bf>) => {
    const put = (v: Float32Array): Bf => { const b = kk.allocate('f32', v.length); kk.write(b, 'f32', v); return b; };
    const h = put(data.hidden), rows = put(data.woutT), b = put(data.bias), x = put(data.target), imp = put(data.importance), d = kk.allocate('f32', B * fs);
    const w = kk.allocate('f32', hs * fs), scratch = kk.allocate('i32', decoderForwardScratchWords(B, hs));
    kk.packDecoderPanels(rows, n, m, hs, w, fs, panelWidth, 0, fs);
    return { call: () => kk.decoderForward(B, m, hs, fs, panelWidth, h, w, b, x, imp, 1, 0, 1, d, null, scratch), out: () => kk.readF32(d, B * fs) };
  };
  const fast = setUp(k), reference = setUp(new ReferenceKernels());
  fast.call();
  reference.call();
  const a = fast.out(), e = reference.out();
  let maxErr = 0;
  for (let i = 0; i < a.length; i++) maxErr = Math.max(maxErr, Math.abs(a[i] - e[i]));
  const check = { name: 'decoder GEMM = TS twin', passed: maxErr < 1e-4, detail: `largest difference of dPre ${maxErr.toExponential(2)} (allowed 1e-4)` };
  if (!check.passed) return { peakGflops: NaN, gemmGflops: NaN, gemmFractionOfPeak: NaN, check };
  for (let i = 0; i < 20; i++) fast.call();
  const reps = Math.max(2, Math.round(100 * scale));
  const iterations = Math.max(100_000, Math.round(20_000_000 * scale));
  k.peakProbe(1_000_000, 0.5);
  let gemm = 0, peak = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    for (let i = 0; i < reps; i++) fast.call();
    gemm = Math.max(gemm, (2 * B * fs * m * reps) / ((performance.now() - t0) / 1000) / 1e9);
    const t1 = performance.now();
    k.peakProbe(iterations, 0.5);
    peak = Math.max(peak, (96 * iterations) / ((performance.now() - t1) / 1000) / 1e9);
  }
  return { peakGflops: peak, gemmGflops: gemm, gemmFractionOfPeak: gemm / peak, check };
}
