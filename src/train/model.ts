// One model and its training state on a KernelSet: padded layout, init, train step, evaluation, weights.
//
// Layout (padding is 0 and stays 0, so kernels need no edge cases):
//   featureStride fs = ceil(n / 8) 8, hiddenStride hs = ceil(m / 4) 4
//   parameters: winT [n x hs] (row j = column j of W_in), wout [n x hs] (row i = row i of W_out), bias [fs];
//   woutT [hs x fs] (row k = column k of W_out) is a copy for the forward GEMM, refreshed after each update;
//   gradients and Adam moments share their parameter's layout; batch: dense x [B x fs], CSR (offsets
//   [B + 1], indices/values [B n]), hidden, dHidden [B x hs], dPre [B x fs]; featureLoss f64 [fs].
// Tied weights: W_out = W_in^T means wout and winT are the same matrix, so they share one buffer (and one gradient).
import type { EvaluationResult, ModelWeights, ResolvedTrainConfig } from '../api.js';
import type { KernelSet } from './kernels.js';
import { featureProbabilities, importanceWeights } from './config.js';
import { initialWeights } from './init.js';
import { sampleThresholds } from '../reference/sample.js';
import { streamKey } from '../reference/random.js';
import { ACTIVATION_CODE } from '../reference/activation.js';

export interface ModelShape {
  nFeatures: number;
  nHidden: number;
  batch: number;
  featureStride: number;
  hiddenStride: number;
}

export function modelShape(config: ResolvedTrainConfig): ModelShape {
  return {
    nFeatures: config.nFeatures,
    nHidden: config.nHidden,
    batch: config.batch,
    featureStride: Math.ceil(config.nFeatures / 8) * 8,
    hiddenStride: Math.ceil(config.nHidden / 4) * 4,
  };
}

/** Bytes of buffers a model allocates (wasm memory must hold them, below 4 GiB). */
export function modelBytes(config: ResolvedTrainConfig): number {
  const { nFeatures: n, batch: b, featureStride: fs, hiddenStride: hs } = modelShape(config);
  const matrices = config.tied ? 1 : 2;
  const parameterFloats = 4 * (matrices * n * hs + fs) + hs * fs;
  const batchFloats = b * fs * 2 + (b + 1) + 2 * b * n + 2 * b * hs + fs * 3 + Math.ceil(n / 4) * 4;
  return 4 * (parameterFloats + batchFloats) + 16 * 32 + 65536;
}

export class Model<B> {
  readonly shape: ModelShape;
  step = 0;
  private readonly trainKey: [number, number];
  private readonly activationCode: number;
  private readonly winT: B; private readonly wout: B; private readonly woutT: B; private readonly bias: B;
  private readonly gradWinT: B; private readonly gradWout: B; private readonly gradBias: B;
  private readonly momentWinT: B; private readonly velocityWinT: B;
  private readonly momentWout: B; private readonly velocityWout: B;
  private readonly momentBias: B; private readonly velocityBias: B;
  private readonly thresholds: B; private readonly importance: B;
  private readonly dense: B; private readonly offsets: B; private readonly indices: B; private readonly values: B;
  private readonly hidden: B; private readonly dHidden: B; private readonly dPre: B; private readonly featureLoss: B;

  constructor(readonly kernels: KernelSet<B>, readonly config: ResolvedTrainConfig, weights: ModelWeights = initialWeights(config)) {
    const s = (this.shape = modelShape(config));
    const { nFeatures: n, batch, featureStride: fs, hiddenStride: hs } = s;
    const k = kernels;
    const matrix = (): B => k.allocate('f32', n * hs);
    this.wout = matrix(); this.gradWout = matrix(); this.momentWout = matrix(); this.velocityWout = matrix();
    if (config.tied) {
      this.winT = this.wout; this.gradWinT = this.gradWout; this.momentWinT = this.momentWout; this.velocityWinT = this.velocityWout;
    } else {
      this.winT = matrix(); this.gradWinT = matrix(); this.momentWinT = matrix(); this.velocityWinT = matrix();
    }
    this.woutT = k.allocate('f32', hs * fs); this.bias = k.allocate('f32', fs);
    this.gradBias = k.allocate('f32', fs); this.momentBias = k.allocate('f32', fs); this.velocityBias = k.allocate('f32', fs);
    this.thresholds = k.allocate('u32', Math.ceil(n / 4) * 4);
    this.importance = k.allocate('f32', fs);
    this.dense = k.allocate('f32', batch * fs);
    this.offsets = k.allocate('i32', batch + 1);
    this.indices = k.allocate('i32', batch * n);
    this.values = k.allocate('f32', batch * n);
    this.hidden = k.allocate('f32', batch * hs); this.dHidden = k.allocate('f32', batch * hs);
    this.dPre = k.allocate('f32', batch * fs);
    this.featureLoss = k.allocate('f64', fs);
    k.write(this.thresholds, 'u32', sampleThresholds(featureProbabilities(config), n));
    const importance = new Float32Array(fs);
    importance.set(importanceWeights(config));
    k.write(this.importance, 'f32', importance);
    this.trainKey = streamKey(config.seed, 'train');
    this.activationCode = ACTIVATION_CODE[config.activation];
    this.setWeights(weights);
  }

