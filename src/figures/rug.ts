// The Persian rug figure (the paper's Figure 1): the rug's effective weights A W and bias, a trained model's W beside it.
import type { ModelWeights } from '../api.js';
import { checkBlock, modelMatrixBlock } from '../rug/image.js';
import { rugEffectiveBias, rugMatrixBlock, type Rug, type RugFit } from '../rug/rug.js';
import { matrixFigure, type MatrixPanel } from './matrix.js';
import { formatNumber, type Figure } from './spec.js';

export interface RugFigureOptions {
  /** Entries per side of the top-left block drawn (default min(n, 64)). */
  block?: number;
  /** A trained model drawn beside the rug on the same colour scales, and where it came from. */
  trained?: { weights: ModelWeights; source: string };
  /** Extra caption text (e.g. the date), appended. */
  note?: string;
}

/**
 * Left: the rug's effective weights A W (W_ij = w(i XOR j), diagonal A) and its effective bias c = A (mu + E nu);
 * right (optional): a trained model's W_out W_in and b, on the same scales.
 */
export function rugFigure(rug: Rug, fit: RugFit, p: number, options: RugFigureOptions = {}): Figure {
  const n = rug.nFeatures, m = rug.nHidden;
  const size = options.block ?? Math.min(n, 64);
  checkBlock(size, n);
  const block = rugMatrixBlock(rug, size);
  for (let k = 0; k < block.length; k++) block[k] *= fit.scale;
  const panels: MatrixPanel[] = [{ title: 'Persian rug: A W', block, bias: new Float64Array(size).fill(rugEffectiveBias(rug, p, fit.scale, fit.shift)), size }];
  const trained = options.trained;
  if (trained) {
    const t = Math.min(size, trained.weights.nFeatures);
    panels.push({ title: 'trained: W = W_out W_in', block: modelMatrixBlock(trained.weights, t), bias: Float64Array.from(trained.weights.bias.subarray(0, t)), size: t });
  }
  const caption = [`persian-rug rug: n = ${n}, m = ${m} (r = ${formatNumber(m / n)}), p = ${formatNumber(p)}, row set ${rug.rowSet}, A = ${formatNumber(fit.scale)}, mu = ${formatNumber(fit.shift)}`];
  if (trained) caption.push(`trained: ${trained.source} (n = ${trained.weights.nFeatures}, m = ${trained.weights.nHidden})`);
  if (options.note) caption.push(options.note);
  const title = trained ? 'The Persian rug and a trained model: W and the bias' : 'The Persian rug: W and the bias';
  return matrixFigure('rug', title, caption.join(' · '), panels);
}
