// The in-process Trainer: a Model on the chosen backend, the step loop, the stop rule, progress and evaluation.
import type { EvaluationResult, ModelWeights, ResolvedTrainConfig, StopReason, Trainer, TrainCheckpoint, TrainConfig, TrainOptions, TrainResult } from '../api.js';
import { ConfigError, resolveTrainConfig, stepsPerEpoch } from './config.js';
import { GRADIENT_SHARDS, Model, modelBytes } from './model.js';
import { ReferenceKernels } from '../reference/kernels.js';
import { WasmKernels } from '../wasm/kernels.js';
import { compileKernels, createSharedMemory, instantiateKernels, type KernelSource } from '../wasm/module.js';
import { startThreadShardRunner } from './parallel.js';
import { host } from '#host';
import { WASM_MEMORY_LIMIT_BYTES, formatBytes } from '../wasm/arena.js';
import { shouldStopTraining, STOP_WINDOW } from './stopRule.js';
import { checkCheckpoint, checkCreateOptions, checkTrainOptions, checkWeights, TrainerDisposedError } from './options.js';

export { TrainerDisposedError };

export interface CreateTrainerOptions {
/** The release build: compiled module, bytes or URL (hosts whose bundler cannot emit it); default: the package's build/release.wasm. */
  wasm?: KernelSource;
  /** The threads build (shared memory) for two-core runs, likewise; default: the package's build/threads.wasm. */
  threadsWasm?: KernelSource;
  /** Initial weights instead of the seeded nn.Linear init. */
  weights?: ModelWeights;
  /** Continue a run from this checkpoint (same config; the result equals the uninterrupted run bit for bit). */
  resume?: TrainCheckpoint;
}

/**
 * Validates the config and the options and builds a Trainer; throws ConfigError for bad values (naming them),
 * initial weights of the wrong size or not finite, a resume object that is not a checkpoint of this run, or sizes
 * that cannot fit.
 */
export async function createTrainer(input: Partial<TrainConfig>, options: CreateTrainerOptions = {}): Promise<Trainer> {
  const config = resolveTrainConfig(input);
  checkCreateOptions(options, ['wasm', 'threadsWasm', 'weights', 'resume']);
  const resume = options.resume !== undefined ? checkCheckpoint(options.resume) : undefined;
  if (resume) checkResumable(config, resume);
  const weights = options.weights !== undefined ? checkWeights('weights', options.weights, config) : undefined;
  checkModelMemory(config);
  const threads = config.backend === 'js' ? 1 : await resolveThreads(config);
  const model = await createModel(config, threads, { ...options, weights });
  if (resume) model.restore(resume.step, resume.weights, resume.adam);
  return new LocalTrainer(model, threads, resume?.lossHistory.slice() ?? []);
}

/**
 * Throws ConfigError when the model's buffers cannot fit: 4 GiB of wasm32 memory (one instance, or the shared
 * memory of the threads build); the js backend is held to the same bound (its typed arrays are as large).
 * Called before anything is allocated; sweep and converge call it for every cell while parsing flags.
 */
export function checkModelMemory(config: ResolvedTrainConfig): void {
  const bytes = modelBytes(config);
  if (bytes > WASM_MEMORY_LIMIT_BYTES) {
    throw new ConfigError(`n = ${config.nFeatures}, m = ${config.nHidden}, batch = ${config.batch} needs ${formatBytes(bytes)} of ${config.backend === 'wasm' ? 'wasm ' : ''}memory; the limit is 4 GiB (reduce batch, n or m)`);
  }
}

async function createModel(config: ResolvedTrainConfig, threads: number, options: CreateTrainerOptions): Promise<Model<unknown>> {
  if (config.backend === 'js') return new Model(new ReferenceKernels(), config, options.weights) as Model<unknown>;
  if (threads < 2) return new Model(await WasmKernels.create(options.wasm), config, options.weights) as Model<unknown>;
  const module = await compileKernels(options.threadsWasm, 'threads');
  const kernels = new WasmKernels(await instantiateKernels(module, createSharedMemory()));
  const model = new Model(kernels, config, options.weights);
  model.useShardRunner(await startThreadShardRunner(kernels, module, model.plans[1]));
  return model as Model<unknown>;
}

