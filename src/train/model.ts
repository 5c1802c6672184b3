// One model and its training state on a KernelSet: padded layout, init, train step (two gradient shards), evaluation.
//
// Layout (padding is 0 and stays 0, so kernels need no edge cases):
//   featureStride fs = ceil(n / 8) 8, hiddenStride hs = ceil(m / 4) 4
//   parameters: winT [n x hs] (row j = column j of W_in), wout [n x hs] (row i = row i of W_out), bias [fs];
//   woutPanels [hs x fs] (W_out in column panels, layout.ts) is a copy for the forward GEMM, refreshed after each update;
//   gradients and Adam moments share their parameter's layout.
// Tied weights: W_out = W_in^T means wout and winT are the same matrix, so they share one buffer (and one gradient).
//
// Gradient shards: the batch is split into GRADIENT_SHARDS contiguous slices; each slice has its own
// batch buffers (dense x [S x fs], CSR offsets [S + 1] / indices, values [S n], hidden, dHidden [S x hs],
// dPre [S x fs]) and gradients; Adam sums shard 0 + shard 1 as it reads them (adamUpdate). The update is
// split by features too: share t updates features [first, end) of every parameter and packs those columns
// of woutPanels (UpdateShare). Elementwise, so the arithmetic is the same whether the shards and shares run
// one after the other or on two threads: a two-core run is bit-identical to a one-core run with the same seed.
import type { AdamMoments, EvaluationResult, ModelWeights, ResolvedTrainConfig } from '../api.js';
import { decoderBackwardScratchWords, decoderForwardScratchWords, decoderPanelWidth, encoderBackwardScratchWords, type KernelSet } from '../kernelSet.js';
import { featureProbabilities, importanceWeights } from './config.js';
import { initialWeights } from './init.js';
import { SAMPLE_GAP_TABLE, sampleThresholds } from '../reference/sample.js';
import { streamKey } from '../reference/random.js';
import { ACTIVATION_CODE } from '../reference/activation.js';

export const GRADIENT_SHARDS = 2;

export interface ModelShape {
  nFeatures: number;
  nHidden: number;
  batch: number;
  featureStride: number;
  hiddenStride: number;
  /** Samples per gradient shard (the last shard may have fewer). */
  shardBatch: number;
}

function modelShape(config: ResolvedTrainConfig): ModelShape {
  return {
    nFeatures: config.nFeatures,
    nHidden: config.nHidden,
    batch: config.batch,
    featureStride: Math.ceil(config.nFeatures / 8) * 8,
    hiddenStride: Math.ceil(config.nHidden / 4) * 4,
    shardBatch: Math.ceil(config.batch / GRADIENT_SHARDS),
  };
}

/** i32 words of the scratch the two backward kernels share (one after the other). */
function backwardScratchWords(shardBatch: number, n: number, fs: number, hs: number): number {
  return Math.max(decoderForwardScratchWords(shardBatch, hs), decoderBackwardScratchWords(shardBatch, fs), encoderBackwardScratchWords(shardBatch, n, hs));
}

/** Bytes of buffers a model allocates (wasm memory must hold them, below 4 GiB). */
export function modelBytes(config: ResolvedTrainConfig): number {
  const { nFeatures: n, featureStride: fs, hiddenStride: hs, shardBatch: s } = modelShape(config);
  const matrices = config.tied ? 1 : 2;
  const parameterFloats = 3 * (matrices * n * hs + fs) + hs * fs;
  const shardFloats = matrices * n * hs + fs + s * fs * 2 + (s + 1) + 2 * s * n + 2 * s * hs + backwardScratchWords(s, n, fs, hs);
  const otherFloats = 2 * fs + SAMPLE_GAP_TABLE + Math.ceil(n / 4) * 4 + 2 * fs;
  return 4 * (parameterFloats + GRADIENT_SHARDS * shardFloats + otherFloats) + 16 * 48 + 65536;
}

/** One gradient shard's slice of the batch and its buffers. */
export interface ShardBuffers<B> {
  /** First sample of the slice within the batch, and its size. */
  start: number;
  size: number;
  dense: B; offsets: B; indices: B; values: B;
  hidden: B; dHidden: B; dPre: B;
  gradWinT: B; gradWout: B; gradBias: B;
  /** decoderForward's scratch, then decoderBackward's, then encoderBackward's (backwardScratchWords). */
  backwardScratch: B;
}

