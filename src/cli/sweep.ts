// `persian-rug sweep`: a grid over kind x n x (r | m) x p x seed -> one JSON line per cell; --resume, --shard i/N.
import { dirname } from 'node:path';
import { stat } from 'node:fs/promises';
import type { TrainConfig } from '../api.js';
import { ConfigError, DEFAULT_STEPS, parseNumberText, parseTrainFlags, resolveTrainConfig, trainHelp } from '../train/config.js';
import { checkModelMemory } from '../train/trainer.js';
import {
  expandGrid, gridId, parseAxis, parseKinds, parseShard, shardCells, type Cell, type GridSpec,
} from '../sweep/grid.js';
import { formatDuration, planSeconds } from '../sweep/cost.js';
import { cellTrainConfig, inProcessExecutor, runCells, workerPoolExecutor, type TrainExecutor } from '../sweep/run.js';
import { SweepProgress } from '../sweep/progress.js';
import { fileExists, loadResults, ResultsWriter, truncatePartialLine } from '../sweep/resultsFile.js';
import { FileLockedError, lockFile, type FileLock } from '../io/lock.js';
import { EXIT, type CliIo } from './io.js';
import { stringifyJson } from '../io/json.js';

const SWEEP_FLAGS = {
  kind: 'string', n: 'string', r: 'string', m: 'string', p: 'string', seeds: 'string', out: 'string', resume: 'boolean',
  shard: 'string', workers: 'string', 'rug-fit': 'string', 'rug-samples': 'string', 'rug-epochs': 'string', 'rug-row-sets': 'string',
  'stat-rows': 'string', 'stat-samples': 'string', 'dry-run': 'boolean', json: 'boolean', help: 'boolean',
} as const;

export const SWEEP_USAGE = `usage: persian-rug sweep --kind KINDS --n LIST (--r VALUES | --m LIST) --p VALUES --out FILE [flags]

Runs every cell of kind x n x (r or m) x p x seed and appends one JSON line per finished cell to FILE: key,
config, seed, trainLoss, evalLoss, L*(p, m / n) with its optimum, the baselines (zero, constant, linear),
for trained cells the statistics of PAPER.md §2 and histograms of W's entries, and timings.
m = max(1, floor(n r)) as in the paper's grid. VALUES are START:STOP:COUNT (inclusive linspace) or a comma list.

grid flags:
  --kind KINDS        comma list of trained (Adam on the toy model), rug (the Persian rug, n a power of two),
                      theory (L*(p, r), PAPER.md §4), linear ((1 - r) v) (default trained)
  --n LIST            numbers of features, integers in [1, 65536] (default 512)
  --r VALUES          ratios m / n in (0, 1], e.g. 0.002001:0.8:20 (the paper's grid)
  --m LIST            hidden widths instead of --r, integers in [1, min n]
  --p VALUES          feature probabilities in (0, 1], e.g. 0.002001:0.8:20
  --seeds K           seeds --seed .. --seed + K - 1 for trained and rug cells, an integer in [1, 1000] (default 1)
run flags:
  --out FILE          the results file (JSON Lines); it must not exist unless --resume. One sweep writes it at
                      a time: FILE.lock names the writer (host, pid, start); a second writer exits 2 naming it
  --resume            skip the cells FILE already has (a cut-off last line is reported and removed)
  --shard i/N         run only cells whose position in the key-sorted grid is i mod N (Slurm arrays, CI matrices)
  --workers K         trained cells on K worker threads; 0: in this thread (default: one per core)
  --rug-fit F         rug cells: theory (A, mu from L*, no training) or adam (the paper's recipe) (default theory)
  --rug-samples K     rug cells: Monte-Carlo samples of the loss, an integer in [2, 100000000] (default 20000)
  --rug-epochs E      rug cells with adam: epochs, an integer in [1, 10000] (default 10)
  --rug-row-sets K    rug cells with adam: best of K row sets, an integer in [1, 100] (default 5)
  --stat-rows K       trained cells: rows of W whose interference is KS-tested and histogrammed (default 16)
  --stat-samples K    trained cells: data samples per tested row, an integer in [2, 1000000] (default 1000)
  --dry-run           print the plan (cells, estimated time) and the grid, run nothing
  --json              print a summary object as the last stdout line (with --dry-run: the plan and grid spec)
  --help              this text
training flags (shared by every trained cell; --n, --m, --p, --ratio and --importance are grid-level here):
${trainHelp([]).split('\n').filter((l) => !/^\s+--(n|m|p|ratio|importance) /.test(l)).join('\n')}`;

