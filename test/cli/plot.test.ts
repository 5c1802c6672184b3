// `persian-rug plot` through runPlot: SVG and PNG files from a results file; bad input exit 2.
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCommand } from '../helpers.js';
import { describe, expect, it } from 'vitest';
import { runPlot } from '../../src/cli/plot.js';
import { runSweep } from '../../src/cli/sweep.js';
import { decodePng } from '../plot/pngDecode.js';
import { parseXml } from '../plot/xml.js';

const run = runCommand;

describe('persian-rug plot', () => {
  it('writes every figure as SVG and PNG', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plot-'));
    const results = join(dir, 'r.jsonl');
    expect((await run(runSweep, '--kind', 'theory,linear', '--n', '32,64', '--r', '0.1:0.5:3', '--p', '0.01,0.1', '--out', results, '--workers', '0')).code).toBe(0);
    const out = join(dir, 'figures');
    const { code, stdout } = await run(runPlot, results, '--out', out, '--json');
    expect(code).toBe(0);
    const report = JSON.parse(stdout[stdout.length - 1]);
    const files = (await readdir(out)).sort();
    expect(files).toEqual(expect.arrayContaining(['heatmap-theory-evalLoss.svg', 'heatmap-theory-evalLoss.png', 'loss-vs-r.svg', 'loss-vs-p.png']));
    expect(report.files).toHaveLength(files.length);
    for (const f of files) {
      if (f.endsWith('.svg')) parseXml(await readFile(join(out, f), 'utf8'));
      else expect(decodePng(new Uint8Array(await readFile(join(out, f)))).width).toBeGreaterThan(100);
    }
  });

  it('exit 2 with one line on bad input', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'plot-'));
    for (const argv of [['--out', dir], [join(dir, 'missing.jsonl'), '--out', dir], ['x.jsonl', '--out', dir, '--format', 'gif'], ['x.jsonl', '--out', dir, '--at-p', '2']]) {
      const { code, stderr } = await run(runPlot, ...argv);
      expect(code).toBe(2);
      expect(stderr).toHaveLength(1);
      expect(stderr[0]).toMatch(/^persian-rug plot: /);
    }
  });
});
