// `persian-rug sweep`: a grid over kind x n x (r | m) x p x seed -> one JSON line per cell; --resume, --shard i/N | auto.
import { stat, truncate } from 'node:fs/promises';
import { DEFAULT_STEPS, MAX_FEATURES, resolveTrainConfig, TRAIN_SCHEMA } from '../train/config.js';
import { ConfigError } from '../config/schema.js';
import { checkModelMemory } from '../train/trainer.js';
import {
  expandGrid, gridId, SWEEP_KINDS, type Cell, type GridSpec, type SweepKind,
} from '../sweep/grid.js';
import { assignShards, MAX_SHARDS, parseShard, shardFromEnvironment, SHARD_COUNT_ENV, type Shard } from '../sweep/shard.js';
import { formatDuration, planSeconds } from '../sweep/cost.js';
import { cellTrainConfig, inProcessExecutor, runCells, workerPoolExecutor, type TrainExecutor } from '../sweep/run.js';
import { SweepProgress } from '../sweep/progress.js';
import { duplicatedKeys } from '../sweep/record.js';
import { fileExists, loadResults, ResultsWriter, truncatePartialLine } from '../sweep/resultsFile.js';
import { FileLockedError, lockFile, type FileLock } from '../io/lock.js';
import { EXIT, type CliIo } from './io.js';
import { hardwareConcurrency } from '../host/cores.js';
import { checkOutput, FORCE_FIELD } from './output.js';
import { parseCommand, parseFlags, trainField, usageFailure, usageText, type CommandFlags, type Flags } from './flags.js';
import { stringifyJson } from '../io/json.js';

const refuse = (message: string) => (): never => { throw new ConfigError(message); };

const GRID_LEVEL: ReadonlySet<string> = new Set(['nFeatures', 'nHidden', 'featureProbability', 'ratio', 'importance', 'seed']);