/**
 * One thread's share of the parameter update: Adam on features [firstFeature, endFeature) (rows of wout and
 * winT below nFeatures, bias entries) with the gradients of both shards, then those columns of woutPanels.
 */
export interface UpdateShare<B> {
  firstFeature: number; endFeature: number;
  lr: number; beta1: number; beta2: number; eps: number;
  /** Which parameters train: W_out always; W_in unless frozen or tied (then it is W_out); b unless --no-bias. */
  trainWin: boolean; trainBias: boolean;
  wout: B; winT: B; bias: B; woutPanels: B; panelWidth: number;
  momentWout: B; velocityWout: B; momentWinT: B; velocityWinT: B; momentBias: B; velocityBias: B;
  /** Per shard (GRADIENT_SHARDS of each). */
  gradWout: B[]; gradWinT: B[]; gradBias: B[];
}

/** Everything one shard's forward/backward needs: constants, parameter handles and its buffers (plain data for wasm). */
export interface ShardPlan<B> {
  nFeatures: number; nHidden: number; batch: number; featureStride: number; hiddenStride: number;
  activationCode: number; leakySlope: number; tied: boolean; trainIn: boolean; trainKey: [number, number];
  thresholds: B; importance: B; winT: B; wout: B; woutPanels: B; bias: B;
  /** Column-panel width of woutPanels (decoderPanelWidth). */
  panelWidth: number;
  shard: ShardBuffers<B>;
  /** This thread's share of the update that follows the backward passes. */
  update: UpdateShare<B>;
}

/**
 * Samples firstSample .. firstSample + count - 1 of the stream `key` into the shard's buffers and runs the
 * forward pass; returns the summed I (y - x)^2 and leaves dPre = gradScale I (y - x) act'(pre).
 */
function forwardShard<B>(
  k: KernelSet<B>, plan: ShardPlan<B>, key: [number, number], firstSample: number, count: number, gradScale: number, featureLoss: B | null,
): number {
  const { nFeatures: n, nHidden: m, featureStride: fs, hiddenStride: hs, shard: s } = plan;
  k.sampleBatch(key[0], key[1], firstSample, count, n, fs, plan.thresholds, s.dense, s.offsets, s.indices, s.values);
  k.encoderForward(count, hs, s.offsets, s.indices, s.values, plan.winT, s.hidden);
  return k.decoderForward(count, m, hs, fs, plan.panelWidth, s.hidden, plan.woutPanels, plan.bias, s.dense, plan.importance,
    plan.activationCode, plan.leakySlope, gradScale, s.dPre, featureLoss, s.backwardScratch);
}

/** One shard's share of training step `step`: forward and backward into its own gradients; returns its loss sum. */
export function trainShard<B>(k: KernelSet<B>, plan: ShardPlan<B>, step: number): number {
  const { nFeatures: n, featureStride: fs, hiddenStride: hs, batch, shard: s } = plan;
  const loss = forwardShard(k, plan, plan.trainKey, step * batch + s.start, s.size, 2 / (batch * n), null);
  k.decoderBackward(s.size, n, hs, fs, s.hidden, plan.wout, s.dPre, s.gradWout, s.gradBias, s.dHidden, plan.trainIn, s.backwardScratch);
  // decoderBackward is done with its scratch: encoderBackward reuses it (sized for both)
  if (plan.trainIn) k.encoderBackward(s.size, n, hs, s.offsets, s.indices, s.values, s.dHidden, s.gradWinT, plan.tied, s.backwardScratch);
  return loss;
}

/**
 * Share `u` of the update after `step` completed steps (Adam's t = step): features [firstFeature, endFeature)
 * of W_out, W_in and b with the shards' summed gradients, then those columns of the forward copy.
 */