/** A checkpoint resumes only the run it came from: same config except threads (which never changes results). */
function checkResumable(config: ResolvedTrainConfig, checkpoint: TrainCheckpoint): void {
  const strip = (c: ResolvedTrainConfig): string => JSON.stringify({ ...c, threads: 0 }, Object.keys(c).sort());
  if (strip(config) !== strip(checkpoint.config)) {
    const differing = Object.keys({ ...config, ...checkpoint.config }).filter((key) => key !== 'threads'
      && JSON.stringify((config as unknown as Record<string, unknown>)[key]) !== JSON.stringify((checkpoint.config as unknown as Record<string, unknown>)[key]));
    throw new ConfigError(`the checkpoint is of another run: ${differing.map((k) => `${k} is ${JSON.stringify((checkpoint.config as unknown as Record<string, unknown>)[k])} there, ${JSON.stringify((config as unknown as Record<string, unknown>)[k])} here`).join('; ')}`);
  }
  if (checkpoint.step !== checkpoint.lossHistory.length) {
    throw new ConfigError(`the checkpoint is inconsistent: step ${checkpoint.step} but ${checkpoint.lossHistory.length} losses`);
  }
}

/**
 * threads = 0 means min(GRADIENT_SHARDS, cores) where shared wasm memory is available; 1 otherwise, said once
 * on the console (a page that is not cross-origin isolated).
 */
async function resolveThreads(config: ResolvedTrainConfig): Promise<number> {
  const missing = host.sharedMemoryMissing();
  if (config.threads === 2 && missing) {
    throw new ConfigError(`threads (--threads) = 2 needs SharedArrayBuffer, and ${missing}; use 1 or 0`);
  }
  if (config.threads === 1) return 1;
  if (missing) {
    host.noteOnce('shared-memory', `persian-rug: training on one thread: ${missing}`);
    return 1;
  }
  if (config.threads === 2) return 2;
  return Math.min(GRADIENT_SHARDS, await host.availableCores());
}

class LocalTrainer implements Trainer {
  readonly config: ResolvedTrainConfig;
  private disposed = false;
  private running = false;
  constructor(private readonly model: Model<unknown>, private readonly threads: number, private readonly losses: number[]) {
    this.config = model.config;
  }

  /** Throws TrainerDisposedError after dispose(). */
  private checkOpen(): void {
    if (this.disposed) throw new TrainerDisposedError();
  }

  async run(input?: TrainOptions): Promise<TrainResult> {
    this.checkOpen();
    const options = checkTrainOptions(input);
    if (this.running) throw new ConfigError('run() is already running on this trainer; await it first');
    this.running = true;
    try {
      return await this.runSteps(options);
    } finally {
      this.running = false;
    }
  }

  /** Between steps: dispose() (from a callback, or while run() awaited) ends the run with TrainerDisposedError. */
  private checkNotDisposedDuringRun(step: number): void {
    if (this.disposed) throw new TrainerDisposedError(`the trainer was disposed during run() (after step ${step}); the run is abandoned`);
  }