function integerFlag(name: string, text: string | undefined, lo: number, hi: number, fallback: number): number {
  if (text === undefined) return fallback;
  const v = parseNumberText(text) ?? NaN;
  if (!(Number.isInteger(v) && v >= lo && v <= hi)) throw new ConfigError(`--${name} ${text} is not an integer in [${lo}, ${hi}]`);
  return v;
}

export interface SweepPlan {
  spec: GridSpec;
  out: string;
  resume: boolean;
  shard: { index: number; count: number };
  /** Worker threads for trained cells; 0: in-process. undefined: one per core. */
  workers: number | undefined;
  dryRun: boolean;
  json: boolean;
}

/** Parses sweep flags into a plan; throws ConfigError on bad input (nothing is run or written). */
export function parseSweepFlags(argv: readonly string[]): SweepPlan | 'help' {
  const { config, extra } = parseTrainFlags(argv, SWEEP_FLAGS);
  if (extra.help) return 'help';
  const get = (k: keyof typeof SWEEP_FLAGS): string | undefined => (extra[k] === undefined ? undefined : String(extra[k]));
  for (const field of ['ratio', 'importance'] as const) {
    if (config[field] !== undefined) throw new ConfigError(field === 'ratio' ? '--ratio: a sweep takes ratios as --r VALUES' : '--importance is per feature and cannot be shared across the grid\'s n');
  }
  if (get('r') !== undefined && get('m') !== undefined) throw new ConfigError(`--r ${get('r')} and --m ${get('m')} conflict; give one of them`);
  if (get('r') === undefined && get('m') === undefined) throw new ConfigError('--r VALUES or --m LIST is required (see --help)');
  if (get('p') === undefined) throw new ConfigError('--p VALUES is required (see --help)');
  const out = get('out');
  const dryRun = Boolean(extra['dry-run']);
  if (!dryRun && (out === undefined || out.trim() === '')) throw new ConfigError('--out FILE is required (the JSON Lines results file)');
  const n = parseAxis('n', get('n') ?? '512', { min: 1, max: 65536, integer: true });
  const firstSeed = config.seed ?? 0;
  const seedCount = integerFlag('seeds', get('seeds'), 1, 1000, 1);
  if (firstSeed + seedCount - 1 > 4294967295) throw new ConfigError(`--seed ${firstSeed} with --seeds ${seedCount} passes the largest seed 4294967295`);
  const { seed: _seed, ...train } = config as Partial<TrainConfig>;
  if (train.steps === undefined && train.epochs === undefined) train.steps = DEFAULT_STEPS;
  const rugFit = get('rug-fit') ?? 'theory';
  if (rugFit !== 'theory' && rugFit !== 'adam') throw new ConfigError(`--rug-fit ${rugFit} is not one of theory, adam`);
  const spec: GridSpec = {
    kinds: parseKinds(get('kind') ?? 'trained'),
    n,
    ...(get('r') !== undefined ? { ratio: parseAxis('r', get('r')!, { min: 0, max: 1, minExclusive: true }) } : { m: parseAxis('m', get('m')!, { min: 1, max: 65536, integer: true }) }),
    p: parseAxis('p', get('p')!, { min: 0, max: 1, minExclusive: true }),
    seeds: Array.from({ length: seedCount }, (_, k) => firstSeed + k),
    train,
    rug: {
      fit: rugFit,
      samples: integerFlag('rug-samples', get('rug-samples'), 2, 1e8, 20000),
      epochs: integerFlag('rug-epochs', get('rug-epochs'), 1, 10000, 10),
      rowSets: integerFlag('rug-row-sets', get('rug-row-sets'), 1, 100, 5),
    },
    statistics: {
      sampleRows: integerFlag('stat-rows', get('stat-rows'), 1, 65536, 16),
      samplesPerRow: integerFlag('stat-samples', get('stat-samples'), 2, 1e6, 1000),
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
  const shardText = get('shard');
  return {
    spec, out: out ?? '', resume: Boolean(extra.resume), dryRun, json: Boolean(extra.json),
    shard: shardText === undefined ? { index: 0, count: 1 } : parseShard(shardText),
    workers: get('workers') === undefined ? undefined : integerFlag('workers', get('workers'), 0, 256, 0),
  };
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
  const exists = plan.out !== '' && await fileExists(plan.out);
  if (!plan.dryRun) {
    const dir = dirname(plan.out);
    if (!(await stat(dir).then((s) => s.isDirectory(), () => false))) {
      io.stderr(`persian-rug ${name}: --out ${plan.out}: directory ${dir} does not exist`);
      return null;
    }
    if (exists && (await stat(plan.out)).isDirectory()) {
      io.stderr(`persian-rug ${name}: --out ${plan.out} is a directory; --out takes the results file`);
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
  const mine = shardCells(all, plan.shard.index, plan.shard.count);
  const id = gridId(plan.spec);
  let skippedKeys = new Set<string>();
  if (!plan.dryRun && exists && !plan.resume && (await stat(plan.out)).size > 0) {
    io.stderr(`persian-rug ${name}: --out ${plan.out} already exists; add --resume to continue it, or choose another file`);
    return null;
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
    const otherGrids = new Set(parsed.records.filter((r) => r.gridId !== id).map((r) => r.gridId));
    if (otherGrids.size) io.stderr(`${name}: note: ${plan.out} has records of ${otherGrids.size} other grid spec(s) (different flags); cells with equal keys are still skipped`);
    skippedKeys = new Set(parsed.records.map((r) => r.key));
  }
  const todo = mine.filter((c) => !skippedKeys.has(c.key));
  const skipped = mine.length - todo.length;
  const trainedCount = todo.filter((c) => c.kind === 'trained').length;
  const workers = trainedCount === 0 ? 0 : plan.workers ?? (await defaultWorkers());
  const estimate = planSeconds(todo, plan.spec, Math.max(1, Math.min(workers, trainedCount)), scale);
  const shardText = plan.shard.count > 1 ? `, shard ${plan.shard.index}/${plan.shard.count}: ${mine.length}` : '';
  const planLine = `${name}: ${all.length} cells (${describeGrid(plan.spec)})${shardText}; ${skipped} already in ${plan.out || 'the file'}, ${todo.length} to run on ${workers === 0 ? 'this thread' : `${Math.min(workers, trainedCount)} worker(s)`}; estimated ${formatDuration(estimate.wall)}`;
  if (plan.dryRun) {
    if (plan.json) io.stdout(stringifyJson({ cells: all.length, shardCells: mine.length, skipped, toRun: todo.length, estimatedSeconds: estimate.wall, gridId: id, grid: plan.spec }));
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
        await writer.append(record);
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

async function defaultWorkers(): Promise<number> {
  const { hardwareConcurrency } = await import('../worker/host.js');
  return hardwareConcurrency();
}

export async function runSweep(argv: readonly string[], io: CliIo): Promise<number> {
  let plan: SweepPlan | 'help';
  try {
    plan = parseSweepFlags(argv);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`persian-rug sweep: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
  if (plan === 'help') {
    io.stdout(SWEEP_USAGE);
    return EXIT.ok;
  }
  const outcome = await executeSweep(plan, io);
  if (!outcome) return EXIT.usage;
  if (plan.dryRun) return EXIT.ok;
  const summary = { out: plan.out, written: outcome.written, skipped: outcome.skipped, failed: outcome.failed, seconds: outcome.seconds, gridId: gridId(plan.spec) };
  if (plan.json) io.stdout(stringifyJson(summary));
  else io.stdout(`sweep: wrote ${outcome.written} records to ${plan.out} (${outcome.skipped} already there${outcome.failed ? `, ${outcome.failed} FAILED` : ''}) in ${formatDuration(outcome.seconds)}`);
  return outcome.failed ? EXIT.failure : EXIT.ok;
}
