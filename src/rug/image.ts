// Images of W (top-left block) with its bias column: the Persian rug and, for comparison, a trained model's W_out W_in.
import type { ModelWeights } from '../api.js';
import { divergingColour } from '../plot/colormap.js';
import { blit, createRaster, fillRect, type Raster } from '../plot/png.js';
import { rugEffectiveBias, rugMatrixBlock, type Rug, type RugFit } from './rug.js';
import { weightBlock } from '../theory/weights.js';

/** Largest block drawn (entries per side). */
export const MAX_IMAGE_BLOCK = 2048;
const FRAME: readonly number[] = [96, 96, 96];

export interface MatrixImageOptions {
  /** Pixels per matrix entry (default: 4 up to 256 entries, then fewer so the side stays <= ~1024 px, at least 1). */
  pixelsPerEntry?: number;
}

/** Default pixels per entry for a block of `size` entries. */
export function defaultPixelsPerEntry(size: number): number {
  return size <= 256 ? 4 : Math.max(1, Math.floor(1024 / size));
}

/**
 * Panel: the size x size block W (row-major) as a heat map, a gap of one entry, then the bias column
 * (two entries wide), each framed by a 1-px grey line. Colours: diverging blue-white-red (colormap.ts).
 * W is scaled by the largest |W_ij| of the block's OFF-diagonal entries (the diagonal, ~1, would wash out
 * the interference pattern; diagonal entries above that limit saturate to dark red); the bias column is
 * scaled by its own largest |b_i| (a constant column is fully saturated). Returns the raster and both limits.
 */
export function matrixPanel(block: Float64Array, bias: Float64Array, size: number, options: MatrixImageOptions = {}): { raster: Raster; limit: number; biasLimit: number } {
  const s = options.pixelsPerEntry ?? defaultPixelsPerEntry(size);
  let limit = 0;
  for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) if (i !== j) limit = Math.max(limit, Math.abs(block[i * size + j]));
  if (!(limit > 0)) limit = Math.max(1e-30, ...Array.from({ length: size }, (_, i) => Math.abs(block[i * size + i])));
  let biasLimit = 0;
  for (let i = 0; i < size; i++) biasLimit = Math.max(biasLimit, Math.abs(bias[i]));
  if (!(biasLimit > 0)) biasLimit = 1;
  const side = size * s;
  const biasX = side + 2 + s;
  const raster = createRaster(biasX + 2 * s + 1, side + 2);
  fillRect(raster, 0, 0, side + 2, side + 2, FRAME);
  fillRect(raster, biasX - 1, 0, 2 * s + 2, side + 2, FRAME);
  for (let i = 0; i < size; i++) {
    for (let j = 0; j < size; j++) fillRect(raster, 1 + j * s, 1 + i * s, s, s, divergingColour(block[i * size + j], limit));
    fillRect(raster, biasX, 1 + i * s, 2 * s, s, divergingColour(bias[i], biasLimit));
  }
  return { raster, limit, biasLimit };
}

/** The rug's W block (W_ij = w(i ^ j), diagonal 1) with its effective bias c = A (mu + E nu) in every row. */
export function rugImage(rug: Rug, fit: RugFit, p: number, size = 64, options: MatrixImageOptions = {}) {
  checkBlock(size, rug.nFeatures);
  const bias = new Float64Array(size).fill(rugEffectiveBias(rug, p, fit.scale, fit.shift));
  return matrixPanel(rugMatrixBlock(rug, size), bias, size, options);
}

/** Top-left block of W = W_out W_in for PyTorch-layout weights (win m x n, wout n x m), with the model's bias b. */
export function modelMatrixBlock(weights: ModelWeights, size: number): Float64Array {
  checkBlock(size, weights.nFeatures);
  return weightBlock(weights, 0, size, 0, size, new Float64Array(size * size));
}

/** The same picture for a trained model: its W = W_out W_in block and its bias b. */
export function modelImage(weights: ModelWeights, size = 64, options: MatrixImageOptions = {}) {
  const bias = Float64Array.from(weights.bias.subarray(0, size));
  return matrixPanel(modelMatrixBlock(weights, size), bias, size, options);
}

/** Rasters side by side, top-aligned, `gap` white pixels apart. */
export function sideBySide(rasters: readonly Raster[], gap = 16): Raster {
  const width = rasters.reduce((w, r) => w + r.width, 0) + gap * (rasters.length - 1);
  const height = Math.max(...rasters.map((r) => r.height));
  const out = createRaster(width, height);
  let x = 0;
  for (const r of rasters) {
    blit(out, r, x, 0);
    x += r.width + gap;
  }
  return out;
}

function checkBlock(size: number, n: number): void {
  const max = Math.min(n, MAX_IMAGE_BLOCK);
  if (!(Number.isInteger(size) && size >= 1 && size <= max)) throw new RangeError(`block = ${size} is not an integer in [1, ${max}]`);
}
