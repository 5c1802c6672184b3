// The in-process Trainer: a Model on the chosen backend, the step loop, the stop rule, progress and evaluation.
import type { EvaluationResult, ModelWeights, ResolvedTrainConfig, StopReason, Trainer, TrainConfig, TrainOptions, TrainResult } from '../api.js';
import { ConfigError, resolveTrainConfig, stepsPerEpoch } from './config.js';
import { GRADIENT_SHARDS, Model, modelBytes } from './model.js';
import { ReferenceKernels } from '../reference/kernels.js';
import { WasmKernels } from '../wasm/kernels.js';
import { compileKernels, createSharedMemory, instantiateKernels } from '../wasm/module.js';
import { sharedMemoryAvailable, startThreadShardRunner } from './parallel.js';
import { WASM_MEMORY_LIMIT_BYTES, formatBytes } from '../wasm/arena.js';
import { shouldStopTraining, STOP_WINDOW } from './stopRule.js';

export interface CreateTrainerOptions {
  /** Precompiled kernels module or its bytes (browsers, bundlers, workers); default: the package's build/release.wasm. */
  wasm?: WebAssembly.Module | ArrayBuffer | Uint8Array;
  /** The threads build (shared memory) for two-core runs, likewise; default: build/threads.wasm. */
  threadsWasm?: WebAssembly.Module | ArrayBuffer | Uint8Array;
  /** Initial weights instead of the seeded nn.Linear init. */
  weights?: ModelWeights;
}

/** Validates the config and builds a Trainer; throws ConfigError for bad values or sizes that cannot fit. */
export async function createTrainer(input: Partial<TrainConfig>, options: CreateTrainerOptions = {}): Promise<Trainer> {
  const config = resolveTrainConfig(input);
  const bytes = modelBytes(config);
  if (config.backend === 'wasm' && bytes > WASM_MEMORY_LIMIT_BYTES) {
    throw new ConfigError(`n = ${config.nFeatures}, m = ${config.nHidden}, batch = ${config.batch} needs ${formatBytes(bytes)} of wasm memory; the limit is 4 GiB (reduce batch, n or m)`);
  }
  if (config.backend === 'js') return new LocalTrainer(new Model(new ReferenceKernels(), config, options.weights));
  const threads = await resolveThreads(config);
  if (threads < 2) return new LocalTrainer(new Model(await WasmKernels.create(options.wasm), config, options.weights));
  const module = await compileKernels(options.threadsWasm, 'threads');
  const kernels = new WasmKernels(await instantiateKernels(module, createSharedMemory()));
  const model = new Model(kernels, config, options.weights);
  model.useShardRunner(await startThreadShardRunner(kernels, module, model.plans[1]));
  return new LocalTrainer(model as Model<unknown>);
}

/** threads = 0 means min(GRADIENT_SHARDS, cores) where shared wasm memory is available; 1 otherwise. */
async function resolveThreads(config: ResolvedTrainConfig): Promise<number> {
  if (config.threads === 1 || !sharedMemoryAvailable()) {
    if (config.threads === 2 && !sharedMemoryAvailable()) {
      throw new ConfigError('threads (--threads) = 2 needs SharedArrayBuffer (node, or a cross-origin isolated page); use 1 or 0');
    }
    return 1;
  }
  if (config.threads === 2) return 2;
  return Math.min(GRADIENT_SHARDS, await availableCores());
}

async function availableCores(): Promise<number> {
  if (typeof process !== 'undefined' && typeof process.versions?.node === 'string') {
    const os = await import(/* @vite-ignore */ 'node:os' as string) as typeof import('node:os');
    return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  }
  return Math.max(1, globalThis.navigator?.hardwareConcurrency ?? 1);
}

class LocalTrainer implements Trainer {
  readonly config: ResolvedTrainConfig;
  private readonly losses: number[] = [];

  constructor(private readonly model: Model<unknown>) {
    this.config = model.config;
  }

  async run(options: TrainOptions = {}): Promise<TrainResult> {
    const c = this.config;
    const perEpoch = stepsPerEpoch(c);
    const maxSteps = c.epochs !== undefined ? c.epochs * perEpoch : c.steps!;
    const every = Math.max(1, options.progressEverySteps ?? 100);
    const start = performance.now();
    let trainSeconds = 0;
    let stopReason: StopReason = c.epochs !== undefined ? 'max-epochs' : 'steps';
    let lastReport = 0;
    const losses = this.losses;
    const first = losses.length;
    while (losses.length - first < maxSteps) {
      const chunkStart = performance.now();
      const target = Math.min(first + maxSteps, losses.length + every);
      let stopped = false;
      while (losses.length < target) {
        losses.push(this.model.trainStep());
        const done = losses.length - first;
        if (c.epochs !== undefined && done % perEpoch === 0 && shouldStopTraining(losses, losses.length)) {
          stopReason = 'stop-rule';
          stopped = true;
          break;
        }
      }
      trainSeconds += (performance.now() - chunkStart) / 1000;
      if (options.onProgress) {
        let sum = 0;
        for (let i = lastReport; i < losses.length; i++) sum += losses[i];
        options.onProgress({ step: losses.length - first, totalSteps: maxSteps, loss: sum / Math.max(1, losses.length - lastReport), seconds: (performance.now() - start) / 1000 });
        lastReport = losses.length;
      }
      if (stopped) break;
      if (options.shouldStop?.()) { stopReason = 'cancelled'; break; }
      await new Promise((resolve) => setTimeout(resolve, 0));
    }
    const steps = losses.length - first;
    const evaluation = this.model.evaluate(c.evalSamples);
    const tail = losses.slice(Math.max(first, losses.length - STOP_WINDOW));
    return {
      config: c,
      backend: c.backend,
      steps,
      stopReason,
      trainLoss: tail.length ? tail.reduce((a, b) => a + b, 0) / tail.length : NaN,
      evalLoss: evaluation.loss,
      evalSamples: evaluation.samples,
      perFeatureLoss: Array.from(evaluation.perFeatureLoss),
      seconds: (performance.now() - start) / 1000,
      samplesPerSecond: trainSeconds > 0 ? (steps * c.batch) / trainSeconds : 0,
      lossHistory: losses.slice(first),
    };
  }

  async evaluate(samples = this.config.evalSamples): Promise<EvaluationResult> {
    return this.model.evaluate(samples);
  }

  async weights(): Promise<ModelWeights> {
    return this.model.weights();
  }

  dispose(): void {
    this.model.dispose();
  }
}
