// `persian-rug merge`: join sweep shard files into one, report duplicated cells and cells of the grid no file has.
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { ConfigError } from '../train/config.js';
import { checkGrid, type GridSpec } from '../sweep/grid.js';
import { mergeRecords, type MergeInput } from '../sweep/merge.js';
import { formatRecord } from '../sweep/record.js';
import { loadResults } from '../sweep/resultsFile.js';
import { writeFileAtomic } from '../io/runRecord.js';
import { FileLockedError, lockFile } from '../io/lock.js';
import { EXIT, type CliIo } from './io.js';
import { parseJson, stringifyJson } from '../io/json.js';

export const MERGE_USAGE = `usage: persian-rug merge FILE... --out FILE [--grid SPEC.json] [--strict] [--json]

Joins sweep results (JSON Lines, e.g. the files of --shard 0/N .. N-1/N) into one file with every cell once
(the first copy of a duplicated cell is kept), and reports duplicated cells and cells of the grid that no file has.
The grid is the spec stored in the records, or --grid (a GridSpec, or the output of sweep --dry-run --json).

flags:
  --out FILE        the merged file (written atomically)
  --grid FILE       check against this grid instead of the specs stored in the records
  --strict          exit 1 when a cell is missing or duplicated (for schedulers)
  --json            print the report as one JSON object on the last stdout line
  --help            this text`;

const LIST_LIMIT = 10;

export async function runMerge(argv: readonly string[], io: CliIo): Promise<number> {
  const files: string[] = [];
  const values = new Map<string, string>();
  const switches = new Set<string>();
  try {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i];
      if (!arg.startsWith('--')) { files.push(arg); continue; }
      const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
      if (['strict', 'json', 'help'].includes(name)) {
        if (inline !== undefined) throw new ConfigError(`--${name}=${inline}: a switch takes no value`);
        switches.add(name);
        continue;
      }
      if (name !== 'out' && name !== 'grid') throw new ConfigError(`unknown flag --${name}; flags are --out, --grid, --strict, --json, --help`);
      const value = inline ?? argv[++i];
      if (value === undefined || value.trim() === '') throw new ConfigError(`--${name} needs a file name`);
      if (values.has(name)) throw new ConfigError(`--${name} is given twice`);
      values.set(name, value);
    }
    if (switches.has('help')) { io.stdout(MERGE_USAGE); return EXIT.ok; }
    if (files.length === 0) throw new ConfigError('give at least one results file to merge');
    if (!values.has('out')) throw new ConfigError('--out FILE is required');
    if (files.includes(values.get('out')!)) throw new ConfigError(`--out ${values.get('out')} is also an input; write the merge to a new file`);
    const out = values.get('out')!;
    if (await stat(out).then((s) => s.isDirectory(), () => false)) throw new ConfigError(`--out ${out} is a directory; --out takes the merged file`);
    if (!(await stat(dirname(out)).then((s) => s.isDirectory(), () => false))) throw new ConfigError(`--out ${out}: directory ${dirname(out)} does not exist`);
  } catch (error) {
    if (error instanceof ConfigError) { io.stderr(`persian-rug merge: ${error.message}`); return EXIT.usage; }
    throw error;
  }
  let grids: GridSpec[] | undefined;
  if (values.has('grid')) {
    const path = values.get('grid')!;
    try {
      const parsed = parseJson(await readFile(path, 'utf8')) as { grid?: unknown };
      const spec = (parsed.grid ?? parsed) as GridSpec;
      checkGrid(spec);
      grids = [spec];
    } catch (error) {
      io.stderr(`persian-rug merge: --grid ${path} is not a grid spec (${(error as Error).message})`);
      return EXIT.usage;
    }
  }
  const inputs: MergeInput[] = [];
  for (const file of files) {
    let parsed;
    try {
      parsed = await loadResults(file);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.stderr(`persian-rug merge: ${error.message}`);
      return EXIT.usage;
    }
    if (parsed.partialLine !== '') io.stderr(`merge: ${file} ends in a record cut off mid-write (${parsed.partialLine.length} characters); ignored`);
    inputs.push({ source: file, records: parsed.records });
  }
  const report = mergeRecords(inputs, grids);
  const out = values.get('out')!;
  let lock;
  try {
    lock = await lockFile(out, 'persian-rug merge');
  } catch (error) {
    if (!(error instanceof FileLockedError)) throw error;
    io.stderr(`persian-rug merge: --out ${error.message}`);
    return EXIT.usage;
  }
  for (const note of lock.notes) io.stderr(`merge: ${note}`);
  try {
    await writeFileAtomic(out, report.records.map(formatRecord).join(''));
  } finally {
    await lock.release();
  }
  const missing = report.grids.reduce((t, g) => t + g.missing.length, 0);
  if (switches.has('json')) {
    io.stdout(stringifyJson({ out, files, records: report.records.length, duplicates: report.duplicates, grids: report.grids }));
  } else {
    io.stdout(`merge: ${report.records.length} cells from ${files.length} file(s) -> ${out}`);
    if (report.duplicates.length) {
      io.stdout(`  ${report.duplicates.length} duplicated cell(s) (first copy kept):`);
      for (const d of report.duplicates.slice(0, LIST_LIMIT)) io.stdout(`    ${d.key} in ${d.sources.join(', ')}`);
      if (report.duplicates.length > LIST_LIMIT) io.stdout(`    ... and ${report.duplicates.length - LIST_LIMIT} more`);
    } else io.stdout('  no duplicated cells');
    for (const g of report.grids) {
      io.stdout(`  grid ${g.gridId}: ${g.expected - g.missing.length}/${g.expected} cells present${g.missing.length ? `, ${g.missing.length} missing:` : ', complete'}`);
      for (const key of g.missing.slice(0, LIST_LIMIT)) io.stdout(`    ${key}`);
      if (g.missing.length > LIST_LIMIT) io.stdout(`    ... and ${g.missing.length - LIST_LIMIT} more`);
    }
  }
  return switches.has('strict') && (missing > 0 || report.duplicates.length > 0) ? EXIT.failure : EXIT.ok;
}
