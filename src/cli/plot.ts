// `persian-rug plot`: the paper's figures (docs/theory.md §6) from sweep results, as SVG and PNG files in a directory.
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../config/schema.js';
import type { SweepRecord } from '../sweep/record.js';
import { loadResults } from '../sweep/resultsFile.js';
import { sweepFigures, type FigureOptions } from '../plot/figures.js';
import { renderSvg } from '../plot/svg.js';
import { renderPng } from '../plot/raster.js';
import { writeFileAtomic } from '../io/runRecord.js';
import { EXIT, type CliIo } from './io.js';
import { parseFlags, usageFailure, usageText, type CommandFlags } from './flags.js';
import { stringifyJson } from '../io/json.js';

export const PLOT_FLAGS: CommandFlags = {
  fields: [
    { key: 'out', flag: 'out', kind: 'string', required: true, valueName: 'DIR', help: 'output directory (created if missing; files are written atomically)' },
    { key: 'atP', flag: 'at-p', kind: 'axis', min: 0, minExclusive: true, max: 1, defaultText: 'up to 3 spread over the grid', help: 'p of the loss-vs-r panels (nearest grid values), a comma list or START:STOP:COUNT' },
    { key: 'atR', flag: 'at-r', kind: 'axis', min: 0, minExclusive: true, max: 1, defaultText: 'up to 3', help: 'r of the loss-vs-p panels and histograms (same forms)' },
    { key: 'format', flag: 'format', kind: 'enums', choices: ['svg', 'png'], default: 'svg,png', valueName: 'F', help: 'svg, png or svg,png' },
    { key: 'json', flag: 'json', kind: 'boolean', help: 'print the list of files as one JSON object on the last stdout line' },
  ],
  positional: { name: 'RESULTS', min: 1, max: Infinity, missing: 'give at least one results file (persian-rug sweep --out FILE)' },
};

export const PLOT_USAGE = usageText(`usage: persian-rug plot RESULTS... --out DIR [flags]

Draws the paper's figures (docs/theory.md §6) from sweep results (JSON Lines from persian-rug sweep or merge):
heat maps over (p, r), one panel per n, of the loss, loss / L* and every statistic of docs/theory.md §2;
loss vs r at fixed p and loss vs p at fixed r (trained models per n, the rug, L*(p, r), the best linear
model); histograms of the diagonal and off-diagonal entries of trained W. Each figure is written as
DIR/NAME.svg and DIR/NAME.png.`, PLOT_FLAGS);

export interface PlotRequest {
  files: string[];
  out: string;
  options: FigureOptions;
  formats: ('svg' | 'png')[];
  json: boolean;
}

function parsePlotFlags(argv: readonly string[]): PlotRequest | 'help' {
  const flags = parseFlags(PLOT_FLAGS, argv);
  if (flags.help) return 'help';
  const options: FigureOptions = {};
  if (flags.given('atP')) options.atP = flags.list('atP');
  if (flags.given('atR')) options.atR = flags.list('atR');
  return { files: [...flags.positional], out: flags.string('out')!, options, formats: flags.strings('format') as ('svg' | 'png')[], json: flags.on('json') };
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

/** Draws every figure of `records` into `out`; returns the paths written. */
export async function writeFigures(records: readonly SweepRecord[], out: string, options: FigureOptions, formats: readonly ('svg' | 'png')[]): Promise<string[]> {
  const figures = sweepFigures(records, options);
  // no figure, no folder: the output directory is made only when there is something to put in it
  if (figures.length === 0) return [];
  await mkdir(out, { recursive: true });
  const written: string[] = [];
  for (const figure of figures) {
    if (formats.includes('svg')) {
      const path = join(out, `${figure.name}.svg`);
      await writeFileAtomic(path, renderSvg(figure));
      written.push(path);
    }
    if (formats.includes('png')) {
      const path = join(out, `${figure.name}.png`);
      await writeFileAtomic(path, renderPng(figure));
      written.push(path);
    }
  }
  return written;
}

export async function runPlot(argv: readonly string[], io: CliIo): Promise<number> {
  let request: PlotRequest | 'help';
  try {
    request = parsePlotFlags(argv);
    if (request === 'help') { io.stdout(PLOT_USAGE); return EXIT.ok; }
    if (await stat(request.out).then((s) => !s.isDirectory(), () => false)) throw new ConfigError(`--out ${request.out} is a file; --out takes a directory (created if missing)`);
  } catch (error) {
    return usageFailure(io, 'plot', error);
  }
  let records: SweepRecord[];
  try {
    records = await loadRecords(request.files, io, 'plot');
  } catch (error) {
    return usageFailure(io, 'plot', error);
  }
  if (records.length === 0) {
    io.stderr(`persian-rug plot: no records in ${request.files.join(', ')}`);
    return EXIT.usage;
  }
  const written = await writeFigures(records, request.out, request.options, request.formats);
  if (written.length === 0) {
    io.stderr(`persian-rug plot: no figure can be drawn from the ${records.length} record(s) in ${request.files.join(', ')} (a figure needs a kind over at least one axis); nothing written`);
    return EXIT.usage;
  }
  if (request.json) io.stdout(stringifyJson({ out: request.out, records: records.length, files: written }));
  else {
    io.stdout(`plot: ${records.length} records -> ${written.length} files in ${request.out}`);
    for (const path of written) io.stdout(`  ${path}`);
  }
  return EXIT.ok;
}