export const SWEEP_FLAGS: CommandFlags = {
  fields: [
    { key: 'kind', flag: 'kind', kind: 'enums', choices: SWEEP_KINDS, default: 'trained', valueName: 'KINDS', help: 'comma list of trained (Adam on the toy model), rug (the Persian rug, n a power of two), theory (L*(p, r), docs/theory.md §4), linear ((1 - r) v)' },
    { key: 'nFeatures', flag: 'n', kind: 'axis', integer: true, min: 1, max: MAX_FEATURES, defaultText: '512', valueName: 'LIST', help: `numbers of features, integers in [1, ${MAX_FEATURES}]` },
    { key: 'ratio', flag: 'r', kind: 'axis', min: 0, minExclusive: true, max: 1, help: 'ratios m / n in (0, 1], e.g. 0.002001:0.8:20 (the paper\'s grid)' },
    { key: 'nHidden', flag: 'm', kind: 'axis', integer: true, min: 1, max: MAX_FEATURES, valueName: 'LIST', help: 'hidden widths instead of --r, integers in [1, min n]' },
    { key: 'featureProbability', flag: 'p', kind: 'axis', min: 0, minExclusive: true, max: 1, required: true, help: 'feature probabilities in (0, 1], e.g. 0.002001:0.8:20' },
    { key: 'seeds', flag: 'seeds', kind: 'int', min: 1, max: 1000, default: 1, valueName: 'K', help: 'seeds --seed .. --seed + K - 1 for trained and rug cells' },
    { key: 'out', flag: 'out', kind: 'string', valueName: 'FILE', help: 'the results file (JSON Lines); it must not exist unless --resume. One sweep writes it at a time: FILE.lock names the writer (host, pid, start); a second writer exits 2 naming it' },
    { key: 'resume', flag: 'resume', kind: 'boolean', help: 'skip the cells FILE already has (a cut-off last line is reported and removed)' },
    { ...FORCE_FIELD, help: 'start over: an existing FILE is emptied (under its lock) and every cell runs' },
    { key: 'shard', flag: 'shard', kind: 'string', valueName: 'i/N|auto', parse: (text) => parseShard(text), help: 'run only shard i of N, i in [1, N] (as vitest, jest and playwright count). Cells go to shards by predicted cost (the cost model; longest first to the least-loaded shard), the same on every host, so shard times are even; every cell is in exactly one shard. auto: i/N from the scheduler, a Slurm job array (SLURM_ARRAY_TASK_ID, _MIN, _MAX) or a Kubernetes Indexed Job (JOB_COMPLETION_INDEX and --shard-count or ' + SHARD_COUNT_ENV + ')' },
    { key: 'shardCount', flag: 'shard-count', kind: 'int', min: 1, max: MAX_SHARDS, valueName: 'N', help: 'with --shard auto: the number of shards; in a Kubernetes Indexed Job its completions, in a Slurm array the task ids 1..N are the shards (so a resubmitted task keeps its shard)' },
    { key: 'workers', flag: 'workers', kind: 'int', min: 0, max: 256, valueName: 'K', defaultText: 'one per core', help: 'trained cells on K worker threads; 0: in this thread' },
    { key: 'rugFit', flag: 'rug-fit', kind: 'enum', choices: ['theory', 'adam'], default: 'theory', help: 'rug cells: theory (A, mu from L*, no training) or adam (the paper\'s recipe)' },
    { key: 'rugSamples', flag: 'rug-samples', kind: 'int', min: 2, max: 1e8, default: 20000, valueName: 'K', help: 'rug cells: Monte-Carlo samples of the loss' },
    { key: 'rugEpochs', flag: 'rug-epochs', kind: 'int', min: 1, max: 10000, default: 10, valueName: 'E', help: 'rug cells with adam: epochs' },
    { key: 'rugRowSets', flag: 'rug-row-sets', kind: 'int', min: 1, max: 100, default: 5, valueName: 'K', help: 'rug cells with adam: best of K row sets' },
    { key: 'statRows', flag: 'stat-rows', kind: 'int', min: 1, max: 65536, default: 16, valueName: 'K', help: 'trained cells: rows of W whose interference is KS-tested and histogrammed' },
    { key: 'statSamples', flag: 'stat-samples', kind: 'int', min: 2, max: 1e6, default: 1000, valueName: 'K', help: 'trained cells: data samples per tested row' },
    { key: 'dryRun', flag: 'dry-run', kind: 'boolean', help: 'print the plan (cells, estimated time) and the grid, run nothing' },
    { key: 'json', flag: 'json', kind: 'boolean', help: 'print a summary object as the last stdout line (with --dry-run: the plan and grid spec)' },
    trainField('seed'),
    // shared by every trained cell; --ratio and --importance are refused with a reason (they are per grid / per n)
    ...TRAIN_SCHEMA.filter((f) => !GRID_LEVEL.has(f.key)),
    { key: 'refusedRatio', flag: 'ratio', kind: 'string', parse: refuse('--ratio: a sweep takes ratios as --r VALUES'), help: 'refused: a sweep takes ratios as --r VALUES' },
    { key: 'refusedImportance', flag: 'importance', kind: 'string', parse: refuse('--importance is per feature and cannot be shared across the grid\'s n'), help: 'refused: importance is per feature' },
  ],
  exclusive: [['ratio', 'nHidden']],
};

export const SWEEP_USAGE = usageText(`usage: persian-rug sweep --kind KINDS --n LIST (--r VALUES | --m LIST) --p VALUES --out FILE [flags]

Runs every cell of kind x n x (r or m) x p x seed and appends one JSON line per finished cell to FILE: key,
config, seed, trainLoss, evalLoss, L*(p, m / n) with its optimum, the baselines (zero, constant, linear),
for trained cells the statistics of docs/theory.md §2 and histograms of W's entries, and timings.
m = max(1, floor(n r)) as in the paper's grid. VALUES are START:STOP:COUNT (inclusive linspace) or a comma list.
The flags from --steps on are those of persian-rug train, shared by every trained cell.`, SWEEP_FLAGS);

export interface SweepPlan {
  spec: GridSpec;
  out: string;
  resume: boolean;
  /** 1 <= index <= count; count 1: the whole grid. */
  shard: Shard;
  /** Worker threads for trained cells; 0: in-process. undefined: one per core. */
  workers: number | undefined;
  dryRun: boolean;
  json: boolean;
  /** Empty an existing results file first (--force); without it or --resume an existing file is refused. */
  force?: boolean;
}

