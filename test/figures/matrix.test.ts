// W images: pixel (j, i) of the inlined PNG is the colour of W_ij on the one diverging map; the colour bar uses the
// same stops and limits; the rug panel is A W with its effective bias; a model's W = W_out W_in block is exact.
import { describe, expect, test } from 'vitest';
import { createRug, modelMatrixBlock, rugMatrixBlock, rugWeights, rugEffectiveBias, theoryRugFit } from '../../src/rug/index.js';
import { rugFigure, DIVERGING_RANGE, offDiagonalLimit } from '../../src/figures/index.js';
import { divergingColour, DIVERGING_STOPS } from '../../src/plot/colormap.js';
import { decodePng } from '../plot/pngDecode.js';

type Layer = { data: { values: Record<string, unknown>[] }; encoding: Record<string, { scale?: { domain: number[]; range: string[] } }> };
type View = { hconcat: { layer: Layer[] }[] };

function imageOf(layer: Layer) {
  const url = layer.data.values[0].url as string;
  return decodePng(new Uint8Array(Buffer.from(url.slice('data:image/png;base64,'.length), 'base64')));
}

describe('W images', () => {
  const rug = createRug(256, 64, 0, 0);
  const p = 0.05;
  const fit = theoryRugFit(rug, p);

  test('the rug panel: one pixel per entry of A W on the diverging map clipped at max |A W_ij| off the diagonal; bias c = A (mu + E nu)', () => {
    const size = 16;
    const figure = rugFigure(rug, fit, p, { block: size });
    const [wView, bView] = (figure.spec.hconcat as View[])[0].hconcat;
    const block = rugMatrixBlock(rug, size).map((w) => w * fit.scale);
    let limit = 0;
    for (let i = 0; i < size; i++) for (let j = 0; j < size; j++) if (i !== j) limit = Math.max(limit, Math.abs(block[i * size + j]));
    const image = imageOf(wView.layer[0]);
    expect([image.width, image.height]).toEqual([size, size]);
    for (const [i, j] of [[0, 0], [2, 7], [5, 5], [15, 3]]) expect(image.pixel(j, i)).toEqual(divergingColour(block[i * size + j], limit));
    expect(image.pixel(5, 5)).toEqual([...DIVERGING_STOPS[10]]); // the diagonal A > limit saturates
    const colourBar = wView.layer[1].encoding.color.scale!;
    expect(colourBar.domain).toEqual([-limit, limit]);
    expect(colourBar.range).toEqual(DIVERGING_RANGE);
    expect(DIVERGING_RANGE[5]).toBe('#f7f7f7');
    const bias = imageOf(bView.layer[0]);
    expect([bias.width, bias.height]).toEqual([1, size]);
    const c = rugEffectiveBias(rug, p, fit.scale, fit.shift);
    expect(bias.pixel(0, 9)).toEqual(divergingColour(c, Math.abs(c)));
  });

  test("a model's W = W_out W_in block; the rug's own weights give the rug's W; one colour scale for both panels", () => {
    const size = 32;
    const weights = rugWeights(rug);
    const block = modelMatrixBlock(weights, size);
    const exact = rugMatrixBlock(rug, size);
    for (let k = 0; k < size * size; k++) expect(Math.abs(block[k] - exact[k])).toBeLessThan(1e-6);
    const figure = rugFigure(rug, fit, p, { block: size, trained: { weights, source: 'rug weights' } });
    const views = figure.spec.hconcat as View[];
    expect(views).toHaveLength(2);
    const limits = views.map((v) => v.hconcat[0].layer[1].encoding.color.scale!.domain[1]);
    expect(limits[0]).toBe(limits[1]);
    const scaled = exact.map((w) => w * fit.scale);
    expect(limits[0]).toBe(offDiagonalLimit([{ title: '', block: scaled, bias: new Float64Array(size), size }, { title: '', block, bias: new Float64Array(size), size }]));
    expect(() => rugFigure(rug, fit, p, { block: 257 })).toThrow('block = 257 is not an integer in [1, 256]');
  });
});
