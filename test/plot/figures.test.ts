// Figures from sweep records: SVG well-formed with the data's labels, PNG decodes with the same layout.
import { beforeAll, describe, expect, it } from 'vitest';
import { expandGrid, gridId } from '../../src/sweep/grid.js';
import { inProcessExecutor, runCell } from '../../src/sweep/run.js';
import type { SweepRecord } from '../../src/sweep/record.js';
import { sweepFigures } from '../../src/plot/figures.js';
import { escapeXml, renderSvg } from '../../src/plot/svg.js';
import { renderPng, renderRaster } from '../../src/plot/raster.js';
import { layoutFigure, type Figure } from '../../src/plot/figure.js';
import { sequentialColour } from '../../src/plot/scale.js';
import { decodePng } from './pngDecode.js';
import { allElements, allText, parseXml } from './xml.js';
import { spec } from '../sweep/fixtures.js';

let records: SweepRecord[];
let figures: Figure[];

beforeAll(async () => {
  const grid = spec({ kinds: ['trained', 'theory', 'linear'], n: [32, 64], ratio: [0.25, 0.5], p: [0.05, 0.2], seeds: [0], train: { steps: 20, batch: 128, evalSamples: 1024 } });
  const id = gridId(grid);
  const executor = inProcessExecutor();
  records = [];
  for (const cell of expandGrid(grid)) records.push(await runCell(cell, grid, id, executor));
  figures = sweepFigures(records, { atP: [0.05], atR: [0.25] });
});

const byName = (name: string) => figures.find((f) => f.name === name)!;

describe('sweepFigures', () => {
  it('makes heat maps of loss and statistics, loss vs r, loss vs p and histograms', () => {
    const names = figures.map((f) => f.name);
    for (const name of ['heatmap-trained-evalLoss', 'heatmap-trained-lossOverTheory', 'heatmap-trained-diagonalDelta', 'heatmap-trained-biasDelta',
      'heatmap-trained-interferenceVarianceDelta', 'heatmap-trained-interferenceMeanDelta', 'heatmap-trained-ksPValueMedian', 'heatmap-trained-lyapunovMax',
      'heatmap-theory-evalLoss', 'loss-vs-r', 'loss-vs-p', 'histograms-p0.05-r0.25']) expect(names).toContain(name);
    expect(new Set(names).size).toBe(names.length);
    const heat = byName('heatmap-trained-evalLoss');
    expect(heat.panels.map((p) => p.title)).toEqual(['n = 32', 'n = 64']);
    const panel = heat.panels[0];
    expect(panel.type === 'heatmap' && panel.x).toEqual([0.05, 0.2]);
    expect(panel.type === 'heatmap' && panel.y).toEqual([0.25, 0.5]);
  });
});

describe('renderSvg', () => {
  it('every figure is well-formed XML with an svg root', () => {
    for (const figure of figures) {
      const root = parseXml(renderSvg(figure));
      expect(root.name).toBe('svg');
      expect(root.attributes.xmlns).toBe('http://www.w3.org/2000/svg');
    }
  });

  it('loss vs r: panel per p, series per kind and n plus L* and the linear model, in the legend', () => {
    const root = parseXml(renderSvg(byName('loss-vs-r')));
    const texts = allText(root);
    for (const label of ['p = 0.05', 'trained n = 32', 'trained n = 64', 'L*(p, r) symmetric optimum', 'linear (1 - r) v', 'r = m / n']) expect(texts).toContain(label);
    const series = allElements(root).filter((e) => e.attributes.class === 'series').map((e) => e.attributes['data-label']);
    expect(series).toEqual(['trained n = 32', 'trained n = 64', 'L*(p, r) symmetric optimum', 'linear (1 - r) v']);
    const paths = allElements(root).filter((e) => e.name === 'path');
    expect(paths.length).toBeGreaterThanOrEqual(4);
  });

  it('heat map: one coloured cell per (p, r) per panel, with its value in a tooltip', () => {
    const root = parseXml(renderSvg(byName('heatmap-trained-evalLoss')));
    const cells = allElements(root).filter((e) => e.name === 'rect' && e.children.some((c) => c.name === 'title'));
    expect(cells).toHaveLength(2 * 2 * 2);
    const r = records.find((x) => x.kind === 'trained' && x.n === 32 && x.p === 0.05 && x.ratio === 0.25)!;
    expect(cells.some((c) => c.children[0].text === `p = 0.05, r = m / n = 0.25: ${r.evalLoss}`)).toBe(true);
  });

  it('escapes markup in labels', () => {
    const figure: Figure = { name: 'x', title: 'a < b & "c"', panels: [{ type: 'line', title: "it's", xLabel: 'x', yLabel: 'y', xLog: false, yLog: false, series: [{ label: '<tag>', points: [[0, 1], [1, 2]], colour: [0, 0, 0], line: true, markers: true }] }] };
    const root = parseXml(renderSvg(figure));
    expect(allText(root)).toEqual(expect.arrayContaining(['a < b & "c"', "it's", '<tag>']));
    expect(escapeXml('<&>')).toBe('&lt;&amp;&gt;');
  });

  it('the XML check itself rejects broken documents', () => {
    for (const bad of ['<a><b></a>', '<a x="1" x="2"/>', '<a>&nope;</a>', '<a x=1/>', '<a/><b/>', '<a>', 'text<a/>']) expect(() => parseXml(bad)).toThrow();
  });
});

describe('renderPng', () => {
  it('decodes (CRCs, zlib) to the layout size; heat map cells carry the colour map', () => {
    const figure = byName('heatmap-trained-evalLoss');
    const png = decodePng(renderPng(figure));
    const layout = layoutFigure(figure);
    expect([png.width, png.height, png.channels]).toEqual([layout.width, layout.height, 4]);
    const plot = layout.panels[0].plot;
    const scale = figure.colourScale!;
    const panel = figure.panels[0];
    if (panel.type !== 'heatmap') throw new Error('expected a heat map');
    const value = panel.values[0][0]!;
    const t = scale.log ? Math.log10(value / scale.min) / Math.log10(scale.max / scale.min) : (value - scale.min) / (scale.max - scale.min);
    const pixel = png.pixel(Math.round(plot.x + plot.w / 4), Math.round(plot.y + (3 * plot.h) / 4));
    expect(pixel.slice(0, 3)).toEqual([...sequentialColour(t)]);
    expect(pixel[3]).toBe(255);
  });

  it('line plots draw ink inside the plot area and text in the title row', () => {
    const figure = byName('loss-vs-r');
    const raster = renderRaster(figure);
    const layout = layoutFigure(figure);
    const ink = (x0: number, y0: number, x1: number, y1: number) => {
      let count = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (raster.data[(y * raster.width + x) * 4] !== 255) count++;
      return count;
    };
    const plot = layout.panels[0].plot;
    expect(ink(plot.x + 2, plot.y + 2, plot.x + plot.w - 2, plot.y + plot.h - 2)).toBeGreaterThan(200);
    expect(ink(0, 8, layout.width, 26)).toBeGreaterThan(100);
    expect(() => decodePng(renderPng(figure))).not.toThrow();
  });
});