/** Parses sweep flags into a plan (also each Slurm task's command line); throws ConfigError on bad input (nothing is run or written). */
export function parseSweepFlags(argv: readonly string[], env: Record<string, string | undefined> = {}): SweepPlan {
  return sweepPlan(parseFlags(SWEEP_FLAGS, argv), env);
}

/** The plan of parsed sweep flags, checked against each other; throws ConfigError. */
function sweepPlan(flags: Flags, env: Record<string, string | undefined>): SweepPlan {
  if (!flags.given('ratio') && !flags.given('nHidden')) throw new ConfigError('--r VALUES or --m LIST is required (see --help)');
  const out = flags.string('out');
  const dryRun = flags.on('dryRun');
  if (!dryRun && out === undefined) throw new ConfigError('--out FILE is required (the JSON Lines results file)');
  const n = flags.list('nFeatures') ?? [512];
  const firstSeed = flags.number('seed')!;
  const seedCount = flags.number('seeds')!;
  if (firstSeed + seedCount - 1 > 4294967295) throw new ConfigError(`seed (--seed) = ${firstSeed} with seeds (--seeds) = ${seedCount} passes the largest seed 4294967295`);
  const { seed: _seed, ...train } = flags.trainConfig();
  if (train.steps === undefined && train.epochs === undefined) train.steps = DEFAULT_STEPS;
  const spec: GridSpec = {
    kinds: flags.strings('kind') as SweepKind[],
    n,
    ...(flags.given('ratio') ? { ratio: flags.list('ratio')! } : { m: flags.list('nHidden')! }),
    p: flags.list('featureProbability')!,
    seeds: Array.from({ length: seedCount }, (_, k) => firstSeed + k),
    train,
    rug: {
      fit: flags.string('rugFit') as 'theory' | 'adam',
      samples: flags.number('rugSamples')!,
      epochs: flags.number('rugEpochs')!,
      rowSets: flags.number('rugRowSets')!,
    },
    statistics: {
      sampleRows: flags.number('statRows')!,
      samplesPerRow: flags.number('statSamples')!,
      maxRankHidden: 128,
    },
  };
  // the shared training flags are checked even when no cell trains (a bad value is an error, not silently unused)
  resolveTrainConfig({ ...train, nFeatures: n[0], nHidden: 1, featureProbability: spec.p[0], seed: firstSeed });
  const cells = expandGrid(spec);
  // every distinct trained (n, m) must make a valid TrainConfig that fits in memory (checked before anything runs)
  const checked = new Set<string>();
  for (const cell of cells) {
    if (cell.kind !== 'trained' || checked.has(`${cell.n}/${cell.m}`)) continue;
    checked.add(`${cell.n}/${cell.m}`);
    checkModelMemory(resolveTrainConfig(cellTrainConfig(cell, spec)));
  }
  const shard = flags.values.shard as Shard | 'auto' | undefined;
  const shardCount = flags.number('shardCount');
  if (shardCount !== undefined && shard !== 'auto') throw new ConfigError(`--shard-count ${shardCount} goes with --shard auto (a Slurm array or a Kubernetes Indexed Job)`);
  return {
    spec, out: out ?? '', resume: flags.on('resume'), force: flags.on('force'), dryRun, json: flags.on('json'),
    shard: shard === 'auto' ? shardFromEnvironment(env, shardCount) : shard ?? { index: 1, count: 1 },
    workers: flags.number('workers'),
  };
}

/** "predicted per shard on one core: 3 min 20 s (this one, 14 cells); all 4: 3 min 18 s .. 3 min 21 s". */
function describeShards(seconds: readonly number[], cells: readonly number[], index: number): string {
  const lo = Math.min(...seconds), hi = Math.max(...seconds);
  const list = seconds.length <= 8 ? seconds.map((s, i) => `${i + 1}: ${formatDuration(s)}`).join(', ') : `${formatDuration(lo)} .. ${formatDuration(hi)}`;
  return `shard ${index}/${seconds.length}: ${cells[index - 1]} cells, predicted ${formatDuration(seconds[index - 1])} on one core; all shards (cost-balanced): ${list}`;
}

