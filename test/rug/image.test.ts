// Rug and trained-model images: panel layout, colour scale (off-diagonal max |W|), bias column, PNG round trip.
import { describe, expect, test } from 'vitest';
import { createRug, rugImage, modelImage, modelMatrixBlock, rugMatrixBlock, rugWeights, sideBySide, theoryRugFit } from '../../src/rug/index.js';
import { encodePng } from '../../src/plot/png.js';
import { divergingColour } from '../../src/plot/colormap.js';
import { decodePng } from '../plot/pngDecode.js';

describe('rug image', () => {
  const rug = createRug(256, 64, 0, 0);
  const p = 0.05;
  const fit = theoryRugFit(rug, p);

  test('entry (i, j) sits at (1 + 4 j, 1 + 4 i); diagonal saturates red; bias column is c = A (mu + E nu)', () => {
    const size = 16;
    const { raster, limit, biasLimit } = rugImage(rug, fit, p, size);
    const block = rugMatrixBlock(rug, size);
    let offMax = 0;
    for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) if (i !== j) offMax = Math.max(offMax, Math.abs(block[i * size + j]));
    expect(limit).toBe(offMax);
    expect(biasLimit).toBeCloseTo(Math.abs(fit.c), 12);
    const png = decodePng(encodePng(raster));
    expect(png.width).toBe(raster.width);
    expect(png.height).toBe(size * 4 + 2);
    expect(png.pixel(0, 0)).toEqual([96, 96, 96]); // frame
    expect(png.pixel(1 + 4 * 5 + 2, 1 + 4 * 5 + 1)).toEqual([103, 0, 31]); // W_55 = 1 > limit
    expect(png.pixel(1 + 4 * 7, 1 + 4 * 2)).toEqual(divergingColour(block[2 * size + 7], limit));
    const biasX = size * 4 + 2 + 4;
    expect(png.pixel(biasX + 1, 1 + 4 * 9)).toEqual(fit.c < 0 ? [5, 48, 97] : [103, 0, 31]);
  });

  test("a model's W = W_out W_in: the rug's own weights give the rug's picture; panels side by side", () => {
    const size = 32;
    const weights = rugWeights(rug);
    const block = modelMatrixBlock(weights, size);
    const exact = rugMatrixBlock(rug, size);
    for (let k = 0; k < size * size; k++) expect(Math.abs(block[k] - exact[k])).toBeLessThan(1e-6);
    const trained = modelImage(weights, size).raster;
    const rugPanel = rugImage(rug, fit, p, size).raster;
    const both = sideBySide([rugPanel, trained], 16);
    expect(both.width).toBe(rugPanel.width * 2 + 16);
    const png = decodePng(encodePng(both));
    expect(png.pixel(rugPanel.width + 16 + 1 + 4 * 3, 1 + 4 * 3)).toEqual([103, 0, 31]);
    expect(png.pixel(rugPanel.width + 8, 10)).toEqual([255, 255, 255]);
    expect(() => rugImage(rug, fit, p, 257)).toThrow('block = 257 is not an integer in [1, 256]');
  });
});