export function updateShare<B>(k: KernelSet<B>, plan: ShardPlan<B>, step: number): void {
  const { nFeatures: n, nHidden: m, hiddenStride: hs, featureStride: fs, update: u } = plan;
  const bc1 = 1 - u.beta1 ** step;
  const bc2 = 1 - u.beta2 ** step;
  const rows = Math.max(0, Math.min(u.endFeature, n) - u.firstFeature);
  const adam = (param: B, grads: B[], moment: B, velocity: B, first: number, count: number): void =>
    k.adamUpdate(param, grads[0], grads[1], moment, velocity, first, count, u.lr, u.beta1, u.beta2, u.eps, bc1, bc2);
  adam(u.wout, u.gradWout, u.momentWout, u.velocityWout, u.firstFeature * hs, rows * hs);
  if (u.trainWin) adam(u.winT, u.gradWinT, u.momentWinT, u.velocityWinT, u.firstFeature * hs, rows * hs);
  if (u.trainBias) adam(u.bias, u.gradBias, u.momentBias, u.velocityBias, u.firstFeature, u.endFeature - u.firstFeature);
  k.packDecoderPanels(u.wout, n, m, hs, u.woutPanels, fs, u.panelWidth, u.firstFeature, u.endFeature);
}

/** Runs the shards after the first: in this thread (one after the other) or on other threads (see parallel.ts). */
export interface ShardRunner {
  /** Starts the other shards' share of `step` (a thread returns at once; in-thread runners may defer). */
  begin(step: number): void;
  /** Waits for their gradients (after shard 0's own) and lets them go on to their update shares; returns their loss sums in shard order. */
  reduce(): number[];
  /** Waits for their update shares (after shard 0's own). */
  end(): void;
  dispose(): void;
}

export class Model<B> {
  readonly shape: ModelShape;
  step = 0;
  readonly plans: ShardPlan<B>[];
  private runner: ShardRunner;
  private readonly winT: B; private readonly wout: B; private readonly woutPanels: B; private readonly bias: B;
  private readonly momentWinT: B; private readonly velocityWinT: B;
  private readonly momentWout: B; private readonly velocityWout: B;
  private readonly momentBias: B; private readonly velocityBias: B;
  private readonly featureLoss: B;

  constructor(readonly kernels: KernelSet<B>, readonly config: ResolvedTrainConfig, weights: ModelWeights = initialWeights(config)) {
    const shape = (this.shape = modelShape(config));
    const { nFeatures: n, batch, featureStride: fs, hiddenStride: hs, shardBatch } = shape;
    const k = kernels;
    const matrix = (): B => k.allocate('f32', n * hs);
    this.wout = matrix(); this.momentWout = matrix(); this.velocityWout = matrix();
    if (config.tied) {
      this.winT = this.wout; this.momentWinT = this.momentWout; this.velocityWinT = this.velocityWout;
    } else {
      this.winT = matrix(); this.momentWinT = matrix(); this.velocityWinT = matrix();
    }
    this.woutPanels = k.allocate('f32', hs * fs); this.bias = k.allocate('f32', fs);
    this.momentBias = k.allocate('f32', fs); this.velocityBias = k.allocate('f32', fs);
    this.featureLoss = k.allocate('f64', fs);
    const thresholdValues = sampleThresholds(featureProbabilities(config), n);
    const thresholds = k.allocate('u32', thresholdValues.length);
    k.write(thresholds, 'u32', thresholdValues);
    const importance = k.allocate('f32', fs);
    const importanceValues = new Float32Array(fs);
    importanceValues.set(importanceWeights(config));
    k.write(importance, 'f32', importanceValues);
    const trainKey = streamKey(config.seed, 'train');
    const shards: ShardBuffers<B>[] = [];
    for (let shard = 0; shard < GRADIENT_SHARDS; shard++) {
      const start = Math.min(batch, shard * shardBatch);
      const size = Math.min(batch, start + shardBatch) - start;
      const gradWout = matrix();
      shards.push({
        start, size,
        dense: k.allocate('f32', shardBatch * fs), offsets: k.allocate('i32', shardBatch + 1),
        indices: k.allocate('i32', shardBatch * n), values: k.allocate('f32', shardBatch * n),
        hidden: k.allocate('f32', shardBatch * hs), dHidden: k.allocate('f32', shardBatch * hs), dPre: k.allocate('f32', shardBatch * fs),
        gradWout, gradWinT: config.tied ? gradWout : matrix(), gradBias: k.allocate('f32', fs),
        backwardScratch: k.allocate('i32', backwardScratchWords(shardBatch, n, fs, hs)),
      });
    }
    const panelWidth = decoderPanelWidth(config.nHidden, fs);
    // Update shares split the features near n / 2 on a multiple of 8 (so every range starts on a whole vector).
    const split = (share: number): number => (share === 0 ? 0 : share === GRADIENT_SHARDS ? fs : 8 * Math.round((share * n) / (8 * GRADIENT_SHARDS)));
    this.plans = shards.map((buffers, shard) => ({
      nFeatures: n, nHidden: config.nHidden, batch, featureStride: fs, hiddenStride: hs,
      activationCode: ACTIVATION_CODE[config.activation], leakySlope: config.leakySlope, tied: config.tied,
      trainIn: !config.freezeIn, trainKey, thresholds, importance,
      winT: this.winT, wout: this.wout, woutPanels: this.woutPanels, panelWidth, bias: this.bias, shard: buffers,
      update: {
        firstFeature: split(shard), endFeature: split(shard + 1),
        lr: config.lr, beta1: config.adamBeta1, beta2: config.adamBeta2, eps: config.adamEps,
        trainWin: !config.freezeIn && !config.tied, trainBias: config.bias,
        wout: this.wout, winT: this.winT, bias: this.bias, woutPanels: this.woutPanels, panelWidth,
        momentWout: this.momentWout, velocityWout: this.velocityWout, momentWinT: this.momentWinT, velocityWinT: this.velocityWinT,
        momentBias: this.momentBias, velocityBias: this.velocityBias,
        gradWout: shards.map((s) => s.gradWout), gradWinT: shards.map((s) => s.gradWinT), gradBias: shards.map((s) => s.gradBias),
      },
    }));
    this.runner = sequentialRunner(kernels, this.plans);
    this.setWeights(weights);
  }