/** Human-readable one-line description of a grid. */
export function describeGrid(spec: GridSpec): string {
  const axis = (values: readonly number[]) => (values.length <= 4 ? values.join(',') : `${values.length} values ${values[0]} .. ${values[values.length - 1]}`);
  const widths = spec.ratio ? `r: ${axis(spec.ratio)}` : `m: ${axis(spec.m!)}`;
  return `kinds ${spec.kinds.join(',')}; n: ${spec.n.join(',')}; ${widths}; p: ${axis(spec.p)}; seeds ${spec.seeds.length}`;
}

export interface SweepOutcome {
  written: number;
  skipped: number;
  failed: number;
  seconds: number;
}

/** Runs a parsed plan (also used by `reproduce`). Returns null when it failed with a usage error already reported. */
export async function executeSweep(plan: SweepPlan, io: CliIo, name = 'sweep', scale = 1): Promise<SweepOutcome | null> {
  let lock: FileLock | undefined;
  if (!plan.dryRun) {
    try {
      // a record is a few kB (trained cells with statistics and histograms up to ~8 kB)
      await checkOutput({ flag: '--out', path: plan.out, kind: 'file', bytes: expandGrid(plan.spec).length * 8192, existing: 'allow' });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.stderr(`persian-rug ${name}: ${error.message}`);
      return null;
    }
    try {
      lock = await lockFile(plan.out, `persian-rug ${name}`);
    } catch (error) {
      if (!(error instanceof FileLockedError)) throw error;
      io.stderr(`persian-rug ${name}: --out ${error.message}`);
      return null;
    }
    for (const note of lock.notes) io.stderr(`${name}: ${note}`);
  }
  try {
    return await executeLocked(plan, io, name, scale);
  } finally {
    await lock?.release();
  }
}

