// `persian-rug merge`: join sweep shard files into one, report duplicated cells and cells of the grid no file has.
import { readFile, stat } from 'node:fs/promises';
import { ConfigError } from '../config/schema.js';
import { checkGrid, type GridSpec } from '../sweep/grid.js';
import { mergeRecords, type MergeInput } from '../sweep/merge.js';
import { formatRecord } from '../sweep/record.js';
import { loadResults } from '../sweep/resultsFile.js';
import { writeFileAtomic } from '../io/runRecord.js';
import { FileLockedError, lockFile } from '../io/lock.js';
import { EXIT, type CliIo } from './io.js';
import { checkOutput, FORCE_FIELD } from './output.js';
import { parseCommand, usageFailure, usageText, type CommandFlags } from './flags.js';
import { parseJson, stringifyJson } from '../io/json.js';

export const MERGE_FLAGS: CommandFlags = {
  fields: [
    { key: 'out', flag: 'out', kind: 'string', required: true, valueName: 'FILE', help: 'the merged file (written atomically)' },
    { key: 'grid', flag: 'grid', kind: 'string', valueName: 'FILE', help: 'check against this grid instead of the specs stored in the records' },
    { key: 'strict', flag: 'strict', kind: 'boolean', help: 'exit 1 when a cell is missing or duplicated (for schedulers)' },
    { key: 'json', flag: 'json', kind: 'boolean', help: 'print the report as one JSON object on the last stdout line' },
    { ...FORCE_FIELD, help: 'replace an existing --out file' },
  ],
  positional: { name: 'FILE', min: 1, max: Infinity, missing: 'give at least one results file to merge' },
};

export const MERGE_USAGE = usageText(`usage: persian-rug merge FILE... --out FILE [--grid SPEC.json] [--strict] [--json]

Joins sweep results (JSON Lines, e.g. the files of --shard 1/N .. N/N) into one file with every cell once
(the first copy of a duplicated cell is kept), and reports duplicated cells and cells of the grid that no file has,
and for sharded sweeps which shard (array task) each missing cell belongs to. The grid is the spec stored in the
records, or --grid (a GridSpec, the output of sweep --dry-run --json, or DIR/plan.json of persian-rug slurm).`, MERGE_FLAGS);

const LIST_LIMIT = 10;

export async function runMerge(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parseCommand(io, 'merge', MERGE_FLAGS, MERGE_USAGE, argv);
  if (typeof flags === 'number') return flags;
  let files: string[];
  let out: string;
  try {
    files = [...flags.positional];
    out = flags.string('out')!;
    if (files.includes(out)) throw new ConfigError(`--out ${out} is also an input; write the merge to a new file`);
    // the merged file is at most the inputs together; an existing file is replaced only with --force
    let bytes = 0;
    for (const file of files) bytes += await stat(file).then((s) => (s.isFile() ? s.size : 0), () => 0);
    await checkOutput({ flag: '--out', path: out, kind: 'file', bytes, existing: flags.on('force') ? 'allow' : 'refuse' });
  } catch (error) {
    return usageFailure(io, 'merge', error);
  }
  let grids: GridSpec[] | undefined;
  let shards: number | undefined;
  const path = flags.string('grid');
  if (path !== undefined) {
    try {
      const parsed = parseJson(await readFile(path, 'utf8')) as { grid?: unknown; shards?: unknown; shard?: { count?: unknown } };
      const spec = (parsed.grid ?? parsed) as GridSpec;
      checkGrid(spec);
      grids = [spec];
      // a plan written by `persian-rug slurm` (or sweep --dry-run --json --shard i/N) also gives the shard count
      const count = parsed.shards ?? parsed.shard?.count;
      if (typeof count === 'number' && Number.isInteger(count) && count >= 1) shards = count;
    } catch (error) {
      io.stderr(`persian-rug merge: --grid ${path} is not a grid spec (${(error as Error).message.replace(/\s+/g, ' ').slice(0, 200)})`);
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
    for (const t of parsed.torn) io.stderr(`merge: ${file} line ${t.line} is torn: a record${t.lostKey ? ` of ${t.lostKey}` : ''} cut off mid-write, then the record of ${t.recoveredKey}; the cut-off one is ignored`);
    inputs.push({ source: file, records: parsed.records });
  }
  const report = mergeRecords(inputs, grids, shards);
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
  if (flags.on('json')) {
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
      for (const s of g.shards?.byShard ?? []) {
        if (s.missing) io.stdout(`  shard ${s.index}/${g.shards!.count} (array task ${s.index}): ${s.missing} of its ${s.expected} cells missing; rerun it with sweep --shard ${s.index}/${g.shards!.count} --resume`);
      }
    }
  }
  return flags.on('strict') && (missing > 0 || report.duplicates.length > 0) ? EXIT.failure : EXIT.ok;
}
