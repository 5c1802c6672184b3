// `persian-rug plot` through runPlot: SVG, PNG and Vega-Lite JSON from a results file or a run directory; bad input exit 2.
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../helpers.js';
import { describe, expect, it } from 'vitest';
import { runPlot } from '../../src/cli/plot.js';
import { runSweep } from '../../src/cli/sweep.js';
import { runTrain } from '../../src/cli/train.js';
import { sweepFigures } from '../../src/figures/index.js';
import { loadResults } from '../../src/sweep/resultsFile.js';
import { decodePng } from '../plot/pngDecode.js';
import { parseXml } from '../plot/xml.js';

const run = runCommand;

describe('persian-rug plot', () => {
  it('writes every figure as SVG and PNG', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plot-'));
    const results = join(dir, 'r.jsonl');
    expect((await run(runSweep, '--kind', 'theory,linear', '--n', '32,64', '--r', '0.1:0.5:3', '--p', '0.01,0.1', '--out', results, '--workers', '0')).code).toBe(0);
    const out = join(dir, 'figures');
    const { code, stdout } = await run(runPlot, results, '--out', out, '--json', '--spec');
    expect(code).toBe(0);
    const report = JSON.parse(stdout[stdout.length - 1]);
    const files = (await readdir(out)).sort();
    expect(files).toEqual(expect.arrayContaining(['heatmap-theory-evalLoss.svg', 'heatmap-theory-evalLoss.png', 'heatmap-theory-evalLoss.vl.json', 'loss-vs-r.svg', 'loss-vs-p.png']));
    expect(report.files).toHaveLength(files.length);
    expect(files.filter((f) => f.endsWith('.png'))).toHaveLength(report.figures.length);
    for (const f of files) {
      if (f.endsWith('.svg')) parseXml(await readFile(join(out, f), 'utf8'));
      else if (f.endsWith('.png')) expect(decodePng(new Uint8Array(await readFile(join(out, f)))).width).toBeGreaterThan(400);
    }
    // --spec: the JSON written is the figure made from the records, data inlined
    const expected = sweepFigures((await loadResults(results)).records).find((f) => f.name === 'loss-vs-p')!;
    expect(JSON.parse(await readFile(join(out, 'loss-vs-p.vl.json'), 'utf8'))).toEqual(JSON.parse(JSON.stringify(expected.spec)));
  }, 60_000);

  it('RUN_DIR: the loss curve, the W image and the histograms of one run, into RUN_DIR/figures', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plot-run-'));
    const runDir = join(dir, 'run');
    expect((await run(runTrain, '--n', '64', '--m', '16', '--p', '0.05', '--steps', '120', '--batch', '64', '--eval-samples', '512', '--out', runDir)).code).toBe(0);
    const { code, stdout } = await run(runPlot, runDir, '--json', '--spec');
    expect(code).toBe(0);
    const report = JSON.parse(stdout.at(-1)!);
    expect(report.figures).toEqual(['run-loss', 'run-w', 'run-histograms']);
    const record = JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8'));
    const spec = JSON.parse(await readFile(join(runDir, 'figures', 'run-loss.vl.json'), 'utf8'));
    const curve = spec.data.values.filter((v: { series: string }) => v.series === 'train loss (window mean)');
    expect(curve).toHaveLength(120);
    curve.forEach((v: { step: number; loss: number }, k: number) => expect(v).toMatchObject({ step: k + 1, loss: record.lossHistory[k] }));
    expect(spec.data.values.some((v: { series: string; loss: number }) => v.series.startsWith('eval loss') && v.loss === record.evalLoss)).toBe(true);
    for (const name of report.figures) expect(decodePng(new Uint8Array(await readFile(join(runDir, 'figures', `${name}.png`)))).width).toBeGreaterThan(400);
  }, 60_000);

  it('exit 2 with one line on bad input', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plot-'));
    for (const argv of [['--out', dir], [join(dir, 'missing.jsonl'), '--out', dir], ['x.jsonl', '--out', dir, '--format', 'gif'], ['x.jsonl', '--out', dir, '--at-p', '2'], [dir], ['x.jsonl']]) {
      const { code, stderr } = await run(runPlot, ...argv);
      expect(code).toBe(2);
      expect(stderr).toHaveLength(1);
      expect(stderr[0]).toMatch(/^persian-rug plot: /);
    }
  });
});
