// `persian-rug plot`: the paper's figures from sweep results, or one run's figures from its directory, as SVG, PNG and Vega-Lite JSON.
import { stat } from 'node:fs/promises';
import { makeDirectory } from '../io/outputPath.js';
import { join } from 'node:path';
import { ConfigError } from '../config/schema.js';
import type { SweepRecord } from '../sweep/record.js';
import { loadResults } from '../sweep/resultsFile.js';
import { sweepFigures, type FigureOptions } from '../figures/sweep.js';
import { runFigures, type RunSummary } from '../figures/run.js';
import type { Figure } from '../figures/spec.js';
import { checkFigureDependencies, renderSvg, svgToPng } from '../plot/render.js';
import { readRunSummary, readRunWeights, RUN_RECORD_FILE, writeFileAtomic } from '../io/runRecord.js';
import { EXIT, type CliIo } from './io.js';
import { checkOutput, FORCE_FIELD } from './output.js';
import { parseCommand, usageFailure, usageText, type CommandFlags, type Flags } from './flags.js';
import { stringifyJson } from '../io/json.js';

export const PLOT_FLAGS: CommandFlags = {
  fields: [
    { key: 'out', flag: 'out', kind: 'string', valueName: 'DIR', defaultText: 'RUN_DIR/figures for a run directory; required for results', help: 'output directory (created if missing; files are written atomically)' },
    { key: 'atP', flag: 'at-p', kind: 'axis', min: 0, minExclusive: true, max: 1, defaultText: '0.001,0.01,0.05,0.1,0.4,0.6', help: 'p of the loss-vs-r panels (nearest grid values), a comma list or START:STOP:COUNT' },
    { key: 'atR', flag: 'at-r', kind: 'axis', min: 0, minExclusive: true, max: 1, defaultText: '0.01,0.1,0.3,0.5,0.8', help: 'r of the loss-vs-p panels (same forms); with --at-p or --at-r the histograms are drawn at the pairs (at-p[k], at-r[k])' },
    { key: 'format', flag: 'format', kind: 'enums', choices: ['svg', 'png'], default: 'svg,png', valueName: 'F', help: 'svg, png or svg,png' },
    { key: 'spec', flag: 'spec', kind: 'boolean', help: 'also write NAME.vl.json: the Vega-Lite spec with its data inlined' },
    { key: 'json', flag: 'json', kind: 'boolean', help: 'print the list of files as one JSON object on the last stdout line' },
    { ...FORCE_FIELD, help: 'write into an --out folder that is not empty (figures of the same names are replaced)' },
  ],
  positional: { name: 'RESULTS', min: 1, max: Infinity, missing: 'give at least one results file (persian-rug sweep --out FILE) or a run directory (persian-rug train --out DIR)' },
};

export const PLOT_USAGE = usageText(`usage: persian-rug plot RESULTS... --out DIR [flags]
       persian-rug plot RUN_DIR [--out DIR] [flags]

From sweep results (JSON Lines from persian-rug sweep or merge), the paper's figures (docs/theory.md §6): heat maps
over (p, r), one panel per n side by side on one colour scale, of the loss, loss / L* and the statistics of
docs/theory.md §2 (Δ diag, Δ b, Δ var ν, Δ E ν, KS p-value, Λ, skewness); loss vs r at the paper's p (0.001, 0.01,
0.05, 0.1, 0.4, 0.6) and loss vs p at its r (0.01, 0.1, 0.3, 0.5, 0.8), nearest grid values, with trained
models per n, the Persian rug, L*(p, r) and the best linear model on log axes; histograms of trained W with
the Gaussian of the same mean and variance.
From a run directory (persian-rug train --out DIR): its loss curve against L* and the baselines, the W image
with colour bars, and the histograms of W.
Each figure is written as DIR/NAME.svg and DIR/NAME.png (2x); --spec adds DIR/NAME.vl.json, the Vega-Lite
spec with its data inlined (restyle it and render it with any Vega-Lite tool). Figures need the optional
packages vega, vega-lite, @resvg/resvg-wasm and dejavu-fonts-ttf.`, PLOT_FLAGS);

export interface PlotRequest {
  files: string[];
  out?: string;
  options: FigureOptions;
  formats: ('svg' | 'png')[];
  spec: boolean;
  json: boolean;
  force: boolean;
}

function plotRequest(flags: Flags): PlotRequest {
  const options: FigureOptions = {};
  if (flags.given('atP')) options.atP = flags.list('atP');
  if (flags.given('atR')) options.atR = flags.list('atR');
  return {
    files: [...flags.positional], out: flags.string('out'), options, formats: flags.strings('format') as ('svg' | 'png')[],
    spec: flags.on('spec'), json: flags.on('json'), force: flags.on('force'),
  };
}

