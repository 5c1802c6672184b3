// Every figure renders headless to SVG and to PNG (2x, fonts from the dejavu-fonts-ttf package): the PNG decodes to
// twice the SVG's size and has non-background pixels inside every plot area the scenegraph reports.
import { describe, expect, test } from 'vitest';
import { renderSvg, svgToPng } from '../../src/plot/render.js';
import { sweepFigures, runFigures, rugFigure, type Figure } from '../../src/figures/index.js';
import { createRug, theoryRugFit, rugWeights } from '../../src/rug/index.js';
import { decodePng } from '../plot/pngDecode.js';
import { parseXml } from '../plot/xml.js';
import { syntheticRecords, syntheticRun, syntheticWeights } from './records.js';

async function checkRendered(figure: Figure): Promise<void> {
  const { svg, width, height, panels } = await renderSvg(figure.spec);
  parseXml(svg);
  expect(svg).toContain('font-family="DejaVu Sans');
  const png = decodePng(await svgToPng(svg));
  expect([png.width, png.height]).toEqual([Math.round(2 * width), Math.round(2 * height)]);
  expect(panels.length).toBeGreaterThan(0);
  const corner = png.pixel(0, 0).slice(0, 3);
  expect(corner).toEqual([255, 255, 255]);
  for (const panel of panels) {
    let drawn = 0;
    for (let y = Math.ceil(2 * panel.y) + 2; y < Math.floor(2 * (panel.y + panel.height)) - 2; y += 2) {
      for (let x = Math.ceil(2 * panel.x) + 2; x < Math.floor(2 * (panel.x + panel.width)) - 2; x += 2) {
        const [r, g, b] = png.pixel(x, y);
        // data marks, not the light grid (#eee) or the white background
        if (Math.min(r, g, b) < 200) drawn++;
      }
    }
    expect(drawn, `${figure.name}: panel at (${panel.x}, ${panel.y}) ${panel.width} x ${panel.height} has no data drawn`).toBeGreaterThan(10);
  }
}

describe('rendering', () => {
  test('every sweep figure renders to SVG and PNG with data in every panel', async () => {
    const figures = sweepFigures(syntheticRecords());
    for (const figure of figures) await checkRendered(figure);
  }, 120_000);

  test('a run\'s figures and the rug figure render, one panel per view', async () => {
    const run = syntheticRun();
    const figures = runFigures(run, syntheticWeights(run));
    for (const figure of figures) await checkRendered(figure);
    const rug = createRug(128, 32, 0, 0);
    const fit = theoryRugFit(rug, 0.05);
    const weights = { ...rugWeights(rug), bias: new Float32Array(128).map((_, i) => -0.1 * (i % 7)) };
    const both = rugFigure(rug, fit, 0.05, { block: 32, trained: { weights, source: 'test' } });
    await checkRendered(both);
    expect((await renderSvg(both.spec)).panels).toHaveLength(4); // W and b of the rug, W and b of the model
  }, 60_000);

  test('log loss axes are labelled 10 with a superscript exponent at each power of ten, and only there', async () => {
    const figure = sweepFigures(syntheticRecords()).find((f) => f.name === 'loss-vs-r')!;
    const { svg } = await renderSvg(figure.spec);
    const labels = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]);
    const decades = labels.filter((t) => /^10[\u207b]?[\u2070\u00b9\u00b2\u00b3\u2074-\u2079]+$/.test(t));
    expect(decades.length).toBeGreaterThan(0);
    // the exponent read back from the superscripts is an integer between -12 and 1 (losses per feature)
    const digits = '\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079';
    for (const label of decades) {
      const e = Number((label.includes('\u207b') ? '-' : '') + [...label.slice(2).replace('\u207b', '')].map((c) => digits.indexOf(c)).join(''));
      expect(Number.isInteger(e) && e >= -12 && e <= 1, label).toBe(true);
    }
    // the r axes: decimals at 1 and 3 times a power of ten, nothing between
    const decimals = labels.filter((t) => /^0\.\d+$|^1$/.test(t)).map(Number);
    expect(decimals.length).toBeGreaterThan(0);
    for (const x of decimals) expect([1, 3], String(x)).toContain(Math.round(x / 10 ** Math.floor(Math.log10(x) + 1e-9)));
    // no e-notation labels (2e-3, 3e-3, ...) anywhere
    expect(labels.filter((t) => /^\d(\.\d+)?e[-+]?\d+$/.test(t))).toEqual([]);
  }, 60_000);

  test('the same spec gives the same PNG bytes twice (fonts from the package, no system fonts)', async () => {
    const [figure] = runFigures(syntheticRun(), syntheticWeights(syntheticRun()));
    const a = await svgToPng((await renderSvg(figure.spec)).svg);
    const b = await svgToPng((await renderSvg(figure.spec)).svg);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    // text alone is drawn: the title's glyphs come from DejaVu Sans in the package
    const text = '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="30"><text x="5" y="22" font-family="DejaVu Sans" font-size="20">Loss</text></svg>';
    const png = decodePng(await svgToPng(text, 1));
    let dark = 0;
    for (let y = 0; y < 30; y++) for (let x = 0; x < 120; x++) if (png.pixel(x, y)[0] < 128) dark++;
    expect(dark).toBeGreaterThan(40);
  }, 60_000);
});