  /** Replaces how shards 1.. run (e.g. on a second thread); the arithmetic, and so the result, is unchanged. */
  useShardRunner(runner: ShardRunner): void {
    this.runner.dispose();
    this.runner = runner;
  }

  /** Loads PyTorch-layout weights into the padded layout (Adam state is left as it is). */
  setWeights(w: ModelWeights): void {
    const { nFeatures: n, nHidden: m, featureStride: fs } = this.shape;
    if (w.nFeatures !== n || w.nHidden !== m) throw new Error(`weights are ${w.nHidden} x ${w.nFeatures}; the model is ${m} x ${n}`);
    const winT = this.padded(w.win, true);
    const wout = this.padded(w.wout, false);
    const bias = new Float32Array(fs);
    if (this.config.bias) bias.set(w.bias);
    // Tied: wout and winT are one buffer; W_in decides (W_out = W_in^T).
    this.kernels.write(this.wout, 'f32', this.config.tied ? winT : wout);
    if (!this.config.tied) this.kernels.write(this.winT, 'f32', winT);
    this.kernels.write(this.bias, 'f32', bias);
    this.refreshForwardCopy();
  }

  /** The forward GEMM's copy of W_out, in column panels. */
  private refreshForwardCopy(): void {
    const { nFeatures: n, nHidden: m, featureStride: fs, hiddenStride: hs } = this.shape;
    this.kernels.packDecoderPanels(this.wout, n, m, hs, this.woutPanels, fs, this.plans[0].panelWidth, 0, fs);
  }

  /** Weights in PyTorch layouts (copies). */
  weights(): ModelWeights {
    const { nFeatures: n, nHidden: m } = this.shape;
    return { nFeatures: n, nHidden: m, win: this.unpadded(this.winT, true), wout: this.unpadded(this.wout, false), bias: this.kernels.readF32(this.bias, n) };
  }