/**
 * Reads records from files: a record cut off mid-write at the end is reported and skipped; any other damage
 * throws ConfigError naming the file (see loadResults).
 */
export async function loadRecords(files: readonly string[], io: CliIo, name: string): Promise<SweepRecord[]> {
  const records: SweepRecord[] = [];
  for (const file of files) {
    const parsed = await loadResults(file);
    if (parsed.partialLine !== '') io.stderr(`${name}: ${file} ends in a record cut off mid-write; ignored`);
    records.push(...parsed.records);
  }
  return records;
}

/** Renders every figure into `out` (NAME.svg, NAME.png at 2x, NAME.vl.json with spec); returns the paths written. */
export async function writeFigures(figures: readonly Figure[], out: string, formats: readonly ('svg' | 'png')[], spec = false): Promise<string[]> {
  // no figure, no folder: the output directory is made only when there is something to put in it
  if (figures.length === 0) return [];
  await makeDirectory(out);
  const written: string[] = [];
  for (const figure of figures) {
    if (spec) {
      const path = join(out, `${figure.name}.vl.json`);
      await writeFileAtomic(path, JSON.stringify(figure.spec, null, 1) + '\n');
      written.push(path);
    }
    if (formats.length === 0) continue;
    const { svg } = await renderSvg(figure.spec);
    if (formats.includes('svg')) {
      const path = join(out, `${figure.name}.svg`);
      await writeFileAtomic(path, svg);
      written.push(path);
    }
    if (formats.includes('png')) {
      const path = join(out, `${figure.name}.png`);
      await writeFileAtomic(path, await svgToPng(svg));
      written.push(path);
    }
  }
  return written;
}

/** The run directory's figures, or null when `path` is not a directory holding run.json. */
async function runDirectoryFigures(path: string): Promise<Figure[] | null> {
  const isRun = await stat(join(path, RUN_RECORD_FILE)).then((s) => s.isFile(), () => false);
  if (!isRun) return null;
  const run = await readRunSummary(path);
  const weights = await readRunWeights(path, run);
  const finished = await stat(join(path, RUN_RECORD_FILE)).then((s) => s.mtime.toISOString(), () => undefined);
  const summary: RunSummary = {
    nFeatures: run.nFeatures, nHidden: run.nHidden, p: run.p, perFeatureP: run.perFeatureP, lossHistory: run.lossHistory,
    evalLoss: run.evalLoss, steps: run.steps ?? run.lossHistory.length, batch: run.batch, seed: run.seed, date: finished, source: path,
  };
  return runFigures(summary, weights);
}

export async function runPlot(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parseCommand(io, 'plot', PLOT_FLAGS, PLOT_USAGE, argv);
  if (typeof flags === 'number') return flags;
  const request = plotRequest(flags);
  let figures: Figure[] | null = null;
  let count = 0;
  let out: string;
  try {
    if (request.files.length === 1 && await stat(request.files[0]).then((s) => s.isDirectory(), () => false)) {
      figures = await runDirectoryFigures(request.files[0]);
      if (!figures) throw new ConfigError(`${request.files[0]} is a directory without ${RUN_RECORD_FILE}; give a run directory (persian-rug train --out DIR) or results files`);
    }
    if (request.out === undefined && !figures) throw new ConfigError('--out DIR is required');
    out = request.out ?? join(request.files[0], 'figures');
    // figures are a few hundred kB each; a folder that already holds files is written into only with --force
    await checkOutput({ flag: '--out', path: out, kind: 'directory', bytes: 64 << 20, existing: request.force ? 'allow' : 'empty-ok' });
    if (request.formats.length) await checkFigureDependencies({ png: request.formats.includes('png') });
    if (!figures) {
      const records = await loadRecords(request.files, io, 'plot');
      if (records.length === 0) throw new ConfigError(`no records in ${request.files.join(', ')}`);
      count = records.length;
      figures = sweepFigures(records, request.options);
    }
  } catch (error) {
    return usageFailure(io, 'plot', error);
  }
  const written = await writeFigures(figures, out, request.formats, request.spec);
  if (written.length === 0) {
    io.stderr(`persian-rug plot: no figure can be drawn from ${count ? `the ${count} record(s) in ${request.files.join(', ')}` : request.files[0]} (a figure needs a kind over at least one axis); nothing written`);
    return EXIT.usage;
  }
  const source = count ? `${count} records` : request.files[0];
  if (request.json) io.stdout(stringifyJson({ out, records: count, figures: figures.map((f) => f.name), files: written }));
  else {
    io.stdout(`plot: ${source} -> ${figures.length} figures, ${written.length} files in ${out}`);
    for (const path of written) io.stdout(`  ${path}`);
  }
  return EXIT.ok;
}
