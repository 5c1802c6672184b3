// Initial weights as torch.nn.Linear: every weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) (docs/theory.md §1).
// Drawn from the seed's 'init' stream: W_in (m x n row-major) at counter 0, W_out (n x m) at 1, b at 2.
import type { ModelWeights, ResolvedTrainConfig } from '../api.js';
import { randomSeed, randomFillUniform, streamKey } from '../reference/random.js';

export function initialWeights(config: ResolvedTrainConfig): ModelWeights {
  const { nFeatures: n, nHidden: m, seed } = config;
  const [key0, key1] = streamKey(seed, 'init');
  const state = new Uint32Array(16);
  const draw = (counter: number, count: number, bound: number): Float32Array => {
    const out = new Float32Array(count);
    randomSeed(state, key0, key1, counter, 0);
    randomFillUniform(state, out, count, -bound, bound);
    return out;
  };
  const win = draw(0, m * n, 1 / Math.sqrt(n));
  const wout = new Float32Array(n * m);
  if (config.tied) {
    for (let i = 0; i < n; i++) for (let k = 0; k < m; k++) wout[i * m + k] = win[k * n + i];
  } else {
    wout.set(draw(1, n * m, 1 / Math.sqrt(m)));
  }
  const bias = config.bias ? draw(2, n, 1 / Math.sqrt(m)) : new Float32Array(n);
  return { nFeatures: n, nHidden: m, win, wout, bias };
}
