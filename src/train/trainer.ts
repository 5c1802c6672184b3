// The in-process Trainer: a Model on the chosen backend, the step loop, the stop rule, progress and evaluation.
import type { EvaluationResult, ModelWeights, ResolvedTrainConfig, StopReason, Trainer, TrainConfig, TrainOptions, TrainResult } from '../api.js';
import { ConfigError, resolveTrainConfig, stepsPerEpoch } from './config.js';
import { Model, modelBytes } from './model.js';
import type { KernelSet } from './kernels.js';
import { ReferenceKernels } from '../reference/kernels.js';
import { WasmKernels } from '../wasm/kernels.js';
import { WASM_MEMORY_LIMIT_BYTES, formatBytes } from '../wasm/arena.js';
import { shouldStopTraining, STOP_WINDOW } from './stopRule.js';

export interface CreateTrainerOptions {
  /** Precompiled kernels module or its bytes (browsers, bundlers, workers); default: the package's build/release.wasm. */
  wasm?: WebAssembly.Module | ArrayBuffer | Uint8Array;
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
  const kernels: KernelSet<unknown> = config.backend === 'wasm' ? await WasmKernels.create(options.wasm) : new ReferenceKernels();
  return new LocalTrainer(new Model(kernels, config, options.weights));
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
    this.model.kernels.dispose();
  }
}
