// Runs sweep cells: trained models (in-process or on the worker pool), rugs, L* and the linear baseline -> records.
import type { ModelWeights, TrainConfig, TrainResult } from '../api.js';
import { createTrainer } from '../train/trainer.js';
import { constantLoss, linearLoss, modelStatistics, optimalSymmetricLoss, zeroLoss, type SymmetricOptimum } from '../theory/index.js';
import { createRug, createRugEngine, evaluateRug, fitAdam, theoryRugFit } from '../rug/index.js';
import type { Cell, GridSpec } from './grid.js';
import { cellSeconds } from './cost.js';
import { RECORD_FORMAT, summarizeStatistics, weightHistograms, type SweepRecord } from './record.js';

/** Where trained cells run: `slots` jobs at a time. The in-process and the worker-pool executors are interchangeable. */
export interface TrainExecutor {
  readonly name: string;
  readonly slots: number;
  train(config: Partial<TrainConfig>): Promise<{ result: TrainResult; weights: ModelWeights }>;
  close(): void;
}

/** One job at a time on this thread (tests, browsers without workers, --workers 0). */
export function inProcessExecutor(): TrainExecutor {
  return {
    name: 'in-process',
    slots: 1,
    async train(config) {
      const trainer = await createTrainer(config);
      try {
        const result = await trainer.run();
        return { result, weights: await trainer.weights() };
      } finally {
        trainer.dispose();
      }
    },
    close() {},
  };
}

/** `size` worker threads (default: every core) through src/worker/pool.ts; results in submission order per job. */
export async function workerPoolExecutor(size?: number): Promise<TrainExecutor> {
  const { createTrainerPool } = await import('../worker/pool.js');
  const pool = await createTrainerPool(size === undefined ? {} : { size });
  return {
    name: `${pool.size} worker${pool.size === 1 ? '' : 's'}`,
    slots: pool.size,
    async train(config) {
      const { result, weights } = await pool.submit({ config });
      return { result, weights };
    },
    close() { pool.terminate(); },
  };
}

/** The TrainConfig of a trained cell: the grid's shared fields plus the cell's n, m, p and seed. */
export function cellTrainConfig(cell: Cell, spec: GridSpec): Partial<TrainConfig> {
  return { ...spec.train, nFeatures: cell.n, nHidden: cell.m, featureProbability: cell.p, seed: cell.seed };
}

const optimumCache = new Map<string, SymmetricOptimum>();
function optimum(p: number, r: number): SymmetricOptimum {
  const key = `${p}/${r}`;
  let value = optimumCache.get(key);
  if (!value) {
    value = optimalSymmetricLoss(p, r);
    if (optimumCache.size > 100000) optimumCache.clear();
    optimumCache.set(key, value);
  }
  return value;
}

type CellResult = Pick<SweepRecord, 'trainLoss' | 'evalLoss' | 'training' | 'rug' | 'statistics' | 'histograms'>;

async function runTrained(cell: Cell, spec: GridSpec, executor: TrainExecutor): Promise<CellResult> {
  const { result, weights } = await executor.train(cellTrainConfig(cell, spec));
  const { importance: _importance, ...config } = result.config;
  const stats = modelStatistics(
    { nFeatures: weights.nFeatures, nHidden: weights.nHidden, win: weights.win, wout: weights.wout, bias: result.config.bias ? weights.bias : null, p: cell.p },
    { sampleRows: Math.min(cell.n, spec.statistics.sampleRows), samplesPerRow: spec.statistics.samplesPerRow, seed: cell.seed, maxRankHidden: spec.statistics.maxRankHidden },
  );
  return {
    trainLoss: result.trainLoss,
    evalLoss: result.evalLoss,
    training: { steps: result.steps, stopReason: result.stopReason, samplesPerSecond: result.samplesPerSecond, evalSamples: result.evalSamples, config },
    statistics: summarizeStatistics(stats),
    histograms: weightHistograms(weights, spec.statistics.sampleRows),
  };
}

