// A straightforward dense JS trainer, as a JS user would write it by hand: the benchmark's "no tricks" baseline.
// Same model, loss and Adam as persian-rug (docs/theory.md §1, ReLU, untied, with bias); dense loops over every
// feature, no sparsity, no SIMD. It trains on the same data and from the same init as the library (so its
// losses can be checked against the TS twin before it is timed); only the model arithmetic is hand-written.
import type { ModelWeights, ResolvedTrainConfig } from '../api.js';
import { initialWeights } from '../train/init.js';
import { featureProbabilities } from '../train/config.js';
import { sampleBatch, sampleThresholds } from '../reference/sample.js';
import { streamKey } from '../reference/random.js';

/** One training step per call; returns that step's loss (mean over batch and features of (y - x)^2). */
export type DenseStep = () => number;

/**
 * Dense trainer of `config` (ReLU, untied, bias, importance 1; other settings are not supported) from
 * `weights` (default: the seeded init), drawing step t's batch from the seed's train stream like Model does.
 */
export function createDenseTrainer(config: ResolvedTrainConfig, weights: ModelWeights = initialWeights(config)): DenseStep {
  if (config.activation !== 'relu' || config.tied || !config.bias || config.freezeIn || config.importance) {
    throw new Error('the dense JS trainer covers only relu, untied, with bias, trained W_in, importance 1');
  }
  const { nFeatures: n, nHidden: m, batch, lr, adamBeta1: beta1, adamBeta2: beta2, adamEps: eps } = config;
  const params = [weights.win.slice(), weights.wout.slice(), weights.bias.slice()];
  const [win, wout, bias] = params;
  const grads = params.map((q) => new Float32Array(q.length));
  const moments = params.map((q) => new Float32Array(q.length));
  const velocities = params.map((q) => new Float32Array(q.length));
  const x = new Float32Array(batch * n), h = new Float32Array(m), dPre = new Float32Array(n), dH = new Float32Array(m);
  const thresholds = sampleThresholds(featureProbabilities(config), n);
  const key = streamKey(config.seed, 'train');
  const sparse = { offsets: new Int32Array(batch + 1), indices: new Int32Array(batch * n), values: new Float32Array(batch * n) };
  let t = 0;
  return function step(): number {
    sampleBatch(key[0], key[1], t * batch, batch, n, n, thresholds, x, sparse);
    for (const g of grads) g.fill(0);
    let loss = 0;
    for (let b = 0; b < batch; b++) {
      const row = b * n;
      for (let k = 0; k < m; k++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += win[k * n + j] * x[row + j];
        h[k] = s;
      }
      for (let i = 0; i < n; i++) {
        let s = bias[i];
        for (let k = 0; k < m; k++) s += wout[i * m + k] * h[k];
        const d = (s > 0 ? s : 0) - x[row + i];
        loss += d * d;
        dPre[i] = s > 0 ? (2 * d) / (batch * n) : 0;
      }
      for (let k = 0; k < m; k++) {
        let s = 0;
        for (let i = 0; i < n; i++) s += wout[i * m + k] * dPre[i];
        dH[k] = s;
      }
      for (let i = 0; i < n; i++) {
        grads[2][i] += dPre[i];
        for (let k = 0; k < m; k++) grads[1][i * m + k] += dPre[i] * h[k];
      }
      for (let k = 0; k < m; k++) for (let j = 0; j < n; j++) grads[0][k * n + j] += dH[k] * x[row + j];
    }
    t++;
    const bc1 = 1 - beta1 ** t, bc2 = 1 - beta2 ** t;
    params.forEach((q, a) => {
      const g = grads[a], mo = moments[a], ve = velocities[a];
      for (let i = 0; i < q.length; i++) {
        mo[i] = beta1 * mo[i] + (1 - beta1) * g[i];
        ve[i] = beta2 * ve[i] + (1 - beta2) * g[i] * g[i];
        q[i] -= (lr / bc1) * mo[i] / (Math.sqrt(ve[i]) / Math.sqrt(bc2) + eps);
      }
    });
    return loss / (batch * n);
  };
}