  /**
   * A PyTorch-layout matrix as the contents of a padded [n x hs] buffer: W_out [n x m] row i -> row i (wout layout),
   * or with `transposed` W_in [m x n] column j -> row j (winT layout); padding zero.
   */
  private padded(matrix: ArrayLike<number>, transposed: boolean): Float32Array {
    const { nFeatures: n, nHidden: m, hiddenStride: hs } = this.shape;
    const t = new Float32Array(n * hs);
    for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) t[i * hs + k] = matrix[transposed ? k * n + i : i * m + k];
    return t;
  }

  /** A padded [n x hs] buffer back in its PyTorch layout (the inverse of padded). */
  private unpadded(buffer: B, transposed: boolean): Float32Array {
    const { nFeatures: n, nHidden: m, hiddenStride: hs } = this.shape;
    const t = this.kernels.readF32(buffer, n * hs);
    const out = new Float32Array(n * m);
    for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) out[transposed ? k * n + i : i * m + k] = t[i * hs + k];
    return out;
  }

  /** Adam state in PyTorch layouts (with tied weights W_in's moments are W_out's, transposed). */
  adamState(): { win: AdamMoments; wout: AdamMoments; bias: AdamMoments } {
    const n = this.shape.nFeatures;
    return {
      win: { moment: this.unpadded(this.momentWinT, true), velocity: this.unpadded(this.velocityWinT, true) },
      wout: { moment: this.unpadded(this.momentWout, false), velocity: this.unpadded(this.velocityWout, false) },
      bias: { moment: this.kernels.readF32(this.momentBias, n), velocity: this.kernels.readF32(this.velocityBias, n) },
    };
  }

  /** Restores weights, Adam state and step (see adamState); the next trainStep continues the run exactly. */
  restore(step: number, weights: ModelWeights, adam: { win: AdamMoments; wout: AdamMoments; bias: AdamMoments }): void {
    this.setWeights(weights);
    const fs = this.shape.featureStride;
    if (this.config.tied) {
      this.kernels.write(this.momentWinT, 'f32', this.padded(adam.win.moment, true));
      this.kernels.write(this.velocityWinT, 'f32', this.padded(adam.win.velocity, true));
    } else {
      this.kernels.write(this.momentWout, 'f32', this.padded(adam.wout.moment, false));
      this.kernels.write(this.velocityWout, 'f32', this.padded(adam.wout.velocity, false));
      this.kernels.write(this.momentWinT, 'f32', this.padded(adam.win.moment, true));
      this.kernels.write(this.velocityWinT, 'f32', this.padded(adam.win.velocity, true));
    }
    const pad = (v: Float32Array): Float32Array => { const out = new Float32Array(fs); out.set(v); return out; };
    this.kernels.write(this.momentBias, 'f32', pad(adam.bias.moment));
    this.kernels.write(this.velocityBias, 'f32', pad(adam.bias.velocity));
    this.step = step;
  }

  /** One Adam step on a fresh batch; returns the batch loss before the update. */
  trainStep(): number {
    const { nFeatures: n, batch } = this.shape;
    this.runner.begin(this.step);
    let lossSum = trainShard(this.kernels, this.plans[0], this.step);
    for (const other of this.runner.reduce()) lossSum += other;
    this.step++;
    updateShare(this.kernels, this.plans[0], this.step);
    this.runner.end();
    return lossSum / (batch * n);
  }

  /** Loss on `samples` held-out vectors of the seed's 'evaluate' stream (independent of training data). */
  evaluate(samples: number): EvaluationResult {
    const { nFeatures: n, featureStride: fs, shardBatch } = this.shape;
    const key = streamKey(this.config.seed, 'evaluate');
    this.kernels.zero(this.featureLoss, 'f64', fs);
    let total = 0;
    for (let done = 0; done < samples; done += shardBatch) {
      total += forwardShard(this.kernels, this.plans[0], key, done, Math.min(shardBatch, samples - done), 0, this.featureLoss);
    }
    const perFeatureLoss = this.kernels.readF64(this.featureLoss, n).map((v) => v / samples);
    return { loss: total / (samples * n), perFeatureLoss, samples };
  }

  dispose(): void {
    this.runner.dispose();
    this.kernels.dispose();
  }
}

/** Shards (and update shares) 1.. in this thread, after shard 0's. */
function sequentialRunner<B>(kernels: KernelSet<B>, plans: ShardPlan<B>[]): ShardRunner {
  let step = 0;
  return {
    begin: (s) => { step = s; },
    reduce: () => plans.slice(1).map((plan) => trainShard(kernels, plan, step)),
    end: () => { for (const plan of plans.slice(1)) updateShare(kernels, plan, step + 1); },
    dispose: () => {},
  };
}