async function executeLocked(plan: SweepPlan, io: CliIo, name: string, scale: number): Promise<SweepOutcome | null> {
  const exists = plan.out !== '' && await fileExists(plan.out); // again: under the lock
  const all = expandGrid(plan.spec);
  const { index, count } = plan.shard;
  const assignment = count > 1 ? assignShards(all, plan.spec, count) : undefined;
  const mine = assignment ? all.filter((c) => assignment.shardOf.get(c.key) === index) : all;
  if (plan.shard.source) io.stderr(`${name}: --shard auto: ${plan.shard.source} -> shard ${index}/${count}`);
  if (assignment) io.stderr(`${name}: ${describeShards(assignment.seconds, assignment.cells, index)}`);
  const id = gridId(plan.spec);
  let skippedKeys = new Set<string>();
  if (!plan.dryRun && exists && !plan.resume && (await stat(plan.out)).size > 0) {
    if (!plan.force) {
      io.stderr(`persian-rug ${name}: --out ${plan.out} already exists; add --resume to continue it, --force to start it over, or choose another file`);
      return null;
    }
    await truncate(plan.out, 0);
  }
  if (exists && plan.resume) {
    let parsed;
    try {
      parsed = await loadResults(plan.out);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.stderr(`persian-rug ${name}: ${error.message}`);
      return null;
    }
    if (parsed.partialLine !== '') {
      io.stderr(`${name}: ${plan.out} ends in a partial line (${parsed.partialLine.length} characters, a run cut off mid-write); it is ${plan.dryRun ? 'ignored' : 'removed'} and its cell rerun`);
      if (!plan.dryRun) await truncatePartialLine(plan.out);
    }
    for (const t of parsed.torn) {
      io.stderr(`${name}: ${plan.out} line ${t.line} is torn: a record${t.lostKey ? ` of ${t.lostKey}` : ''} cut off mid-write with the record of ${t.recoveredKey} appended after it; the cut-off cell is rerun, the appended record kept`);
    }
    const duplicated = duplicatedKeys(parsed.records);
    if (duplicated.size) {
      const [key, copies] = [...duplicated][0];
      io.stderr(`${name}: ${plan.out} has ${duplicated.size} cell(s) more than once (e.g. ${key}, ${copies} times: written by two sweeps at once, or files joined by hand); they are not run again, and merge keeps the first copy`);
    }
    const otherGrids = new Set(parsed.records.filter((r) => r.gridId !== id).map((r) => r.gridId));
    if (otherGrids.size) io.stderr(`${name}: note: ${plan.out} has records of ${otherGrids.size} other grid spec(s) (different flags); cells with equal keys are still skipped`);
    skippedKeys = new Set(parsed.records.map((r) => r.key));
  }
  const todo = mine.filter((c) => !skippedKeys.has(c.key));
  const skipped = mine.length - todo.length;
  const trainedCount = todo.filter((c) => c.kind === 'trained').length;
  const workers = trainedCount === 0 ? 0 : plan.workers ?? (await hardwareConcurrency());
  const estimate = planSeconds(todo, plan.spec, Math.max(1, Math.min(workers, trainedCount)), scale);
  const shardText = count > 1 ? `, shard ${index}/${count}: ${mine.length}` : '';
  const planLine = `${name}: ${all.length} cells (${describeGrid(plan.spec)})${shardText}; ${skipped} already in ${plan.out || 'the file'}, ${todo.length} to run on ${workers === 0 ? 'this thread' : `${Math.min(workers, trainedCount)} worker(s)`}; estimated ${formatDuration(estimate.wall)}`;
  if (plan.dryRun) {
    if (plan.json) {
      const shard = assignment ? { shard: { index, count, shardSeconds: assignment.seconds, shardCellCounts: assignment.cells } } : {};
      io.stdout(stringifyJson({ cells: all.length, shardCells: mine.length, skipped, toRun: todo.length, estimatedSeconds: estimate.wall, gridId: id, ...shard, grid: plan.spec }));
    }
    else io.stdout(planLine);
    return { written: 0, skipped, failed: 0, seconds: 0 };
  }
  io.stderr(planLine);
  const writer = new ResultsWriter(plan.out);
  await writer.touch();
  let executor: TrainExecutor = inProcessExecutor();
  if (workers > 0) {
    try {
      executor = await workerPoolExecutor(Math.min(workers, trainedCount));
    } catch (error) {
      io.stderr(`${name}: worker pool unavailable (${(error as Error).message}); training on this thread`);
    }
  }
  const started = performance.now() / 1000;
  const progress = new SweepProgress(todo, plan.spec, started, skipped, estimate.wall);
  let lastPlain = started;
  const show = (final = false) => {
    const now = performance.now() / 1000;
    const line = progress.line(now);
    if (io.stderrStatus) {
      io.stderrStatus(final ? '' : line);
      if (final) io.stderr(line);
    } else if (final || now - lastPlain >= 5) {
      lastPlain = now;
      io.stderr(line);
    }
  };
  const byKey = new Map<string, Cell>(todo.map((c) => [c.key, c]));
  const timer = setInterval(() => show(), 1000);
  let failures;
  try {
    failures = await runCells(todo, {
      spec: plan.spec, gridId: id, executor,
      onRecord: async (record) => {
        await writer.append(count > 1 ? { ...record, shard: { index, count } } : record);
        progress.record(record, byKey.get(record.key)!);
        show();
      },
      onFailure: (cell, error) => {
        progress.fail(cell);
        io.stderr(`${name}: cell ${cell.key} failed: ${error.message}`);
      },
    });
  } finally {
    clearInterval(timer);
    executor.close();
  }
  show(true);
  const seconds = performance.now() / 1000 - started;
  return { written: progress.done, skipped, failed: failures.length, seconds };
}

export async function runSweep(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parseCommand(io, 'sweep', SWEEP_FLAGS, SWEEP_USAGE, argv);
  if (typeof flags === 'number') return flags;
  let plan: SweepPlan;
  try {
    plan = sweepPlan(flags, process.env);
  } catch (error) {
    return usageFailure(io, 'sweep', error);
  }
  const outcome = await executeSweep(plan, io);
  if (!outcome) return EXIT.usage;
  if (plan.dryRun) return EXIT.ok;
  const summary = { out: plan.out, written: outcome.written, skipped: outcome.skipped, failed: outcome.failed, seconds: outcome.seconds, gridId: gridId(plan.spec) };
  if (plan.json) io.stdout(stringifyJson(summary));
  else io.stdout(`sweep: wrote ${outcome.written} records to ${plan.out} (${outcome.skipped} already there${outcome.failed ? `, ${outcome.failed} FAILED` : ''}) in ${formatDuration(outcome.seconds)}`);
  return outcome.failed ? EXIT.failure : EXIT.ok;
}