async function runRug(cell: Cell, spec: GridSpec): Promise<CellResult> {
  const engine = await createRugEngine(spec.train.backend ?? 'wasm', cell.n, cell.p);
  try {
    if (spec.rug.fit === 'adam') {
      const fit = fitAdam(engine, cell.m, { seed: cell.seed, epochs: spec.rug.epochs, rowSets: spec.rug.rowSets });
      engine.setRug(fit.rug);
      const e = evaluateRug(engine, fit, cell.seed, spec.rug.samples);
      return { trainLoss: fit.trainLoss, evalLoss: e.loss, rug: { fit: 'adam', A: fit.scale, mu: fit.shift, lossStdErr: e.lossStdErr, samples: e.samples, rowSet: fit.rowSet } };
    }
    const rug = createRug(cell.n, cell.m, cell.seed, 0);
    const fit = theoryRugFit(rug, cell.p);
    engine.setRug(rug);
    const e = evaluateRug(engine, fit, cell.seed, spec.rug.samples);
    return { trainLoss: null, evalLoss: e.loss, rug: { fit: 'theory', A: fit.scale, mu: fit.shift, lossStdErr: e.lossStdErr, samples: e.samples, rowSet: 0 } };
  } finally {
    engine.dispose();
  }
}

/** Computes one cell and its record (theory and baselines at r = m / n for every kind). */
export async function runCell(cell: Cell, spec: GridSpec, id: string, executor: TrainExecutor): Promise<SweepRecord> {
  const started = performance.now();
  const r = cell.m / cell.n;
  const best = optimum(cell.p, r);
  let result: CellResult;
  if (cell.kind === 'trained') result = await runTrained(cell, spec, executor);
  else if (cell.kind === 'rug') result = await runRug(cell, spec);
  else if (cell.kind === 'theory') result = { trainLoss: null, evalLoss: best.loss };
  else result = { trainLoss: null, evalLoss: linearLoss(cell.p, r) };
  return {
    format: RECORD_FORMAT,
    key: cell.key, kind: cell.kind, n: cell.n, m: cell.m, ratio: cell.ratio, effectiveRatio: r, p: cell.p, seed: cell.seed,
    ...result,
    theoryLoss: best.loss,
    theory: { a: best.a, c: best.c, sigma: best.sigma, kappa: best.kappa },
    baselines: { zero: zeroLoss(cell.p), constant: constantLoss(cell.p), linear: linearLoss(cell.p, r) },
    grid: spec, gridId: id,
    seconds: (performance.now() - started) / 1000,
    finishedAt: new Date().toISOString(),
  };
}

export interface RunCellsOptions {
  spec: GridSpec;
  gridId: string;
  executor: TrainExecutor;
  /** Persists a finished record (the runner awaits it before counting the cell done). */
  onRecord: (record: SweepRecord) => Promise<void> | void;
  onFailure?: (cell: Cell, error: Error) => void;
  /** Checked before each cell starts; true: no new cells start, running ones finish. */
  shouldStop?: () => boolean;
}

/**
 * Runs `cells` longest-estimate first (list scheduling), `executor.slots` at a time; statistics of a finished
 * trained cell are computed on this thread while the other slots keep training. Returns the failures.
 */
export async function runCells(cells: readonly Cell[], options: RunCellsOptions): Promise<{ cell: Cell; error: Error }[]> {
  const order = cells.map((cell) => ({ cell, cost: cellSeconds(cell, options.spec) }))
    .sort((a, b) => b.cost - a.cost || (a.cell.key < b.cell.key ? -1 : 1)).map((x) => x.cell);
  const failures: { cell: Cell; error: Error }[] = [];
  let next = 0;
  const loop = async (): Promise<void> => {
    while (next < order.length && !options.shouldStop?.()) {
      const cell = order[next++];
      let record: SweepRecord;
      try {
        record = await runCell(cell, options.spec, options.gridId, options.executor);
      } catch (error) {
        failures.push({ cell, error: error as Error });
        options.onFailure?.(cell, error as Error);
        continue;
      }
      await options.onRecord(record);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.executor.slots) }, loop));
  return failures;
}