  private async runSteps(options: TrainOptions): Promise<TrainResult> {
    const c = this.config;
    const perEpoch = stepsPerEpoch(c);
    const totalSteps = c.epochs !== undefined ? c.epochs * perEpoch : c.steps!;
    const every = Math.max(1, options.progressEverySteps ?? 100);
    const checkpointEvery = options.onCheckpoint ? Math.max(1, options.checkpointEverySteps ?? 1000) : Infinity;
    const start = performance.now();
    let trainSeconds = 0;
    let stopReason: StopReason = c.epochs !== undefined ? 'max-epochs' : 'steps';
    let divergence: string | undefined;
    const losses = this.losses;
    const first = losses.length;
    let lastReport = first;
    // A run resumed after the stop rule fired, or after its budget, trains no further.
    let stopped = c.epochs !== undefined && first > 0 && first % perEpoch === 0 && shouldStopTraining(losses, first);
    if (stopped) stopReason = 'stop-rule';
    while (!stopped && losses.length < totalSteps) {
      const chunkStart = performance.now();
      const nextCheckpoint = Number.isFinite(checkpointEvery) ? (Math.floor(losses.length / checkpointEvery) + 1) * checkpointEvery : Infinity;
      const target = Math.min(totalSteps, (Math.floor(losses.length / every) + 1) * every, nextCheckpoint);
      while (losses.length < target) {
        this.checkNotDisposedDuringRun(losses.length);
        const loss = this.model.trainStep();
        losses.push(loss);
        if (!Number.isFinite(loss)) {
          stopReason = 'diverged';
          divergence = `the loss became ${loss} at step ${losses.length}`;
          stopped = true;
          break;
        }
        if (c.epochs !== undefined && losses.length % perEpoch === 0 && shouldStopTraining(losses, losses.length)) {
          stopReason = 'stop-rule';
          stopped = true;
          break;
        }
      }
      trainSeconds += (performance.now() - chunkStart) / 1000;
      if (options.onProgress && (losses.length % every === 0 || losses.length === totalSteps || stopped)) {
        let sum = 0;
        for (let i = lastReport; i < losses.length; i++) sum += losses[i];
        options.onProgress({ step: losses.length, totalSteps, loss: sum / Math.max(1, losses.length - lastReport), seconds: (performance.now() - start) / 1000 });
        lastReport = losses.length;
      }
      if (stopped) break;
      if (options.onCheckpoint && losses.length % checkpointEvery === 0 && losses.length < totalSteps) {
        const checkpoint = await this.checkpoint();
        const bad = firstNonFinite(checkpoint.weights);
        if (bad) {
          // a checkpoint is only written with finite weights: the last one written stays the last good one
          stopReason = 'diverged';
          divergence = `the weights became non-finite (${bad}) by step ${losses.length}`;
          break;
        }
        await options.onCheckpoint(checkpoint);
        this.checkNotDisposedDuringRun(losses.length);
      }
      if (options.shouldStop?.()) { stopReason = 'cancelled'; break; }
      await new Promise((resolve) => setTimeout(resolve, 0));
      this.checkNotDisposedDuringRun(losses.length);
    }
    this.checkNotDisposedDuringRun(losses.length);
    if (stopReason !== 'diverged') {
      // Adam's last update can overflow a weight after the last finite loss
      const bad = firstNonFinite(this.model.weights());
      if (bad) {
        stopReason = 'diverged';
        divergence = `the weights became non-finite (${bad}) by step ${losses.length}`;
      }
    }
    const steps = losses.length - first;
    // a diverged model is not a model: its loss is not reported as a number (its outputs may still be finite)
    const evaluation = stopReason === 'diverged' ? this.notAModel(c.evalSamples) : this.model.evaluate(c.evalSamples);
    const tail = losses.slice(Math.max(0, losses.length - STOP_WINDOW));
    return {
      config: c,
      backend: c.backend,
      threads: this.threads,
      steps: losses.length,
      stopReason,
      ...(divergence ? { divergence } : {}),
      trainLoss: tail.length ? tail.reduce((a, b) => a + b, 0) / tail.length : NaN,
      evalLoss: evaluation.loss,
      evalSamples: evaluation.samples,
      perFeatureLoss: Array.from(evaluation.perFeatureLoss),
      seconds: (performance.now() - start) / 1000,
      samplesPerSecond: trainSeconds > 0 ? (steps * c.batch) / trainSeconds : 0,
      lossHistory: losses.slice(),
    };
  }

  /** The evaluation of weights that are not finite: NaN loss, per feature too. */
  private notAModel(samples: number): EvaluationResult {
    return { loss: NaN, samples, perFeatureLoss: new Float64Array(this.config.nFeatures).fill(NaN) };
  }

  async checkpoint(): Promise<TrainCheckpoint> {
    this.checkOpen();
    return { config: this.config, step: this.model.step, weights: this.model.weights(), adam: this.model.adamState(), lossHistory: this.losses.slice() };
  }

  async evaluate(samples = this.config.evalSamples): Promise<EvaluationResult> {
    this.checkOpen();
    if (!(Number.isInteger(samples) && samples >= 1 && samples <= 1e9)) throw new ConfigError(`evaluate(samples) = ${samples} is not an integer in [1, 1000000000]`);
    if (firstNonFinite(this.model.weights())) return this.notAModel(samples);
    return this.model.evaluate(samples);
  }

  async weights(): Promise<ModelWeights> {
    this.checkOpen();
    return this.model.weights();
  }

  /** Frees the model at once (the second thread too); a run() in progress rejects with TrainerDisposedError. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.model.dispose();
  }
}

/** 'name[i] = value' of the first NaN or +-Infinity in the weights (PyTorch names and layouts), or undefined. */
function firstNonFinite(weights: ModelWeights): string | undefined {
  for (const [name, data] of [['encoder.weight', weights.win], ['decoder.weight', weights.wout], ['decoder.bias', weights.bias]] as const) {
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return `${name}[${i}] = ${data[i]}`;
  }
  return undefined;
}