  /** Loads PyTorch-layout weights into the padded layout (Adam state is left as it is). */
  setWeights(w: ModelWeights): void {
    const { nFeatures: n, nHidden: m, featureStride: fs, hiddenStride: hs } = this.shape;
    if (w.nFeatures !== n || w.nHidden !== m) throw new Error(`weights are ${w.nHidden} x ${w.nFeatures}; the model is ${m} x ${n}`);
    const winT = new Float32Array(n * hs);
    for (let k = 0; k < m; k++) for (let j = 0; j < n; j++) winT[j * hs + k] = w.win[k * n + j];
    const wout = new Float32Array(n * hs);
    for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) wout[i * hs + k] = w.wout[i * m + k];
    const bias = new Float32Array(fs);
    if (this.config.bias) bias.set(w.bias);
    // Tied: wout and winT are one buffer; W_in decides (W_out = W_in^T).
    this.kernels.write(this.wout, 'f32', this.config.tied ? winT : wout);
    if (!this.config.tied) this.kernels.write(this.winT, 'f32', winT);
    this.kernels.write(this.bias, 'f32', bias);
    this.refreshForwardCopy();
  }

  /** woutT[k, i] = wout[i, k]: the forward GEMM's copy of W_out. */
  private refreshForwardCopy(): void {
    const { nFeatures: n, nHidden: m, featureStride: fs, hiddenStride: hs } = this.shape;
    this.kernels.transposeInto(this.wout, n, m, hs, this.woutT, fs, false);
  }

  /** Weights in PyTorch layouts (copies). */
  weights(): ModelWeights {
    const { nFeatures: n, nHidden: m, hiddenStride: hs } = this.shape;
    const winT = this.kernels.readF32(this.winT, n * hs);
    const woutRows = this.kernels.readF32(this.wout, n * hs);
    const win = new Float32Array(m * n);
    for (let k = 0; k < m; k++) for (let j = 0; j < n; j++) win[k * n + j] = winT[j * hs + k];
    const wout = new Float32Array(n * m);
    for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) wout[i * m + k] = woutRows[i * hs + k];
    const bias = this.kernels.readF32(this.bias, n);
    return { nFeatures: n, nHidden: m, win, wout, bias };
  }

  /** Forward on samples firstSample.. of the given stream key; returns the summed I (y - x)^2 and fills dPre. */
  private forward(key: [number, number], firstSample: number, batch: number, featureLoss: B | null): number {
    const k = this.kernels;
    const { nFeatures: n, nHidden: m, featureStride: fs, hiddenStride: hs } = this.shape;
    k.sampleBatch(key[0], key[1], firstSample, batch, n, fs, this.thresholds, this.dense, this.offsets, this.indices, this.values);
    k.encoderForward(batch, hs, this.offsets, this.indices, this.values, this.winT, this.hidden);
    return k.decoderForward(batch, m, hs, fs, this.hidden, this.woutT, this.bias, this.dense, this.importance,
      this.activationCode, this.config.leakySlope, 2 / (batch * n), this.dPre, featureLoss);
  }

  /** One Adam step on a fresh batch; returns the batch loss before the update. */
  trainStep(): number {
    const k = this.kernels;
    const c = this.config;
    const { nFeatures: n, batch, featureStride: fs, hiddenStride: hs } = this.shape;
    const loss = this.forward(this.trainKey, this.step * batch, batch, null) / (batch * n);
    const trainIn = !c.freezeIn;
    k.decoderBackward(batch, n, hs, fs, this.hidden, this.wout, this.dPre, this.gradWout, this.gradBias, this.dHidden, trainIn);
    if (trainIn) k.encoderBackward(batch, n, hs, this.offsets, this.indices, this.values, this.dHidden, this.gradWinT, c.tied);
    this.step++;
    const bc1 = 1 - c.adamBeta1 ** this.step;
    const bc2 = 1 - c.adamBeta2 ** this.step;
    const adam = (param: B, grad: B, moment: B, velocity: B, count: number): void =>
      k.adamUpdate(param, grad, moment, velocity, count, c.lr, c.adamBeta1, c.adamBeta2, c.adamEps, bc1, bc2);
    adam(this.wout, this.gradWout, this.momentWout, this.velocityWout, n * hs);
    if (trainIn && !c.tied) adam(this.winT, this.gradWinT, this.momentWinT, this.velocityWinT, n * hs);
    if (c.bias) adam(this.bias, this.gradBias, this.momentBias, this.velocityBias, fs);
    this.refreshForwardCopy();
    return loss;
  }

  /** Loss on `samples` held-out vectors of the seed's 'evaluate' stream (independent of training data). */
  evaluate(samples: number): EvaluationResult {
    const { nFeatures: n, batch, featureStride: fs } = this.shape;
    const key = streamKey(this.config.seed, 'evaluate');
    this.kernels.zero(this.featureLoss, 'f64', fs);
    let total = 0;
    for (let done = 0; done < samples; done += batch) {
      const size = Math.min(batch, samples - done);
      total += this.forward(key, done, size, this.featureLoss);
    }
    const sums = this.kernels.readF64(this.featureLoss, n);
    const perFeatureLoss = sums.map((v) => v / samples);
    return { loss: total / (samples * n), perFeatureLoss, samples };
  }
}
