// Shared types of the public API, declared once; node, browser and worker entry points all use these.

export type Activation = 'relu' | 'identity' | 'gelu' | 'tanh' | 'leaky_relu';
export type Backend = 'wasm' | 'js';

/** Everything that defines a training run (docs/theory.md §1). Fields left out take the schema's defaults. */
export interface TrainConfig {
  /** Number of features n (the paper's n_s). */
  nFeatures: number;
  /** Hidden width m (n_d); alternatively `ratio` r = m / n gives m = max(1, floor(n r)). */
  nHidden?: number;
  ratio?: number;
  /** Probability p that a feature is on: one value, or one per feature. */
  featureProbability: number | number[];
  /** Loss weight I_j per feature (default 1). */
  importance?: number[];
  batch: number;
  /** Adam learning rate; default 3e-3 / sqrt(n). */
  lr?: number;
  /** Fixed number of steps (no stop rule); exclusive with `epochs`. */
  steps?: number;
  /** Paper's recipe: up to this many epochs with the stop rule of docs/theory.md §1. */
  epochs?: number;
  samplesPerEpoch: number;
  /** u32 seed; same seed -> same data and initial weights on every backend and host. */
  seed: number;
  backend: Backend;
  activation: Activation;
  leakySlope: number;
  /** W_out = W_in^T. */
  tied: boolean;
  /** Output bias b (false: no bias). */
  bias: boolean;
  /** W_in stays at its initial value. */
  freezeIn: boolean;
  /** Held-out samples for the final per-feature evaluation. */
  evalSamples: number;
  /**
   * Threads for this one run: 1, 2 (the batch's two gradient shards on two cores; wasm backend, needs
   * SharedArrayBuffer), or 0 = as many as useful and available. Results are bit-identical for any value.
   */
  threads: number;
}

/** A TrainConfig with every default applied and nHidden resolved. */
export interface ResolvedTrainConfig extends TrainConfig {
  nHidden: number;
  lr: number;
  adamBeta1: number;
  adamBeta2: number;
  adamEps: number;
}

/** Weights in PyTorch layouts (row-major): win [m x n], wout [n x m], bias [n] (zeros without bias). */
export interface ModelWeights {
  nFeatures: number;
  nHidden: number;
  win: Float32Array;
  wout: Float32Array;
  bias: Float32Array;
}

export interface EvaluationResult {
  /** Mean over samples and features of I_j (y - x)^2: the training objective on held-out data. */
  loss: number;
  /** Unweighted mean of (y_j - x_j)^2 per feature j. */
  perFeatureLoss: Float64Array;
  samples: number;
}

export interface TrainProgress {
  step: number;
  totalSteps: number;
  /** Mean loss of the steps since the previous report. */
  loss: number;
  seconds: number;
}

export type StopReason = 'steps' | 'stop-rule' | 'max-epochs' | 'cancelled' | 'diverged';

export interface TrainResult {
  config: ResolvedTrainConfig;
  backend: Backend;
  /** Threads the run trained on (1 or 2): config.threads resolved on this host (0 -> what the host allows). */
  threads: number;
  steps: number;
  stopReason: StopReason;
  /** Mean of the last min(200, steps) step losses. */
  trainLoss: number;
  evalLoss: number;
  evalSamples: number;
  perFeatureLoss: number[];
  seconds: number;
  /** Training samples per second (evaluation excluded). */
  samplesPerSecond: number;
  /** Loss of every step since step 0 (including steps before a resume). */
  lossHistory: number[];
  /** Set when stopReason is 'diverged': what went non-finite, and at which step. */
  divergence?: string;
}

/** Adam's first and second moments of one parameter, in the parameter's PyTorch layout. */
export interface AdamMoments {
  moment: Float32Array;
  velocity: Float32Array;
}

/**
 * Everything needed to continue a run exactly: weights, Adam state, the step (the data stream is
 * counter-based, so the step is the PRNG state) and the loss history (for the stop rule).
 */
export interface TrainCheckpoint {
  config: ResolvedTrainConfig;
  step: number;
  weights: ModelWeights;
  adam: { win: AdamMoments; wout: AdamMoments; bias: AdamMoments };
  lossHistory: number[];
}

export interface TrainOptions {
  /** Called about every `progressEverySteps` steps. */
  onProgress?: (progress: TrainProgress) => void;
  progressEverySteps?: number;
  /** Checked between chunks of steps; when it returns true training stops with reason 'cancelled'. */
  shouldStop?: () => boolean;
  /** Calls onCheckpoint every this many steps (and awaits it before continuing). */
  checkpointEverySteps?: number;
  onCheckpoint?: (checkpoint: TrainCheckpoint) => void | Promise<void>;
}

/** One training run; satisfied in-process and (later) through a comlink worker proxy. */
export interface Trainer {
  readonly config: ResolvedTrainConfig;
  run(options?: TrainOptions): Promise<TrainResult>;
  evaluate(samples?: number): Promise<EvaluationResult>;
  weights(): Promise<ModelWeights>;
  /** The state after the steps trained so far (resume with createTrainer(config, { resume })). */
  checkpoint(): Promise<TrainCheckpoint>;
  dispose(): void;
}
