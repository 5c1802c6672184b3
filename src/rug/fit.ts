// Fitting the rug's two scalars (A, mu) with the paper's Adam recipe, and its Monte-Carlo loss on fresh samples.
import { ADAM } from '../train/config.js';
import { streamKey } from '../reference/random.js';
import { RUG_BATCH, type RugEngine } from './engine.js';
import { createRug, type Rug, type RugFit } from './rug.js';

export interface RugEvaluation {
  /** Mean over samples and features of (y - x)^2. */
  loss: number;
  /** Standard error of `loss` over samples: sd of the per-sample mean over features / sqrt(samples). */
  lossStdErr: number;
  samples: number;
}

/**
 * Monte-Carlo loss of y = ReLU(A (W x + mu)) on samples 0 .. samples - 1 of stream (seed, 'evaluate'),
 * in batches of the engine's capacity. The engine must hold `rug` (setRug).
 */
export function evaluateRug(engine: RugEngine, fit: RugFit, seed: number, samples: number): RugEvaluation {
  const key = streamKey(seed >>> 0, 'evaluate');
  const n = engine.nFeatures;
  let sum = 0, sumSq = 0;
  for (let first = 0; first < samples; first += engine.batchCapacity) {
    const batch = Math.min(engine.batchCapacity, samples - first);
    engine.draw(key, first, batch);
    const sums = engine.lossSums(fit.scale, fit.shift);
    for (let b = 0; b < batch; b++) {
      const loss = sums[3 * b] / n;
      sum += loss;
      sumSq += loss * loss;
    }
  }
  const mean = sum / samples;
  const variance = samples > 1 ? Math.max(0, sumSq - samples * mean * mean) / (samples - 1) : NaN;
  return { loss: mean, lossStdErr: Math.sqrt(variance / samples), samples };
}

export interface AdamRugOptions {
  seed: number;
  /** Epochs of samplesPerEpoch samples each (fixed count, no stop rule). */
  epochs: number;
  /** Random row sets tried (counters 0 .. rowSets - 1 of stream (seed, 'rug')); the lowest final-epoch loss wins. */
  rowSets: number;
  samplesPerEpoch?: number;
  batch?: number;
  /** Default 0.3 / sqrt(n). */
  lr?: number;
  /** Called after every epoch of every row set. */
  onEpoch?: (rowSet: number, epoch: number, loss: number) => void;
}

export interface AdamRugResult extends RugFit {
  rug: Rug;
  rowSet: number;
  /** Mean training loss of the winning row set's last epoch. */
  trainLoss: number;
  /** Last-epoch training loss of every row set tried. */
  rowSetLosses: number[];
  steps: number;
}

/**
 * The paper's recipe (docs/theory.md §5): A = 1, mu = 0, Adam (betas 0.9, 0.999, eps of the project's Adam) at
 * lr 0.3 / sqrt(n), batch 512, ceil(10,000 / 512) steps of fresh samples per epoch from stream (seed,
 * 'train') (the same samples for every row set), best of `rowSets` row sets by the last epoch's mean loss.
 * Gradients are exact for the batch: dL/dA = (2 / (B n)) sum [y > 0](y - x)(h + mu), dL/dmu = A (2 / (B n)) sum [y > 0](y - x).
 */
export function fitAdam(engine: RugEngine, nHidden: number, options: AdamRugOptions): AdamRugResult {
  const n = engine.nFeatures;
  const batch = options.batch ?? RUG_BATCH;
  const stepsPerEpoch = Math.ceil((options.samplesPerEpoch ?? 10_000) / batch);
  const lr = options.lr ?? 0.3 / Math.sqrt(n);
  const key = streamKey(options.seed >>> 0, 'train');
  let best: AdamRugResult | undefined;
  const rowSetLosses: number[] = [];
  for (let rowSet = 0; rowSet < options.rowSets; rowSet++) {
    const rug = createRug(n, nHidden, options.seed, rowSet);
    engine.setRug(rug);
    let scale = 1, shift = 0;
    let moment = [0, 0], velocity = [0, 0];
    let step = 0, epochLoss = NaN;
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      let total = 0;
      for (let s = 0; s < stepsPerEpoch; s++, step++) {
        engine.draw(key, step * batch, batch);
        const sums = engine.lossSums(scale, shift);
        let loss = 0, gScale = 0, gShift = 0;
        for (let b = 0; b < batch; b++) {
          loss += sums[3 * b];
          gScale += sums[3 * b + 1];
          gShift += sums[3 * b + 2];
        }
        const norm = 2 / (batch * n);
        const grad = [gScale * norm, gShift * norm * scale];
        total += loss / (batch * n);
        const t = step + 1;
        moment = moment.map((v, i) => ADAM.beta1 * v + (1 - ADAM.beta1) * grad[i]);
        velocity = velocity.map((v, i) => ADAM.beta2 * v + (1 - ADAM.beta2) * grad[i] ** 2);
        const update = moment.map((v, i) => (lr * (v / (1 - ADAM.beta1 ** t))) / (Math.sqrt(velocity[i] / (1 - ADAM.beta2 ** t)) + ADAM.eps));
        scale -= update[0];
        shift -= update[1];
      }
      epochLoss = total / stepsPerEpoch;
      options.onEpoch?.(rowSet, epoch, epochLoss);
    }
    rowSetLosses.push(epochLoss);
    if (!best || epochLoss < best.trainLoss) best = { rug, rowSet, scale, shift, trainLoss: epochLoss, rowSetLosses, steps: step };
  }
  if (!best) throw new RangeError(`rowSets = ${options.rowSets} is not an integer >= 1`);
  return best;
}
